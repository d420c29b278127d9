/* SPDX-License-Identifier: MIT */
/* Unit tests for the IVRS parser: synthetic tables and QEMU's amd-iommu table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "arch/x86/acpi.h"
#include "include/abi/hv_errno.h"
#include "iommu/amdvi/ivrs.h"
#include "tests/unit/acpi_fixture.h"

#define FIXTURE "tests/unit/fixtures/acpi/qemu-q35-amdiommu.acpi"
#define IVRS_B0 48 /* first block */
#define DEVID(b, d, f) ((uint16_t)((b) << 8 | (d) << 3 | (f)))

static void ivrs_head(struct tbuf *t, uint32_t ivinfo)
{
	tb_init(t, "IVRS", 2);
	tb_u32(t, ivinfo);
	tb_zero(t, 8);
}

/* Device entries used in every IVHD below: select, range, alias (8), ACPI HID. */
#define ENTRIES_LEN (4 + 4 + 4 + 8 + 22 + 3)

static void entries(struct tbuf *t)
{
	tb_u8(t, 2);                     /* select 00:01.0 */
	tb_u16(t, DEVID(0, 1, 0));
	tb_u8(t, 0);
	tb_u8(t, 3);                     /* range start 00:02.0 */
	tb_u16(t, DEVID(0, 2, 0));
	tb_u8(t, 0);
	tb_u8(t, 4);                     /* range end 00:1f.7 */
	tb_u16(t, DEVID(0, 0x1f, 7));
	tb_u8(t, 0);
	tb_u8(t, 0x42);                  /* alias select, 8 bytes */
	tb_u16(t, DEVID(1, 0, 0));
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u16(t, DEVID(0, 0x14, 4));
	tb_u8(t, 0);
	tb_u8(t, 0xf0);                  /* ACPI HID device, UID of 3 bytes */
	tb_u16(t, DEVID(0, 0x14, 5));
	tb_u8(t, 0);
	tb_u64(t, 0x31303030444d41ull); /* "AMD0010" */
	tb_u64(t, 0);
	tb_u8(t, 2);                     /* UID format: string */
	tb_u8(t, 3);
	tb_u8(t, 'A');
	tb_u8(t, 'B');
	tb_u8(t, 0);
}

static void ivhd(struct tbuf *t, uint8_t type, uint16_t devid, uint64_t base,
		 uint64_t efr)
{
	bool old = type == IVRS_TYPE_IVHD_10;

	tb_u8(t, type);
	tb_u8(t, 0xb0);                  /* flags */
	tb_u16(t, (uint16_t)((old ? 24 : 40) + ENTRIES_LEN));
	tb_u16(t, devid);
	tb_u16(t, 0x40);                 /* capability offset */
	tb_u64(t, base);
	tb_u16(t, 0);                    /* segment */
	tb_u16(t, 0x0100 | 4);           /* info: UnitID 1, MSI number 4 */
	tb_u32(t, 0x80048f6f);           /* feature reporting / attributes */
	if (!old) {
		tb_u64(t, efr);
		tb_u64(t, 0);
	}
	entries(t);
}

static void ivmd(struct tbuf *t, uint8_t type, uint16_t len)
{
	tb_u8(t, type);
	tb_u8(t, 0x7);
	tb_u16(t, len);
	tb_u16(t, 0);
	tb_u16(t, 0);
	tb_u64(t, 0);
	tb_u64(t, 0x7c000000);
	tb_u64(t, 0x100000);
	tb_zero(t, (uint32_t)(len - 32));
}

static int parse(struct tbuf *t, struct ivrs_info *v)
{
	return ivrs_parse(t->b, t->n, v);
}

