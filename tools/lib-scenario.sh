# shellcheck shell=bash disable=SC2034 # variables are the scenario files' interface
# SPDX-License-Identifier: MIT
# Scenario definitions' environment: defaults, loading, and the check helpers.
# Sourced by tools/scenarios.sh; a scenario file (tests/scenarios/NAME.sh) is sourced on
# top of it. See tests/scenarios/README.md for the format.

# ---- loading ---------------------------------------------------------------------------

# scn_load NAME: source tests/scenarios/NAME.sh with defaults; sets OUT, LOG and the
# scenario's variables. Returns non-zero (with a message) if the definition is bad.
scn_load() {
	NAME=$1
	OUT=$ROOT/build/scenarios/$NAME
	LOG=$OUT/serial.log
	PLATFORM='' DESC='' CPU='' SMP=1 MEM=256 IOMMU=none EXTRA='' BOOT=iso CMDLINE='' TIMEOUT=''
	STOP_ON='hv: .*halted|PANIC|EXCEPTION' EXPECT_BOOT=1 ALLOW_FAULT=0 IPS=''
	MODULES=()
	unset -f prepare check
	# shellcheck disable=SC1090
	. "$ROOT/tests/scenarios/$NAME.sh" || { echo "cannot source tests/scenarios/$NAME.sh"; return 1; }
	# A plain string is a space-separated list.
	if [[ $(declare -p MODULES 2>/dev/null) != "declare -a"* ]]; then
		# shellcheck disable=SC2206,SC2128
		MODULES=($MODULES)
	fi
	case $PLATFORM in
	qemu) CPU=${CPU:-EPYC} TIMEOUT=${TIMEOUT:-30} ;;
	bochs)
		CPU=${CPU:-corei7_skylake_x} TIMEOUT=${TIMEOUT:-90}
		[[ $IOMMU == none && -z $EXTRA && $BOOT == iso ]] ||
			{ echo "IOMMU, EXTRA and BOOT=kernel are QEMU-only"; return 1; }
		;;
	*) echo "PLATFORM must be qemu or bochs, not '$PLATFORM'"; return 1 ;;
	esac
	[[ $BOOT == iso || $BOOT == kernel ]] || { echo "BOOT must be iso or kernel"; return 1; }
	declare -F check >/dev/null || { echo "no check function"; return 1; }
	local m
	for m in "${MODULES[@]}"; do
		[[ $m == ?*=?* ]] || { echo "bad module '$m' (want NAME=PATH)"; return 1; }
	done
	return 0
}

# scn_cmdline: the command line the image gets (the runner always adds `exit`, so the
# image ends the run itself).
scn_cmdline() { echo "${CMDLINE:+$CMDLINE }exit"; }

