/* SPDX-License-Identifier: MIT */
/* Physical page allocator: free memory as a sorted array of disjoint page ranges. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/pmm.h"
#include "include/abi/hv_errno.h"

#define PAGE_MASK	(PMM_PAGE_SIZE - 1)
#define MAX_PAGES	(UINT64_MAX >> PMM_PAGE_SHIFT)

/* ---- sets of sorted, disjoint [start, end) ranges ---- */

static void rs_insert(struct boot_range *r, size_t *n, size_t i, uint64_t s, uint64_t e)
{
	for (size_t k = *n; k > i; k--)
		r[k] = r[k - 1];
	r[i] = (struct boot_range){ s, e };
	(*n)++;
}

static void rs_remove(struct boot_range *r, size_t *n, size_t i, size_t count)
{
	for (size_t k = i; k + count < *n; k++)
		r[k] = r[k + count];
	*n -= count;
}

/* Unites [s, e) with the set, merging ranges it overlaps or touches. */
static int rs_add(struct boot_range *r, size_t *n, size_t cap, uint64_t s, uint64_t e)
{
	size_t i = 0, j;

	if (s >= e)
		return 0;
	while (i < *n && r[i].end < s)
		i++;
	for (j = i; j < *n && r[j].start <= e; j++) {
		s = r[j].start < s ? r[j].start : s;
		e = r[j].end > e ? r[j].end : e;
	}
	if (j == i) {
		if (*n >= cap)
			return -HV_E2BIG;
		rs_insert(r, n, i, s, e);
		return 0;
	}
	r[i] = (struct boot_range){ s, e };
	rs_remove(r, n, i + 1, j - i - 1);
	return 0;
}

/* Cuts [s, e) out of the set; -HV_E2BIG, set unchanged, if a split would overflow. */
static int rs_sub(struct boot_range *r, size_t *n, size_t cap, uint64_t s, uint64_t e)
{
	size_t i;

	if (s >= e)
		return 0;
	for (i = 0; i < *n; i++) {
		if (r[i].start < s && r[i].end > e) {
			if (*n >= cap)
				return -HV_E2BIG;
			rs_insert(r, n, i + 1, e, r[i].end);
			r[i].end = s;
			return 0;
		}
	}
	for (i = 0; i < *n;) {
		if (r[i].end <= s || r[i].start >= e) {
			i++;
		} else if (r[i].start >= s && r[i].end <= e) {
			rs_remove(r, n, i, 1);
		} else {
			if (r[i].start < s)
				r[i].end = s;
			else
				r[i].start = e;
			i++;
		}
	}
	return 0;
}

static bool rs_contains(const struct boot_range *r, size_t n, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start <= s && e <= r[i].end)
			return true;
	return false;
}

static bool rs_overlaps(const struct boot_range *r, size_t n, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].start < e && s < r[i].end)
			return true;
	return false;
}

static uint64_t rs_pages(const struct boot_range *r, size_t n)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < n; i++)
		pages += (r[i].end - r[i].start) >> PMM_PAGE_SHIFT;
	return pages;
}

/* ---- page rounding ---- */

/* End of a map entry; one ending at or past 2^64 is clamped to the last byte. */
static uint64_t entry_end(const struct boot_mmap_entry *m)
{
	return m->base + m->len < m->base || m->base + m->len == 0 ? UINT64_MAX
								 : m->base + m->len;
}

static uint64_t round_up(uint64_t x)
{
	return x > UINT64_MAX - PAGE_MASK ? UINT64_MAX : (x + PAGE_MASK) & ~PAGE_MASK;
}

static uint64_t round_down(uint64_t x)
{
	return x & ~PAGE_MASK;
}

/* Shrinks every usable range inwards to whole pages, dropping those left empty. */
static void usable_round_in(struct pmm *p)
{
	size_t i = 0;
	uint64_t s, e;

	while (i < p->nusable) {
		s = p->usable[i].start;
		e = round_down(p->usable[i].end);
		s = s > UINT64_MAX - PAGE_MASK ? e : round_up(s);
		if (s >= e) {
			rs_remove(p->usable, &p->nusable, i, 1);
			continue;
		}
		p->usable[i++] = (struct boot_range){ s, e };
	}
}

/* Before any allocation the free pool is exactly the domain. */
static void free_sync(struct pmm *p)
{
	for (size_t i = 0; i < p->nusable; i++)
		p->free[i] = p->usable[i];
	p->nfree = p->nusable;
	p->total_pages = rs_pages(p->usable, p->nusable);
	p->free_pages = p->total_pages;
}

/* ---- initialisation ---- */

