# SPDX-License-Identifier: MIT
# A child reachable from the host through the switch, the e1000 uplink and QEMU's user
# network (restrict=on, one hostfwd rule): tests/scenarios/pvnet.inc with pvnet-udp.hvm.
DESC="pvnet-udp.hvm, e1000 (82540EM) at 00:05.0, INTx, on -netdev user (restrict=on) with hostfwd=udp:127.0.0.1:PORT to 10.0.2.15:5555: a python3 client on the host sends 64 datagrams (4 to 1472 bytes) one at a time; child c echoes each through netback's switch and the NIC; every one comes back intact, c echoed exactly 64"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-udp.hvm
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:57"
PVNET_UDP=1
. "$ROOT/tests/scenarios/pvnet.inc"

prepare() {
	pvnet_udp_prepare c
}

check() {
	expect_status 0
	expect_pvnet_udp c
	expect_pvnet_svc 'e1000 00:05\.0' interrupt c-net
	pvnet_no_shutdowns c-net
	# The datagrams and their echoes crossed the uplink port, the child's port, no drop.
	expect_pvnet_port c-net in_frames "$PVNET_UDP_COUNT" 100000
	expect_pvnet_port c-net out_frames "$PVNET_UDP_COUNT" 100000
	expect_pvnet_port c-net spoof 0 0
	expect_pvnet_port c-net malformed 0 0
	pvnet_figures
}
