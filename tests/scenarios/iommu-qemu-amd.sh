# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC with -device amd-iommu: the IVRS table describes one AMD-Vi unit
# at MMIO 0xfed80000, itself PCI device 00:03.0 (see /work/shared/notes/emulators.md).
DESC="AMD-Vi found from IVRS: unit 0 base 0xfed80000 devid 00:03.0; no VT-d"
PLATFORM=qemu
CPU=EPYC
SMP=2
IOMMU=amd
CMDLINE="loglevel=info"

check() {
	expect_count '^iommu: amdvi unit=' 1
	expect_field '^iommu: amdvi unit=0 ' base 0xfed80000
	expect_field '^iommu: amdvi unit=0 ' devid 00:03.0
	reject '^iommu: (vtd|none)'
	expect_smp 2
}
