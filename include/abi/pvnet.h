/* SPDX-License-Identifier: MIT */
/* The paravirtual network protocol's wire format: transmit and receive descriptors, answers and status codes on a channel's rings (docs/pvnet.md). */
#ifndef ABI_PVNET_H
#define ABI_PVNET_H

#include <stddef.h>
#include <stdint.h>

#include "include/abi/ring.h"

/*
 * A pvnet channel is a channel of type HV_CHAN_PVNET: its ring region carries the two
 * rings of include/abi/ring.h, one message per RING_SLOT_SIZE-byte slot. Both kinds of
 * request share the req ring (front end -> back end): PVNET_TX hands the back end a
 * frame to send, PVNET_RX posts an empty buffer for a frame to come. Every request is
 * answered once on the rsp ring (back end -> front end): a TX when the frame has left
 * the buffer (copied), an RX when a frame was written into the buffer. One ring pair
 * and one event port serve both directions of traffic: a wake-up covers transmit
 * completions and received frames alike.
 *
 * Frames and buffers live in the channel's data region, named by byte offset; the
 * front end manages it (pvnet_layout in pvdev/net.h is the recommended split).
 *
 * Requests outstanding (sent, answer not yet consumed: frames being sent plus receive
 * buffers posted) are at most the slot count per direction, PVNET_MAX_INFLIGHT(ring
 * size). A front end that keeps to it always finds a request slot free; the back end
 * takes a request only while the rsp ring has room for its answer and for the answers
 * of every buffer it holds, so it never has an answer it cannot give.
 */
#define PVNET_MAX_INFLIGHT(ring_size)	RING_SLOTS(ring_size)

/* Ethernet frames without FCS: destination, source, type, payload. */
#define PVNET_ETH_HLEN		14u	/* the header: the shortest frame the back end takes */
#define PVNET_FRAME_MIN		PVNET_ETH_HLEN
#define PVNET_FRAME_MAX		1514u	/* no VLAN tag, no jumbo frames (docs/pvnet.md) */
#define PVNET_MAC_LEN		6u

/* A receive buffer holds the largest frame: a front end posting less is refused. */
#define PVNET_RX_BUF_MIN	PVNET_FRAME_MAX

enum pvnet_type {
	/* 0 is never a request: a zeroed slot is not one. */
	PVNET_TX = 1,		/* send the len-byte frame at off */
	PVNET_RX = 2,		/* the len-byte buffer at off is free for one received frame */
};

/*
 * Answer status, one per error class. pvnet_check (pvdev/net.c) tests the descriptor
 * classes in this order and answers the first that fails; PVNET_S_SPOOFED comes from
 * the switch, after the checks, for a TX whose source MAC is not the channel's.
 */
enum pvnet_status {
	PVNET_S_OK = 0,
	PVNET_S_BAD_TYPE = 1,	/* type is none of enum pvnet_type */
	PVNET_S_BAD_FIELD = 2,	/* flags or rsvd non-zero */
	PVNET_S_SHORT = 3,	/* TX: len < PVNET_FRAME_MIN (0 included); RX: len < the
				   largest frame the back end delivers */
	PVNET_S_LONG = 4,	/* TX: len > the largest frame the back end sends */
	PVNET_S_DATA = 5,	/* [off, off + len) not inside the data region (no wrap) */
	PVNET_S_SPOOFED = 6,	/* TX: the frame's source MAC is not the channel's: dropped */
	PVNET_S_COUNT_		/* number of codes (not a status) */
};

/* One request: a ring slot, written by the front end. */
struct pvnet_req {
	uint64_t id;		/* 0x00: the front end's tag, echoed in the answer; opaque */
	uint16_t type;		/* 0x08: enum pvnet_type */
	uint16_t flags;		/* 0x0a: none defined yet: 0 */
	uint32_t len;		/* 0x0c: TX: frame bytes; RX: buffer bytes */
	uint64_t off;		/* 0x10: byte offset in the data region; any alignment */
	uint8_t rsvd_0x18[40];	/* 0x18: 0 */
};

/* One answer: a ring slot, written by the back end. */
struct pvnet_rsp {
	uint64_t id;		/* 0x00: the request's id */
	uint16_t type;		/* 0x08: the request's type, as sent (even a bad one) */
	uint16_t rsvd_0x0a;	/* 0x0a: 0 */
	uint32_t status;	/* 0x0c: enum pvnet_status */
	uint32_t len;		/* 0x10: RX, OK: bytes of the frame written at off; else 0 */
	uint32_t rsvd_0x14;	/* 0x14: 0 */
	uint64_t off;		/* 0x18: the request's off, as the back end copied it */
	uint8_t rsvd_0x20[32];	/* 0x20: 0 */
};

_Static_assert(sizeof(struct pvnet_req) == RING_SLOT_SIZE, "a request is one ring slot");
_Static_assert(sizeof(struct pvnet_rsp) == RING_SLOT_SIZE, "an answer is one ring slot");
_Static_assert(offsetof(struct pvnet_req, type) == 0x08, "req.type at 0x08");
_Static_assert(offsetof(struct pvnet_req, flags) == 0x0a, "req.flags at 0x0a");
_Static_assert(offsetof(struct pvnet_req, len) == 0x0c, "req.len at 0x0c");
_Static_assert(offsetof(struct pvnet_req, off) == 0x10, "req.off at 0x10");
_Static_assert(offsetof(struct pvnet_rsp, status) == 0x0c, "rsp.status at 0x0c");
_Static_assert(offsetof(struct pvnet_rsp, len) == 0x10, "rsp.len at 0x10");
_Static_assert(offsetof(struct pvnet_rsp, off) == 0x18, "rsp.off at 0x18");
_Static_assert(PVNET_MAX_INFLIGHT(RING_REGION_MIN) == 16, "16 outstanding with a 4K ring");

#endif
