# SPDX-License-Identifier: MIT
# Partitions and a raw channel built from a manifest (tests/manifests/guests-link.hvm).
DESC="guests-link.hvm: plan logged; exits (cpu 0) and spin (cpu 1) created from the manifest, the raw channel mapped into both at 0x1000000000 (64 GiB) with ports 64<->64; both exit 0"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/guests-link.hvm" "$(guest_module exits)" "$(guest_module spin)")

check() {
	expect_manifest_guests
}
