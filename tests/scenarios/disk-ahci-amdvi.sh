# SPDX-License-Identifier: MIT
# The AHCI driver behind AMD-Vi: the controller's DMA (command list, received FIS,
# command tables, data) goes through the service partition's IOMMU domain at
# guest-physical addresses: tests/scenarios/disk.inc and disk-ahci-qemu.sh.
IOMMU=amd
. "$ROOT/tests/scenarios/disk-ahci-qemu.sh"
DESC="disk.hvm, ide-hd on an ahci at 00:04.0 behind AMD-Vi: DMA through the service's domain; pattern written, flushed, read back, found in the image by diskpat.py; 32 in flight; boot 2 reads it back"

check() {
	expect '^iommu: amdvi translating: '
	expect '^iommu: attach dev=00:04\.0 domain=[0-9]+$'
	expect_ahci_probe
	expect_disk_run 'ahci 00:04\.0/0'
}
