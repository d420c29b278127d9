/* SPDX-License-Identifier: MIT */
/* Unit tests for the DMAR parser: synthetic tables and QEMU's intel-iommu table. */
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
#include "iommu/iommu.h"
#include "iommu/vtd/dmar.h"
#include "tests/unit/acpi_fixture.h"

#define FIXTURE "tests/unit/fixtures/acpi/qemu-q35-inteliommu.acpi"
#define DMAR_S0 48 /* first remapping structure */

static void dmar_head(struct tbuf *t, uint8_t haw, uint8_t flags)
{
	tb_init(t, "DMAR", 1);
	tb_u8(t, haw);
	tb_u8(t, flags);
	tb_zero(t, 10);
}

/* A device scope: type, 6 + 2 * npath bytes, bus, (dev, fn) pairs. */
static void scope(struct tbuf *t, uint8_t type, uint8_t bus, uint8_t dev, uint8_t fn)
{
	tb_u8(t, type);
	tb_u8(t, 8);
	tb_u16(t, 0);
	tb_u8(t, 0);
	tb_u8(t, bus);
	tb_u8(t, dev);
	tb_u8(t, fn);
}

static void drhd(struct tbuf *t, uint8_t flags, uint16_t seg, uint64_t base,
		 unsigned nscopes)
{
	tb_u16(t, 0);
	tb_u16(t, (uint16_t)(16 + 8 * nscopes));
	tb_u8(t, flags);
	tb_u8(t, 0);          /* size: one 4 KiB page */
	tb_u16(t, seg);
	tb_u64(t, base);
	for (unsigned i = 0; i < nscopes; i++)
		scope(t, 1, 0, (uint8_t)(2 + i), 0);
}

static void rmrr(struct tbuf *t, uint64_t base, uint64_t limit)
{
	tb_u16(t, 1);
	tb_u16(t, 24 + 8);
	tb_u16(t, 0);
	tb_u16(t, 0);
	tb_u64(t, base);
	tb_u64(t, limit);
	scope(t, 1, 0, 0x14, 0);
}

