/* SPDX-License-Identifier: MIT */
/* Unit tests for the page-table engine on a fake memory that checks every entry store. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/pt.h"

#define KIB		0x400ull
#define MIB		0x100000ull
#define GIB		0x40000000ull
#define PG		(4 * KIB)
#define ADDR		0x000ffffffffff000ull
#define NX		(1ull << 63)
#define PAGES		96		/* fake table pages */
#define BASE		0x7f000000ull	/* fake physical address of the first one */
#define GARBAGE		0xa5		/* never-allocated pages hold this */
#define LOG_MAX		8192
#define RWX		(PT_R | PT_W | PT_X)

/*
 * ---- the fake physical memory ----
 * Table pages live in a read-only mapping: the only way to change an entry is
 * pt_test_store(), which opens the page, writes one uint64_t and closes it again, so
 * any other (wider, narrower, stray) write by the engine faults. After every store the
 * whole tree is walked from the root and each entry checked.
 */
struct store_rec {
	uint64_t pa, old, new;
};

struct fake {
	const struct pt_format *f;
	uint8_t *pool;
	bool allocated[PAGES];
	int level[PAGES];		/* level of a reachable table, -1 if unreachable */
	unsigned int used;
	bool stale_ok;			/* a test wrote a non-zero, non-present entry */
	int allocs_left;		/* -1: never fail */
	uint64_t root;
	struct pt_mem mem;
	unsigned int nstores;
	struct store_rec log[LOG_MAX];
};

static struct fake *fk;

static void protect(void *p, size_t len, int prot)
{
	assert_int_equal(mprotect(p, len, prot), 0);
}

static int page_of(uint64_t pa)
{
	assert_true(pa >= BASE && pa < BASE + PAGES * PG);
	assert_int_equal(pa % PG, 0);
	return (int)((pa - BASE) / PG);
}

static uint64_t fake_alloc(void *ctx)
{
	struct fake *f = ctx;
	uint8_t *p;

	if (f->allocs_left == 0 || f->used == PAGES)
		return 0;
	if (f->allocs_left > 0)
		f->allocs_left--;
	p = f->pool + f->used * PG;
	protect(p, PG, PROT_READ | PROT_WRITE);
	memset(p, 0, PG);
	protect(p, PG, PROT_READ);
	f->allocated[f->used] = true;
	return BASE + f->used++ * PG;
}

static uint64_t *fake_table(uint64_t pa, void *ctx)
{
	struct fake *f = ctx;
	int i = page_of(pa);

	assert_true(f->allocated[i]);
	return (uint64_t *)(f->pool + (size_t)i * PG);
}

static uint64_t *slot_at(uint64_t pa)
{
	return fake_table(pa & ~(PG - 1), fk) + (pa % PG) / 8;
}

/* ---- what the manuals say an entry looks like (written independently of pt_formats.c) */

static bool is_ept(const struct pt_format *f)
{
	return f == &pt_format_ept;
}

static bool is_npt(const struct pt_format *f)
{
	return f == &pt_format_npt;
}

static bool present(const struct pt_format *f, uint64_t e)
{
	return is_ept(f) ? (e & 7) != 0 : (e & 1) != 0;	/* SDM 3C 29.3.2; 3A 4.5 */
}

static bool leaf(const struct pt_format *f, uint64_t e, int level)
{
	return level == 0 || (e & 0x80);	/* PS / EPT bit 7 */
}

static uint64_t want_table(const struct pt_format *f, uint64_t pa)
{
	if (is_ept(f))
		return pa | 7;				/* R W X, table 29-1 */
	return pa | 1 | 2 | (is_npt(f) ? 4 : 0);	/* P RW (US) */
}

static uint64_t want_leaf(const struct pt_format *f, uint64_t pa, int level,
			  unsigned int perm, enum pt_memtype mt)
{
	uint64_t e = pa | (level ? 0x80 : 0);

	if (is_ept(f))
		return e | ((perm & PT_R) ? 1 : 0) | ((perm & PT_W) ? 2 : 0) |
		       ((perm & PT_X) ? 4 : 0) | (mt == PT_MEM_UC ? 0 : 6ull << 3);
	return e | 1 | ((perm & PT_W) ? 2 : 0) | ((perm & PT_X) ? 0 : NX) |
	       (is_npt(f) ? 4 : 0) | (mt == PT_MEM_UC ? 0x18 : 0);
}

