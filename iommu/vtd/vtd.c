/* SPDX-License-Identifier: MIT */
/* VT-d units from the DMAR table, with their version and capability registers read. */
#include "iommu/vtd/vtd.h"
#include "iommu/iommu.h"

#include "arch/x86/cpu.h"
#include "include/abi/hv_errno.h"
#include "iommu/vtd/dmar.h"
#include "vmm/log.h"

/* Register offsets, VT-d spec sec. 11.4. */
#define VTD_VER		0x00
#define VTD_CAP		0x08
#define VTD_ECAP	0x10

static struct dmar_info dmar;

static unsigned int vtd_discover(const struct acpi *a)
{
	const void *table;
	uint32_t len;
	int ret = acpi_find_table(a, "DMAR", 0, &table, &len, 0);

	if (ret == -HV_ENOENT)
		return 0;
	if (ret || (ret = dmar_parse(table, len, &dmar))) {
		pr_err("iommu: DMAR table rejected (error %d)", ret);
		return 0;
	}
	for (unsigned int i = 0; i < dmar.ndrhd; i++) {
		const struct dmar_drhd *u = &dmar.drhd[i];
		uint32_t ver = mmio_read32(u->reg_base + VTD_VER);

		pr_info("iommu: vtd unit=%u base=0x%016llx segment=%u include_pci_all=%d "
			"haw=%u ver=%u.%u cap=0x%016llx ecap=0x%016llx",
			i, (unsigned long long)u->reg_base, u->segment,
			!!(u->flags & DMAR_DRHD_INCLUDE_PCI_ALL), dmar.haw, (ver >> 4) & 0xf,
			ver & 0xf, (unsigned long long)mmio_read64(u->reg_base + VTD_CAP),
			(unsigned long long)mmio_read64(u->reg_base + VTD_ECAP));
	}
	return dmar.ndrhd;
}

const struct iommu_ops iommu_vtd_ops = {
	.name = "vtd",
	.discover = vtd_discover,
};
