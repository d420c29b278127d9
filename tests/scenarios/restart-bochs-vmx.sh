# SPDX-License-Identifier: MIT
# Restart on failure (tests/manifests/restart.hvm): pong crashes once and is restarted
# while ping keeps exchanging messages with it and the ping2/pong2 pair is undisturbed.
DESC="restart.hvm: pong triple-faults after 150 requests, is restarted from its image (restarts=1); ping sees the link go down and come back (epoch 1 -> 2), resends and gets all 400 replies; ping2/pong2 undisturbed"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/lifecycle.inc"
MODULES=(manifest="$ROOT/tests/manifests/restart.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)")

check() {
	expect_restart
}