/* One IOMMU in all three types, a second one in 10h only, IVMDs, an unknown block. */
static void test_ivrs_parse(void **state)
{
	struct ivrs_info v;
	struct tbuf t;

	ivrs_head(&t, 0x00203041);
	ivhd(&t, 0x10, DEVID(0, 0, 2), 0xfd300000, 0);
	ivhd(&t, 0x10, DEVID(0x40, 0, 2), 0xfd400000, 0);
	ivmd(&t, IVRS_TYPE_IVMD_ALL, 32);
	ivhd(&t, 0x40, DEVID(0, 0, 2), 0xfd300000, 0x246577efa2254afaull);
	ivhd(&t, 0x11, DEVID(0, 0, 2), 0xfd300000, 0x1111);
	ivmd(&t, IVRS_TYPE_IVMD_RANGE, 40);
	tb_u8(&t, 0x50);                 /* unknown block type, 6 bytes */
	tb_u8(&t, 0);
	tb_u16(&t, 6);
	tb_u16(&t, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), 0);
	assert_int_equal(v.ivinfo, 0x00203041);
	assert_int_equal(IVRS_IVINFO_PA_SIZE(v.ivinfo), 0x30);
	assert_int_equal(v.nunits, 2);
	assert_int_equal(v.nivmd, 2);
	assert_int_equal(v.ivmd[0].type, IVRS_TYPE_IVMD_ALL);
	assert_int_equal(v.ivmd[0].flags, IVMD_FLAG_UNITY | IVMD_FLAG_IR | IVMD_FLAG_IW);
	assert_int_equal(v.ivmd[0].first, 0);
	assert_int_equal(v.ivmd[0].last, 0xffff);
	assert_int_equal(v.ivmd[0].start, 0x7c000000);
	assert_int_equal(v.ivmd[0].len, 0x100000);
	assert_int_equal(v.ivmd[1].type, IVRS_TYPE_IVMD_RANGE);
	assert_int_equal(v.ivmd[1].last, 0);
	assert_int_equal(v.units[0].type, 0x40);   /* newest type wins, whatever the order */
	assert_int_equal(v.units[0].devid, 2);
	assert_int_equal(v.units[0].bus, 0);
	assert_int_equal(v.units[0].dev, 0);
	assert_int_equal(v.units[0].fn, 2);
	assert_int_equal(v.units[0].cap_off, 0x40);
	assert_int_equal(v.units[0].base, 0xfd300000);
	assert_int_equal(v.units[0].info, 0x104);
	assert_int_equal(v.units[0].attr, 0x80048f6f);
	assert_true(v.units[0].efr_valid);
	assert_int_equal(v.units[0].efr, 0x246577efa2254afaull);
	assert_int_equal(v.units[0].entries_len, ENTRIES_LEN);
	assert_int_equal(t.b[v.units[0].entries_off], 2);
	assert_int_equal(v.units[1].type, 0x10);
	assert_int_equal(v.units[1].bus, 0x40);
	assert_false(v.units[1].efr_valid);
	assert_int_equal(v.units[1].efr, 0);
	assert_int_equal(v.units[1].entries_off, IVRS_B0 + 24 + ENTRIES_LEN + 24);
}

static void test_ivrs_header(void **state)
{
	struct ivrs_info v;
	struct tbuf t;

	ivrs_head(&t, 0);
	ivhd(&t, 0x10, DEVID(0, 3, 0), 0xfed80000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), 0);
	assert_int_equal(ivrs_parse(t.b, t.n - 1, &v), -HV_EBADMSG);   /* past avail */
	t.b[60] ^= 1;
	assert_int_equal(parse(&t, &v), -HV_EBADMSG);                  /* checksum */
	t.b[60] ^= 1;
	t.b[3] = 'T';
	sdt_fix(t.b);
	assert_int_equal(parse(&t, &v), -HV_EBADMSG);                  /* signature */
	tb_init(&t, "IVRS", 2);
	tb_u32(&t, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_EBADMSG);                  /* no reserved */
}

