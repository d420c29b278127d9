# SPDX-License-Identifier: MIT
# The exits guest on Bochs ryzen (SVM, NPT, nRIP): one check per exit kind, from inside a guest.
DESC="exits guest on cpu 0: every check passes, mem_upper for 16 MiB, port 0xE9 line, status 0; hv: all guests finished"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info guests=exits@0"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module exits)")

check() {
	expect_exits_pass 0 16
	expect_all_finished
}
