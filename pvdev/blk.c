/* SPDX-License-Identifier: MIT */
/* Paravirtual block: the export's slice arithmetic and the back end's checks on its copy of each request (docs/pvblk.md). */
#include "pvdev/blk.h"

/* What each operation uses; ops outside the table are PVBLK_S_BAD_OP. */
struct pvblk_op_desc {
	bool valid;
	bool sectors;		/* sector and count name sectors of the export */
	bool data;		/* data_off and count name bytes of the data region */
	bool writes;		/* changes the disk: refused on a read-only export */
};

static const struct pvblk_op_desc pvblk_ops[] = {
	[PVBLK_OP_READ] = { .valid = true, .sectors = true, .data = true },
	[PVBLK_OP_WRITE] = { .valid = true, .sectors = true, .data = true, .writes = true },
	[PVBLK_OP_FLUSH] = { .valid = true },
	[PVBLK_OP_DISCARD] = { .valid = true, .sectors = true, .writes = true },
	[PVBLK_OP_INFO] = { .valid = true },
};

#define PVBLK_NOPS	(sizeof(pvblk_ops) / sizeof(pvblk_ops[0]))

/* ---- the export ---- */

int pvblk_export_slice(struct pvblk_export *e, uint64_t sector_first, uint64_t sector_last,
		       uint64_t disk_sectors)
{
	if (sector_first > sector_last)
		return -HV_EINVAL;
	if (sector_first >= disk_sectors)
		return -HV_ERANGE;
	if (sector_last == UINT64_MAX)
		sector_last = disk_sectors - 1;		/* the whole disk from sector_first */
	else if (sector_last >= disk_sectors)
		return -HV_ERANGE;
	e->first_sector = sector_first;
	e->nsectors = sector_last - sector_first + 1;	/* last < UINT64_MAX: no wrap */
	return 0;
}

bool pvblk_export_ok(const struct pvblk_export *e)
{
	/* The last disk sector, first + n - 1, must be representable. */
	return e->nsectors && e->first_sector <= UINT64_MAX - (e->nsectors - 1) &&
	       e->max_sectors_per_req;
}

bool pvblk_slice_map(const struct pvblk_export *e, uint64_t sector, uint32_t count,
		     uint64_t *disk)
{
	uint64_t d;

	if (!count || sector >= e->nsectors || count > e->nsectors - sector)
		return false;
	/* Implied by pvblk_export_ok, checked anyway: an export is not a proof. */
	if (__builtin_add_overflow(e->first_sector, sector, &d) || d > UINT64_MAX - (count - 1))
		return false;
	*disk = d;
	return true;
}

/* ---- the back end ---- */

static bool pvblk_rsvd_zero(const struct pvblk_req *q)
{
	uint8_t any = 0;

	for (unsigned int i = 0; i < sizeof(q->rsvd_0x20); i++)
		any |= q->rsvd_0x20[i];
	return !any && !q->flags;
}

/* The fields an op does not use must be 0: they may mean something one day. */
static bool pvblk_unused_zero(const struct pvblk_op_desc *d, const struct pvblk_req *q)
{
	return (d->sectors || !q->sector) && (d->data || !q->data_off);
}

static enum pvblk_status pvblk_check_count(const struct pvblk_export *e,
					   const struct pvblk_op_desc *d, uint32_t count)
{
	if (!d->sectors)
		return count ? PVBLK_S_BAD_COUNT : PVBLK_S_OK;
	return count && count <= e->max_sectors_per_req ? PVBLK_S_OK : PVBLK_S_BAD_COUNT;
}

/* Classes in enum pvblk_status order; the copy is private, so each field is read as is. */
static enum pvblk_status pvblk_classify(const struct pvblk_export *e, const struct pvblk_req *q,
					struct pvblk_io *io)
{
	const struct pvblk_op_desc *d;
	enum pvblk_status st;