/* An IVRS with one block given as raw bytes. */
static int ivrs_one(const uint8_t *b, unsigned n, struct ivrs_info *v)
{
	struct tbuf t;

	ivrs_head(&t, 0);
	for (unsigned i = 0; i < n; i++)
		tb_u8(&t, b[i]);
	tb_done(&t);
	return parse(&t, v);
}

static void test_ivrs_block_lengths(void **state)
{
	uint8_t b[64] = { 0x10, 0, 24, 0, 0x18, 0, 0x40, 0, 0, 0, 0xd8, 0xfe };
	struct ivrs_info v;

	assert_int_equal(ivrs_one(b, 24, &v), 0);
	assert_int_equal(v.units[0].dev, 3);
	b[2] = 0;                                 /* length 0 */
	assert_int_equal(ivrs_one(b, 24, &v), -HV_EBADMSG);
	b[2] = 20;                                /* shorter than an IVHD 10h */
	assert_int_equal(ivrs_one(b, 20, &v), -HV_EBADMSG);
	b[2] = 28;                                /* past the end */
	assert_int_equal(ivrs_one(b, 24, &v), -HV_EBADMSG);
	b[0] = 0x11;                              /* 11h needs 40 bytes */
	b[2] = 24;
	assert_int_equal(ivrs_one(b, 24, &v), -HV_EBADMSG);
	b[0] = 0x40;
	b[2] = 39;
	assert_int_equal(ivrs_one(b, 39, &v), -HV_EBADMSG);
	b[2] = 40;
	assert_int_equal(ivrs_one(b, 40, &v), 0);
	b[0] = 0x21;                              /* IVMD needs 32 bytes */
	b[2] = 24;
	assert_int_equal(ivrs_one(b, 24, &v), -HV_EBADMSG);
	b[2] = 32;
	assert_int_equal(ivrs_one(b, 32, &v), 0);
	b[0] = 0x77;                              /* unknown: at least its header */
	b[2] = 3;
	assert_int_equal(ivrs_one(b, 4, &v), -HV_EBADMSG);
	assert_int_equal(ivrs_one(b, 3, &v), -HV_EBADMSG);
}

/* Device entries must fit in their IVHD: 4 << (type >> 6) bytes, or 22 + UID for F0h. */
static void test_ivrs_device_entry_lengths(void **state)
{
	static const uint8_t bad_entries[][8] = {
		{ 0x42, 0, 0, 0 },             /* 8-byte entry with 4 left */
		{ 0x80, 0, 0, 0 },             /* 16-byte entry */
		{ 0xf0, 0, 0, 0 },             /* ACPI HID cut before its UID length */
		{ 2, 0, 0 },                   /* 3 bytes */
	};
	static const uint8_t sizes[] = { 4, 4, 4, 3 };
	uint8_t b[96] = { 0x10, 0, 0, 0, 0x18, 0, 0x40, 0, 0, 0, 0xd8, 0xfe };
	struct ivrs_info v;

	for (unsigned i = 0; i < 4; i++) {
		memcpy(b + 24, bad_entries[i], sizes[i]);
		b[2] = (uint8_t)(24 + sizes[i]);
		assert_int_equal(ivrs_one(b, b[2], &v), -HV_EBADMSG);
	}
	memset(b + 24, 0, 48);                 /* ACPI HID whose UID runs past the block */
	b[24] = 0xf0;
	b[24 + 21] = 3;
	b[2] = 24 + 22 + 2;
	assert_int_equal(ivrs_one(b, b[2], &v), -HV_EBADMSG);
	b[2] = 24 + 22 + 3;
	assert_int_equal(ivrs_one(b, b[2], &v), 0);
	assert_int_equal(v.units[0].entries_len, 25);
}

