# SPDX-License-Identifier: MIT
# Two guests at once on Bochs corei7_skylake_x (VMX, EPT, unrestricted guest): one spin guest per CPU, their ticks interleave.
DESC="spin0 on cpu 0 and spin1 on cpu 1 (one image, two modules): 20 ticks each, interleaved, both exit 0"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info guests=spin0@0,spin1@1"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module spin0 spin)" "$(guest_module spin1 spin)")

check() {
	expect_spin_pair
}
