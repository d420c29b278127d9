/* SPDX-License-Identifier: MIT */
/* Unit tests for the physical page allocator: reservations, alignment, free and merge, limits. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot.h"
#include "include/abi/hv_errno.h"
#include "tests/unit/mb_build.h"
#include "vmm/pmm.h"

#define PG	PMM_PAGE_SIZE
#define MIB	0x100000ull

static struct pmm pmm;

/* What the kernel reserves besides boot info: low 1 MiB, its own image. */
static const struct boot_range q35_resv[] = {
	{ 0, MIB },
	{ 0x200000, 0x38a123 },		/* hypervisor image, unaligned end */
	{ MOD0_START, MOD0_END },
	{ MOD1_START, MOD1_END },
	{ 0x7fff800, 0x8000010 },	/* unaligned both ends: 3 pages */
};
#define NRESV (sizeof(q35_resv) / sizeof(q35_resv[0]))

static void check_invariants(const struct pmm *p)
{
	struct boot_range r, prev = { 0, 0 };
	uint64_t pages = 0;

	for (size_t i = 0; pmm_range_get(p, i, &r); i++) {
		assert_true(r.start < r.end);
		assert_int_equal(r.start % PG, 0);
		assert_int_equal(r.end % PG, 0);
		assert_true(r.start != 0);
		if (i)
			assert_true(prev.end < r.start);	/* sorted, merged */
		pages += (r.end - r.start) / PG;
		prev = r;
	}
	assert_false(pmm_range_get(p, pmm_range_count(p), &r));
	assert_int_equal(pages, pmm_free_pages(p));
	assert_true(pmm_free_pages(p) <= pmm_total_pages(p));
}

static bool overlaps(uint64_t a, uint64_t b, uint64_t s, uint64_t e)
{
	return a < e && s < b;
}

/* The page [pa, pa + PG) is RAM by the map and touches nothing reserved. */
static void check_page(uint64_t pa, const struct boot_mmap_entry *map, size_t nmap,
		       const struct boot_range *resv, size_t nresv)
{
	bool in_avail = false;

	assert_true(pa != 0);
	assert_int_equal(pa % PG, 0);
	for (size_t i = 0; i < nmap; i++) {
		uint64_t s = map[i].base, e = map[i].base + map[i].len;

		if (map[i].type == BOOT_MEM_AVAILABLE) {
			in_avail |= s <= pa && pa + PG <= e;
		} else {
			assert_false(overlaps(pa, pa + PG, s, e));
		}
	}
	assert_true(in_avail);
	for (size_t i = 0; i < nresv; i++)
		assert_false(overlaps(pa, pa + PG, resv[i].start, resv[i].end));
}

/* Takes every page one by one, checking each; returns the count. Pages go in *out. */
static size_t drain(struct pmm *p, const struct boot_mmap_entry *map, size_t nmap,
		    const struct boot_range *resv, size_t nresv, uint64_t **out)
{
	size_t n = 0, cap = 1024;
	uint64_t *pages = malloc(cap * sizeof(*pages)), pa;

	while ((pa = pmm_alloc(p, 1, 1)) != 0) {
		check_page(pa, map, nmap, resv, nresv);
		if (n == cap)
			pages = realloc(pages, (cap *= 2) * sizeof(*pages));
		pages[n++] = pa;
	}
	assert_int_equal(pmm_free_pages(p), 0);
	assert_int_equal(pmm_range_count(p), 0);
	*out = pages;
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_q35(void **state)
{
	uint64_t *pages, expect;
	struct boot_range r;
	size_t n;

	assert_int_equal(pmm_init(&pmm, q35_map, q35_map_count, q35_resv, NRESV), 0);
	check_invariants(&pmm);
	expect = (0xffe0000 - MIB) / PG - (0x38b000 - 0x200000) / PG -
		 (0x9b1000 - MOD0_START) / PG - 2;
	assert_int_equal(pmm_total_pages(&pmm), expect);
	assert_int_equal(pmm_free_pages(&pmm), expect);
	assert_int_equal(pmm_range_count(&pmm), 4);
	assert_true(pmm_range_get(&pmm, 0, &r));
	assert_int_equal(r.start, MIB);
	assert_int_equal(r.end, 0x200000);
	assert_true(pmm_range_get(&pmm, 1, &r));
	assert_int_equal(r.start, 0x38b000);
	assert_int_equal(r.end, MOD0_START);
	assert_true(pmm_range_get(&pmm, 3, &r));
	assert_int_equal(r.start, 0x8001000);
	assert_int_equal(r.end, 0xffe0000);

	n = drain(&pmm, q35_map, q35_map_count, q35_resv, NRESV, &pages);
	assert_int_equal(n, expect);
	qsort(pages, n, sizeof(*pages), cmp_u64);
	for (size_t i = 1; i < n; i++)
		assert_true(pages[i - 1] < pages[i]);	/* no page handed out twice */
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0);

	for (size_t i = 0; i < n; i++)
		assert_int_equal(pmm_free(&pmm, pages[n - 1 - i], 1), 0);
	assert_int_equal(pmm_free_pages(&pmm), expect);
	assert_int_equal(pmm_range_count(&pmm), 4);
	check_invariants(&pmm);
	free(pages);
}

