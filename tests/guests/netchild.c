/* SPDX-License-Identifier: MIT */
/* Test child: IPv4 over the pvnet front end: pings another host, answers pings and ARP, echoes UDP, exchanges UDP with a host echo server. */
#include "guest-drivers/net/netfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/*
 * cmdline (numbers decimal):
 *   ip=A.B.C.D/N      this host's address (required); gw=A.B.C.D a gateway (optional)
 *   chan=NAME         the pvnet channel (default: the first this child is the front end of)
 *   ping=IP           send count= echo requests to IP (default 10), window= in flight at
 *   count=N           most (default 8), size= data bytes each (default 56), and wait for
 *   window=W          a reply to every one: PASS only if all N came back, none lost,
 *   size=BYTES        none duplicated, none unexpected. The first ARP resolution is
 *                     retried for wait= seconds (default 30: the peer may boot later)
 *   answer=1          after the tests above, serve: answer ARP and pings (and udp_echo=)
 *   stop_after=S      until S seconds have passed (default 60), or the back end's link
 *   idle=S            goes down, or (idle=S) S seconds pass without a frame once one came
 *   expect=N          with answer=1: PASS only if at least N pings were answered
 *   udp_echo=PORT     while serving (implies answer=1): every UDP datagram to PORT goes
 *                     back to its sender, counted
 *   udp_to=IP:PORT    send count= datagrams (size= bytes, default 64, at least 4) from
 *                     port udp_port= (default 40000) to IP:PORT, window= in flight, and
 *                     expect each back intact from there (a host echo server); a datagram
 *                     unanswered for 2 s is sent again (counted: retries)
 *   wait=S            bound on each test phase (default 30)
 *   delay=MS          sleep MS ms after opening, before the tests (a flood starts first)
 *   blast=IP:PORT[,IP:PORT]  make bench: for each target in turn, count= UDP datagrams
 *                     of size= bytes (default 1472: 1514-byte frames) from port
 *                     udp_port= (default 40000), as fast as the TX buffers allow: queued
 *                     with netfront_queue, one netfront_push per batch; timed from the
 *                     first queued to the last answered. Line "netchild: blast IP:PORT
 *                     frames=N ok=K errors=E bytes=B ticks=T hz=H kicks=K events=E busy=B"
 *                     (bytes: Ethernet frame bytes, no FCS, of the K answered OK)
 *   sink=PORT         make bench, after blast=: count the UDP datagrams to PORT until
 *                     count= came (if given), idle= seconds (default 2) pass after the
 *                     first, or stop_after= (default 60). Line "netchild: sink port=P
 *                     frames=N bytes=B ticks=T hz=H" (ticks from first to last frame)
 * Lines: "netchild: up ...", PASS/FAIL, "netchild: ping sent=N replies=R lost=L dup=D
 * other=O kicks=K events=E ...", "netchild: served ...", "netchild: udp ...", "netchild:
 * totals ...", then "summary: ..."; exit status 0 iff all passed.
 */

#define SEQ_MAX		65535u
#define ID		0x4e43u		/* ICMP echo identifier ("NC") */
#define RETRY_MS	500u		/* ARP resolution retry */
#define UDP_RESEND_MS	2000u
#define UDP_MAX		1472u

static struct netfront nf;
static struct ip_stack ips;
static uint8_t seen[SEQ_MAX / 8 + 1];	/* replies seen, by sequence number */
static uint64_t wait_s = 30;

/* ---- the command line ---- */

static const char *opt(const char *key)
{
	for (const char *s = rt_boot.cmdline; *s; s++) {
		const char *k = key, *w = s;

		if (s != rt_boot.cmdline && s[-1] != ' ')
			continue;
		while (*k && *w == *k)
			k++, w++;
		if (!*k && *w == '=')
			return w + 1;
	}
	return NULL;
}

/* The value of key= up to a space or sep (sep 0: a space only) into buf; NULL if absent. */
static const char *opt_word(const char *key, char sep, char *buf, unsigned int size)
{
	const char *s = opt(key);
	unsigned int i = 0;

	if (!s)
		return NULL;
	while (s[i] && s[i] != ' ' && (!sep || s[i] != sep) && i + 1 < size) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = 0;
	return buf;
}

