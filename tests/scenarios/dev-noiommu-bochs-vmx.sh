# SPDX-License-Identifier: MIT
# No IOMMU (Bochs): a child owning a device with iommu = required is refused whole.
DESC="dev-required.hvm on Bochs (no IOMMU): the child owning 00:01.2 requires an IOMMU: nothing starts, boot-failed status 3"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=1
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/dev-required.hvm" "$(guest_module exits)")

check() {
	expect '^iommu: none found \(DMA isolation unavailable\)$'
	expect '^plan: partition kid: child image=exits memory=16M vcpus=1 cpus=0 devices=00:01.2 iommu=required restart=never cmdline="exits"'
	expect '^hv: partition kid owns devices and requires an IOMMU; none found: nothing started$'
	reject '^guest: kid running|^\[kid\] '
	expect_status 3
}
