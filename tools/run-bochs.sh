#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot a GRUB ISO of the hypervisor under Bochs 2.7, headless, and return its status.
#
# usage: tools/run-bochs.sh --iso F [--cpu MODEL] [--smp N] [--mem MiB] [--ips N]
#          [--disk FILE] [--nic slirp|null] [--log FILE] [--timeout S] [--stop-on REGEX]
#          [--dry-run]
#
#   --iso F          GRUB ISO (tools/mkiso.sh) on the first IDE channel, booted as a CD
#   --cpu MODEL      corei7_skylake_x (default: VMX + EPT + VPID + unrestricted guest +
#                    preemption timer) or ryzen (SVM + NPT + nRIP), or any `bochs --help cpu`
#   --smp N          CPUs (default 1; this Debian build has SMP: 2 and 4 were tested)
#   --mem MiB        memory (default 256)
#   --ips N          emulated instructions per emulated second (default 4000000). With
#                    `clock: sync=none` time is counted in instructions, so a lower value
#                    makes the BIOS's waits shorter; the TSC still ticks once per instruction.
#   --disk FILE      a raw (flat) disk image on the second IDE channel's master (ata1-master,
#                    ports 0x170/0x376), written in place; its size must be a multiple of 512
#   --nic KIND       an e1000 (82540EM, PCI slot chosen by Bochs, MAC 52:54:00:12:34:58) on
#                    Bochs's user network, restricted to its own services (slirp: gateway
#                    10.0.2.2, nothing leaves the machine), or on no network at all (null)
#   --log FILE       serial (COM1) log (default: a temp file, printed on stdout at the end);
#                    Bochs's own log (and port 0xe9 output) goes next to it, FILE.bochs.log
#                    for FILE.log, with the generated bochsrc at its top
#   --timeout S      kill Bochs after S seconds and return 124 (default 0: none)
#   --stop-on REGEX  once the serial log matches REGEX (ERE), give Bochs 2 s to exit, then
#                    kill it and return 120
#   --dry-run        print the bochsrc and exit
#
# Exit status: 0 when the image wrote "Shutdown" to port 0x8900 (Bochs itself exits 1
# then, reporting it as a panic; this script tells it from real panics by its message),
# 1 for any other fatal Bochs error (triple fault included: reset_on_triple_fault=0),
# 124 on timeout, 120 for --stop-on, 2 for bad usage. The image's own status is in its log.
#
# Headless: Debian's Bochs has no `nogui` display, so the rfb display runs with
# timeout=0 (never waits for a VNC client). Each running instance listens on the first
# free TCP port from 5900 (on all interfaces: Bochs has no option to bind to localhost),
# so instances run in parallel without conflict.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib-run.sh
. "$here/lib-run.sh"

iso='' disk='' nic='' cpu=corei7_skylake_x smp=1 mem=256 ips=4000000 log='' timeout=0 stop='' dry=0

need() { [[ $# -ge 2 ]] || run_die "option $1 needs a value"; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--iso) need "$@"; iso=$2; shift 2 ;;
	--cpu) need "$@"; cpu=$2; shift 2 ;;
	--smp) need "$@"; smp=$2; shift 2 ;;
	--mem) need "$@"; mem=$2; shift 2 ;;
	--ips) need "$@"; ips=$2; shift 2 ;;
	--disk) need "$@"; disk=$2; shift 2 ;;
	--nic) need "$@"; nic=$2; shift 2 ;;
	--log) need "$@"; log=$2; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--stop-on) need "$@"; stop=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h | --help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) run_die "unknown option '$1' (try --help)" ;;
	esac
done