/* Without caller reservations, page 0 still never comes out. */
static void test_page0(void **state)
{
	static const struct boot_mmap_entry map[] = { { 0, 0x10000, BOOT_MEM_AVAILABLE } };
	struct boot_range r;

	assert_int_equal(pmm_init(&pmm, map, 1, NULL, 0), 0);
	assert_int_equal(pmm_total_pages(&pmm), 15);
	assert_true(pmm_range_get(&pmm, 0, &r));
	assert_int_equal(r.start, PG);
	for (int i = 0; i < 15; i++)
		assert_true(pmm_alloc(&pmm, 1, 1) >= PG);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0);
	assert_int_equal(pmm_free(&pmm, 0, 1), -HV_EFAULT);
}

/* Unsorted, overlapping, unaligned: reserved types win, RAM shrinks to whole pages. */
static void test_messy_map(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0xc00100, 0x3e00, BOOT_MEM_AVAILABLE },	/* -> [0xc01000, 0xc03000) */
		{ 0x400000, 0x600000, BOOT_MEM_AVAILABLE },
		{ 0x9ff000, 0x101000, BOOT_MEM_ACPI },		/* cuts the tail */
		{ 0x500123, 0x6dd, BOOT_MEM_RESERVED },		/* one page, inside */
		{ 0x100000, 0x700000, BOOT_MEM_AVAILABLE },	/* overlaps the second */
		{ 0x300000, 0x1000, BOOT_MEM_BAD },
		{ 0x600000, 0x2000, 17 },			/* unknown type: not RAM */
		{ 0xc02000, 0x1000, BOOT_MEM_AVAILABLE },	/* duplicate */
		{ 0x700000, 0x1000, BOOT_MEM_NVS },
		{ 0x700000, 0x1000, BOOT_MEM_AVAILABLE },	/* after NVS: NVS still wins */
		{ 0xd00000, 0, BOOT_MEM_RESERVED },		/* empty */
		{ 0xe00000, 0x800, BOOT_MEM_AVAILABLE },	/* less than a page */
	};
	static const struct boot_range want[] = {
		{ 0x100000, 0x300000 }, { 0x301000, 0x500000 }, { 0x501000, 0x600000 },
		{ 0x602000, 0x700000 }, { 0x701000, 0x9ff000 }, { 0xc01000, 0xc03000 },
	};
	size_t nmap = sizeof(map) / sizeof(map[0]);
	struct boot_range r;
	uint64_t *pages;
	size_t n;

	assert_int_equal(pmm_init(&pmm, map, nmap, NULL, 0), 0);
	assert_int_equal(pmm_range_count(&pmm), 6);
	for (size_t i = 0; i < 6; i++) {
		assert_true(pmm_range_get(&pmm, i, &r));
		assert_int_equal(r.start, want[i].start);
		assert_int_equal(r.end, want[i].end);
	}
	check_invariants(&pmm);
	n = drain(&pmm, map, nmap, NULL, 0, &pages);
	assert_int_equal(n, pmm_total_pages(&pmm));
	free(pages);
}

