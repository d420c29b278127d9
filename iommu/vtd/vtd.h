/* SPDX-License-Identifier: MIT */
/* Intel VT-d remapping hardware units. */
#ifndef IOMMU_VTD_VTD_H
#define IOMMU_VTD_VTD_H

#include "arch/x86/acpi.h"

unsigned int vtd_discover(const struct acpi *a);

#endif
