# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC with -device amd-iommu and QEMU's edu device as the DMA source:
# the IOMMU self-test (iommu/selftest.c) maps, blocks and detaches, checking RAM each time.
DESC="iommu_selftest on AMD-Vi with edu: translated DMA lands, canary/other domain/beyond map/detached DMA blocked"
PLATFORM=qemu
CPU=EPYC
IOMMU=amd
EXTRA="-device edu"
CMDLINE="loglevel=info iommu_selftest"

# Every check line of iommu/selftest.c, in order, each ok; then the summary.
expect_iommu_selftest() {
	local c checks=(mapped-roundtrip mapped-translated unmapped-canary other-domain beyond-map detached)
	expect '^pci: [0-9a-f]{2}:[0-9a-f]{2}\.[0-7] vendor=1234 device=11e8 class=00ff00 '
	expect "^iommu-selftest: driver $1\$"
	for c in "${checks[@]}"; do expect "^iommu-selftest: $c ok "; done
	expect_order '^iommu-selftest: edu ' "${checks[@]/#/^iommu-selftest: }" '^iommu-selftest: faults=' \
		'^iommu-selftest: passed 6/6$'
	reject 'iommu-selftest: .*(FAIL|failed|incomplete)'
}

check() {
	expect_iommu_selftest amdvi
	# QEMU 7.2's AMD-Vi logs no event for blocked DMA: only the line is required.
	expect '^iommu-selftest: faults=[0-9]+$'
}