static void test_ivrs_duplicates(void **state)
{
	struct ivrs_info v;
	struct tbuf t;

	ivrs_head(&t, 0);                /* same base, another device */
	ivhd(&t, 0x10, DEVID(0, 3, 0), 0xfed80000, 0);
	ivhd(&t, 0x10, DEVID(0, 4, 0), 0xfed80000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_EEXIST);
	ivrs_head(&t, 0);                /* same base, another device, newer type */
	ivhd(&t, 0x10, DEVID(0, 3, 0), 0xfed80000, 0);
	ivhd(&t, 0x11, DEVID(0, 4, 0), 0xfed80000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_EEXIST);
	ivrs_head(&t, 0);                /* one device, two bases */
	ivhd(&t, 0x10, DEVID(0, 3, 0), 0xfed80000, 0);
	ivhd(&t, 0x11, DEVID(0, 3, 0), 0xfed90000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_EEXIST);
	ivrs_head(&t, 0);                /* one device and type twice */
	ivhd(&t, 0x11, DEVID(0, 3, 0), 0xfed80000, 0);
	ivhd(&t, 0x11, DEVID(0, 3, 0), 0xfed80000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_EEXIST);
	ivrs_head(&t, 0);                /* 11h then 10h: the 11h block stays */
	ivhd(&t, 0x11, DEVID(0, 3, 0), 0xfed80000, 0x55);
	ivhd(&t, 0x10, DEVID(0, 3, 0), 0xfed80000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), 0);
	assert_int_equal(v.nunits, 1);
	assert_int_equal(v.units[0].type, 0x11);
	assert_int_equal(v.units[0].efr, 0x55);
}

static void test_ivrs_too_many(void **state)
{
	struct ivrs_info v;
	struct tbuf t;

	ivrs_head(&t, 0);
	for (unsigned i = 0; i <= IVRS_MAX_UNITS; i++)
		ivhd(&t, 0x10, DEVID(i, 0, 2), 0xfd300000 + 0x100000 * i, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_E2BIG);
}

static void test_ivrs_ivmd(void **state)
{
	uint8_t b[32] = { 0x22, 0x1, 32, 0, 0x10, 0, 0x20, 0 };
	struct ivrs_info v;
	struct tbuf t;

	put64(b + 16, 0x1000);
	put64(b + 24, 0x2000);
	assert_int_equal(ivrs_one(b, 32, &v), 0);            /* range 00:02.0..00:04.0 */
	assert_int_equal(v.ivmd[0].first, 0x10);
	assert_int_equal(v.ivmd[0].last, 0x20);
	b[6] = 0x8;                                          /* range ending before its start */
	assert_int_equal(ivrs_one(b, 32, &v), -HV_EBADMSG);
	b[0] = 0x21;                                         /* one device: aux data unused */
	assert_int_equal(ivrs_one(b, 32, &v), 0);
	assert_int_equal(v.ivmd[0].last, 0x10);
	put64(b + 24, ~0ull);                                /* wrapping */
	assert_int_equal(ivrs_one(b, 32, &v), -HV_EBADMSG);
	ivrs_head(&t, 0);
	for (unsigned i = 0; i <= IVRS_MAX_IVMD; i++)
		ivmd(&t, IVRS_TYPE_IVMD_ALL, 32);
	tb_done(&t);
	assert_int_equal(parse(&t, &v), -HV_E2BIG);
}

/* ---- IVHD device entries ---- */

struct collect {
	unsigned n;
	struct ivhd_devs d[16];
};

static int collect(const struct ivhd_devs *d, void *ctx)
{
	struct collect *c = ctx;

	assert_true(c->n < 16);
	c->d[c->n++] = *d;
	return 0;
}

static void check_devs(const struct ivhd_devs *d, uint16_t first, uint16_t last,
		       bool aliased, uint16_t alias)
{
	assert_int_equal(d->first, first);
	assert_int_equal(d->last, last);
	assert_int_equal(d->aliased, aliased);
	if (aliased)
		assert_int_equal(d->alias, alias);
}

