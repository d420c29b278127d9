# SPDX-License-Identifier: MIT
# Two children on disjoint slices of one IDE disk under Bochs VMX (pvblk-slices.hvm), and a third
# channel whose slice the disk does not hold: tests/scenarios/pvblk.inc.
DESC="pvblk-slices.hvm, Bochs VMX, IDE disk: children a and b write their own patterns at their own sector 100 (slices 8192+8192 and 16384+8192), queue tests at depth 32 (a) and 1 (b) at once, reads outside each slice get PVBLK_S_RANGE; the image holds each pattern in its owner's slice only; channel b-huge (past the disk's end) refused, the others served; boot 2 reads both back"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-slices.hvm
PVBLK_PLATFORM=bochs
CPU=corei7_skylake_x
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	expect_pvblk_slices
}
