/* SPDX-License-Identifier: MIT */
/* Proves the IOMMU driver with QEMU's edu device as a DMA source (option iommu_selftest). */
#ifndef IOMMU_SELFTEST_H
#define IOMMU_SELFTEST_H

/*
 * Runs after iommu_discover(), before any partition exists. Logs one line
 * "iommu-selftest: <check> ok|FAIL <detail>" per check and a summary
 * "iommu-selftest: passed N/N" or "iommu-selftest: failed ...". Leaves the IOMMU
 * enabled with edu blocked. Returns 0 when every check passed, -HV_ENOENT without edu,
 * -HV_EIO otherwise.
 */
int iommu_selftest(void);

#endif