/* A map covering the top of the address space, up to exactly 2^64. */
static void test_top_of_memory(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0xffffffffffff0000ull, 0x10000, BOOT_MEM_AVAILABLE },
		{ 0xffffffff00000000ull, 0xffffffffffffffffull, BOOT_MEM_AVAILABLE },
		{ 0xfffffffffffff800ull, 0x800, BOOT_MEM_RESERVED },
	};
	uint64_t pa;

	assert_int_equal(pmm_init(&pmm, map, 3, NULL, 0), 0);
	check_invariants(&pmm);
	assert_int_equal(pmm_total_pages(&pmm), 0xfffff);
	pa = pmm_alloc(&pmm, 1, 0x10000);
	assert_int_equal(pa, 0xffffffff00000000ull);
	assert_int_equal(pmm_alloc(&pmm, 1, 1ull << 40), 0);
	assert_int_equal(pmm_free(&pmm, 0xfffffffffffff000ull, 1), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, 0xffffffffffffe000ull, 2), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, pa, 1), 0);
	assert_int_equal(pmm_reserve(&pmm, 0xffffffffffff0800ull, UINT64_MAX), -HV_EBUSY);
}

static void test_alignment(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x1000000, BOOT_MEM_AVAILABLE },
	};
	static const struct boot_range resv[] = { { 0x100000, 0x101000 } };
	uint64_t a, b, c;

	assert_int_equal(pmm_init(&pmm, map, 1, resv, 1), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 0), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 3), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 6), 0);
	assert_int_equal(pmm_alloc(&pmm, 0, 1), 0);
	assert_int_equal(pmm_alloc(&pmm, SIZE_MAX, 1), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, (size_t)1 << 63), 0);
	assert_int_equal(pmm_alloc(NULL, 1, 1), 0);

	a = pmm_alloc(&pmm, 1, 512);	/* 2 MiB aligned: splits [0x101000, 0x1100000) */
	assert_int_equal(a, 0x200000);
	assert_int_equal(pmm_range_count(&pmm), 2);
	b = pmm_alloc(&pmm, 3, 4);
	assert_int_equal(b % (4 * PG), 0);
	assert_int_equal(b, 0x104000);
	c = pmm_alloc(&pmm, 1, 1);
	assert_int_equal(c, 0x101000);
	assert_int_equal(pmm_alloc(&pmm, 4096, 4096), 0);	/* 16 MiB at 16 MiB: no room */
	check_invariants(&pmm);
	assert_int_equal(pmm_free(&pmm, a, 1), 0);
	assert_int_equal(pmm_free(&pmm, b, 3), 0);
	assert_int_equal(pmm_free(&pmm, c, 1), 0);
	assert_int_equal(pmm_range_count(&pmm), 1);
	assert_int_equal(pmm_free_pages(&pmm), pmm_total_pages(&pmm));
	/* Exactly the whole pool in one go, then nothing. */
	a = pmm_alloc(&pmm, (size_t)pmm_total_pages(&pmm), 1);
	assert_int_equal(a, 0x101000);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0);
	assert_int_equal(pmm_free(&pmm, a, (size_t)pmm_total_pages(&pmm)), 0);
	assert_int_equal(pmm_alloc(&pmm, (size_t)pmm_total_pages(&pmm) + 1, 1), 0);
}

/* A fit that takes a range's head or tail beats an earlier one that would split. */
static void test_prefers_no_split(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x101000, 0x400000, BOOT_MEM_AVAILABLE },	/* aligned fit would split */
		{ 0x800000, 0x200000, BOOT_MEM_AVAILABLE },	/* 2 MiB aligned head */
	};

	assert_int_equal(pmm_init(&pmm, map, 2, NULL, 0), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 512), 0x800000);
	assert_int_equal(pmm_range_count(&pmm), 2);
	assert_int_equal(pmm_alloc(&pmm, 1, 512), 0x200000);
	assert_int_equal(pmm_range_count(&pmm), 3);
}

static void test_alloc_below(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x100000, BOOT_MEM_AVAILABLE },
		{ 0x100000000ull, 0x100000, BOOT_MEM_AVAILABLE },
	};
	uint64_t pa;

	assert_int_equal(pmm_init(&pmm, map, 2, NULL, 0), 0);
	assert_int_equal(pmm_alloc_below(&pmm, 1, 1, 0x100000), 0);
	assert_int_equal(pmm_alloc_below(&pmm, 1, 1, 0x100fff), 0);
	assert_int_equal(pmm_alloc_below(&pmm, 1, 1, 0x101000), 0x100000);
	assert_int_equal(pmm_alloc_below(&pmm, 256, 1, 1ull << 32), 0);
	pa = pmm_alloc_below(&pmm, 255, 1, 1ull << 32);
	assert_int_equal(pa, 0x101000);
	assert_int_equal(pmm_alloc_below(&pmm, 1, 1, 1ull << 32), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0x100000000ull);
}

