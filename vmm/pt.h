/* SPDX-License-Identifier: MIT */
/* One 4-level page-table engine for the hypervisor's tables, EPT, NPT (and later IOMMUs). */
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
 * (the root); a leaf at level 1 maps 2 MiB, at level 2 1 GiB.
 */
struct pt_format {
	const char *name;
	uint64_t (*table_entry)(uint64_t table_pa);
	uint64_t (*leaf_entry)(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt);
	bool (*present)(uint64_t e);
	bool (*is_leaf)(uint64_t e, int level);	/* level 0 entries are always leaves */
	unsigned int (*perm)(uint64_t e);	/* enum pt_perm bits of a present entry */
	uint64_t addr_mask;			/* physical address bits of an entry */
	unsigned int large_levels;		/* bit n set: leaves allowed at level n */
};

/* Formats, in vmm/pt_formats.c; EPT and NPT leaves are guest-memory mappings. */
extern const struct pt_format pt_format_host;	/* x86-64 4-level, SDM 3A 4.5 */
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
 * new table is filled before the entry pointing to it is written, so a concurrent
 * walker never sees a half-built path. Existing leaves in the range are replaced; a
 * large leaf that must be split is -HV_EEXIST (callers unmap first).
 * Returns 0, -HV_EINVAL (unaligned), -HV_ENOMEM.
 */
int pt_map(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	   uint64_t pa, uint64_t size, unsigned int perm, enum pt_memtype mt)
	__attribute__((warn_unused_result));

/* Clears the leaves covering [va, va+size); tables stay. -HV_EINVAL if it would split. */
int pt_unmap(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	     uint64_t size) __attribute__((warn_unused_result));

/* Translates va: 0 and *pa, *perm, *page_size; -HV_ENOENT when unmapped. */
int pt_lookup(const struct pt_format *f, const struct pt_mem *m, uint64_t root, uint64_t va,
	      uint64_t *pa, unsigned int *perm, uint64_t *page_size)
	__attribute__((warn_unused_result));

/* Calls fn for each leaf (va, pa, size, perm) in address order; stops on non-zero. */
typedef int (*pt_leaf_fn)(uint64_t va, uint64_t pa, uint64_t size, unsigned int perm,
			  void *ctx);
int pt_walk(const struct pt_format *f, const struct pt_mem *m, uint64_t root, pt_leaf_fn fn,
	    void *ctx);

#endif
