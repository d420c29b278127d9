# SPDX-License-Identifier: MIT
# The service partition's HC_PART_STOP/START/RESTART (tests/manifests/service-only.hvm),
# and the same calls refused to children.
DESC="service-only.hvm: children get -HV_EPERM for HC_PART_LIST/STOP/START/RESTART; the service stops a spinning child on another CPU, starts it, restarts it halted, starts it once exited; bad ids, wrong states and a pending restart refused; restart=always gives up after 8"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/lifecycle.inc"
MODULES=(manifest="$ROOT/tests/manifests/service-only.hvm" "$(guest_module lifesvc)"
	"$(guest_module lifechild)")

check() {
	expect_service_only
}