/* Two units on segment 0 (one with scopes, then the catch-all), RMRR, ATSR, RHSA. */
static void dmar_std(struct tbuf *t)
{
	dmar_head(t, 38, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
	drhd(t, 0, 0, 0xfed90000, 2);
	drhd(t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed91000, 0);
	rmrr(t, 0x7c000000, 0x7c7fffff);
	tb_u16(t, 2);         /* ATSR, one scope */
	tb_u16(t, 16);
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u16(t, 0);
	scope(t, 2, 0, 1, 0);
	tb_u16(t, 3);         /* RHSA */
	tb_u16(t, 20);
	tb_u32(t, 0);
	tb_u64(t, 0xfed90000);
	tb_u32(t, 0);
	tb_u16(t, 0x99);      /* unknown type: skipped by length */
	tb_u16(t, 6);
	tb_u16(t, 0);
	tb_done(t);
}

static int parse(struct tbuf *t, struct dmar_info *d)
{
	return dmar_parse(t->b, t->n, d);
}

static void test_dmar_parse(void **state)
{
	struct dmar_info d;
	struct tbuf t;

	dmar_std(&t);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(d.haw, 39);
	assert_int_equal(d.flags, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
	assert_int_equal(d.ndrhd, 2);
	assert_int_equal(d.drhd[0].reg_base, 0xfed90000);
	assert_int_equal(d.drhd[0].flags, 0);
	assert_int_equal(d.drhd[0].scope_off, DMAR_S0 + 16);
	assert_int_equal(d.drhd[0].scope_len, 16);
	assert_int_equal(t.b[d.drhd[0].scope_off + 6], 2); /* first scope's device */
	assert_int_equal(d.drhd[1].reg_base, 0xfed91000);
	assert_int_equal(d.drhd[1].flags, DMAR_DRHD_INCLUDE_PCI_ALL);
	assert_int_equal(d.drhd[1].segment, 0);
	assert_int_equal(d.drhd[1].scope_len, 0);
	assert_int_equal(d.nrmrr, 1);
	assert_int_equal(d.rmrr[0].base, 0x7c000000);
	assert_int_equal(d.rmrr[0].limit, 0x7c7fffff);
	assert_int_equal(d.rmrr[0].segment, 0);
	assert_int_equal(d.rmrr[0].scope_len, 8);
	assert_ptr_equal(d.table, t.b);
	assert_int_equal(d.nother, 3);
}

static void test_dmar_header(void **state)
{
	struct dmar_info d;
	struct tbuf t;

	dmar_std(&t);
	assert_int_equal(dmar_parse(t.b, t.n - 1, &d), -HV_EBADMSG);   /* past avail */
	t.b[40] ^= 1;
	assert_int_equal(parse(&t, &d), -HV_EBADMSG);                  /* checksum */
	dmar_std(&t);
	t.b[0] = 'X';
	sdt_fix(t.b);
	assert_int_equal(parse(&t, &d), -HV_EBADMSG);                  /* signature */
	tb_init(&t, "DMAR", 1);
	tb_u8(&t, 38);
	tb_u8(&t, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EBADMSG);                  /* no reserved */
	dmar_head(&t, 38, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), 0);                            /* no units */
	assert_int_equal(d.ndrhd, 0);
}

/* A DMAR with one structure given as raw bytes. */
static int dmar_one(const uint8_t *s, unsigned n, struct dmar_info *d)
{
	struct tbuf t;

	dmar_head(&t, 38, 0);
	for (unsigned i = 0; i < n; i++)
		tb_u8(&t, s[i]);
	tb_done(&t);
	return parse(&t, d);
}

static void test_dmar_struct_lengths(void **state)
{
	static const uint8_t ok[] = { 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0xd9, 0xfe, 0, 0, 0, 0 };
	static const uint8_t zero[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0xd9, 0xfe, 0, 0, 0, 0 };
	static const uint8_t drhd_short[] = { 0, 0, 12, 0, 1, 0, 0, 0, 0, 0, 0xd9, 0xfe };
	static const uint8_t past_end[] = { 0, 0, 24, 0, 1, 0, 0, 0, 0, 0, 0xd9, 0xfe, 0, 0,
					    0, 0 };
	static const uint8_t rmrr_short[] = { 1, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0x7c, 0, 0,
					      0, 0 };
	static const uint8_t rhsa_short[] = { 3, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0xd9, 0xfe, 0,
					      0, 0, 0 };
	static const uint8_t atsr_short[] = { 2, 0, 6, 0, 0, 0 };
	static const uint8_t unknown_short[] = { 0x80, 0, 3, 0 };
	static const uint8_t three_bytes[] = { 0, 0, 16 };
	struct dmar_info d;

	assert_int_equal(dmar_one(ok, sizeof(ok), &d), 0);
	assert_int_equal(d.drhd[0].flags, 1);
	assert_int_equal(dmar_one(zero, sizeof(zero), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(drhd_short, sizeof(drhd_short), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(past_end, sizeof(past_end), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(rmrr_short, sizeof(rmrr_short), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(rhsa_short, sizeof(rhsa_short), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(atsr_short, sizeof(atsr_short), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(unknown_short, sizeof(unknown_short), &d), -HV_EBADMSG);
	assert_int_equal(dmar_one(three_bytes, sizeof(three_bytes), &d), -HV_EBADMSG);
}

/* Device scopes: at least one path entry, whole entries, inside their structure. */
static void test_dmar_scope_lengths(void **state)
{
	struct dmar_info d;
	struct tbuf t;
	uint32_t s;

	for (unsigned bad = 0; bad < 5; bad++) {
		static const uint8_t lens[] = { 0, 6, 7, 9, 10 };

		dmar_head(&t, 38, 0);
		drhd(&t, 0, 0, 0xfed90000, 1);
		s = DMAR_S0 + 16;
		t.b[s + 1] = lens[bad];
		tb_done(&t);
		assert_int_equal(parse(&t, &d), -HV_EBADMSG);
	}
	dmar_head(&t, 38, 0);          /* a scope cut by the end of its DRHD */
	drhd(&t, 0, 0, 0xfed90000, 1);
	put16(t.b + DMAR_S0 + 2, 16 + 6);
	t.n -= 2;
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EBADMSG);
	dmar_head(&t, 38, 0);          /* and in an RMRR */
	rmrr(&t, 0x7c000000, 0x7c7fffff);
	t.b[DMAR_S0 + 24 + 1] = 0;
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EBADMSG);
}

static void test_dmar_duplicate_base(void **state)
{
	struct dmar_info d;
	struct tbuf t;

	dmar_head(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000, 1);
	drhd(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EEXIST);
	dmar_head(&t, 38, 0);          /* same base, other segment: still one register set */
	drhd(&t, 0, 0, 0xfed90000, 1);
	drhd(&t, 0, 1, 0xfed90000, 1);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EEXIST);
}

static void test_dmar_overlap_and_catch_all(void **state)
{
	struct dmar_info d;
	struct tbuf t;

	dmar_head(&t, 38, 0);
	drhd(&t, 0, 0, 0xfed90000, 1);
	drhd(&t, 0, 0, 0xfed91000, 1);
	t.b[DMAR_S0 + 5] = 1;          /* first unit: two pages, reaching 0xfed91000 */
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_ERANGE);
	dmar_head(&t, 38, 0);
	drhd(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000, 0);
	drhd(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed91000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_EEXIST);
	dmar_head(&t, 38, 0);          /* register set wrapping past 2^64 */
	drhd(&t, 0, 0, 0xfffffffffffff000ull, 1);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_ERANGE);
	dmar_head(&t, 38, 0);          /* one catch-all per segment is fine */
	drhd(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed90000, 0);
	drhd(&t, DMAR_DRHD_INCLUDE_PCI_ALL, 1, 0xfed91000, 0);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(d.ndrhd, 2);
	assert_int_equal(d.drhd[1].segment, 1);
}

static void test_dmar_too_many(void **state)
{
	struct dmar_info d;
	struct tbuf t;

	dmar_head(&t, 38, 0);
	for (unsigned i = 0; i <= DMAR_MAX_DRHD; i++)
		drhd(&t, 0, 0, 0xfed90000 + 0x1000 * i, 1);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_E2BIG);
}

static void test_dmar_rmrr_checks(void **state)
{
	static const uint64_t bad[][2] = {
		{ 0x7c000800, 0x7c7fffff },	/* base not page-aligned */
		{ 0x7c000000, 0x7c7ffffe },	/* limit + 1 not page-aligned */
		{ 0x7c800000, 0x7c000fff },	/* ends before it starts */
	};
	struct dmar_info d;
	struct tbuf t;

	for (unsigned i = 0; i < 3; i++) {
		dmar_head(&t, 38, 0);
		rmrr(&t, bad[i][0], bad[i][1]);
		tb_done(&t);
		assert_int_equal(parse(&t, &d), -HV_ERANGE);
	}
	dmar_head(&t, 38, 0);
	rmrr(&t, 0x1000, 0x1fff);	/* one page */
	tb_done(&t);
	assert_int_equal(parse(&t, &d), 0);
	dmar_head(&t, 38, 0);
	for (unsigned i = 0; i <= DMAR_MAX_RMRR; i++)
		rmrr(&t, 0x1000 * (i + 1), 0x1000 * (i + 1) + 0xfff);
	tb_done(&t);
	assert_int_equal(parse(&t, &d), -HV_E2BIG);
}

/* A scope with a two-hop path: bridge (bus, dev1, fn1), then (dev2, fn2) behind it. */
static void scope2(struct tbuf *t, uint8_t type, uint8_t bus, uint8_t dev1, uint8_t fn1,
		   uint8_t dev2, uint8_t fn2)
{
	tb_u8(t, type);
	tb_u8(t, 10);
	tb_u16(t, 0);
	tb_u8(t, 0);
	tb_u8(t, bus);
	tb_u8(t, dev1);
	tb_u8(t, fn1);
	tb_u8(t, dev2);
	tb_u8(t, fn2);
}

/*
 * Segment 0: unit 0 names endpoint 00:02.0, the bridge 00:1c.0 (buses 3-4 behind it)
 * and, through that bridge, endpoint 03:00.1; unit 1 is the catch-all. Segment 1: unit
 * 2 names 00:02.0 only. An RMRR names 00:14.0.
 */
static void dmar_bridged(struct tbuf *t)
{
	dmar_head(t, 38, 0);
	tb_u16(t, 0);
	tb_u16(t, 16 + 8 + 8 + 10 + 8);
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u16(t, 0);
	tb_u64(t, 0xfed90000);
	scope(t, DMAR_SCOPE_ENDPOINT, 0, 2, 0);
	scope(t, DMAR_SCOPE_BRIDGE, 0, 0x1c, 0);
	scope2(t, DMAR_SCOPE_ENDPOINT, 0, 0x1c, 0, 0, 1);
	scope(t, 3, 0xf0, 0x1f, 0);	/* an IOAPIC: no DMA scope */
	drhd(t, DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0xfed91000, 0);
	drhd(t, 0, 1, 0xfed92000, 1);	/* segment 1: endpoint 00:02.0 */
	rmrr(t, 0x7c000000, 0x7c7fffff);
	tb_done(t);
}

static unsigned bridge_calls;

/* 00:1c.0 is a bridge to buses 3..4; nothing else is. */
static int fake_bridge(uint16_t seg, uint16_t bdf, uint8_t *sec, uint8_t *sub, void *ctx)
{
	bridge_calls++;
	assert_ptr_equal(ctx, &bridge_calls);
	if (seg != 0 || bdf != IOMMU_BDF(0, 0x1c, 0))
		return -HV_ENOENT;
	*sec = 3;
	*sub = 4;
	return 0;
}

static void test_dmar_unit_for(void **state)
{
	const struct dmar_bus bus = { fake_bridge, &bridge_calls };
	const struct dmar_bus none = { 0, 0 };
	struct dmar_info d;
	struct tbuf t;

	dmar_bridged(&t);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 2, 0), &bus), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 0x1c, 0), &bus), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(3, 0, 0), &bus), 0);	/* below */
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(4, 7, 3), &bus), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(5, 0, 0), &bus), 1);	/* catch-all */
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 2, 1), &bus), 1);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0xf0, 0x1f, 0), &bus), 1);
	assert_int_equal(dmar_unit_for(&d, 1, IOMMU_BDF(0, 2, 0), &bus), 2);
	assert_int_equal(dmar_unit_for(&d, 1, IOMMU_BDF(0, 3, 0), &bus), -1);
	assert_int_equal(dmar_unit_for(&d, 2, IOMMU_BDF(0, 2, 0), &bus), -1);
	assert_true(bridge_calls > 0);
	/* Without bridge access: only one-hop paths, the bridge itself but not below it. */
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 0x1c, 0), &none), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(3, 0, 0), NULL), 1);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(3, 0, 1), &none), 1);
	/* The two-hop endpoint path alone, with the bridge scope made an IOAPIC one. */
	t.b[DMAR_S0 + 16 + 8] = 3;
	sdt_fix(t.b);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(3, 0, 1), &bus), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(3, 0, 0), &bus), 1);
	/* A path hop naming device 32 names nothing. */
	t.b[DMAR_S0 + 16 + 6] = 32;
	sdt_fix(t.b);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(1, 0, 0), &bus), 1); /* not 0x100 */
}

