# SPDX-License-Identifier: MIT
# The service partition's e1000 driver on Bochs's 82540EM (VMX) with Bochs's own slirp,
# restricted to its built-in services (tools/run-bochs.sh --nic slirp). No MSI and no
# INTx routed through the I/O APIC. tests/scenarios/nic.inc.
DESC="nic.hvm on Bochs VMX, e1000 (82540EM, slot chosen by Bochs) on ethmod=slirp (restricted): ARP for 10.0.2.2, 32 echo requests at once (up to 1514-byte frames) all answered intact, refusals, a full transmit queue; interrupt-driven: INTx routed through the I/O APIC"
. "$ROOT/tests/scenarios/nic.inc"
PLATFORM=bochs
CPU=corei7_skylake_x
EXTRA=''
NIC=slirp

check() {
	expect '^\[nic\] e1000: e1000 00:[0-9a-f]{2}\.0: 100e, mac 52:54:00:12:34:58, link up, .*intx$'
	expect_nic_guest 'e1000 00:[0-9a-f]{2}\.0' 52:54:00:12:34:58 intx
}
