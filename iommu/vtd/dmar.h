/* SPDX-License-Identifier: MIT */
/* DMAR (DMA Remapping Reporting) table parser: Intel VT-d spec rev 4.1, chapter 8. */
#ifndef IOMMU_VTD_DMAR_H
#define IOMMU_VTD_DMAR_H

#include <stdbool.h>
#include <stdint.h>

/* DMAR flags, VT-d 8.1 table 8-1 */
#define DMAR_FLAG_INTR_REMAP 0x1u
#define DMAR_FLAG_X2APIC_OPT_OUT 0x2u
#define DMAR_FLAG_DMA_CTRL_OPT_IN 0x4u

/* Remapping structure types, VT-d 8.2 table 8-2 */
enum dmar_type {
	DMAR_TYPE_DRHD = 0,
	DMAR_TYPE_RMRR = 1,
	DMAR_TYPE_ATSR = 2,
	DMAR_TYPE_RHSA = 3,
	DMAR_TYPE_ANDD = 4,
	DMAR_TYPE_SATC = 5,
	DMAR_TYPE_SIDP = 6,
};

/* DRHD flags, VT-d 8.3 */
#define DMAR_DRHD_INCLUDE_PCI_ALL 0x1u

#define DMAR_MAX_DRHD 8

/*
 * One remapping hardware unit. Device scopes (VT-d 8.3.1) are checked for length
 * here and left in place: scope_off/scope_len locate them inside the table for a
 * later walk.
 */
struct dmar_drhd {
	uint64_t reg_base;  /* register base, VT-d 8.3 */
	uint16_t segment;
	uint8_t flags;      /* DMAR_DRHD_* */
	uint8_t size;       /* register set is 2^size 4 KiB pages (bits 3:0) */
	uint32_t scope_off; /* from the start of the table */
	uint32_t scope_len;
};

struct dmar_info {
	uint8_t haw;        /* host address width in bits (the field + 1) */
	uint8_t flags;      /* DMAR_FLAG_* */
	unsigned ndrhd;
	struct dmar_drhd drhd[DMAR_MAX_DRHD];
	unsigned nrmrr;     /* reserved memory region reports seen (checked, not kept) */
	unsigned nother;    /* other remapping structures seen (ATSR, RHSA, ...) */
};

/*
 * Parse a DMAR of avail bytes: header and checksum, then every remapping structure,
 * each of which must be at least as long as its type needs and end inside the
 * table. Returns 0, -HV_EBADMSG (bad checksum or length), -HV_EEXIST (two DRHDs
 * with the same register base, or two INCLUDE_PCI_ALL units in one segment),
 * -HV_ERANGE (register sets overlapping), -HV_E2BIG (more than DMAR_MAX_DRHD).
 */
__attribute__((warn_unused_result))
int dmar_parse(const void *dmar, uint32_t avail, struct dmar_info *out);

#endif
