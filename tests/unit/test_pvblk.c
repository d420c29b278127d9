/* SPDX-License-Identifier: MIT */
/* Unit tests for pvblk: wire layout, export slices, every request error class and its boundaries, the rings at queue depth 32, notifications, bad indices. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/pvblk.h"
#include "pvdev/blk.h"

#define S		PVBLK_SECTOR_SIZE

/* A 1000-sector slice at disk sector 2048, a 64K data region, 128 sectors per request. */
static const struct pvblk_export ex = {
	.first_sector = 2048, .nsectors = 1000, .can_discard = true, .can_flush = true,
	.data_size = 0x10000, .max_sectors_per_req = 128,
};

static struct pvblk_req rq(uint16_t op, uint64_t sector, uint32_t count, uint64_t off)
{
	struct pvblk_req r;

	pvblk_req_init(&r, 0x1234, (enum pvblk_op)op, sector, count, off);
	return r;
}

/* The status of r against e; on failure io must carry nothing but id and op. */
static enum pvblk_status chk(const struct pvblk_export *e, struct pvblk_req r)
{
	struct pvblk_io io;
	enum pvblk_status st;

	memset(&io, 0xa5, sizeof(io));
	st = pvblk_check(e, &r, &io);
	assert_int_equal(io.id, r.id);
	assert_int_equal(io.op, r.op);
	if (st) {
		assert_int_equal(io.disk_sector, 0);
		assert_int_equal(io.count, 0);
		assert_int_equal(io.data_off, 0);
		assert_int_equal(io.len, 0);
	}
	return st;
}

/* ---- wire layout ---- */

static void test_abi(void **state)
{
	struct pvblk_req r;

	assert_int_equal(sizeof(struct pvblk_req), 64);
	assert_int_equal(sizeof(struct pvblk_rsp), 64);
	assert_int_equal(PVBLK_MAX_INFLIGHT(0x1000), 16);
	assert_int_equal(PVBLK_MAX_INFLIGHT(PVBLK_RING_QD32), 32);
	assert_int_equal(PVBLK_MAX_INFLIGHT(RING_REGION_MAX), 4096);
	assert_int_equal(PVBLK_S_COUNT_, 10);
	/* pvblk_req_init leaves every other byte 0. */
	memset(&r, 0xff, sizeof(r));
	pvblk_req_init(&r, 7, PVBLK_OP_WRITE, 9, 3, 4096);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.op, PVBLK_OP_WRITE);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.sector, 9);
	assert_int_equal(r.data_off, 4096);
	for (unsigned int i = 0; i < sizeof(r.rsvd_0x20); i++)
		assert_int_equal(r.rsvd_0x20[i], 0);
}

/* ---- the export ---- */

static void test_export_slice(void **state)
{
	struct pvblk_export e = ex;

	assert_int_equal(pvblk_export_slice(&e, 0, UINT64_MAX, 1000), 0);
	assert_int_equal(e.first_sector, 0);
	assert_int_equal(e.nsectors, 1000);
	assert_int_equal(pvblk_export_slice(&e, 100, UINT64_MAX, 1000), 0);
	assert_int_equal(e.nsectors, 900);
	assert_int_equal(pvblk_export_slice(&e, 100, 199, 1000), 0);
	assert_int_equal(e.first_sector, 100);
	assert_int_equal(e.nsectors, 100);
	assert_int_equal(pvblk_export_slice(&e, 999, 999, 1000), 0);	/* the last sector */
	assert_int_equal(e.nsectors, 1);
	assert_int_equal(pvblk_export_slice(&e, 0, 999, 1000), 0);
	assert_int_equal(e.nsectors, 1000);
	/* Refused, never shrunk; e untouched. */
	e = ex;
	assert_int_equal(pvblk_export_slice(&e, 0, 1000, 1000), -HV_ERANGE);
	assert_int_equal(pvblk_export_slice(&e, 1000, UINT64_MAX, 1000), -HV_ERANGE);
	assert_int_equal(pvblk_export_slice(&e, 1000, 1000, 1000), -HV_ERANGE);
	assert_int_equal(pvblk_export_slice(&e, 0, UINT64_MAX, 0), -HV_ERANGE);
	assert_int_equal(pvblk_export_slice(&e, 5, 4, 1000), -HV_EINVAL);
	assert_int_equal(e.first_sector, ex.first_sector);
	assert_int_equal(e.nsectors, ex.nsectors);
	/* The largest disk there can be. */
	assert_int_equal(pvblk_export_slice(&e, UINT64_MAX - 1, UINT64_MAX, UINT64_MAX), 0);
	assert_int_equal(e.nsectors, 1);
	assert_int_equal(e.first_sector, UINT64_MAX - 1);
}

