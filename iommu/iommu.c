/* SPDX-License-Identifier: MIT */
/* Finds the IOMMU units in the ACPI tables and picks the vendor driver that runs them. */
#include "iommu/iommu.h"

#include "vmm/log.h"

static const struct iommu_ops *iommu;

unsigned int iommu_discover(const struct acpi *a)
{
	static const struct iommu_ops *const vendors[] = { &iommu_vtd_ops, &iommu_amdvi_ops };

	for (unsigned int i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++) {
		unsigned int n = vendors[i]->discover(a);

		if (n) {
			iommu = vendors[i];
			return n;
		}
	}
	pr_warn("iommu: none found (DMA isolation unavailable)");
	return 0;
}

const struct iommu_ops *iommu_get(void)
{
	return iommu;
}

unsigned int iommu_faults(void)
{
	unsigned int n = iommu && iommu->faults ? iommu->faults() : 0;

	if (iommu)
		pr_info("iommu: %s: %u fault(s) recorded", iommu->name, n);
	return n;
}
