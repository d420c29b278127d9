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
#define DMAR_MAX_RMRR 8

/* Device scope types, VT-d 8.3.1 table 8-4 (3..5: IOAPIC, HPET, ACPI device) */
#define DMAR_SCOPE_ENDPOINT 1
#define DMAR_SCOPE_BRIDGE 2     /* the bridge and the whole hierarchy below it */

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

/* Reserved memory region (VT-d 8.4): DMA the devices of its scopes keep doing. */
struct dmar_rmrr {
	uint64_t base;      /* 4 KiB aligned */
	uint64_t limit;     /* last byte; limit + 1 is 4 KiB aligned */
	uint16_t segment;
	uint32_t scope_off;
	uint32_t scope_len;
};

struct dmar_info {
	const uint8_t *table; /* the parsed table, which the scope walks read */
	uint8_t haw;        /* host address width in bits (the field + 1) */
	uint8_t flags;      /* DMAR_FLAG_* */
	unsigned ndrhd;
	struct dmar_drhd drhd[DMAR_MAX_DRHD];
	unsigned nrmrr;
	struct dmar_rmrr rmrr[DMAR_MAX_RMRR];
	unsigned nother;    /* other remapping structures seen (ATSR, RHSA, ...) */
};

/*
 * Parse a DMAR of avail bytes: header and checksum, then every remapping structure,
 * each of which must be at least as long as its type needs and end inside the
 * table. Returns 0, -HV_EBADMSG (bad checksum or length), -HV_EEXIST (two DRHDs
 * with the same register base, or two INCLUDE_PCI_ALL units in one segment),
 * -HV_ERANGE (register sets overlapping, an RMRR not page-aligned or ending before it
 * starts), -HV_E2BIG (more than DMAR_MAX_DRHD or DMAR_MAX_RMRR). The table must stay
 * in place while out is used.
 */
__attribute__((warn_unused_result))
int dmar_parse(const void *dmar, uint32_t avail, struct dmar_info *out);

/*
 * Reads the secondary and subordinate bus numbers of the PCI-to-PCI bridge at bdf
 * (config offsets 0x19, 0x1a); 0, or negative when bdf is no bridge.
 */
typedef int (*dmar_bridge_fn)(uint16_t seg, uint16_t bdf, uint8_t *secondary,
			      uint8_t *subordinate, void *ctx);

/*
 * Device scopes name a device by a start bus and a path of (device, function) hops
 * through bridges (VT-d 8.3.2). A one-hop path needs no PCI access. Longer paths and
 * what lies below a bridge scope are resolved with bridge(); without it (NULL) they
 * match only the bridge named by a one-hop path itself, so a device behind a bridge
 * falls to its segment's INCLUDE_PCI_ALL unit, or to none.
 */
struct dmar_bus {
	dmar_bridge_fn bridge;
	void *ctx;
};

/*
 * The DRHD covering (seg, bdf): the one whose endpoint or bridge scopes name it, else
 * the segment's INCLUDE_PCI_ALL unit (which covers every device no other unit
 * claims); -1 when none does.
 */
int dmar_unit_for(const struct dmar_info *d, uint16_t seg, uint16_t bdf,
		  const struct dmar_bus *bus);

/* True when the scopes of RMRR r name (seg, bdf). */
bool dmar_rmrr_names(const struct dmar_info *d, const struct dmar_rmrr *r, uint16_t seg,
		     uint16_t bdf, const struct dmar_bus *bus);

#endif
