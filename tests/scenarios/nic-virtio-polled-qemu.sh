# SPDX-License-Identifier: MIT
# The virtio-net driver polled (nic.hvm with irq=1 removed): the queues ask the device for
# no interrupts, and everything still completes: tests/scenarios/nic.inc.
DESC="nic.hvm without irq=1, virtio-net-pci (disable-legacy=on) at 00:05.0 on -netdev user (restrict=on): polled; ARP, 32 echo requests all answered intact, a full transmit queue"
NIC_DEVICE="-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:5b"
. "$ROOT/tests/scenarios/nic.inc"
MODULES=(manifest="$OUT/nic-polled.hvm" "$(guest_module nic)")

prepare() {
	sed "s/^cmdline .*/cmdline  = \"count=$NIC_COUNT\"/" "$ROOT/tests/manifests/nic.hvm" >"$OUT/nic-polled.hvm"
	grep -q "^cmdline  = \"count=$NIC_COUNT\"$" "$OUT/nic-polled.hvm"
}

check() {
	expect "^\[nic\] nic: cmdline \"count=$NIC_COUNT\"$"
	expect_nic_guest 'vnet 00:05\.0' 52:54:00:12:34:5b off
}
