/* SPDX-License-Identifier: MIT */
/* Unit tests for the VT-d encodings: root and context entries, SL tables, fault records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "iommu/vtd/vtd.h"

#define PG	0x1000ull
#define MIB	0x100000ull
#define GIB	0x40000000ull
#define SL_R	1ull
#define SL_W	2ull
#define SL_PS	(1ull << 7)
#define NPAGES	64

/* QEMU 7.2 intel-iommu CAP with aw-bits=48 and with aw-bits=39 (caching-mode off). */
#define QEMU_CAP_48	0x00d2008c222f0606ull
#define QEMU_CAP_39	0x00d2008c22260206ull

/* Table pages from the heap; their address is their "physical" address. */
static void *pages[NPAGES];
static unsigned int npages;

static uint64_t fake_alloc(void *ctx)
{
	void *p;

	if (npages == NPAGES)
		return 0;
	p = aligned_alloc(PG, PG);
	assert_non_null(p);
	memset(p, 0, PG);
	pages[npages++] = p;
	return (uintptr_t)p;
}

static uint64_t *fake_ptr(uint64_t pa, void *ctx)
{
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem mem = { fake_alloc, fake_ptr, 0 };

static int teardown(void **state)
{
	while (npages)
		free(pages[--npages]);
	return 0;
}

static void test_root_entry(void **state)
{
	struct vtd_entry e = vtd_root_entry(0x12345000);

	assert_int_equal(e.lo, 0x12345001);	/* CTP | P */
	assert_int_equal(e.hi, 0);
	assert_int_equal(vtd_root_entry(0xfffff00000001fffull).lo, 0x000ff00000001001ull);
}

static void test_context_entry(void **state)
{
	struct vtd_entry e = vtd_context_entry(0xabcd000, 7, 4);

	assert_int_equal(e.lo, 0xabcd001);	/* SLPTPTR | TT 00 | P */
	assert_int_equal(e.hi, 0x702);		/* DID 7 at 87:72, AW 010 (48-bit) */
	e = vtd_context_entry(0xabcd000, 1, 3);
	assert_int_equal(e.hi, 0x101);		/* AW 001 (39-bit) */
	e = vtd_context_entry(0xabcdfff, 0x1ffff, 4);	/* stray bits dropped */
	assert_int_equal(e.lo, 0xabcd001);
	assert_int_equal(e.hi, 0xffff02);
	assert_int_equal(VTD_CTX_DID(e.hi), 0xffff);
	assert_int_equal(VTD_CTX_DID(vtd_context_entry(0x1000, 16, 3).hi), 16);
}

static void test_levels(void **state)
{
	assert_int_equal(vtd_levels(QEMU_CAP_48), 4);	/* SAGAW 0x6 */
	assert_int_equal(vtd_levels(QEMU_CAP_39), 3);	/* SAGAW 0x2 */
	assert_int_equal(vtd_levels(0x4ull << 8), 4);
	assert_int_equal(vtd_levels(0x8ull << 8), 0);	/* 5-level only */
	assert_int_equal(vtd_levels(0x1ull << 8), 0);	/* 2-level only */
	assert_int_equal(vtd_levels(0), 0);
}

static void entry_at(uint64_t root, uint64_t iova, uint64_t *e, int *level)
{
	assert_int_equal(pt_lookup_entry(&vtd_format_sl, &mem, root, iova, e, level), 0);
}

static void test_sl_map_lookup(void **state)
{
	uint64_t root = fake_alloc(0), pa, size, e, *t;
	unsigned int perm;
	int level;

	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, 0x1000, 0x5000, PG, PT_R | PT_W,
				PT_MEM_WB), 0);
	assert_int_equal(pt_lookup(&vtd_format_sl, &mem, root, 0x1234, &pa, &perm, &size), 0);
	assert_int_equal(pa, 0x5234);
	assert_int_equal(perm, PT_R | PT_W);
	assert_int_equal(size, PG);
	entry_at(root, 0x1000, &e, &level);
	assert_int_equal(e, 0x5000 | SL_R | SL_W);	/* no PS, nothing else at level 0 */
	assert_int_equal(level, 0);
	/* Tables: address | R | W, never PS. */
	t = fake_ptr(root, 0);
	assert_int_equal(t[0] & ~VTD_ENTRY_ADDR, SL_R | SL_W);
	/* Read-only page. */
	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, 0x2000, 0x6000, PG, PT_R,
				PT_MEM_WB), 0);
	entry_at(root, 0x2000, &e, &level);
	assert_int_equal(e, 0x6000 | SL_R);
	assert_int_equal(pt_lookup(&vtd_format_sl, &mem, root, 0x3000, 0, 0, 0), -HV_ENOENT);
	/* Write without read does not exist. */
	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, 0x3000, 0x7000, PG, PT_W,
				PT_MEM_WB), -HV_EINVAL);
	/* Beyond 48 bits: no. */
	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, 1ull << 48, 0, PG, PT_R,
				PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(pt_unmap(&vtd_format_sl, &mem, root, 0x1000, PG), 0);
	assert_int_equal(pt_lookup(&vtd_format_sl, &mem, root, 0x1000, 0, 0, 0), -HV_ENOENT);
}

