/* SPDX-License-Identifier: MIT */
/* The shared ring's wire format: index lines and slot arrays in a channel's ring region (docs/ring.md). */
#ifndef ABI_RING_H
#define ABI_RING_H

#include <stddef.h>
#include <stdint.h>

/*
 * A channel's ring region (its size from the manifest: a power of two from 4K to 1M)
 * holds two single-producer/single-consumer rings:
 *   req: front end -> back end (requests), rsp: back end -> front end (responses).
 * Layout, from the start of the region:
 *   0x000  struct ring_hdr: four 64-byte lines, each written by one side only;
 *   0x100  the req ring's RING_SLOTS(size) slots of RING_SLOT_SIZE bytes;
 *   then   the rsp ring's slots, as many.
 * The geometry comes from the ring size in the start-info page, never from shared
 * memory, so a peer cannot lie about it.
 */
#define RING_SLOT_SIZE		64u
#define RING_HDR_SIZE		256u
#define RING_REGION_MIN		0x1000u
#define RING_REGION_MAX		0x100000u

/*
 * Slots per direction: size / 256, a power of two (indices wrap with a mask). Two
 * arrays of size / 256 slots of 64 bytes fill half the region; the header needs the
 * next 256 bytes, so no larger power of two fits. 16 slots in 4K, 4096 in 1M.
 */
#define RING_SLOTS(size)	((uint32_t)((size) / 256u))
#define RING_REQ_OFFSET		RING_HDR_SIZE
#define RING_RSP_OFFSET(size)	(RING_HDR_SIZE + RING_SLOTS(size) * RING_SLOT_SIZE)

/*
 * Indices are free-running 32-bit counts (slot = index & (slots - 1)) that wrap at
 * 2^32; prod - cons, computed modulo 2^32, is the number of full slots and is never
 * more than the slot count.
 *
 * Event indices suppress notifications (Xen's req_event/rsp_event): a side that is
 * about to sleep writes the index value whose arrival should wake it; the other side,
 * after moving its index from old to new, notifies only if the event lies in
 * (old, new]. While a side is busy its event index falls behind and costs nothing.
 */

/*
 * Each line also carries the epoch its writer attached at: the life of the channel
 * (docs/ring.md "Restart"). An end uses the peer's index and event only while the
 * peer's epoch equals its own; RING_EPOCH_ATTACHING marks a line being reset.
 */
#define RING_EPOCH_ATTACHING	0xffffffffu

/* Written by the producer of one direction only. */
struct ring_prod_line {
	uint32_t prod;		/* 0x00: slots produced (published with release order) */
	uint32_t cons_event;	/* 0x04: notify the producer when cons reaches this */
	uint32_t epoch;		/* 0x08: the producer's epoch (written last on attach) */
	uint8_t rsvd_0x0c[52];
};

/* Written by the consumer of one direction only. */
struct ring_cons_line {
	uint32_t cons;		/* 0x00: slots consumed: the producer may reuse them */
	uint32_t prod_event;	/* 0x04: notify the consumer when prod reaches this */
	uint32_t epoch;		/* 0x08: the consumer's epoch (written last on attach) */
	uint8_t rsvd_0x0c[52];
};

/* One direction's indices: producer's line, then consumer's: no line has two writers. */
struct ring_dir {
	struct ring_prod_line p;	/* 0x00 */
	struct ring_cons_line c;	/* 0x40 */
};

struct ring_hdr {
	struct ring_dir req;		/* 0x00: front end produces, back end consumes */
	struct ring_dir rsp;		/* 0x80: back end produces, front end consumes */
};

_Static_assert(sizeof(struct ring_prod_line) == 64, "one cache line");
_Static_assert(sizeof(struct ring_cons_line) == 64, "one cache line");
_Static_assert(offsetof(struct ring_prod_line, cons_event) == 0x04, "cons_event at 0x04");
_Static_assert(offsetof(struct ring_cons_line, prod_event) == 0x04, "prod_event at 0x04");
_Static_assert(offsetof(struct ring_prod_line, epoch) == 0x08, "epoch at 0x08");
_Static_assert(offsetof(struct ring_cons_line, epoch) == 0x08, "epoch at 0x08");
_Static_assert(offsetof(struct ring_hdr, req.c) == 0x40, "req consumer line at 0x40");
_Static_assert(offsetof(struct ring_hdr, rsp.p) == 0x80, "rsp producer line at 0x80");
_Static_assert(offsetof(struct ring_hdr, rsp.c) == 0xc0, "rsp consumer line at 0xc0");
_Static_assert(sizeof(struct ring_hdr) == RING_HDR_SIZE, "header size");
_Static_assert(RING_SLOTS(RING_REGION_MIN) == 16, "16 slots per direction in 4K");
_Static_assert(RING_RSP_OFFSET(RING_REGION_MIN) + 16 * RING_SLOT_SIZE <= RING_REGION_MIN,
	       "both slot arrays fit the smallest region");
_Static_assert(RING_RSP_OFFSET(RING_REGION_MAX) + RING_SLOTS(RING_REGION_MAX) * RING_SLOT_SIZE
	       <= RING_REGION_MAX, "both slot arrays fit the largest region");

#endif
