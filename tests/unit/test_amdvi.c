/* SPDX-License-Identifier: MIT */
/* Unit tests for the AMD-Vi encodings: DTEs, I/O page tables walked as the spec does,
 * commands and events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "iommu/amdvi/amdvi_hw.h"
#include "vmm/pt.h"

#define PG	0x1000ull
#define MIB	0x100000ull
#define GIB	0x40000000ull
#define POOL	64

/* Table pages come from one host buffer; a page's "physical address" is its pointer. */
static uint8_t *pool;
static unsigned int used;

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	if (used == POOL)
		return 0;
	return (uint64_t)(uintptr_t)(pool + PG * used++);
}

static uint64_t *table_ptr(uint64_t pa, void *ctx)
{
	(void)ctx;
	assert_true(pa >= (uintptr_t)pool && pa < (uintptr_t)pool + POOL * PG);
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem mem = { .alloc_table = alloc_table, .table_ptr = table_ptr };

static int setup(void **state)
{
	pool = aligned_alloc(PG, POOL * PG);
	memset(pool, 0, POOL * PG);
	used = 0;
	return 0;
}

static int teardown(void **state)
{
	free(pool);
	return 0;
}

/*
 * The IOMMU's walk, written from spec 2.2.3 rather than from pt.c: DTE Mode gives the
 * root's level; each entry must be present; Next Level 0 ends the walk with a page as
 * large as the level it is found in; otherwise it must name the next level down. IR
 * and IW are ANDed over the DTE and every entry.
 */
static bool hw_walk(const uint64_t dte[4], uint64_t iova, uint64_t *pa, unsigned int *perm)
{
	unsigned int level = AMDVI_DTE_MODE(dte[0]);
	uint64_t rights = dte[0] & (AMDVI_DTE_IR | AMDVI_DTE_IW), e = dte[0];

	if (!(dte[0] & AMDVI_DTE_V) || !(dte[0] & AMDVI_DTE_TV))
		return false;
	if (level == 0) {
		*pa = iova;
		*perm = (rights & AMDVI_DTE_IR ? PT_R : 0) | (rights & AMDVI_DTE_IW ? PT_W : 0);
		return *perm != 0;
	}
	for (;;) {
		uint64_t shift = 12 + 9 * (level - 1), size = 1ull << shift;

		e = table_ptr(e & AMDVI_ADDR_MASK, NULL)[(iova >> shift) & 511];
		if (!(e & AMDVI_PTE_PR))
			return false;
		rights &= e;
		if (AMDVI_PTE_NL(e) == 0) {
			*pa = (e & AMDVI_ADDR_MASK & ~(size - 1)) | (iova & (size - 1));
			*perm = (rights & AMDVI_PTE_IR ? PT_R : 0) |
				(rights & AMDVI_PTE_IW ? PT_W : 0);
			return *perm != 0;
		}
		assert_int_equal(AMDVI_PTE_NL(e), level - 1);
		level--;
	}
}

static void test_dte(void **state)
{
	uint64_t dte[4] = { ~0ull, ~0ull, ~0ull, ~0ull }, pa;
	unsigned int perm;

	amdvi_dte_blocked(dte);
	assert_int_equal(dte[0], 0x3);		/* V, TV, Mode 0, IR = IW = 0 */
	assert_int_equal(dte[1] | dte[2] | dte[3], 0);
	assert_false(hw_walk(dte, 0x1000, &pa, &perm));
	amdvi_dte_translated(dte, 0x12345000, 7);
	assert_int_equal(dte[0], 0x6000000012345803ull);	/* IW IR, root, Mode 4, TV V */
	assert_int_equal(dte[1], 7);
	assert_int_equal(dte[2] | dte[3], 0);
	/* QEMU 7.2 rejects DTEs with reserved bits: quad 0 63,53:52,7:2; quad 1 bit 8. */
	assert_int_equal(dte[0] & 0x80300000000000fcull, 0);
	assert_int_equal(dte[1] & 0x100, 0);
	amdvi_dte_translated(dte, 0xfff0000012345fffull, 0xffff);	/* junk bits dropped */
	assert_int_equal(dte[0], 0x6000000012345803ull);
	assert_int_equal(dte[1], 0xffff);
}

static void dte_for(uint64_t dte[4], uint64_t root)
{
	amdvi_dte_translated(dte, root, 1);
}

static void test_pte_4k(void **state)
{
	uint64_t root = alloc_table(NULL), dte[4], pa, size, e;
	const uint64_t *t;
	unsigned int perm;
	int level;

	dte_for(dte, root);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 0x7f0000001000ull, 0x5000,
				PG, PT_R | PT_W, PT_MEM_WB), 0);
	/* Root entry: Next Level 3, present, IR, IW; leaf: Next Level 0, FC. */
	t = table_ptr(root, NULL);
	e = t[(0x7f0000001000ull >> 39) & 511];
	assert_int_equal(AMDVI_PTE_NL(e), 3);
	assert_int_equal(e & ~AMDVI_ADDR_MASK, AMDVI_PTE_IR | AMDVI_PTE_IW | (3 << 9) | 1);
	assert_int_equal(pt_lookup_entry(&pt_format_amdvi, &mem, root, 0x7f0000001000ull,
					 &e, &level), 0);
	assert_int_equal(level, 0);
	assert_int_equal(e, 0x5000 | AMDVI_PTE_PR | AMDVI_PTE_IR | AMDVI_PTE_IW | AMDVI_PTE_FC);
	assert_true(hw_walk(dte, 0x7f0000001abcull, &pa, &perm));
	assert_int_equal(pa, 0x5abc);
	assert_int_equal(perm, PT_R | PT_W);
	assert_false(hw_walk(dte, 0x7f0000002000ull, &pa, &perm));
	assert_int_equal(pt_lookup(&pt_format_amdvi, &mem, root, 0x7f0000001008ull, &pa, &perm,
				   &size), 0);
	assert_int_equal(pa, 0x5008);
	assert_int_equal(size, PG);
	/* Read-only; then unmapped. */
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 0x3000, 0x9000, PG, PT_R,
				PT_MEM_UC), 0);
	assert_true(hw_walk(dte, 0x3000, &pa, &perm));
	assert_int_equal(perm, PT_R);
	assert_int_equal(pt_lookup_entry(&pt_format_amdvi, &mem, root, 0x3000, &e, &level), 0);
	assert_int_equal(e & AMDVI_PTE_FC, 0);
	assert_int_equal(pt_unmap(&pt_format_amdvi, &mem, root, 0x3000, PG), 0);
	assert_false(hw_walk(dte, 0x3000, &pa, &perm));
	assert_int_equal(pt_lookup(&pt_format_amdvi, &mem, root, 0x3000, NULL, NULL, NULL),
			 -HV_ENOENT);
}

