#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Capture each emulator platform's ACPI tables as unit-test fixtures (tests/unit/fixtures/acpi).
#
# usage: tools/acpi-capture.sh [--elf HV.ELF] [--out DIR] [--keep-logs DIR] [PLATFORM...]
#   Boots the image with `acpidump exit` on its command line on each PLATFORM (default:
#   all below), keeps the ACPIDUMP/ACPIHEX/ACPIEND lines of the serial log and writes
#   them, after a '#' header naming the platform, to DIR/PLATFORM.acpi (default DIR:
#   tests/unit/fixtures/acpi). A fixture is replaced only by a complete, well-formed
#   capture (every record's hex adds up to its length); the others are left alone.
#   Exit status 1 if any platform failed. Needs only bash, awk and the run tools.
#
# Platforms and the facts the unit tests check against them:
#   qemu-q35-amdiommu    QEMU q35, -cpu EPYC, -smp 2, amd-iommu (IVRS, 0xfed80000, 00:03.0)
#   qemu-q35-inteliommu  QEMU q35, -cpu EPYC, -smp 2, intel-iommu (DMAR, 0xfed90000)
#   qemu-q35-smp4        QEMU q35, -cpu EPYC, -smp 4, no IOMMU
#   bochs-skylake        Bochs corei7_skylake_x, 2 CPUs (i440fx: no MCFG)
#   bochs-ryzen          Bochs ryzen, 2 CPUs
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "acpi-capture: $*" >&2; exit 2; }

declare -A RUN=(
	[qemu-q35-amdiommu]="qemu --smp 2 --iommu amd"
	[qemu-q35-inteliommu]="qemu --smp 2 --iommu intel"
	[qemu-q35-smp4]="qemu --smp 4"
	[bochs-skylake]="bochs --cpu corei7_skylake_x --smp 2"
	[bochs-ryzen]="bochs --cpu ryzen --smp 2"
)
ALL=(qemu-q35-amdiommu qemu-q35-inteliommu qemu-q35-smp4 bochs-skylake bochs-ryzen)
CMDLINE="acpidump exit loglevel=info"
STOP='hv: (boot complete|stopping)|PANIC|panic'
TIMEOUT=180

elf=${BUILD:-build}/hv.elf out=tests/unit/fixtures/acpi keep=
platforms=()
while (($#)); do
	case $1 in
	--elf) elf=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--keep-logs) keep=${2:?}; shift 2 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1" ;;
	*) [[ -n ${RUN[$1]:-} ]] || die "unknown platform $1 (one of: ${ALL[*]})"
	   platforms+=("$1"); shift ;;
	esac
done
((${#platforms[@]})) || platforms=("${ALL[@]}")
[[ -f $elf ]] || die "no image $elf (run make image)"
mkdir -p "$out" || die "cannot create $out"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/acpi-capture.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bash tools/mkiso.sh "$tmp/hv.iso" "$elf" "$CMDLINE" || die "mkiso failed"

# extract LOG OUT: the dump records of a serial log, checked; non-zero if incomplete.
extract() {
	tr -d '\r' <"$1" | awk '
		/^ACPIDUMP [^ ]+ 0x[0-9a-f]+ [0-9]+$/ && length($3) == 18 {
			if (open) { bad = 1 }
			open = 1; sig = $2; want = $4; got = 0; recs++; print; next }
		/^ACPIHEX [0-9a-f]*$/ {
			if (!open || length($2) % 2 || length($2) > 64) { bad = 1 }
			got += length($2) / 2; print; next }
		/^ACPIEND / {
			if (!open || $2 != sig || got != want) { bad = 1 }
			open = 0; print; next }
		/^ACPI(DUMP|HEX|END)/ { bad = 1 }
		END {
			if (open || recs < 3) { bad = 1 }
			exit bad }' >"$2"
}

# capture PLATFORM: boot it, write its fixture; prints one status line.
capture() {
	local p=$1 emu args log rc=0 ver
	read -r emu args <<<"${RUN[$p]}"
	log=$tmp/$p.log
	# shellcheck disable=SC2086
	bash "tools/run-$emu.sh" --iso "$tmp/hv.iso" $args --log "$log" \
		--timeout "$TIMEOUT" --stop-on "$STOP" >"$tmp/$p.out" 2>&1 || rc=$?
	[[ -n $keep ]] && mkdir -p "$keep" && cp "$log" "$keep/$p.log" 2>/dev/null
	if ! extract "$log" "$tmp/$p.acpi"; then
		echo "FAIL $p: no complete ACPI dump in the serial log (runner status $rc)"
		tail -n 20 "$log" 2>/dev/null | sed 's/^/    /'
		return 1
	fi
	if [[ $emu == qemu ]]; then
		ver=$(qemu-system-x86_64 --version | head -n 1)
	else
		ver=$(bochs --help 2>&1 </dev/null | grep -m 1 -o 'Bochs x86 Emulator [0-9.]*')
	fi
	{
		echo "# ACPI tables of platform $p, captured by tools/acpi-capture.sh"
		echo "# run: tools/run-$emu.sh $args; ${ver:-$emu}"
		echo "# format: acpi_dump() lines (arch/x86/acpi.h); read by tests/unit/acpi_fixture.c"
		cat "$tmp/$p.acpi"
	} >"$tmp/$p.fixture" && mv "$tmp/$p.fixture" "$out/$p.acpi"
	echo "OK   $p: $(grep -c '^ACPIDUMP' "$tmp/$p.acpi") tables -> $out/$p.acpi" \
		"($(grep '^ACPIDUMP' "$tmp/$p.acpi" | cut -d' ' -f2 | tr '\n' ' '))"
}

pids=()
for p in "${platforms[@]}"; do
	capture "$p" >"$tmp/$p.status" 2>&1 &
	pids+=($!)
done
bad=0
for i in "${!platforms[@]}"; do
	wait "${pids[$i]}" || bad=1
	cat "$tmp/${platforms[$i]}.status"
done
exit "$bad"
