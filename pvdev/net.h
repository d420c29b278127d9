/* SPDX-License-Identifier: MIT */
/* Paravirtual network, either end: MAC helpers, validating a descriptor's copy, the back end's held receive buffers, the front end's data layout (docs/pvnet.md). */
#ifndef PVDEV_NET_H
#define PVDEV_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/hv_errno.h"
#include "include/abi/pvnet.h"
#include "include/abi/startinfo.h"
#include "pvdev/ring.h"

/*
 * Freestanding C, no runtime: used by the back end (service partition), the front ends
 * (children) and host tests alike. Shared memory is touched only by pvnet_be_next (each
 * request slot read once, through ring_rx_get) and pvnet_be_deliver (writes a frame into
 * a buffer the front end posted, then the answer).
 */

/* ---- MAC addresses ---- */

static inline bool pvnet_mac_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return !d;
}

/* Group address (IEEE 802-2014 8.2: I/G bit, the first octet's bit 0); broadcast is one. */
static inline bool pvnet_mac_group(const uint8_t *m)
{
	return m[0] & 1u;
}

static inline bool pvnet_mac_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* A station's own address: an individual address, not all zeroes. */
static inline bool pvnet_mac_ok(const uint8_t *m)
{
	return !pvnet_mac_group(m) && !pvnet_mac_zero(m);
}

static inline const uint8_t *pvnet_eth_dst(const uint8_t *frame)
{
	return frame;
}

static inline const uint8_t *pvnet_eth_src(const uint8_t *frame)
{
	return frame + PVNET_MAC_LEN;
}

/* ---- one channel, as the back end sees it ---- */

/* From the start info (never from shared memory). */
struct pvnet_cfg {
	uint64_t data_size;		/* the channel's data region, bytes */
	uint32_t frame_max;		/* largest frame taken and delivered: PVNET_FRAME_MAX */
	uint8_t mac[PVNET_MAC_LEN];	/* the front end's, from the manifest */
};

/*
 * The settings of start-info channel ch with settings cc: 0; -HV_EINVAL if it is not a
 * pvnet channel, its ring size is one the ABI refuses, or its MAC is not an individual,
 * non-zero address (the manifest checker refuses those too: checked anyway).
 */
int pvnet_cfg_init(struct pvnet_cfg *cfg, const struct hv_start_channel *ch,
		   const struct hv_start_chan_cfg *cc) __attribute__((warn_unused_result));

/* A request that passed pvnet_check: what the back end acts on. */
struct pvnet_desc {
	uint64_t id;		/* the request's, for the answer */
	uint16_t type;		/* enum pvnet_type (on failure: the copy's, as sent) */
	uint32_t len;		/* TX: frame bytes; RX: buffer bytes; 0 on failure */
	uint64_t off;		/* in the data region; the copy's even on failure (echoed) */
};

/*
 * Validates the back end's private copy of a request, in the order of enum
 * pvnet_status, and returns the first class that fails, or PVNET_S_OK. Whatever the
 * result, out->id, out->type and out->off are the copy's (for the answer); on failure
 * out->len is 0.
 */
enum pvnet_status pvnet_check(const struct pvnet_cfg *cfg, const struct pvnet_req *copy,
			      struct pvnet_desc *out) __attribute__((warn_unused_result));

/*
 * Takes the next request from the req ring, if the rsp ring has room for its answer
 * beyond the `held` receive buffers the back end holds (each owed an answer): copies
 * the slot once (ring_rx_get) and checks the copy. 1 with *d and *st set (answer a TX,
 * and an RX with *st != OK, at once); 0 if the ring is empty or there is no room (the
 * front end is over its limit, or not taking answers: the pressure stays on it);
 * -HV_EBADMSG if either ring's peer index is impossible: shut the channel down, log it,
 * never touch it again in this life (docs/pvnet.md).
 */
int pvnet_be_next(struct ring_end *be, const struct pvnet_cfg *cfg, uint32_t held,
		  struct pvnet_desc *d, enum pvnet_status *st) __attribute__((warn_unused_result));

/* The answer to the request d describes; len: RX, OK only (the frame's bytes), else 0. */
void pvnet_rsp_init(struct pvnet_rsp *r, const struct pvnet_desc *d, enum pvnet_status st,
		    uint32_t len);

/* ---- the back end's receive buffers: posted, waiting for a frame ---- */

/*
 * A FIFO of the RX descriptors one channel posted (checked), in caller storage of cap
 * entries (PVNET_MAX_INFLIGHT of the channel is enough: pvnet_be_next never takes more).
 */
struct pvnet_rxq {
	struct pvnet_desc *buf;
	uint32_t cap;
	uint32_t head;		/* oldest */
	uint32_t count;
};

void pvnet_rxq_init(struct pvnet_rxq *q, struct pvnet_desc *storage, uint32_t cap);

/* Appends a checked RX descriptor: true, or false if the queue is full. */
bool pvnet_rxq_push(struct pvnet_rxq *q, const struct pvnet_desc *d)
	__attribute__((warn_unused_result));

/* Takes the oldest: true, or false if none is posted. */
bool pvnet_rxq_pop(struct pvnet_rxq *q, struct pvnet_desc *d) __attribute__((warn_unused_result));

/*
 * Delivers a frame (len bytes, 1..cfg->frame_max, from the back end's private memory)
 * into the oldest posted buffer of the channel whose data region is mapped at data, and
 * puts its RX answer (unpublished: ring_tx_push once per batch). 1; -HV_EBUSY if no
 * buffer is posted (drop the frame, count "no buffer"); -HV_EINVAL for a len the
 * buffer cannot hold (the caller's bug: pvnet_check refused smaller buffers); an error
 * of the rsp ring (shut the channel down).
 */
int pvnet_be_deliver(struct ring_tx *tx, struct pvnet_rxq *q, uint8_t *data,
		     const void *frame, uint32_t len) __attribute__((warn_unused_result));

/* ---- the front end ---- */

/* A request, every other byte 0. */
void pvnet_req_init(struct pvnet_req *r, uint64_t id, enum pvnet_type type, uint64_t off,
		    uint32_t len);

/*
 * The recommended data-region layout: nbufs = min(PVNET_MAX_INFLIGHT(ring_size),
 * data_size / PVNET_BUF_MIN) buffers of buf_size = data_size / nbufs rounded down to 64
 * bytes; the first ntx (half, rounded down) for frames to send, the other nrx for
 * receive buffers, each posted once and posted again after its frame is taken. A front
 * end with at most ntx frames in flight and nrx buffers posted keeps to the limit.
 */
#define PVNET_BUF_MIN		1536u	/* PVNET_FRAME_MAX rounded up to 64 */

struct pvnet_layout {
	uint32_t nbufs;
	uint32_t ntx;
	uint32_t nrx;
	uint64_t buf_size;
};

/* 0, or -HV_EINVAL for a ring size the ABI refuses or a data region under two buffers. */
int pvnet_layout(uint64_t ring_size, uint64_t data_size, struct pvnet_layout *out)
	__attribute__((warn_unused_result));

static inline uint64_t pvnet_tx_off(const struct pvnet_layout *l, uint32_t i)
{
	return (uint64_t)i * l->buf_size;
}

static inline uint64_t pvnet_rx_off(const struct pvnet_layout *l, uint32_t i)
{
	return (uint64_t)(l->ntx + i) * l->buf_size;
}

#endif
