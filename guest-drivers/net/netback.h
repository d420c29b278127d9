/* SPDX-License-Identifier: MIT */
/* The pvnet back end in the service partition: a learning switch joining its NICs (uplinks) and every pvnet channel (docs/pvnet.md). */
#ifndef GUEST_DRIVERS_NET_NETBACK_H
#define GUEST_DRIVERS_NET_NETBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/net/netdev.h"
#include "include/abi/pvnet.h"

/*
 * Everything runs on vCPU 0 outside interrupts, except the event handlers, which only
 * set flags. One loop (netback_run) serves every port: round robin over the channels,
 * at most NETBACK_BATCH requests taken from one per turn, so a flooding child waits on
 * its own ring. Each transmitted frame is copied once from the channel into one of the
 * service's own buffers; the switch (pvdev/switch.c) decides on that copy and every
 * output reads it: a child's receive buffer (a CPU copy) or a NIC (DMA from the copy).
 * Frames from a NIC are switched from the driver's buffer. The loop sleeps on the
 * channels' event ports and the NICs' interrupt ports; a NIC without an interrupt is
 * polled on every pass, and while idle every NETBACK_POLL_US, doubling up to
 * NETBACK_POLL_BACKOFF times that while nothing moves.
 */

#define NETBACK_BATCH		16u	/* requests taken from one channel per turn */
#define NETBACK_MAX_HELD	64u	/* receive buffers held per channel (ring 16K) */
#define NETBACK_POOL		64u	/* frame copies that may wait in NIC queues */
#define NETBACK_TICK_MS		100u	/* link checks and the end test, while idle */
#define NETBACK_GONE_TICKS	30u	/* every link down this long (3 s) in a row: the end */
#define NETBACK_POLL_US		500u	/* a NIC without interrupt, looked at while idle... */
#define NETBACK_POLL_BACKOFF	16u	/* ... up to this many times less often, idle longer */
#define NETBACK_AGE_MS		300000u	/* learned stations are forgotten after 5 min */

/* Per channel, besides the switch port's counters; printed by netback_print_stats. */
struct netback_stats {
	uint64_t tx_reqs, rx_reqs;		/* requests taken, by type (bad types: tx) */
	uint64_t status[PVNET_S_COUNT_];	/* answers put, by status */
	uint64_t notify_tx, notify_rx;		/* events sent to / received from the front end */
	uint64_t shutdowns;			/* impossible ring indices */
	uint64_t attaches;			/* ring attachments (1 + front-end restarts) */
};

/*
 * Makes each of nics[0..nnics) an uplink port (rx and tx_done set here; the NIC's
 * interrupt, if netdev_irq_on gave it one, wakes the loop) and each pvnet channel of
 * the start info this partition is the back end of a channel port with the MAC of its
 * chan_cfg. A channel whose settings are refused is logged and left out. The number of
 * channels served (>= 0), or -HV_E* when events cannot be set up.
 */
int netback_init(struct netdev *nics, unsigned int nnics) __attribute__((warn_unused_result));

/*
 * Serves until every channel's link has been down for NETBACK_GONE_TICKS ticks: 0; or
 * -HV_EBUSY after give_up_s seconds with a front end still there. poll_us: how often an
 * idle NIC without interrupt is looked at (0: NETBACK_POLL_US); stats_s: the counters
 * printed every stats_s seconds (0: only by the caller, at the end).
 */
int netback_run(uint64_t give_up_s, uint64_t poll_us, uint64_t stats_s)
	__attribute__((warn_unused_result));

/*
 * The switch's line per port ("netback: port N chan|uplink NAME MAC up|down in F/B out
 * F/B drop spoof N malformed N nobuf N shut N"), then per channel "netback: status
 * NAME: ok=.. bad_type=.. ..." and "netback: events NAME: ...", and one "netback: loop:"
 * line (passes, sleeps, NIC events).
 */
void netback_print_stats(void);

/*
 * The same loop in pieces, as blkback_step/busy/tick (blkback.h): step() serves what is
 * ready; busy() arms the event indices before sleeping, true when it must not sleep;
 * tick(), every NETBACK_TICK_MS, true once every front end is gone for good. polled():
 * a NIC without an interrupt, which the caller must wake for (step) now and then.
 */
bool netback_step(void);
bool netback_busy(void);
bool netback_tick(void);
bool netback_polled(void);

#endif
