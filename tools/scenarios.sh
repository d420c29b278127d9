#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot the real image in emulators, one run per scenario (tests/scenarios/NAME.sh), and
# check what it printed.
#
# usage: tools/scenarios.sh [NAME-GLOB...]     run the scenarios whose names match
#        tools/scenarios.sh --list [GLOB...]   list them
#        tools/scenarios.sh --table            print the scenario table (Markdown)
# environment: JOBS (parallel runs, default 2), HV (default build/hv.elf),
#              HV32 (default build/hv32.elf, for BOOT=kernel scenarios)
# A Bochs scenario may also set DISK=PATH (usually made by its prepare, under $OUT): a raw
# disk image attached as ata1-master (tools/run-bochs.sh --disk), and NIC=slirp|null: an
# e1000 on that network (tools/run-bochs.sh --nic).
#
# Per scenario, build/scenarios/NAME/ keeps serial.log (COM1, CRs removed), the
# emulator's own log (serial.qemu.log or serial.bochs.log), run.txt (command, exit status,
# time) and failures.txt. One line per scenario: PASS/FAIL and wall time; a failure adds
# the failed checks and the log's last 40 lines. Exit status 1 if any failed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib-scenario.sh
. tools/lib-scenario.sh

JOBS=${JOBS:-2}
HV=${HV:-build/hv.elf}
HV32=${HV32:-build/hv32.elf}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "scenarios: JOBS must be a positive number" >&2; exit 2; }
HV=$(realpath -m "$HV") HV32=$(realpath -m "$HV32")

