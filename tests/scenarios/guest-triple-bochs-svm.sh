# SPDX-License-Identifier: MIT
# Containment on Bochs ryzen (SVM, NPT, nRIP): a guest that triple-faults is stopped alone.
DESC="triple (cpu 0) loads an empty IDT and runs int3: stopped at its double fault (SVM intercepts #DF: Bochs 2.7 has no SHUTDOWN exit); exits (cpu 1) passes"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info guests=triple@0,exits@1"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module triple)" "$(guest_module exits)")

check() {
	expect '^\[triple\] triple: empty IDT, then int3'
	expect '^guest: triple stopped: .*double fault, stopped before the triple fault'
	reject '^guest: triple exited'
	expect_order '^\[triple\] triple:' '^guest: triple stopped:'
	expect_exits_pass 1 16
	expect_all_finished
}