static void test_export_ok(void **state)
{
	struct pvblk_export e = ex;

	assert_true(pvblk_export_ok(&e));
	e.nsectors = 0;
	assert_false(pvblk_export_ok(&e));
	e = ex;
	e.max_sectors_per_req = 0;
	assert_false(pvblk_export_ok(&e));
	/* The last sector first + n - 1 must exist: up to UINT64_MAX, not one beyond. */
	e = ex;
	e.first_sector = UINT64_MAX;
	e.nsectors = 1;
	assert_true(pvblk_export_ok(&e));
	e.nsectors = 2;
	assert_false(pvblk_export_ok(&e));
	e.first_sector = 0;
	e.nsectors = UINT64_MAX;
	assert_true(pvblk_export_ok(&e));
	e.first_sector = 1;
	assert_true(pvblk_export_ok(&e));
	e.first_sector = 2;
	assert_false(pvblk_export_ok(&e));
}

static void test_slice_map(void **state)
{
	struct pvblk_export e = ex;
	uint64_t d = 0;

	assert_true(pvblk_slice_map(&e, 0, 1, &d));
	assert_int_equal(d, 2048);
	assert_true(pvblk_slice_map(&e, 999, 1, &d));		/* the last sector */
	assert_int_equal(d, 2048 + 999);
	assert_true(pvblk_slice_map(&e, 0, 1000, &d));		/* all of it */
	assert_false(pvblk_slice_map(&e, 1000, 1, &d));		/* one past */
	assert_false(pvblk_slice_map(&e, 999, 2, &d));		/* runs one past */
	assert_false(pvblk_slice_map(&e, 0, 1001, &d));
	assert_false(pvblk_slice_map(&e, 0, 0, &d));
	assert_false(pvblk_slice_map(&e, UINT64_MAX, 1, &d));
	assert_false(pvblk_slice_map(&e, UINT64_MAX - 1, 4, &d));	/* sector + count wraps */
	/* A slice at the top of the 64-bit sector space. */
	e.first_sector = UINT64_MAX - 9;
	e.nsectors = 10;
	assert_true(pvblk_slice_map(&e, 9, 1, &d));
	assert_int_equal(d, UINT64_MAX);
	assert_true(pvblk_slice_map(&e, 0, 10, &d));
	assert_false(pvblk_slice_map(&e, 9, 2, &d));
	/* A broken export (first + n wraps) still never yields a wrapped disk range. */
	e.first_sector = 16;
	e.nsectors = UINT64_MAX;
	assert_true(pvblk_slice_map(&e, UINT64_MAX - 17, 2, &d));
	assert_int_equal(d, UINT64_MAX - 1);
	assert_false(pvblk_slice_map(&e, UINT64_MAX - 17, 3, &d));	/* disk end wraps */
	assert_false(pvblk_slice_map(&e, UINT64_MAX - 15, 1, &d));	/* first + sector wraps */
	d = 77;
	assert_false(pvblk_slice_map(&e, UINT64_MAX - 10, 1, &d));
	assert_int_equal(d, 77);				/* untouched on failure */
}

/* ---- requests that pass ---- */

