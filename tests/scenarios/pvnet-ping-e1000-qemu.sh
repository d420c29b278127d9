# SPDX-License-Identifier: MIT
# pvnet-ping-virtio-qemu.sh with an e1000 uplink (no MSI: INTx through the I/O APIC): tests/scenarios/pvnet.inc.
DESC="pvnet-ping.hvm, e1000 (82540EM) at 00:05.0 on -netdev user (restrict=on), INTx: child a sends 200 echo requests (8 in flight) to child b through netback's switch, 200 replies, none lost; the switch counted every frame on both ports, dropped none"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-ping.hvm
NIC_DEVICE="-device e1000,netdev=n0,addr=0x5,mac=52:54:00:12:34:57"
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_status 0
	expect_pvnet_ping a b 200
	expect_pvnet_svc 'e1000 00:05\.0' interrupt a-net b-net
	expect_pvnet_switch_pair a-net b-net 200
	pvnet_no_shutdowns a-net b-net
	pvnet_figures
}
