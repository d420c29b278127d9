# SPDX-License-Identifier: MIT
# The virtio-blk driver with iommu_platform=on behind AMD-Vi: the device's DMA goes
# through the service partition's IOMMU domain (guest-physical addresses, negotiated
# VIRTIO_F_ACCESS_PLATFORM): tests/scenarios/disk.inc.
DESC="disk.hvm, virtio-blk-pci (disable-legacy=on, iommu_platform=on) behind AMD-Vi: ACCESS_PLATFORM negotiated, DMA through the service's domain; pattern written, flushed, read back, found in the image by diskpat.py; 32 in flight; boot 2 reads it back"
IOMMU=amd
DISK_DEVICE="-device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on,addr=0x4"
. "$ROOT/tests/scenarios/disk.inc"

check() {
	expect '^iommu: amdvi translating: '
	expect '^iommu: attach dev=00:04\.0 domain=[0-9]+$'
	expect '^\[disk\] virtio-blk: virtio 00:04\.0: 131072 sectors, .*, flush, discard, iommu$'
	expect_disk_run 'virtio 00:04\.0'
}
