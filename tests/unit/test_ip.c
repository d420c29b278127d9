/* SPDX-License-Identifier: MIT */
/* Unit tests for the partition IPv4 stack: frames captured from Linux, every truncation, malformed headers, ARP aging, ping and UDP round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guest-drivers/net/ip.h"

#include "tests/unit/fixtures/net/frames.inc"

#define OUT_MAX		8

/* The captured frames' two ends: Linux on va (10.0.0.1) and the stack under test on vb. */
static const uint8_t MAC_K[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t MAC_ME[6] = { 2, 0, 0, 0, 0, 2 };
#define IP_K		IP_ADDR(10, 0, 0, 1)
#define IP_ME		IP_ADDR(10, 0, 0, 2)
#define MASK24		0xffffff00u

/* A stack and what came out of it. */
struct host {
	struct ip_stack s;
	uint8_t out[OUT_MAX][IP_FRAME_MAX];
	uint32_t out_len[OUT_MAX];
	unsigned int nout;
	int fail;			/* send()'s result when non-zero */
	unsigned int udp_n, echo_n;
	uint32_t udp_src, udp_len, echo_src, echo_len;
	uint16_t udp_sport, udp_dport, echo_id, echo_seq;
	uint8_t udp_data[IP_FRAME_MAX];
};

static int h_send(void *ctx, const void *frame, uint32_t len)
{
	struct host *h = ctx;

	assert_true(len >= 14 && len <= IP_FRAME_MAX);
	if (h->fail)
		return h->fail;
	assert_true(h->nout < OUT_MAX);
	memcpy(h->out[h->nout], frame, len);
	h->out_len[h->nout++] = len;
	return 0;
}

static void h_udp(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const void *data,
		  uint32_t len)
{
	struct host *h = ctx;

	assert_true(len <= IP_UDP_MAX);
	h->udp_n++;
	h->udp_src = src;
	h->udp_sport = sport;
	h->udp_dport = dport;
	h->udp_len = len;
	memcpy(h->udp_data, data, len);
}

static void h_echo(void *ctx, uint32_t src, uint16_t id, uint16_t seq, uint32_t len)
{
	struct host *h = ctx;

	h->echo_n++;
	h->echo_src = src;
	h->echo_id = id;
	h->echo_seq = seq;
	h->echo_len = len;
}

static struct host *host_new(const uint8_t *mac, uint32_t ip, uint32_t mask, uint32_t gw)
{
	struct host *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	assert_int_equal(ip_init(&h->s, mac, ip, mask, gw), 0);
	h->s.send = h_send;
	h->s.udp_rx = h_udp;
	h->s.echo_rx = h_echo;
	h->s.ctx = h;
	return h;
}

static uint64_t drops(const struct ip_stack *s)
{
	uint64_t n = 0;

	for (int i = 0; i < IP_DROP_COUNT_; i++)
		n += s->st.drops[i];
	return n;
}

/* RFC 1071, written again here so the stack's own is not checked against itself. */
static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Recomputes the IPv4 header checksum of an Ethernet frame. */
static void fix_ip(uint8_t *f)
{
	uint32_t hl = (f[14] & 15u) * 4;

	put_be16(f + 24, 0);
	put_be16(f + 24, csum(f + 14, hl, 0));
}

/* Recomputes the ICMP checksum (IHL 5) over the IPv4 payload. */
static void fix_icmp(uint8_t *f)
{
	uint32_t n = be16(f + 16) - 20u;

	put_be16(f + 36, 0);
	put_be16(f + 36, csum(f + 34, n, 0));
}

/*
 * Feeds len bytes of f, from a heap copy of exactly that size (ASan sees any read past
 * it): exactly one drop, for reason why, and nothing sent or delivered.
 */
static void in_drop(struct host *h, const void *f, uint32_t len, enum ip_drop why)
{
	uint8_t *c = malloc(len ? len : 1);
	uint64_t before = drops(&h->s), why_before = h->s.st.drops[why];
	unsigned int nout = h->nout, udp = h->udp_n, echo = h->echo_n;

	assert_non_null(c);
	memcpy(c, f, len);
	ip_input(&h->s, c, len, h->s.now);
	free(c);
	assert_int_equal(drops(&h->s), before + 1);
	assert_int_equal(h->s.st.drops[why], why_before + 1);
	assert_int_equal(h->nout, nout);
	assert_int_equal(h->udp_n, udp);
	assert_int_equal(h->echo_n, echo);
}

/* Feeds a frame that must not be dropped. */
static void in_ok(struct host *h, const void *f, uint32_t len)
{
	uint8_t *c = malloc(len);
	uint64_t before = drops(&h->s);

	assert_non_null(c);
	memcpy(c, f, len);
	ip_input(&h->s, c, len, h->s.now);
	free(c);
	assert_int_equal(drops(&h->s), before);
}

/* Delivers every frame a sent to b and back, until both are quiet. */
static void pump(struct host *a, struct host *b)
{
	while (a->nout || b->nout) {
		struct host *from = a->nout ? a : b, *to = from == a ? b : a;
		uint8_t f[IP_FRAME_MAX];
		uint32_t len = from->out_len[0];

		memcpy(f, from->out[0], len);
		from->nout--;
		memmove(from->out[0], from->out[1], sizeof(from->out[0]) * from->nout);
		memmove(from->out_len, from->out_len + 1, sizeof(from->out_len[0]) * from->nout);
		in_ok(to, f, len);
	}
}

/* ---- checksums and addresses ---- */

static void test_csum(void **state)
{
	/* RFC 1071 1.3's example: the sum is ddf2. */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01 };

	assert_int_equal(ip_csum_fold(ip_csum_add(0, rfc, sizeof(rfc))), 0xffff & ~0xddf2);
	assert_int_equal(ip_csum_fold(ip_csum_add(0, odd, 1)), 0xfeff);
	assert_int_equal(ip_csum_fold(ip_csum_add(0, rfc, 0)), 0xffff);
	/* A header Linux wrote checks to 0; a right one is its own complement's root. */
	assert_int_equal(ip_csum_fold(ip_csum_add(0, cap_echo_request + 14, 20)), 0);
	assert_int_equal(ip_csum_fold(ip_csum_add(0, cap_udp_csum + 14, 20)), 0);
	assert_int_equal(csum(cap_echo_request + 34, 64, 0), 0);
}

