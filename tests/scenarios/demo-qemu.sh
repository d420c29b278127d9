# SPDX-License-Identifier: MIT
# The default demo (tests/manifests/demo.hvm): svc on CPU 0, ping and pong sharing CPU 1,
# 100 messages over a raw channel's ring with events both ways.
DESC="demo.hvm: ping sends 100 messages to pong over the raw channel (both on cpu 1, time-sliced), every reply checked; svc lists the partitions; all exit 0"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=(manifest="$ROOT/tests/manifests/demo.hvm" "$(guest_module svc demo-svc)"
	"$(guest_module ping demo-ping)" "$(guest_module pong demo-pong)")

check() {
	expect '^plan: channel pingpong: raw ping -> pong ring=4K data=16K'
	expect "^\[svc\] svc: partition 0 'svc' service, 32 MiB"
	expect '^\[ping\] ping: 100 replies$'
	expect '^\[ping\] ping: 100 messages, 100 replies, 0 lost, 0 duplicated, [0-9]+ notifications sent$'
	expect '^\[pong\] pong: 101 requests, 101 replies, 0 bad, '
	expect "^\[svc\] svc: partition 1 'ping' child exited status=0"
	expect "^\[svc\] svc: partition 2 'pong' child exited status=0"
	expect '^\[svc\] svc: all children ended'
	reject '^\[(svc|ping|pong)\] rt: '
	expect '^guest: ping exited status=0 '
	expect '^guest: pong exited status=0 '
	expect '^guest: svc exited status=0 '
	expect_all_finished
}
