# SPDX-License-Identifier: MIT
# The default demo (tests/manifests/demo.hvm) as `make run` boots it: svc on CPU 0 with a
# virtio-blk disk, ping, pong and store sharing CPU 1; 100 messages over a raw channel's
# ring with events both ways, and store's pattern through pvblk onto the disk.
DESC="demo.hvm as make run: ping sends 100 messages to pong over the raw channel (ping, pong and store time-sliced on cpu 1), every reply checked; store writes 64 sectors through pvblk to its slice of svc's virtio-blk disk, flushes, reads back (blkback in svc, disk interrupt as an event), diskpat.py finds them in the image at the slice's offset; svc lists the partitions; all exit 0"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"
TIMEOUT=60
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)"
	"$(guest_module store demo-store)")
# The same disk as the Makefile's run target gives (DEMO_DISK_QEMU), fresh each run.
EXTRA="-drive file=$OUT/disk.img,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0,disable-legacy=on"

prepare() {
	rm -f "$OUT/disk.img"
	truncate -s 64M "$OUT/disk.img"
}

check() {
	expect '^\[svc\] svc: disk 0: virtio 00:03\.0 sectors=131072 '
	expect '^devirq: svc 00:03\.0 msi-x 0 -> vector '
	expect_demo
}