static void test_parse_addr(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.00",
		"1.2.3.4/0", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/024", "1.2.3.4/24 ", " 1.2.3.4",
		"1..2.3", "1.2.3.-4", "99999999999.1.1.1", "1.2.3.4/99999999999", "a.b.c.d",
		"1.2.3.4x",
	};
	uint32_t ip = 1, mask = 1;

	assert_int_equal(ip_parse_addr("10.0.0.2/24", &ip, &mask), 0);
	assert_int_equal(ip, IP_ME);
	assert_int_equal(mask, MASK24);
	assert_int_equal(ip_parse_addr("1.2.3.4", &ip, &mask), 0);
	assert_int_equal(mask, 0xffffffffu);
	assert_int_equal(ip_parse_addr("192.168.0.1/1", &ip, &mask), 0);
	assert_int_equal(ip, IP_ADDR(192, 168, 0, 1));
	assert_int_equal(mask, 0x80000000u);
	assert_int_equal(ip_parse_addr("255.255.255.255/32", &ip, &mask), 0);
	assert_int_equal(ip, IP_BROADCAST);
	assert_int_equal(ip_parse_addr("0.0.0.0", &ip, NULL), 0);
	assert_int_equal(ip, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip = mask = 7;
		assert_int_equal(ip_parse_addr(bad[i], &ip, &mask), -HV_EINVAL);
		assert_int_equal(ip, 7);
		assert_int_equal(mask, 7);
	}
	/* Without a mask to fill, a suffix is an error. */
	assert_int_equal(ip_parse_addr("10.0.0.1/24", &ip, NULL), -HV_EINVAL);
	assert_int_equal(ip_parse_addr(NULL, &ip, &mask), -HV_EINVAL);
}

static void test_parse_cmdline(void **state)
{
	uint32_t ip = 0, mask = 0, gw = 5;

	assert_int_equal(ip_parse_cmdline("console=1  ip=10.0.0.2/24 gw=10.0.0.1 x=y", &ip, &mask,
					  &gw), 0);
	assert_int_equal(ip, IP_ME);
	assert_int_equal(mask, MASK24);
	assert_int_equal(gw, IP_K);
	assert_int_equal(ip_parse_cmdline("ip=10.0.0.9/8", &ip, &mask, &gw), 0);
	assert_int_equal(ip, IP_ADDR(10, 0, 0, 9));
	assert_int_equal(mask, 0xff000000u);
	assert_int_equal(gw, 0);
	assert_int_equal(ip_parse_cmdline("", &ip, &mask, &gw), -HV_ENOENT);
	assert_int_equal(ip_parse_cmdline(NULL, &ip, &mask, &gw), -HV_ENOENT);
	assert_int_equal(ip_parse_cmdline("noip=1.2.3.4 gw=1.2.3.4", &ip, &mask, &gw), -HV_ENOENT);
	assert_int_equal(ip_parse_cmdline("ip=", &ip, &mask, &gw), -HV_EINVAL);
	assert_int_equal(ip_parse_cmdline("ip=10.0.0.2/24x", &ip, &mask, &gw), -HV_EINVAL);
	assert_int_equal(ip_parse_cmdline("ip=10.0.0.2 gw=10.0.0", &ip, &mask, &gw), -HV_EINVAL);
	assert_int_equal(ip_parse_cmdline("ip=10.0.0.2 gw=10.0.0.1/24", &ip, &mask, &gw),
			 -HV_EINVAL);
	assert_int_equal(ip, IP_ADDR(10, 0, 0, 9));	/* untouched by the failures */
}