static uint64_t opt_num(const char *key, uint64_t dflt)
{
	uint64_t v;

	return rt_cmdline_u64(key, &v) ? v : dflt;
}

static void ip_str(uint32_t a, char *buf)
{
	hv_snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff);
}

static uint64_t deadline_s(uint64_t s)
{
	return rt_rdtsc() + s * rt_tsc_hz();
}

static uint64_t deadline_ms(uint64_t ms)
{
	return rt_rdtsc() + ms * (rt_tsc_hz() / 1000);
}

/* ---- reaching a host: ARP first ---- */

/* The next hop to dst: dst on the subnet, else the gateway (0: none). */
static uint32_t next_hop(uint32_t dst)
{
	return (dst ^ ips.ip) & ips.mask ? ips.gw : dst;
}

/* ARP requests for dst's next hop every RETRY_MS until it answers (the peer may boot later). */
static bool resolve(uint32_t dst, const char *what)
{
	uint32_t hop = next_hop(dst);
	uint64_t end = deadline_s(wait_s);
	uint8_t mac[PVNET_MAC_LEN];
	bool known = false;
	char a[16];
	int ret = 0;

	while (hop && !(known = ip_arp_lookup(&ips, hop, mac)) && rt_rdtsc() < end &&
	       nf.state == NETFRONT_READY) {
		uint64_t retry = deadline_ms(RETRY_MS);

		ret = ip_arp_request(&ips, hop);
		while (rt_rdtsc() < retry && !ip_arp_lookup(&ips, hop, mac))
			netfront_wait(&nf, retry);
	}
	ip_str(hop, a);
	return rt_report(known, "%s: next hop %s resolved by ARP (%d)", what, a, ret);
}

