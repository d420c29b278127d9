# SPDX-License-Identifier: MIT
# The default demo (tests/manifests/demo.hvm): svc on CPU 0, ping and pong sharing CPU 1,
# 100 messages over a raw channel's ring with events both ways.
DESC="demo.hvm: ping sends 100 messages to pong over the raw channel (both on cpu 1, time-sliced), every reply checked; svc lists the partitions; all exit 0"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)")

check() {
	expect_demo
}
