/* SPDX-License-Identifier: MIT */
/* The IOMMU layer's vendor-neutral face: units, DMA domains, device attachment, faults. */
#ifndef IOMMU_IOMMU_H
#define IOMMU_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/acpi.h"
#include "vmm/pt.h"

/* A PCI requester: segment and bus << 8 | device << 3 | function. */
struct iommu_dev {
	uint16_t seg;
	uint16_t bdf;
};

#define IOMMU_BDF(bus, dev, fn)	((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))

/*
 * One DMA address space. Its I/O page tables are built by the page-table engine
 * (vmm/pt.h) in the 4-level layout whatever the unit walks; a vendor that walks fewer
 * levels hands the unit a lower table and limits iova accordingly (aw_bits). id is the
 * vendor's domain id (VT-d DID, AMD-Vi DomainID): never 0.
 */
struct iommu_domain {
	unsigned int id;
	uint64_t root;		/* host-physical address of the level-3 table */
	unsigned int aw_bits;	/* iova < 2^aw_bits */
	bool used;
};

#define IOMMU_MAX_DOMAINS	16

/*
 * What a vendor driver provides (iommu/vtd/vtd.c, iommu/amdvi/amdvi.c). Every call
 * returns 0 or a negative HV_E* error, and a failed call changes nothing the hardware
 * can see. Until enable(), units are found and tables built but translation is off.
 * After enable(), map/unmap/attach/detach take effect at once (invalidations done
 * before they return).
 */
struct iommu_ops {
	const char *name;	/* "vtd", "amdvi" */
	/* Parses the ACPI table, reads each unit's registers, logs each unit; unit count. */
	unsigned int (*discover)(const struct acpi *a);
	/* Builds the unit's tables with every device blocked; translation still off. */
	int (*init)(void);
	/* A fresh empty domain with vendor id id (1..IOMMU_MAX_DOMAINS). */
	int (*domain_init)(struct iommu_domain *d, unsigned int id);
	/* perm: PT_R, PT_W bits (vmm/pt.h). 4 KiB aligned; larger pages where they fit. */
	int (*map)(struct iommu_domain *d, uint64_t iova, uint64_t hpa, uint64_t size,
		   unsigned int perm);
	int (*unmap)(struct iommu_domain *d, uint64_t iova, uint64_t size);
	/* dev's DMA goes through d from now on; -HV_ENOENT if no unit covers dev. */
	int (*attach)(struct iommu_domain *d, struct iommu_dev dev);
	/* dev's DMA is blocked from now on. */
	int (*detach)(struct iommu_dev dev);
	/* Turns translation on, after every table is in place. */
	int (*enable)(void);
	/* Reads, logs ("iommu: fault ...") and clears recorded faults; how many there were. */
	unsigned int (*faults)(void);
	/* Calls fn for each range of memory the hypervisor must leave alone and map 1:1 for
	 * dev (VT-d RMRR); 0 when there is none. */
	int (*reserved)(struct iommu_dev dev, int (*fn)(uint64_t base, uint64_t size,
							void *ctx), void *ctx);
	/* Each page of hypervisor memory the unit owns (tables, buffers), for audits. */
	int (*own_pages)(int (*fn)(uint64_t pa, uint64_t size, void *ctx), void *ctx);
	/* Each leaf of d's I/O page tables (iova, hpa, size, perm), for audits. */
	int (*walk)(struct iommu_domain *d, pt_leaf_fn fn, void *ctx);
};

extern const struct iommu_ops iommu_vtd_ops;
extern const struct iommu_ops iommu_amdvi_ops;

/* Finds the IOMMU units described by DMAR and IVRS and logs each; returns the count. */
unsigned int iommu_discover(const struct acpi *a);
/* Logs and clears the faults the units recorded (iommu_ops.faults); how many. */
unsigned int iommu_faults(void);
/* The driver of the units found (NULL: no IOMMU, DMA isolation unavailable). */
const struct iommu_ops *iommu_get(void);

#endif
