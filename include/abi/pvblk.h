/* SPDX-License-Identifier: MIT */
/* The paravirtual block protocol's wire format: requests, responses and status codes on a channel's rings (docs/pvblk.md). */
#ifndef ABI_PVBLK_H
#define ABI_PVBLK_H

#include <stddef.h>
#include <stdint.h>

#include "include/abi/ring.h"

/*
 * A pvblk channel is a channel of type HV_CHAN_PVBLK: its ring region carries the two
 * rings of include/abi/ring.h, one message per RING_SLOT_SIZE-byte slot: struct
 * pvblk_req on req (front end -> back end), struct pvblk_rsp on rsp (back end -> front
 * end). The data of reads and writes lives in the channel's data region, named by byte
 * offset; the back end's device DMAs straight into it.
 *
 * Requests in flight (sent, response not yet consumed) are at most the slot count per
 * direction, PVBLK_MAX_INFLIGHT(ring size): 16 with a 4K ring, 32 with 8K (the size a
 * pvblk channel needs for the queue depth of 32), 4096 with 1M. A front end
 * that keeps to it always finds a request slot free and the back end always finds room
 * for a response.
 */
#define PVBLK_MAX_INFLIGHT(ring_size)	RING_SLOTS(ring_size)
#define PVBLK_RING_QD32			0x2000u		/* the smallest ring for 32 in flight */

#define PVBLK_SECTOR_SIZE	512u	/* sectors are 512 bytes, whatever the disk says */
#define PVBLK_DATA_ALIGN	512u	/* data_off alignment: DMA wants 512-aligned buffers */

enum pvblk_op {
	/* 0 is never an operation: a zeroed slot is not a request. */
	PVBLK_OP_READ = 1,	/* disk -> data region: sector, count, data_off */
	PVBLK_OP_WRITE = 2,	/* data region -> disk: sector, count, data_off */
	PVBLK_OP_FLUSH = 3,	/* writes completed so far are on stable storage; no fields */
	PVBLK_OP_DISCARD = 4,	/* sector, count may be forgotten (read back: anything) */
	PVBLK_OP_INFO = 5,	/* the export's geometry, in the response; no fields */
};

/*
 * Response status, one per error class. pvblk_check (pvdev/blk.c) tests the classes in
 * this order and answers the first that fails; PVBLK_S_EIO comes from the device only.
 */
enum pvblk_status {
	PVBLK_S_OK = 0,
	PVBLK_S_EIO = 1,		/* the device reported an error */
	PVBLK_S_BAD_OP = 2,		/* op is none of enum pvblk_op */
	PVBLK_S_BAD_FIELD = 3,		/* flags, rsvd, or a field the op does not use, non-zero */
	PVBLK_S_UNSUPPORTED = 4,	/* flush or discard on an export without it (INFO flags) */
	PVBLK_S_READONLY = 5,		/* write or discard on a read-only export */
	PVBLK_S_BAD_COUNT = 6,		/* count 0 (read, write, discard), non-0 (flush, info),
					   or above the export's max_sectors */
	PVBLK_S_RANGE = 7,		/* [sector, sector + count) not inside the export */
	PVBLK_S_UNALIGNED = 8,		/* data_off not a multiple of PVBLK_DATA_ALIGN */
	PVBLK_S_DATA = 9,		/* [data_off, data_off + count * 512) not inside the data region */
	PVBLK_S_COUNT_			/* number of codes (not a status) */
};

/* One request: a ring slot, written by the front end. Fields an op does not use are 0. */
struct pvblk_req {
	uint64_t id;		/* 0x00: the front end's tag, echoed in the response; opaque */
	uint16_t op;		/* 0x08: enum pvblk_op */
	uint16_t flags;		/* 0x0a: none defined yet: 0 */
	uint32_t count;		/* 0x0c: sectors: 1..max_sectors (read, write, discard) */
	uint64_t sector;	/* 0x10: first sector, counted from the start of the export */
	uint64_t data_off;	/* 0x18: read/write: byte offset in the data region, 512-aligned */
	uint8_t rsvd_0x20[32];	/* 0x20: 0 */
};

/* pvblk_rsp.info_flags */
#define PVBLK_INFO_READONLY	(1u << 0)	/* writes and discards fail */
#define PVBLK_INFO_FLUSH	(1u << 1)	/* PVBLK_OP_FLUSH works */
#define PVBLK_INFO_DISCARD	(1u << 2)	/* PVBLK_OP_DISCARD works */

/* One response: a ring slot, written by the back end. The info_* fields: INFO only, else 0. */
struct pvblk_rsp {
	uint64_t id;		/* 0x00: the request's id */
	uint16_t op;		/* 0x08: the request's op, as sent (even a bad one) */
	uint16_t rsvd_0x0a;	/* 0x0a: 0 */
	uint32_t status;	/* 0x0c: enum pvblk_status */
	uint64_t info_sectors;	/* 0x10: INFO: sectors in the export (channel sectors 0..n-1) */
	uint32_t info_max_sectors;	/* 0x18: INFO: largest count per request */
	uint32_t info_flags;	/* 0x1c: INFO: PVBLK_INFO_* */
	uint8_t rsvd_0x20[32];	/* 0x20: 0 */
};

_Static_assert(sizeof(struct pvblk_req) == RING_SLOT_SIZE, "a request is one ring slot");
_Static_assert(sizeof(struct pvblk_rsp) == RING_SLOT_SIZE, "a response is one ring slot");
_Static_assert(offsetof(struct pvblk_req, op) == 0x08, "req.op at 0x08");
_Static_assert(offsetof(struct pvblk_req, count) == 0x0c, "req.count at 0x0c");
_Static_assert(offsetof(struct pvblk_req, sector) == 0x10, "req.sector at 0x10");
_Static_assert(offsetof(struct pvblk_req, data_off) == 0x18, "req.data_off at 0x18");
_Static_assert(offsetof(struct pvblk_rsp, status) == 0x0c, "rsp.status at 0x0c");
_Static_assert(offsetof(struct pvblk_rsp, info_sectors) == 0x10, "rsp.info_sectors at 0x10");
_Static_assert(offsetof(struct pvblk_rsp, info_flags) == 0x1c, "rsp.info_flags at 0x1c");
_Static_assert(PVBLK_MAX_INFLIGHT(RING_REGION_MIN) == 16, "16 in flight with a 4K ring");
_Static_assert(PVBLK_MAX_INFLIGHT(PVBLK_RING_QD32) == 32, "32 in flight with an 8K ring");

#endif