mode=run
case ${1:-} in
--list) mode=list; shift ;;
--table) mode=table; shift ;;
-h | --help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
globs=("$@")
((${#globs[@]})) || globs=('*')

names=()
for f in tests/scenarios/*.sh; do
	[[ -e $f ]] || continue
	n=${f##*/} n=${n%.sh}
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2053 # glob match on purpose
		if [[ $n == $g ]]; then names+=("$n"); break; fi
	done
done
((${#names[@]})) || { echo "scenarios: none matches: ${globs[*]}" >&2; exit 2; }

if [[ $mode == list ]]; then
	printf '%s\n' "${names[@]}"
	exit 0
fi
if [[ $mode == table ]]; then
	echo '| scenario | platform | CPU | SMP | mem | IOMMU | boot | cmdline (+ exit) | modules | checks |'
	echo '|---|---|---|---|---|---|---|---|---|---|'
	for n in "${names[@]}"; do
		(
			scn_load "$n" >/dev/null || exit 0
			mods=
			for m in "${MODULES[@]}"; do mods+="${mods:+ }${m%%=*}"; done
			printf '| %s | %s | %s | %s | %s | %s | %s | `%s` | %s | %s |\n' "$n" "$PLATFORM" "$CPU" \
				"$SMP" "$MEM" "$([[ $PLATFORM == qemu ]] && echo "$IOMMU" || echo -)" "$BOOT" \
				"$CMDLINE" "${mods:--}" "$DESC"
		)
	done
	exit 0
fi

[[ -f $HV ]] || { echo "scenarios: no image $HV (make image)" >&2; exit 2; }
BASE=$ROOT/build/scenarios
mkdir -p "$BASE"
# One run at a time per tree: runs share build/scenarios/.
exec 9>"$BASE/.lock"
if ! flock -n 9; then
	echo "scenarios: another run holds $BASE/.lock; waiting" >&2
	flock 9
fi
rm -rf "$BASE/.iso"
mkdir -p "$BASE/.iso"
t0=${EPOCHREALTIME/[.,]/}

# kill_tree PID: SIGTERM to PID's descendants, deepest first, then to PID. (A run's
# emulator is a grandchild: a signal to the job's subshell alone would not reach it.)
kill_tree() {
	local c
	for c in $(pgrep -P "$1" || true); do kill_tree "$c"; done
	kill -TERM "$1" 2>/dev/null || true
}
# kill_jobs: on interrupt, stop every build and run still going.
pids=()
kill_jobs() {
	local p
	for p in "${pids[@]}"; do kill_tree "$p"; done
	wait 2>/dev/null || true
}
trap 'kill_jobs; echo "scenarios: interrupted" >&2; exit 130' INT
trap 'kill_jobs; echo "scenarios: terminated" >&2; exit 143' TERM HUP

# ---- 1. load and prepare every scenario; which ISO each needs -------------------------
declare -A iso_of=() bad=()
for n in "${names[@]}"; do
	rm -rf "${BASE:?}/$n"
	mkdir -p "$BASE/$n"
	if ! msg=$(
		scn_load "$n" || exit 1
		if declare -F prepare >/dev/null; then
			(set -e; prepare) >"$OUT/prepare.txt" 2>&1 || { echo "prepare failed:"; cat "$OUT/prepare.txt"; exit 1; }
		fi
		for m in "${MODULES[@]}"; do
			[[ -f ${m#*=} ]] || { echo "module ${m%%=*}: no such file: ${m#*=}"; exit 1; }
		done
		if [[ $BOOT == iso ]]; then
			key=$(scn_iso_key)
			if [[ ! -f $BASE/.iso/$key.args ]]; then
				{ scn_cmdline; for m in "${MODULES[@]}"; do echo "$m"; done; } >"$BASE/.iso/$key.args"
			fi
			echo "$key"
		else
			echo kernel
		fi
	); then
		bad[$n]="definition: $msg"
	else
		iso_of[$n]=$msg
	fi
done

# ---- 2. build each distinct ISO, JOBS at a time ----------------------------------------
build_iso() {
	local key=$1 args=()
	mapfile -t args <"$BASE/.iso/$key.args"
	bash tools/mkiso.sh "$BASE/.iso/$key.iso" "$HV" "${args[@]}" >"$BASE/.iso/$key.err" 2>&1
}
running=0
for key in $(printf '%s\n' "${iso_of[@]}" | grep -v '^kernel$' | sort -u); do
	if ((running >= JOBS)); then wait -n || true; running=$((running - 1)); fi
	build_iso "$key" &
	pids+=($!)
	running=$((running + 1))
done
wait || true
pids=()
for n in "${names[@]}"; do
	key=${iso_of[$n]:-}
	[[ -n $key && $key != kernel ]] || continue
	[[ -f $BASE/.iso/$key.iso ]] || bad[$n]="ISO build failed: $(cat "$BASE/.iso/$key.err")"
done

# ---- 3. run ---------------------------------------------------------------------------
# run_one NAME: boot, check, and leave result.txt ("PASS" or "FAIL") and failures.txt.
run_one() {
	local n=$1 start rc
	start=${EPOCHREALTIME/[.,]/}
	DISK='' NIC=''
	scn_load "$n" >/dev/null
	SCN_FAILFILE=$OUT/failures.txt
	: >"$SCN_FAILFILE"
	local cmd=()
	case $PLATFORM/$BOOT in
	qemu/iso)
		cmd=(bash "$ROOT/tools/run-qemu.sh" --iso "$BASE/.iso/${iso_of[$n]}.iso") ;;
	qemu/kernel)
		# Run QEMU from a directory holding the modules under their names, so each
		# module's string is its NAME (QEMU passes "PATH ARGS" as a module's string).
		mkdir -p "$OUT/boot"
		ln -sf "$HV32" "$OUT/boot/hv32.elf"
		local m initrd=
		for m in "${MODULES[@]}"; do
			ln -sf "$(realpath "${m#*=}")" "$OUT/boot/${m%%=*}"
			initrd+="${initrd:+,}${m%%=*}"
		done
		cmd=(bash "$ROOT/tools/run-qemu.sh" --kernel hv32.elf --append "$(scn_cmdline)")
		[[ -z $initrd ]] || cmd+=(--initrd "$initrd")
		;;
	bochs/iso)
		cmd=(bash "$ROOT/tools/run-bochs.sh" --iso "$BASE/.iso/${iso_of[$n]}.iso" --cpu "$CPU")
		[[ -z $IPS ]] || cmd+=(--ips "$IPS")
		[[ -z $DISK ]] || cmd+=(--disk "$DISK")
		[[ -z $NIC ]] || cmd+=(--nic "$NIC")
		;;
	esac
	cmd+=(--smp "$SMP" --mem "$MEM" --log "$LOG" --timeout "$TIMEOUT")
	[[ $PLATFORM != qemu ]] || cmd+=(--cpu "$CPU" --iommu "$IOMMU")
	[[ -z $EXTRA ]] || cmd+=(--extra "$EXTRA")
	[[ -z $STOP_ON ]] || cmd+=(--stop-on "$STOP_ON")
	rc=0
	if [[ $BOOT == kernel ]]; then
		(cd "$OUT/boot" && "${cmd[@]}") || rc=$?
	else
		"${cmd[@]}" || rc=$?
	fi
	EXIT=$rc
	local secs=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
	[[ -f $LOG ]] || : >"$LOG"
	tr -d '\r\000' <"$LOG" >"$LOG.tmp" && mv -f "$LOG.tmp" "$LOG"
	{
		[[ $BOOT != kernel ]] || echo "directory: $OUT/boot"
		echo "command: $(printf '%q ' "${cmd[@]}")"
		echo "exit status: $EXIT"
		echo "wall ms: $secs"
	} >"$OUT/run.txt"

	scn_checks_before
	set +e
	(
		set -e
		check
	)
	rc=$?
	set -e
	((rc == 0)) || fail "check function stopped with status $rc (its errors: build/scenarios/$n/runner.txt)"
	scn_checks_after
	if [[ -s $SCN_FAILFILE ]]; then echo FAIL >"$OUT/result.txt"; else echo PASS >"$OUT/result.txt"; fi
	echo "$secs" >>"$OUT/result.txt"
}

npass=0 nfail=0
report() {
	local n=$1 res ms=0 why=${2:-}
	if [[ -z $why ]]; then
		{ read -r res; read -r ms; } <"$BASE/$n/result.txt" 2>/dev/null || res="FAIL"
	else
		res=FAIL
	fi
	printf '%s %-28s %6.1fs\n' "$res" "$n" "$(awk "BEGIN { print $ms / 1000 }")"
	if [[ $res == PASS ]]; then
		npass=$((npass + 1))
		return
	fi
	nfail=$((nfail + 1))
	if [[ -n $why ]]; then
		sed 's/^/    /' <<<"$why"
		return
	fi
	if [[ ! -s $BASE/$n/failures.txt ]]; then
		echo "    runner error; last lines of build/scenarios/$n/runner.txt:"
		tail -n 20 "$BASE/$n/runner.txt" 2>/dev/null | sed 's/^/    | /'
	fi
	sed 's/^/    check: /' "$BASE/$n/failures.txt"
	local log=$BASE/$n/serial.log
	echo "    ---- last 40 lines of build/scenarios/$n/serial.log ----"
	tail -n 40 "$log" 2>/dev/null | sed 's/^/    | /'
	if [[ ! -s $log ]]; then
		local emu
		emu=$(ls "$BASE/$n"/serial.*.log 2>/dev/null | head -1)
		if [[ -n $emu ]]; then
			echo "    ---- last 20 lines of ${emu#"$ROOT"/} ----"
			tail -n 20 "$emu" | sed 's/^/    | /'
		fi
	fi
}

# forget PID: drop a finished job from pids.
forget() {
	local p keep=()
	for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	pids=("${keep[@]}")
}

declare -A pid_name=()
running=0
for n in "${names[@]}"; do
	if [[ -n ${bad[$n]:-} ]]; then
		report "$n" "${bad[$n]}"
		continue
	fi
	while ((running >= JOBS)); do
		done_pid=
		wait -n -p done_pid "${pids[@]}" || true
		[[ -n $done_pid ]] || break
		report "${pid_name[$done_pid]}"
		forget "$done_pid"
		running=$((running - 1))
	done
	(run_one "$n") >"$BASE/$n/runner.txt" 2>&1 &
	pid_name[$!]=$n
	pids+=($!)
	running=$((running + 1))
done
while ((running > 0)); do
	done_pid=
	wait -n -p done_pid "${pids[@]}" || true
	[[ -n $done_pid ]] || break
	report "${pid_name[$done_pid]}"
	forget "$done_pid"
	running=$((running - 1))
done

secs=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000000))
echo "scenarios: $npass passed, $nfail failed, ${secs}s (JOBS=$JOBS)"
((nfail == 0))
