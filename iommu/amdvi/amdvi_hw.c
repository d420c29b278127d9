/* SPDX-License-Identifier: MIT */
/* AMD-Vi device table entries, I/O page-table format, commands and event decoding. */
#include "iommu/amdvi/amdvi_hw.h"

void amdvi_dte_blocked(uint64_t dte[AMDVI_DTE_QUADS])
{
	dte[0] = AMDVI_DTE_V | AMDVI_DTE_TV;
	dte[1] = dte[2] = dte[3] = 0;	/* DomainID 0; quad 2: no interrupt remapping */
}

void amdvi_dte_translated(uint64_t dte[AMDVI_DTE_QUADS], uint64_t root, uint16_t domid)
{
	dte[0] = AMDVI_DTE_V | AMDVI_DTE_TV | AMDVI_DTE_IR | AMDVI_DTE_IW |
		 ((uint64_t)AMDVI_MODE_4LEVEL << AMDVI_DTE_MODE_SHIFT) | (root & AMDVI_ADDR_MASK);
	dte[1] = domid;
	dte[2] = dte[3] = 0;
}

/* ---- I/O page tables, 2.2.3 ---- */
static uint64_t amdvi_table(uint64_t table_pa, int level)
{
	return table_pa | AMDVI_PTE_PR | AMDVI_PTE_IR | AMDVI_PTE_IW |
	       ((uint64_t)level << AMDVI_PTE_NL_SHIFT);
}

/* Next Level 0: a page of this level's size. The IOMMU has no memory types; WB memory
 * is marked coherent (FC), UC is left to the device's own snoop attribute. */
static uint64_t amdvi_leaf(uint64_t pa, int level, unsigned int perm, enum pt_memtype mt)
{
	(void)level;
	return pa | AMDVI_PTE_PR | ((perm & PT_R) ? AMDVI_PTE_IR : 0) |
	       ((perm & PT_W) ? AMDVI_PTE_IW : 0) | (mt == PT_MEM_WB ? AMDVI_PTE_FC : 0);
}

static bool amdvi_present(uint64_t e)
{
	return e & AMDVI_PTE_PR;
}

static bool amdvi_is_leaf(uint64_t e, int level)
{
	return level == 0 || AMDVI_PTE_NL(e) == 0;
}

static unsigned int amdvi_perm(uint64_t e)
{
	return ((e & AMDVI_PTE_IR) ? PT_R : 0) | ((e & AMDVI_PTE_IW) ? PT_W : 0);
}

const struct pt_format pt_format_amdvi = {
	.name = "amdvi",
	.table_entry = amdvi_table,
	.leaf_entry = amdvi_leaf,
	.present = amdvi_present,
	.is_leaf = amdvi_is_leaf,
	.perm = amdvi_perm,
	.addr_mask = AMDVI_ADDR_MASK,
	.large_levels = PT_LARGE(1) | PT_LARGE(2),
	.canonical = false,
};

/* ---- Commands, 2.4 ---- */
static uint64_t amdvi_op(enum amdvi_cmd_op op)
{
	return (uint64_t)op << AMDVI_CMD_OP_SHIFT;
}

/* 2.4.1: store address bits 51:3 in q[0] bits 51:3, the data in q[1]. */
struct amdvi_cmd amdvi_cmd_completion_wait(uint64_t store_pa, uint64_t data)
{
	return (struct amdvi_cmd){ { amdvi_op(AMDVI_CMD_COMPLETION_WAIT) | AMDVI_CW_S |
				     (store_pa & 0x000ffffffffffff8ull), data } };
}

struct amdvi_cmd amdvi_cmd_inv_dte(uint16_t devid)
{
	return (struct amdvi_cmd){ { amdvi_op(AMDVI_CMD_INV_DEVTAB_ENTRY) | devid, 0 } };
}

/* 2.4.3: S = 1 with address 7FFF_FFFF_FFFF_F000h covers every page; PDE = 1 drops
 * cached directory entries too. PASID 0, GN = 0 (host translation). */
struct amdvi_cmd amdvi_cmd_inv_pages_all(uint16_t domid)
{
	return (struct amdvi_cmd){ { amdvi_op(AMDVI_CMD_INV_IOMMU_PAGES) |
				     ((uint64_t)domid << AMDVI_INV_DOMID_SHIFT),
				     AMDVI_INV_ALL_ADDR | AMDVI_INV_PDE | AMDVI_INV_S } };
}

struct amdvi_cmd amdvi_cmd_inv_all(void)
{
	return (struct amdvi_cmd){ { amdvi_op(AMDVI_CMD_INV_IOMMU_ALL), 0 } };
}

/* ---- Events, 2.5 ---- */
struct amdvi_event amdvi_event_decode(const uint64_t e[2])
{
	return (struct amdvi_event){
		.code = (unsigned int)(e[0] >> 60) & 0xf,
		.devid = (uint16_t)e[0],
		.domid = (uint16_t)(e[0] >> 32),
		.flags = (unsigned int)(e[0] >> 48) & 0xfff,
		.addr = e[1],
	};
}

const char *amdvi_event_name(unsigned int code)
{
	static const char *const names[] = {
		[AMDVI_EV_ILLEGAL_DEV_TABLE_ENTRY] = "ILLEGAL_DEV_TABLE_ENTRY",
		[AMDVI_EV_IO_PAGE_FAULT] = "IO_PAGE_FAULT",
		[AMDVI_EV_DEV_TAB_HARDWARE_ERROR] = "DEV_TAB_HARDWARE_ERROR",
		[AMDVI_EV_PAGE_TAB_HARDWARE_ERROR] = "PAGE_TAB_HARDWARE_ERROR",
		[AMDVI_EV_ILLEGAL_COMMAND_ERROR] = "ILLEGAL_COMMAND_ERROR",
		[AMDVI_EV_COMMAND_HARDWARE_ERROR] = "COMMAND_HARDWARE_ERROR",
		[AMDVI_EV_IOTLB_INV_TIMEOUT] = "IOTLB_INV_TIMEOUT",
		[AMDVI_EV_INVALID_DEVICE_REQUEST] = "INVALID_DEVICE_REQUEST",
		[AMDVI_EV_INVALID_PPR_REQUEST] = "INVALID_PPR_REQUEST",
		[AMDVI_EV_EVENT_COUNTER_ZERO] = "EVENT_COUNTER_ZERO",
	};

	if (code >= sizeof(names) / sizeof(names[0]) || !names[code])
		return "UNKNOWN";
	return names[code];
}
