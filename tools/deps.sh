#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build and test dependencies on Debian 12 if any is missing; silent (and a
# few milliseconds) when everything is there. DEPS_DRY_RUN=1: only say what it would do.
# usage: tools/deps.sh [fuzz]
set -euo pipefail

missing=()
# need PACKAGE KIND WHAT: KIND is cmd (a command on PATH), file or dir.
need() {
	local pkg=$1 kind=$2 what=$3
	case $kind in
	cmd) command -v "$what" >/dev/null 2>&1 && return 0 ;;
	file) [[ -f $what ]] && return 0 ;;
	dir) [[ -d $what ]] && return 0 ;;
	esac
	missing+=("$pkg")
}

need qemu-system-x86 cmd qemu-system-x86_64
need bochs cmd bochs
need bochsbios file /usr/share/bochs/BIOS-bochs-latest
need vgabios file /usr/share/vgabios/vgabios.bin
need grub-common cmd grub-mkrescue
need grub-pc-bin dir /usr/lib/grub/i386-pc
need xorriso cmd xorriso
need mtools cmd mformat
need libcmocka-dev file /usr/include/cmocka.h
need build-essential cmd gcc
need build-essential cmd make
need binutils cmd readelf
need binutils cmd objcopy
need gzip cmd gzip
need procps cmd pgrep
# `tools/deps.sh fuzz`: also what `make fuzz` needs (clang with libFuzzer).
if [[ ${1:-} == fuzz ]]; then
	need clang cmd clang
	need libclang-rt-14-dev dir /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux
fi

((${#missing[@]} == 0)) && exit 0

# Unique, in order.
declare -A seen=()
pkgs=()
for p in "${missing[@]}"; do
	[[ -n ${seen[$p]:-} ]] || pkgs+=("$p")
	seen[$p]=1
done

sudo=()
if ((EUID != 0)); then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "deps: missing packages: ${pkgs[*]}; not root and no sudo: install them as root" >&2
		exit 1
	fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages: ${pkgs[*]}; no apt-get here (this script knows Debian only)" >&2
	exit 1
fi
echo "deps: installing ${pkgs[*]}" >&2
if [[ -n ${DEPS_DRY_RUN:-} ]]; then
	echo "deps: (DEPS_DRY_RUN) ${sudo[*]} apt-get update; ${sudo[*]} apt-get install -y ${pkgs[*]}" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${pkgs[@]}"