static void test_free_errors(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x100000, BOOT_MEM_AVAILABLE },
		{ 0x300000, 0x100000, BOOT_MEM_AVAILABLE },
	};
	static const struct boot_range resv[] = { { 0x180000, 0x181000 } };
	uint64_t a, b, c, free0;

	assert_int_equal(pmm_init(&pmm, map, 2, resv, 1), 0);
	a = pmm_alloc(&pmm, 4, 1);
	b = pmm_alloc(&pmm, 4, 1);
	c = pmm_alloc(&pmm, 4, 1);
	assert_int_equal(b, a + 4 * PG);
	assert_int_equal(c, b + 4 * PG);
	free0 = pmm_free_pages(&pmm);

	assert_int_equal(pmm_free(&pmm, a + 1, 1), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, a + 0x800, 1), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, a, 0), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, a, SIZE_MAX), -HV_EINVAL);
	assert_int_equal(pmm_free(NULL, a, 1), -HV_EINVAL);
	assert_int_equal(pmm_free(&pmm, 0x180000, 1), -HV_EFAULT);	/* reserved */
	assert_int_equal(pmm_free(&pmm, 0x17f000, 2), -HV_EFAULT);	/* runs into it */
	assert_int_equal(pmm_free(&pmm, 0x200000, 1), -HV_EFAULT);	/* hole */
	assert_int_equal(pmm_free(&pmm, 0x1ff000, 2), -HV_EFAULT);	/* across the hole */
	assert_int_equal(pmm_free(&pmm, 0x1000, 1), -HV_EFAULT);
	assert_int_equal(pmm_free(&pmm, 0x400000, 1), -HV_EFAULT);
	assert_int_equal(pmm_free(&pmm, 0x300000, 1), -HV_EEXIST);	/* never taken */
	assert_int_equal(pmm_free(&pmm, c, 5), -HV_EEXIST);		/* tail is free */
	assert_int_equal(pmm_free_pages(&pmm), free0);
	check_invariants(&pmm);

	/* Free the middle first, then its neighbours: all merges back into one. */
	assert_int_equal(pmm_free(&pmm, b, 4), 0);
	assert_int_equal(pmm_free(&pmm, b, 4), -HV_EEXIST);
	assert_int_equal(pmm_free(&pmm, b + PG, 1), -HV_EEXIST);
	assert_int_equal(pmm_free(&pmm, a, 8), -HV_EEXIST);	/* half already free */
	assert_int_equal(pmm_free(&pmm, a, 4), 0);
	assert_int_equal(pmm_free(&pmm, c, 4), 0);
	assert_int_equal(pmm_free_pages(&pmm), pmm_total_pages(&pmm));
	assert_int_equal(pmm_range_count(&pmm), 3);
	check_invariants(&pmm);
}

static void test_reserve(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x100000, BOOT_MEM_AVAILABLE },
	};
	uint64_t total;

	assert_int_equal(pmm_init(&pmm, map, 1, NULL, 0), 0);
	total = pmm_total_pages(&pmm);
	assert_int_equal(pmm_reserve(&pmm, 0x150010, 0x150020), 0);
	assert_int_equal(pmm_total_pages(&pmm), total - 1);
	assert_int_equal(pmm_reserve(&pmm, 0x150000, 0x140000), 0);	/* empty */
	assert_int_equal(pmm_reserve(NULL, 0, 1), -HV_EINVAL);
	assert_int_equal(pmm_range_count(&pmm), 2);
	assert_int_equal(pmm_free(&pmm, 0x150000, 1), -HV_EFAULT);
	assert_true(pmm_alloc(&pmm, 1, 1) != 0);
	assert_int_equal(pmm_reserve(&pmm, 0x160000, 0x161000), -HV_EBUSY);
	assert_int_equal(pmm_init(&pmm, NULL, 1, NULL, 0), -HV_EINVAL);
	assert_int_equal(pmm_init(&pmm, map, 1, NULL, 1), -HV_EINVAL);
	assert_int_equal(pmm_init(NULL, map, 1, NULL, 0), -HV_EINVAL);
	assert_int_equal(pmm_init(&pmm, NULL, 0, NULL, 0), 0);
	assert_int_equal(pmm_total_pages(&pmm), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0);
}

