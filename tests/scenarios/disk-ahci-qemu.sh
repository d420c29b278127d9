# SPDX-License-Identifier: MIT
# The service partition's AHCI driver on a 64 MiB raw image behind a second AHCI
# controller at 00:04.0, no IOMMU (DMA to host-physical addresses); the ICH9 AHCI at
# 00:1f.2 holds only the boot CD-ROM, which the probe skips: tests/scenarios/disk.inc.
DESC="disk.hvm, ide-hd on an ahci at 00:04.0 (the CD-ROM's ICH9 AHCI 00:1f.2 skipped), no IOMMU: pattern written, flushed, read back; 32 requests in flight (one per command slot); trim; diskpat.py finds the bytes in the image; boot 2 reads them back (verify=)"
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
. "$ROOT/tests/scenarios/disk.inc"

# expect_ahci_probe: the disk on port 0 of 00:04.0, the ATAPI CD-ROM port of 00:1f.2 refused.
expect_ahci_probe() {
	expect '^\[disk\] ahci 00:04\.0/0: 131072 sectors, 32 slots, flush, trim'
	expect '^\[disk\] ahci 00:1f\.2: port [0-9]+: signature 0xeb140101, not a disk$'
	reject '^\[disk\] ahci: port [0-9]+: (device error|timeout|recovery failed)'
}

check() {
	expect_ahci_probe
	expect_disk_run 'ahci 00:04\.0/0'
}
