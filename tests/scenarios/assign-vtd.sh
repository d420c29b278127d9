# SPDX-License-Identifier: MIT
# PCI device assignment on VT-d (tests/manifests/edu-assign.hvm): edu at 00:05.0 given
# to the child edudma, which DMAs into its own memory and at 24 addresses outside it.
DESC="edu-assign.hvm on VT-d: edudma sees only edu (00:05.0), DMA into its memory right; 24 DMAs aimed outside complete, land nowhere (dma_witness: 0 copies outside edudma), faults logged with source=00:05.0"
IOMMU=intel
. "$ROOT/tests/scenarios/assign.inc"

check() {
	expect_assign_host vtd
	expect_assign_guest
	expect_assign_witness
	expect_vtd_faults
}