static void test_init(void **state)
{
	static const uint8_t group[6] = { 1, 0, 0x5e, 0, 0, 1 };
	static const struct { uint32_t ip, mask, gw; } bad[] = {
		{ IP_ME, 0, 0 },
		{ IP_ME, 0xff00ff00u, 0 },
		{ 0, MASK24, 0 },
		{ IP_ADDR(10, 0, 0, 0), MASK24, 0 },		/* the subnet */
		{ IP_ADDR(10, 0, 0, 255), MASK24, 0 },		/* its broadcast */
		{ IP_ADDR(224, 0, 0, 1), MASK24, 0 },
		{ IP_BROADCAST, 0xffffffffu, 0 },
		{ IP_ME, MASK24, IP_ADDR(10, 0, 1, 1) },	/* gateway off the subnet */
		{ IP_ME, MASK24, IP_ME },
		{ IP_ME, MASK24, IP_ADDR(10, 0, 0, 255) },
		{ IP_ME, 0xffffffffu, IP_K },
	};
	struct ip_stack s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0xa5, sizeof(s));
		assert_int_equal(ip_init(&s, MAC_ME, bad[i].ip, bad[i].mask, bad[i].gw), -HV_EINVAL);
		assert_int_equal(s.ip, 0xa5a5a5a5u);
	}
	assert_int_equal(ip_init(&s, group, IP_ME, MASK24, 0), -HV_EINVAL);
	assert_int_equal(ip_init(&s, MAC_ME, IP_ME, 0xffffffffu, 0), 0);
	assert_int_equal(ip_init(&s, MAC_ME, IP_ADDR(10, 0, 0, 0), 0xfffffffeu, IP_K), 0);
	assert_int_equal(ip_init(&s, MAC_ME, IP_ME, MASK24, IP_K), 0);
	assert_int_equal(s.gw, IP_K);
	assert_int_equal(s.arp_ttl, IP_ARP_TTL_DEFAULT);
	assert_int_equal(drops(&s), 0);
}

/* ---- captured frames, whole ---- */

static void test_arp_request_answered(void **state)
{
	/* The mirror of Linux's request, as ns.py sent it and Linux accepted it. */
	static const uint8_t want[42] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 2, 2, 0, 0, 0, 0, 2, 10, 0, 0, 2,
		2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
	};
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	uint8_t mac[6];

	in_ok(h, cap_arp_request, sizeof(cap_arp_request));
	assert_int_equal(h->nout, 1);
	assert_int_equal(h->out_len[0], 42);
	assert_memory_equal(h->out[0], want, 42);
	assert_int_equal(h->s.st.arp_answered, 1);
	assert_true(ip_arp_lookup(&h->s, IP_K, mac));
	assert_memory_equal(mac, MAC_K, 6);
	/* Padded to Ethernet's 60 bytes, the same. */
	uint8_t pad[60] = { 0 };

	memcpy(pad, cap_arp_request, sizeof(cap_arp_request));
	in_ok(h, pad, sizeof(pad));
	assert_int_equal(h->nout, 2);
	assert_memory_equal(h->out[1], want, 42);
	assert_int_equal(h->s.st.frames_in, 2);
	free(h);
}

static void test_arp_reply_learned(void **state)
{
	/* What capture.py sent Linux to get cap_arp_reply. */
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 2, 10, 0, 0, 2,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 1,
	};
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	uint8_t mac[6];

	assert_int_equal(ip_arp_request(&h->s, IP_ME), -HV_EINVAL);
	assert_int_equal(ip_arp_request(&h->s, IP_BROADCAST), -HV_EINVAL);
	assert_int_equal(ip_arp_request(&h->s, IP_K), 0);
	assert_int_equal(h->nout, 1);
	assert_memory_equal(h->out[0], want, 42);
	assert_false(ip_arp_lookup(&h->s, IP_K, mac));
	in_ok(h, cap_arp_reply, sizeof(cap_arp_reply));
	assert_int_equal(h->nout, 1);		/* a reply is not answered */
	assert_true(ip_arp_lookup(&h->s, IP_K, mac));
	assert_memory_equal(mac, MAC_K, 6);
	assert_int_equal(h->s.st.arp_learned, 1);
	free(h);
}

static void test_echo_request_answered(void **state)
{
	const uint8_t *q = cap_echo_request;
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	struct host *k = host_new(MAC_K, IP_K, MASK24, 0);
	const uint8_t *r;

	in_ok(h, q, sizeof(cap_echo_request));
	assert_int_equal(h->s.st.echo_answered, 1);
	assert_int_equal(h->nout, 1);
	assert_int_equal(h->out_len[0], sizeof(cap_echo_request));
	r = h->out[0];
	assert_memory_equal(r, MAC_K, 6);		/* back to the request's MAC, no ARP */
	assert_memory_equal(r + 6, MAC_ME, 6);
	assert_int_equal(be16(r + 12), 0x0800);
	assert_int_equal(r[14], 0x45);
	assert_int_equal(be16(r + 16), be16(q + 16));	/* total length */
	assert_int_equal(r[22], 64);			/* TTL */
	assert_int_equal(r[23], 1);
	assert_int_equal(be32(r + 26), IP_ME);
	assert_int_equal(be32(r + 30), IP_K);
	assert_int_equal(csum(r + 14, 20, 0), 0);
	/* ICMP: type 0, same code, identifier, sequence and data; a right checksum. */
	assert_int_equal(r[34], 0);
	assert_int_equal(r[35], 0);
	assert_memory_equal(r + 38, q + 38, sizeof(cap_echo_request) - 38);
	assert_int_equal(csum(r + 34, sizeof(cap_echo_request) - 34, 0), 0);
	/* Fed to a stack in Linux's place, it is the reply to that request. */
	in_ok(k, r, h->out_len[0]);
	assert_int_equal(k->s.st.echo_replies, 1);
	assert_int_equal(k->s.last_echo_id, be16(q + 38));
	assert_int_equal(k->s.last_echo_seq, 1);
	assert_int_equal(k->s.last_echo_src, IP_ME);
	assert_int_equal(k->echo_len, 56);
	free(h);
	free(k);
}