/* Init: up to PMM_USABLE_MAX ranges; more is an error, never an overflow. */
static void test_init_capacity(void **state)
{
	struct boot_mmap_entry map[PMM_USABLE_MAX + 1];
	struct boot_range resv[1];

	for (size_t i = 0; i <= PMM_USABLE_MAX; i++)
		map[i] = (struct boot_mmap_entry){ (i + 1) * 0x10000, 0x8000,
						   BOOT_MEM_AVAILABLE };
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX, NULL, 0), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_USABLE_MAX);
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX + 1, NULL, 0), -HV_E2BIG);
	assert_int_equal(pmm_total_pages(&pmm), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0);

	/* A split by a reserved type or range once full. */
	map[PMM_USABLE_MAX] = (struct boot_mmap_entry){ 0x14000, 0x1000, BOOT_MEM_RESERVED };
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX + 1, NULL, 0), -HV_E2BIG);
	map[PMM_USABLE_MAX].len = 0x4000;	/* takes the tail: no split */
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX + 1, NULL, 0), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_USABLE_MAX);
	resv[0] = (struct boot_range){ 0x22000, 0x23000 };
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX, resv, 1), -HV_E2BIG);
	assert_int_equal(pmm_init(&pmm, map, PMM_USABLE_MAX - 1, resv, 1), 0);
	assert_int_equal(pmm_reserve(&pmm, 0x32000, 0x33000), -HV_E2BIG);
	assert_int_equal(pmm_range_count(&pmm), PMM_USABLE_MAX);
	assert_int_equal(pmm_reserve(&pmm, 0x30000, 0x31000), 0);	/* head: fine */
	check_invariants(&pmm);
}

/* Fragmentation: the free list fills, then frees and splits fail cleanly. */
static void test_free_list_full(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x100000, 0x400000, BOOT_MEM_AVAILABLE },
	};
	uint64_t base = 0x100000, fp;
	size_t n = 0x400000 / PG, i;

	assert_int_equal(pmm_init(&pmm, map, 1, NULL, 0), 0);
	assert_int_equal(pmm_alloc(&pmm, n, 1), base);
	for (i = 0; i < PMM_FREE_MAX; i++)
		assert_int_equal(pmm_free(&pmm, base + 2 * i * PG, 1), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_FREE_MAX);
	fp = pmm_free_pages(&pmm);
	assert_int_equal(pmm_free(&pmm, base + 2 * i * PG, 1), -HV_E2BIG);
	assert_int_equal(pmm_free_pages(&pmm), fp);
	/* Filling a gap merges two ranges: always possible. */
	assert_int_equal(pmm_free(&pmm, base + PG, 1), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_FREE_MAX - 1);
	assert_int_equal(pmm_free(&pmm, base + 2 * i * PG, 1), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_FREE_MAX);
	/* The head of the merged range: no split needed. */
	assert_int_equal(pmm_alloc(&pmm, 2, 2), base);	/* head of the merged [0,3) */
	check_invariants(&pmm);
	/* Now full: only whole ranges or heads come out. */
	while (pmm_alloc(&pmm, 1, 1))
		;
	assert_int_equal(pmm_free_pages(&pmm), 0);
	check_invariants(&pmm);
}

/* With the free list full, a fit that needs a split is refused; a tail fit is not. */
static void test_split_refused_when_full(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x101000, 0x400000, BOOT_MEM_AVAILABLE },
	};

	assert_int_equal(pmm_init(&pmm, map, 1, NULL, 0), 0);
	assert_int_equal(pmm_alloc(&pmm, 0x400, 1), 0x101000);
	for (uint64_t i = 0; i < PMM_FREE_MAX - 1; i++)	/* odd pages: not 8 KiB aligned */
		assert_int_equal(pmm_free(&pmm, 0x101000 + 2 * i * PG, 1), 0);
	assert_int_equal(pmm_free(&pmm, 0x401000, 3), 0);
	assert_int_equal(pmm_range_count(&pmm), PMM_FREE_MAX);
	assert_int_equal(pmm_alloc(&pmm, 1, 2), 0);		/* 0x402000 would split */
	assert_int_equal(pmm_alloc(&pmm, 2, 2), 0x402000);	/* the tail */
	assert_int_equal(pmm_range_count(&pmm), PMM_FREE_MAX);
	assert_int_equal(pmm_alloc(&pmm, 1, 2), 0);
	assert_int_equal(pmm_alloc(&pmm, 1, 1), 0x101000);
	assert_int_equal(pmm_alloc(&pmm, 1, 2), 0);	/* no free page is 8 KiB aligned */
	check_invariants(&pmm);
}