static void test_check_ok(void **state)
{
	struct pvblk_req r = rq(PVBLK_OP_READ, 999, 1, 0x10000 - S);
	struct pvblk_io io;

	assert_int_equal(pvblk_check(&ex, &r, &io), PVBLK_S_OK);
	assert_int_equal(io.id, 0x1234);
	assert_int_equal(io.op, PVBLK_OP_READ);
	assert_int_equal(io.disk_sector, 2048 + 999);
	assert_int_equal(io.count, 1);
	assert_int_equal(io.data_off, 0x10000 - S);
	assert_int_equal(io.len, S);

	r = rq(PVBLK_OP_WRITE, 10, 128, 0);			/* max count, whole 64K */
	assert_int_equal(pvblk_check(&ex, &r, &io), PVBLK_S_OK);
	assert_int_equal(io.disk_sector, 2058);
	assert_int_equal(io.len, 0x10000);

	r = rq(PVBLK_OP_DISCARD, 500, 100, 0);
	assert_int_equal(pvblk_check(&ex, &r, &io), PVBLK_S_OK);
	assert_int_equal(io.disk_sector, 2548);
	assert_int_equal(io.count, 100);
	assert_int_equal(io.data_off, 0);
	assert_int_equal(io.len, 0);				/* no data */

	r = rq(PVBLK_OP_FLUSH, 0, 0, 0);
	assert_int_equal(pvblk_check(&ex, &r, &io), PVBLK_S_OK);
	assert_int_equal(io.op, PVBLK_OP_FLUSH);
	assert_int_equal(io.disk_sector, 0);
	assert_int_equal(io.count, 0);
	assert_int_equal(io.len, 0);

	r = rq(PVBLK_OP_INFO, 0, 0, 0);
	assert_int_equal(pvblk_check(&ex, &r, &io), PVBLK_S_OK);
	assert_int_equal(io.op, PVBLK_OP_INFO);
}

/* ---- every error class ---- */

static void test_bad_op(void **state)
{
	static const uint16_t ops[] = { 0, 6, 7, 0x100, 0xffff };

	for (unsigned int i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		assert_int_equal(chk(&ex, rq(ops[i], 0, 1, 0)), PVBLK_S_BAD_OP);
}

static void test_bad_field(void **state)
{
	struct pvblk_req r;

	for (unsigned int i = 0; i < sizeof(r.rsvd_0x20); i++) {
		r = rq(PVBLK_OP_READ, 0, 1, 0);
		r.rsvd_0x20[i] = 0x80;
		assert_int_equal(chk(&ex, r), PVBLK_S_BAD_FIELD);
	}
	r = rq(PVBLK_OP_READ, 0, 1, 0);
	r.flags = 1;
	assert_int_equal(chk(&ex, r), PVBLK_S_BAD_FIELD);
	/* Fields the op does not use. */
	assert_int_equal(chk(&ex, rq(PVBLK_OP_FLUSH, 1, 0, 0)), PVBLK_S_BAD_FIELD);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_FLUSH, 0, 0, S)), PVBLK_S_BAD_FIELD);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_INFO, 1, 0, 0)), PVBLK_S_BAD_FIELD);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_INFO, 0, 0, S)), PVBLK_S_BAD_FIELD);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_DISCARD, 0, 1, S)), PVBLK_S_BAD_FIELD);
}

static void test_unsupported(void **state)
{
	struct pvblk_export e = ex;

	e.can_flush = false;
	assert_int_equal(chk(&e, rq(PVBLK_OP_FLUSH, 0, 0, 0)), PVBLK_S_UNSUPPORTED);
	assert_int_equal(chk(&e, rq(PVBLK_OP_DISCARD, 0, 1, 0)), PVBLK_S_OK);
	e = ex;
	e.can_discard = false;
	assert_int_equal(chk(&e, rq(PVBLK_OP_DISCARD, 0, 1, 0)), PVBLK_S_UNSUPPORTED);
	assert_int_equal(chk(&e, rq(PVBLK_OP_FLUSH, 0, 0, 0)), PVBLK_S_OK);
}

static void test_readonly(void **state)
{
	struct pvblk_export e = ex;

	e.readonly = true;
	assert_int_equal(chk(&e, rq(PVBLK_OP_WRITE, 0, 1, 0)), PVBLK_S_READONLY);
	assert_int_equal(chk(&e, rq(PVBLK_OP_DISCARD, 0, 1, 0)), PVBLK_S_READONLY);
	/* Even a write that would fail later for another reason is READONLY first. */
	assert_int_equal(chk(&e, rq(PVBLK_OP_WRITE, 5000, 1, 1)), PVBLK_S_READONLY);
	assert_int_equal(chk(&e, rq(PVBLK_OP_READ, 0, 1, 0)), PVBLK_S_OK);
	assert_int_equal(chk(&e, rq(PVBLK_OP_FLUSH, 0, 0, 0)), PVBLK_S_OK);
	assert_int_equal(chk(&e, rq(PVBLK_OP_INFO, 0, 0, 0)), PVBLK_S_OK);
}