static void test_dmar_rmrr_names(void **state)
{
	const struct dmar_bus bus = { fake_bridge, &bridge_calls };
	struct dmar_info d;
	struct tbuf t;

	dmar_bridged(&t);
	assert_int_equal(parse(&t, &d), 0);
	assert_int_equal(d.nrmrr, 1);
	assert_true(dmar_rmrr_names(&d, &d.rmrr[0], 0, IOMMU_BDF(0, 0x14, 0), &bus));
	assert_false(dmar_rmrr_names(&d, &d.rmrr[0], 0, IOMMU_BDF(0, 0x14, 1), &bus));
	assert_false(dmar_rmrr_names(&d, &d.rmrr[0], 1, IOMMU_BDF(0, 0x14, 0), &bus));
}

/* ---- QEMU q35 with -device intel-iommu ---- */

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
	assert_int_equal(acpi_find_table(&r->a, "DMAR", 0, &t, &r->len, &r->pa), 0);
	r->t = t;
	return r;
}

static void real_close(struct real *r)
{
	fake_phys_free(&r->f);
	free(r);
}

/*
 * QEMU 7.2 does not set INCLUDE_PCI_ALL: its build_dmar_q35() walks the PCI buses and
 * lists every device (and the IOAPIC) as an explicit scope of its single DRHD.
 */
