/* SPDX-License-Identifier: MIT */
/* Test guest: a service partition drives its NIC through netdev (any driver): ARP and ICMP echo with the emulator's user network, frames built by hand. */
#include "guest-drivers/net/netdev.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/*
 * The peer is QEMU's or Bochs's user network (slirp): the gateway 10.0.2.2 answers ARP
 * and reflects ICMP echo requests sent to it, with no traffic leaving the machine.
 * cmdline (each optional, decimal):
 *   nic=N     the NIC to test, in netdev_probe_all's order (default 0)
 *   count=N   echo requests, sent all at once (default 32, at most COUNT_MAX); sizes vary
 *             from 0 to 1472 bytes of payload (a full 1514-byte frame)
 *   irq=1     the NIC's interrupt routed by the hypervisor (netdev_irq_on) and waited for
 *             as an event; a NIC without MSI or MSI-X stays polled (said, not failed)
 * Lines: "nic: NAME mac=...", PASS/FAIL, "nic: counters ...", "summary: ..."; exit
 * status 0 iff all passed.
 */

#define COUNT_DEFAULT		32
#define COUNT_MAX		64
#define WAIT_S			10
#define ARP_TRIES		5
#define ETH_HLEN		14
#define ETH_ARP			0x0806
#define ETH_IPV4		0x0800
#define ETH_LOCAL_EXP		0x88b5		/* IEEE 802 local experimental: dropped by slirp */
#define IP_HLEN			20
#define IP_ICMP			1
#define ICMP_HLEN		8
#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO		8
#define ICMP_PAYLOAD_MAX	(NET_FRAME_MAX - ETH_HLEN - IP_HLEN - ICMP_HLEN)
#define ARP_LEN			28
#define ECHO_ID			0x4e49		/* "NI" */

static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static uint8_t gw_mac[6];

static struct netdev nics[NET_MAX_NICS * 2];
static struct netdev *nic;
static uint8_t frames[COUNT_MAX][NET_FRAME_MAX] __attribute__((aligned(64)));
static uint8_t ctl_frame[2][64] __attribute__((aligned(64)));	/* ARP request, reply */
static uint32_t echo_len[COUNT_MAX];

/* What the receive handler saw. */
static struct {
	bool arp_reply;
	uint32_t arp_reply_len;
	unsigned int arp_requests_answered, echo_replies, echo_bad, echo_dup, other;
	bool got[COUNT_MAX];
	unsigned int tx_done;
	uint64_t tx_cookie_sum;
} seen;
static unsigned int echo_count;

/* ---- the command line ---- */

static uint64_t opt(const char *key, uint64_t dflt)
{
	uint64_t v;

	return rt_cmdline_u64(key, &v) ? v : dflt;
}

/* ---- frames ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool eq(const void *a, const void *b, uint32_t n)
{
	const uint8_t *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return false;
	return true;
}

/* The Internet checksum (RFC 1071) of n bytes: 0 over a header holding a right one. */
static uint16_t csum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, nic->mac, 6);
	put16(f + 12, type);
}

/* An ARP request (op 1) or reply (op 2) for IPv4 over Ethernet (RFC 826): its length. */
static uint32_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *dst_mac, const uint8_t *tha,
			  const uint8_t *tpa)
{
	uint8_t *a = f + ETH_HLEN;

	eth_header(f, dst_mac, ETH_ARP);
	put16(a, 1);			/* hardware: Ethernet */
	put16(a + 2, ETH_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, nic->mac, 6);
	memcpy(a + 14, my_ip, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, tpa, 4);
	return ETH_HLEN + ARP_LEN;
}

