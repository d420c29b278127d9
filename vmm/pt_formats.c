/* SPDX-License-Identifier: MIT */
/* Entry encodings for the page-table engine: x86-64 host tables, Intel EPT, AMD NPT. */
#include "vmm/pt.h"

#include "arch/x86/asm.h"
#include "arch/x86/paging.h"

/*
 * ---- x86-64 4-level paging, SDM vol 3A sec. 4.5, tables 4-14 (PML4E) .. 4-20 (PTE) ----
 * Bits named in arch/x86/asm.h: P 0, R/W 1, U/S 2, PWT 3, PCD 4, PS 7; XD 63 is PTE_NX
 * (arch/x86/paging.h, honoured with IA32_EFER.NXE = 1). PCD|PWT with PAT bit 0 selects
 * PAT entry 3, UC at power-on and as this hypervisor leaves it (SDM 3A 13.12.3,
 * "Selecting a Memory Type from the PAT"; 11.12.3 in SDMs before 2023).
 */
static uint64_t host_table(uint64_t table_pa, int level)
{
	(void)level;
	/* Access rights are the AND over the walk (SDM 3A 4.6), so tables allow all. */
	return table_pa | PTE_P | PTE_W;
}

static uint64_t host_attrs(int level, unsigned int perm, enum pt_memtype mt)
{
	return PTE_P | ((perm & PT_W) ? PTE_W : 0) | ((perm & PT_X) ? 0 : PTE_NX) |
	       (level > 0 ? PTE_PS : 0) |		/* PS = 1: 2 MiB PDE, 1 GiB PDPTE */
	       (mt == PT_MEM_UC ? PTE_PCD | PTE_PWT : 0);
}

/* Host and NPT leaves are always readable: P alone grants read (SDM 3A 4.6.1). */
static uint64_t host_leaf(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt)
{
	return pa | host_attrs(level, perm, mt);
}

static bool host_present(uint64_t e)
{
	return e & PTE_P;
}

static bool host_is_leaf(uint64_t e, int level)
{
	return level == 0 || (e & PTE_PS);
}

static unsigned int host_perm(uint64_t e)
{
	return PT_R | ((e & PTE_W) ? PT_W : 0) | ((e & PTE_NX) ? 0 : PT_X);
}

/* Leaves at level 1 (2 MiB) and 2 (1 GiB; only if CPUID 80000001h:EDX[26] Page1GB). */
const struct pt_format pt_format_host = {
	.name = "host",
	.table_entry = host_table,
	.leaf_entry = host_leaf,
	.present = host_present,
	.is_leaf = host_is_leaf,
	.perm = host_perm,
	.addr_mask = PTE_ADDR_MASK,	/* bits 51:12, in EPT too (table 29-1) */
	.large_levels = PT_LARGE(1) | PT_LARGE(2),
	.canonical = true,
};

/* The same, 2 MiB pages only: for CPUs without 1 GiB pages. */
const struct pt_format pt_format_host_2m = {
	.name = "host-2m",
	.table_entry = host_table,
	.leaf_entry = host_leaf,
	.present = host_present,
	.is_leaf = host_is_leaf,
	.perm = host_perm,
	.addr_mask = PTE_ADDR_MASK,
	.large_levels = PT_LARGE(1),
	.canonical = true,
};

/*
 * ---- Intel EPT, SDM vol 3C sec. 29.3.2, tables 29-1 (PML4E) .. 29-6 (PTE) ----
 * An entry is present when any of bits 2:0 is set (29.3.2). Bits 7:3 of a non-leaf
 * entry are reserved (must be 0, else EPT misconfiguration, 29.3.3.1).
 */
#define EPT_R		(1ull << 0)	/* read access */
#define EPT_W		(1ull << 1)	/* write access */
#define EPT_X		(1ull << 2)	/* execute access (supervisor-mode with MBEC) */
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)
#define EPT_MT_SHIFT	3		/* bits 5:3: EPT memory type, leaves only (29.3.7) */
#define EPT_MT_UC	0ull		/* encodings as in the PAT and MTRRs (SDM 3A 13.3) */
#define EPT_MT_WB	6ull
#define EPT_IPAT	(1ull << 6)	/* ignore guest PAT; left 0 so the guest's PAT applies */
#define EPT_PAGE	(1ull << 7)	/* 1: this PDPTE/PDE maps a page (tables 29-2, 29-4) */

static uint64_t ept_table(uint64_t table_pa, int level)
{
	(void)level;
	return table_pa | EPT_RWX;	/* tables 29-1, 29-3, 29-5: rights AND over levels */
}

static uint64_t ept_leaf(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt)
{
	uint64_t type = mt == PT_MEM_UC ? EPT_MT_UC : EPT_MT_WB;

	return pa | ((perm & PT_R) ? EPT_R : 0) | ((perm & PT_W) ? EPT_W : 0) |
	       ((perm & PT_X) ? EPT_X : 0) | (type << EPT_MT_SHIFT) |
	       (level > 0 ? EPT_PAGE : 0);
}

static bool ept_present(uint64_t e)
{
	return e & EPT_RWX;
}

/* Bit 7 of a PTE (table 29-6) is ignored, so level 0 never looks at it. */
static bool ept_is_leaf(uint64_t e, int level)
{
	return level == 0 || (e & EPT_PAGE);
}

static unsigned int ept_perm(uint64_t e)
{
	return ((e & EPT_R) ? PT_R : 0) | ((e & EPT_W) ? PT_W : 0) | ((e & EPT_X) ? PT_X : 0);
}

/* 2 MiB and 1 GiB pages: IA32_VMX_EPT_VPID_CAP bits 16 and 17 (SDM 3D A.10). */
const struct pt_format pt_format_ept = {
	.name = "ept",
	.table_entry = ept_table,
	.leaf_entry = ept_leaf,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.perm = ept_perm,
	.addr_mask = PTE_ADDR_MASK,
	.large_levels = PT_LARGE(1) | PT_LARGE(2),
	.canonical = false,
};

/*
 * ---- AMD nested paging, APM vol 2 sec. 15.25.5 ----
 * The host long-mode format, but the nested walk treats every guest access as a user
 * access, so U/S (bit 2) must be set at every level or the access faults (#NPF).
 */
static uint64_t npt_table(uint64_t table_pa, int level)
{
	(void)level;
	return table_pa | PTE_P | PTE_W | PTE_U;
}

static uint64_t npt_leaf(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt)
{
	return pa | host_attrs(level, perm, mt) | PTE_U;
}

/* 2 MiB and 1 GiB nested pages (APM 2 15.25.1; Page1GB in CPUID 80000001h:EDX[26]). */
const struct pt_format pt_format_npt = {
	.name = "npt",
	.table_entry = npt_table,
	.leaf_entry = npt_leaf,
	.present = host_present,
	.is_leaf = host_is_leaf,
	.perm = host_perm,
	.addr_mask = PTE_ADDR_MASK,
	.large_levels = PT_LARGE(1) | PT_LARGE(2),
	.canonical = false,
};