/* The guest runtime has memcpy and memset only. */
static bool same(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint8_t d = 0;

	for (uint32_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return !d;
}

/* ---- ping ---- */

static struct {
	uint32_t dst;
	uint64_t replies, dup, other;
} pg;

static void on_echo(void *ctx, uint32_t src, uint16_t id, uint16_t seq, uint32_t len)
{
	if (src != pg.dst || id != ID || !seq) {
		pg.other++;
		return;
	}
	if (seen[seq / 8] & 1u << (seq % 8)) {
		pg.dup++;
		return;
	}
	seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	pg.replies++;
}

static void ping(uint32_t dst, uint64_t count, uint64_t window, uint64_t size)
{
	uint64_t kicks, events, sent = 0, end, t0;
	char a[16];

	if (!rt_report(count && count <= SEQ_MAX && window && size <= IP_PING_MAX,
		       "ping: count=%lu (1..%u) window=%lu size=%lu (at most %u)", count, SEQ_MAX,
		       window, size, IP_PING_MAX))
		return;
	pg = (typeof(pg)){ .dst = dst };
	ips.echo_rx = on_echo;
	if (!resolve(dst, "ping"))
		return;
	memset(seen, 0, sizeof(seen));
	kicks = nf.st.kicks, events = nf.st.events, t0 = rt_rdtsc();
	end = deadline_s(wait_s);
	while (pg.replies < count && rt_rdtsc() < end && nf.state == NETFRONT_READY) {
		while (sent < count && sent - pg.replies < window &&
		       !ip_ping(&ips, dst, ID, (uint16_t)(sent + 1), (uint32_t)size))
			sent++;
		netfront_wait(&nf, end);
	}
	/* Late duplicates: listen a little longer. */
	for (uint64_t t = deadline_ms(200); rt_rdtsc() < t;)
		netfront_wait(&nf, t);
	ip_str(dst, a);
	rt_printf("netchild: ping %s sent=%lu replies=%lu lost=%lu dup=%lu other=%lu kicks=%lu "
		  "events=%lu ms=%lu window=%lu\n", a, sent, pg.replies, sent - pg.replies, pg.dup,
		  pg.other, nf.st.kicks - kicks, nf.st.events - events,
		  (rt_rdtsc() - t0) / (rt_tsc_hz() / 1000), window);
	rt_report(sent == count && pg.replies == count && !pg.dup && !pg.other,
		  "ping: %lu echo requests to %s, %lu replies, none lost or duplicated", count, a,
		  pg.replies);
}

/* ---- UDP to a host echo server ---- */

static struct {
	uint32_t dst;
	uint16_t port, sport;
	uint32_t size;
	uint64_t back, dup, bad;
	uint64_t sent_at[64];	/* TSC a datagram of the window went out, by seq % 64 */
} up;

static void udp_fill(uint8_t *d, uint32_t seq, uint32_t size)
{
	for (uint32_t i = 0; i < 4; i++)
		d[i] = (uint8_t)(seq >> (8 * i));
	for (uint32_t i = 4; i < size; i++)
		d[i] = (uint8_t)(seq * 7 + i);
}

static void on_udp_back(void *ctx, uint32_t src, uint16_t sport, uint16_t dport,
			const void *data, uint32_t len)
{
	uint8_t want[UDP_MAX];
	const uint8_t *d = data;
	uint32_t seq;

	if (src != up.dst || sport != up.port || len != up.size) {
		up.bad++;
		return;
	}
	seq = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
	udp_fill(want, seq, len);
	if (!seq || seq > SEQ_MAX || !same(want, d, len)) {
		up.bad++;
		return;
	}
	if (seen[seq / 8] & 1u << (seq % 8)) {
		up.dup++;
		return;
	}
	seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
	up.back++;
}

static bool seq_seen(uint64_t seq)
{
	return seen[seq / 8] & 1u << (seq % 8);
}

/* Sends datagram seq (1-based); true if it went out. */
static bool udp_one(uint64_t seq)
{
	uint8_t d[UDP_MAX];

	udp_fill(d, (uint32_t)seq, up.size);
	if (ip_udp_send(&ips, up.dst, up.sport, up.port, d, up.size))
		return false;
	up.sent_at[seq % 64] = rt_rdtsc();
	return true;
}

static void udp_to(const char *arg, uint64_t count, uint64_t window, uint64_t size)
{
	char addr[32], a[16];
	const char *colon = NULL;
	uint64_t next = 1, retries = 0, kicks, events, end, low = 1, t0;
	uint32_t port = 0;

	for (const char *s = arg; *s; s++)
		if (*s == ':')
			colon = s;
	if (colon)
		for (const char *s = colon + 1; *s >= '0' && *s <= '9' && port <= 65535; s++)
			port = port * 10 + (uint32_t)(*s - '0');
	(void)opt_word("udp_to", ':', addr, sizeof(addr));
	up = (typeof(up)){ .port = (uint16_t)port, .size = (uint32_t)size,
			   .sport = (uint16_t)opt_num("udp_port", 40000) };
	if (window > 64)
		window = 64;
	if (!rt_report(colon && port && port <= 65535 && !ip_parse_addr(addr, &up.dst, NULL) &&
		       count && count <= SEQ_MAX && size >= 4 && size <= UDP_MAX && window,
		       "udp_to=%s: IP:PORT, count=%lu, size=%lu (4..%u)", arg, count, size, UDP_MAX))
		return;
	memset(seen, 0, sizeof(seen));
	if (!resolve(up.dst, "udp"))
		return;
	kicks = nf.st.kicks, events = nf.st.events, t0 = rt_rdtsc();
	end = deadline_s(wait_s);
	while (up.back < count && rt_rdtsc() < end && nf.state == NETFRONT_READY) {
		while (low < next && seq_seen(low))
			low++;
		/* Resend the oldest one unanswered for too long; then fill the window. */
		if (low < next && rt_rdtsc() - up.sent_at[low % 64] > UDP_RESEND_MS *
		    (rt_tsc_hz() / 1000) && udp_one(low))
			retries++;
		while (next <= count && next - low < window && udp_one(next))
			next++;
		netfront_wait(&nf, deadline_ms(100));
	}
	ip_str(up.dst, a);
	rt_printf("netchild: udp %s:%u sent=%lu back=%lu dup=%lu bad=%lu retries=%lu kicks=%lu "
		  "events=%lu ms=%lu\n", a, up.port, next - 1, up.back, up.dup, up.bad, retries,
		  nf.st.kicks - kicks, nf.st.events - events, (rt_rdtsc() - t0) / (rt_tsc_hz() / 1000));
	rt_report(up.back == count && !up.bad, "udp: %lu datagrams of %lu bytes to %s:%u, %lu came "
		  "back intact (%lu retries, %lu duplicates)", count, size, a, up.port, up.back,
		  retries, up.dup);
}

/* ---- serving: ARP, pings, UDP echo ---- */

static struct {
	uint16_t port;
	uint64_t echoed, failed;
	bool pending;			/* a datagram waiting for ARP or a TX buffer */
	uint32_t p_ip, p_len;
	uint16_t p_port;
	uint8_t p_data[UDP_MAX];
} ue;

static void on_udp_echo(void *ctx, uint32_t src, uint16_t sport, uint16_t dport,
			const void *data, uint32_t len)
{
	int ret;

	ret = ip_udp_send(&ips, src, ue.port, sport, data, len);
	if (!ret) {
		ue.echoed++;
	} else if (ret == -HV_EBUSY && !ue.pending && len <= UDP_MAX) {
		/* The sender's MAC is being resolved, or no TX buffer: retry from the loop. */
		ue = (typeof(ue)){ .port = ue.port, .echoed = ue.echoed, .failed = ue.failed,
				   .pending = true, .p_ip = src, .p_len = len, .p_port = sport };
		memcpy(ue.p_data, data, len);
	} else {
		ue.failed++;
	}
}

/* ---- make bench: blast and sink ---- */

static struct {
	uint16_t port;
	uint64_t frames, bytes, first, last;
} sk;

static uint8_t blast_data[UDP_MAX];

/* The stack's send while blasting: queued, published by the loop (one event per batch). */
static int blast_queue(void *ctx, const void *frame, uint32_t len)
{
	int i = netfront_queue(&nf, frame, len);

	return i < 0 ? i : 0;
}

static void blast_one(const char *target, uint64_t count, uint64_t size)
{
	char addr[20], a[16];
	uint32_t dst = 0, port = 0, n = 0;
	uint64_t sent = 0, t0, t1, end, ok, err, kicks, events, busy;
	uint16_t sport = (uint16_t)opt_num("udp_port", 40000);
	int (*send)(void *, const void *, uint32_t) = ips.send;

	while (target[n] && target[n] != ':' && n + 1 < sizeof(addr))
		addr[n] = target[n], n++;
	addr[n] = 0;
	if (target[n] == ':')
		for (const char *s = target + n + 1; *s >= '0' && *s <= '9' && port <= 65535; s++)
			port = port * 10 + (uint32_t)(*s - '0');
	if (!rt_report(target[n] == ':' && port && port <= 65535 && !ip_parse_addr(addr, &dst, NULL)
		       && size >= 4 && size <= UDP_MAX, "blast=%s: IP:PORT, size=%lu (4..%u)",
		       target, size, UDP_MAX))
		return;
	if (!resolve(dst, "blast"))
		return;
	ok = nf.st.tx_frames, err = nf.st.tx_errors + nf.st.tx_failed;
	kicks = nf.st.kicks, events = nf.st.events, busy = nf.st.tx_busy;
	ips.send = blast_queue;
	end = deadline_s(wait_s);
	t0 = rt_rdtsc();
	while (sent < count && rt_rdtsc() < end && nf.state == NETFRONT_READY) {
		uint64_t q = 0;

		for (; sent < count; sent++, q++) {
			blast_data[0] = (uint8_t)sent, blast_data[1] = (uint8_t)(sent >> 8);
			blast_data[2] = (uint8_t)(sent >> 16), blast_data[3] = (uint8_t)(sent >> 24);
			if (ip_udp_send(&ips, dst, sport, (uint16_t)port, blast_data,
					(uint32_t)size))
				break;
		}
		if (q)
			netfront_push(&nf);
		netfront_wait(&nf, end);
	}
	while (nf.st.tx_inflight && rt_rdtsc() < end && nf.state == NETFRONT_READY)
		netfront_wait(&nf, end);
	t1 = rt_rdtsc();
	ips.send = send;
	ok = nf.st.tx_frames - ok, err = nf.st.tx_errors + nf.st.tx_failed - err;
	ip_str(dst, a);
	rt_printf("netchild: blast %s:%u frames=%lu ok=%lu errors=%lu bytes=%lu ticks=%lu hz=%lu "
		  "kicks=%lu events=%lu busy=%lu\n", a, port, sent, ok, err,
		  ok * (size + IP_ETH_HLEN + IP_HLEN + 8), t1 - t0, rt_tsc_hz(), nf.st.kicks - kicks,
		  nf.st.events - events, nf.st.tx_busy - busy);
	rt_report(sent == count && ok == count, "blast: %lu datagrams of %lu bytes to %s:%u, %lu "
		  "answered OK", count, size, a, port, ok);
}

static void blast(const char *list, uint64_t count, uint64_t size)
{
	char t[32];
	uint32_t n;

	for (const char *s = list; *s && *s != ' '; s += *s == ',') {
		for (n = 0; s[n] && s[n] != ' ' && s[n] != ',' && n + 1 < sizeof(t); n++)
			t[n] = s[n];
		t[n] = 0;
		s += n;
		blast_one(t, count, size);
	}
}

static void on_sink(uint32_t len)
{
	uint64_t now = rt_rdtsc();

	if (!sk.frames++)
		sk.first = now;
	sk.last = now;
	sk.bytes += len + IP_ETH_HLEN + IP_HLEN + 8;
}

static void sink(uint64_t count)
{
	uint64_t stop = deadline_s(opt_num("stop_after", 60)), idle = opt_num("idle", 2);
	uint64_t hz = rt_tsc_hz();

	rt_printf("netchild: sink port=%u count=%lu idle=%lu\n", sk.port, count, idle);
	while (rt_rdtsc() < stop && (!count || sk.frames < count)) {
		uint64_t until = deadline_ms(100);

		if (nf.state != NETFRONT_READY && nf.st.attaches)
			break;
		if (sk.frames && rt_rdtsc() - sk.last > idle * hz)
			break;
		netfront_wait(&nf, until < stop ? until : stop);
	}
	rt_printf("netchild: sink port=%u frames=%lu bytes=%lu ticks=%lu hz=%lu\n", sk.port,
		  sk.frames, sk.bytes, sk.frames ? sk.last - sk.first : 0, hz);
	rt_report(sk.frames && (!count || sk.frames >= count), "sink: %lu datagrams to port %u "
		  "(expected %lu)", sk.frames, sk.port, count);
}

/* Every datagram for me: counted (sink=), echoed (udp_echo=), checked (udp_to=), or ignored. */
static void on_udp(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const void *data,
		   uint32_t len)
{
	if (sk.port && dport == sk.port)
		on_sink(len);
	else if (ue.port && dport == ue.port)
		on_udp_echo(ctx, src, sport, dport, data, len);
	else if (up.sport && dport == up.sport)
		on_udp_back(ctx, src, sport, dport, data, len);
}

static void serve(void)
{
	uint64_t stop = deadline_s(opt_num("stop_after", 60)), idle = opt_num("idle", 0);
	uint64_t frames = nf.st.rx_frames, last = rt_rdtsc(), kicks = nf.st.kicks;
	uint64_t events = nf.st.events, answered = ips.st.echo_answered;
	uint64_t expect = opt_num("expect", 0);
	const char *why = "stop_after";

	rt_printf("netchild: serving (stop_after=%lu idle=%lu udp_echo=%u)\n",
		  opt_num("stop_after", 60), idle, ue.port);
	while (rt_rdtsc() < stop) {
		uint64_t until = stop;

		if (nf.state != NETFRONT_READY && nf.st.attaches) {
			why = "link down";
			break;
		}
		if (nf.st.rx_frames != frames)
			frames = nf.st.rx_frames, last = rt_rdtsc();
		if (idle && ips.st.frames_in && rt_rdtsc() - last > idle * rt_tsc_hz()) {
			why = "idle";
			break;
		}
		if (ue.pending) {
			int ret = ip_udp_send(&ips, ue.p_ip, ue.port, ue.p_port, ue.p_data, ue.p_len);

			if (ret != -HV_EBUSY) {
				ue.pending = false;
				ret ? ue.failed++ : ue.echoed++;
			}
			until = deadline_ms(10);
		} else if (idle) {
			until = deadline_ms(100);
		}
		netfront_wait(&nf, until < stop ? until : stop);
	}
	answered = ips.st.echo_answered - answered;
	rt_printf("netchild: served %lu pings, %lu ARP requests, %lu UDP echoed (%lu failed), "
		  "frames in %lu, kicks=%lu events=%lu, stopped by %s\n", answered,
		  ips.st.arp_answered, ue.echoed, ue.failed, nf.st.rx_frames, nf.st.kicks - kicks,
		  nf.st.events - events, why);
	rt_report(answered >= expect && !ue.failed, "answer: %lu pings answered (expected at least "
		  "%lu), %lu UDP datagrams echoed, none failed", answered, expect, ue.echoed);
}

/* ---- main ---- */

int rt_main(void)
{
	char name[32], target[64], ipbuf[16], gwbuf[16];
	const char *chan = opt_word("chan", 0, name, sizeof(name));
	uint64_t count = opt_num("count", 10), window = opt_num("window", 8);
	uint32_t dst;
	int ret;

	rt_printf("netchild: cmdline \"%s\"\n", rt_boot.cmdline);
	wait_s = opt_num("wait", 30);
	ue.port = (uint16_t)opt_num("udp_echo", 0);
	sk.port = (uint16_t)opt_num("sink", 0);
	ret = netfront_open(&nf, chan);
	if (!rt_report(!ret, "open %s (%d)", chan ? chan : "the first pvnet channel", ret))
		return rt_summary() ? 1 : 0;
	ret = netfront_ip_init(&nf, &ips, rt_boot.cmdline);
	if (!rt_report(!ret, "ip= (and gw=) option well formed (%d)", ret))
		return rt_summary() ? 1 : 0;
	ips.udp_rx = on_udp;
	ip_str(ips.ip, ipbuf);
	ip_str(ips.gw, gwbuf);
	rt_printf("netchild: up %s mac %02x:%02x:%02x:%02x:%02x:%02x ip %s/%u gw %s bufs=%u+%ux%lu "
		  "epoch=%u\n", nf.chan->name, nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4],
		  nf.mac[5], ipbuf, (unsigned int)__builtin_popcount(ips.mask), gwbuf,
		  nf.layout.ntx, nf.layout.nrx, nf.layout.buf_size, nf.epoch);
	for (uint64_t t = deadline_ms(opt_num("delay", 0)); rt_rdtsc() < t;)
		netfront_wait(&nf, t);
	if (opt_word("ping", 0, target, sizeof(target)) &&
	    rt_report(!ip_parse_addr(target, &dst, NULL), "ping=%s is an address", target))
		ping(dst, count, window, opt_num("size", 56));
	if (opt_word("udp_to", 0, target, sizeof(target)))
		udp_to(target, count, opt_num("window", 4), opt_num("size", 64));
	if (opt_word("blast", 0, target, sizeof(target)))
		blast(target, count, opt_num("size", UDP_MAX));
	if (sk.port)
		sink(opt_num("count", 0));
	if (opt_num("answer", 0) || opt("udp_echo"))
		serve();
	rt_printf("netchild: totals tx %lu frames (%lu errors, %lu lost, %lu busy) rx %lu (%lu "
		  "errors) kicks=%lu events=%lu\n", nf.st.tx_frames, nf.st.tx_errors,
		  nf.st.tx_failed, nf.st.tx_busy, nf.st.rx_frames, nf.st.rx_errors, nf.st.kicks,
		  nf.st.events);
	rt_printf("netchild: totals stray=%lu attaches=%u link_checks=%u ip drops not_mine=%lu "
		  "proto=%lu tx=%lu\n", nf.st.stray, nf.st.attaches, nf.st.link_checks,
		  ips.st.drops[IP_DROP_NOT_MINE], ips.st.drops[IP_DROP_PROTO], ips.st.drops[IP_DROP_TX]);
	return rt_summary() ? 1 : 0;
}
