# SPDX-License-Identifier: MIT
# The exits guest on Bochs corei7_skylake_x (VMX, EPT, unrestricted guest): one check per exit kind, from inside a guest.
DESC="exits guest on cpu 0: every check passes, mem_upper for 16 MiB, port 0xE9 line, status 0; hv: all guests finished"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info guests=exits@0"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module exits)")

check() {
	expect_exits_pass 0 16
	expect_all_finished
}