/* Every entry kind the walk knows, and the ones it skips, in one list. */
static const uint8_t all_kinds[] = {
	0x02, 0x08, 0x00, 0x00,                          /* select 00:01.0 */
	0x03, 0x10, 0x00, 0x00, 0x04, 0x1f, 0x00, 0x00,  /* 00:02.0 .. 00:03.7 */
	0x42, 0x00, 0x01, 0x00, 0x00, 0xa4, 0x00, 0x00,  /* 01:00.0 as 00:14.4 */
	0x43, 0x00, 0x02, 0x00, 0x00, 0xf0, 0x00, 0x00,  /* 02:00.0 .. */
	0x04, 0xff, 0x02, 0x00,                          /* .. 02:1f.7 as 00:1e.0 */
	0x00, 0x00, 0x00, 0x00,                          /* padding */
	0x48, 0x00, 0x00, 0xd7, 0x21, 0xa0, 0x00, 0x01,  /* special: IOAPIC 00:14.0 */
	0x46, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,  /* extended select 03:00.0 */
	0x47, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,  /* extended range 04:00.0 .. */
	0x04, 0x03, 0x04, 0x00,                          /* .. 04:00.3 */
	0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* a 16-byte entry */
};

static void test_ivhd_devices(void **state)
{
	struct ivrs_ivhd u = { .entries_off = 0, .entries_len = sizeof(all_kinds) };
	struct collect c = { 0 };
	uint16_t rid;

	assert_int_equal(ivhd_walk_devices(all_kinds, sizeof(all_kinds), collect, &c), 0);
	assert_int_equal(c.n, 6);
	check_devs(&c.d[0], DEVID(0, 1, 0), DEVID(0, 1, 0), false, 0);
	check_devs(&c.d[1], DEVID(0, 2, 0), DEVID(0, 3, 7), false, 0);
	check_devs(&c.d[2], DEVID(1, 0, 0), DEVID(1, 0, 0), true, DEVID(0, 0x14, 4));
	check_devs(&c.d[3], DEVID(2, 0, 0), DEVID(2, 0x1f, 7), true, DEVID(0, 0x1e, 0));
	check_devs(&c.d[4], DEVID(3, 0, 0), DEVID(3, 0, 0), false, 0);
	check_devs(&c.d[5], DEVID(4, 0, 0), DEVID(4, 0, 3), false, 0);
	assert_true(ivhd_covers(all_kinds, &u, DEVID(2, 5, 1), &rid));
	assert_int_equal(rid, DEVID(0, 0x1e, 0));
	assert_true(ivhd_covers(all_kinds, &u, DEVID(1, 0, 0), &rid));
	assert_int_equal(rid, DEVID(0, 0x14, 4));
	assert_true(ivhd_covers(all_kinds, &u, DEVID(0, 3, 7), &rid));
	assert_int_equal(rid, DEVID(0, 3, 7));
	assert_true(ivhd_covers(all_kinds, &u, DEVID(4, 0, 3), &rid));
	assert_false(ivhd_covers(all_kinds, &u, DEVID(4, 0, 4), &rid));
	assert_false(ivhd_covers(all_kinds, &u, DEVID(0, 0x14, 0), &rid)); /* special only */
	assert_false(ivhd_covers(all_kinds, &u, DEVID(1, 0, 1), &rid));
}

/* "All" (01h) covers every id; a later alias entry overrides it for its device. */
static void test_ivhd_all_and_override(void **state)
{
	static const uint8_t e[] = {
		0x01, 0x00, 0x00, 0x00,
		0x42, 0x08, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,  /* 00:01.0 as 00:02.0 */
	};
	struct ivrs_ivhd u = { .entries_off = 0, .entries_len = sizeof(e) };
	uint16_t rid;

	assert_true(ivhd_covers(e, &u, 0xffff, &rid));
	assert_int_equal(rid, 0xffff);
	assert_true(ivhd_covers(e, &u, DEVID(0, 1, 0), &rid));
	assert_int_equal(rid, DEVID(0, 2, 0));
	assert_true(ivhd_covers(e, &u, 0, &rid));
	assert_int_equal(rid, 0);
}

