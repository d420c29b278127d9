#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build a GRUB2 BIOS ISO that boots HV.ELF by multiboot2 with CMDLINE and modules.
#
# usage: tools/mkiso.sh OUT.iso HV.ELF "CMDLINE" [NAME=PATH ...]
#   Each module PATH is copied to /boot/NAME and passed as `module2 /boot/NAME NAME`.
#   Quiet on success; prints grub-mkrescue's output and exits non-zero on failure.
#   Safe to run several at once with different OUT paths (private temp dir, atomic rename).
set -euo pipefail

die() { echo "mkiso: $*" >&2; exit 1; }

[[ $# -ge 3 ]] || die "usage: $0 OUT.iso HV.ELF \"CMDLINE\" [NAME=PATH ...]"
out=$1 elf=$2 cmdline=$3
shift 3

[[ -f $elf ]] || die "no such image: $elf"
command -v grub-mkrescue >/dev/null || die "grub-mkrescue not found (run tools/deps.sh)"
[[ $cmdline != *$'\n'* && $cmdline != *'"'* ]] || die "cmdline must not contain newlines or double quotes"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkiso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/boot/grub"
cp "$elf" "$tmp/root/boot/hv.elf"

{
	echo 'set timeout=0'
	echo 'set default=0'
	echo 'menuentry "hv" {'
	echo "	multiboot2 /boot/hv.elf $cmdline"
	for m in "$@"; do
		name=${m%%=*} path=${m#*=}
		[[ $m == *=* && -n $name && -n $path ]] || die "bad module '$m' (want NAME=PATH)"
		[[ $name =~ ^[A-Za-z0-9._+-]+$ && $name != hv.elf && $name != grub ]] ||
			die "bad module name '$name' (letters, digits, . _ + - only)"
		[[ -f $path ]] || die "module $name: no such file: $path"
		[[ ! -e $tmp/root/boot/$name ]] || die "module name given twice: $name"
		cp "$path" "$tmp/root/boot/$name"
		echo "	module2 /boot/$name $name"
	done
	echo '}'
} >"$tmp/root/boot/grub/grub.cfg"

mkdir -p "$(dirname "$out")"
# Build next to OUT and rename, so a reader never sees a half-written ISO.
part=$out.part.$$
trap 'rm -rf "$tmp" "$part"' EXIT
# grub-mkrescue writes its own temp files under TMPDIR: keep them in our dir too.
if ! TMPDIR=$tmp grub-mkrescue -o "$part" "$tmp/root" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	die "grub-mkrescue failed for $out"
fi
mv -f "$part" "$out"