static void test_bad_count(void **state)
{
	static const uint16_t io_ops[] = { PVBLK_OP_READ, PVBLK_OP_WRITE, PVBLK_OP_DISCARD };

	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(chk(&ex, rq(io_ops[i], 0, 0, 0)), PVBLK_S_BAD_COUNT);
		assert_int_equal(chk(&ex, rq(io_ops[i], 0, 128, 0)), PVBLK_S_OK);
		assert_int_equal(chk(&ex, rq(io_ops[i], 0, 129, 0)), PVBLK_S_BAD_COUNT);
		assert_int_equal(chk(&ex, rq(io_ops[i], 0, UINT32_MAX, 0)), PVBLK_S_BAD_COUNT);
	}
	/* Flush and info take no count. */
	assert_int_equal(chk(&ex, rq(PVBLK_OP_FLUSH, 0, 1, 0)), PVBLK_S_BAD_COUNT);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_FLUSH, 0, UINT32_MAX, 0)), PVBLK_S_BAD_COUNT);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_INFO, 0, 1, 0)), PVBLK_S_BAD_COUNT);
}

static void test_range(void **state)
{
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 999, 1, 0)), PVBLK_S_OK);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 1000, 1, 0)), PVBLK_S_RANGE);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 999, 2, 0)), PVBLK_S_RANGE);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 873, 128, 0)), PVBLK_S_RANGE);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 872, 128, 0)), PVBLK_S_OK);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, UINT64_MAX, 1, 0)), PVBLK_S_RANGE);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, UINT64_MAX - 1, 8, 0)), PVBLK_S_RANGE);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_DISCARD, 1000, 1, 0)), PVBLK_S_RANGE);
	/* The sector is the channel's, not the disk's: disk sector 2048 is out of range. */
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 2048, 1, 0)), PVBLK_S_RANGE);
}

static void test_unaligned(void **state)
{
	static const uint64_t offs[] = { 1, 8, 256, 511, 513, 0x10000 - 1 };

	for (unsigned int i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 0, 1, offs[i])), PVBLK_S_UNALIGNED);
		assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, 0, 1, offs[i])), PVBLK_S_UNALIGNED);
	}
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 0, 1, S)), PVBLK_S_OK);
}

static void test_data(void **state)
{
	/* Ending exactly at data_size is inside; one sector more is not. */
	assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, 0, 1, 0x10000 - S)), PVBLK_S_OK);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, 0, 2, 0x10000 - S)), PVBLK_S_DATA);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_WRITE, 0, 1, 0x10000)), PVBLK_S_DATA);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 0, 128, S)), PVBLK_S_DATA);
	/* data_off + len wraps at 2^64 (aligned, so UNALIGNED does not catch it first). */
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 0, 2, UINT64_MAX & ~(uint64_t)(S - 1))),
			 PVBLK_S_DATA);
	assert_int_equal(chk(&ex, rq(PVBLK_OP_READ, 0, 1, 1ull << 63)), PVBLK_S_DATA);
	/* A data region smaller than one request of max_sectors. */
	struct pvblk_export e = ex;

	e.data_size = 4096;
	assert_int_equal(chk(&e, rq(PVBLK_OP_READ, 0, 8, 0)), PVBLK_S_OK);
	assert_int_equal(chk(&e, rq(PVBLK_OP_READ, 0, 9, 0)), PVBLK_S_DATA);
	e.data_size = 0;
	assert_int_equal(chk(&e, rq(PVBLK_OP_READ, 0, 1, 0)), PVBLK_S_DATA);
	/* Discard moves no data: data_size does not matter. */
	assert_int_equal(chk(&e, rq(PVBLK_OP_DISCARD, 0, 128, 0)), PVBLK_S_OK);
}