static void test_real_qemu_dmar(void **state)
{
	struct real *r = real_open();
	struct dmar_info d;
	const uint8_t *s;

	assert_int_equal(dmar_parse(r->t, r->len, &d), 0);
	assert_int_equal(d.ndrhd, 1);
	assert_int_equal(d.drhd[0].reg_base, 0xfed90000);
	assert_int_equal(d.drhd[0].flags & DMAR_DRHD_INCLUDE_PCI_ALL, 0);
	assert_int_equal(d.drhd[0].segment, 0);
	assert_int_equal(d.drhd[0].size, 0);
	assert_int_equal(d.haw, 48);          /* run with aw-bits=48 */
	assert_true(d.flags & DMAR_FLAG_INTR_REMAP);
	assert_int_equal(d.nrmrr, 0);
	assert_int_equal(d.drhd[0].scope_len, 7 * 8);
	s = r->t + d.drhd[0].scope_off;
	assert_int_equal(s[0], 3);            /* IOAPIC, VT-d 8.3.1 table 8-4 */
	assert_int_equal(s[5], 0xff);         /* on bus 0xff */
	s += 6 * 8;
	assert_int_equal(s[0], 1);            /* last: PCI endpoint 00:1f.3 */
	assert_int_equal(s[5], 0);
	assert_int_equal(s[6], 0x1f);
	assert_int_equal(s[7], 3);
	real_close(r);
}

