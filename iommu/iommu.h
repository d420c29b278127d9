/* SPDX-License-Identifier: MIT */
/* The IOMMU layer's vendor-neutral face: discovery now, domains in a later step. */
#ifndef IOMMU_IOMMU_H
#define IOMMU_IOMMU_H

#include "arch/x86/acpi.h"

/* Finds the IOMMU units described by DMAR and IVRS and logs each; returns the count. */
unsigned int iommu_discover(const struct acpi *a);

#endif
