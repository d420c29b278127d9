#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot the hypervisor under QEMU TCG (q35) and return QEMU's exit status.
#
# usage: tools/run-qemu.sh (--iso F | --kernel F [--initrd "a,b"] [--append "CMDLINE"])
#          [--smp N] [--mem MiB] [--cpu MODEL] [--iommu none|amd|intel[,OPTS]]
#          [--extra "ARGS"] [--log FILE] [--debugcon FILE] [--timeout S]
#          [--stop-on REGEX] [--interactive] [--dry-run]
#
#   --iso F          boot a GRUB ISO (tools/mkiso.sh), multiboot2
#   --kernel F       QEMU's own multiboot(1) loader; needs a 32-bit ELF (build/hv32.elf);
#                    --initrd "a,b" passes modules (a module's string is its path, plus
#                    any arguments after a space), --append the command line
#   --smp N          CPUs (default 1)       --mem MiB   memory (default 256)
#   --cpu MODEL      default EPYC (SVM + NPT under TCG)
#   --iommu KIND     none (default), amd (-device amd-iommu: IVRS, MMIO 0xfed80000, 00:03.0),
#                    intel (-device intel-iommu,aw-bits=48,intremap=on: DMAR, 0xfed90000);
#                    ",OPTS" appends device options, e.g. intel,caching-mode=on
#   --extra "ARGS"   more QEMU arguments, split on spaces
#   --log FILE       serial (COM1) log; QEMU's own messages go next to it (FILE.qemu.log
#                    for FILE.log). Without --log the serial port is on stdout.
#   --debugcon FILE  port 0xe9 output
#   --timeout S      kill QEMU after S seconds and return 124 (default 0: none)
#   --stop-on REGEX  once the serial log matches REGEX (ERE), give QEMU 2 s to exit, then
#                    kill it and return 120 (for images that halt without exiting)
#   --interactive    serial and monitor on this terminal (Ctrl-A X quits), no timeout
#   --dry-run        print the QEMU command line and exit
#
# The image ends a run by writing a status v to port 0xf4 (isa-debug-exit): QEMU then
# exits with (v << 1) | 1, so image status 0 is exit status 1. A triple fault or a
# shutdown exits 0 (-no-reboot).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-run.sh
. "$here/lib-run.sh"

iso='' kernel='' initrd='' append='' smp=1 mem=256 cpu=EPYC iommu=none extra='' log='' debugcon=''
timeout=0 stop='' interactive=0 dry=0

need() { [[ $# -ge 2 ]] || run_die "option $1 needs a value"; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--iso) need "$@"; iso=$2; shift 2 ;;
	--kernel) need "$@"; kernel=$2; shift 2 ;;
	--initrd) need "$@"; initrd=$2; shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--mem) need "$@"; mem=$2; shift 2 ;;
	--cpu) need "$@"; cpu=$2; shift 2 ;;
	--iommu) need "$@"; iommu=$2; shift 2 ;;
	--extra) need "$@"; extra="$extra $2"; shift 2 ;;
	--log) need "$@"; log=$2; shift 2 ;;
	--debugcon) need "$@"; debugcon=$2; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--stop-on) need "$@"; stop=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--dry-run) dry=1; shift ;;
	-h | --help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) run_die "unknown option '$1' (try --help)" ;;
	esac
done

[[ -n $iso || -n $kernel ]] || run_die "give --iso F or --kernel F"
[[ -z $iso || -z $kernel ]] || run_die "--iso and --kernel exclude each other"
[[ -z $iso || ( -z $initrd && -z $append ) ]] || run_die "--initrd/--append go with --kernel (an ISO has its own grub.cfg)"
[[ $smp =~ ^[1-9][0-9]*$ ]] || run_die "--smp wants a positive number, not '$smp'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || run_die "--mem wants MiB, not '$mem'"
[[ $timeout =~ ^[0-9]+$ ]] || run_die "--timeout wants seconds, not '$timeout'"
[[ -z $stop || -n $log ]] || run_die "--stop-on needs --log"
command -v qemu-system-x86_64 >/dev/null || run_die "qemu-system-x86_64 not found (run tools/deps.sh)"

# shellcheck disable=SC2054 # commas inside QEMU option values
args=(qemu-system-x86_64 -machine q35 -accel tcg -cpu "$cpu" -smp "$smp" -m "$mem"
	-no-reboot -display none -device isa-debug-exit,iobase=0xf4,iosize=4)

# The IOMMU first: it must exist before the PCI devices it translates for.
case $iommu in
none) ;;
amd | amd,*) args+=(-device "amd-iommu${iommu#amd}") ;;
intel | intel,*) args+=(-device "intel-iommu,aw-bits=48,intremap=on${iommu#intel}") ;;
*) run_die "--iommu wants none, amd or intel[,OPTS], not '$iommu'" ;;
esac

if [[ -n $iso ]]; then
	[[ -f $iso ]] || run_die "no such ISO: $iso"
	args+=(-cdrom "$iso" -boot d)
else
	[[ -f $kernel ]] || run_die "no such kernel: $kernel"
	[[ $(od -An -tx1 -j4 -N1 "$kernel") == " 01" ]] ||
		run_die "$kernel is not a 32-bit ELF: QEMU's -kernel needs one (build/hv32.elf)"
	args+=(-kernel "$kernel")
	[[ -z $append ]] || args+=(-append "$append")
	[[ -z $initrd ]] || args+=(-initrd "$initrd")
fi
[[ -z $debugcon ]] || args+=(-debugcon "file:$debugcon")
# shellcheck disable=SC2206 # --extra is split on spaces on purpose
[[ -z ${extra// /} ]] || args+=($extra)

if ((interactive)); then
	args+=(-serial mon:stdio)
	((dry)) && { echo "${args[*]}"; exit 0; }
	exec "${args[@]}"
fi

if [[ -n $log ]]; then
	mkdir -p "$(dirname "$log")"
	: >"$log"
	args+=(-serial "file:$log")
	emulog=$(run_emu_log "$log" qemu)
else
	args+=(-serial stdio)
	emulog=/dev/stderr
fi
((dry)) && { echo "${args[*]}"; exit 0; }

rc=0
if [[ -n $log ]]; then
	echo "${args[*]}" >"$emulog"
	run_supervised "$timeout" "$log" "$stop" "${args[@]}" >>"$emulog" 2>&1 || rc=$?
else
	run_supervised "$timeout" "" "" "${args[@]}" || rc=$?
fi
exit "$rc"
