/* SPDX-License-Identifier: MIT */
/* Test guest: the service partition of the pvnet scenarios: probes its NICs, switches frames between them and every pvnet channel with netback until all front ends have ended, prints the counters. */
#include "guest-drivers/net/netback.h"
#include "guest-drivers/net/netdev.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (each optional, decimal): give_up=S  stop serving after S seconds (default
 * 600) with front ends still there: exit status 1. irq=0  poll the NICs (default: the
 * interrupt of a NIC that has one wakes the service as an event). poll_us=N  how often an
 * idle NIC without interrupt is looked at (default NETBACK_POLL_US). stats=S  the
 * counters every S seconds while serving (default: only at the end).
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

int rt_main(void)
{
	unsigned int n = netdev_probe_all(nics, NET_MAX_NICS);
	uint64_t give_up = opt("give_up", GIVE_UP_S);
	int r;

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