/* Which unit covers what, on QEMU's table: its scopes list every device it knew of. */
static void test_real_qemu_units(void **state)
{
	static const uint16_t listed[] = { IOMMU_BDF(0, 0, 0), IOMMU_BDF(0, 1, 0),
					   IOMMU_BDF(0, 2, 0), IOMMU_BDF(0, 0x1f, 0),
					   IOMMU_BDF(0, 0x1f, 2), IOMMU_BDF(0, 0x1f, 3) };
	struct real *r = real_open();
	struct dmar_info d;

	assert_int_equal(dmar_parse(r->t, r->len, &d), 0);
	for (unsigned i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		assert_int_equal(dmar_unit_for(&d, 0, listed[i], NULL), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 3, 0), NULL), -1);	/* absent */
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 0x1f, 1), NULL), -1);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0xff, 0, 0), NULL), -1); /* IOAPIC */
	assert_int_equal(dmar_unit_for(&d, 1, IOMMU_BDF(0, 0, 0), NULL), -1);
	real_close(r);
}

/* Corrupted copies of the real table, made at run time. */
static void test_real_qemu_dmar_corrupt(void **state)
{
	struct real *r = real_open();
	uint8_t *c = malloc(r->len + 256);
	uint16_t dlen = acpi_get16(r->t + DMAR_S0 + 2);
	struct dmar_info d;

	assert_int_equal(acpi_get16(r->t + DMAR_S0), DMAR_TYPE_DRHD);
	memcpy(c, r->t, r->len);
	c[r->len / 2] ^= 0x10;                      /* flipped byte */
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* DRHD length 0 */
	put16(c + DMAR_S0 + 2, 0);
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	put16(c + DMAR_S0 + 2, 12);                 /* shorter than a DRHD */
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* table cut inside the DRHD */
	put32(c + 4, DMAR_S0 + dlen - 1);
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* the DRHD twice */
	memcpy(c + r->len, r->t + DMAR_S0, dlen);
	put32(c + 4, r->len + dlen);
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len + dlen, &d), -HV_EEXIST);

	memcpy(c, r->t, r->len);                    /* a device scope of length 0 */
	c[DMAR_S0 + 16 + 1] = 0;
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* a scope running past its DRHD */
	c[DMAR_S0 + dlen - 8 + 1] = 10;
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), -HV_EBADMSG);

	memcpy(c, r->t, r->len);                    /* 00:1f.3 made an IOAPIC scope */
	c[DMAR_S0 + dlen - 8] = 3;
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 0x1f, 3), NULL), -1);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 0x1f, 2), NULL), 0);

	memcpy(c, r->t, r->len);                    /* ... and a catch-all unit */
	c[DMAR_S0 + 4] |= DMAR_DRHD_INCLUDE_PCI_ALL;
	sdt_fix(c);
	assert_int_equal(dmar_parse(c, r->len, &d), 0);
	assert_int_equal(dmar_unit_for(&d, 0, IOMMU_BDF(0, 3, 0), NULL), 0);
	assert_int_equal(dmar_unit_for(&d, 1, IOMMU_BDF(0, 3, 0), NULL), -1);

	memcpy(c, r->t, r->len);                    /* shrunk in memory: past mapping */
	fake_phys_replace(&r->f, r->pa, c, r->len - 1);
	assert_int_equal(acpi_find_table(&r->a, "DMAR", 0, NULL, NULL, NULL), -HV_EBADMSG);
	free(c);
	real_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmar_parse),
		cmocka_unit_test(test_dmar_header),
		cmocka_unit_test(test_dmar_struct_lengths),
		cmocka_unit_test(test_dmar_scope_lengths),
		cmocka_unit_test(test_dmar_duplicate_base),
		cmocka_unit_test(test_dmar_overlap_and_catch_all),
		cmocka_unit_test(test_dmar_too_many),
		cmocka_unit_test(test_dmar_rmrr_checks),
		cmocka_unit_test(test_dmar_unit_for),
		cmocka_unit_test(test_dmar_rmrr_names),
		cmocka_unit_test(test_real_qemu_dmar),
		cmocka_unit_test(test_real_qemu_units),
		cmocka_unit_test(test_real_qemu_dmar_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
