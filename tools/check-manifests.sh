#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check the example manifests with hvcheck: good ones pass, bad-*.hvm fail as they say.
#
# usage: tools/check-manifests.sh [HVCHECK [MANIFEST...]]
#   HVCHECK defaults to build/hvcheck, the manifests to tests/manifests/*.hvm.
#   A "# hvcheck: OPTIONS" line in a manifest gives hvcheck its options (--cpus N,
#   --memory SIZE). A bad-*.hvm manifest starts with "# expect: LINE FIELD": hvcheck
#   must exit 1 and report "FILE:LINE: FIELD: ..." among its errors. Any other manifest
#   must be accepted (exit 0). One PASS/FAIL line per manifest, hvcheck's output after a
#   failure; exit 1 if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

hvcheck=${1:-build/hvcheck}
shift || true
[[ -x $hvcheck ]] || { echo "check-manifests: no hvcheck at $hvcheck (make build/hvcheck)" >&2; exit 2; }
if [[ $# -eq 0 ]]; then
	shopt -s nullglob
	set -- tests/manifests/*.hvm
	[[ $# -gt 0 ]] || { echo "check-manifests: no tests/manifests/*.hvm" >&2; exit 2; }
fi

bad=0
for f in "$@"; do
	name=${f##*/}
	read -ra opts <<<"$(sed -n 's/^# hvcheck:[[:space:]]*//p' "$f" | head -n 1)"
	rc=0
	out=$("$hvcheck" "${opts[@]}" "$f" 2>&1) || rc=$?
	why=
	if [[ $name == bad-* ]]; then
		line= field=
		read -r line field < <(sed -n '1s/^# expect:[[:space:]]*//p' "$f")
		if [[ -z ${line:-} || -z ${field:-} || ! $line =~ ^[0-9]+$ ]]; then
			why="no '# expect: LINE FIELD' first line"
		elif ((rc != 1)); then
			why="hvcheck exited $rc, want 1"
		elif ! grep -qF -- "$f:$line: $field: " <<<"$out"; then
			why="no error '$f:$line: $field: ...'"
		fi
	elif ((rc != 0)); then
		why="hvcheck exited $rc, want 0"
	fi
	if [[ -n $why ]]; then
		echo "FAIL $name: $why"
		sed 's/^/    /' <<<"$out"
		bad=1
	else
		echo "PASS $name"
	fi
done
exit "$bad"
