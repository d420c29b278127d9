/* SPDX-License-Identifier: MIT */
/* AMD-Vi IOMMU units. */
#ifndef IOMMU_AMDVI_AMDVI_H
#define IOMMU_AMDVI_AMDVI_H

#include "arch/x86/acpi.h"

/* The driver: iommu_amdvi_ops (iommu/iommu.h). */

#endif
