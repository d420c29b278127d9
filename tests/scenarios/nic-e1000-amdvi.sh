# SPDX-License-Identifier: MIT
# The e1000 driver behind AMD-Vi: the NIC's DMA (descriptor rings, receive buffers,
# frames sent straight from the guest's buffers) goes through the service partition's
# IOMMU domain at guest-physical addresses. Polled (no MSI): tests/scenarios/nic.inc.
DESC="nic.hvm, e1000 (82540EM) at 00:05.0 behind AMD-Vi on -netdev user (restrict=on): DMA through the service's domain; ARP, 32 echo requests all answered intact, a full transmit queue; interrupt-driven: INTx routed through the I/O APIC"
IOMMU=amd
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:5a"
. "$ROOT/tests/scenarios/nic.inc"

check() {
	expect '^iommu: amdvi translating: '
	expect '^iommu: attach dev=00:05\.0 domain=[0-9]+$'
	expect '^\[nic\] e1000: e1000 00:05\.0: 100e, mac 52:54:00:12:34:5a, link up, .*intx$'
	expect_nic_guest 'e1000 00:05\.0' 52:54:00:12:34:5a intx
}
