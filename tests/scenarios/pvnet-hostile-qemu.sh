# SPDX-License-Identifier: MIT
# A hostile pvnet front end next to two good ones (pvnet-hostile.hvm), the uplink a
# virtio-net NIC: tests/scenarios/pvnet.inc.
DESC="pvnet-hostile.hvm, virtio-net-pci: h forges b's, broadcast and zero source MACs (each SPOOFED, dropped, counted), sends every class of malformed descriptor (each its status, counted), floods its transmit ring for 8 s, then jumps its producer index: netback shuts h-net down with one log line; meanwhile a pings b (200 requests, 8 in flight) with every reply back, during the flood; a-net and b-net drop nothing"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-hostile.hvm
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:56"
PVNET_EXTRA_GUESTS=(nethostile)
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_pvnet_hostile 'vnet 00:05\.0'
}