/*
 * One request wrong in every way, fixed one class at a time: each step answers the next
 * class in enum order, so every class has its own status and the order is the documented one.
 */
static void test_order(void **state)
{
	struct pvblk_export e = ex;
	struct pvblk_req r = rq(9, 5000, 0, 3);
	bool seen[PVBLK_S_COUNT_] = { false };
	enum pvblk_status st;

	e.readonly = true;
	e.can_discard = false;
	r.flags = 2;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_BAD_OP);
	r.op = PVBLK_OP_DISCARD;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_BAD_FIELD);
	r.flags = 0;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_BAD_FIELD);		/* data_off on a discard */
	r.op = PVBLK_OP_WRITE;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_READONLY);
	r.op = PVBLK_OP_DISCARD;
	r.data_off = 0;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_UNSUPPORTED);
	e.can_discard = true;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_READONLY);
	e.readonly = false;
	r.op = PVBLK_OP_WRITE;
	r.data_off = 3;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_BAD_COUNT);
	r.count = 128;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_RANGE);
	r.sector = 0;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_UNALIGNED);
	r.data_off = S;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_DATA);
	r.data_off = 0;
	st = chk(&e, r), seen[st] = true;
	assert_int_equal(st, PVBLK_S_OK);
	/* Every class but EIO (the device's) was answered. */
	for (int i = 0; i < PVBLK_S_COUNT_; i++)
		assert_int_equal(seen[i], i != PVBLK_S_EIO);
}

static void test_rsp(void **state)
{
	struct pvblk_io io = { .id = 0xdeadbeefcafe, .op = 77, .count = 3 };
	struct pvblk_rsp r;
	struct pvblk_export e = ex;

	memset(&r, 0xff, sizeof(r));
	pvblk_rsp_init(&r, &io, PVBLK_S_BAD_OP);
	assert_int_equal(r.id, 0xdeadbeefcafe);
	assert_int_equal(r.op, 77);
	assert_int_equal(r.status, PVBLK_S_BAD_OP);
	assert_int_equal(r.rsvd_0x0a, 0);
	assert_int_equal(r.info_sectors, 0);
	assert_int_equal(r.info_flags, 0);
	for (unsigned int i = 0; i < sizeof(r.rsvd_0x20); i++)
		assert_int_equal(r.rsvd_0x20[i], 0);
	io.op = PVBLK_OP_INFO;
	pvblk_rsp_info(&r, &io, &e);
	assert_int_equal(r.status, PVBLK_S_OK);
	assert_int_equal(r.info_sectors, 1000);
	assert_int_equal(r.info_max_sectors, 128);
	assert_int_equal(r.info_flags, PVBLK_INFO_FLUSH | PVBLK_INFO_DISCARD);
	e.readonly = true;
	e.can_flush = e.can_discard = false;
	pvblk_rsp_info(&r, &io, &e);
	assert_int_equal(r.info_flags, PVBLK_INFO_READONLY);
}

static void test_layout(void **state)
{
	struct pvblk_layout l;

	assert_int_equal(pvblk_layout(0x1000, 0x10000, &l), 0);	/* the defaults */
	assert_int_equal(l.nbufs, 16);
	assert_int_equal(l.buf_size, 4096);
	assert_int_equal(l.max_sectors, 8);
	assert_int_equal(pvblk_layout(0x2000, 0x10000, &l), 0);
	assert_int_equal(l.nbufs, 32);
	assert_int_equal(l.buf_size, 2048);
	assert_int_equal(pvblk_layout(0x2000, 4ull << 20, &l), 0);	/* 32 x 128K */
	assert_int_equal(l.buf_size, 128 << 10);
	assert_int_equal(l.max_sectors, 256);
	assert_int_equal(pvblk_buf_off(&l, 31), 31 * (128 << 10));
	assert_true(pvblk_buf_off(&l, 31) + l.buf_size <= 4ull << 20);
	assert_int_equal(pvblk_layout(0x1000, 100000, &l), 0);	/* 6250 -> 6144 */
	assert_int_equal(l.buf_size, 6144);
	assert_int_equal(pvblk_layout(0x2000, 0x2000, &l), -HV_EINVAL);	/* 256 bytes each */
	assert_int_equal(pvblk_layout(0x3000, 0x10000, &l), -HV_EINVAL);
	assert_int_equal(pvblk_layout(0x800, 0x10000, &l), -HV_EINVAL);
	/* Every buffer of the layout passes the back end's data check at max_sectors. */
	struct pvblk_export e = ex;

	assert_int_equal(pvblk_layout(0x2000, 4ull << 20, &l), 0);
	e.data_size = 4ull << 20;
	e.max_sectors_per_req = l.max_sectors;
	for (uint32_t i = 0; i < l.nbufs; i++)
		assert_int_equal(chk(&e, rq(PVBLK_OP_READ, 0, l.max_sectors, pvblk_buf_off(&l, i))),
				 PVBLK_S_OK);
}

