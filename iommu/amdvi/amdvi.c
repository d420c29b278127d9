/* SPDX-License-Identifier: MIT */
/* AMD-Vi units from the IVRS table, with their extended feature register read. */
#include "iommu/amdvi/amdvi.h"
#include "iommu/iommu.h"

#include "arch/x86/cpu.h"
#include "include/abi/hv_errno.h"
#include "iommu/amdvi/ivrs.h"
#include "vmm/log.h"

#define AMDVI_EFR	0x30	/* Extended Feature Register, AMD IOMMU spec sec. 3.4.1 */

static struct ivrs_info ivrs;

static unsigned int amdvi_discover(const struct acpi *a)
{
	const void *table;
	uint32_t len;
	int ret = acpi_find_table(a, "IVRS", 0, &table, &len, 0);

	if (ret == -HV_ENOENT)
		return 0;
	if (ret || (ret = ivrs_parse(table, len, &ivrs))) {
		pr_err("iommu: IVRS table rejected (error %d)", ret);
		return 0;
	}
	for (unsigned int i = 0; i < ivrs.nunits; i++) {
		const struct ivrs_ivhd *u = &ivrs.units[i];

		pr_info("iommu: amdvi unit=%u base=0x%016llx devid=%02x:%02x.%u segment=%u "
			"ivhd=0x%x cap_off=0x%x efr=0x%016llx",
			i, (unsigned long long)u->base, u->bus, u->dev, u->fn, u->segment,
			u->type, u->cap_off,
			(unsigned long long)mmio_read64(u->base + AMDVI_EFR));
	}
	return ivrs.nunits;
}

const struct iommu_ops iommu_amdvi_ops = {
	.name = "amdvi",
	.discover = amdvi_discover,
};
