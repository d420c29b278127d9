# SPDX-License-Identifier: MIT
# pvnet-ping-virtio-qemu.sh on Bochs VMX with its e1000 (slirp, INTx): tests/scenarios/pvnet.inc.
DESC="pvnet-ping.hvm on Bochs VMX, e1000 (82540EM, slot chosen by Bochs) on ethmod=slirp: child a sends 200 echo requests (8 in flight) to child b through netback's switch, 200 replies, none lost; the switch counted every frame on both ports, dropped none"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-ping.hvm
PVNET_PLATFORM=bochs
CPU=corei7_skylake_x
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_status 0
	expect_pvnet_ping a b 200
	expect_pvnet_svc 'e1000 00:[0-9a-f]{2}\.0' interrupt a-net b-net
	expect_pvnet_switch_pair a-net b-net 200
	pvnet_no_shutdowns a-net b-net
	pvnet_figures
}
