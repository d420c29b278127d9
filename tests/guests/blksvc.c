/* SPDX-License-Identifier: MIT */
/* Test guest: the service partition of the pvblk scenarios: probes its disks, serves every pvblk channel with blkback until all front ends have ended, prints the counters. */
#include "guest-drivers/blk/blkback.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (optional): give_up=S  stop serving after S seconds (default 600) with the
 * front ends still there: exit status 1. irq=0  poll the disks (default: their interrupts,
 * routed by the hypervisor, wake the service as events).
 * Lines: "blksvc: disk N: ...", blkback's channel lines, "blksvc: serving N channel(s)",
 * blkback's stats lines, "blksvc: all front ends ended"; exit status 0 on a clean end.
 */

#define GIVE_UP_S	600

static struct blkdev disks[BLK_MAX_DISKS];

int rt_main(void)
{
	unsigned int n = blkdev_probe_all(disks, BLK_MAX_DISKS);
	uint64_t give_up = GIVE_UP_S, irq = 1;
	int r;

	(void)rt_cmdline_u64("give_up", &give_up);
	(void)rt_cmdline_u64("irq", &irq);
	for (unsigned int i = 0; irq && i < n; i++) {
		r = blkdev_irq_on(&disks[i]);
		if (r)
			rt_printf("blksvc: disk %u: no interrupt (%d): polled\n", i, r);
	}
	for (unsigned int i = 0; i < n; i++)
		rt_printf("blksvc: disk %u: %s sectors=%lu max_sectors=%u queue_depth=%u flush=%u "
			  "discard=%u irq_port=%u\n", i, disks[i].name, disks[i].sectors,
			  disks[i].max_sectors, disks[i].queue_depth, disks[i].can_flush,
			  disks[i].can_discard, disks[i].irq_port);
	r = blkback_init(disks, n);
	if (r < 0) {
		rt_printf("blksvc: blkback_init: error %d\n", r);
		return 2;
	}
	rt_printf("blksvc: serving %d channel(s) from %u disk(s)\n", r, n);
	r = r ? blkback_run(give_up) : 0;
	blkback_print_stats();
	if (r) {
		rt_printf("blksvc: front ends still there after %lu s: giving up\n", give_up);
		return 1;
	}
	rt_printf("blksvc: all front ends ended\n");
	return 0;
}
