# SPDX-License-Identifier: MIT
# The exception path on the other vendor and emulator: a NULL read on Bochs (VMX CPU).
DESC="selftest=pf on Bochs corei7_skylake_x: EXCEPTION vector=14 with cr2=0, symbolized trace, exit status 4"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=2
CMDLINE="loglevel=info selftest=pf"
EXPECT_BOOT=0
ALLOW_FAULT=1

check() {
	expect 'EXCEPTION vector=14 \(#PF page fault\) error=0x0 cpu=0'
	expect_count 'EXCEPTION' 1
	expect 'cr2=0x0000000000000000'
	# Caches on: CR0 = PG|WP|ET|PE, CD and NW clear (Bochs starts with them set).
	expect '  cr0=0x80010011 '
	expect '^trace: #0 0x[0-9a-f]+ null_read\+0x'
	expect_order 'EXCEPTION vector=14' '^trace:' '^hv: .*halted'
	reject '^hv: boot complete'
	expect_status 4
}
