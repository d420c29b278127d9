# SPDX-License-Identifier: MIT
# Containment on Bochs corei7_skylake_x (VMX, EPT) (tests/manifests/peek.hvm): a child
# reading memory it does not own is stopped each time, naming the address; the others run on.
DESC="peek.hvm: peek (cpu 0) reads past its end, across its end, at the next partition's host address, at 128 GiB, at a channel window it is no end of: stopped each time with the GPA logged, restarted for the next probe, never prints a value; watch and hold (cpu 1) run on and end after it"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/peek.inc"
MODULES=(manifest="$ROOT/tests/manifests/peek.hvm" "$(guest_module peek)")

check() {
	expect_peek
}
