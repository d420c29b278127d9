# SPDX-License-Identifier: MIT
# A restarting pvblk front end (pvblk-restart.hvm) on a virtio-blk disk:
# tests/scenarios/pvblk.inc, boot 1 only.
DESC="pvblk-restart.hvm, virtio-blk: child a exits and is started again 8 times (restart = always); at each new link epoch blkback re-attaches the ring (docs/ring.md Restart), and every life's INFO, writes, flush, reads and range errors are answered; the service ends cleanly after the last life"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-restart.hvm
DISK_DEVICE="-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=0x4"
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	expect_status 0
	expect_count '^\[a\] summary: [1-9][0-9]* passed, 0 failed$' 9
	expect_count '^\[a\] PASS write: read 64 sectors from 100, seed 4321: pattern intact$' 9
	expect_count '^\[a\] PASS outside: read of sector 0 after them works \(0\)$' 9
	expect_count '^\[svc\] blkback: channel a-disk: re-attached at epoch ([2-9]|10)$' 8
	expect_field '^\[svc\] blkback: data a-disk: ' attaches 9
	expect_field '^\[svc\] blkback: data a-disk: ' copied 0
	expect_field '^\[svc\] blkback: data a-disk: ' shutdowns 0
	expect_field '^\[svc\] blkback: status a-disk: ' eio 0
	reject '^\[(a|svc)\] (FAIL|rt: )'
	expect '^\[svc\] blksvc: all front ends ended$'
	expect '^guest: svc exited status=0 '
	expect_all_finished
	pvblk_figures a
	expect_pvblk_image 100:64:4321 8192
}
