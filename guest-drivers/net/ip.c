/* SPDX-License-Identifier: MIT */
/* A small IPv4 host stack: Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792), UDP (RFC 768). */
#include "guest-drivers/net/ip.h"

#include "guest-drivers/rt/rt.h"

enum {
	ETH_P_IPV4	= 0x0800,	/* RFC 894 */
	ETH_P_ARP	= 0x0806,	/* RFC 826 */
	ARP_HRD_ETHER	= 1,		/* RFC 826 ar$hrd; ar$pro is the EtherType */
	ARP_OP_REQUEST	= 1,
	ARP_OP_REPLY	= 2,
	ARP_LEN		= 28,		/* for 6-byte MACs and 4-byte addresses */
	IP_PROTO_ICMP	= 1,		/* RFC 790 */
	IP_PROTO_UDP	= 17,
	IP_F_RSVD	= 0x8000,	/* RFC 791 3.1 flags and fragment offset */
	IP_F_DF		= 0x4000,
	IP_F_MF		= 0x2000,
	IP_F_OFFSET	= 0x1fff,
	IP_TTL		= 64,
	ICMP_ECHO_REPLY	= 0,		/* RFC 792 */
	ICMP_ECHO	= 8,
	ICMP_HLEN	= 8,		/* type, code, checksum, identifier, sequence */
	UDP_HLEN	= 8,		/* RFC 768 */
};

/* ip_input's handlers return a drop reason, or ACCEPT. */
#define ACCEPT		IP_DROP_COUNT_

static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6];

/* ---- bytes in network order ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 6; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* ---- checksums (RFC 1071: 16-bit words, one's complement; len <= 64K cannot overflow) ---- */