/* An entry a hardware walker could meet: the format's bits only, consistent. */
static void check_entry(const struct fake *fake, uint64_t e, int level)
{
	const struct pt_format *f = fake->f;
	uint64_t size = PG << (9 * level), flags = e & ~ADDR;

	if (!present(f, e)) {
		assert_true(e == 0 || fake->stale_ok);	/* the engine leaves nothing behind */
		return;
	}
	if (!leaf(f, e, level)) {
		assert_true(level > 0);
		assert_int_equal(flags, want_table(f, 0));
		return;
	}
	assert_true(level == 0 || (f->large_levels & (1u << level)));
	assert_true(level < 3);
	assert_int_equal(e & ADDR & (size - 1), 0);	/* large pages are aligned */
	if (is_ept(f)) {
		assert_int_equal(flags & ~0xffull, 0);
		assert_false((e & 2) && !(e & 1));		/* W without R: misconfig */
		assert_true(((e >> 3) & 7) == 0 || ((e >> 3) & 7) == 6);
		assert_int_equal(e & 0x40, 0);			/* ignore PAT */
	} else {
		assert_int_equal(flags & ~(NX | 0x9full), 0);	/* P RW US PWT PCD PS */
		assert_int_equal(!!(e & 8), !!(e & 0x10));	/* PWT=PCD: PAT 0 or 3 */
		assert_int_equal(!!(e & 4), is_npt(f));		/* APM 2 15.25.5 */
	}
	assert_int_equal(!!(e & 0x80), level > 0);
}

/* Walks the live tree: every table reachable once, every entry valid; sets levels. */
static void check_table(struct fake *f, uint64_t pa, int level)
{
	int i = page_of(pa);
	const uint64_t *t = fake_table(pa, f);

	assert_int_equal(f->level[i], -1);	/* no table linked twice, no cycle */
	f->level[i] = level;
	for (int n = 0; n < 512; n++) {
		check_entry(f, t[n], level);
		if (present(f->f, t[n]) && !leaf(f->f, t[n], level))
			check_table(f, t[n] & ADDR, level - 1);
	}
}

static void check_tree(struct fake *f)
{
	for (int i = 0; i < PAGES; i++)
		f->level[i] = -1;
	check_table(f, f->root, 3);
}

/* A table about to be linked: allocated, linked nowhere, and its contents valid. */
static void check_new_table(struct fake *f, uint64_t pa, int level)
{
	int i = page_of(pa);
	const uint64_t *t = fake_table(pa, f);

	assert_true(f->allocated[i]);
	assert_int_equal(f->level[i], -1);
	for (int n = 0; n < 512; n++)
		assert_int_equal(t[n], 0);	/* zeroed by alloc_table, nothing below */
	(void)level;
}

