# SPDX-License-Identifier: MIT
# tests/manifests/edu-assign.hvm without an IOMMU: edudma's device would reach all of
# memory, and a child with devices requires an IOMMU by default: nothing starts.
DESC="edu-assign.hvm with no IOMMU: refused (edudma owns 00:05.0 and requires an IOMMU), no partition runs, boot-failed status 3"
. "$ROOT/tests/scenarios/assign.inc"

check() {
	expect '^iommu: none found'
	expect '^hv: partition edudma owns devices and requires an IOMMU; none found: nothing started$'
	reject '^guest: [a-z0-9]+ running|^\[(svc|edudma)\] '
	reject '^dma-witness: '
	expect_status 3
}