# scn_iso_key: identifies the ISO a scenario needs (cmdline, module names and contents).
scn_iso_key() {
	local m
	{
		scn_cmdline
		for m in "${MODULES[@]}"; do
			echo "${m%%=*} $(sha256sum <"${m#*=}" | cut -c1-64)"
		done
	} | sha256sum | cut -c1-16
}

# ---- check helpers ---------------------------------------------------------------------
# Each records a failure (in $SCN_FAILFILE) and returns 0, so that one check function
# reports every failed check. In a check function: $LOG is the serial log (CR removed),
# $EXIT the emulator's exit status, $OUT the scenario's directory, $PLATFORM etc. as set.

# fail MESSAGE: record a failed check of your own.
fail() { printf '%s\n' "$*" >>"$SCN_FAILFILE"; }

# expect REGEX: some line matches (grep -E).
expect() {
	grep -Eq -- "$1" "$LOG" || fail "expect /$1/: no line matches"
}

# reject REGEX: no line matches.
reject() {
	local hit
	hit=$(grep -Em1 -- "$1" "$LOG") && fail "reject /$1/: found: $hit"
	return 0
}

# expect_count REGEX N: exactly N lines match.
expect_count() {
	local n
	n=$(grep -Ec -- "$1" "$LOG" || true)
	[[ $n == "$2" ]] || fail "expect_count /$1/ $2: $n lines match"
}

# expect_order REGEX...: the first lines matching each REGEX come in this order.
expect_order() {
	local re prev=0 prevre='' n
	for re in "$@"; do
		n=$(grep -Enm1 -- "$re" "$LOG" | cut -d: -f1 || true)
		if [[ -z $n ]]; then
			fail "expect_order: no line matches /$re/"
			return 0
		fi
		if ((n <= prev)); then
			fail "expect_order: /$re/ (line $n) is not after /$prevre/ (line $prev)"
		fi
		prev=$n prevre=$re
	done
}

# field KEY LINE_REGEX: prints the value of KEY=VALUE on the first line matching
# LINE_REGEX (VALUE ends at white space, or is "quoted"); prints nothing if absent.
field() {
	grep -Em1 -- "$2" "$LOG" |
		grep -oE "(^|[[:space:]])$1=(\"[^\"]*\"|[^[:space:]]*)" | head -1 |
		sed -E 's/^[[:space:]]*[^=]*=//; s/^"(.*)"$/\1/' || true
}

# expect_field LINE_REGEX KEY VALUE: the first line matching LINE_REGEX has KEY=VALUE
# (numbers compare by value: 0x10 = 16 = 0x00000010).
expect_field() {
	local line v
	line=$(grep -Em1 -- "$1" "$LOG") || { fail "expect_field /$1/ $2=$3: no line matches"; return 0; }
	v=$(field "$2" "$1")
	if [[ -n $v ]] && _scn_num "$v" >/dev/null && _scn_num "$3" >/dev/null; then
		(($(_scn_num "$v") == $(_scn_num "$3"))) && return 0
	elif [[ $v == "$3" ]]; then
		return 0
	fi
	fail "expect_field /$1/ $2=$3: got '${v}' in: $line"
}

# expect_range LINE_REGEX KEY MIN MAX: KEY's value is a number within [MIN, MAX].
expect_range() {
	local line v n
	line=$(grep -Em1 -- "$1" "$LOG") || { fail "expect_range /$1/ $2: no line matches"; return 0; }
	v=$(field "$2" "$1")
	if ! n=$(_scn_num "$v"); then
		fail "expect_range /$1/ $2: '$v' is not a number in: $line"
	elif ((n < $3 || n > $4)); then
		fail "expect_range /$1/ $2: $v not within [$3, $4] in: $line"
	fi
}

# _scn_num VALUE: prints VALUE (decimal or 0x hex) as a decimal number, or fails.
_scn_num() {
	if [[ $1 =~ ^0[xX][0-9a-fA-F]{1,16}$ ]]; then
		echo "$(($1))"
	elif [[ $1 =~ ^[0-9]{1,19}$ ]]; then
		echo "$((10#$1))"
	else
		return 1
	fi
}

# crc32_of FILE: the file's CRC-32 (IEEE 802.3, as zlib), as 0x%08x. gzip's trailer holds
# it, little-endian, in the 8 bytes' first 4.
crc32_of() {
	local b
	read -ra b < <(gzip -c <"$1" | tail -c8 | od -An -tx1 -N4)
	echo "0x${b[3]}${b[2]}${b[1]}${b[0]}"
}

# expect_module NAME FILE: a `mod: name=NAME` line whose size and crc32 are FILE's.
expect_module() {
	local re="^mod: name=$1 " size crc
	grep -Eq -- "$re" "$LOG" || { fail "expect_module $1: no line matches /$re/"; return 0; }
	size=$(stat -c %s "$2")
	crc=$(crc32_of "$2")
	expect_field "$re" size "$size"
	expect_field "$re" crc32 "$crc"
}

# expect_exit CODE...: the emulator's exit status is one of CODE (raw: QEMU exits
# (v << 1) | 1 for image status v; Bochs 0 for the Shutdown port; 124 timeout;
# 120 killed 2 s after the log matched STOP_ON). Replaces the default exit check.
expect_exit() {
	: >"$OUT/.exit-checked"
	local c
	for c in "$@"; do [[ $EXIT == "$c" ]] && return 0; done
	fail "expect_exit $*: emulator exit status $EXIT$(_scn_exit_why)"
}

# reject_exit CODE...: the emulator's exit status is none of CODE. Replaces the default.
reject_exit() {
	: >"$OUT/.exit-checked"
	local c
	for c in "$@"; do
		[[ $EXIT == "$c" ]] && fail "reject_exit $*: emulator exit status $EXIT$(_scn_exit_why)"
	done
	return 0
}

# expect_status N: the image ended the run itself, with status N (the exit port's
# status, and its `hv: exit status=N` line). The default exit check is expect_status 0.
expect_status() {
	: >"$OUT/.exit-checked"
	local want
	case $PLATFORM in
	qemu) want=$((($1 << 1) | 1)) ;;
	bochs) want=0 ;;
	esac
	[[ $EXIT == "$want" ]] ||
		fail "expect_status $1: emulator exit status $EXIT, want $want$(_scn_exit_why)"
	expect "^hv: exit status=$1([^0-9]|$)"
}

