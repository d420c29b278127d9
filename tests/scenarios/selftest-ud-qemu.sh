# SPDX-License-Identifier: MIT
# selftest=ud: the image executes UD2; the exception handler must print the vector, the
# registers and a symbolized stack trace, then halt: no reboot, no hang. With `exit` on
# the command line it then leaves through the exit port with HV_EXIT_EXCEPTION (4,
# arch/x86/platform.h); if it only halted, the runner would kill it 2 s after the
# `hv: ... halted` line (exit status 120) and expect_status would fail.
DESC="selftest=ud: EXCEPTION vector=6, trace: lines, hv: ... halted, exit status 4; no reset, no hang"
PLATFORM=qemu
CMDLINE="loglevel=info selftest=ud"
EXPECT_BOOT=0
ALLOW_FAULT=1
TIMEOUT=30

check() {
	expect 'EXCEPTION vector=6([^0-9]|$)'
	expect_count 'EXCEPTION' 1
	expect '^trace: #0 0x[0-9a-f]+ selftest_run\+0x'
	expect '^  rip=0x[0-9a-f]+ cs=0x8 '
	expect_order 'EXCEPTION vector=6' '^trace:' '^hv: .*halted'
	reject 'PANIC'
	reject '^hv: boot complete'
	expect_status 4
}