void pt_test_store(uint64_t *slot, uint64_t e);
void pt_test_store(uint64_t *slot, uint64_t e)
{
	uint8_t *page = (uint8_t *)((uintptr_t)slot & ~(uintptr_t)(PG - 1));
	uint64_t pa = BASE + (uint64_t)(page - fk->pool) + ((uintptr_t)slot % PG);
	int i = page_of(pa & ~(PG - 1)), level;
	uint64_t old = *slot;

	assert_int_equal((uintptr_t)slot % 8, 0);
	check_tree(fk);				/* also finds the level of this table */
	level = fk->level[i];
	assert_true(level >= 0);		/* stores go only into linked tables */
	if (present(fk->f, old) && !leaf(fk->f, old, level))
		assert_int_equal(e, old);	/* tables stay linked */
	if (present(fk->f, e) && !leaf(fk->f, e, level)) {
		assert_false(present(fk->f, old));	/* never a large page split */
		check_new_table(fk, e & ADDR, level - 1);
	}
	if (fk->nstores < LOG_MAX)
		fk->log[fk->nstores] = (struct store_rec){ pa, old, e };
	fk->nstores++;
	protect(page, PG, PROT_READ | PROT_WRITE);
	*(volatile uint64_t *)slot = e;
	protect(page, PG, PROT_READ);
	check_tree(fk);				/* what a walker sees right now */
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->f = *state;
	f->pool = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	assert_true(f->pool != MAP_FAILED);
	memset(f->pool, GARBAGE, PAGES * PG);
	protect(f->pool, PAGES * PG, PROT_READ);
	f->allocs_left = -1;
	f->mem = (struct pt_mem){ fake_alloc, fake_table, f };
	f->root = fake_alloc(f);
	fk = f;
	check_tree(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	munmap(f->pool, PAGES * PG);
	free(f);
	fk = NULL;
	return 0;
}

/* ---- helpers ---- */

static int map(struct fake *f, uint64_t va, uint64_t pa, uint64_t size, unsigned int perm,
	       enum pt_memtype mt)
{
	return pt_map(f->f, &f->mem, f->root, va, pa, size, perm, mt);
}

static void map_ok(struct fake *f, uint64_t va, uint64_t pa, uint64_t size,
		   unsigned int perm, enum pt_memtype mt)
{
	assert_int_equal(map(f, va, pa, size, perm, mt), 0);
	check_tree(f);
}

/* Raw leaf entry for va and its level, or 0. */
static uint64_t raw_leaf(struct fake *f, uint64_t va, int *level)
{
	uint64_t table = f->root;

	for (int l = 3; l >= 0; l--) {
		uint64_t e = fake_table(table, f)[(va >> (12 + 9 * l)) & 511];

		if (!present(f->f, e))
			return 0;
		if (leaf(f->f, e, l)) {
			*level = l;
			return e;
		}
		table = e & ADDR;
	}
	return 0;
}

/* Every page of [va, va+size) translates to pa + offset with size psize (0: any). */
static void check_mapped(struct fake *f, uint64_t va, uint64_t pa, uint64_t size,
			 unsigned int perm, uint64_t psize)
{
	for (uint64_t off = 0; off < size; off += PG) {
		uint64_t got_pa, got_size;
		unsigned int got_perm;

		assert_int_equal(pt_lookup(f->f, &f->mem, f->root, va + off + 0x123, &got_pa,
					   &got_perm, &got_size), 0);
		assert_int_equal(got_pa, pa + off + 0x123);
		assert_int_equal(got_perm, perm);
		if (psize)
			assert_int_equal(got_size, psize);
	}
}

static bool mapped(struct fake *f, uint64_t va)
{
	uint64_t pa;

	return pt_lookup(f->f, &f->mem, f->root, va, &pa, NULL, NULL) == 0;
}

/* The perm a lookup reports: host and NPT entries are always readable. */
static unsigned int eff_perm(const struct pt_format *f, unsigned int perm)
{
	return is_ept(f) ? perm : perm | PT_R;
}

struct leaf_rec {
	uint64_t va, pa, size;
	unsigned int perm;
};

struct leaf_list {
	struct leaf_rec r[2048];
	unsigned int n, stop_at;
};

static int collect(uint64_t va, uint64_t pa, uint64_t size, unsigned int perm, void *ctx)
{
	struct leaf_list *l = ctx;

	assert_true(l->n < 2048);
	l->r[l->n++] = (struct leaf_rec){ va, pa, size, perm };
	return l->n == l->stop_at ? 7 : 0;
}

static void walk(struct fake *f, struct leaf_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(pt_walk(f->f, &f->mem, f->root, collect, l), 0);
}

static void assert_leaf(const struct leaf_rec *r, uint64_t va, uint64_t pa, uint64_t size)
{
	assert_int_equal(r->va, va);
	assert_int_equal(r->pa, pa);
	assert_int_equal(r->size, size);
}

/* ---- entry encodings: raw bits straight from the manuals ---- */

static void test_host_bits(void **state)
{
	const struct pt_format *f = &pt_format_host;

	(void)state;
	assert_int_equal(f->table_entry(0x123000, 1), 0x123003);		/* P RW */
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_R, PT_MEM_WB), NX | 0x5001);
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_R | PT_W, PT_MEM_WB), NX | 0x5003);
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_R | PT_X, PT_MEM_WB), 0x5001);
	assert_int_equal(f->leaf_entry(0x200000, 1, RWX, PT_MEM_UC), 0x20009b);	/* PS PCD PWT */
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_R, PT_MEM_WB), NX | 0x40000081);
	assert_true(f->present(1));
	assert_false(f->present(NX | 0x5002));
	assert_true(f->is_leaf(0x5000, 0));
	assert_false(f->is_leaf(0x5003, 1));
	assert_true(f->is_leaf(0x200083, 1));
	assert_int_equal(f->perm(NX | 0x5001), PT_R);
	assert_int_equal(f->perm(0x5003), RWX);
	assert_int_equal(f->large_levels, 6);
	assert_int_equal(pt_format_host_2m.large_levels, 2);
	assert_true(f->canonical);
}

