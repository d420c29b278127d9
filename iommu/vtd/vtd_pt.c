/* SPDX-License-Identifier: MIT */
/* VT-d encodings: root and context entries, second-level page tables, fault records. */
#include "iommu/vtd/vtd.h"

#include "iommu/vtd/vtd_regs.h"

/* Context entry, sec. 9.3: TT bits 3:2 of lo (00: untranslated only), AW bits 66:64. */
#define CTX_TT_UNTRANSLATED	(0ull << 2)
#define CTX_AW(levels)		((uint64_t)((levels) - 2))	/* 1: 39-bit, 2: 48-bit */
#define CTX_DID_SHIFT		8				/* DID: bits 87:72 */

struct vtd_entry vtd_root_entry(uint64_t ctx_table)
{
	return (struct vtd_entry){ .lo = (ctx_table & VTD_ENTRY_ADDR) | VTD_ENTRY_P };
}

struct vtd_entry vtd_context_entry(uint64_t slptptr, unsigned int did, unsigned int levels)
{
	return (struct vtd_entry){
		.lo = (slptptr & VTD_ENTRY_ADDR) | CTX_TT_UNTRANSLATED | VTD_ENTRY_P,
		.hi = CTX_AW(levels) | ((uint64_t)(did & 0xffff) << CTX_DID_SHIFT),
	};
}

unsigned int vtd_levels(uint64_t cap)
{
	unsigned int sagaw = VTD_CAP_SAGAW(cap);

	return (sagaw & VTD_SAGAW_48) ? 4 : (sagaw & VTD_SAGAW_39) ? 3 : 0;
}

/*
 * ---- Second-level paging entries, sec. 9.8 tables 9-4 .. 9-10 ----
 * R and W gate every level (the walk ANDs them), so tables allow both. X (bit 2) needs
 * ECAP.SLEE and is never set; SNP, EMT and TM stay 0: DMA snoops as the platform does.
 */
#define SL_R		(1ull << 0)
#define SL_W		(1ull << 1)
#define SL_PS		(1ull << 7)	/* 1: a 2 MiB (PDE) or 1 GiB (PDPE) page */

static uint64_t sl_table(uint64_t table_pa, int level)
{
	(void)level;
	return table_pa | SL_R | SL_W;
}

static uint64_t sl_leaf(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt)
{
	(void)mt;
	return pa | ((perm & PT_R) ? SL_R : 0) | ((perm & PT_W) ? SL_W : 0) |
	       (level > 0 ? SL_PS : 0);
}

/* An entry with R and W both 0 is not present (9.8). */
static bool sl_present(uint64_t e)
{
	return e & (SL_R | SL_W);
}

static bool sl_is_leaf(uint64_t e, int level)
{
	return level == 0 || (e & SL_PS);
}

static unsigned int sl_perm(uint64_t e)
{
	return ((e & SL_R) ? PT_R : 0) | ((e & SL_W) ? PT_W : 0);
}

const struct pt_format vtd_format_sl = {
	.name = "vtd-sl",
	.table_entry = sl_table,
	.leaf_entry = sl_leaf,
	.present = sl_present,
	.is_leaf = sl_is_leaf,
	.perm = sl_perm,
	.addr_mask = VTD_ENTRY_ADDR,
	.large_levels = PT_LARGE(1) | PT_LARGE(2),	/* CAP.SLLPS bits 0, 1 */
	.canonical = false,
};

/* Fault record, 11.4.10.1: FI 63:12; SID 79:64, FR 103:96, T 126, F 127. */
#define FRCD_FI		0xfffffffffffff000ull
#define FRCD_SID(hi)	((uint16_t)(hi))
#define FRCD_FR(hi)	((uint8_t)((hi) >> 32))
#define FRCD_T		(1ull << 62)
#define FRCD_F		(1ull << 63)

bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *f)
{
	if (!(hi & FRCD_F))
		return false;
	*f = (struct vtd_fault){ .addr = lo & FRCD_FI, .sid = FRCD_SID(hi),
				 .reason = FRCD_FR(hi), .read = hi & FRCD_T };
	return true;
}