static void test_sl_large_pages(void **state)
{
	struct pt_format small = vtd_format_sl;
	uint64_t root = fake_alloc(0), e, size;
	int level;

	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, 2 * MIB, 0x40000000, 2 * MIB,
				PT_R | PT_W, PT_MEM_WB), 0);
	entry_at(root, 2 * MIB + 0x5000, &e, &level);
	assert_int_equal(level, 1);
	assert_int_equal(e, 0x40000000 | SL_PS | SL_R | SL_W);
	assert_int_equal(pt_map(&vtd_format_sl, &mem, root, GIB, 2 * GIB, GIB, PT_R,
				PT_MEM_WB), 0);
	entry_at(root, GIB + 0x12345000, &e, &level);
	assert_int_equal(level, 2);
	assert_int_equal(e, 2 * GIB | SL_PS | SL_R);
	/* A unit without CAP.SLLPS: the same range in 4 KiB pages. */
	small.large_levels = 0;
	root = fake_alloc(0);
	assert_int_equal(pt_map(&small, &mem, root, 2 * MIB, 0x40000000, 2 * MIB, PT_R,
				PT_MEM_WB), 0);
	assert_int_equal(pt_lookup(&small, &mem, root, 2 * MIB + 0x5000, 0, 0, &size), 0);
	assert_int_equal(size, PG);
	entry_at(root, 2 * MIB, &e, &level);
	assert_int_equal(e & SL_PS, 0);
}

static void test_fault_decode(void **state)
{
	struct vtd_fault f;
	/* What QEMU recorded for edu (00:03.0) writing an unmapped page: FR 5, T 0. */
	uint64_t hi = (1ull << 63) | (0x05ull << 32) | 0x0018;

	assert_true(vtd_fault_decode(0x178000, hi, &f));
	assert_int_equal(f.addr, 0x178000);
	assert_int_equal(f.sid, 0x0018);
	assert_int_equal(f.reason, 5);
	assert_false(f.read);
	/* A read (T, bit 126), reason 2 (context entry not present), low bits ignored. */
	assert_true(vtd_fault_decode(0xfffffffffffff0abull, (1ull << 63) | (1ull << 62) |
				     (0x02ull << 32) | 0xff07, &f));
	assert_int_equal(f.addr, 0xfffffffffffff000ull);
	assert_int_equal(f.sid, 0xff07);
	assert_int_equal(f.reason, 2);
	assert_true(f.read);
	/* F clear: no fault, whatever else the record holds. */
	assert_false(vtd_fault_decode(0x178000, hi & ~(1ull << 63), &f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_entry),
		cmocka_unit_test(test_context_entry),
		cmocka_unit_test(test_levels),
		cmocka_unit_test_teardown(test_sl_map_lookup, teardown),
		cmocka_unit_test_teardown(test_sl_large_pages, teardown),
		cmocka_unit_test(test_fault_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
