# SPDX-License-Identifier: MIT
# The service partition's virtio-blk driver (modern virtio-pci only) on a 64 MiB raw
# image, no IOMMU (DMA to host-physical addresses): tests/scenarios/disk.inc.
DESC="disk.hvm, virtio-blk-pci (disable-legacy=on) at 00:04.0, no IOMMU: pattern written, flushed, read back; 32 requests in flight; discard; diskpat.py finds the bytes in the image; boot 2 reads them back (verify=)"
DISK_DEVICE="-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=0x4"
. "$ROOT/tests/scenarios/disk.inc"

check() {
	expect '^\[disk\] virtio-blk: virtio 00:04\.0: 131072 sectors, .*, flush, discard$'
	expect_disk_run 'virtio 00:04\.0'
}
