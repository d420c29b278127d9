#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that adding the symbol table moved no function: the text symbols of both link
# passes have the same addresses, so the table (made from the first) is right for the
# second. Data moves (the table grows .rodata), which changes immediates, not code layout.
# usage: tools/check-symbols.sh PASS1.ELF FINAL.ELF
set -euo pipefail
text_syms() { nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\./ { print $1, $3 }'; }
if ! diff <(text_syms "$1") <(text_syms "$2") >/dev/null; then
	echo "check-symbols: function addresses differ between $1 and $2" >&2
	diff <(text_syms "$1") <(text_syms "$2") | head -5 >&2
	exit 1
fi
