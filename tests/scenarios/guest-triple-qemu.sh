# SPDX-License-Identifier: MIT
# Containment on QEMU TCG -cpu EPYC (SVM, NPT, no nRIP): a guest that triple-faults is stopped alone.
DESC="triple (cpu 0) loads an empty IDT and runs int3: stopped for a triple fault (QEMU raises the SHUTDOWN exit); exits (cpu 1) passes"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info guests=triple@0,exits@1"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module triple)" "$(guest_module exits)")

check() {
	expect '^\[triple\] triple: empty IDT, then int3'
	expect '^guest: triple stopped: .*triple fault \(shutdown\)'
	reject '^guest: triple exited'
	expect_order '^\[triple\] triple:' '^guest: triple stopped:'
	expect_exits_pass 1 16
	expect_all_finished
}