static void test_ept_bits(void **state)
{
	const struct pt_format *f = &pt_format_ept;

	(void)state;
	assert_int_equal(f->table_entry(0x123000, 1), 0x123007);		/* R W X */
	assert_int_equal(f->leaf_entry(0x5000, 0, RWX, PT_MEM_WB), 0x5037);	/* MT 6 */
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_R, PT_MEM_UC), 0x5001);	/* MT 0 */
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_X, PT_MEM_WB), 0x5034);	/* exec-only */
	assert_int_equal(f->leaf_entry(0x200000, 1, PT_R | PT_W, PT_MEM_WB), 0x2000b3);
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_R | PT_X, PT_MEM_UC), 0x40000085);
	/* Perm 0 is not present, whatever else the entry holds (SDM 3C 29.3.2). */
	assert_false(f->present(f->leaf_entry(0x5000, 0, 0, PT_MEM_WB)));
	assert_false(f->present(f->leaf_entry(0x200000, 1, 0, PT_MEM_UC)));
	assert_false(f->present(0x5038));
	assert_true(f->present(4));
	assert_true(f->is_leaf(0x5000, 0));
	assert_false(f->is_leaf(0x5007, 2));
	assert_true(f->is_leaf(0x40000087, 2));
	assert_int_equal(f->perm(0x5034), PT_X);
	assert_int_equal(f->perm(0x5033), PT_R | PT_W);
	assert_int_equal(f->large_levels, 6);
	assert_false(f->canonical);
}

static void test_npt_bits(void **state)
{
	const struct pt_format *f = &pt_format_npt;

	(void)state;
	assert_int_equal(f->table_entry(0x123000, 1), 0x123007);		/* P RW US */
	assert_int_equal(f->leaf_entry(0x5000, 0, PT_R, PT_MEM_WB), NX | 0x5005);
	assert_int_equal(f->leaf_entry(0x200000, 1, RWX, PT_MEM_UC), 0x20009f);
	assert_int_equal(f->leaf_entry(0x40000000, 2, PT_R | PT_W, PT_MEM_WB), NX | 0x40000087);
	assert_true(f->present(5));
	assert_false(f->present(6));
	assert_int_equal(f->perm(0x5005), PT_R | PT_X);
	assert_int_equal(f->large_levels, 6);
	assert_false(f->canonical);
}

/* ---- mapping, per format ---- */

static void test_map_4k(void **state)
{
	struct fake *f = *state;
	uint64_t raw;
	int level;

	map_ok(f, 0x7000, 0x3000, PG, PT_R | PT_W, PT_MEM_WB);
	/* Three new tables, each linked once, then the leaf: nothing else written. */
	assert_int_equal(f->nstores, 4);
	assert_int_equal(f->used, 4);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(f->log[i].old, 0);
		assert_int_equal(f->log[i].new, want_table(f->f, BASE + (i + 1) * PG));
	}
	assert_int_equal(f->log[3].new, want_leaf(f->f, 0x3000, 0, PT_R | PT_W, PT_MEM_WB));
	assert_int_equal(f->log[3].pa, BASE + 3 * PG + 7 * 8);
	assert_int_equal(raw_leaf(f, 0x7000, &level), f->log[3].new);
	assert_int_equal(level, 0);
	check_mapped(f, 0x7000, 0x3000, PG, PT_R | PT_W, PG);
	assert_int_equal(pt_lookup_entry(f->f, &f->mem, f->root, 0x7fff, &raw, &level), 0);
	assert_int_equal(raw, f->log[3].new);
	assert_int_equal(level, 0);
	assert_int_equal(pt_lookup_entry(f->f, &f->mem, f->root, 0x8000, &raw, &level),
			 -HV_ENOENT);
	assert_false(mapped(f, 0x6000));
	assert_false(mapped(f, 0x8000));
}

static void test_map_2m(void **state)
{
	struct fake *f = *state;
	int level;

	map_ok(f, 0x200000, 0x600000, 2 * MIB, PT_R | PT_X, PT_MEM_WB);
	assert_int_equal(f->nstores, 3);		/* PDPT, PD, one PDE */
	assert_int_equal(raw_leaf(f, 0x3ff000, &level),
			 want_leaf(f->f, 0x600000, 1, PT_R | PT_X, PT_MEM_WB));
	assert_int_equal(level, 1);
	check_mapped(f, 0x200000, 0x600000, 2 * MIB, PT_R | PT_X, 2 * MIB);
	assert_false(mapped(f, 0x1ff000));
	assert_false(mapped(f, 0x400000));
}

static void test_map_1g(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;
	int level;

	map_ok(f, GIB, 3 * GIB, GIB, RWX, PT_MEM_UC);
	walk(f, &l);
	if (f->f == &pt_format_host_2m) {
		assert_int_equal(l.n, 512);
		for (unsigned int i = 0; i < 512; i++)
			assert_leaf(&l.r[i], GIB + i * 2 * MIB, 3 * GIB + i * 2 * MIB, 2 * MIB);
		return;
	}
	assert_int_equal(f->nstores, 2);		/* PDPT, one PDPTE */
	assert_int_equal(l.n, 1);
	assert_leaf(&l.r[0], GIB, 3 * GIB, GIB);
	assert_int_equal(raw_leaf(f, GIB + 0x12345000, &level),
			 want_leaf(f->f, 3 * GIB, 2, RWX, PT_MEM_UC));
	assert_int_equal(level, 2);
	check_mapped(f, GIB, 3 * GIB, GIB, RWX, GIB);
}

