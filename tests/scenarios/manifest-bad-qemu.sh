# SPDX-License-Identifier: MIT
# A manifest with an error is refused whole, with its line and field, before anything starts.
DESC="bad-unknown-partition.hvm: 'manifest:11: backend:' logged, manifest rejected, no partition created, boot-failed status 3"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"
MODULES=(manifest="$ROOT/tests/manifests/bad-unknown-partition.hvm")

check() {
	expect '^manifest:11: backend: '
	expect '^hv: manifest rejected: 1 errors, nothing started'
	reject '^partition: '
	reject '^guest: '
	expect_status 3
}
