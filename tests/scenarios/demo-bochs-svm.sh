# SPDX-License-Identifier: MIT
# The default demo (tests/manifests/demo.hvm) under Bochs (svm): svc on CPU 0 with an IDE
# disk (the PIIX3's secondary master), ping, pong and store sharing CPU 1; 100 messages
# over a raw channel's ring with events both ways, store's pattern through pvblk onto
# the disk, and web and client (also on CPU 1) pinging through svc's switch, whose uplink
# is an e1000.
DESC="demo.hvm: ping sends 100 messages to pong over the raw channel (ping, pong and store time-sliced on cpu 1), every reply checked; store writes 64 sectors through pvblk to its slice of svc's IDE disk, flushes, reads back (blkback in svc, IDE interrupt as an event), diskpat.py finds them in the image at the slice's offset; client pings web (10.0.2.15) 20 times through svc's switch (netback, e1000 uplink on Bochs' slirp), 20 replies, no frame dropped; svc lists the partitions; all exit 0"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)"
	"$(guest_module store demo-store)" "$(guest_module netpeer demo-netpeer)")
DISK=$OUT/disk.img
NIC=slirp		# an e1000 on Bochs' user network: svc's uplink

prepare() {
	rm -f "$OUT/disk.img"
	truncate -s 64M "$OUT/disk.img"
}

check() {
	expect '^\[svc\] svc: disk 0: ide 00:01\.1 sectors=131072 max_sectors=256 queue_depth=1 '
	expect '^devirq: svc 00:01\.1 isa 1 -> vector '
	expect_demo
}