/* 0x1ff000 .. 0x401000: a 4 KiB page, a 2 MiB page, a 4 KiB page. */
static void test_mixed_alignment(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;

	map_ok(f, 0x1ff000, 0x1ff000, 0x202000, PT_R | PT_W, PT_MEM_WB);
	walk(f, &l);
	assert_int_equal(l.n, 3);
	assert_leaf(&l.r[0], 0x1ff000, 0x1ff000, PG);
	assert_leaf(&l.r[1], 0x200000, 0x200000, 2 * MIB);
	assert_leaf(&l.r[2], 0x400000, 0x400000, PG);
	check_mapped(f, 0x1ff000, 0x1ff000, 0x202000, PT_R | PT_W, 0);
	assert_false(mapped(f, 0x1fe000));
	assert_false(mapped(f, 0x401000));
}

/* va and pa aligned differently: no large page is possible. */
static void test_skewed_pa(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;

	map_ok(f, 0x200000, 0x3ff000, 4 * MIB, PT_R, PT_MEM_WB);
	walk(f, &l);
	assert_int_equal(l.n, 1024);
	for (unsigned int i = 0; i < l.n; i++)
		assert_leaf(&l.r[i], 0x200000 + i * PG, 0x3ff000 + i * PG, PG);
	check_mapped(f, 0x200000, 0x3ff000, 4 * MIB, eff_perm(f->f, PT_R), PG);
}

/* Across a 1 GiB boundary: 2 MiB pages, a 1 GiB page, 2 MiB pages. */
static void test_across_1g(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;
	uint64_t va = GIB - 4 * MIB, size = GIB + 8 * MIB;
	bool big = f->f->large_levels & PT_LARGE(2);

	map_ok(f, va, va + 8 * GIB, size, PT_R | PT_W, PT_MEM_WB);
	walk(f, &l);
	assert_int_equal(l.n, big ? 5 : 516);
	assert_leaf(&l.r[0], va, va + 8 * GIB, 2 * MIB);
	assert_leaf(&l.r[1], va + 2 * MIB, va + 8 * GIB + 2 * MIB, 2 * MIB);
	if (big)
		assert_leaf(&l.r[2], GIB, 9 * GIB, GIB);
	assert_leaf(&l.r[l.n - 1], 2 * GIB + 2 * MIB, 10 * GIB + 2 * MIB, 2 * MIB);
	for (uint64_t off = 0; off < size; off += 2 * MIB)
		check_mapped(f, va + off, va + 8 * GIB + off, PG, PT_R | PT_W, 0);
}

/* Every permission and memory type, at every page size: raw bits as the manuals say. */
static void test_perm_memtype(void **state)
{
	struct fake *f = *state;
	static const unsigned int perms[] = { PT_R, PT_R | PT_W, PT_R | PT_X, RWX, PT_X };
	static const uint64_t sizes[] = { PG, 2 * MIB, GIB };
	uint64_t va = 0;

	for (int mt = PT_MEM_WB; mt <= PT_MEM_UC; mt++) {
		for (unsigned int p = 0; p < 5; p++) {
			for (int s = 0; s < 3; s++) {
				uint64_t e, size = sizes[s];
				int level, want_level = s;

				if (!(f->f->large_levels & PT_LARGE(2)) && s == 2)
					want_level = 1;
				va = (va + size - 1) & ~(size - 1);
				map_ok(f, va, va + 16 * GIB, size, perms[p], (enum pt_memtype)mt);
				e = raw_leaf(f, va, &level);
				assert_int_equal(level, want_level);
				assert_int_equal(e, want_leaf(f->f, va + 16 * GIB, level, perms[p],
							      (enum pt_memtype)mt));
				check_mapped(f, va, va + 16 * GIB, PG, eff_perm(f->f, perms[p]),
					     PG << (9 * level));
				va += size;
			}
		}
	}
}

/* Mapping over a mapping replaces leaves in place: one store each, no new table. */
static void test_replace(void **state)
{
	struct fake *f = *state;
	unsigned int used, stores;

	map_ok(f, 0x1ff000, 0x1ff000, 0x202000, PT_R | PT_W, PT_MEM_WB);
	used = f->used;
	stores = f->nstores;
	map_ok(f, 0x1ff000, 0x8001ff000, 0x202000, PT_R | PT_X, PT_MEM_UC);
	assert_int_equal(f->used, used);
	assert_int_equal(f->nstores, stores + 3);
	check_mapped(f, 0x1ff000, 0x8001ff000, 0x202000, PT_R | PT_X, 0);
}