static void test_echo_reply_recorded(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);

	in_ok(h, cap_echo_reply, sizeof(cap_echo_reply));
	assert_int_equal(h->nout, 0);
	assert_int_equal(h->s.st.echo_replies, 1);
	assert_int_equal(h->s.last_echo_src, IP_K);
	assert_int_equal(h->s.last_echo_id, 0x4242);
	assert_int_equal(h->s.last_echo_seq, 7);
	assert_int_equal(h->echo_n, 1);
	assert_int_equal(h->echo_len, 32);
	free(h);
}

static void test_udp_received(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);

	in_ok(h, cap_udp_csum, sizeof(cap_udp_csum));
	assert_int_equal(h->udp_n, 1);
	assert_int_equal(h->udp_src, IP_K);
	assert_int_equal(h->udp_sport, 5000);
	assert_int_equal(h->udp_dport, 7);
	assert_int_equal(h->udp_len, 16);
	assert_memory_equal(h->udp_data, "hello, partition", 16);
	in_ok(h, cap_udp_nocsum, sizeof(cap_udp_nocsum));
	assert_int_equal(h->udp_n, 2);
	assert_int_equal(h->udp_sport, 5001);
	assert_memory_equal(h->udp_data, "no checksum here", 16);
	assert_int_equal(h->s.st.udp_in, 2);
	assert_int_equal(h->nout, 0);
	/* Without a callback: counted, not dropped. */
	h->s.udp_rx = NULL;
	in_ok(h, cap_udp_csum, sizeof(cap_udp_csum));
	assert_int_equal(h->s.st.udp_in, 3);
	free(h);
}

/* Linux on lo leaves the UDP checksum to an offload that never runs; an ICMP error. */
static void test_lo_frames(void **state)
{
	struct host *b = host_new(MAC_ME, IP_ADDR(127, 0, 0, 2), 0xff000000u, 0);
	struct host *a = host_new(MAC_K, IP_ADDR(127, 0, 0, 1), 0xff000000u, 0);

	in_drop(b, cap_lo_udp_partial_csum, sizeof(cap_lo_udp_partial_csum), IP_DROP_CSUM);
	in_drop(a, cap_lo_icmp_port_unreach, sizeof(cap_lo_icmp_port_unreach), IP_DROP_PROTO);
	free(a);
	free(b);
}

/* ---- malformed ---- */

static const struct { const uint8_t *f; uint32_t len; } captured[] = {
	{ cap_arp_request, sizeof(cap_arp_request) },
	{ cap_arp_reply, sizeof(cap_arp_reply) },
	{ cap_echo_request, sizeof(cap_echo_request) },
	{ cap_echo_reply, sizeof(cap_echo_reply) },
	{ cap_udp_csum, sizeof(cap_udp_csum) },
	{ cap_udp_nocsum, sizeof(cap_udp_nocsum) },
};

static void test_truncated(void **state)
{
	for (size_t i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
		struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);

		for (uint32_t len = 0; len < captured[i].len; len++)
			in_drop(h, captured[i].f, len, IP_DROP_TRUNC);
		assert_int_equal(h->s.st.frames_in, captured[i].len);
		assert_int_equal(h->s.st.arp_learned, 0);
		in_ok(h, captured[i].f, captured[i].len);
		free(h);
	}
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);

	ip_input(&h->s, NULL, 0, 0);
	ip_input(&h->s, NULL, 60, 0);
	assert_int_equal(h->s.st.drops[IP_DROP_TRUNC], 2);
	assert_int_equal(drops(&h->s), 2);
	free(h);
}

enum { FIX_IP = 1, FIX_ICMP = 2 };

/* One change to a captured frame: width bytes at off set to val (big-endian). */
struct mutation {
	const uint8_t *base;
	uint32_t len;
	uint32_t off, width, val;
	unsigned int fix;
	enum ip_drop why;
	const char *what;
};

#define UDP		cap_udp_csum, sizeof(cap_udp_csum)
#define ECHO		cap_echo_request, sizeof(cap_echo_request)
#define ARP		cap_arp_request, sizeof(cap_arp_request)