static int stop_at_second(const struct ivhd_devs *d, void *ctx)
{
	return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_ivhd_bad_ranges(void **state)
{
	static const struct {
		uint8_t b[16];
		uint32_t len;
	} bad[] = {
		{ { 0x04, 0x10, 0, 0 }, 4 },                           /* end, no start */
		{ { 0x03, 0x10, 0, 0, 0x03, 0x18, 0, 0 }, 8 },          /* start in a range */
		{ { 0x03, 0x10, 0, 0, 0x02, 0x18, 0, 0 }, 8 },          /* select in a range */
		{ { 0x03, 0x10, 0, 0, 0x04, 0x08, 0, 0 }, 8 },          /* end before start */
		{ { 0x03, 0x10, 0, 0 }, 4 },                           /* range left open */
		{ { 0x43, 0x10, 0, 0, 0, 0, 0, 0 }, 8 },                /* alias range open */
		{ { 0x47, 0x10, 0, 0, 0, 0, 0, 0, 0x42, 0, 0, 0 }, 12 },/* cut alias entry */
	};
	uint8_t b[96] = { 0x10, 0, 0, 0, 0x18, 0, 0x40, 0, 0, 0, 0xd8, 0xfe };
	struct ivrs_info v;
	int calls = 0;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ivhd_walk_devices(bad[i].b, bad[i].len, NULL, NULL),
				 -HV_EBADMSG);
		memcpy(b + 24, bad[i].b, bad[i].len);            /* and inside an IVRS */
		b[2] = (uint8_t)(24 + bad[i].len);
		assert_int_equal(ivrs_one(b, b[2], &v), -HV_EBADMSG);
	}
	assert_int_equal(ivhd_walk_devices(all_kinds, sizeof(all_kinds), stop_at_second,
					   &calls), 42);
	assert_int_equal(calls, 2);
}

/* ---- QEMU q35 with -device amd-iommu ---- */

struct real {
	struct fake_phys f;
	struct acpi a;
	const uint8_t *t;
	uint32_t len;
	uint64_t pa;
};

static struct real *real_open(void)
{
	struct real *r;
	const void *t;

	if (access(FIXTURE, R_OK) != 0) {
		fail_msg("fixture %s missing: run make acpi-capture", FIXTURE);
	}
	r = calloc(1, sizeof(*r));
	fake_phys_init(&r->f);
	assert_int_equal(acpi_fixture_load(&r->f, FIXTURE), 0);
	assert_int_equal(acpi_init_from_rsdp_copy(&r->a, &r->f.pa, r->f.rsdp,
						  r->f.rsdp_len), 0);
	assert_int_equal(acpi_find_table(&r->a, "IVRS", 0, &t, &r->len, &r->pa), 0);
	r->t = t;
	return r;
}

static void real_close(struct real *r)
{
	fake_phys_free(&r->f);
	free(r);
}

static void test_real_qemu_ivrs(void **state)
{
	struct real *r = real_open();
	struct ivrs_info v;

	assert_int_equal(ivrs_parse(r->t, r->len, &v), 0);
	assert_int_equal(v.nunits, 1);
	assert_int_equal(v.units[0].base, 0xfed80000);
	assert_int_equal(v.units[0].bus, 0);
	assert_int_equal(v.units[0].dev, 3);
	assert_int_equal(v.units[0].fn, 0);
	assert_int_equal(v.units[0].segment, 0);
	assert_int_equal(v.units[0].type, IVRS_TYPE_IVHD_10); /* QEMU 7.2: 10h only */
	assert_false(v.units[0].efr_valid);
	assert_int_equal(v.units[0].cap_off, 0x40);
	assert_int_equal(v.units[0].entries_off, IVRS_B0 + 24);
	assert_int_equal(v.units[0].entries_len, r->len - IVRS_B0 - 24);
	assert_int_equal(v.nivmd, 0);
	real_close(r);
}

