# SPDX-License-Identifier: MIT
# A hostile pvblk front end next to a good one (pvblk-hostile.hvm), on the disk named below:
# tests/scenarios/pvblk.inc.
DESC="pvblk-hostile.hvm, AHCI: h sends every class of malformed request (each gets its status), writes to its read-only channel, rewrites 64 requests after publishing them (each answered as sent or as rewritten), then jumps its producer index: blkback shuts h-disk down with a log line and answers nothing more; the service keeps running, a writes, flushes, reads back and runs its queue test with correct data (checked in the image)"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-hostile.hvm
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
PVBLK_EXTRA_GUESTS=(blkhostile)
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	local st
	expect_status 0
	expect_pvblk_child a write 100:64:333 8192
	expect_pvblk_svc a-disk h-disk h-ro
	pvblk_no_shutdowns a-disk h-ro
	pvblk_figures a
	# h: every check of its own passed: each malformed request got its status.
	for st in BAD_OP BAD_FIELD BAD_COUNT RANGE UNALIGNED DATA READONLY; do
		expect "^\[h\] PASS h-(disk|ro) $st: "
	done
	expect '^\[h\] PASS h-ro is read-only '
	expect '^\[h\] PASS rewrite: 64 requests rewritten after publishing: '
	expect '^\[h\] PASS jump: producer index 65536 ahead: a good read afterwards gets no answer'
	expect '^\[h\] PASS jump: the hostile child is still running'
	reject '^\[h\] (FAIL|rt: )'
	expect '^\[h\] summary: [1-9][0-9]* passed, 0 failed$'
	expect '^guest: h exited status=0 '
	# blkback: the jump shut h-disk down, logged once; the errors were answered.
	expect_count '^\[svc\] blkback: channel h-disk: front end published an impossible ring index' 1
	expect_field '^\[svc\] blkback: data h-disk: ' shutdowns 1
	expect_range '^\[svc\] blkback: status h-disk: ' bad_op 3 1000
	expect_range '^\[svc\] blkback: status h-disk: ' range 4 1000
	expect_range '^\[svc\] blkback: status h-ro: ' readonly 2 2
	expect_order '^\[h\] blkhostile: jump: ' '^\[svc\] blkback: channel h-disk: front end published' \
		'^\[h\] summary: ' '^\[svc\] blksvc: all front ends ended'
	# a's data is where it belongs, whatever h did next door.
	expect_pvblk_image 100:64:333 8192
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 8192
	reject_pvblk_image 100:64:333 100
}
