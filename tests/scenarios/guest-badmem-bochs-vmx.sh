# SPDX-License-Identifier: MIT
# Containment on Bochs corei7_skylake_x (VMX, EPT, unrestricted guest): a guest reading outside its memory is stopped alone.
DESC="badmem (cpu 0) reads gpa 0x3ffff000 beyond its 16 MiB: stopped, naming the address; exits (cpu 1, 24 MiB) passes"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info guests=badmem@0,exits@1/24"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module badmem)" "$(guest_module exits)")

check() {
	expect_badmem
}
