# SPDX-License-Identifier: MIT
# PCI device assignment on AMD-Vi (tests/manifests/edu-assign.hvm): edu at 00:05.0 given
# to the child edudma, which DMAs into its own memory and at 24 addresses outside it.
DESC="edu-assign.hvm on AMD-Vi: edudma sees only edu (00:05.0) in config space, its BAR mapped; DMA into its memory right; 24 DMAs aimed outside complete and land nowhere (dma_witness: 0 copies outside edudma)"
IOMMU=amd
. "$ROOT/tests/scenarios/assign.inc"

check() {
	expect_assign_host amdvi
	expect_assign_guest
	expect_assign_witness
	# QEMU 7.2's AMD-Vi logs no event for blocked DMA: the witness is the evidence.
}
