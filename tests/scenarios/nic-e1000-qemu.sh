# SPDX-License-Identifier: MIT
# The service partition's e1000 driver on QEMU's 82540EM (8086:100e) with the user
# network, no IOMMU. QEMU's e1000 has no MSI: its INTx line (the ISA IRQ the firmware
# steered it to) is routed through the I/O APIC: tests/scenarios/nic.inc.
DESC="nic.hvm, e1000 (82540EM) at 00:05.0 on -netdev user (restrict=on), no IOMMU: ARP for 10.0.2.2, 32 echo requests at once (up to 1514-byte frames) all answered intact, refusals, a full transmit queue; interrupt-driven: INTx routed through the I/O APIC"
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:57"
. "$ROOT/tests/scenarios/nic.inc"

check() {
	expect '^\[nic\] e1000: e1000 00:05\.0: 100e, mac 52:54:00:12:34:57, link up, .*intx$'
	expect_nic_guest 'e1000 00:05\.0' 52:54:00:12:34:57 intx
}