/* Echo request seq with len bytes of payload (byte i is seq + i) to the gateway. */
static uint32_t echo_frame(uint8_t *f, uint16_t seq, uint32_t len)
{
	uint8_t *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;

	eth_header(f, gw_mac, ETH_IPV4);
	memset(ip, 0, IP_HLEN + ICMP_HLEN);
	ip[0] = 0x45;			/* version 4, 5 words */
	put16(ip + 2, (uint16_t)(IP_HLEN + ICMP_HLEN + len));
	put16(ip + 4, seq);		/* identification */
	ip[8] = 64;			/* TTL */
	ip[9] = IP_ICMP;
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, gw_ip, 4);
	put16(ip + 10, csum(ip, IP_HLEN));
	icmp[0] = ICMP_ECHO;
	put16(icmp + 4, ECHO_ID);
	put16(icmp + 6, seq);
	for (uint32_t i = 0; i < len; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)(seq + i);
	put16(icmp + 2, csum(icmp, ICMP_HLEN + len));
	return ETH_HLEN + IP_HLEN + ICMP_HLEN + len;
}

/* ---- receive ---- */

static void on_arp(const uint8_t *f, uint32_t len)
{
	const uint8_t *a = f + ETH_HLEN;

	if (len < ETH_HLEN + ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_IPV4)
		return;
	if (get16(a + 6) == 2 && eq(a + 14, gw_ip, 4) && eq(a + 24, my_ip, 4)) {
		memcpy(gw_mac, a + 8, 6);
		seen.arp_reply = true;
		seen.arp_reply_len = len;
	} else if (get16(a + 6) == 1 && eq(a + 24, my_ip, 4) &&
		   !nic->ops->tx(nic, ctl_frame[1], arp_frame(ctl_frame[1], 2, a + 8, a + 8, a + 14), 0)) {
		seen.arp_requests_answered++;	/* the emulator asking for us */
	}
}

/* An echo reply must carry back exactly what its request held. */
static void on_ipv4(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *icmp = ip + IP_HLEN;
	uint32_t tot = len >= ETH_HLEN + IP_HLEN ? get16(ip + 2) : 0, plen;
	uint16_t seq;

	if (tot < IP_HLEN + ICMP_HLEN || ETH_HLEN + tot > len || ip[0] != 0x45 || ip[9] != IP_ICMP ||
	    icmp[0] != ICMP_ECHO_REPLY || get16(icmp + 4) != ECHO_ID) {
		seen.other++;
		return;
	}
	seq = get16(icmp + 6);
	plen = tot - IP_HLEN - ICMP_HLEN;
	if (seq >= echo_count || plen != echo_len[seq] || csum(ip, IP_HLEN) || csum(icmp, tot - IP_HLEN) ||
	    !eq(ip + 12, gw_ip, 4) || !eq(ip + 16, my_ip, 4) ||
	    !eq(icmp + ICMP_HLEN, frames[seq] + ETH_HLEN + IP_HLEN + ICMP_HLEN, plen)) {
		seen.echo_bad++;
		return;
	}
	if (seen.got[seq]) {
		seen.echo_dup++;
		return;
	}
	seen.got[seq] = true;
	seen.echo_replies++;
}

static void on_rx(struct netdev *n, const void *data, uint32_t len)
{
	const uint8_t *f = data;

	if (!eq(f, n->mac, 6) && !eq(f, bcast, 6)) {
		seen.other++;	/* promiscuous NIC: not ours */
		return;
	}
	switch (get16(f + 12)) {
	case ETH_ARP:
		on_arp(f, len);
		break;
	case ETH_IPV4:
		on_ipv4(f, len);
		break;
	default:
		seen.other++;
	}
}

static void on_tx_done(struct netdev *n, void *cookie)
{
	(void)n;
	seen.tx_done++;
	seen.tx_cookie_sum += (uintptr_t)cookie;
}

/* Polls (or sleeps until the NIC's event) until done() or seconds pass: true if done(). */
static bool run_until(bool (*done)(void), uint64_t seconds)
{
	uint64_t end = rt_rdtsc() + seconds * rt_tsc_hz();

	while (!done()) {
		if (rt_rdtsc() >= end)
			return false;
		if (nic->ops->poll(nic))
			continue;
		if (nic->irq_port) {
			rt_sti();
			(void)rt_wait_event_until(end);
			rt_cli();
		} else {
			rt_pause();
		}
	}
	return true;
}

