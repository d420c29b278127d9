/* SPDX-License-Identifier: MIT */
/* The hypervisor's own page tables: a W^X direct map plus guarded stacks. */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/asm.h"

#define PAGE_SIZE	0x1000ull
#define LARGE_PAGE_SIZE	0x200000ull
#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

/* Stacks live above the direct map, so their guard pages can stay unmapped. */
#define HV_STACK_VA	0xffffff0000000000ull

/* Physical address of the active top-level table, loaded by APs (entry.S). */
extern uint64_t hv_cr3;

/* Returns true when [base, base+len) holds RAM (for the cache attribute of the map). */
typedef bool (*paging_is_ram_fn)(uint64_t base, uint64_t len);

/*
 * Builds the final tables: every address below top identity-mapped read/write and
 * non-executable (uncached where is_ram says it is not RAM), the image mapped by
 * section (text RX, rodata R, data RW), page 0 unmapped; then loads them.
 */
int paging_init(uint64_t top, paging_is_ram_fn is_ram) __attribute__((warn_unused_result));
/* Maps fresh zeroed pages at va (4 KiB pages). */
int paging_map_fresh(uint64_t va, uint64_t size, uint64_t flags)
	__attribute__((warn_unused_result));
/* Returns the leaf entry mapping va, or 0 if none; *level_size gets its page size. */
uint64_t paging_lookup(uint64_t va, uint64_t *page_size);



/* Walks the active tables: returns how many leaves are writable and executable. */
int paging_audit(uint64_t *leaves, uint64_t *first_wx);
#endif
