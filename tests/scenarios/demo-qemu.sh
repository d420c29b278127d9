# SPDX-License-Identifier: MIT
# The default demo (tests/manifests/demo.hvm) as `make run` boots it: svc on CPU 0 with a
# virtio-blk disk and a virtio-net NIC, ping, pong, store, web and client sharing CPU 1;
# 100 messages over a raw channel's ring with events both ways, store's pattern through
# pvblk onto the disk, and client's 20 pings to web through svc's switch.
DESC="demo.hvm as make run: ping sends 100 messages to pong over the raw channel (ping, pong and store time-sliced on cpu 1), every reply checked; store writes 64 sectors through pvblk to its slice of svc's virtio-blk disk, flushes, reads back (blkback in svc, disk interrupt as an event), diskpat.py finds them in the image at the slice's offset; client pings web (10.0.2.15) 20 times through svc's switch (netback, virtio-net uplink on a restricted user network), 20 replies, no frame dropped; svc lists the partitions; all exit 0"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"
TIMEOUT=150
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)"
	"$(guest_module store demo-store)" "$(guest_module netpeer demo-netpeer)")
# The same disk as the Makefile's run target gives (DEMO_DISK_QEMU), fresh each run.
# The NIC as make run's (DEMO_NET_QEMU) but restricted and without the host forwarding:
# nothing leaves the machine.
EXTRA="-drive file=$OUT/disk.img,if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0,disable-legacy=on -netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,disable-legacy=on"

prepare() {
	rm -f "$OUT/disk.img"
	truncate -s 64M "$OUT/disk.img"
}

check() {
	# With a -netdev given, QEMU adds no NIC of its own: the disk is at 00:02.0, the
	# virtio-net NIC at 00:03.0.
	expect '^\[svc\] svc: disk 0: virtio 00:02\.0 sectors=131072 '
	expect '^devirq: svc 00:02\.0 msi-x 0 -> vector '
	expect '^\[svc\] svc: nic 0: vnet 00:03\.0 mac=52:54:00:12:34:56 tx_depth=[0-9]+ irq_port=[1-9][0-9]*$'
	expect '^devirq: svc 00:03\.0 msi-x 0 -> vector '
	expect '^\[svc\] netback: uplink vnet 00:03\.0: port 0 mac 52:54:00:12:34:56 interrupt$'
	expect_demo
}