/* A large mapping over an existing table fills that table rather than orphaning it. */
static void test_large_over_table(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;

	map_ok(f, 0x205000, 0x205000, PG, PT_R, PT_MEM_WB);
	map_ok(f, 0x200000, 0x200000, 2 * MIB, PT_R | PT_W, PT_MEM_WB);
	walk(f, &l);
	assert_int_equal(l.n, 512);
	check_mapped(f, 0x200000, 0x200000, 2 * MIB, PT_R | PT_W, PG);
}

static void test_unmap(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;
	unsigned int stores, used;

	map_ok(f, 0x1ff000, 0x1ff000, 0x202000, RWX, PT_MEM_WB);
	map_ok(f, 0x800000, 0x800000, 16 * PG, PT_R, PT_MEM_WB);
	/* Splitting the 2 MiB page is refused, and nothing of the range is touched. */
	stores = f->nstores;
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x1ff000, 2 * PG), -HV_EINVAL);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x3ff000, 2 * PG), -HV_EINVAL);
	assert_int_equal(f->nstores, stores);
	/* A whole 4 KiB page, a whole 2 MiB page, holes and unmapped parts skipped. */
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x1ff000, PG), 0);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x200000, 2 * MIB), 0);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x802000, 4 * PG), 0);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x40000000, 4 * MIB), 0);
	assert_int_equal(f->nstores, stores + 6);
	for (unsigned int i = stores; i < f->nstores; i++)
		assert_int_equal(f->log[i].new, 0);
	walk(f, &l);
	assert_int_equal(l.n, 13);
	assert_leaf(&l.r[0], 0x400000, 0x400000, PG);
	assert_leaf(&l.r[1], 0x800000, 0x800000, PG);
	assert_leaf(&l.r[3], 0x806000, 0x806000, PG);
	assert_false(mapped(f, 0x1ff000));
	assert_false(mapped(f, 0x300000));
	assert_false(mapped(f, 0x805000));
	/* Unmapped space can be mapped again with the tables that stayed. */
	used = f->used;
	map_ok(f, 0x1ff000, 0x1ff000, 0x201000, PT_R, PT_MEM_WB);
	assert_int_equal(f->used, used);
	check_mapped(f, 0x1ff000, 0x1ff000, 0x201000, eff_perm(f->f, PT_R), 0);
	/* A span holding a table: its leaves go, the table stays (the fake checks it). */
	stores = f->nstores;
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0, GIB), 0);
	assert_int_equal(f->nstores, stores + 2 + 12 + 1);
	walk(f, &l);
	assert_int_equal(l.n, 0);
	map_ok(f, 0x80f000, 0x80f000, PG, PT_R, PT_MEM_WB);
	assert_int_equal(f->used, used);
}

/* A large page in the way of a smaller mapping: -HV_EEXIST, nothing written. */
static void test_eexist(void **state)
{
	struct fake *f = *state;
	unsigned int stores, used;

	map_ok(f, 0x200000, 0x200000, 2 * MIB, PT_R, PT_MEM_WB);
	map_ok(f, 2 * GIB, 2 * GIB, GIB, PT_R, PT_MEM_WB);
	stores = f->nstores;
	used = f->used;
	assert_int_equal(map(f, 0x201000, 0x201000, PG, PT_R, PT_MEM_WB), -HV_EEXIST);
	/* The conflict is at the end: the free start of the range is not mapped either. */
	assert_int_equal(map(f, 0x100000, 0x100000, 0x102000, PT_R, PT_MEM_WB), -HV_EEXIST);
	assert_int_equal(map(f, 0x200000, 0x201000, 2 * MIB, PT_R, PT_MEM_WB), -HV_EEXIST);
	assert_int_equal(f->nstores, stores);
	assert_int_equal(f->used, used);
	/* Inside the 1 GiB page; host-2m made 2 MiB pages of it, which are replaced. */
	assert_int_equal(map(f, 2 * GIB + 2 * MIB, 0, 2 * MIB, PT_R, PT_MEM_WB),
			 f->f->large_levels & PT_LARGE(2) ? -HV_EEXIST : 0);
	assert_int_equal(map(f, 2 * GIB + 2 * MIB, 0, PG, PT_R, PT_MEM_WB), -HV_EEXIST);
	assert_false(mapped(f, 0x100000));
	check_mapped(f, 0x200000, 0x200000, 2 * MIB, eff_perm(f->f, PT_R), 2 * MIB);
}

