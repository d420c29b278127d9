/* SPDX-License-Identifier: MIT */
/* The pvblk back end in the service partition: serves its pvblk channels from its disks, the device DMAing straight into the channels' data regions (docs/pvblk.md). */
#ifndef GUEST_DRIVERS_BLK_BLKBACK_H
#define GUEST_DRIVERS_BLK_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/blk/blkdev.h"
#include "include/abi/pvblk.h"

/*
 * Everything runs on vCPU 0 outside interrupts, except the event handlers, which only
 * set flags. One loop (blkback_run) serves every channel: round robin, at most
 * BLKBACK_BATCH requests taken from a channel per turn, and a disk's queue depth shared
 * among the channels live on it; it polls the disks while requests are in flight on a
 * polled disk (irq_port 0) and otherwise sleeps on the channels' event ports.
 */

#define BLKBACK_BATCH		8u	/* requests taken from one channel per turn */
#define BLKBACK_MAX_TAGS	64u	/* requests held per channel (ring 16K) */
#define BLKBACK_TICK_MS		100u	/* link checks and the end test, while idle */
#define BLKBACK_GONE_TICKS	30u	/* every link down this long (3 s) in a row: the end; a
					   restart by policy (reload, backoff) is shorter */

/* Per channel; printed by blkback_print_stats. */
struct blkback_stats {
	uint64_t ops[PVBLK_OP_INFO + 1];	/* requests taken, by op; [0]: unknown ops */
	uint64_t status[PVBLK_S_COUNT_];	/* responses put, by status */
	uint64_t bytes;				/* read and written by the device, OK only */
	uint64_t copied;			/* data bytes moved by the CPU: stays 0 */
	uint64_t notify_tx, notify_rx;		/* events sent to / received from the front end */
	uint64_t shutdowns;			/* impossible ring indices */
	uint64_t attaches;			/* ring attachments (1 + front-end restarts) */
	uint64_t dropped;			/* responses of an old life or a shut ring */
};

/*
 * Sets up every pvblk channel of the start info this partition is the back end of,
 * against disks[0..ndisks) (blkdev_probe_all's order: chan_cfg.blk.disk indexes it).
 * A channel whose disk or slice does not exist is refused with a log line; the others
 * are served. The number served (>= 0), or -HV_E* when events cannot be set up.
 */
int blkback_init(struct blkdev *disks, unsigned int ndisks) __attribute__((warn_unused_result));

/*
 * Serves until every pvblk channel's link has been down (front end exited or stopped)
 * for BLKBACK_GONE_TICKS ticks with no request in flight: 0; or -HV_EBUSY after
 * give_up_s seconds with some front end still there.
 */
int blkback_run(uint64_t give_up_s) __attribute__((warn_unused_result));

/* Four lines per channel: "blkback: stats|status|data|events NAME: KEY=VALUE ...". */
void blkback_print_stats(void);

/*
 * The same loop in pieces, for a partition that serves other back ends too: step()
 * serves what is ready (true: something moved, call again); busy(), before sleeping,
 * asks to be woken by the next event and is true when it must not sleep (an event came
 * meanwhile, or a polled disk has requests in flight); tick(), every BLKBACK_TICK_MS,
 * checks the links and is true once every front end is gone for good.
 */
bool blkback_step(void);
bool blkback_busy(void);
bool blkback_tick(void);

#endif
