# SPDX-License-Identifier: MIT
# Time slicing on Bochs corei7_skylake_x (VMX, EPT, unrestricted guest): two share guests and the exits guest on cpu 0, a guest halted forever on cpu 1.
DESC="share0, share1 and exits pinned to cpu 0 take turns (ticks interleave, vector registers kept, exits passes); lonely on cpu 1 halts with no timer and is stopped once all others ended"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info guests=share0@0,share1@0,exits@0,lonely@1"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/sched.inc"
MODULES=("$(guest_module share0 share)" "$(guest_module share1 share)" "$(guest_module exits)"
	 "$(guest_module lonely wake)")

check() {
	expect_share_pair 0
	expect_exits_pass 0 16
	expect_lonely_stopped share0 share1 exits
	expect_all_finished
}
