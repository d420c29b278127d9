# SPDX-License-Identifier: MIT
# pvnet child to child through the service partition's switch, its uplink a virtio-net NIC
# with MSI-X: tests/scenarios/pvnet.inc with pvnet-ping.hvm.
DESC="pvnet-ping.hvm, virtio-net-pci at 00:05.0 on -netdev user (restrict=on): child a sends 200 echo requests (8 in flight) to child b through netback's switch, 200 replies, none lost; the switch counted every frame on both ports, dropped none; the NIC's interrupt wakes the service"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-ping.hvm
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:56"
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_status 0
	expect_pvnet_ping a b 200
	expect_pvnet_svc 'vnet 00:05\.0' interrupt a-net b-net
	expect_pvnet_switch_pair a-net b-net 200
	pvnet_no_shutdowns a-net b-net
	pvnet_figures
}