/* ---- on the rings: an 8K ring region, 32 slots each way ---- */

#define REGION		PVBLK_RING_QD32
#define QD		PVBLK_MAX_INFLIGHT(REGION)

static void *region;
static struct ring_end fe, be;
static uint64_t fe_notifies, be_notifies;	/* events sent by each side */

static int setup(void **state)
{
	region = aligned_alloc(4096, REGION);
	assert_non_null(region);
	memset(region, 0, REGION);
	assert_int_equal(ring_end_init(&fe, region, REGION, false), 0);
	assert_int_equal(ring_end_init(&be, region, REGION, true), 0);
	fe_notifies = be_notifies = 0;
	return 0;
}

static int teardown(void **state)
{
	free(region);
	region = NULL;
	return 0;
}

/* Request i: a one-sector read of sector i % 1000 into buffer i % QD. */
static struct pvblk_req req_n(uint64_t i)
{
	return rq(PVBLK_OP_READ, i % 1000, 1, (i % QD) * 2 * S);
}

static void fe_put(uint64_t i)
{
	struct pvblk_req r = req_n(i);

	r.id = i;
	assert_int_equal(ring_tx_put(&fe.tx, &r), 1);
}

static void fe_push(void)
{
	fe_notifies += ring_tx_push(&fe.tx);
}

/*
 * The back end, awake: answers every request waiting while there is room for the answer
 * (the device completes at once), then publishes both indices. How many it answered.
 */
static unsigned int be_serve(void)
{
	struct pvblk_io io;
	struct pvblk_rsp rsp;
	enum pvblk_status st;
	unsigned int n = 0;

	while (ring_tx_space(&be.tx) > 0 && pvblk_be_next(&be.rx, &ex, &io, &st) == 1) {
		pvblk_rsp_init(&rsp, &io, st);
		assert_int_equal(ring_tx_put(&be.tx, &rsp), 1);
		n++;
	}
	be_notifies += ring_rx_release(&be.rx);		/* only if the front end waits for room */
	be_notifies += ring_tx_push(&be.tx);
	return n;
}

/* The front end takes every response; each must answer request `next` in order, OK. */
static unsigned int fe_reap(uint64_t *next)
{
	struct pvblk_rsp rsp;
	unsigned int n = 0;

	while (ring_rx_get(&fe.rx, &rsp) == 1) {
		assert_int_equal(rsp.id, *next);
		assert_int_equal(rsp.status, PVBLK_S_OK);
		(*next)++;
		n++;
	}
	fe_notifies += ring_rx_release(&fe.rx);
	return n;
}

/* Both rings' indices start at base (as if 'base' requests had gone round already). */
static void set_base(uint32_t base)
{
	struct ring_hdr *h = region;

	h->req.p.prod = h->req.c.cons = h->rsp.p.prod = h->rsp.c.cons = base;
	h->req.c.prod_event = h->rsp.c.prod_event = base + 1;
	fe.tx.prod = fe.tx.pushed = fe.tx.cons = base;
	be.rx.cons = be.rx.released = be.rx.prod = base;
	be.tx.prod = be.tx.pushed = be.tx.cons = base;
	fe.rx.cons = fe.rx.released = fe.rx.prod = base;
}

