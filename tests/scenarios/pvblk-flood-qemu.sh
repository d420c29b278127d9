# SPDX-License-Identifier: MIT
# A flooding pvblk front end next to a normal one (pvblk-flood.hvm), on a virtio-blk
# disk: tests/scenarios/pvblk.inc, boot 1 only.
DESC="pvblk-flood.hvm, virtio-blk: f keeps 32 requests of 64 KiB in flight for 20 s; g, starting 2 s into the flood, writes, flushes, reads back, runs its queue test at depth 32 and 1 and its reads outside the slice, all done within 10 s and before the flood ends (blkback serves the channels in turn); both channels served, g's data checked in the image"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-flood.hvm
DISK_DEVICE="-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=0x4"
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	local ch
	expect_status 0
	expect '^\[f\] blkchild: flood start seconds=20 depth=32 req=128$'
	expect_pvblk_child g write 100:64:555 8192
	expect '^\[g\] PASS within: everything done in [0-9]+ ms, bound 10 s$'
	# g did all its I/O while the flood ran: it starts after the flood and ends before it.
	expect_order '^\[f\] blkchild: flood start ' '^\[g\] PASS write: ' '^\[g\] summary: ' \
		'^\[f\] blkchild: flood end '
	expect '^\[f\] PASS flood: [0-9]+ requests, all answered OK, 32 in flight$'
	reject '^\[f\] (FAIL|rt: )'
	expect '^\[f\] summary: [1-9][0-9]* passed, 0 failed$'
	expect '^guest: f exited status=0 '
	# expect_pvblk_svc's checks, but the flood moves gigabytes, beyond its bytes bound.
	expect '^\[svc\] blksvc: serving 2 channel\(s\) from 1 disk\(s\)$'
	expect '^\[svc\] blksvc: disk 0: .* irq_port=[1-9][0-9]*$'
	for ch in f-disk g-disk; do
		expect "^\[svc\] blkback: channel $ch: disk 0 "
		expect_field "^\[svc\] blkback: data $ch: " copied 0
		expect_field "^\[svc\] blkback: status $ch: " eio 0
	done
	expect_range '^\[svc\] blkback: data g-disk: ' bytes 1 1000000000
	expect '^\[svc\] blksvc: all front ends ended$'
	reject '^\[svc\] (rt: |blksvc: blkback_init)'
	expect '^guest: svc exited status=0 '
	expect_all_finished
	pvblk_no_shutdowns f-disk g-disk
	# Both channels served: the flood's thousands, and all of g's (INFO, 8+8 for write and
	# read back, a flush, 96 for the queue test, 4 outside: 118).
	expect_range '^\[svc\] blkback: stats f-disk: ' requests 1000 100000000
	expect_field '^\[svc\] blkback: stats g-disk: ' requests 118
	pvblk_figures f g
	expect_pvblk_image 100:64:555 16384
	expect_pvblk_image "1024:256:$PVBLK_QUEUE_SEED" 16384
	reject_pvblk_image 100:64:555 $((8192 + 100))
}