uint32_t ip_csum_add(uint32_t sum, const void *data, uint32_t len)
{
	const uint8_t *p = data;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t ip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP pseudo-header (RFC 768): source, destination, zero, protocol, UDP length. */
static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint32_t proto, uint32_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

/* ---- addresses ---- */

/* The subnet's directed broadcast; /31 and /32 have none (RFC 3021). */
static uint32_t subnet_bcast(const struct ip_stack *s)
{
	return s->mask >= 0xfffffffeu ? IP_BROADCAST : (s->ip | ~s->mask);
}

/* Zero, multicast, class E and limited broadcast are never one host (RFC 1122 3.2.1.3). */
static bool addr_is_host(uint32_t a)
{
	return a != 0 && a < 0xe0000000u;
}

/* A source address a packet for me may come from. */
static bool src_ok(const struct ip_stack *s, uint32_t a)
{
	return addr_is_host(a) && a != s->ip && a != subnet_bcast(s);
}

/* a is a host of the subnet ip/mask: not its own or its broadcast address (below /31). */
static bool subnet_host(uint32_t ip, uint32_t mask, uint32_t a)
{
	uint32_t h = a & ~mask;

	return addr_is_host(a) && !((a ^ ip) & mask) &&
	       (mask >= 0xfffffffeu || (h != 0 && h != ~mask));
}

int ip_init(struct ip_stack *s, const uint8_t mac[6], uint32_t ip, uint32_t mask, uint32_t gw)
{
	if (mask == 0 || (~mask & (~mask + 1)) != 0 || !subnet_host(ip, mask, ip))
		return -HV_EINVAL;
	if ((mac[0] & 1) || (gw && (gw == ip || !subnet_host(ip, mask, gw))))
		return -HV_EINVAL;	/* a group MAC, a gateway not on the subnet */
	memset(s, 0, sizeof(*s));
	memcpy(s->mac, mac, 6);
	s->ip = ip;
	s->mask = mask;
	s->gw = gw;
	s->arp_ttl = IP_ARP_TTL_DEFAULT;
	return 0;
}

void ip_tick(struct ip_stack *s, uint64_t now)
{
	s->now = now;
}

/* ---- ARP cache ---- */

static bool arp_fresh(const struct ip_stack *s, const struct ip_arp_entry *e)
{
	return e->ip && s->now - e->time < s->arp_ttl;	/* a clock going back expires it */
}

bool ip_arp_lookup(const struct ip_stack *s, uint32_t ip, uint8_t mac[6])
{
	for (uint32_t i = 0; i < IP_ARP_SLOTS; i++) {
		if (s->arp[i].ip == ip && arp_fresh(s, &s->arp[i])) {
			memcpy(mac, s->arp[i].mac, 6);
			return true;
		}
	}
	return false;
}

/* Free and expired slots are the oldest of all. */
static uint64_t arp_age(const struct ip_stack *s, const struct ip_arp_entry *e)
{
	return arp_fresh(s, e) ? s->now - e->time : UINT64_MAX;
}

/* Refreshes ip's entry; without one, takes the oldest slot if add. */
static void arp_learn(struct ip_stack *s, uint32_t ip, const uint8_t *mac, bool add)
{
	struct ip_arp_entry *e = NULL, *victim = &s->arp[0];

	for (uint32_t i = 0; i < IP_ARP_SLOTS; i++) {
		if (s->arp[i].ip == ip)
			e = &s->arp[i];
		if (arp_age(s, &s->arp[i]) > arp_age(s, victim))
			victim = &s->arp[i];
	}
	if (!e && !add)
		return;
	if (!e)
		e = victim;
	e->ip = ip;
	memcpy(e->mac, mac, 6);
	e->time = s->now;
	s->st.arp_learned++;
}

/* ---- building frames in s->tx ---- */

static uint8_t *eth_build(struct ip_stack *s, const uint8_t *dst, uint16_t type)
{
	memcpy(s->tx, dst, 6);
	memcpy(s->tx + 6, s->mac, 6);
	put16(s->tx + 12, type);
	return s->tx + IP_ETH_HLEN;
}

/* An IPv4 header without options for payload bytes; returns where the payload goes. */
static uint8_t *ip_build(struct ip_stack *s, const uint8_t *mac, uint32_t dst, uint8_t proto,
			 uint32_t payload)
{
	uint8_t *h = eth_build(s, mac, ETH_P_IPV4);

	h[0] = 0x45;			/* version 4, IHL 5 */
	h[1] = 0;
	put16(h + 2, IP_HLEN + payload);
	put16(h + 4, s->ip_id++);
	put16(h + 6, IP_F_DF);		/* never fragmented: frames fit one MTU */
	h[8] = IP_TTL;
	h[9] = proto;
	put16(h + 10, 0);
	put32(h + 12, s->ip);
	put32(h + 16, dst);
	put16(h + 10, ip_csum_fold(ip_csum_add(0, h, IP_HLEN)));
	return h + IP_HLEN;
}

static int xmit(struct ip_stack *s, uint32_t len)
{
	int r = s->send(s->ctx, s->tx, len);

	if (r < 0) {
		s->st.tx_errors++;
		return r;
	}
	return 0;
}

static int arp_build_send(struct ip_stack *s, uint16_t op, const uint8_t *eth_dst,
			  const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a = eth_build(s, eth_dst, ETH_P_ARP);

	put16(a, ARP_HRD_ETHER);
	put16(a + 2, ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, s->mac, 6);
	put32(a + 14, s->ip);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	return xmit(s, IP_ETH_HLEN + ARP_LEN);
}

int ip_arp_request(struct ip_stack *s, uint32_t ip)
{
	if (!addr_is_host(ip) || ip == s->ip)
		return -HV_EINVAL;
	s->st.arp_requests_out++;
	return arp_build_send(s, ARP_OP_REQUEST, mac_bcast, mac_zero, ip);
}

/* ---- input ---- */

/* RFC 826 "Packet Reception", for Ethernet and IPv4 only. */
static enum ip_drop arp_input(struct ip_stack *s, const uint8_t *a, uint32_t n)
{
	const uint8_t *sha = a + 8;
	uint32_t spa, tpa;
	uint16_t op;

	if (n < ARP_LEN)
		return IP_DROP_TRUNC;
	if (get16(a) != ARP_HRD_ETHER || get16(a + 2) != ETH_P_IPV4 || a[4] != 6 || a[5] != 4)
		return IP_DROP_HDR;
	op = get16(a + 6);
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return IP_DROP_PROTO;
	/* Sender 0 is a probe (RFC 5227): answered, never learned. */
	if ((sha[0] & 1) || mac_eq(sha, s->mac) || (spa && !src_ok(s, spa)))
		return IP_DROP_ADDR;
	if (tpa != s->ip) {
		if (spa)
			arp_learn(s, spa, sha, false);	/* the merge flag: refresh only */
		return IP_DROP_NOT_MINE;
	}
	if (spa)
		arp_learn(s, spa, sha, true);
	if (op == ARP_OP_REQUEST) {
		if (arp_build_send(s, ARP_OP_REPLY, sha, sha, spa))
			return IP_DROP_TX;
		s->st.arp_answered++;
	}
	return ACCEPT;
}

static enum ip_drop icmp_input(struct ip_stack *s, const uint8_t *eth_src, uint32_t src,
			       uint32_t dst, const uint8_t *m, uint32_t n)
{
	uint8_t *r;

	if (n < ICMP_HLEN)
		return IP_DROP_TRUNC;
	if (ip_csum_fold(ip_csum_add(0, m, n)) != 0)
		return IP_DROP_CSUM;
	if (m[1] != 0 || (m[0] != ICMP_ECHO && m[0] != ICMP_ECHO_REPLY))
		return IP_DROP_PROTO;
	if (m[0] == ICMP_ECHO_REPLY) {
		s->st.echo_replies++;
		s->last_echo_src = src;
		s->last_echo_id = get16(m + 4);
		s->last_echo_seq = get16(m + 6);
		if (s->echo_rx)
			s->echo_rx(s->ctx, src, s->last_echo_id, s->last_echo_seq, n - ICMP_HLEN);
		return ACCEPT;
	}
	/* RFC 1122 3.2.2.6: an echo to a broadcast address may be ignored; it is. */
	if (dst != s->ip)
		return IP_DROP_NOT_MINE;
	/* The reply goes to the request's MAC: no ARP needed, nothing learned from it. */
	r = ip_build(s, eth_src, src, IP_PROTO_ICMP, n);
	memcpy(r, m, n);
	r[0] = ICMP_ECHO_REPLY;
	put16(r + 2, 0);
	put16(r + 2, ip_csum_fold(ip_csum_add(0, r, n)));
	if (xmit(s, IP_ETH_HLEN + IP_HLEN + n))
		return IP_DROP_TX;
	s->st.echo_answered++;
	return ACCEPT;
}

static enum ip_drop udp_input(struct ip_stack *s, uint32_t src, uint32_t dst,
			      const uint8_t *u, uint32_t n)
{
	uint32_t ulen;

	if (n < UDP_HLEN)
		return IP_DROP_TRUNC;
	ulen = get16(u + 4);
	if (ulen < UDP_HLEN || ulen > n)
		return IP_DROP_LEN;
	/* Checksum 0: the sender computed none (RFC 768). */
	if (get16(u + 6) &&
	    ip_csum_fold(ip_csum_add(pseudo_sum(src, dst, IP_PROTO_UDP, ulen), u, ulen)) != 0)
		return IP_DROP_CSUM;
	s->st.udp_in++;
	if (s->udp_rx)
		s->udp_rx(s->ctx, src, get16(u), get16(u + 2), u + UDP_HLEN, ulen - UDP_HLEN);
	return ACCEPT;
}

/* RFC 791 3.1 and RFC 1122 3.2.1: everything checked against n before it is used. */
static enum ip_drop ipv4_input(struct ip_stack *s, const uint8_t *eth_src, const uint8_t *p,
			       uint32_t n)
{
	uint32_t hl, tot, src, dst;
	uint16_t ff;

	if (n < IP_HLEN)
		return IP_DROP_TRUNC;
	hl = (p[0] & 0xfu) * 4;
	if (p[0] >> 4 != 4 || hl < IP_HLEN)
		return IP_DROP_HDR;
	if (hl > n)
		return IP_DROP_TRUNC;
	tot = get16(p + 2);
	if (tot < hl)
		return IP_DROP_LEN;
	if (tot > n)
		return IP_DROP_TRUNC;	/* less than that is Ethernet padding */
	if (ip_csum_fold(ip_csum_add(0, p, hl)) != 0)
		return IP_DROP_CSUM;
	ff = get16(p + 6);
	if (ff & IP_F_RSVD)
		return IP_DROP_HDR;
	if (ff & (IP_F_MF | IP_F_OFFSET))
		return IP_DROP_FRAG;
	src = get32(p + 12);
	dst = get32(p + 16);
	if (dst != s->ip && dst != IP_BROADCAST && dst != subnet_bcast(s))
		return IP_DROP_NOT_MINE;
	if (!src_ok(s, src))
		return IP_DROP_ADDR;
	if (p[9] == IP_PROTO_ICMP)
		return icmp_input(s, eth_src, src, dst, p + hl, tot - hl);
	if (p[9] == IP_PROTO_UDP)
		return udp_input(s, src, dst, p + hl, tot - hl);
	return IP_DROP_PROTO;
}

static enum ip_drop eth_input(struct ip_stack *s, const uint8_t *f, uint32_t len)
{
	uint16_t type;

	if (len > IP_FRAME_MAX)
		return IP_DROP_LEN;
	if (len < IP_ETH_HLEN)
		return IP_DROP_TRUNC;
	if (!mac_eq(f, s->mac) && !mac_eq(f, mac_bcast))
		return IP_DROP_NOT_MINE;
	if ((f[6] & 1) || mac_eq(f + 6, s->mac))
		return IP_DROP_ADDR;
	type = get16(f + 12);
	if (type == ETH_P_ARP)
		return arp_input(s, f + IP_ETH_HLEN, len - IP_ETH_HLEN);
	if (type == ETH_P_IPV4)
		return ipv4_input(s, f + 6, f + IP_ETH_HLEN, len - IP_ETH_HLEN);
	return IP_DROP_PROTO;
}

void ip_input(struct ip_stack *s, const void *frame, uint32_t len, uint64_t now)
{
	enum ip_drop r;

	s->now = now;
	s->st.frames_in++;
	r = frame ? eth_input(s, frame, len) : IP_DROP_TRUNC;
	if (r != ACCEPT)
		s->st.drops[r]++;
}

/* ---- output ---- */

/* The MAC for dst: broadcast, or the next hop's from the cache (else ARP and -HV_EBUSY). */
static int route(struct ip_stack *s, uint32_t dst, uint8_t mac[6])
{
	uint32_t hop = dst;
	int r;

	if (dst == IP_BROADCAST || dst == subnet_bcast(s)) {
		memcpy(mac, mac_bcast, 6);
		return 0;
	}
	if (!addr_is_host(dst) || dst == s->ip)
		return -HV_EINVAL;
	if ((dst ^ s->ip) & s->mask) {
		if (!s->gw)
			return -HV_ENOENT;
		hop = s->gw;
	}
	if (ip_arp_lookup(s, hop, mac))
		return 0;
	r = ip_arp_request(s, hop);
	return r < 0 ? r : -HV_EBUSY;
}

int ip_ping(struct ip_stack *s, uint32_t dst, uint16_t id, uint16_t seq, uint32_t len)
{
	uint8_t mac[6], *m;
	int r;

	if (len > IP_PING_MAX)
		return -HV_EINVAL;
	r = route(s, dst, mac);
	if (r)
		return r;
	m = ip_build(s, mac, dst, IP_PROTO_ICMP, ICMP_HLEN + len);
	m[0] = ICMP_ECHO;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, id);
	put16(m + 6, seq);
	for (uint32_t i = 0; i < len; i++)
		m[ICMP_HLEN + i] = (uint8_t)i;
	put16(m + 2, ip_csum_fold(ip_csum_add(0, m, ICMP_HLEN + len)));
	r = xmit(s, IP_ETH_HLEN + IP_HLEN + ICMP_HLEN + len);
	if (!r)
		s->st.echo_requests_out++;
	return r;
}

