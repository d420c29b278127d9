# SPDX-License-Identifier: MIT
# A restarting pvnet front end (pvnet-restart.hvm) behind the virtio-net switch:
# tests/scenarios/pvnet.inc.
DESC="pvnet-restart.hvm, virtio-net: child a exits and is started again 8 times (restart = always); at each new link epoch netback re-attaches its port and every life's 20 pings to b come back; b and the switch never notice beyond the attach count; the service ends cleanly after the last life"
PVNET_MANIFEST=$ROOT/tests/manifests/pvnet-restart.hvm
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:56"
. "$ROOT/tests/scenarios/pvnet.inc"

check() {
	expect_status 0
	expect_count '^\[a\] summary: [1-9][0-9]* passed, 0 failed$' 9
	expect_count '^guest: a exited status=0 ' 9
	expect_count '^partition: a restarted \([1-8]\): exited status=0$' 8
	expect_count '^\[a\] netchild: ping 10\.0\.0\.2 sent=20 replies=20 lost=0 dup=0 other=0 ' 9
	expect_count '^\[svc\] netback: channel a-net: re-attached at epoch ([2-9]|10)$' 8
	expect_order '^\[svc\] netback: channel a-net: re-attached at epoch 2$' \
		'^\[svc\] netback: channel a-net: re-attached at epoch 9$' '^guest: b exited status=0 '
	expect_field '^\[svc\] netback: status a-net: ' attaches 9
	expect_field '^\[svc\] netback: status a-net: ' shutdowns 0
	expect_field '^\[svc\] netback: status b-net: ' attaches 1
	reject '^\[(a|b|svc)\] (FAIL|rt: )'
	expect '^\[b\] summary: [1-9][0-9]* passed, 0 failed$'
	expect_all_finished
}
