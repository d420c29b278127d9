/* SPDX-License-Identifier: MIT */
/* Physical page allocator: 4 KiB pages kept as sorted, disjoint free ranges. */
#ifndef VMM_PMM_H
#define VMM_PMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"

#define PMM_PAGE_SHIFT		12
#define PMM_PAGE_SIZE		(1ull << PMM_PAGE_SHIFT)
#define PMM_USABLE_MAX		128	/* ranges in the allocator's domain */
#define PMM_FREE_MAX		256	/* free ranges; fragmentation beyond: alloc/free fail */

/*
 * Not thread-safe: the caller serialises every call (the hypervisor holds one
 * spinlock around the allocator).
 */
struct pmm {
	size_t nusable;
	struct boot_range usable[PMM_USABLE_MAX];	/* domain: what was free at init */
	size_t nfree;
	struct boot_range free[PMM_FREE_MAX];		/* sorted, disjoint, non-adjacent */
	uint64_t total_pages;
	uint64_t free_pages;
	bool allocated;			/* an allocation happened: no more pmm_reserve */
};

/*
 * Builds the allocator from a memory map (unsorted, overlapping: any type other than
 * BOOT_MEM_AVAILABLE wins where it overlaps an available entry) minus the reserved
 * ranges resv (byte granular, rounded outwards to pages) and minus page 0. Usable
 * memory is rounded inwards to pages. Returns 0, -HV_EINVAL (NULL arguments), or
 * -HV_E2BIG when the result needs more than PMM_USABLE_MAX ranges.
 */
__attribute__((warn_unused_result))
int pmm_init(struct pmm *p, const struct boot_mmap_entry *map, size_t nmap,
	     const struct boot_range *resv, size_t nresv);

/*
 * Removes [start, end) (rounded outwards to pages) from the allocator for good. Only
 * before the first allocation (-HV_EBUSY after); -HV_E2BIG when a split would overflow.
 */
__attribute__((warn_unused_result))
int pmm_reserve(struct pmm *p, uint64_t start, uint64_t end);

/*
 * Allocates npages contiguous pages aligned to align_pages pages (a power of two).
 * Returns the physical address, or 0 on failure (0 is never a valid page): bad
 * arguments, no room, or too fragmented to split.
 */
__attribute__((warn_unused_result))
uint64_t pmm_alloc(struct pmm *p, size_t npages, size_t align_pages);

/* As pmm_alloc, with the whole allocation below limit (exclusive), e.g. 4 GiB. */
__attribute__((warn_unused_result))
uint64_t pmm_alloc_below(struct pmm *p, size_t npages, size_t align_pages, uint64_t limit);

/*
 * Returns pages to the pool, merging neighbours. -HV_EINVAL: misaligned, zero pages or
 * wrapping; -HV_EFAULT: not entirely inside the allocator's domain; -HV_EEXIST: some
 * page is already free (double free); -HV_E2BIG: the free list is full. Nothing
 * changes on error.
 */
__attribute__((warn_unused_result))
int pmm_free(struct pmm *p, uint64_t pa, size_t npages);

uint64_t pmm_free_pages(const struct pmm *p);
uint64_t pmm_total_pages(const struct pmm *p);

/* Free ranges, in address order, for boot-time reports: index 0..pmm_range_count()-1. */
size_t pmm_range_count(const struct pmm *p);
bool pmm_range_get(const struct pmm *p, size_t i, struct boot_range *out);

#endif