	if (q->op >= PVBLK_NOPS || !pvblk_ops[q->op].valid)
		return PVBLK_S_BAD_OP;
	d = &pvblk_ops[q->op];
	if (!pvblk_rsvd_zero(q) || !pvblk_unused_zero(d, q))
		return PVBLK_S_BAD_FIELD;
	if ((q->op == PVBLK_OP_FLUSH && !e->can_flush) ||
	    (q->op == PVBLK_OP_DISCARD && !e->can_discard))
		return PVBLK_S_UNSUPPORTED;
	if (d->writes && e->readonly)
		return PVBLK_S_READONLY;
	st = pvblk_check_count(e, d, q->count);
	if (st)
		return st;
	if (d->sectors && !pvblk_slice_map(e, q->sector, q->count, &io->disk_sector))
		return PVBLK_S_RANGE;
	if (d->data && q->data_off % PVBLK_DATA_ALIGN)
		return PVBLK_S_UNALIGNED;
	/* count <= UINT32_MAX: len < 2^41, no wrap; ring_data_ok checks off + len. */
	if (d->data && !ring_data_ok(q->data_off, (uint64_t)q->count * PVBLK_SECTOR_SIZE,
				     e->data_size))
		return PVBLK_S_DATA;
	io->count = q->count;
	if (d->data) {
		io->data_off = q->data_off;
		io->len = (uint64_t)q->count * PVBLK_SECTOR_SIZE;
	}
	return PVBLK_S_OK;
}

enum pvblk_status pvblk_check(const struct pvblk_export *e, const struct pvblk_req *copy,
			      struct pvblk_io *out)
{
	enum pvblk_status st;

	*out = (struct pvblk_io){ .id = copy->id, .op = copy->op };
	st = pvblk_classify(e, copy, out);
	if (st)
		*out = (struct pvblk_io){ .id = copy->id, .op = copy->op };
	return st;
}

int pvblk_be_next(struct ring_rx *rx, const struct pvblk_export *e, struct pvblk_io *io,
		  enum pvblk_status *st)
{
	struct pvblk_req copy;
	int r = ring_rx_get(rx, &copy);

	if (r != 1)
		return r;
	*st = pvblk_check(e, &copy, io);
	return 1;
}

void pvblk_rsp_init(struct pvblk_rsp *r, const struct pvblk_io *io, enum pvblk_status st)
{
	*r = (struct pvblk_rsp){ .id = io->id, .op = io->op, .status = (uint32_t)st };
}

void pvblk_rsp_info(struct pvblk_rsp *r, const struct pvblk_io *io, const struct pvblk_export *e)
{
	pvblk_rsp_init(r, io, PVBLK_S_OK);
	r->info_sectors = e->nsectors;
	r->info_max_sectors = e->max_sectors_per_req;
	r->info_flags = (e->readonly ? PVBLK_INFO_READONLY : 0) |
			(e->can_flush ? PVBLK_INFO_FLUSH : 0) |
			(e->can_discard ? PVBLK_INFO_DISCARD : 0);
}

/* ---- the front end ---- */

void pvblk_req_init(struct pvblk_req *r, uint64_t id, enum pvblk_op op, uint64_t sector,
		    uint32_t count, uint64_t data_off)
{
	*r = (struct pvblk_req){ .id = id, .op = (uint16_t)op, .count = count, .sector = sector,
				 .data_off = data_off };
}

int pvblk_layout(uint64_t ring_size, uint64_t data_size, struct pvblk_layout *out)
{
	uint64_t buf;
	uint32_t n;

	if (!ring_size_ok(ring_size))
		return -HV_EINVAL;
	n = PVBLK_MAX_INFLIGHT(ring_size);
	buf = data_size / n / PVBLK_DATA_ALIGN * PVBLK_DATA_ALIGN;
	if (!buf)
		return -HV_EINVAL;
	/* data_size <= 64M in practice; cap the sector count to what count can hold. */
	*out = (struct pvblk_layout){ .nbufs = n, .buf_size = buf,
				      .max_sectors = buf / PVBLK_SECTOR_SIZE > UINT32_MAX ?
						     UINT32_MAX :
						     (uint32_t)(buf / PVBLK_SECTOR_SIZE) };
	return 0;
}
