/* SPDX-License-Identifier: MIT */
/* AMD-Vi hardware encodings (spec 48882 rev 3.08) and the pure builders and decoders on them. */
#ifndef IOMMU_AMDVI_AMDVI_HW_H
#define IOMMU_AMDVI_AMDVI_HW_H

#include <stdint.h>

#include "vmm/pt.h"

/* ---- MMIO registers, 3.4 ---- */
#define AMDVI_DEVTAB_BASE	0x0000	/* 3.4.1 Device Table Base Address */
#define  AMDVI_DEVTAB_SIZE_MAX	0x1ffull	/* bits 8:0: size in 4 KiB pages - 1 */
#define AMDVI_CMDBUF_BASE	0x0008	/* 3.4.2 Command Buffer Base Address */
#define AMDVI_EVTLOG_BASE	0x0010	/* 3.4.3 Event Log Base Address */
#define  AMDVI_LEN_SHIFT	56	/* bits 59:56: ComLen / EventLen, log2 of entries */
#define  AMDVI_LEN_4K		8ull	/* 256 entries of 16 bytes: one page */
#define AMDVI_CONTROL		0x0018	/* 3.4.4 IOMMU Control */
#define  AMDVI_CTRL_IOMMUEN	(1ull << 0)
#define  AMDVI_CTRL_EVENTLOGEN	(1ull << 2)
#define  AMDVI_CTRL_CMDBUFEN	(1ull << 12)
#define AMDVI_EXCL_BASE		0x0020	/* 3.4.5 Exclusion Base: left 0 (disabled) */
#define AMDVI_EFR		0x0030	/* 3.4.6 Extended Feature Register */
#define  AMDVI_EFR_IASUP	(1ull << 6)	/* INVALIDATE_IOMMU_ALL supported */
#define  AMDVI_EFR_HATS(efr)	(((efr) >> 10) & 3)	/* 0: 4 levels, 1: 5, 2: 6 */
#define AMDVI_CMD_HEAD		0x2000	/* 3.4.9 Command Buffer Head Pointer, bits 18:4 */
#define AMDVI_CMD_TAIL		0x2008	/* 3.4.10 Command Buffer Tail Pointer */
#define AMDVI_EVT_HEAD		0x2010	/* 3.4.11 Event Log Head Pointer */
#define AMDVI_EVT_TAIL		0x2018	/* 3.4.12 Event Log Tail Pointer */
#define  AMDVI_PTR_MASK		0x7fff0ull	/* head/tail: byte offset, bits 18:4 */
#define AMDVI_STATUS		0x2020	/* 3.4.13 IOMMU Status */
#define  AMDVI_ST_EVTOVERFLOW	(1ull << 0)	/* RW1C */
#define  AMDVI_ST_EVTLOGINT	(1ull << 1)	/* RW1C */
#define  AMDVI_ST_COMWAITINT	(1ull << 2)	/* RW1C */
#define  AMDVI_ST_EVTLOGRUN	(1ull << 3)
#define  AMDVI_ST_CMDBUFRUN	(1ull << 4)
#define AMDVI_MMIO_SIZE		0x4000

#define AMDVI_ADDR_MASK		0x000ffffffffff000ull	/* bits 51:12 of every pointer */
#define AMDVI_RING_BYTES	0x1000u	/* command buffer and event log: 256 x 16 bytes */
#define AMDVI_ENTRY_BYTES	16u	/* one command, one event */

/* ---- Device table entry, 2.2.2.1 (256 bits; only quads 0 and 1 are used here) ---- */
#define AMDVI_DTE_V		(1ull << 0)	/* entry valid */
#define AMDVI_DTE_TV		(1ull << 1)	/* translation information valid */
#define AMDVI_DTE_MODE_SHIFT	9	/* bits 11:9: levels; 0 = no translation, IR/IW rule */
#define AMDVI_DTE_MODE(e)	(((e) >> AMDVI_DTE_MODE_SHIFT) & 7)
#define AMDVI_DTE_IR		(1ull << 61)	/* reads allowed */
#define AMDVI_DTE_IW		(1ull << 62)	/* writes allowed */
#define AMDVI_DTE_DOMID_MASK	0xffffull	/* quad 1 bits 15:0: DomainID */
#define AMDVI_DTE_QUADS		4
#define AMDVI_DEVTAB_ENTRIES	0x10000u	/* every device id of a segment: 2 MiB */
#define AMDVI_MODE_4LEVEL	4	/* 48-bit iova: always within HATS (EFR 3.4.6) */

/*
 * Blocked: V = TV = 1, Mode 0 ("translation disabled, access controlled by IR and IW",
 * 2.2.2.1) with IR = IW = 0, so every DMA is aborted. QEMU 7.2 does the same (Mode 0:
 * permissions are the DTE's IR|IW). V = 0 would pass DMA through untranslated, and
 * what V = 1, TV = 0 does differs between QEMU versions; neither is used.
 */
