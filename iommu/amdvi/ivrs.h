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
#define IVRS_MAX_IVMD 16

/*
 * One IOMMU. Its device entries (5.2.2.2) have been checked and are left in place:
 * entries_off/entries_len locate them inside the table (ivhd_walk_devices).
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

/* IVMD flags, 5.2.3 table 30 */
#define IVMD_FLAG_UNITY 0x1u     /* map 1:1 for the devices named */
#define IVMD_FLAG_IR 0x2u
#define IVMD_FLAG_IW 0x4u
#define IVMD_FLAG_EXCL 0x8u      /* exclusion range: DMA passes untranslated */

/* One IVMD block: memory firmware-owned DMA needs, for devices first..last. */
struct ivrs_ivmd {
	uint8_t type, flags;
	uint16_t first, last;  /* 20h: all devices; 21h: devid; 22h: devid..aux data */
	uint64_t start, len;
};

struct ivrs_info {
	uint32_t ivinfo;
	unsigned nunits;
	struct ivrs_ivhd units[IVRS_MAX_UNITS];
	unsigned nivmd;
	struct ivrs_ivmd ivmd[IVRS_MAX_IVMD];
};

/*
 * Devices first..last reach the unit, each with its own requester id, or with alias
 * (ivhd_devs.aliased) when its DMA arrives under another id (5.2.2.2, alias entries).
 */
struct ivhd_devs {
	uint16_t first, last;
	bool aliased;
	uint16_t alias;
};

/*
 * Calls fn for each device range of the IVHD device entries at ent (len bytes): select
 * (02h), all (01h), range start (03h) / alias range start (43h) / extended range start
 * (47h) up to the next range end (04h), alias select (42h), extended select (46h);
 * other entries (padding, special 48h, ACPI HID F0h, 16-byte ones) are skipped by their
 * length. fn may be NULL (check only). Returns 0, fn's non-zero result, or -HV_EBADMSG:
 * an entry past len, an end without a start, a start inside a range, an end before its
 * start, or a range still open at the end.
 */
typedef int (*ivhd_dev_fn)(const struct ivhd_devs *d, void *ctx);
int ivhd_walk_devices(const uint8_t *ent, uint32_t len, ivhd_dev_fn fn, void *ctx)
	__attribute__((warn_unused_result));

/*
 * Whether unit u of the parsed table covers devid; *rid gets the requester id its DMA
 * carries (the alias, or devid itself). A later entry overrides an earlier one.
 */
bool ivhd_covers(const uint8_t *table, const struct ivrs_ivhd *u, uint16_t devid,
		 uint16_t *rid);

/*
 * Parse an IVRS of avail bytes: header and checksum, then every block, each at least
 * as long as its type needs and ending inside the table, and the device entries of
 * each IVHD, their ranges well formed (ivhd_walk_devices). A unit described by several
 * IVHD types is reported once, from its newest type. IVMD blocks are kept in order.
 * Returns 0, -HV_EBADMSG (bad checksum, length or device entries), -HV_EEXIST (two
 * units with the same MMIO base, one device with two bases, or a block type repeated
 * for one device), -HV_E2BIG (more than IVRS_MAX_UNITS units or IVRS_MAX_IVMD IVMDs).
 */
__attribute__((warn_unused_result))
int ivrs_parse(const void *ivrs, uint32_t avail, struct ivrs_info *out);

#endif
