/* SPDX-License-Identifier: MIT */
/* Paravirtual block, either end: building requests and responses, the export's slice arithmetic, validating a request's copy (docs/pvblk.md). */
#ifndef PVDEV_BLK_H
#define PVDEV_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/hv_errno.h"
#include "include/abi/pvblk.h"
#include "pvdev/ring.h"

/*
 * Freestanding C, no runtime: used by the back end (service partition), the front ends
 * (children) and host tests alike. Nothing here reads shared memory except
 * pvblk_be_next, which reads each request slot once through ring_rx_get.
 */

/*
 * What one channel exports, from the manifest and the disk (never from shared memory):
 * channel sector s is disk sector first_sector + s, for s < nsectors.
 */
struct pvblk_export {
	uint64_t first_sector;		/* disk sector of channel sector 0 */
	uint64_t nsectors;		/* >= 1; first_sector + nsectors <= 2^64 */
	bool readonly;
	bool can_discard;
	bool can_flush;			/* also true for a disk with no volatile cache */
	uint64_t data_size;		/* the channel's data region, bytes (start info) */
	uint32_t max_sectors_per_req;	/* >= 1 */
};

/* A request that passed pvblk_check: what the back end hands its disk driver. */
struct pvblk_io {
	uint64_t id;		/* the request's, for the response */
	uint16_t op;		/* enum pvblk_op */
	uint64_t disk_sector;	/* read/write/discard: first_sector + the request's sector */
	uint32_t count;		/* sectors; 0 for flush and info */
	uint64_t data_off;	/* read/write: in the data region; else 0 */
	uint64_t len;		/* read/write: count * PVBLK_SECTOR_SIZE bytes; else 0 */
};

/* ---- the export ---- */

/*
 * The export of the manifest's inclusive range [sector_first, sector_last] of a disk of
 * disk_sectors sectors (sector_last UINT64_MAX, MANIFEST_SECTORS_ALL: to the disk's
 * end), into e->first_sector and e->nsectors; the other fields are left alone. 0;
 * -HV_EINVAL for first > last; -HV_ERANGE for a range the disk does not hold whole
 * (never silently shrunk).
 */
int pvblk_export_slice(struct pvblk_export *e, uint64_t sector_first, uint64_t sector_last,
		       uint64_t disk_sectors) __attribute__((warn_unused_result));

/* True if e is one the back end may serve: non-empty, no wrap at 2^64, max >= 1. */
bool pvblk_export_ok(const struct pvblk_export *e);

/*
 * Channel sectors [sector, sector + count) (count >= 1) as disk sectors: true and
 * *disk = first_sector + sector if they all lie in the export and no sum wraps at 2^64.
 */
bool pvblk_slice_map(const struct pvblk_export *e, uint64_t sector, uint32_t count,
		     uint64_t *disk);

/* ---- the back end ---- */

/*
 * Validates the back end's private copy of a request against the export, in the order
 * of enum pvblk_status, and returns the first class that fails, or PVBLK_S_OK with *out
 * filled. Whatever the result, out->id and out->op are the copy's (for the response);
 * on failure the rest of *out is 0.
 */
enum pvblk_status pvblk_check(const struct pvblk_export *e, const struct pvblk_req *copy,
			      struct pvblk_io *out) __attribute__((warn_unused_result));

/*
 * Takes the next request from the req ring: copies the slot once (ring_rx_get) and
 * checks the copy. 1 with *io and *st set (answer *st != PVBLK_S_OK at once with
 * io->id); 0 if the ring is empty; -HV_EBADMSG if the front end published an impossible
 * index: shut the whole channel down, log it, never touch it again (docs/pvblk.md).
 */
int pvblk_be_next(struct ring_rx *rx, const struct pvblk_export *e, struct pvblk_io *io,
		  enum pvblk_status *st) __attribute__((warn_unused_result));

/* A response to the request io describes (only id and op are used). */
void pvblk_rsp_init(struct pvblk_rsp *r, const struct pvblk_io *io, enum pvblk_status st);

/* The response to a PVBLK_OP_INFO request: status OK and the export's geometry. */
void pvblk_rsp_info(struct pvblk_rsp *r, const struct pvblk_io *io, const struct pvblk_export *e);

/* ---- the front end ---- */

/* A request, every other byte 0. Fields the op does not use must be passed as 0. */
void pvblk_req_init(struct pvblk_req *r, uint64_t id, enum pvblk_op op, uint64_t sector,
		    uint32_t count, uint64_t data_off);

/*
 * The recommended data-region layout (docs/pvblk.md): one buffer per request in flight,
 * buffer i at i * buf_size. nbufs = PVBLK_MAX_INFLIGHT(ring_size); buf_size =
 * data_size / nbufs rounded down to PVBLK_DATA_ALIGN (page-aligned whenever data_size /
 * nbufs is a multiple of 4K); max_sectors = buf_size / 512, to be capped by the INFO
 * response's info_max_sectors.
 */
struct pvblk_layout {
	uint32_t nbufs;
	uint64_t buf_size;
	uint32_t max_sectors;
};

/* 0, or -HV_EINVAL for a ring size the ABI refuses or buffers under one sector. */
int pvblk_layout(uint64_t ring_size, uint64_t data_size, struct pvblk_layout *out)
	__attribute__((warn_unused_result));

static inline uint64_t pvblk_buf_off(const struct pvblk_layout *l, uint32_t i)
{
	return (uint64_t)i * l->buf_size;
}

#endif
