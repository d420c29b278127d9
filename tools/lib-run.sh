# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared by run-qemu.sh and run-bochs.sh: run an emulator under a timeout and a log watcher.
# Source it; it defines functions only.

# Exit statuses the runners add to the emulator's own.
RUN_TIMEOUT=124   # the emulator ran past --timeout and was killed
RUN_STOPPED=120   # --stop-on matched the serial log and the emulator did not exit by itself

run_die() { echo "${0##*/}: $*" >&2; exit 2; }

# now_us: wall clock in microseconds (bash 5 EPOCHREALTIME).
now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$((10#$t))"; }

# run_kill PID: SIGTERM, then SIGKILL if it is still there after 2 s.
run_kill() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# run_supervised TIMEOUT_S WATCH_FILE STOP_REGEX CMD...
#   Runs CMD (stdin from /dev/null, stdout/stderr as the caller set them) and returns its
#   exit status, RUN_TIMEOUT if it ran TIMEOUT_S seconds (0: no limit), or RUN_STOPPED if
#   STOP_REGEX (ERE, empty: none) appeared in WATCH_FILE and CMD had not exited 2 s later.
#   CMD is killed if this shell gets SIGINT/SIGTERM/SIGHUP.
run_supervised() {
	local timeout=$1 watch=$2 stop=$3
	shift 3
	local start deadline=0 seen=0 now
	start=$(now_us)
	((timeout > 0)) && deadline=$((start + timeout * 1000000))
	"$@" </dev/null &
	RUN_PID=$!
	trap 'run_kill "$RUN_PID"; exit 130' INT
	trap 'run_kill "$RUN_PID"; exit 143' TERM HUP
	while kill -0 "$RUN_PID" 2>/dev/null; do
		now=$(now_us)
		if ((deadline && now >= deadline)); then
			run_kill "$RUN_PID"
			wait "$RUN_PID" 2>/dev/null
			trap - INT TERM HUP
			return "$RUN_TIMEOUT"
		fi
		if [[ -n $stop ]] && ((seen == 0)) && [[ -f $watch ]] && grep -Eqa -- "$stop" "$watch"; then
			seen=$now
		fi
		if ((seen && now - seen >= 2000000)); then
			run_kill "$RUN_PID"
			wait "$RUN_PID" 2>/dev/null
			trap - INT TERM HUP
			return "$RUN_STOPPED"
		fi
		sleep 0.05
	done
	local rc=0
	wait "$RUN_PID" || rc=$?
	trap - INT TERM HUP
	return "$rc"
}

# run_emu_log SERIAL_LOG EMU: the file next to the serial log that keeps the emulator's
# own output (serial.log -> serial.qemu.log).
run_emu_log() {
	local log=$1 emu=$2
	if [[ $log == *.log ]]; then echo "${log%.log}.$emu.log"; else echo "$log.$emu.log"; fi
}
