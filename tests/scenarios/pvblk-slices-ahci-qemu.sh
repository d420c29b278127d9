# SPDX-License-Identifier: MIT
# Two children on disjoint slices of one AHCI disk (pvblk-slices.hvm), and a third
# channel whose slice the disk does not hold: tests/scenarios/pvblk.inc.
DESC="pvblk-slices.hvm, AHCI: children a and b write their own patterns at their own sector 100 (slices 8192+8192 and 16384+8192), queue tests at depth 32 (a) and 1 (b) at once, reads outside each slice get PVBLK_S_RANGE; the image holds each pattern in its owner's slice only; channel b-huge (past the disk's end) refused, the others served; boot 2 reads both back"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-slices.hvm
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	expect_pvblk_slices
}
