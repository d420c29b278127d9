# SPDX-License-Identifier: MIT
# nic-e1000-bochs-vmx.sh's test on Bochs's SVM CPU (ryzen): the same e1000 and slirp,
# its INTx routed through the I/O APIC. tests/scenarios/nic.inc.
DESC="nic.hvm on Bochs SVM, e1000 (82540EM, slot chosen by Bochs) on ethmod=slirp (restricted): ARP for 10.0.2.2, 32 echo requests at once all answered intact, refusals, a full transmit queue; interrupt-driven: INTx routed through the I/O APIC"
. "$ROOT/tests/scenarios/nic.inc"
PLATFORM=bochs
CPU=ryzen
EXTRA=''
NIC=slirp

check() {
	expect '^\[nic\] e1000: e1000 00:[0-9a-f]{2}\.0: 100e, mac 52:54:00:12:34:58, link up, .*intx$'
	expect_nic_guest 'e1000 00:[0-9a-f]{2}\.0' 52:54:00:12:34:58 intx
}
