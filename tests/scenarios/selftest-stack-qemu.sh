# SPDX-License-Identifier: MIT
# selftest=stack: unbounded recursion runs into the stack's guard page. Either the page
# fault cannot be delivered on the dead stack and becomes a double fault on its IST stack
# (vector 8), or #PF has its own IST stack (vector 14). Either way the image names the
# guard page (cr2), prints it, and halts: no reboot (triple fault), no hang; with `exit`
# it then leaves with HV_EXIT_EXCEPTION (4).
DESC="selftest=stack: guard page hit caught as EXCEPTION vector=8 (#DF on IST) or 14, cr2 in the guard page, hv: ... halted, exit status 4"
PLATFORM=qemu
CMDLINE="loglevel=info selftest=stack"
EXPECT_BOOT=0
ALLOW_FAULT=1
TIMEOUT=30

check() {
	local line
	expect_count 'EXCEPTION vector=' 1
	line=$(grep -Em1 'EXCEPTION vector=' "$LOG" || true)
	case $line in
	'') ;;
	*vector=8[!0-9]* | *vector=8 | *vector=14[!0-9]* | *vector=14) ;;
	*) fail "stack overflow not caught as #DF (8) or #PF (14): $line" ;;
	esac
	expect 'cr2=0x[0-9a-f]+'
	expect "cr2 is in the guard page below cpu 0's stack"
	expect '^trace: #1 0x[0-9a-f]+ recurse\+0x'
	expect_order 'EXCEPTION vector=' '^hv: .*halted'
	reject 'PANIC'
	reject '^hv: boot complete'
	expect_status 4
}