static const struct mutation mutations[] = {
	{ UDP, 14, 1, 0x65, FIX_IP, IP_DROP_HDR, "version 6" },
	{ UDP, 14, 1, 0x44, FIX_IP, IP_DROP_HDR, "IHL 4" },
	{ UDP, 14, 1, 0x40, 0, IP_DROP_HDR, "IHL 0" },
	{ UDP, 14, 1, 0x4f, 0, IP_DROP_TRUNC, "IHL 15, past the frame" },
	{ UDP, 16, 2, 19, FIX_IP, IP_DROP_LEN, "total length under the header" },
	{ UDP, 16, 2, 0, FIX_IP, IP_DROP_LEN, "total length 0" },
	{ UDP, 16, 2, 45, FIX_IP, IP_DROP_TRUNC, "total length past the frame" },
	{ UDP, 16, 2, 0xffff, FIX_IP, IP_DROP_TRUNC, "total length 65535" },
	{ UDP, 16, 2, 43, FIX_IP, IP_DROP_LEN, "UDP length past the IP payload" },
	{ UDP, 24, 1, 0x05, 0, IP_DROP_CSUM, "IPv4 header checksum" },
	{ UDP, 20, 1, 0x20, FIX_IP, IP_DROP_FRAG, "more fragments" },
	{ UDP, 20, 2, 0x4001, FIX_IP, IP_DROP_FRAG, "fragment offset" },
	{ UDP, 20, 2, 0x1fff, FIX_IP, IP_DROP_FRAG, "last fragment" },
	{ UDP, 20, 1, 0xc0, FIX_IP, IP_DROP_HDR, "reserved flag" },
	{ UDP, 33, 1, 3, FIX_IP, IP_DROP_NOT_MINE, "another IPv4 destination" },
	{ UDP, 30, 4, 0x0a000000, FIX_IP, IP_DROP_NOT_MINE, "destination the subnet itself" },
	{ UDP, 26, 4, 0xffffffff, FIX_IP, IP_DROP_ADDR, "source broadcast" },
	{ UDP, 26, 4, 0x0a0000ff, FIX_IP, IP_DROP_ADDR, "source the subnet broadcast" },
	{ UDP, 26, 4, 0, FIX_IP, IP_DROP_ADDR, "source 0" },
	{ UDP, 26, 4, 0xe0000001, FIX_IP, IP_DROP_ADDR, "source multicast" },
	{ UDP, 26, 4, 0x0a000002, FIX_IP, IP_DROP_ADDR, "source mine" },
	{ UDP, 23, 1, 6, FIX_IP, IP_DROP_PROTO, "TCP" },
	{ UDP, 23, 1, 0, FIX_IP, IP_DROP_PROTO, "protocol 0" },
	{ UDP, 5, 1, 3, 0, IP_DROP_NOT_MINE, "another MAC" },
	{ UDP, 0, 4, 0x01005e00, 0, IP_DROP_NOT_MINE, "a multicast MAC" },
	{ UDP, 6, 1, 0x03, 0, IP_DROP_ADDR, "a group source MAC" },
	{ UDP, 11, 1, 2, 0, IP_DROP_ADDR, "my own source MAC" },
	{ UDP, 12, 2, 0x86dd, 0, IP_DROP_PROTO, "IPv6" },
	{ UDP, 12, 2, 0x8100, 0, IP_DROP_PROTO, "a VLAN tag" },
	{ UDP, 12, 2, 0x002c, 0, IP_DROP_PROTO, "an 802.3 length" },
	{ UDP, 40, 1, 0xbb, 0, IP_DROP_CSUM, "UDP checksum" },
	{ UDP, 50, 1, 'X', 0, IP_DROP_CSUM, "UDP data" },
	{ UDP, 38, 2, 7, 0, IP_DROP_LEN, "UDP length 7" },
	{ UDP, 38, 2, 0, 0, IP_DROP_LEN, "UDP length 0" },
	{ UDP, 38, 2, 25, 0, IP_DROP_LEN, "UDP length past the payload" },
	{ UDP, 38, 2, 23, 0, IP_DROP_CSUM, "UDP length short of the payload" },
	{ UDP, 16, 2, 27, FIX_IP, IP_DROP_TRUNC, "UDP header cut by total length" },
	{ ECHO, 36, 1, 0x44, 0, IP_DROP_CSUM, "ICMP checksum" },
	{ ECHO, 80, 1, 0, 0, IP_DROP_CSUM, "ICMP data" },
	{ ECHO, 34, 1, 13, FIX_ICMP, IP_DROP_PROTO, "ICMP timestamp" },
	{ ECHO, 35, 1, 1, FIX_ICMP, IP_DROP_PROTO, "echo with code 1" },
	{ ECHO, 30, 4, 0xffffffff, FIX_IP, IP_DROP_NOT_MINE, "echo to 255.255.255.255" },
	{ ECHO, 30, 4, 0x0a0000ff, FIX_IP, IP_DROP_NOT_MINE, "echo to the subnet broadcast" },
	{ ECHO, 16, 2, 27, FIX_IP, IP_DROP_TRUNC, "ICMP header cut by total length" },
	{ ARP, 14, 2, 6, 0, IP_DROP_HDR, "ARP hardware IEEE 802" },
	{ ARP, 16, 2, 0x86dd, 0, IP_DROP_HDR, "ARP protocol IPv6" },
	{ ARP, 18, 1, 8, 0, IP_DROP_HDR, "ARP hardware size 8" },
	{ ARP, 19, 1, 16, 0, IP_DROP_HDR, "ARP protocol size 16" },
	{ ARP, 20, 2, 3, 0, IP_DROP_PROTO, "ARP operation 3 (RARP)" },
	{ ARP, 20, 2, 0, 0, IP_DROP_PROTO, "ARP operation 0" },
	{ ARP, 41, 1, 3, 0, IP_DROP_NOT_MINE, "ARP for another address" },
	{ ARP, 22, 1, 0x03, 0, IP_DROP_ADDR, "ARP sender a group MAC" },
	{ ARP, 27, 1, 2, 0, IP_DROP_ADDR, "ARP sender my MAC" },
	{ ARP, 28, 4, 0xffffffff, 0, IP_DROP_ADDR, "ARP sender broadcast" },
	{ ARP, 28, 4, 0xe0000001, 0, IP_DROP_ADDR, "ARP sender multicast" },
	{ ARP, 28, 4, 0x0a000002, 0, IP_DROP_ADDR, "ARP sender my address" },
};

