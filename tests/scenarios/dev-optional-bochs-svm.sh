# SPDX-License-Identifier: MIT
# No IOMMU (Bochs): with iommu = optional the manifest accepts that the child's device
# reaches all memory; the hypervisor says so, maps its BAR and the child runs.
DESC="dev-optional.hvm on Bochs (no IOMMU): the child owning 00:01.2 starts with a warning that its device can reach all memory; its I/O BAR is its own"
PLATFORM=bochs
CPU=ryzen
SMP=1
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/dev-optional.hvm" "$(guest_module exits)")

check() {
	expect '^pci: 00:01\.2 8086:7020 owned by kid$'
	expect '^pci: 00:01\.1 8086:7010 owned by nobody: hidden, DMA blocked$'
	expect '^partition: kid: 00:01\.2 bar4 io 0xc020\+0x20$'
	expect '^iommu: none: DMA isolation unavailable: the devices of kid can reach all memory$'
	expect '^audit: isolation holds: 1 partitions, every nested mapping granted by the manifest'
	expect '^\[kid\] summary: [0-9]+ passed, 0 failed$'
	expect '^guest: kid exited status=0 '
}