void amdvi_dte_blocked(uint64_t dte[AMDVI_DTE_QUADS]);
void amdvi_dte_translated(uint64_t dte[AMDVI_DTE_QUADS], uint64_t root, uint16_t domid);

/* ---- I/O page-table entries, 2.2.3 figures 8 and 9 ---- */
#define AMDVI_PTE_PR		(1ull << 0)	/* present */
#define AMDVI_PTE_NL_SHIFT	9	/* bits 11:9: Next Level; 0 = a page (leaf) */
#define AMDVI_PTE_NL(e)		(((e) >> AMDVI_PTE_NL_SHIFT) & 7)
#define AMDVI_PTE_FC		(1ull << 60)	/* force coherent: snooped */
#define AMDVI_PTE_IR		(1ull << 61)
#define AMDVI_PTE_IW		(1ull << 62)

/*
 * Engine level L (0 = 4 KiB tables) is AMD-Vi level L + 1. A table entry at engine
 * level L points to an AMD-Vi level-L table, so Next Level = L; a leaf has Next Level
 * 0 at any level, and a leaf at engine level 1 or 2 maps 2 MiB or 1 GiB (2.2.3 "larger
 * page sizes" by skipping levels; QEMU's walker: page size from the level where Next
 * Level 0 is found). Rights are ANDed over the walk, so table entries allow IR and IW.
 */
extern const struct pt_format pt_format_amdvi;

/* ---- Commands, 2.4 (128 bits: q[0] = dwords 0-1, q[1] = dwords 2-3) ---- */
#define AMDVI_CMD_OP_SHIFT	60	/* dword 1 bits 31:28 */
enum amdvi_cmd_op {
	AMDVI_CMD_COMPLETION_WAIT = 0x1,	/* 2.4.1 */
	AMDVI_CMD_INV_DEVTAB_ENTRY = 0x2,	/* 2.4.2 */
	AMDVI_CMD_INV_IOMMU_PAGES = 0x3,	/* 2.4.3 */
	AMDVI_CMD_INV_IOMMU_ALL = 0x8,	/* 2.4.9, if EFR IASup */
};
#define AMDVI_CW_S		(1ull << 0)	/* store data at the address when done */
#define AMDVI_INV_S		(1ull << 0)	/* q[1]: range given by the address' low ones */
#define AMDVI_INV_PDE		(1ull << 1)	/* q[1]: also cached page-directory entries */
#define AMDVI_INV_ALL_ADDR	0x7ffffffffffff000ull	/* with S: every page (2.4.3) */
#define AMDVI_INV_DOMID_SHIFT	32	/* dword 1 bits 15:0 */

struct amdvi_cmd {
	uint64_t q[2];
};

/* store_pa: 8-byte aligned, below 2^52; data is written there when all before is done. */
struct amdvi_cmd amdvi_cmd_completion_wait(uint64_t store_pa, uint64_t data);
struct amdvi_cmd amdvi_cmd_inv_dte(uint16_t devid);
struct amdvi_cmd amdvi_cmd_inv_pages_all(uint16_t domid);
struct amdvi_cmd amdvi_cmd_inv_all(void);

/* ---- Event log entries, 2.5 (128 bits) ---- */
enum amdvi_event_code {
	AMDVI_EV_ILLEGAL_DEV_TABLE_ENTRY = 0x1,	/* 2.5.2 */
	AMDVI_EV_IO_PAGE_FAULT = 0x2,		/* 2.5.3 */
	AMDVI_EV_DEV_TAB_HARDWARE_ERROR = 0x3,	/* 2.5.4 */
	AMDVI_EV_PAGE_TAB_HARDWARE_ERROR = 0x4,	/* 2.5.5 */
	AMDVI_EV_ILLEGAL_COMMAND_ERROR = 0x5,	/* 2.5.6 */
	AMDVI_EV_COMMAND_HARDWARE_ERROR = 0x6,	/* 2.5.7 */
	AMDVI_EV_IOTLB_INV_TIMEOUT = 0x7,	/* 2.5.8 */
	AMDVI_EV_INVALID_DEVICE_REQUEST = 0x8,	/* 2.5.9 */
	AMDVI_EV_INVALID_PPR_REQUEST = 0x9,	/* 2.5.10 */
	AMDVI_EV_EVENT_COUNTER_ZERO = 0xa,	/* 2.5.11 */
};

/* Common layout: dword 0 bits 15:0 DeviceID, dword 1 bits 15:0 DomainID (or PASID),
 * bits 27:16 flags, bits 31:28 EventCode; dwords 2-3 the address. */
struct amdvi_event {
	unsigned int code;
	uint16_t devid;
	uint16_t domid;
	unsigned int flags;
	uint64_t addr;
};

struct amdvi_event amdvi_event_decode(const uint64_t e[2]);
/* "IO_PAGE_FAULT", ..., or "UNKNOWN". */
const char *amdvi_event_name(unsigned int code);

#endif
