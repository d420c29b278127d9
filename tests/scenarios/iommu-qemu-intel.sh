# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC with -device intel-iommu (aw-bits=48, intremap=on): the DMAR table
# describes one VT-d unit (DRHD) at 0xfed90000. VT-d on an AMD CPU: QEMU allows it, and
# it is the only place the VT-d code runs here.
DESC="VT-d found from DMAR: unit 0 base 0xfed90000; no AMD-Vi"
PLATFORM=qemu
CPU=EPYC
SMP=2
IOMMU=intel
CMDLINE="loglevel=info"

check() {
	expect_count '^iommu: vtd unit=' 1
	expect_field '^iommu: vtd unit=0 ' base 0xfed90000
	reject '^iommu: (amdvi|none)'
	expect_smp 2
}
