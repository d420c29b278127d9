# SPDX-License-Identifier: MIT
# The virtio-net driver with iommu_platform=on behind AMD-Vi: the device's DMA (receive
# buffers, rings, and frames sent straight from the guest's buffers) goes through the
# service partition's IOMMU domain with VIRTIO_F_ACCESS_PLATFORM: tests/scenarios/nic.inc.
DESC="nic.hvm, virtio-net-pci (disable-legacy=on, iommu_platform=on) behind AMD-Vi on -netdev user (restrict=on): ACCESS_PLATFORM negotiated, DMA through the service's domain; ARP, 32 echo requests all answered intact, a full transmit queue, MSI-X interrupts as events"
IOMMU=amd
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on,addr=0x5,mac=52:54:00:12:34:59"
. "$ROOT/tests/scenarios/nic.inc"

check() {
	expect '^iommu: amdvi translating: '
	expect '^iommu: attach dev=00:05\.0 domain=[0-9]+$'
	expect '^\[nic\] virtio-net: vnet 00:05\.0: mac 52:54:00:12:34:59, features 0x300000020, rx 64, tx 64 frames, iommu$'
	expect_nic_guest 'vnet 00:05\.0' 52:54:00:12:34:59 msi-x
}
