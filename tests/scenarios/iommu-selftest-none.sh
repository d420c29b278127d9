# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC with QEMU's edu device and no IOMMU: the self-test says so and
# checks its own edu driver with one untranslated DMA round trip.
DESC="iommu_selftest with edu and no IOMMU: edu found by the PCI scan, plain DMA round trip"
PLATFORM=qemu
CPU=EPYC
EXTRA="-device edu"
CMDLINE="loglevel=info iommu_selftest"

check() {
	expect '^pci: 00:00\.0 vendor=8086 device=29c0 class=060000'
	expect '^pci: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] vendor=1234 device=11e8 class=00ff00 bar0=mem32:0x[0-9a-f]+\+0x100000$'
	expect '^iommu-selftest: no IOMMU$'
	expect '^iommu-selftest: plain-dma ok '
	expect '^iommu-selftest: passed 1/1$'
	reject 'iommu-selftest: .*FAIL'
}
