/* SPDX-License-Identifier: MIT */
/* Shared rings, either end: put and get slots, publish indices, decide when to notify (docs/ring.md). */
#ifndef PVDEV_RING_H
#define PVDEV_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/hv_errno.h"
#include "include/abi/ring.h"

/*
 * Freestanding C, used by partitions (front and back ends) and host tests alike.
 * Everything a peer can write is read once into private state and checked there; the
 * private copies below are the only truth this end acts on.
 *
 * Errors: -HV_EINVAL for a bad region; -HV_EBADMSG once the peer has published an
 * impossible index. That shuts this direction down for good (every later call returns
 * the same error): the caller logs it and stops using the channel.
 */

/* The producing end of one direction. */
struct ring_tx {
	struct ring_prod_line *mine;		/* shared, written only here */
	const struct ring_cons_line *peer;	/* shared, written by the consumer */
	uint8_t *slots;				/* shared */
	uint32_t mask;				/* slots - 1 */
	uint32_t prod;				/* next slot to fill */
	uint32_t pushed;			/* the prod last published */
	uint32_t cons;				/* the consumer's index last seen, checked */
	uint32_t epoch;				/* the channel life this end attached to */
	int err;				/* 0, or why the ring is shut down */
};

/* The consuming end of one direction. */
struct ring_rx {
	struct ring_cons_line *mine;
	const struct ring_prod_line *peer;
	const uint8_t *slots;
	uint32_t mask;
	uint32_t cons;				/* next slot to read */
	uint32_t released;			/* the cons last published */
	uint32_t prod;				/* the producer's index last seen, checked */
	uint32_t epoch;				/* the channel life this end attached to */
	int err;
};

/* One end of a channel: the front end sends requests and receives responses. */
struct ring_end {
	struct ring_tx tx;
	struct ring_rx rx;
};

/* True if size is a ring region size the ABI allows (a power of two, 4K to 1M). */
bool ring_size_ok(uint64_t size);

/*
 * Attaches to the region (64-byte aligned, size bytes) as the back end or the front
 * end, for the channel life `epoch` (the link epoch of the channel's event port,
 * EVTCHN_STATUS_EPOCH; not RING_EPOCH_ATTACHING). Writes this end's two lines (indices
 * 0, "wake me on the first message", then the epoch) and nothing of the peer's: call it
 * before the first message of each channel life, and again, with the new epoch, when
 * the peer restarts. Until the peer has attached at the same epoch this end sees
 * nothing of it: no message, no free slot beyond its own view, every push notifies.
 */
int ring_end_attach(struct ring_end *e, void *region, uint64_t size, bool backend,
		    uint32_t epoch) __attribute__((warn_unused_result));

/* ring_end_attach at epoch 0: for ends that never see a restart (and tests). */
int ring_end_init(struct ring_end *e, void *region, uint64_t size, bool backend)
	__attribute__((warn_unused_result));

/* ---- producer ---- */

/* Free slots (>= 0), after reading and checking the consumer's index. */
int ring_tx_space(struct ring_tx *t) __attribute__((warn_unused_result));

/* Copies one RING_SLOT_SIZE-byte message in, unpublished: 1, 0 if full, or an error. */
int ring_tx_put(struct ring_tx *t, const void *msg) __attribute__((warn_unused_result));

/* Publishes what ring_tx_put filled. True if the consumer asked to be notified. */
bool ring_tx_push(struct ring_tx *t) __attribute__((warn_unused_result));

/*
 * Before sleeping for space (after ring_tx_push: the consumer sees only what was
 * published): asks to be notified once `want` slots (1 to slots) are free, then looks
 * again. Returns the free slots now (sleep only if below want) or an error.
 */
int ring_tx_arm(struct ring_tx *t, uint32_t want) __attribute__((warn_unused_result));

/* ---- consumer ---- */

/*
 * Copies the next message out (one read of the slot, into msg: validate the copy, never
 * the slot): 1, 0 if the ring is empty, or an error.
 */
int ring_rx_get(struct ring_rx *r, void *msg) __attribute__((warn_unused_result));

/* Gives the slots read so far back. True if the producer asked to be notified. */
bool ring_rx_release(struct ring_rx *r) __attribute__((warn_unused_result));

/*
 * Before sleeping for messages (after ring_rx_release, or a producer waiting for room
 * may wait forever): asks to be notified by the next one, then looks again. Returns the
 * messages waiting now (sleep only if 0) or an error.
 */
int ring_rx_arm(struct ring_rx *r) __attribute__((warn_unused_result));

/* ---- the data region ---- */

/* True if [off, off + len) lies inside a data region of size bytes (no overflow). */
static inline bool ring_data_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

#endif
