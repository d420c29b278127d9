# SPDX-License-Identifier: MIT
# The isolation audit's own test: with audit_inject, a hypervisor page is mapped into
# the first partition before the audit, which must find it and start nothing.
DESC="demo.hvm with audit_inject: a hypervisor page mapped into svc is found by the audit (nested tables), nothing starts, boot-failed status 3"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info audit_inject"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)"
	"$(guest_module store demo-store)" "$(guest_module netpeer demo-netpeer)")

check() {
	expect '^audit: test: hypervisor page 0x[0-9a-f]+ mapped into svc at gpa 0xbff00000$'
	expect '^audit: svc nested leaves=[0-9]+ outside its grants=1$'
	expect '^audit: svc nested maps gpa 0xbff00000 to hpa 0x[0-9a-f]+: not granted$'
	expect_count '^audit: (ping|pong|store|web|client) nested leaves=[0-9]+ outside its grants=0$' 5
	expect '^audit: isolation policy violated: 1 mappings outside the grants, 0 forbidden ranges granted: nothing started$'
	reject '^audit: isolation holds|^guest: [a-z0-9]+ running|^\[(svc|ping|pong|store|web|client)\] '
	expect_status 3
}