/* Random alloc/free against a page bitmap model. */
static void test_random(void **state)
{
	static const struct boot_mmap_entry map[] = {
		{ 0x0, 0x9fc00, BOOT_MEM_AVAILABLE },
		{ 0x100000, 0x300000, BOOT_MEM_AVAILABLE },
		{ 0x180000, 0x3000, BOOT_MEM_RESERVED },
	};
	enum { NPAGES = 0x400000 / 0x1000, NLIVE = 512 };
	static uint8_t used[NPAGES];
	struct { uint64_t pa; size_t n; } live[NLIVE];
	size_t nlive = 0;

	memset(used, 0, sizeof(used));
	assert_int_equal(pmm_init(&pmm, map, 3, NULL, 0), 0);
	srand(42);
	for (int it = 0; it < 20000; it++) {
		if (nlive < NLIVE && rand() % 3) {
			size_t n = 1 + (size_t)(rand() % 17), al = (size_t)1 << (rand() % 5);
			uint64_t pa = pmm_alloc(&pmm, n, al);

			if (!pa)
				continue;
			assert_int_equal(pa % (al * PG), 0);
			for (size_t k = 0; k < n; k++) {
				check_page(pa + k * PG, map, 3, NULL, 0);
				assert_int_equal(used[pa / PG + k], 0);
				used[pa / PG + k] = 1;
			}
			live[nlive].pa = pa;
			live[nlive++].n = n;
		} else if (nlive) {
			size_t i = (size_t)rand() % nlive;

			assert_int_equal(pmm_free(&pmm, live[i].pa, live[i].n), 0);
			assert_int_equal(pmm_free(&pmm, live[i].pa, live[i].n), -HV_EEXIST);
			memset(&used[live[i].pa / PG], 0, live[i].n);
			live[i] = live[--nlive];
		}
		if (it % 97 == 0)
			check_invariants(&pmm);
	}
	while (nlive) {
		nlive--;
		assert_int_equal(pmm_free(&pmm, live[nlive].pa, live[nlive].n), 0);
	}
	assert_int_equal(pmm_free_pages(&pmm), pmm_total_pages(&pmm));
	assert_int_equal(pmm_range_count(&pmm), 3);
}

/* Boot path: parse GRUB's mb2 info, reserve what it names, never hand it out. */
static void test_from_multiboot(void **state)
{
	struct boot_range resv[BOOT_RESV_MAX + 2];
	struct fake_mem m;
	struct phys_access pa;
	struct boot_info *bi = calloc(1, sizeof(*bi));
	uint64_t *pages;
	size_t n, nresv = 0;

	fake_mem_init(&m, FAKE_BASE, FAKE_SIZE);
	pa = fake_mem_access(&m);
	assert_int_equal(multiboot_parse(MB2_BOOTLOADER_MAGIC, mb2_build_grub(&m), &pa, bi), 0);
	/* Boot info placed in usable RAM above 1 MiB, as GRUB may. */
	resv[nresv++] = (struct boot_range){ 0, MIB };
	resv[nresv++] = (struct boot_range){ 0x200000, 0x300000 };
	for (size_t i = 0; i < bi->resv_count; i++)
		resv[nresv++] = (struct boot_range){ bi->resv[i].start, bi->resv[i].end };
	resv[nresv++] = (struct boot_range){ 0x3ff010, 0x3ff020 };
	assert_int_equal(pmm_init(&pmm, bi->mmap, bi->mmap_count, resv, nresv), 0);
	n = drain(&pmm, bi->mmap, bi->mmap_count, resv, nresv, &pages);
	assert_int_equal(n, pmm_total_pages(&pmm));
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < bi->mod_count; k++)
			assert_false(overlaps(pages[i], pages[i] + PG, bi->mods[k].start,
					      bi->mods[k].end));
	free(pages);
	free(bi);
	fake_mem_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35),
		cmocka_unit_test(test_page0),
		cmocka_unit_test(test_messy_map),
		cmocka_unit_test(test_top_of_memory),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_prefers_no_split),
		cmocka_unit_test(test_alloc_below),
		cmocka_unit_test(test_free_errors),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_init_capacity),
		cmocka_unit_test(test_free_list_full),
		cmocka_unit_test(test_split_refused_when_full),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_from_multiboot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
