# SPDX-License-Identifier: MIT
# pvblk end to end on an AHCI disk: tests/scenarios/pvblk.inc with pvblk-one.hvm.
DESC="pvblk-one.hvm, ide-hd on an ahci at 00:04.0, no IOMMU: child a writes a pattern through pvblk (blkfront -> blkback -> AHCI), flushes, reads back, queue test at depth 32 and 1, reads outside its slice fail; diskpat.py finds the bytes at the slice's offset; boot 2 reads them back through pvblk"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-one.hvm
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
. "$ROOT/tests/scenarios/pvblk.inc"

boot2_checks() {
	expect_pvblk_child a verify 100:64:1234 16384
	expect_pvblk_svc a-disk
}

check() {
	expect_status 0
	expect '^\[svc\] blksvc: disk 0: ahci 00:04\.0/0 sectors=131072 '
	expect_pvblk_child a write 100:64:1234 16384
	expect_pvblk_svc a-disk
	pvblk_no_shutdowns a-disk
	pvblk_figures a
	expect_pvblk_image 100:64:1234 8192
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 8192
	reject_pvblk_image 100:64:1234 100
	pvblk_run_boot2 boot2_checks
}
