# SPDX-License-Identifier: MIT
# A hostile pvnet front end next to two good ones (pvnet-hostile.hvm), the uplink an
# e1000 NIC (INTx): tests/scenarios/pvnet.inc.
DESC="pvnet-hostile.hvm, e1000 (QEMU): h forges b's, broadcast and zero source MACs (each SPOOFED, dropped, counted), sends every class of malformed descriptor (each its status, counted), floods its transmit ring for 8 s, then jumps its producer index: netback shuts h-net down with one log line; meanwhile a pings b (200 requests, 8 in flight) with every reply back, during the flood; a-net and b-net drop nothing"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-hostile.hvm
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:57"
PVNET_EXTRA_GUESTS=(nethostile)
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_pvnet_hostile 'e1000 00:05\.0'
}
