# SPDX-License-Identifier: MIT
# Two children on disjoint slices of one AHCI disk (pvblk-slices.hvm), and a third
# channel whose slice the disk does not hold: tests/scenarios/pvblk.inc.
DESC="pvblk-slices.hvm, AHCI: children a and b write their own patterns at their own sector 100 (slices 8192+8192 and 16384+8192), queue tests at depth 32 (a) and 1 (b) at once, reads outside each slice get PVBLK_S_RANGE; the image holds each pattern in its owner's slice only; channel b-huge (past the disk's end) refused, the others served; boot 2 reads both back"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-slices.hvm
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
. "$ROOT/tests/scenarios/pvblk.inc"

boot2_checks() {
	expect_pvblk_child a verify 100:64:111 8192
	expect_pvblk_child b verify 100:64:222 8192
	expect_pvblk_svc a-disk b-disk
}

check() {
	expect_status 0
	expect '^\[svc\] blkback: channel b-huge refused: sectors 131000\+1000 '
	expect_pvblk_child a write 100:64:111 8192
	expect_pvblk_child b write 100:64:222 8192
	expect_pvblk_svc a-disk b-disk
	pvblk_no_shutdowns a-disk b-disk
	pvblk_figures a b
	expect_pvblk_image 100:64:111 8192
	expect_pvblk_image 100:64:222 16384
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 8192
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 16384
	# Each slice holds only its owner's data: a's pattern is not in b's slice, nor b's in
	# a's, nor either at the unsliced sector 100.
	reject_pvblk_image 100:64:111 $((16384 + 100))
	reject_pvblk_image 100:64:222 $((8192 + 100))
	reject_pvblk_image 100:64:111 100
	reject_pvblk_image 100:64:222 100
	pvblk_run_boot2 boot2_checks
}