/* QEMU 7.2 lists each function on bus 0 (select entries) and the IOAPIC (special). */
static void test_real_qemu_ivhd_devices(void **state)
{
	static const uint16_t listed[] = { DEVID(0, 0, 0), DEVID(0, 1, 0), DEVID(0, 2, 0),
					   DEVID(0, 3, 0), DEVID(0, 0x1f, 0), DEVID(0, 0x1f, 2),
					   DEVID(0, 0x1f, 3) };
	struct real *r = real_open();
	struct collect c = { 0 };
	struct ivrs_info v;
	uint16_t rid;

	assert_int_equal(ivrs_parse(r->t, r->len, &v), 0);
	assert_int_equal(ivhd_walk_devices(r->t + v.units[0].entries_off,
					   v.units[0].entries_len, collect, &c), 0);
	assert_int_equal(c.n, 7);
	for (unsigned i = 0; i < 7; i++) {
		check_devs(&c.d[i], listed[i], listed[i], false, 0);
		assert_true(ivhd_covers(r->t, &v.units[0], listed[i], &rid));
		assert_int_equal(rid, listed[i]);
	}
	assert_false(ivhd_covers(r->t, &v.units[0], DEVID(0, 4, 0), &rid));
	assert_false(ivhd_covers(r->t, &v.units[0], DEVID(0, 0x14, 0), &rid));
	real_close(r);
}

/* Corrupted copies of the real table, made at run time. */
static void test_real_qemu_ivrs_corrupt(void **state)
{
	struct real *r = real_open();
	uint8_t *c = malloc(r->len + 512);
	uint16_t blen = acpi_get16(r->t + IVRS_B0 + 2);
	struct ivrs_info v;

	memcpy(c, r->t, r->len);
	c[IVRS_B0 + 8] ^= 0x01;                     /* flipped byte */
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* IVHD length 0 */
	put16(c + IVRS_B0 + 2, 0);
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	put16(c + IVRS_B0 + 2, 20);                 /* shorter than its type */
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* table cut inside the IVHD */
	put32(c + 4, IVRS_B0 + blen - 2);
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* the IVHD again, as another device */
	memcpy(c + r->len, r->t + IVRS_B0, blen);
	put16(c + r->len + 4, DEVID(0, 4, 0));
	put32(c + 4, r->len + blen);
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len + blen, &v), -HV_EEXIST);

	memcpy(c + r->len, r->t + IVRS_B0, blen);   /* the same IVHD twice */
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len + blen, &v), -HV_EEXIST);

	memcpy(c, r->t, r->len);                    /* first select made a range end */
	c[IVRS_B0 + 24] = 0x04;
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* last select made a range start */
	c[r->len - 12] = 0x03;
	sdt_fix(c);
	assert_int_equal(ivrs_parse(c, r->len, &v), -HV_EBADMSG);

	fake_phys_replace(&r->f, r->pa, c, r->len - 1); /* shrunk in memory */
	assert_int_equal(acpi_find_table(&r->a, "IVRS", 0, NULL, NULL, NULL), -HV_EBADMSG);
	free(c);
	real_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ivrs_parse),
		cmocka_unit_test(test_ivrs_header),
		cmocka_unit_test(test_ivrs_block_lengths),
		cmocka_unit_test(test_ivrs_device_entry_lengths),
		cmocka_unit_test(test_ivrs_duplicates),
		cmocka_unit_test(test_ivrs_too_many),
		cmocka_unit_test(test_ivrs_ivmd),
		cmocka_unit_test(test_ivhd_devices),
		cmocka_unit_test(test_ivhd_all_and_override),
		cmocka_unit_test(test_ivhd_bad_ranges),
		cmocka_unit_test(test_real_qemu_ivrs),
		cmocka_unit_test(test_real_qemu_ivhd_devices),
		cmocka_unit_test(test_real_qemu_ivrs_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