static void apply(uint8_t *f, const struct mutation *m)
{
	for (uint32_t i = 0; i < m->width; i++)
		f[m->off + i] = (uint8_t)(m->val >> (8 * (m->width - 1 - i)));
	if (m->fix & FIX_IP)
		fix_ip(f);
	if (m->fix & FIX_ICMP)
		fix_icmp(f);
}

static void test_malformed(void **state)
{
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];
		struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
		uint8_t f[IP_FRAME_MAX];
		uint8_t mac[6];

		memcpy(f, m->base, m->len);
		apply(f, m);
		print_message("%s\n", m->what);
		in_drop(h, f, m->len, m->why);
		assert_false(ip_arp_lookup(&h->s, IP_K, mac));
		free(h);
	}
}

static void test_sizes(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	uint8_t f[IP_FRAME_MAX + 1] = { 0 };

	/* Ethernet padding after the datagram, up to the largest frame, is ignored. */
	memcpy(f, cap_udp_csum, sizeof(cap_udp_csum));
	in_ok(h, f, IP_FRAME_MAX);
	assert_int_equal(h->udp_n, 1);
	assert_int_equal(h->udp_len, 16);
	in_drop(h, f, IP_FRAME_MAX + 1, IP_DROP_LEN);
	ip_input(&h->s, f, UINT32_MAX, 0);	/* rejected before a byte is read */
	assert_int_equal(h->s.st.drops[IP_DROP_LEN], 2);
	/* IP options are skipped: 4 NOPs-and-end make IHL 6; UDP's checksum ignores them. */
	memcpy(f, cap_udp_csum, 34);
	memcpy(f + 34, "\x01\x01\x01\x00", 4);
	memcpy(f + 38, cap_udp_csum + 34, sizeof(cap_udp_csum) - 34);
	f[14] = 0x46;
	put_be16(f + 16, be16(f + 16) + 4);
	fix_ip(f);
	in_ok(h, f, sizeof(cap_udp_csum) + 4);
	assert_int_equal(h->udp_n, 2);
	assert_memory_equal(h->udp_data, "hello, partition", 16);
	/* An ARP probe (sender 0.0.0.0) for my address is answered, not learned. */
	memcpy(f, cap_arp_request, sizeof(cap_arp_request));
	memset(f + 28, 0, 4);
	in_ok(h, f, sizeof(cap_arp_request));
	assert_int_equal(h->nout, 1);
	assert_int_equal(be32(h->out[0] + 38), 0);
	assert_int_equal(h->s.st.arp_learned, 0);
	/* A broadcast UDP datagram is taken (its checksum re-done for the new address). */
	memcpy(f, cap_udp_nocsum, sizeof(cap_udp_nocsum));
	memset(f, 0xff, 6);
	memset(f + 30, 0xff, 4);
	fix_ip(f);
	in_ok(h, f, sizeof(cap_udp_nocsum));
	assert_int_equal(h->udp_n, 3);
	free(h);
}

/* ---- the ARP cache ---- */

/* An ARP reply to me from 10.0.0.last at 02:00:00:00:01:last. */
static void arp_from(struct host *h, uint8_t last, uint64_t now)
{
	uint8_t f[sizeof(cap_arp_reply)];

	memcpy(f, cap_arp_reply, sizeof(f));
	f[27] = last;
	f[26] = 1;
	f[31] = last;
	ip_tick(&h->s, now);
	in_ok(h, f, sizeof(f));
}

static void test_arp_cache(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	uint8_t mac[6], f[sizeof(cap_arp_reply)];

	arp_from(h, 10, 1000);
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 10), mac));
	assert_int_equal(mac[4], 1);
	assert_int_equal(mac[5], 10);
	ip_tick(&h->s, 1000 + IP_ARP_TTL_DEFAULT - 1);
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 10), mac));
	ip_tick(&h->s, 1000 + IP_ARP_TTL_DEFAULT);
	assert_false(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 10), mac));
	ip_tick(&h->s, 999);			/* a clock going back forgets too */
	assert_false(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 10), mac));

	/* Full: the oldest goes. */
	for (uint8_t i = 0; i < IP_ARP_SLOTS; i++)
		arp_from(h, (uint8_t)(20 + i), 5000 + i);
	arp_from(h, 21, 6000);			/* refreshed: now the newest */
	arp_from(h, 99, 6001);
	assert_false(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 20), mac));
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 21), mac));
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 99), mac));
	arp_from(h, 100, 6002);
	assert_false(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 22), mac));
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 21), mac));

	/* ARP between others: an entry I hold is refreshed, no new one is made. */
	memcpy(f, cap_arp_reply, sizeof(f));
	f[41] = 77;				/* target 10.0.0.77 */
	f[27] = 99;				/* sender 10.0.0.99, a new MAC */
	f[31] = 99;
	in_drop(h, f, sizeof(f), IP_DROP_NOT_MINE);
	assert_true(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 99), mac));
	assert_int_equal(mac[4], 0);
	f[31] = 55;
	in_drop(h, f, sizeof(f), IP_DROP_NOT_MINE);
	assert_false(ip_arp_lookup(&h->s, IP_ADDR(10, 0, 0, 55), mac));
	free(h);
}

/* ---- round trips between two stacks ---- */