/* Pages of [va, va+size) that are mapped map to pa + offset; returns how many. */
static uint64_t count_correct(struct fake *f, uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t n = 0, got;

	for (uint64_t off = 0; off < size; off += PG) {
		if (pt_lookup(f->f, &f->mem, f->root, va + off, &got, NULL, NULL) == 0) {
			assert_int_equal(got, pa + off);
			n++;
		}
		if (off >= 4 * MIB && off + 4 * MIB < size)
			off += 2 * MIB - PG;	/* middle: one probe per 2 MiB */
	}
	return n;
}

/* Out of table pages at every possible point: whole, correct leaves or nothing. */
static void test_enomem(void **state)
{
	struct fake *f = *state;
	const struct pt_format *fmt = f->f;
	/* 4 KiB, 1 GiB, 2 MiB, 4 KiB pages: up to six tables. */
	const uint64_t va = GIB - PG, size = GIB + 0x202000, pa = va + 4 * GIB;
	int ret = -HV_ENOMEM;

	for (int budget = 0; ret == -HV_ENOMEM; budget++) {
		teardown(state);
		*state = (void *)fmt;
		setup(state);
		f = *state;
		f->allocs_left = budget;
		ret = map(f, va, pa, size, PT_R | PT_W, PT_MEM_WB);
		assert_true(ret == 0 || ret == -HV_ENOMEM);
		assert_true(budget < 8);
		assert_int_equal(f->used, 1 + budget - (ret == 0 ? f->allocs_left : 0));
		check_tree(f);
		if (budget == 0)
			assert_int_equal(f->nstores, 0);
		assert_true(count_correct(f, va, pa, size) > 0 || budget < 3);
		if (ret == 0)
			check_mapped(f, va, pa, PG, PT_R | PT_W, PG);
	}
	assert_int_equal(f->used, fmt->large_levels & PT_LARGE(2) ? 6 : 7);
	/* A failing allocator with the root only: nothing written at all. */
	f->allocs_left = 0;
	assert_int_equal(map(f, 512 * GIB, 0, PG, PT_R, PT_MEM_WB), -HV_ENOMEM);
	assert_false(mapped(f, 512 * GIB));
}

static void test_einval(void **state)
{
	struct fake *f = *state;
	const bool canon = f->f->canonical;

	assert_int_equal(map(f, 0x1001, 0x1000, PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1800, PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, 0x800, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, PG, 0, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, PG, PT_W, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, PG, PT_W | PT_X, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, PG, 8 | PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0x1000, PG, PT_R, (enum pt_memtype)2), -HV_EINVAL);
	/* Wrapping sizes and addresses beyond what the format can hold. */
	assert_int_equal(map(f, 0x1000, 0x1000, 0ull - PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 0xfffffffffffff000, 2 * PG, PT_R, PT_MEM_WB),
			 -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, 1ull << 52, PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0x1000, (1ull << 52) - PG, 2 * PG, PT_R, PT_MEM_WB),
			 -HV_EINVAL);
	assert_int_equal(map(f, 1ull << 48, 0, PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(map(f, 0xfffffffffffff000, 0, 2 * PG, PT_R, PT_MEM_WB), -HV_EINVAL);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x1800, PG), -HV_EINVAL);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x1000, 0ull - PG), -HV_EINVAL);
	/* Size 0 is nothing to do. */
	assert_int_equal(map(f, 0x1000, 0x1000, 0, PT_R, PT_MEM_WB), 0);
	assert_int_equal(pt_unmap(f->f, &f->mem, f->root, 0x1000, 0), 0);
	assert_int_equal(f->nstores, 0);
	assert_int_equal(f->used, 1);
	assert_int_equal(pt_lookup(f->f, &f->mem, f->root, 1ull << 48, NULL, NULL, NULL),
			 -HV_ENOENT);
	/* Bit 47 set: non-canonical for the host, a valid guest-physical address else. */
	assert_int_equal(map(f, 1ull << 47, 0, PG, PT_R, PT_MEM_WB), canon ? -HV_EINVAL : 0);
	assert_int_equal(map(f, (1ull << 47) - PG, 0, 2 * PG, PT_R, PT_MEM_WB),
			 canon ? -HV_EINVAL : 0);	/* into the hole */
	assert_int_equal(pt_lookup(f->f, &f->mem, f->root, 1ull << 47, NULL, NULL, NULL),
			 canon ? -HV_ENOENT : 0);
	if (canon) {
		assert_int_equal(f->nstores, 0);
		map_ok(f, 0xffff800000000000, 0, PG, PT_R, PT_MEM_WB);
		map_ok(f, 0xfffffffffffff000, 0, PG, PT_R, PT_MEM_WB);	/* the last page */
		check_mapped(f, 0xfffffffffffff000, 0, PG, PT_R, PG);
	}
}