static bool have_arp_reply(void)
{
	return seen.arp_reply;
}

static bool all_echoes(void)
{
	return seen.echo_replies == echo_count;
}

static unsigned int tx_target;

static bool all_sent(void)
{
	return seen.tx_done >= tx_target;
}

/* ---- the tests ---- */

/* Frames the NIC cannot take are refused, and nothing is queued. */
static void refusals(void)
{
	struct { const void *buf; uint32_t len; const char *what; } bad[] = {
		{ frames[0], 0, "length 0" },
		{ frames[0], NET_FRAME_MIN - 1, "length 13" },
		{ frames[0], NET_FRAME_MAX + 1, "length 1515" },
		{ (const void *)(uintptr_t)0x80000000u, 64, "a buffer outside partition memory" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = nic->ops->tx(nic, bad[i].buf, bad[i].len, 0);

		rt_report(ret == -HV_EINVAL, "refused: %s (%d)", bad[i].what, ret);
	}
}

static bool arp_gateway(void)
{
	unsigned int tries;
	uint32_t len = arp_frame(ctl_frame[0], 1, bcast, (const uint8_t[6]){ 0 }, gw_ip);

	for (tries = 1; tries <= ARP_TRIES; tries++) {
		int ret = nic->ops->tx(nic, ctl_frame[0], len, (void *)1);

		if (ret) {
			rt_report(false, "arp: request sent (%d)", ret);
			return false;
		}
		if (run_until(have_arp_reply, 1))
			break;
	}
	return rt_report(seen.arp_reply, "arp: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x (%u requests, "
			 "reply of %u bytes)", gw_mac[0], gw_mac[1], gw_mac[2], gw_mac[3], gw_mac[4],
			 gw_mac[5], tries, seen.arp_reply_len);
}

/* count echo requests queued at once (up to the NIC's depth), every reply checked. */
static void pings(unsigned int count)
{
	unsigned int sent = 0, busy = 0;
	uint64_t t0 = rt_rdtsc(), end = t0 + WAIT_S * rt_tsc_hz();
	int ret = 0;

	echo_count = count;
	for (unsigned int i = 0; i < count; i++) {
		/* 0, then spread over 1..1471, and the largest frame last. */
		echo_len[i] = i == count - 1 ? ICMP_PAYLOAD_MAX : i * 733u % ICMP_PAYLOAD_MAX;
		(void)echo_frame(frames[i], (uint16_t)i, echo_len[i]);
	}
	while (sent < count && rt_rdtsc() < end) {
		uint32_t len = ETH_HLEN + IP_HLEN + ICMP_HLEN + echo_len[sent];

		ret = nic->ops->tx(nic, frames[sent], len, (void *)(uintptr_t)(sent + 2));
		if (ret == -HV_EBUSY) {
			busy++;
			nic->ops->poll(nic);
			continue;
		}
		if (ret)
			break;
		sent++;
	}
	rt_report(sent == count, "icmp: %u echo requests queued (%u busy, %d)", sent, busy, ret);
	(void)run_until(all_echoes, WAIT_S);
	rt_report(seen.echo_replies == count && !seen.echo_bad && !seen.echo_dup,
		  "icmp: %u requests, %u replies intact, %u bad, %u duplicated, %u lost, ticks=%lu",
		  count, seen.echo_replies, seen.echo_bad, seen.echo_dup, count - seen.echo_replies,
		  rt_rdtsc() - t0);
}

/* tx_depth frames without a poll fill the queue: one more is -HV_EBUSY; all then complete. */
static void fill_queue(void)
{
	unsigned int depth = nic->tx_depth, queued = 0, before = seen.tx_done;
	uint64_t sum_before = seen.tx_cookie_sum, want = 0;
	int ret = 0;

	if (!rt_report(depth && depth <= COUNT_MAX, "queue: tx_depth %u is 1..%u", depth, COUNT_MAX))
		return;
	for (unsigned int i = 0; i < depth && !ret; i++) {
		eth_header(frames[i], bcast, ETH_LOCAL_EXP);
		memset(frames[i] + ETH_HLEN, (int)i, 46);
		ret = nic->ops->tx(nic, frames[i], 60, (void *)(uintptr_t)(1000 + i));
		if (!ret)
			queued++, want += 1000 + i;
	}
	rt_report(queued == depth, "queue: %u frames queued without a poll (%d)", queued, ret);
	ret = nic->ops->tx(nic, ctl_frame[0], 60, 0);
	rt_report(ret == -HV_EBUSY, "queue: frame %u refused while full (%d)", depth + 1, ret);
	if (!ret)
		queued++;
	tx_target = before + queued;
	(void)run_until(all_sent, WAIT_S);
	rt_report(seen.tx_done - before == queued && seen.tx_cookie_sum - sum_before == want,
		  "queue: %u of %u frames completed, every cookie back", seen.tx_done - before, queued);
}

static bool pick(void)
{
	unsigned int n = netdev_probe_all(nics, sizeof(nics) / sizeof(nics[0]));
	uint64_t which = opt("nic", 0);

	for (unsigned int i = 0; i < n; i++)
		rt_printf("nic: %s mac=%02x:%02x:%02x:%02x:%02x:%02x tx_depth=%u irq=%s\n", nics[i].name,
			  nics[i].mac[0], nics[i].mac[1], nics[i].mac[2], nics[i].mac[3], nics[i].mac[4],
			  nics[i].mac[5], nics[i].tx_depth, nics[i].ops->irq_enable ? "yes" : "no");
	if (!rt_report(which < n, "nic %lu of the %u found", which, n))
		return false;
	nic = &nics[which];
	nic->rx = on_rx;
	nic->tx_done = on_tx_done;
	return true;
}

static void interrupts(void)
{
	int ret = netdev_irq_on(nic);

	if (!nic->ops->irq_enable)
		rt_report(ret == -HV_ENOTSUP, "interrupts: %s has no MSI or MSI-X: polled (%d)", nic->name,
			  ret);
	else
		rt_report(!ret && nic->irq_port, "interrupts: %s index %u -> event port %u (%d)", nic->name,
			  nic->irq_index, nic->irq_port, ret);
}

int rt_main(void)
{
	unsigned int count = (unsigned int)opt("count", COUNT_DEFAULT);

	rt_printf("nic: cmdline \"%s\"\n", rt_boot.cmdline);
	if (!pick())
		return rt_summary() ? 1 : 0;
	if (opt("irq", 0))
		interrupts();
	refusals();
	if (arp_gateway() && rt_report(count >= 1 && count <= COUNT_MAX, "count=%u is 1..%u", count, COUNT_MAX))
		pings(count);
	fill_queue();
	/* Leftovers: late frames, and the events of frames already polled. */
	rt_sti();
	rt_delay_us(2000);
	rt_cli();
	nic->ops->poll(nic);
	rt_printf("nic: counters rx_frames=%lu rx_bytes=%lu rx_dropped=%lu tx_frames=%lu tx_bytes=%lu "
		  "tx_errors=%lu arp_answered=%u other=%u events=%lu\n", nic->rx_frames, nic->rx_bytes,
		  nic->rx_dropped, nic->tx_frames, nic->tx_bytes, nic->tx_errors,
		  seen.arp_requests_answered, seen.other, rt_evtchn_unhandled());
	rt_report(nic->tx_frames == seen.tx_done && !nic->tx_errors && nic->rx_frames >= 1u + seen.echo_replies,
		  "counters: tx_frames=%lu = completions %u, rx_frames=%lu >= replies %u + 1", nic->tx_frames,
		  seen.tx_done, nic->rx_frames, seen.echo_replies);
	if (nic->irq_port)
		rt_report(rt_evtchn_unhandled() > 0, "nic: %lu interrupts arrived as events on port %u",
			  rt_evtchn_unhandled(), nic->irq_port);
	return rt_summary() ? 1 : 0;
}
