/* SPDX-License-Identifier: MIT */
/* The 4-level page-table engine: map, unmap, look up and walk any struct pt_format. */
#include "vmm/pt.h"

#include "include/abi/hv_errno.h"

#define PT_PAGE		0x1000ull
#define PT_ENTRIES	512u
#define PT_VA_BITS	48			/* 4 levels x 9 bits + 12 */
#define PT_ROOT		(PT_LEVELS - 1)

/*
 * One operation over a range: `entry` is called for every slot the range touches, at
 * the level where the slot lies, with the part of the range that slot covers.
 */
struct pt_op {
	const struct pt_format *f;
	const struct pt_mem *m;
	int (*entry)(const struct pt_op *op, uint64_t *slot, int level, uint64_t va,
		     uint64_t last);
	uint64_t delta;			/* pa - va of the mapping */
	unsigned int perm;
	enum pt_memtype mt;
	bool dry;			/* check only: store nothing, allocate nothing */
};

static unsigned int pt_index(uint64_t va, int level)
{
	return (unsigned int)(va >> (12 + 9 * level)) & (PT_ENTRIES - 1);
}

static uint64_t *pt_table(const struct pt_mem *m, uint64_t pa)
{
	return m->table_ptr(pa, m->ctx);
}

/* Entries are read and written whole, once each: hardware walks them concurrently. */
static uint64_t pt_read(const uint64_t *slot)
{
	return *(const volatile uint64_t *)slot;
}

#ifdef HOST_TEST
/* Host tests replace this to see every store (tests/unit/test_pt.c). */
void pt_test_store(uint64_t *slot, uint64_t e);
__attribute__((weak)) void pt_test_store(uint64_t *slot, uint64_t e)
{
	*(volatile uint64_t *)slot = e;
}
#endif

static void pt_store(uint64_t *slot, uint64_t e)
{
#ifdef HOST_TEST
	pt_test_store(slot, e);
#else
	*(volatile uint64_t *)slot = e;
#endif
}

static uint64_t pt_entry_pa(const struct pt_format *f, uint64_t e, int level)
{
	return e & f->addr_mask & ~(PT_LEVEL_SIZE(level) - 1);
}

static bool pt_large_ok(const struct pt_format *f, int level)
{
	return level > 0 && level < PT_ROOT && (f->large_levels & PT_LARGE(level));
}

/* Calls op->entry for each slot of the table at `level` that [va, last] touches. */
static int pt_for_range(const struct pt_op *op, uint64_t table, int level, uint64_t va,
			uint64_t last)
{
	uint64_t *t = pt_table(op->m, table);

	for (;;) {
		uint64_t end = va | (PT_LEVEL_SIZE(level) - 1);
		uint64_t chunk_last = end < last ? end : last;
		int ret = op->entry(op, &t[pt_index(va, level)], level, va, chunk_last);

		if (ret || chunk_last == last)
			return ret;
		va = chunk_last + 1;
	}
}

/* True when [va, last] is exactly the span of one entry at level. */
static bool pt_whole(uint64_t va, uint64_t last, int level)
{
	return !(va & (PT_LEVEL_SIZE(level) - 1)) && last - va == PT_LEVEL_SIZE(level) - 1;
}

/* Gets the table below a present or absent slot, allocating and linking a new one. */
static int pt_child(const struct pt_op *op, uint64_t *slot, int level, uint64_t *table)
{
	uint64_t e = pt_read(slot);

	if (op->f->present(e)) {
		*table = pt_entry_pa(op->f, e, 0);
		return 0;
	}
	*table = op->m->alloc_table(op->m->ctx);
	if (!*table)
		return -HV_ENOMEM;
	/* alloc_table zeroed it, so the walker finds an empty, valid table. */
	pt_store(slot, op->f->table_entry(*table, level));
	return 0;
}

static int pt_map_entry(const struct pt_op *op, uint64_t *slot, int level, uint64_t va,
			uint64_t last)
{
	const struct pt_format *f = op->f;
	uint64_t e = pt_read(slot), pa = va + op->delta, table;
	bool present = f->present(e), leaf = present && f->is_leaf(e, level);
	int ret;

	/* A leaf here if it fits, unless a table is already here: then fill that table. */
	if (level == 0 || (pt_large_ok(f, level) && pt_whole(va, last, level) &&
			   !(pa & (PT_LEVEL_SIZE(level) - 1)) && (!present || leaf))) {
		if (!op->dry)
			pt_store(slot, f->leaf_entry(pa, level, op->perm, op->mt));
		return 0;
	}
	if (leaf)
		return -HV_EEXIST;	/* a large page in the way: the caller unmaps first */
	if (op->dry && !present)
		return 0;		/* nothing below can be in the way */
	ret = pt_child(op, slot, level, &table);
	return ret ? ret : pt_for_range(op, table, level - 1, va, last);
}

static int pt_unmap_entry(const struct pt_op *op, uint64_t *slot, int level, uint64_t va,
			  uint64_t last)
{
	const struct pt_format *f = op->f;
	uint64_t e = pt_read(slot);

	if (!f->present(e))
		return 0;
	if (!f->is_leaf(e, level))
		return pt_for_range(op, pt_entry_pa(f, e, 0), level - 1, va, last);
	if (!pt_whole(va, last, level))
		return -HV_EINVAL;	/* would split a large page */
	if (!op->dry)
		pt_store(slot, 0);
	return 0;
}