/* 32 requests fit the 8K ring at once; the 33rd waits for a slot. */
static void test_ring_qd32(void **state)
{
	struct pvblk_req r = req_n(0);
	uint64_t next = 0;

	for (uint64_t i = 0; i < QD; i++)
		fe_put(i);
	assert_int_equal(ring_tx_put(&fe.tx, &r), 0);
	fe_push();
	assert_int_equal(be_serve(), QD);
	assert_int_equal(fe_reap(&next), QD);
	assert_int_equal(ring_tx_space(&fe.tx), QD);
}

/*
 * Depth-32 rounds through 2^32 on both rings: the indices wrap mid-batch, a full ring
 * across the wrap is no bad index, and every response still matches its request.
 */
static void test_ring_wrap(void **state)
{
	uint32_t base = UINT32_MAX - 40;
	uint64_t sent = 0, next = 0;

	set_base(base);
	for (int round = 0; round < 8; round++) {
		for (unsigned int k = 0; k < QD; k++)
			fe_put(sent++);
		fe_push();
		assert_int_equal(be_serve(), QD);
		assert_int_equal(fe_reap(&next), QD);
	}
	assert_int_equal(next, 8 * QD);
	assert_true(fe.tx.prod < base);			/* it did wrap */
	assert_int_equal(fe.tx.prod, (uint32_t)(base + 8 * QD));
	assert_int_equal(be.tx.prod, (uint32_t)(base + 8 * QD));
	assert_int_equal(ring_tx_space(&fe.tx), QD);
	/* Uneven batches (7 at a time) across the wrap. */
	set_base(UINT32_MAX - 3);
	sent = next = 0;
	while (next < 100) {
		for (int k = 0; k < 7; k++)
			fe_put(sent++);
		fe_push();
		(void)be_serve();
		(void)fe_reap(&next);
	}
	assert_int_equal(next, sent);
}

/*
 * Notifications for a batch of N (1 to 32) messages, each direction: one if the consumer
 * is asleep (armed), pushed at once or one by one; none if it is awake (not armed).
 */
static void test_notify_batch(void **state)
{
	uint64_t sent = 0, next = 0;

	for (unsigned int n = 1; n <= QD; n++) {
		/* Back end asleep, requests pushed one at a time: the first wakes it. */
		assert_int_equal(ring_rx_arm(&be.rx), 0);
		fe_notifies = 0;
		for (unsigned int k = 0; k < n; k++) {
			fe_put(sent++);
			fe_push();
		}
		assert_int_equal(fe_notifies, 1);
		assert_int_equal(be_serve(), n);
		assert_int_equal(fe_reap(&next), n);
		/* Back end asleep, pushed at once. */
		assert_int_equal(ring_rx_arm(&be.rx), 0);
		fe_notifies = 0;
		for (unsigned int k = 0; k < n; k++)
			fe_put(sent++);
		fe_push();
		assert_int_equal(fe_notifies, 1);
		assert_int_equal(be_serve(), n);
		assert_int_equal(fe_reap(&next), n);
		/* Back end awake: it did not arm since it last looked, so nothing is sent. */
		fe_notifies = 0;
		for (unsigned int k = 0; k < n; k++) {
			fe_put(sent++);
			fe_push();
		}
		assert_int_equal(fe_notifies, 0);
		/* Front end asleep: the batch of n responses costs one event. */
		assert_int_equal(ring_rx_arm(&fe.rx), 0);
		be_notifies = 0;
		assert_int_equal(be_serve(), n);
		assert_int_equal(be_notifies, 1);
		assert_int_equal(fe_reap(&next), n);
		/* Front end awake: none. */
		for (unsigned int k = 0; k < n; k++)
			fe_put(sent++);
		fe_push();
		be_notifies = 0;
		assert_int_equal(be_serve(), n);
		assert_int_equal(be_notifies, 0);
		assert_int_equal(fe_reap(&next), n);
	}
	assert_int_equal(next, sent);
}

/*
 * Queue depth 32 against queue depth 1, both sides sleeping whenever they run dry: at
 * depth 32 each side sends one event per 32 requests, at depth 1 one per request.
 */
