# SPDX-License-Identifier: MIT
# The service partition's virtio-net driver (modern virtio-pci only) with QEMU's user
# network, no IOMMU: tests/scenarios/nic.inc.
DESC="nic.hvm, virtio-net-pci (disable-legacy=on) at 00:05.0 on -netdev user (restrict=on), no IOMMU: ARP for 10.0.2.2, 32 echo requests at once (up to 1514-byte frames) all answered intact, refusals, a full transmit queue, MSI-X interrupts as events"
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:56"
. "$ROOT/tests/scenarios/nic.inc"

check() {
	expect '^\[nic\] virtio-net: vnet 00:05\.0: mac 52:54:00:12:34:56, features 0x100000020, rx 64, tx 64 frames$'
	expect_nic_guest 'vnet 00:05\.0' 52:54:00:12:34:56 msi-x
}
