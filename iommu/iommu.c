/* SPDX-License-Identifier: MIT */
/* Finds IOMMU units in the ACPI tables and hands each to its vendor driver to report. */
#include "iommu/iommu.h"

#include "iommu/amdvi/amdvi.h"
#include "iommu/vtd/vtd.h"
#include "vmm/log.h"

unsigned int iommu_discover(const struct acpi *a)
{
	unsigned int n = vtd_discover(a) + amdvi_discover(a);

	if (!n)
		pr_warn("iommu: none found (DMA isolation unavailable)");
	return n;
}