static void test_pte_large(void **state)
{
	uint64_t root = alloc_table(NULL), dte[4], pa, size;
	unsigned int perm, before;

	dte_for(dte, root);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 2 * GIB, 6 * GIB, GIB + 2 * MIB,
				PT_R | PT_W, PT_MEM_WB), 0);
	assert_int_equal(pt_lookup(&pt_format_amdvi, &mem, root, 2 * GIB + 5, &pa, &perm,
				   &size), 0);
	assert_int_equal(size, GIB);
	assert_true(hw_walk(dte, 2 * GIB + 0x12345678, &pa, &perm));
	assert_int_equal(pa, 6 * GIB + 0x12345678);
	assert_int_equal(pt_lookup(&pt_format_amdvi, &mem, root, 3 * GIB + 7, &pa, NULL,
				   &size), 0);
	assert_int_equal(size, 2 * MIB);
	assert_true(hw_walk(dte, 3 * GIB + 0x1fffff, &pa, &perm));
	assert_int_equal(pa, 7 * GIB + 0x1fffff);
	assert_false(hw_walk(dte, 3 * GIB + 2 * MIB, &pa, &perm));
	before = used;	/* 1 GiB + 2 MiB took a level-2 and a level-1 table only */
	assert_int_equal(before, 3);
	/* Splitting a large page is the caller's job. */
	assert_int_equal(pt_unmap(&pt_format_amdvi, &mem, root, 2 * GIB, PG), -HV_EINVAL);
	assert_int_equal(pt_unmap(&pt_format_amdvi, &mem, root, 2 * GIB, GIB), 0);
	assert_false(hw_walk(dte, 2 * GIB, &pa, &perm));
}

