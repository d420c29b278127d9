/* SPDX-License-Identifier: MIT */
/* Test guest: the service partition of the pvnet scenarios: probes its NICs, switches frames between them and every pvnet channel with netback until all front ends have ended, prints the counters. */
#include "guest-drivers/net/netback.h"
#include "guest-drivers/net/ip.h"
#include "guest-drivers/net/netdev.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (each optional, decimal): give_up=S  stop serving after S seconds (default
 * 600) with front ends still there: exit status 1. irq=0  poll the NICs (default: the
 * interrupt of a NIC that has one wakes the service as an event). poll_us=N  how often an
 * idle NIC without interrupt is looked at (default NETBACK_POLL_US). stats=S  the
 * counters every S seconds while serving (default: only at the end).
 * selftest=N  make bench: before anything else (the NIC still polled), N UDP datagrams of
 * size=S bytes (default 1472: 1514-byte frames) from 10.0.2.15:40000 to 10.0.2.2:9
 * (QEMU user network's host, resolved by ARP) straight to NIC 0 through netdev, built
 * by the IPv4 stack and copied once as netchild's blast= and netback do, as fast as the
 * NIC's queue allows, completions by poll; timed from the first to the last completed.
 * Line "netsvc: selftest frames=N bytes=B ticks=T hz=H busy=N sent=N error=E".
 * Lines: "netsvc: nic N: ...", netback's uplink and channel lines, "netsvc: serving N
 * channel(s), M uplink(s)", netback's counters, "netsvc: all front ends ended"; exit
 * status 0 on a clean end.
 */

#define GIVE_UP_S	600

static struct netdev nics[NET_MAX_NICS];

static uint64_t opt(const char *key, uint64_t dflt)
{
	uint64_t v;

	return rt_cmdline_u64(key, &v) ? v : dflt;
}

/* ---- selftest= (make bench): the service's own path to its NIC ---- */

#define ST_BUFS		64u	/* frame copies in the NIC's queue at most (netback: 64) */

struct st_buf {
	uint8_t data[1536];
	bool busy;
} __attribute__((aligned(64)));

static struct st_buf st_buf[ST_BUFS];
static struct netdev *st_nic;
static struct ip_stack st_ip;
static uint32_t st_next;
static uint64_t st_done;
static uint8_t st_data[IP_UDP_MAX];

static uint64_t st_ms(void)
{
	return rt_rdtsc() / (rt_tsc_hz() / 1000);
}

/* The stack's send: one copy into a free buffer of ours (the stack reuses its own), as
 * netback does with a child's frame, then to the NIC. */
static int st_send(void *ctx, const void *frame, uint32_t len)
{
	for (uint32_t i = 0; i < ST_BUFS; i++) {
		struct st_buf *b = &st_buf[(st_next + i) % ST_BUFS];
		int r;

		if (b->busy)
			continue;
		memcpy(b->data, frame, len);
		r = st_nic->ops->tx(st_nic, b->data, len, b);
		if (r)
			return r;
		b->busy = true;
		st_next = (st_next + i + 1) % ST_BUFS;
		return 0;
	}
	return -HV_EBUSY;
}

static void st_tx_done(struct netdev *n, void *cookie)
{
	struct st_buf *b = cookie;

	b->busy = false;
	st_done++;
}

static void st_rx(struct netdev *n, const void *data, uint32_t len)
{
	ip_input(&st_ip, data, len, st_ms());
}

/*
 * count UDP datagrams of size bytes from 10.0.2.15:40000 to 10.0.2.2:9 (QEMU's user
 * network host, resolved by ARP), built by the IPv4 stack one by one as netchild's
 * blast= does, each copied once into a buffer of ours and queued on NIC n; completions by
 * polling. Timed from the first datagram to the last completed.
 */
static void selftest(struct netdev *n, uint64_t count, uint32_t size)
{
	const uint32_t dst = IP_ADDR(10, 0, 2, 2);
	uint64_t sent = 0, busy = 0, done0, t0, end = rt_rdtsc() + 30 * rt_tsc_hz();
	uint8_t mac[6];
	int r = 0;

	if (size > IP_UDP_MAX || size < 4)
		size = IP_UDP_MAX;
	st_nic = n;
	n->tx_done = st_tx_done, n->rx = st_rx;
	if (ip_init(&st_ip, n->mac, IP_ADDR(10, 0, 2, 15), 0xffffff00u, dst)) {
		rt_printf("netsvc: selftest: ip_init failed\n");
		return;
	}
	st_ip.send = st_send;
	while (!ip_arp_lookup(&st_ip, dst, mac) && rt_rdtsc() < end) {
		uint64_t retry = rt_rdtsc() + rt_tsc_hz() / 2;

		if (ip_arp_request(&st_ip, dst))
			break;
		while (!ip_arp_lookup(&st_ip, dst, mac) && rt_rdtsc() < retry)
			(void)n->ops->poll(n);
	}
	done0 = st_done, t0 = rt_rdtsc();
	while (st_done - done0 < count && rt_rdtsc() < end) {
		for (; sent < count; sent++) {
			st_data[0] = (uint8_t)sent, st_data[1] = (uint8_t)(sent >> 8);
			st_data[2] = (uint8_t)(sent >> 16), st_data[3] = (uint8_t)(sent >> 24);
			r = ip_udp_send(&st_ip, dst, 40000, 9, st_data, size);
			if (r)
				break;
		}
		if (r && r != -HV_EBUSY)
			break;
		busy += r == -HV_EBUSY;
		(void)n->ops->poll(n);
	}
	/* The frame bytes: Ethernet, IPv4 and UDP headers, no FCS. */
	rt_printf("netsvc: selftest frames=%lu bytes=%lu ticks=%lu hz=%lu busy=%lu sent=%lu "
		  "error=%d\n", st_done - done0, (st_done - done0) * (size + IP_ETH_HLEN + IP_HLEN + 8),
		  rt_rdtsc() - t0, rt_tsc_hz(), busy, sent, r == -HV_EBUSY ? 0 : r);
	for (end = rt_rdtsc() + rt_tsc_hz() / 10; rt_rdtsc() < end;)
		(void)n->ops->poll(n);	/* the last completions, before netback takes over */
	n->tx_done = NULL, n->rx = NULL;
}

int rt_main(void)
{
	unsigned int n = netdev_probe_all(nics, NET_MAX_NICS);
	uint64_t give_up = opt("give_up", GIVE_UP_S);
	int r;

	if (n && opt("selftest", 0))
		selftest(&nics[0], opt("selftest", 0), (uint32_t)opt("size", IP_UDP_MAX));
	for (unsigned int i = 0; i < n; i++) {
		r = opt("irq", 1) ? netdev_irq_on(&nics[i]) : -HV_ENOTSUP;
		rt_printf("netsvc: nic %u: %s mac=%02x:%02x:%02x:%02x:%02x:%02x tx_depth=%u "
			  "irq_port=%u (%d)\n", i, nics[i].name, nics[i].mac[0], nics[i].mac[1],
			  nics[i].mac[2], nics[i].mac[3], nics[i].mac[4], nics[i].mac[5],
			  nics[i].tx_depth, nics[i].irq_port, r);
	}
	r = netback_init(nics, n);
	if (r < 0) {
		rt_printf("netsvc: netback_init: error %d\n", r);
		return 2;
	}
	rt_printf("netsvc: serving %d channel(s), %u uplink(s)\n", r, n);
	r = r ? netback_run(give_up, opt("poll_us", 0), opt("stats", 0)) : 0;
	netback_print_stats();
	for (unsigned int i = 0; i < n; i++)
		rt_printf("netsvc: nic %u: rx_frames=%lu rx_bytes=%lu rx_dropped=%lu tx_frames=%lu "
			  "tx_bytes=%lu tx_errors=%lu\n", i, nics[i].rx_frames, nics[i].rx_bytes,
			  nics[i].rx_dropped, nics[i].tx_frames, nics[i].tx_bytes, nics[i].tx_errors);
	if (r) {
		rt_printf("netsvc: front ends still there after %lu s: giving up\n", give_up);
		return 1;
	}
	rt_printf("netsvc: all front ends ended\n");
	return 0;
}
