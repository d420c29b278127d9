/* SPDX-License-Identifier: MIT */
/* Intel VT-d remapping hardware units. */
#ifndef IOMMU_VTD_VTD_H
#define IOMMU_VTD_VTD_H

#include "arch/x86/acpi.h"

/* The driver: iommu_vtd_ops (iommu/iommu.h). */

#endif