#define IP_A		IP_ADDR(10, 0, 0, 10)
#define IP_B		IP_ADDR(10, 0, 0, 11)
static const uint8_t MAC_A[6] = { 2, 0, 0, 0, 0, 0x0a };
static const uint8_t MAC_B[6] = { 2, 0, 0, 0, 0, 0x0b };

static void test_ping_round_trip(void **state)
{
	struct host *a = host_new(MAC_A, IP_A, MASK24, 0);
	struct host *b = host_new(MAC_B, IP_B, MASK24, 0);

	/* Unknown MAC: an ARP request goes instead, nothing is queued. */
	assert_int_equal(ip_ping(&a->s, IP_B, 7, 0, 56), -HV_EBUSY);
	assert_int_equal(a->nout, 1);
	assert_int_equal(be16(a->out[0] + 12), 0x0806);
	pump(a, b);
	assert_int_equal(b->s.st.arp_answered, 1);
	assert_int_equal(a->echo_n, 0);
	for (uint16_t seq = 1; seq <= 100; seq++) {
		assert_int_equal(ip_ping(&a->s, IP_B, 7, seq, seq), 0);
		pump(a, b);
		assert_int_equal(a->echo_n, seq);
		assert_int_equal(a->s.last_echo_id, 7);
		assert_int_equal(a->s.last_echo_seq, seq);
		assert_int_equal(a->s.last_echo_src, IP_B);
		assert_int_equal(a->echo_len, seq);
	}
	/* B learned A from A's request: it pings back at once. */
	assert_int_equal(ip_ping(&b->s, IP_A, 9, 1, 0), 0);
	pump(a, b);
	assert_int_equal(b->s.last_echo_id, 9);
	/* The largest echo makes a 1514-byte frame each way. */
	assert_int_equal(ip_ping(&a->s, IP_B, 7, 500, IP_PING_MAX), 0);
	assert_int_equal(a->out_len[0], IP_FRAME_MAX);
	pump(a, b);
	assert_int_equal(a->s.last_echo_seq, 500);
	assert_int_equal(ip_ping(&a->s, IP_B, 7, 501, IP_PING_MAX + 1), -HV_EINVAL);
	assert_int_equal(a->s.st.echo_requests_out, 101);
	assert_int_equal(b->s.st.echo_answered, 101);
	assert_int_equal(drops(&a->s) + drops(&b->s), 0);
	free(a);
	free(b);
}

static void test_udp_round_trip(void **state)
{
	struct host *a = host_new(MAC_A, IP_A, MASK24, 0);
	struct host *b = host_new(MAC_B, IP_B, MASK24, 0);
	static uint8_t big[IP_UDP_MAX + 1];

	for (uint32_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1000, 2000, "x", 1), -HV_EBUSY);
	pump(a, b);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1000, 2000, "datagram", 8), 0);
	pump(a, b);
	assert_int_equal(b->udp_n, 1);
	assert_int_equal(b->udp_src, IP_A);
	assert_int_equal(b->udp_sport, 1000);
	assert_int_equal(b->udp_dport, 2000);
	assert_memory_equal(b->udp_data, "datagram", 8);
	assert_int_equal(ip_udp_send(&b->s, IP_A, 2000, 1000, big, IP_UDP_MAX), 0);
	assert_int_equal(b->out_len[0], IP_FRAME_MAX);
	pump(a, b);
	assert_int_equal(a->udp_len, IP_UDP_MAX);
	assert_memory_equal(a->udp_data, big, IP_UDP_MAX);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1000, 2000, NULL, 0), 0);
	pump(a, b);
	assert_int_equal(b->udp_n, 2);
	assert_int_equal(b->udp_len, 0);
	/* Data that makes the sum come to 0: sent as 0xffff (RFC 768), since 0 means none. */
	uint8_t w[2] = { 0, 0 };

	assert_int_equal(ip_udp_send(&a->s, IP_B, 1000, 2000, w, 2), 0);
	put_be16(w, be16(a->out[0] + 40));
	pump(a, b);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1000, 2000, w, 2), 0);
	assert_int_equal(be16(a->out[0] + 40), 0xffff);
	pump(a, b);
	assert_int_equal(b->udp_n, 4);
	assert_memory_equal(b->udp_data, w, 2);
	/* Broadcast, limited and directed: to ff:ff:ff:ff:ff:ff with no ARP. */
	assert_int_equal(ip_udp_send(&a->s, IP_BROADCAST, 1, 2, "b", 1), 0);
	assert_memory_equal(a->out[0], "\xff\xff\xff\xff\xff\xff", 6);
	pump(a, b);
	assert_int_equal(ip_udp_send(&a->s, IP_ADDR(10, 0, 0, 255), 1, 2, "d", 1), 0);
	pump(a, b);
	assert_int_equal(b->udp_n, 6);
	assert_int_equal(b->udp_data[0], 'd');
	/* Bad arguments: nothing goes out. */
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1, 2, big, IP_UDP_MAX + 1), -HV_EINVAL);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1, 0, "x", 1), -HV_EINVAL);
	assert_int_equal(ip_udp_send(&a->s, IP_B, 1, 2, NULL, 1), -HV_EINVAL);
	assert_int_equal(ip_udp_send(&a->s, 0, 1, 2, "x", 1), -HV_EINVAL);
	assert_int_equal(ip_udp_send(&a->s, IP_A, 1, 2, "x", 1), -HV_EINVAL);
	assert_int_equal(ip_udp_send(&a->s, IP_ADDR(224, 0, 0, 1), 1, 2, "x", 1), -HV_EINVAL);
	assert_int_equal(ip_ping(&a->s, IP_ADDR(240, 0, 0, 1), 1, 2, 0), -HV_EINVAL);
	assert_int_equal(a->nout, 0);
	assert_int_equal(a->s.st.udp_out, 6);
	assert_int_equal(drops(&a->s) + drops(&b->s), 0);
	free(a);
	free(b);
}

