# SPDX-License-Identifier: MIT
# Partitions and a raw channel built from a manifest (tests/manifests/guests-link.hvm).
DESC="guests-link.hvm: plan logged; exits (cpu 0) and spin (cpu 1) created from the manifest, the raw channel mapped into both at 0xc0000000 with ports 64<->64; both exit 0"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/guests-link.hvm" "$(guest_module exits)" "$(guest_module spin)")

check() {
	expect '^plan: manifest: 2 partitions, 1 channel, no service'
	expect '^plan: channel link: raw exits -> spin ring=4K data=64K'
	expect '^partition: exits id=0 child cpu=0 mem=16 MiB'
	expect '^partition: spin id=1 child cpu=1 mem=16 MiB'
	expect '^channel: link exits<->spin at gpa 0xc0000000 ring=4096 data=65536 ports 64<->64$'
	expect "^\[exits\] summary: $EXITS_CHECKS passed, 0 failed$"
	expect '^guest: exits exited status=0 '
	expect '^guest: spin exited status=0 '
	expect_all_finished
}
