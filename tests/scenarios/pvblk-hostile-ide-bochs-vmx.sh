# SPDX-License-Identifier: MIT
# A hostile pvblk front end next to a good one (pvblk-hostile.hvm), on the disk named below:
# tests/scenarios/pvblk.inc.
DESC="pvblk-hostile.hvm, Bochs VMX, IDE disk: h sends every class of malformed request (each gets its status), writes to its read-only channel, rewrites 64 requests after publishing them (each answered as sent or as rewritten), then jumps its producer index: blkback shuts h-disk down with a log line and answers nothing more; the service keeps running, a writes, flushes, reads back and runs its queue test with correct data (checked in the image)"
PVBLK_MANIFEST=$ROOT/tests/manifests/pvblk-hostile.hvm
PVBLK_PLATFORM=bochs
PVBLK_NO_DISCARD=1
CPU=corei7_skylake_x
PVBLK_EXTRA_GUESTS=(blkhostile)
. "$ROOT/tests/scenarios/pvblk.inc"

check() {
	expect_pvblk_hostile
}