# expect_clean_exit: the image ended the run itself through the exit port, any status.
expect_clean_exit() {
	: >"$OUT/.exit-checked"
	case $PLATFORM in
	qemu) ((EXIT != 124 && EXIT != 120 && EXIT % 2 == 1)) ;;
	bochs) ((EXIT == 0)) ;;
	esac || fail "expect_clean_exit: emulator exit status $EXIT$(_scn_exit_why)"
	expect '^hv: exit status=[0-9]+'
}

_scn_exit_why() {
	case $EXIT in
	124) echo " (timed out after ${TIMEOUT}s)" ;;
	120) echo " (the log matched /$STOP_ON/ and the image did not exit by itself: killed 2 s later)" ;;
	*) case $PLATFORM in
		qemu) ((EXIT == 0)) && echo " (QEMU exits 0 on triple fault / reset / shutdown)"
			((EXIT % 2 == 1)) && echo " (image status $((EXIT >> 1)))" ;;
		bochs) ((EXIT == 1)) && echo " (Bochs panic: see $(basename "$OUT")/serial.bochs.log)" ;;
		esac ;;
	esac
	return 0
}

# ---- the checks every scenario gets ---------------------------------------------------
scn_checks_before() {
	((EXIT != 124)) || fail "timed out after ${TIMEOUT}s (emulator killed)"
	[[ -s $LOG ]] || { fail "serial log is empty"; return 0; }
	((!EXPECT_BOOT)) || expect '^hv: boot complete'
	((ALLOW_FAULT)) || reject 'PANIC|EXCEPTION'
	local boots
	boots=$(grep -Ec '^hv: multiboot' "$LOG" || true)
	((boots <= 1)) || fail "the image booted $boots times (reset?)"
}

scn_checks_after() {
	[[ -e $OUT/.exit-checked ]] || expect_status 0
}

# ---- fact helpers shared by several scenarios -----------------------------------------

# expect_banner: the loader banner, with the command line this scenario gave.
expect_banner() {
	local c want
	want=$(scn_cmdline)
	if [[ $BOOT == iso ]]; then
		expect '^hv: multiboot2 loader="GRUB 2\.'
		expect_field '^hv: multiboot2' cmdline "$want"
	else
		# QEMU's multiboot(1) loader: loader "qemu", command line "KERNEL-PATH ARGS".
		expect_field '^hv: multiboot1' loader qemu
		c=$(field cmdline '^hv: multiboot1')
		[[ $c == *" $want" ]] || fail "expect_banner: multiboot1 cmdline '$c' does not end with '$want'"
	fi
}

# expect_mem MIB: `mem: usable=<KiB>` is between 90% and 100% of MIB.
expect_mem() {
	expect_range '^mem: usable=' usable $(($1 * 1024 * 90 / 100)) $(($1 * 1024))
}

# expect_smp N: N `smp: cpu I apic=ID online` lines with N distinct APIC IDs and I
# 0..N-1, and `smp: N of N CPUs online`.
expect_smp() {
	local n=$1 re='^smp: cpu [0-9]+ apic=[0-9]+ online' ids idx
	expect_count "$re" "$n"
	ids=$(grep -E -- "$re" "$LOG" | grep -oE 'apic=[0-9]+' | sort -u | wc -l || true)
	((ids == n)) || fail "expect_smp $n: $ids distinct APIC IDs online"
	idx=$(grep -E -- "$re" "$LOG" | awk '{ print $3 }' | sort -n | tr '\n' ' ' || true)
	[[ $idx == "$(seq -s ' ' 0 $((n - 1))) " ]] || fail "expect_smp $n: cpu indices online: $idx"
	expect "^smp: $n of $n CPUs online"
}