int ip_udp_send(struct ip_stack *s, uint32_t dst, uint16_t src_port, uint16_t dst_port,
		const void *data, uint32_t len)
{
	uint32_t ulen = UDP_HLEN + len;
	uint8_t mac[6], *u;
	uint16_t c;
	int r;

	if (len > IP_UDP_MAX || (len && !data) || !dst_port)
		return -HV_EINVAL;
	r = route(s, dst, mac);
	if (r)
		return r;
	u = ip_build(s, mac, dst, IP_PROTO_UDP, ulen);
	put16(u, src_port);
	put16(u + 2, dst_port);
	put16(u + 4, ulen);
	put16(u + 6, 0);
	if (len)
		memcpy(u + UDP_HLEN, data, len);
	c = ip_csum_fold(ip_csum_add(pseudo_sum(s->ip, dst, IP_PROTO_UDP, ulen), u, ulen));
	put16(u + 6, c ? c : 0xffff);	/* 0 means "none": a computed 0 is sent as -0 */
	r = xmit(s, IP_ETH_HLEN + IP_HLEN + ulen);
	if (!r)
		s->st.udp_out++;
	return r;
}

/* ---- addresses from text ---- */

/* A decimal number up to max without leading zeros; the end, or NULL. */
static const char *parse_num(const char *p, uint32_t max, uint32_t *v)
{
	uint32_t n = 0, digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (digits && n == 0)
			return NULL;
		n = n * 10 + (uint32_t)(*p - '0');
		if (n > max)
			return NULL;
	}
	*v = n;
	return digits ? p : NULL;
}

