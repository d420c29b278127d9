# SPDX-License-Identifier: MIT
# pvblk end to end under Bochs VMX on the PIIX3 IDE disk (one request at a time on the
# disk, no discard): tests/scenarios/pvblk.inc with pvblk-one.hvm.
DESC="pvblk-one.hvm on Bochs VMX, ATA disk on the PIIX3 IDE secondary master: child a writes a pattern through pvblk (blkfront -> blkback -> IDE bus-master DMA), flushes, reads back, queue test (32 in flight on the ring, 1 on the disk), reads outside its slice fail; diskpat.py finds the bytes at the slice's offset; boot 2 reads them back"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-one.hvm
PVBLK_PLATFORM=bochs
CPU=corei7_skylake_x
. "$ROOT/tests/scenarios/pvblk.inc"

boot2_checks() {
	expect_pvblk_child a verify 100:64:1234 16384
	expect_pvblk_svc a-disk
}

check() {
	expect_status 0
	expect '^\[svc\] blksvc: disk 0: ide 00:01\.1 sectors=131072 max_sectors=256 queue_depth=1 '
	expect_pvblk_child a write 100:64:1234 16384
	expect '^\[a\] blkchild: a-disk sectors=16384 .* discard=0 '
	expect_pvblk_svc a-disk
	pvblk_no_shutdowns a-disk
	pvblk_figures a
	expect_pvblk_image 100:64:1234 8192
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 8192
	reject_pvblk_image 100:64:1234 100
	pvblk_run_boot2 boot2_checks
}
