/* SPDX-License-Identifier: MIT */
/* The pvblk front end in a child partition: a block device over a channel's rings (docs/pvblk.md). */
#ifndef GUEST_DRIVERS_BLK_BLKFRONT_H
#define GUEST_DRIVERS_BLK_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/rt/rt.h"
#include "pvdev/blk.h"

/*
 * One request per buffer of the data region (pvblk_layout): the request's tag is its
 * buffer's index, so the in-flight limit holds by construction and a request slot and
 * a response slot are always free. Everything runs on vCPU 0 outside interrupts: the
 * event handler only sets a flag, and completions are delivered by blkfront_poll.
 *
 * Status of a completed request (blkfront_req.status, and the sync helpers' result):
 * PVBLK_S_OK (0); a positive PVBLK_S_* from the back end; or a negative -HV_E* from
 * the front end itself: -HV_ENOENT the link went down or came back at a new epoch (the
 * back end restarted) while the request was in flight, -HV_EBADMSG the back end
 * published an impossible ring index (channel shut down). Sync helpers also return
 * -HV_EBUSY when no answer came in time (the request stays in flight) and -HV_EINVAL
 * for arguments the device cannot take.
 */

#define BLKFRONT_MAX_REQS	64u	/* requests in flight at most (ring 16K) */
#define BLKFRONT_WAIT_S		10u	/* sync helpers and open give up after this */

struct blkfront;

struct blkfront_req {
	/* Set by the caller before blkfront_submit. */
	uint16_t op;			/* enum pvblk_op */
	uint32_t count;			/* sectors, at most blkfront.max_sectors */
	uint64_t sector;		/* channel sector */
	void *copy;			/* NULL: data in buf; else written from / read into copy */
	void (*done)(struct blkfront *f, struct blkfront_req *r);	/* from blkfront_poll */
	void *ctx;			/* the caller's */
	/* Set by blkfront. */
	int status;			/* see above; valid in done() */
	void *buf;			/* this request's buffer in the data region, buf_size bytes */
	uint64_t data_off;		/* buf's offset in the data region */
	uint32_t tag;			/* buffer index */
	uint32_t gen;			/* bumped at each submit: goes into the id */
	bool busy;			/* taken by blkfront_get, until done() returns */
	bool sent;			/* on the ring, response not yet taken */
};

enum blkfront_state {
	BLKFRONT_DOWN,		/* link down (or never up): nothing is sent */
	BLKFRONT_ATTACHING,	/* attached at the link epoch, INFO sent, not answered */
	BLKFRONT_READY,		/* INFO answered: requests go out */
	BLKFRONT_DEAD,		/* ring shut down (impossible index) until a new epoch */
};

struct blkfront_stats {
	uint64_t submitted, completed, failed;	/* failed: by the front end (status < 0) */
	uint64_t kicks;				/* events sent to the back end */
	uint64_t events;			/* events received on the channel port */
	uint64_t stray;				/* responses matching no request in flight */
	uint32_t inflight, max_inflight;
	uint32_t attaches;			/* INFO answered: 1 + re-attachments */
	uint32_t link_checks;			/* HC_EVTCHN_STATUS calls */
};

struct blkfront {
	const struct hv_start_channel *chan;
	struct ring_end ring;
	uint8_t *data;
	struct pvblk_layout layout;
	uint32_t port;
	uint32_t epoch;				/* the link epoch the ring is attached at */
	enum blkfront_state state;
	int err;				/* why DEAD */
	volatile bool look;			/* an event came: look at the link */
	uint64_t next_check;			/* TSC of the next periodic link check */
	/* From the INFO response. */
	uint64_t sectors;
	uint32_t max_sectors;			/* min(info, layout): count per request */
	uint32_t info_max_sectors;		/* the back end's own limit */
	uint32_t info_flags;			/* PVBLK_INFO_* */
	struct blkfront_req reqs[BLKFRONT_MAX_REQS];	/* layout.nbufs used */
	struct blkfront_req info_req;		/* the INFO of the current attachment */
	struct blkfront_stats st;
};

/* The pvblk channel named name this partition is the front end of (NULL: the first). */
const struct hv_start_channel *blkfront_channel(const char *name);

/*
 * Opens the channel (blkfront_channel(name)): binds its event port, attaches the ring at
 * the link epoch, sends INFO and waits (BLKFRONT_WAIT_S) for the answer. 0, -HV_ENOENT
 * (no such channel, or the back end never answered), -HV_EINVAL (a geometry it cannot
 * use), or the event binding's error. f must stay valid while the port is bound.
 */
int blkfront_open(struct blkfront *f, const char *name) __attribute__((warn_unused_result));
/* The same for channel i of the start info. */
int blkfront_open_index(struct blkfront *f, uint32_t i) __attribute__((warn_unused_result));

/* A free request with its buffer (r->buf); NULL if all are in flight or not READY. */
struct blkfront_req *blkfront_get(struct blkfront *f);
/* Gives back a request from blkfront_get that was not submitted. */
void blkfront_put(struct blkfront *f, struct blkfront_req *r);

/*
 * Sends r (from blkfront_get, fields set); notifies the back end only if it sleeps.
 * 0; -HV_EINVAL for a count of 0 or above max_sectors (read, write, discard); -HV_ENOENT
 * if the device is not READY. On error r stays the caller's. done() comes later, from
 * blkfront_poll, once; then r is free again.
 */
int blkfront_submit(struct blkfront *f, struct blkfront_req *r) __attribute__((warn_unused_result));
/*
 * Sends q as it is, except its id (r's tag and generation, so the answer finds r):
 * for tests that build malformed requests. Checks nothing; 0 or -HV_ENOENT.
 */
int blkfront_submit_raw(struct blkfront *f, struct blkfront_req *r, const struct pvblk_req *q)
	__attribute__((warn_unused_result));

/* Looks at the link if an event asked for it, takes responses and runs their done(). */
unsigned int blkfront_poll(struct blkfront *f);
/*
 * blkfront_poll; if nothing completed, asks to be woken by the next response and sleeps
 * until an event or tsc_deadline. The number completed.
 */
unsigned int blkfront_wait(struct blkfront *f, uint64_t tsc_deadline);

/* Synchronous helpers: split into max_sectors requests, one at a time. The status. */
int blkfront_read(struct blkfront *f, uint64_t sector, uint32_t count, void *dst);
int blkfront_write(struct blkfront *f, uint64_t sector, uint32_t count, const void *src);
int blkfront_flush(struct blkfront *f);
/* One request, sent and waited for: the status (or -HV_EBUSY after BLKFRONT_WAIT_S). */
int blkfront_sync(struct blkfront *f, struct blkfront_req *r);

#endif
