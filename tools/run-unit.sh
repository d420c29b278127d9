#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run cmocka unit-test binaries from the repository root and summarise them.
#
# usage: tools/run-unit.sh BIN...
#   One line per binary: PASS/FAIL, tests passed and failed, time. A failing binary's
#   whole output follows its line. Exit 1 if any binary failed (a failed test, a crash,
#   a sanitizer report, or no cmocka summary at all).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

[[ $# -gt 0 ]] || { echo "unit: no test binaries"; exit 0; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bad=0 total_pass=0 total_fail=0
for bin in "$@"; do
	name=${bin##*/}
	if [[ ! -x $bin ]]; then
		echo "FAIL $name: not an executable: $bin"
		bad=1
		continue
	fi
	start=${EPOCHREALTIME/[.,]/}
	rc=0
	CMOCKA_MESSAGE_OUTPUT=stdout "$bin" >"$tmp/out" 2>&1 </dev/null || rc=$?
	ms=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
	# cmocka: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
	# (summed: a binary may run several groups)
	pass=$(awk '/^\[  PASSED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$tmp/out")
	fail=$(awk '/^\[  FAILED  \] [0-9]+ test/ { n += $4 } END { print n + 0 }' "$tmp/out")
	total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
	if ((rc == 0 && fail == 0)) && grep -q '^\[==========\] .* run\.' "$tmp/out"; then
		printf 'PASS %-32s %4d passed %4d failed %6d ms\n' "$name" "$pass" "$fail" "$ms"
	else
		why=
		((rc == 0)) || why=" (exit status $rc)"
		grep -q '^\[==========\] .* run\.' "$tmp/out" || why="$why (no cmocka summary: crashed?)"
		printf 'FAIL %-32s %4d passed %4d failed %6d ms%s\n' "$name" "$pass" "$fail" "$ms" "$why"
		sed 's/^/    /' "$tmp/out"
		bad=1
	fi
done
echo "unit: $# binaries, $total_pass tests passed, $total_fail failed"
exit "$bad"