static void run_depth(unsigned int depth, unsigned int rounds)
{
	uint64_t sent = 0, next = 0;

	assert_int_equal(ring_rx_arm(&be.rx), 0);
	assert_int_equal(ring_rx_arm(&fe.rx), 0);
	for (unsigned int round = 0; round < rounds; round++) {
		for (unsigned int k = 0; k < depth; k++)
			fe_put(sent++);
		fe_push();
		assert_int_equal(be_serve(), depth);
		assert_int_equal(ring_rx_arm(&be.rx), 0);	/* sleeps */
		assert_int_equal(fe_reap(&next), depth);
		assert_int_equal(ring_rx_arm(&fe.rx), 0);	/* sleeps */
	}
	assert_int_equal(next, (uint64_t)depth * rounds);
}

static void test_notify_depth(void **state)
{
	run_depth(QD, 100);
	assert_int_equal(fe_notifies, 100);		/* 3200 requests: 1/32 each way */
	assert_int_equal(be_notifies, 100);
	fe_notifies = be_notifies = 0;
	run_depth(1, 100);
	assert_int_equal(fe_notifies, 100);
	assert_int_equal(be_notifies, 100);
}

/* ---- a hostile front end ---- */

/* A producer index more than a ring ahead shuts the channel; exactly a ring is fine. */
static void test_bad_index(void **state)
{
	struct ring_hdr *h = region;
	struct pvblk_io io;
	enum pvblk_status st;
	uint32_t base = UINT32_MAX - 5;

	set_base(base);
	__atomic_store_n(&h->req.p.prod, base + QD, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_arm(&be.rx), (int)QD);
	for (unsigned int i = 0; i < QD; i++) {
		assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), 1);
		assert_int_equal(st, PVBLK_S_BAD_OP);		/* zeroed slots: op 0 */
	}
	(void)!ring_rx_release(&be.rx);
	__atomic_store_n(&h->req.p.prod, base + 2 * QD + 1, __ATOMIC_RELEASE);
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), -HV_EBADMSG);
	/* For good, whatever it publishes next. */
	__atomic_store_n(&h->req.p.prod, base + QD + 1, __ATOMIC_RELEASE);
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), -HV_EBADMSG);
	assert_int_equal(ring_rx_arm(&be.rx), -HV_EBADMSG);
}

static void test_prod_backwards(void **state)
{
	struct ring_hdr *h = region;
	struct pvblk_io io;
	enum pvblk_status st;

	for (uint64_t i = 0; i < 4; i++)
		fe_put(i);
	fe_push();
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), 1);
	assert_int_equal(ring_rx_arm(&be.rx), 3);
	__atomic_store_n(&h->req.p.prod, 1, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_arm(&be.rx), -HV_EBADMSG);
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), -HV_EBADMSG);
}

/*
 * A request rewritten after it was published: the back end answers what it copied, and
 * what it acts on (io) is that copy, checked, whatever the slot says afterwards.
 */
static void test_rewrite(void **state)
{
	struct pvblk_req *slot = (struct pvblk_req *)(void *)((uint8_t *)region + RING_REQ_OFFSET);
	struct pvblk_io io;
	enum pvblk_status st;

	fe_put(0);
	fe_put(1);
	fe_push();
	slot[0].sector = 5000;				/* out of the export */
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), 1);
	assert_int_equal(st, PVBLK_S_RANGE);
	assert_int_equal(io.id, 0);
	assert_int_equal(io.count, 0);
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), 1);
	assert_int_equal(st, PVBLK_S_OK);
	slot[1].sector = 5000;				/* too late: io is the copy's */
	slot[1].data_off = 1ull << 40;
	assert_int_equal(io.disk_sector, 2048 + 1);
	assert_int_equal(io.data_off, 2 * S);
	assert_int_equal(io.len, S);
	assert_int_equal(pvblk_be_next(&be.rx, &ex, &io, &st), 0);	/* empty */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi),
		cmocka_unit_test(test_export_slice),
		cmocka_unit_test(test_export_ok),
		cmocka_unit_test(test_slice_map),
		cmocka_unit_test(test_check_ok),
		cmocka_unit_test(test_bad_op),
		cmocka_unit_test(test_bad_field),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_bad_count),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_unaligned),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_rsp),
		cmocka_unit_test(test_layout),
		cmocka_unit_test_setup_teardown(test_ring_qd32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prod_backwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
