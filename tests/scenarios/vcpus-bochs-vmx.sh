# SPDX-License-Identifier: MIT
# Several vCPUs per partition (tests/manifests/vcpus.hvm): bring-up, a crash of one vCPU
# stopping the whole partition, a restart, the timer as an event port.
DESC="vcpus.hvm: trio's 3 vCPUs come up on CPUs 0-2 (HC_VCPU_UP, errors checked); vCPU 2's bad read stops all three; restarted, it brings them up again, gets a timer event and exits 0; pair (2 vCPUs sharing CPUs 1-2) undisturbed"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=3
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/lifecycle.inc"
MODULES=(manifest="$ROOT/tests/manifests/vcpus.hvm" "$(guest_module vcpus)")

check() {
	expect_vcpus
}
