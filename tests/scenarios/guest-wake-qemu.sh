# SPDX-License-Identifier: MIT
# Cross-CPU wake-ups on QEMU TCG -cpu EPYC (SVM, NPT, no nRIP): an event from cpu 0 wakes a vCPU halted on cpu 1, then kicks it out of a busy loop.
DESC="manifest: sleeper (cpu 1) halts with IF=1 and no timer, waker (cpu 0) wakes it with an event, then kicks it out of a loop with no exits (IPI); both exit 0"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/sched.inc"
MODULES=(manifest="$OUT/wake.hvm" "$(guest_module wake)")

prepare() {
	write_wake_manifest "$OUT/wake.hvm"
}

check() {
	expect_wake_pass
}