static bool pt_va_ok(const struct pt_format *f, uint64_t va)
{
	uint64_t high = va >> (PT_VA_BITS - 1);		/* bits 63:47 */

	if (f->canonical)
		return high == 0 || high == (1ull << (64 - PT_VA_BITS + 1)) - 1;
	return !(va >> PT_VA_BITS);
}

/* 4 KiB aligned, not wrapping, inside the format's address space; size 0 is fine. */
static int pt_check_range(const struct pt_format *f, uint64_t va, uint64_t pa, uint64_t size)
{
	uint64_t va_last = va + size - 1, pa_last = pa + size - 1;

	if ((va | pa | size) & (PT_PAGE - 1))
		return -HV_EINVAL;
	if (!size)
		return 0;
	if (va_last < va || pa_last < pa || (pa_last & ~(f->addr_mask | (PT_PAGE - 1))))
		return -HV_EINVAL;
	/* Both ends in one canonical half (or below 2^48): nothing in between is not. */
	if (!pt_va_ok(f, va) || !pt_va_ok(f, va_last) || (va >> 63) != (va_last >> 63))
		return -HV_EINVAL;
	return 0;
}

/* Runs op over [va, va+size): first as a check that changes nothing, then for real. */
static int pt_run(struct pt_op *op, uint64_t root, uint64_t va, uint64_t size)
{
	int ret;

	if (!size)
		return 0;
	op->dry = true;
	ret = pt_for_range(op, root, PT_ROOT, va, va + size - 1);
	if (ret)
		return ret;
	op->dry = false;
	return pt_for_range(op, root, PT_ROOT, va, va + size - 1);
}

int pt_map(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	   uint64_t pa, uint64_t size, unsigned int perm, enum pt_memtype mt)
{
	struct pt_op op = { .f = f, .m = m, .entry = pt_map_entry, .delta = pa - va,
			    .perm = perm, .mt = mt };
	int ret = pt_check_range(f, va, pa, size);

	if (ret)
		return ret;
	/* Write-only does not exist (SDM 3C 29.3.3.1; host entries always allow reads). */
	if (!perm || (perm & ~(unsigned int)(PT_R | PT_W | PT_X)) ||
	    ((perm & PT_W) && !(perm & PT_R)) || (mt != PT_MEM_WB && mt != PT_MEM_UC))
		return -HV_EINVAL;
	return pt_run(&op, root, va, size);
}

int pt_unmap(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	     uint64_t size)
{
	struct pt_op op = { .f = f, .m = m, .entry = pt_unmap_entry };
	int ret = pt_check_range(f, va, 0, size);

	return ret ? ret : pt_run(&op, root, va, size);
}

int pt_lookup_entry(const struct pt_format *f, const struct pt_mem *m, uint64_t root,
		    uint64_t va, uint64_t *entry, int *level)
{
	uint64_t table = root;

	if (!pt_va_ok(f, va))
		return -HV_ENOENT;
	for (int l = PT_ROOT; l >= 0; l--) {
		uint64_t e = pt_read(&pt_table(m, table)[pt_index(va, l)]);

		if (!f->present(e))
			return -HV_ENOENT;
		if (f->is_leaf(e, l)) {
			*entry = e;
			*level = l;
			return 0;
		}
		table = pt_entry_pa(f, e, 0);
	}
	return -HV_ENOENT;	/* not reached: level 0 entries are leaves */
}

int pt_lookup(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	      uint64_t *pa, unsigned int *perm, uint64_t *page_size)
{
	uint64_t e;
	int level, ret = pt_lookup_entry(f, m, root, va, &e, &level);

	if (ret)
		return ret;
	if (pa)
		*pa = pt_entry_pa(f, e, level) | (va & (PT_LEVEL_SIZE(level) - 1));
	if (perm)
		*perm = f->perm(e);
	if (page_size)
		*page_size = PT_LEVEL_SIZE(level);
	return 0;
}

struct pt_walker {
	const struct pt_format *f;
	const struct pt_mem *m;
	pt_leaf_fn fn;
	void *ctx;
};

static int pt_walk_table(const struct pt_walker *w, uint64_t table, int level, uint64_t base)
{
	const uint64_t *t = pt_table(w->m, table);

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = pt_read(&t[i]), size = PT_LEVEL_SIZE(level);
		uint64_t va = base | (i * size);
		int ret;

		if (w->f->canonical && level == PT_ROOT && (va >> (PT_VA_BITS - 1)))
			va |= ~0ull << PT_VA_BITS;	/* sign-extend bit 47 */
		if (!w->f->present(e))
			continue;
		if (w->f->is_leaf(e, level))
			ret = w->fn(va, pt_entry_pa(w->f, e, level), size, w->f->perm(e), w->ctx);
		else
			ret = pt_walk_table(w, pt_entry_pa(w->f, e, 0), level - 1, va);
		if (ret)
			return ret;
	}
	return 0;
}

int pt_walk(const struct pt_format *f, const struct pt_mem *m, uint64_t root, pt_leaf_fn fn,
	    void *ctx)
{
	struct pt_walker w = { .f = f, .m = m, .fn = fn, .ctx = ctx };

	return pt_walk_table(&w, root, PT_ROOT, 0);
}
