/* SPDX-License-Identifier: MIT */
/* Intel VT-d: the pure encodings (root, context, second-level entries, fault records). */
#ifndef IOMMU_VTD_VTD_H
#define IOMMU_VTD_VTD_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/pt.h"

/* The driver itself is iommu_vtd_ops (iommu/iommu.h, iommu/vtd/vtd.c). */

/* A 128-bit root or context entry: lo is bits 63:0, hi bits 127:64. */
struct vtd_entry {
	uint64_t lo, hi;
};

#define VTD_ENTRY_P	1ull			/* present, bit 0 of root and context */
#define VTD_ENTRY_ADDR	0x000ffffffffff000ull	/* CTP, SLPTPTR: bits 51:12 used */
#define VTD_CTX_DID(hi)	((unsigned int)((hi) >> 8) & 0xffff)	/* bits 87:72 */

/* Root entry pointing to the context table of one bus (sec. 9.1). */
struct vtd_entry vtd_root_entry(uint64_t ctx_table);

/*
 * Context entry (sec. 9.3): untranslated requests only (TT = 00), walked from slptptr
 * with `levels` (3 or 4) of second-level tables, domain id did. Hardware must see the
 * hi half before lo, whose P bit makes the entry live.
 */
struct vtd_entry vtd_context_entry(uint64_t slptptr, unsigned int did, unsigned int levels);

/* Levels the unit walks given CAP.SAGAW: 4 if 48-bit is supported, else 3, else 0. */
unsigned int vtd_levels(uint64_t cap);

/* Second-level paging entries (sec. 9.8); callers clear large_levels CAP.SLLPS lacks. */
extern const struct pt_format vtd_format_sl;

/* One primary fault record (sec. 11.4.10.1), decoded. */
struct vtd_fault {
	uint64_t addr;		/* FI: the page of the faulting request */
	uint16_t sid;		/* requester bus:dev.fn */
	uint8_t reason;		/* FR, appendix A */
	bool read;		/* T: 1 read (or AtomicOp), 0 write */
};

/* Decodes a record from its two qwords; false when its F bit is clear (no fault). */
bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *f);

#endif
