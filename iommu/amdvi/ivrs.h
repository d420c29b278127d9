/* SPDX-License-Identifier: MIT */
/* IVRS (I/O Virtualization Reporting Structure) parser: AMD IOMMU spec 48882 rev 3.08, 5.2. */
#ifndef IOMMU_AMDVI_IVRS_H
#define IOMMU_AMDVI_IVRS_H

#include <stdbool.h>
#include <stdint.h>

/* IVinfo, 5.2.1 table 18 */
#define IVRS_IVINFO_EFR_SUP 0x1u            /* EFR images in 11h/40h are valid */
#define IVRS_IVINFO_DMA_REMAP_SUP 0x2u
#define IVRS_IVINFO_GVA_SIZE(x) (((x) >> 5) & 0x7u)
#define IVRS_IVINFO_PA_SIZE(x) (((x) >> 8) & 0x7fu)
#define IVRS_IVINFO_VA_SIZE(x) (((x) >> 15) & 0x7fu)
#define IVRS_IVINFO_HT_ATS_RESV 0x400000u   /* bit 22 */

/* IVRS block types, 5.2.2 and 5.2.3 */
enum ivrs_type {
	IVRS_TYPE_IVHD_10 = 0x10, /* legacy: no EFR image */
	IVRS_TYPE_IVHD_11 = 0x11, /* EFR image */
	IVRS_TYPE_IVHD_40 = 0x40, /* 11h plus ACPI HID device entries */
	IVRS_TYPE_IVMD_ALL = 0x20,
	IVRS_TYPE_IVMD_ONE = 0x21,
	IVRS_TYPE_IVMD_RANGE = 0x22,
};

#define IVRS_MAX_UNITS 8

/*
 * One IOMMU. Its device entries (5.2.2.2) have been walked for length and are left
 * in place: entries_off/entries_len locate them inside the table.
 */
struct ivrs_ivhd {
	uint8_t type;        /* the block kept: 10h, 11h or 40h */
	uint8_t flags;       /* IVHD flags, 5.2.2.1 */
	uint16_t devid;      /* the IOMMU's own PCI requester id */
	uint8_t bus, dev, fn;
	uint16_t cap_off;    /* capability block offset in its config space */
	uint64_t base;       /* MMIO register base */
	uint16_t segment;
	uint16_t info;       /* IOMMU info: MSI number bits 4:0, UnitID bits 12:8 */
	uint32_t attr;       /* 10h: IOMMU feature reporting; 11h/40h: IOMMU attributes */
	bool efr_valid;      /* 11h/40h only */
	uint64_t efr;        /* extended feature register image */
	uint32_t entries_off;
	uint32_t entries_len;
};

struct ivrs_info {
	uint32_t ivinfo;
	unsigned nunits;
	struct ivrs_ivhd units[IVRS_MAX_UNITS];
	unsigned nivmd;      /* memory definition blocks seen (checked, not kept) */
};

/*
 * Parse an IVRS of avail bytes: header and checksum, then every block, each at least
 * as long as its type needs and ending inside the table, and the device entries of
 * each IVHD. A unit described by several IVHD types is reported once, from its
 * newest type. Returns 0, -HV_EBADMSG (bad checksum or length), -HV_EEXIST (two units
 * with the same MMIO base, one device with two bases, or a block type repeated for
 * one device), -HV_E2BIG (more than IVRS_MAX_UNITS units).
 */
__attribute__((warn_unused_result))
int ivrs_parse(const void *ivrs, uint32_t avail, struct ivrs_info *out);

#endif
