/* SPDX-License-Identifier: MIT */
/* Demo child on a pvnet channel: either answers pings and echoes UDP (web), or pings another child through the service partition's switch (client). */
#include "guest-drivers/net/netfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/*
 * cmdline: ip=A.B.C.D/N (required, netfront_ip_init), then either
 *   ping=A.B.C.D count=N    client: N echo requests, one at a time, each given
 *                           REPLY_MS to come back; "N requests, R replies, none lost"
 *                           and status 0 only if all came back
 *   udp_echo=PORT idle=S    web: answers ARP and pings, sends every datagram to PORT
 *   expect=N                back; stops once S seconds pass without a frame for it (after
 *                           a first one), or at GIVE_UP_S; status 0 if at least N pings
 *                           were answered and no echo failed
 * The service serves its disks before its switch (svc.c), so the first ARP resolution
 * is retried for up to RESOLVE_S.
 */

#define ID		0x4450u		/* ICMP echo identifier ("DP") */
#define RESOLVE_S	120u
#define ARP_RETRY_MS	500u
#define REPLY_MS	1000u
#define GIVE_UP_S	600u
#define UDP_MAX		1472u

static struct netfront nf;
static struct ip_stack ips;

static uint64_t ms_to_tsc(uint64_t ms)
{
	return ms * (rt_tsc_hz() / 1000);
}

static void ip_str(uint32_t a, char *buf)
{
	hv_snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff);
}

static uint64_t opt_num(const char *key, uint64_t dflt)
{
	uint64_t v;

	return rt_cmdline_u64(key, &v) ? v : dflt;
}

/* The value of key= up to a space into buf; NULL if absent. */
static const char *opt_word(const char *key, char *buf, unsigned int size)
{
	unsigned int klen = 0, i = 0;
	const char *s;

	while (key[klen])
		klen++;
	for (s = rt_boot.cmdline; *s; s++) {
		unsigned int k = 0;

		if (s != rt_boot.cmdline && s[-1] != ' ')
			continue;
		while (k < klen && s[k] == key[k])
			k++;
		if (k == klen && s[k] == '=')
			break;
	}
	if (!*s)
		return NULL;
	for (s += klen + 1; s[i] && s[i] != ' ' && i + 1 < size; i++)
		buf[i] = s[i];
	buf[i] = 0;
	return buf;
}

/* ---- client ---- */

static struct {
	uint32_t dst;
	uint16_t want;			/* the sequence number waited for */
	bool back;
	uint64_t late;			/* replies to an earlier request, or not ours */
} pg;

static void on_echo(void *ctx, uint32_t src, uint16_t id, uint16_t seq, uint32_t len)
{
	if (src == pg.dst && id == ID && seq == pg.want)
		pg.back = true;
	else
		pg.late++;
}

/* ARP for dst until it answers: the switch may start seconds after this child. */
static bool resolve(uint32_t dst)
{
	uint64_t t0 = rt_rdtsc(), end = t0 + RESOLVE_S * rt_tsc_hz();
	uint8_t mac[PVNET_MAC_LEN];
	uint32_t tries = 0;
	char a[16];

	ip_str(dst, a);
	while (!ip_arp_lookup(&ips, dst, mac) && rt_rdtsc() < end) {
		uint64_t retry = rt_rdtsc() + ms_to_tsc(ARP_RETRY_MS);

		tries++;
		if (ip_arp_request(&ips, dst))
			rt_printf("netpeer: ARP request for %s not sent\n", a);
		while (rt_rdtsc() < retry && !ip_arp_lookup(&ips, dst, mac))
			netfront_wait(&nf, retry);
	}
	if (!ip_arp_lookup(&ips, dst, mac)) {
		rt_printf("netpeer: %s did not answer ARP in %u s\n", a, RESOLVE_S);
		return false;
	}
	rt_printf("netpeer: %s is at %02x:%02x:%02x:%02x:%02x:%02x (ARP, %u request(s), %lu ms)\n",
		  a, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], tries,
		  (rt_rdtsc() - t0) / ms_to_tsc(1));
	return true;
}

/* One echo request; true if its reply came within REPLY_MS. */
static bool ping_one(uint16_t seq)
{
	uint64_t end = rt_rdtsc() + ms_to_tsc(REPLY_MS);

	pg.want = seq;
	pg.back = false;
	if (ip_ping(&ips, pg.dst, ID, seq, 56))
		return false;
	while (!pg.back && rt_rdtsc() < end)
		netfront_wait(&nf, end);
	return pg.back;
}

