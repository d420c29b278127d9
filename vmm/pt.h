/* SPDX-License-Identifier: MIT */
/* One 4-level page-table engine for the hypervisor's tables, EPT, NPT and the IOMMUs. */
#ifndef VMM_PT_H
#define VMM_PT_H

#include <stdbool.h>
#include <stdint.h>

enum pt_perm {
	PT_R = 1,
	PT_W = 2,
	PT_X = 4,
};

enum pt_memtype {
	PT_MEM_WB = 0,
	PT_MEM_UC = 1,
};

/*
 * A format says how entries are encoded. Levels count from 0 (4 KiB leaf tables) to 3
 * (the root); a leaf at level 1 maps 2 MiB, at level 2 1 GiB. A caller whose CPU lacks
 * a page size copies a format and clears its bit in large_levels.
 */
#define PT_LEVELS	4
#define PT_LARGE(level)	(1u << (level))		/* a large_levels bit */
#define PT_LEVEL_SIZE(level)	(0x1000ull << (9 * (level)))	/* bytes one entry maps */

struct pt_format {
	const char *name;
	/* An entry at level (1..3) pointing to the table at table_pa, of level - 1. */
	uint64_t (*table_entry)(uint64_t table_pa, int level);
	uint64_t (*leaf_entry)(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt);
	bool (*present)(uint64_t e);
	bool (*is_leaf)(uint64_t e, int level);	/* level 0 entries are always leaves */
	unsigned int (*perm)(uint64_t e);	/* enum pt_perm bits of a present entry */
	uint64_t addr_mask;			/* physical address bits of an entry */
	unsigned int large_levels;		/* bit n set: leaves allowed at level n */
	/* va is a linear address: bits 63:47 equal (SDM 3A 3.3.7.1); else va < 2^48. */
	bool canonical;
};

/* Formats, in vmm/pt_formats.c; EPT and NPT leaves are guest-memory mappings. */
extern const struct pt_format pt_format_host;	/* x86-64 4-level, SDM 3A 4.5 */
extern const struct pt_format pt_format_host_2m;	/* the same without 1 GiB pages */
extern const struct pt_format pt_format_ept;	/* SDM 3C 29.3.2 */
extern const struct pt_format pt_format_npt;	/* APM 2 15.25: host format, U=1 */

/* Where table pages come from and how the engine reaches them. */
struct pt_mem {
	uint64_t (*alloc_table)(void *ctx);		/* a zeroed 4 KiB page, or 0 */
	uint64_t *(*table_ptr)(uint64_t pa, void *ctx);	/* its 512 entries */
	void *ctx;
};

/*
 * Maps [va, va+size) to [pa, pa+size) with perm and mt, using the largest pages the
 * format and the alignment allow. Every entry is written with one 64-bit store, and a
 * new table (zeroed by alloc_table) is linked before it is filled, so a concurrent
 * walker only ever sees valid entries. Existing leaves in the range are replaced; where
 * a table already exists, the mapping fills it with smaller pages rather than dropping
 * it. A large leaf that must be split is -HV_EEXIST (callers unmap first). The range is
 * checked before anything is written, so -HV_EINVAL and -HV_EEXIST change nothing;
 * -HV_ENOMEM may leave part of the range mapped, in whole, correct leaves (the caller
 * unmaps the range to undo it). perm: R, R|W, R|X, R|W|X, or X alone (EPT
 * execute-only; host and NPT entries always allow reads); W without R is -HV_EINVAL.
 * size 0 does nothing. Not safe against a concurrent pt_map/pt_unmap on the same
 * tables; TLB and INVEPT flushes after replacing a leaf are the caller's.
 * Returns 0, -HV_EINVAL (unaligned, wrapping, outside the address space), -HV_EEXIST,
 * -HV_ENOMEM.
 */
int pt_map(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	   uint64_t pa, uint64_t size, unsigned int perm, enum pt_memtype mt)
	__attribute__((warn_unused_result));

/*
 * Clears the leaves covering [va, va+size); tables stay, unmapped parts are skipped.
 * -HV_EINVAL (nothing changed) if unaligned or if it would split a large page.
 */
int pt_unmap(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	     uint64_t size) __attribute__((warn_unused_result));

/*
 * Translates va: 0 and *pa (with va's offset in the page), *perm, *page_size (each may
 * be NULL); -HV_ENOENT when unmapped.
 */
int pt_lookup(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	      uint64_t *pa, unsigned int *perm, uint64_t *page_size)
	__attribute__((warn_unused_result));

/* The raw leaf entry mapping va and its level (for audits); -HV_ENOENT when unmapped. */
int pt_lookup_entry(const struct pt_format *f, const struct pt_mem *m, uint64_t root,
		    uint64_t va, uint64_t *entry, int *level) __attribute__((warn_unused_result));

/*
 * Calls fn for each leaf (va, pa, size, perm) in address order, va canonical for the
 * host format; stops on non-zero and returns it, else 0.
 */
typedef int (*pt_leaf_fn)(uint64_t va, uint64_t pa, uint64_t size, unsigned int perm,
			  void *ctx);
int pt_walk(const struct pt_format *f, const struct pt_mem *m, uint64_t root, pt_leaf_fn fn,
	    void *ctx);

#endif
