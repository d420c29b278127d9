/* SPDX-License-Identifier: MIT */
/* The event-channel ABI: port numbers, the shared event page and the event hypercalls (docs/evtchn.md). */
#ifndef ABI_EVTCHN_H
#define ABI_EVTCHN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sizes. Four 64-bit words of pending bits are scanned faster than a Xen-style
 * selector word would save, so the page has no selector (docs/evtchn.md).
 */
#define EVTCHN_PORTS		256u
#define EVTCHN_WORDS		(EVTCHN_PORTS / 64)
#define EVTCHN_VCPUS_MAX	32u	/* vCPUs per partition the page has room for */
#define EVTCHN_PAGE_SIZE	4096u

/*
 * Port numbers, the same in every partition (a port number means nothing outside its
 * own partition):
 *   0                 never a port, so a zeroed variable is not a valid port;
 *   1                 console input (hypervisor source), notifies vCPU 0;
 *   2..31             device interrupts (HC_DEV_IRQ), allocated as bound, notifying vCPU 0;
 *   32 + v            vCPU v's one-shot timer (hypervisor source), notifies vCPU v;
 *   64..255           channel ports, allocated in manifest order (the first channel
 *                     this partition appears in gets 64, the next 65, ...), each
 *                     notifying vCPU 0.
 * Word 0 of the bitmaps thus holds every hypervisor source, words 1-3 the channels.
 */
#define EVTCHN_PORT_NONE	0u
#define EVTCHN_PORT_CONSOLE	1u
#define EVTCHN_PORT_DEV_FIRST	2u
#define EVTCHN_PORT_DEV_LAST	31u
#define EVTCHN_PORT_TIMER_BASE	32u
#define EVTCHN_PORT_TIMER(v)	(EVTCHN_PORT_TIMER_BASE + (v))
#define EVTCHN_PORT_DYN_FIRST	64u

_Static_assert(EVTCHN_PORTS % 64 == 0, "whole bitmap words");
_Static_assert(EVTCHN_PORT_TIMER_BASE + EVTCHN_VCPUS_MAX <= EVTCHN_PORT_DYN_FIRST,
	       "timer ports fit below the channel ports");
_Static_assert(EVTCHN_PORT_DYN_FIRST < EVTCHN_PORTS, "room for channel ports");

/* The vCPU a port notifies, by the binding convention above. */
static inline uint32_t evtchn_port_vcpu(uint32_t port)
{
	if (port >= EVTCHN_PORT_TIMER_BASE && port < EVTCHN_PORT_TIMER_BASE + EVTCHN_VCPUS_MAX)
		return port - EVTCHN_PORT_TIMER_BASE;
	return 0;
}

/*
 * Per-vCPU upcall state, one cache line each so that vCPUs do not share lines.
 * upcall_pending: the hypervisor sets it (atomic exchange) when a port notifying this
 *   vCPU becomes pending and unmasked; only its 0 -> 1 transition injects the upcall
 *   vector. The guest clears it *before* scanning the bitmaps, so an event that
 *   arrives during the scan raises a new upcall instead of being missed.
 * upcall_mask: written by the guest; non-zero means "set upcall_pending but do not
 *   inject" (polling mode). After clearing it the guest must look at upcall_pending
 *   itself.
 */
struct evtchn_vcpu_info {
	uint8_t upcall_pending;		/* 0x00 */
	uint8_t upcall_mask;		/* 0x01 */
	uint8_t rsvd_0x02[62];
};

/*
 * The shared event page of a partition: guest memory, written by the hypervisor
 * (pending bits, upcall_pending) and by the guest (clearing those, mask bits,
 * upcall_mask) at any time, always with atomic read-modify-write instructions on
 * whole words or bytes. Bit n % 64 of word n / 64 is port n. pending and mask sit on
 * separate cache lines: senders hammer the first, the guest owns the second.
 */
struct evtchn_shared {
	uint64_t pending[EVTCHN_WORDS];				/* 0x000 */
	uint8_t rsvd_0x020[32];
	uint64_t mask[EVTCHN_WORDS];				/* 0x040 */
	uint8_t rsvd_0x060[160];
	struct evtchn_vcpu_info vcpu[EVTCHN_VCPUS_MAX];		/* 0x100 */
	uint8_t rsvd_0x900[0x700];
};

_Static_assert(sizeof(struct evtchn_vcpu_info) == 64, "one cache line per vCPU");
_Static_assert(offsetof(struct evtchn_shared, pending) == 0x000, "pending at 0x000");
_Static_assert(offsetof(struct evtchn_shared, mask) == 0x040, "mask at 0x040");
_Static_assert(offsetof(struct evtchn_shared, vcpu) == 0x100, "vcpu[] at 0x100");
_Static_assert(offsetof(struct evtchn_shared, rsvd_0x900) == 0x900, "vcpu[] ends at 0x900");
_Static_assert(sizeof(struct evtchn_shared) == EVTCHN_PAGE_SIZE, "exactly one page");

/*
 * Where the page is: proposed default, the page after the multiboot information
 * (0x8000), until the start-info page publishes the address. The hypervisor zeroes it
 * each time the partition starts.
 */
#define EVTCHN_PAGE_GPA		0x9000u

/* Port states, as EVTCHN_STATUS reports them. */
enum evtchn_port_state {
	EVTCHN_STATE_FREE = 0,		/* nothing bound */
	EVTCHN_STATE_CHANNEL = 1,	/* bound to a port of a running peer partition */
	EVTCHN_STATE_PEER_DOWN = 2,	/* bound, but the peer (or this partition) is stopped */
	EVTCHN_STATE_VIRQ = 3,		/* bound to a hypervisor source: receive only */
};

/*
 * EVTCHN_STATUS's result: the state in bits 7:0, the vCPU it notifies in bits 15:8, and
 * for a channel port the link epoch in bits 30:16: how many times the link came up (1
 * once both ends first run, +1 each time a stopped end starts again; after
 * EVTCHN_EPOCH_MAX it wraps to 1; 0: never up). A new epoch is a new life of the
 * channel: both ends re-attach to its ring (docs/ring.md "Restart").
 */
#define EVTCHN_STATUS_STATE(r)	((uint32_t)(r) & 0xffu)
#define EVTCHN_STATUS_VCPU(r)	(((uint32_t)(r) >> 8) & 0xffu)
#define EVTCHN_STATUS_EPOCH(r)	(((uint32_t)(r) >> 16) & 0x7fffu)
#define EVTCHN_EPOCH_MAX	0x7fffu

/* Upcall vectors: 0 means none (no injection), else the range HC_TIMER_ONESHOT accepts. */
#define EVTCHN_VECTOR_NONE	0u
#define EVTCHN_VECTOR_MIN	32u
#define EVTCHN_VECTOR_MAX	255u

/*
 * The event hypercalls are HC_EVTCHN_* in include/abi/hypercall.h. Masking needs no
 * hypercall: the guest sets the mask bit itself, and the hypervisor only reads it.
 * Unmasking needs one only when the port is pending (the guest clears the bit, tests
 * pending, and calls HC_EVTCHN_UNMASK if set), because then someone must raise the
 * upcall that masking held back.
 */

#endif