static int client(const char *target)
{
	uint64_t n = opt_num("count", 20), replies = 0, t0;
	char a[16];

	if (ip_parse_addr(target, &pg.dst, NULL) || !n || n > 65535) {
		rt_printf("netpeer: ping=%s count=%lu: bad\n", target, n);
		return 2;
	}
	ips.echo_rx = on_echo;
	if (!resolve(pg.dst))
		return 1;
	ip_str(pg.dst, a);
	t0 = rt_rdtsc();
	for (uint64_t seq = 1; seq <= n; seq++)
		replies += ping_one((uint16_t)seq);
	rt_printf("netpeer: ping %s: %lu requests, %lu replies, %s (%lu late or stray, %lu ms)\n",
		  a, n, replies, replies == n ? "none lost" : "some lost", pg.late,
		  (rt_rdtsc() - t0) / ms_to_tsc(1));
	return replies == n ? 0 : 1;
}

/* ---- web: answers pings, echoes UDP ---- */

static struct {
	uint16_t port;
	uint64_t echoed, failed;
	bool pending;			/* one datagram waiting for the sender's MAC */
	uint32_t ip, len;
	uint16_t sport;
	uint8_t data[UDP_MAX];
} ue;

static void on_udp(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const void *data,
		   uint32_t len)
{
	int r;

	if (dport != ue.port)
		return;
	r = ip_udp_send(&ips, src, ue.port, sport, data, len);
	if (!r) {
		ue.echoed++;
	} else if (r == -HV_EBUSY && !ue.pending && len <= UDP_MAX) {
		/* The sender's MAC is being asked for (or no TX buffer): sent from the loop. */
		ue.pending = true;
		ue.ip = src, ue.len = len, ue.sport = sport;
		memcpy(ue.data, data, len);
	} else {
		ue.failed++;
	}
}

static void retry_pending(void)
{
	int r = ip_udp_send(&ips, ue.ip, ue.port, ue.sport, ue.data, ue.len);

	if (r == -HV_EBUSY)
		return;
	ue.pending = false;
	if (r)
		ue.failed++;
	else
		ue.echoed++;
}

static int web(void)
{
	uint64_t hz = rt_tsc_hz(), idle = opt_num("idle", 20) * hz, expect = opt_num("expect", 0);
	uint64_t stop = rt_rdtsc() + GIVE_UP_S * hz, last = rt_rdtsc(), frames = 0;
	const char *why = "give-up time";

	ips.udp_rx = on_udp;
	ue.port = (uint16_t)opt_num("udp_echo", 0);
	rt_printf("netpeer: answering pings, UDP echo on port %u, until %lu s without a frame\n",
		  ue.port, idle / hz);
	while (rt_rdtsc() < stop) {
		uint64_t now = rt_rdtsc();

		if (nf.state != NETFRONT_READY && nf.st.attaches) {
			why = "link down";
			break;
		}
		if (nf.st.rx_frames != frames)
			frames = nf.st.rx_frames, last = now;
		if (frames && now - last > idle) {
			why = "idle";
			break;
		}
		if (ue.pending)
			retry_pending();
		netfront_wait(&nf, now + (ue.pending ? ms_to_tsc(10) : ms_to_tsc(100)));
	}
	rt_printf("netpeer: answered %lu pings and %lu ARP requests, echoed %lu UDP datagrams "
		  "(%lu failed), %lu frames in; stopped: %s\n", ips.st.echo_answered,
		  ips.st.arp_answered, ue.echoed, ue.failed, nf.st.rx_frames, why);
	return ips.st.echo_answered >= expect && !ue.failed ? 0 : 1;
}

int rt_main(void)
{
	char target[32], a[16];
	int r = netfront_open(&nf, NULL);

	if (r) {
		rt_printf("netpeer: no pvnet channel to open (%d)\n", r);
		return 2;
	}
	r = netfront_ip_init(&nf, &ips, rt_boot.cmdline);
	if (r) {
		rt_printf("netpeer: cmdline \"%s\": no usable ip= (%d)\n", rt_boot.cmdline, r);
		return 2;
	}
	ip_str(ips.ip, a);
	rt_printf("netpeer: %s up: mac %02x:%02x:%02x:%02x:%02x:%02x ip %s/%u\n", nf.chan->name,
		  nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4], nf.mac[5], a,
		  (unsigned int)__builtin_popcount(ips.mask));
	return opt_word("ping", target, sizeof(target)) ? client(target) : web();
}