static void test_pte_limits(void **state)
{
	uint64_t root = alloc_table(NULL);

	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 1ull << 48, 0, PG, PT_R,
				PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, (1ull << 48) - PG, 0, 2 * PG,
				PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 0, 1ull << 52, PG, PT_R,
				PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, 0, 0, PG, PT_W, PT_MEM_WB),
			 -HV_EINVAL);
	assert_int_equal(used, 1);
	assert_int_equal(pt_map(&pt_format_amdvi, &mem, root, (1ull << 48) - PG,
				(1ull << 52) - PG, PG, PT_R, PT_MEM_WB), 0);
}

static void test_commands(void **state)
{
	struct amdvi_cmd c = amdvi_cmd_completion_wait(0x000fedcba9876548ull, 0x1122334455ull);

	/* 2.4.1: opcode 1 in dword 1 bits 31:28, S bit 0, address 51:3 in place. */
	assert_int_equal(c.q[0], 0x100fedcba9876549ull);
	assert_int_equal(c.q[1], 0x1122334455ull);
	c = amdvi_cmd_completion_wait(0xfff0000000001007ull, 1);	/* junk bits dropped */
	assert_int_equal(c.q[0], 0x1000000000001001ull);
	c = amdvi_cmd_inv_dte(0x1234);
	assert_int_equal(c.q[0], 0x2000000000001234ull);
	assert_int_equal(c.q[1], 0);
	c = amdvi_cmd_inv_pages_all(9);
	assert_int_equal(c.q[0], 0x3000000900000000ull);	/* DomainID in dword 1 */
	assert_int_equal(c.q[1], 0x7ffffffffffff003ull);	/* all pages: S, PDE */
	/* QEMU 7.2 calls these illegal: q[0] bits 31:20 and 59:48, q[1] bits 11:3. */
	assert_int_equal(c.q[0] & 0x0fff0000fff00000ull, 0);
	assert_int_equal(c.q[1] & 0xff8, 0);
	c = amdvi_cmd_inv_all();
	assert_int_equal(c.q[0], 0x8000000000000000ull);
	assert_int_equal(c.q[1], 0);
}

static void test_events(void **state)
{
	/* IO_PAGE_FAULT from 00:04.0, domain 3, flags RW | PR (2.5.3), address. */
	const uint64_t pf[2] = { 0x2030000300000020ull, 0xdead000ull };
	const uint64_t idte[2] = { 0x1000000000000018ull, 0x1234 };
	struct amdvi_event ev = amdvi_event_decode(pf);

	assert_int_equal(ev.code, AMDVI_EV_IO_PAGE_FAULT);
	assert_int_equal(ev.devid, 0x20);
	assert_int_equal(ev.domid, 3);
	assert_int_equal(ev.flags, 0x030);
	assert_int_equal(ev.addr, 0xdead000);
	assert_string_equal(amdvi_event_name(ev.code), "IO_PAGE_FAULT");
	ev = amdvi_event_decode(idte);
	assert_int_equal(ev.code, AMDVI_EV_ILLEGAL_DEV_TABLE_ENTRY);
	assert_int_equal(ev.devid, 0x18);
	assert_string_equal(amdvi_event_name(ev.code), "ILLEGAL_DEV_TABLE_ENTRY");
	assert_string_equal(amdvi_event_name(AMDVI_EV_ILLEGAL_COMMAND_ERROR),
			    "ILLEGAL_COMMAND_ERROR");
	assert_string_equal(amdvi_event_name(AMDVI_EV_EVENT_COUNTER_ZERO), "EVENT_COUNTER_ZERO");
	assert_string_equal(amdvi_event_name(0), "UNKNOWN");
	assert_string_equal(amdvi_event_name(0xb), "UNKNOWN");
	assert_string_equal(amdvi_event_name(0xf), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dte),
		cmocka_unit_test_setup_teardown(test_pte_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pte_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pte_limits, setup, teardown),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