/* a.b.c.d, and /n when mask is not NULL; the end, or NULL. */
static const char *parse_addr(const char *p, uint32_t *ip, uint32_t *mask)
{
	uint32_t a = 0, v, bits = 32;

	for (int i = 0; i < 4; i++) {
		if (i && *p++ != '.')
			return NULL;
		p = parse_num(p, 255, &v);
		if (!p)
			return NULL;
		a = a << 8 | v;
	}
	if (mask && *p == '/') {
		p = parse_num(p + 1, 32, &bits);
		if (!p || bits == 0)
			return NULL;
	}
	*ip = a;
	if (mask)
		*mask = 0xffffffffu << (32 - bits);
	return p;
}

int ip_parse_addr(const char *str, uint32_t *ip, uint32_t *mask)
{
	uint32_t a, m;
	const char *e = str ? parse_addr(str, &a, mask ? &m : NULL) : NULL;

	if (!e || *e)
		return -HV_EINVAL;
	*ip = a;
	if (mask)
		*mask = m;
	return 0;
}

/* The value of the word key (which ends in '=') in a space-separated line, or NULL. */
static const char *cmdline_word(const char *p, const char *key)
{
	while (*p) {
		uint32_t i = 0;

		while (*p == ' ')
			p++;
		while (key[i] && p[i] == key[i])
			i++;
		if (!key[i])
			return p + i;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

int ip_parse_cmdline(const char *cmdline, uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
	const char *v = cmdline ? cmdline_word(cmdline, "ip=") : NULL;
	const char *e;
	uint32_t a, m, g = 0;

	if (!v)
		return -HV_ENOENT;
	e = parse_addr(v, &a, &m);
	if (!e || (*e && *e != ' '))
		return -HV_EINVAL;
	v = cmdline_word(cmdline, "gw=");
	if (v) {
		e = parse_addr(v, &g, NULL);
		if (!e || (*e && *e != ' '))
			return -HV_EINVAL;
	}
	*ip = a;
	*mask = m;
	*gw = g;
	return 0;
}