/* Available entries first, then every other type cut out: overlaps resolve to "not RAM". */
static int usable_from_map(struct pmm *p, const struct boot_mmap_entry *map, size_t nmap)
{
	int ret;

	for (size_t i = 0; i < nmap; i++) {
		if (map[i].type != BOOT_MEM_AVAILABLE || map[i].len == 0)
			continue;
		ret = rs_add(p->usable, &p->nusable, PMM_USABLE_MAX, map[i].base,
			     entry_end(&map[i]));
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < nmap; i++) {
		if (map[i].type == BOOT_MEM_AVAILABLE || map[i].len == 0)
			continue;
		ret = rs_sub(p->usable, &p->nusable, PMM_USABLE_MAX, round_down(map[i].base),
			     round_up(entry_end(&map[i])));
		if (ret)
			return ret;
	}
	usable_round_in(p);
	return 0;
}

int pmm_reserve(struct pmm *p, uint64_t start, uint64_t end)
{
	int ret;

	if (!p)
		return -HV_EINVAL;
	if (p->allocated)
		return -HV_EBUSY;
	ret = rs_sub(p->usable, &p->nusable, PMM_USABLE_MAX, round_down(start), round_up(end));
	if (ret)
		return ret;
	free_sync(p);
	return 0;
}

int pmm_init(struct pmm *p, const struct boot_mmap_entry *map, size_t nmap,
	     const struct boot_range *resv, size_t nresv)
{
	int ret;

	if (!p || (!map && nmap) || (!resv && nresv))
		return -HV_EINVAL;
	p->nusable = 0;
	p->allocated = false;
	ret = usable_from_map(p, map, nmap);
	if (!ret)
		ret = pmm_reserve(p, 0, PMM_PAGE_SIZE);	/* 0 means "no page" */
	for (size_t i = 0; i < nresv && !ret; i++)
		ret = pmm_reserve(p, resv[i].start, resv[i].end);
	if (ret)
		p->nusable = 0;
	free_sync(p);
	return ret;
}

/* ---- allocation ---- */

/*
 * Lowest aligned fit below limit, preferring one that takes a range's head or tail
 * (no split). Returns the free-list index or -1, and the address in *out.
 */
static long find_fit(const struct pmm *p, uint64_t size, uint64_t align, uint64_t limit,
		     uint64_t *out)
{
	long split = -1;
	uint64_t a, split_a = 0;

	for (size_t i = 0; i < p->nfree; i++) {
		const struct boot_range *r = &p->free[i];

		a = (r->start + align - 1) & ~(align - 1);
		if (a < r->start || a >= r->end || r->end - a < size || a + size > limit)
			continue;
		if (a == r->start || a + size == r->end) {
			*out = a;
			return (long)i;
		}
		if (split < 0) {
			split = (long)i;
			split_a = a;
		}
	}
	if (split >= 0 && p->nfree >= PMM_FREE_MAX)
		return -1;
	*out = split_a;
	return split;
}

uint64_t pmm_alloc_below(struct pmm *p, size_t npages, size_t align_pages, uint64_t limit)
{
	uint64_t a;

	if (!p || npages == 0 || npages > MAX_PAGES || align_pages == 0 ||
	    (align_pages & (align_pages - 1)) || align_pages > MAX_PAGES)
		return 0;
	if (find_fit(p, (uint64_t)npages << PMM_PAGE_SHIFT,
		     (uint64_t)align_pages << PMM_PAGE_SHIFT, limit, &a) < 0)
		return 0;
	if (rs_sub(p->free, &p->nfree, PMM_FREE_MAX, a,
		   a + ((uint64_t)npages << PMM_PAGE_SHIFT)))
		return 0;	/* find_fit checked room for a split: unreachable */
	p->free_pages -= npages;
	p->allocated = true;
	return a;
}

uint64_t pmm_alloc(struct pmm *p, size_t npages, size_t align_pages)
{
	return pmm_alloc_below(p, npages, align_pages, UINT64_MAX);
}

int pmm_free(struct pmm *p, uint64_t pa, size_t npages)
{
	uint64_t end;
	int ret;

	if (!p || npages == 0 || npages > MAX_PAGES || (pa & PAGE_MASK))
		return -HV_EINVAL;
	end = pa + ((uint64_t)npages << PMM_PAGE_SHIFT);
	if (end <= pa)
		return -HV_EINVAL;
	if (!rs_contains(p->usable, p->nusable, pa, end))
		return -HV_EFAULT;
	if (rs_overlaps(p->free, p->nfree, pa, end))
		return -HV_EEXIST;
	ret = rs_add(p->free, &p->nfree, PMM_FREE_MAX, pa, end);
	if (ret)
		return ret;
	p->free_pages += npages;
	return 0;
}

/* ---- accounting ---- */

uint64_t pmm_free_pages(const struct pmm *p)
{
	return p->free_pages;
}

uint64_t pmm_total_pages(const struct pmm *p)
{
	return p->total_pages;
}

size_t pmm_range_count(const struct pmm *p)
{
	return p->nfree;
}

bool pmm_range_get(const struct pmm *p, size_t i, struct boot_range *out)
{
	if (i >= p->nfree)
		return false;
	*out = p->free[i];
	return true;
}