/* Leaves come out in address order with exactly what was mapped; non-zero stops. */
static void test_walk(void **state)
{
	struct fake *f = *state;
	struct leaf_list l;
	uint64_t high = f->f->canonical ? 0xffffff0000001000 : 0xff0000001000;

	map_ok(f, high, 0x9000, 2 * PG, PT_R | PT_W, PT_MEM_WB);
	map_ok(f, 5 * GIB, 7 * GIB, 2 * MIB, PT_R | PT_X, PT_MEM_UC);
	map_ok(f, 0x1ff000, 0x1ff000, 0x202000, PT_R, PT_MEM_WB);
	map_ok(f, 0x5000, 0xa000, PG, RWX, PT_MEM_WB);
	walk(f, &l);
	assert_int_equal(l.n, 7);
	assert_leaf(&l.r[0], 0x5000, 0xa000, PG);
	assert_int_equal(l.r[0].perm, RWX);
	assert_leaf(&l.r[1], 0x1ff000, 0x1ff000, PG);
	assert_leaf(&l.r[2], 0x200000, 0x200000, 2 * MIB);
	assert_leaf(&l.r[3], 0x400000, 0x400000, PG);
	assert_int_equal(l.r[3].perm, eff_perm(f->f, PT_R));
	assert_leaf(&l.r[4], 5 * GIB, 7 * GIB, 2 * MIB);
	assert_int_equal(l.r[4].perm, PT_R | PT_X);
	assert_leaf(&l.r[5], high, 0x9000, PG);		/* canonical va for the host */
	assert_leaf(&l.r[6], high + PG, 0xa000, PG);
	assert_int_equal(l.r[6].perm, PT_R | PT_W);
	check_mapped(f, high, 0x9000, 2 * PG, PT_R | PT_W, PG);
	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	assert_int_equal(pt_walk(f->f, &f->mem, f->root, collect, &l), 7);
	assert_int_equal(l.n, 2);
}

/* EPT: a leaf with no permission is not present, to the engine and to walkers. */
static void test_ept_perm0(void **state)
{
	struct fake *f = *state;
	const struct pt_format *e = &pt_format_ept;
	struct leaf_list l;
	uint64_t *pt;

	map_ok(f, 0x7000, 0x7000, PG, PT_R, PT_MEM_WB);
	pt = slot_at(f->log[3].pa);
	/* A perm-0 leaf with its address and memory type set, as a stale entry would be. */
	f->stale_ok = true;
	pt_test_store(pt + 1, e->leaf_entry(0x8000, 0, 0, PT_MEM_WB));
	assert_int_equal(pt[1], 0x8030);
	assert_false(mapped(f, 0x8000));
	walk(f, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(map(f, 0x8000, 0x8000, PG, 0, PT_MEM_WB), -HV_EINVAL);
	map_ok(f, 0x8000, 0x9000, PG, PT_X, PT_MEM_WB);	/* replaces it */
	check_mapped(f, 0x8000, 0x9000, PG, PT_X, PG);
}

#define PER_FORMAT(fn, fmt) \
	{ #fn "/" #fmt, fn, setup, teardown, (void *)&(fmt) }
#define ALL_FORMATS(fn) \
	PER_FORMAT(fn, pt_format_host), PER_FORMAT(fn, pt_format_host_2m), \
	PER_FORMAT(fn, pt_format_ept), PER_FORMAT(fn, pt_format_npt)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_bits),
		cmocka_unit_test(test_ept_bits),
		cmocka_unit_test(test_npt_bits),
		ALL_FORMATS(test_map_4k),
		ALL_FORMATS(test_map_2m),
		ALL_FORMATS(test_map_1g),
		ALL_FORMATS(test_mixed_alignment),
		ALL_FORMATS(test_skewed_pa),
		ALL_FORMATS(test_across_1g),
		ALL_FORMATS(test_perm_memtype),
		ALL_FORMATS(test_replace),
		ALL_FORMATS(test_large_over_table),
		ALL_FORMATS(test_unmap),
		ALL_FORMATS(test_eexist),
		ALL_FORMATS(test_enomem),
		ALL_FORMATS(test_einval),
		ALL_FORMATS(test_walk),
		PER_FORMAT(test_ept_perm0, pt_format_ept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