static void test_gateway(void **state)
{
	struct host *a = host_new(MAC_A, IP_A, MASK24, IP_K);
	struct host *k = host_new(MAC_K, IP_K, MASK24, 0);
	struct host *n = host_new(MAC_B, IP_B, MASK24, 0);
	const uint32_t far = IP_ADDR(192, 0, 2, 9);

	/* Off the subnet: ARP for the gateway, then frames to its MAC. */
	assert_int_equal(ip_udp_send(&a->s, far, 1, 53, "q", 1), -HV_EBUSY);
	assert_int_equal(be32(a->out[0] + 38), IP_K);
	pump(a, k);
	assert_int_equal(ip_udp_send(&a->s, far, 1, 53, "q", 1), 0);
	assert_memory_equal(a->out[0], MAC_K, 6);
	assert_int_equal(be32(a->out[0] + 30), far);
	/* The gateway is no destination for it (no forwarding here). */
	in_drop(k, a->out[0], a->out_len[0], IP_DROP_NOT_MINE);
	a->nout = 0;
	/* No gateway: unreachable. */
	assert_int_equal(ip_udp_send(&n->s, far, 1, 53, "q", 1), -HV_ENOENT);
	assert_int_equal(ip_ping(&n->s, far, 1, 1, 0), -HV_ENOENT);
	assert_int_equal(n->nout, 0);
	free(a);
	free(k);
	free(n);
}

static void test_send_fails(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);

	h->fail = -HV_EIO;
	assert_int_equal(ip_arp_request(&h->s, IP_K), -HV_EIO);
	assert_int_equal(ip_ping(&h->s, IP_K, 1, 1, 0), -HV_EIO);	/* the ARP's error */
	in_drop(h, cap_arp_request, sizeof(cap_arp_request), IP_DROP_TX);
	assert_int_equal(ip_ping(&h->s, IP_K, 1, 1, 0), -HV_EIO);	/* learned; the echo's */
	assert_int_equal(ip_udp_send(&h->s, IP_K, 1, 2, "x", 1), -HV_EIO);
	in_drop(h, cap_echo_request, sizeof(cap_echo_request), IP_DROP_TX);
	assert_int_equal(h->s.st.tx_errors, 6);
	assert_int_equal(h->s.st.echo_requests_out + h->s.st.udp_out, 0);
	assert_int_equal(h->s.st.arp_answered + h->s.st.echo_answered, 0);
	h->fail = 0;
	in_ok(h, cap_echo_request, sizeof(cap_echo_request));
	assert_int_equal(h->s.st.echo_answered, 1);
	free(h);
}

/* ---- random damage to the captured frames ---- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 16);
}

static void test_fuzz(void **state)
{
	struct host *h = host_new(MAC_ME, IP_ME, MASK24, 0);
	uint8_t f[IP_FRAME_MAX];
	const uint32_t runs = 200000;

	for (uint32_t n = 0; n < runs; n++) {
		uint32_t c = rnd() % (sizeof(captured) / sizeof(captured[0]));
		uint32_t len = captured[c].len, flips = 1 + rnd() % 4;
		uint8_t *p;

		memcpy(f, captured[c].f, len);
		if (rnd() % 4 == 0)
			len = rnd() % (IP_FRAME_MAX + 1);
		for (uint32_t i = 0; i < flips && len; i++)
			f[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
		if (len >= 34 && f[12] == 8 && f[13] == 0 && rnd() % 2 && (f[14] & 15u) * 4 + 14 <= len)
			fix_ip(f);		/* reach past the header checksum */
		p = malloc(len ? len : 1);
		assert_non_null(p);
		memcpy(p, f, len);
		ip_input(&h->s, p, len, n);
		free(p);
		h->nout = 0;
	}
	assert_int_equal(h->s.st.frames_in, runs);
	assert_true(drops(&h->s) <= runs);
	print_message("fuzz: %llu of %u dropped, %llu answered, %llu delivered\n",
		      (unsigned long long)drops(&h->s), runs,
		      (unsigned long long)(h->s.st.arp_answered + h->s.st.echo_answered),
		      (unsigned long long)h->s.st.udp_in);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_parse_cmdline),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_arp_request_answered),
		cmocka_unit_test(test_arp_reply_learned),
		cmocka_unit_test(test_echo_request_answered),
		cmocka_unit_test(test_echo_reply_recorded),
		cmocka_unit_test(test_udp_received),
		cmocka_unit_test(test_lo_frames),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_arp_cache),
		cmocka_unit_test(test_ping_round_trip),
		cmocka_unit_test(test_udp_round_trip),
		cmocka_unit_test(test_gateway),
		cmocka_unit_test(test_send_fails),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