[[ -n $iso ]] || run_die "give --iso F"
[[ -f $iso ]] || run_die "no such ISO: $iso"
[[ $cpu =~ ^[a-z0-9_]+$ ]] || run_die "bad --cpu '$cpu'"
[[ $smp =~ ^[1-9][0-9]*$ ]] || run_die "--smp wants a positive number, not '$smp'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || run_die "--mem wants MiB, not '$mem'"
[[ $ips =~ ^[1-9][0-9]*$ ]] || run_die "--ips wants a positive number, not '$ips'"
[[ $timeout =~ ^[0-9]+$ ]] || run_die "--timeout wants seconds, not '$timeout'"
if [[ -n $disk ]]; then
	[[ -f $disk ]] || run_die "no such disk image: $disk"
	(($(stat -c %s "$disk") % 512 == 0)) || run_die "disk image size is not a multiple of 512: $disk"
fi
[[ -z $nic || $nic == slirp || $nic == null ]] || run_die "--nic wants slirp or null, not '$nic'"
command -v bochs >/dev/null || run_die "bochs not found (run tools/deps.sh)"

find_rom() {
	local f
	for f in "$@"; do [[ -f $f ]] && { echo "$f"; return 0; }; done
	run_die "none of these exists: $* (run tools/deps.sh)"
}
bios=$(find_rom /usr/share/bochs/BIOS-bochs-latest)
vgabios=$(find_rom /usr/share/bochs/VGABIOS-lgpl-latest /usr/share/vgabios/vgabios.bin)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-bochs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
print_log=0
if [[ -z $log ]]; then
	log=$tmp/serial.log
	print_log=1
fi
mkdir -p "$(dirname "$log")"
log=$(cd "$(dirname "$log")" && pwd)/$(basename "$log")
iso=$(cd "$(dirname "$iso")" && pwd)/$(basename "$iso")
[[ -z $disk ]] || disk=$(cd "$(dirname "$disk")" && pwd)/$(basename "$disk")
[[ $log != *[,\"]* && $iso != *[,\"]* && $disk != *[,\"]* ]] || run_die "paths must not contain ',' or '\"'"
emulog=$(run_emu_log "$log" bochs)

# sound/speaker: the default ALSA mixer thread aborts ("buffer overflow detected") on a
# machine without a sound card, so use the dummy drivers and no speaker.
cat >"$tmp/bochsrc" <<RC
cpu: model=$cpu, count=$smp, ips=$ips, reset_on_triple_fault=0
memory: guest=$mem, host=$mem
romimage: file=$bios
vgaromimage: file=$vgabios
ata0-master: type=cdrom, path="$iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$log"
port_e9_hack: enabled=1
clock: sync=none, time0=1
display_library: rfb, options="timeout=0"
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0
mouse: enabled=0
log: -
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
# The disk on its own channel, so the CD's channel never holds a second device.
[[ -z $disk ]] || cat >>"$tmp/bochsrc" <<RC
ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=disk, path="$disk", mode=flat
RC
# The NIC: slirp's configuration file must start with its magic line.
if [[ $nic == slirp ]]; then
	printf '# slirp config\nrestricted = 1\n' >"$tmp/slirp.conf"
	echo "e1000: enabled=1, mac=52:54:00:12:34:58, ethmod=slirp, script=$tmp/slirp.conf" >>"$tmp/bochsrc"
elif [[ $nic == null ]]; then
	echo "e1000: enabled=1, mac=52:54:00:12:34:58, ethmod=null" >>"$tmp/bochsrc"
fi
echo c >"$tmp/cmds"
((dry)) && { cat "$tmp/bochsrc"; exit 0; }

: >"$log"
{
	echo "# bochsrc:"
	sed 's/^/#   /' "$tmp/bochsrc"
} >"$emulog"
rc=0
run_supervised "$timeout" "$log" "$stop" bochs -q -f "$tmp/bochsrc" -rc "$tmp/cmds" >>"$emulog" 2>&1 || rc=$?
if ((rc == 1)) && grep -q 'Shutdown port: shutdown requested' "$emulog"; then
	rc=0
elif ((rc == 1)); then
	{
		echo "run-bochs.sh: Bochs stopped with an error; from $emulog:"
		grep -aE '>>PANIC<<|\[.*\] *(e|p)\[' "$emulog" | tail -5
	} >&2
fi
((print_log)) && cat "$log"
exit "$rc"
