#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make bench`: round-trip cost of a CPUID exit and of a null hypercall, seen by a guest in
# TSC ticks, next to a bare CPUID in root mode, on each vCPU platform. Every platform here
# counts one TSC tick per instruction (QEMU with -icount shift=0, Bochs always), so the
# figures are instruction counts, repeatable run to run. Results: build/bench/results.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
out=$root/build/bench
hv=${HV:-$root/build/hv.elf}
guest=$root/build/guests/bench.elf
mkdir -p "$out"

bash "$here/mkiso.sh" "$out/bench.iso" "$hv" "exit bench guests=bench@0" "bench=$guest"
for n in 1 2; do
	bash "$here/mkiso.sh" "$out/evbench-${n}cpu.iso" "$hv" "exit" \
		"manifest=$root/tests/manifests/evbench-${n}cpu.hvm" "evbench=$root/build/guests/evbench.elf"
done

run_platform() {
	local name=$1
	shift
	local log=$out/$name.log
	"$@" --iso "$out/bench.iso" --log "$log" --timeout 300 >/dev/null 2>&1 || true
	local host guest
	host=$(grep -m1 '^bench: host' "$log" || true)
	guest=$(grep -m1 'bench: guest' "$log" || true)
	if [[ -z $host || -z $guest ]]; then
		printf '%-22s FAILED: no bench lines in %s\n' "$name" "$log"
		return 1
	fi
	field() { sed -nE "s/.*[[:space:]]$1=([0-9]+).*/\1/p" <<<"$2"; }
	local hr hc gr gc gh
	hr=$(field rdtsc_ticks "$host")
	hc=$(field cpuid_ticks "$host")
	gr=$(field rdtsc_ticks "$guest")
	gc=$(field cpuid_exit_ticks "$guest")
	gh=$(field hypercall_ticks "$guest")
	printf '%-22s %10s %12s %12s %14s %14s\n' "$name" "$((hc - hr))" "$((gc - gr))" \
		"$((gh - gr))" "$((gc - gr - (hc - hr)))" "$((gh - gr - (hc - hr)))"
}

# Event ping-pong between two partitions (tests/guests/evbench.c): median round trip, and
# exits of both partitions per event sent (whole run, including start-up).
run_events() {
	local name=$1 n=$2
	shift 2
	local log=$out/$name-ev${n}.log
	"$@" --smp 2 --iso "$out/evbench-${n}cpu.iso" --log "$log" --timeout 300 >/dev/null 2>&1 || true
	local rt ev ea eb
	rt=$(sed -nE 's/.*evbench: round_trip_ticks=([0-9]+) events=([0-9]+).*/\1/p' "$log")
	ev=$(sed -nE 's/.*evbench: round_trip_ticks=([0-9]+) events=([0-9]+).*/\2/p' "$log")
	ea=$(sed -nE 's/^guest: eva exits total=([0-9]+).*/\1/p' "$log")
	eb=$(sed -nE 's/^guest: evb exits total=([0-9]+).*/\1/p' "$log")
	if [[ -z $rt || -z $ev || -z $ea || -z $eb ]]; then
		printf '%-22s %5s FAILED: see %s\n' "$name" "${n}cpu" "$log"
		return 1
	fi
	printf '%-22s %5s %16s %18s\n' "$name" "${n}cpu" "$rt" \
		"$(awk -v a="$ea" -v b="$eb" -v e="$ev" 'BEGIN { printf "%.2f", (a + b) / e }')"
}

# Each hcfuzz scenario with a million calls in all; the figures from its two fuzzers' lines.
run_fuzz() {
	local count=${HCFUZZ_COUNT:-500000} sc log calls ok err bad
	for sc in qemu bochs-vmx bochs-svm; do
		HCFUZZ_COUNT=$count HCFUZZ_TIMEOUT=600 bash "$here/scenarios.sh" "hcfuzz-$sc" \
			>/dev/null 2>&1 || true
		log=$root/build/scenarios/hcfuzz-$sc/serial.log
		read -r calls ok err bad < <(sed -nE \
			's/^\[fz(svc|child)\] hcfuzz: calls=([0-9]+) ok=([0-9]+) errors=([0-9]+) unexpected=([0-9]+)$/\2 \3 \4 \5/p' \
			"$log" 2>/dev/null | awk '{c+=$1; o+=$2; e+=$3; u+=$4} END {print c+0, o+0, e+0, u+0}')
		printf '%-22s %10s %12s %12s %12s\n' "hcfuzz-$sc" "$calls" "$ok" "$err" "$bad"
	done
}

# pvblk (issue 6), on QEMU with a virtio-blk disk and icount: tests/manifests/pvblk-bench*.hvm.
# Throughput: blksvc's selftest= (its own disk, directly through blkdev) then blkchild's
# tput= (the same through pvblk), both 32 MiB written then read in 64 KiB requests at
# depth 32, in one run; PVBLK_RUNS runs (default 3), the median ratio. Exits and injected
# interrupts per request: whole-life counts of the qd32 and qd1 runs minus the idle run's
# (the same partitions, no requests), over the requests made.
pvblk_boot() {
	local k=$1 img=$out/pvblk-disk.img m=pvblk-bench${1:+-$1}
	[[ $k == tput* ]] && m=pvblk-bench
	bash "$here/mkiso.sh" "$out/pvblk-$k.iso" "$hv" "loglevel=info exit" \
		"manifest=$root/tests/manifests/$m.hvm" "blksvc=$root/build/guests/blksvc.elf" \
		"blkchild=$root/build/guests/blkchild.elf" >/dev/null
	rm -f "$img"
	truncate -s 128M "$img"
	bash "$here/run-qemu.sh" --cpu EPYC --smp 2 --iso "$out/pvblk-$k.iso" --log "$out/pvblk-$k.log" \
		--timeout 300 --extra "-icount shift=0,sleep=off -rtc clock=vm \
		-drive file=$img,if=none,id=d0,format=raw \
		-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=0x4" >/dev/null 2>&1 || true
	tr -d '\r\000' <"$out/pvblk-$k.log" >"$out/pvblk-$k.log.tmp" && mv -f "$out/pvblk-$k.log.tmp" "$out/pvblk-$k.log"
}

# pvblk_sum LOG RE KEY: the sum of KEY= over the lines matching RE.
pvblk_sum() {
	grep -E "$2" "$1" | sed -nE "s/.*[[:space:]]$3=([0-9]+).*/\1/p" | awk '{ s += $1 } END { print s + 0 }'
}

run_pvblk() {
	local runs=${PVBLK_RUNS:-3} i log nb nt cb ct ratios=() k
	echo "pvblk on qemu-epyc-svm, virtio-blk, icount (ticks = instructions of both CPUs)."
	echo "Throughput: 32 MiB written then read in 64 KiB requests, 32 in flight; MB per"
	echo "million ticks (= MB/s at 1 instruction per ns). native: the service on its own"
	echo "disk (blkdev); child: through pvblk. Polled disk (see pvblk-bench.hvm); target >= 0.9."
	printf '%-8s %12s %12s %12s %12s %8s\n' run native_w native_r child_w child_r ratio
	for ((i = 1; i <= runs; i++)); do
		pvblk_boot "tput$i"
		log=$out/pvblk-tput$i.log
		nb=$(pvblk_sum "$log" '\[svc\] blksvc: selftest ' bytes)
		nt=$(pvblk_sum "$log" '\[svc\] blksvc: selftest ' ticks)
		cb=$(pvblk_sum "$log" '\[t\] blkchild: tput ' bytes)
		ct=$(pvblk_sum "$log" '\[t\] blkchild: tput ' ticks)
		if ((nb == 0 || nt == 0 || cb != nb || ct == 0)) || grep -qE 'errors=[1-9]|\[t\] FAIL' "$log"; then
			printf '%-8s FAILED: see %s\n' "$i" "$log"
			continue
		fi
		pvblk_mbt() { awk -v b="$(pvblk_sum "$log" "$1" bytes)" -v t="$(pvblk_sum "$log" "$1" ticks)" \
			'BEGIN { printf "%.1f", b / t * 1000 }'; }
		ratios+=("$(awk -v a="$cb" -v b="$ct" -v c="$nb" -v d="$nt" 'BEGIN { printf "%.3f", (a / b) / (c / d) }')")
		printf '%-8s %12s %12s %12s %12s %8s\n' "$i" "$(pvblk_mbt '\[svc\] blksvc: selftest write')" \
			"$(pvblk_mbt '\[svc\] blksvc: selftest read')" "$(pvblk_mbt '\[t\] blkchild: tput write')" \
			"$(pvblk_mbt '\[t\] blkchild: tput read')" "${ratios[-1]}"
	done
	((${#ratios[@]})) && printf '%-8s %60s\n' median \
		"$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
	echo
	echo "Per request (whole-life counts minus the idle run's, / requests; disk interrupts on)."
	echo "hcall: hypercalls (event sends, waits, timers); inj: injected interrupts; target at"
	echo "most 0.1 exits per request at depth 32. Bytes copied per byte moved: blkback's copied/bytes."
	for k in idle qd32 qd1; do pvblk_boot "$k"; done
	local base=$out/pvblk-idle.log
	pvblk_field() { sed -nE "s/^guest: $2 exits.*[[:space:]]$3=([0-9]+).*/\1/p" "$1" | head -1; }
	printf '%-6s %6s %10s %10s %10s %10s %10s %10s %10s\n' depth reqs child_exits child_hcall \
		child_inj svc_exits svc_hcall svc_inj copied/B
	for k in qd32 qd1; do
		log=$out/pvblk-$k.log
		local reqs copied bytes row=() p f
		reqs=$(pvblk_sum "$log" '\[t\] blkchild: tput ' requests)
		copied=$(pvblk_sum "$log" '\[svc\] blkback: data t-disk: ' copied)
		bytes=$(pvblk_sum "$log" '\[svc\] blkback: data t-disk: ' bytes)
		if ((reqs == 0)) || [[ -z $(pvblk_field "$log" t total) || -z $(pvblk_field "$base" t total) ]]; then
			printf '%-6s FAILED: see %s\n' "${k#qd}" "$log"
			continue
		fi
		for p in t svc; do
			for f in total hypercall injected; do
				row+=("$(awk -v a="$(pvblk_field "$log" $p $f)" -v b="$(pvblk_field "$base" $p $f)" -v r="$reqs" \
					'BEGIN { printf "%.3f", (a - b) / r }')")
			done
		done
		printf '%-6s %6s %10s %10s %10s %10s %10s %10s %10s\n' "${k#qd}" "$reqs" "${row[@]}" \
			"$(awk -v c="$copied" -v b="$bytes" 'BEGIN { printf "%.3f", b ? c / b : -1 }')"
	done
}

# pvnet (issue 7), on QEMU with a virtio-net NIC on -netdev user,restrict=on and icount:
# tests/manifests/pvnet-bench*.hvm, three CPUs (service, sender, receiver). UDP datagrams
# of 1472 bytes (1514-byte frames), 20000 per measurement, as fast as buffers allow.
# Throughput (PVNET_RUNS runs, default 3, in one boot each): netsvc's selftest= (its own
# path: the same datagrams built by the IPv4 stack, copied once, straight to the NIC,
# polled), then netchild's blast= to 10.0.2.2 (child to host: frames the NIC sent, from
# the uplink port's out bytes) and to child b (child to child: what b's sink= counted,
# first to last). Exits and injected interrupts per frame: whole-life counts of the c2h
# and c2c runs, raw and minus the idle run's (the same partitions, no traffic).
pvnet_boot() {
	local k=$1 m=pvnet-bench${1:+-$1}
	[[ $k == tput* ]] && m=pvnet-bench
	bash "$here/mkiso.sh" "$out/pvnet-$k.iso" "$hv" "loglevel=info exit" \
		"manifest=$root/tests/manifests/$m.hvm" "netsvc=$root/build/guests/netsvc.elf" \
		"netchild=$root/build/guests/netchild.elf" >/dev/null
	bash "$here/run-qemu.sh" --cpu EPYC --smp 3 --iso "$out/pvnet-$k.iso" --log "$out/pvnet-$k.log" \
		--timeout 120 --extra "-icount shift=0,sleep=off -rtc clock=vm \
		-netdev user,id=n0,restrict=on \
		-device virtio-net-pci,netdev=n0,disable-legacy=on,addr=0x5,mac=52:54:00:12:34:56" \
		>/dev/null 2>&1 || true
	tr -d '\r\000' <"$out/pvnet-$k.log" >"$out/pvnet-$k.log.tmp" && mv -f "$out/pvnet-$k.log.tmp" "$out/pvnet-$k.log"
}

# pvnet_get LOG RE KEY: KEY= of the first line matching RE (empty if none).
pvnet_get() {
	grep -m1 -E "$2" "$1" | sed -nE "s/.*[[:space:]]$3=(-?[0-9]+).*/\1/p"
}

# pvnet_rate FRAMES BYTES TICKS HZ: "frames/s Mbit/s" per emulated second (TICKS/HZ s).
pvnet_rate() {
	awk -v f="$1" -v b="$2" -v t="$3" -v h="$4" 'BEGIN { s = t / h
		if (s > 0) printf "%.0f %.1f", f / s, b * 8 / s / 1e6; else print "- -" }'
}

run_pvnet() {
	local runs=${PVNET_RUNS:-3} i log hz sf sb st hf hl hb ht cf cb ct ratios=() k
	local sfps smb hfps hmb cfps cmb
	echo "pvnet on qemu-epyc-svm, virtio-net on -netdev user,restrict=on, icount shift=0 (ticks"
	echo "= instructions of all three CPUs together, one clock). fps and Mbit/s are per emulated"
	echo "second = TSC_HZ ticks (reported rate, about 1e9 instructions), not host time; Mbit/s"
	echo "of Ethernet frames without FCS. 20000 UDP datagrams of 1472 bytes (1514-byte frames)."
	echo "own: netsvc straight to the NIC; c2h: child a to 10.0.2.2 through the switch and NIC"
	echo "(frames the NIC sent; sent/NIC: what a sent, what left); c2c: child a to child b"
	echo "(frames b received, first to last; rcvd of 20000). ratio: c2h fps / own fps."
	printf '%-4s %9s %8s %9s %8s %12s %9s %8s %6s %7s\n' run own_fps own_Mb c2h_fps c2h_Mb \
		sent/NIC c2c_fps c2c_Mb rcvd ratio
	for ((i = 1; i <= runs; i++)); do
		pvnet_boot "tput$i"
		log=$out/pvnet-tput$i.log
		hz=$(pvnet_get "$log" '\[svc\] netsvc: selftest ' hz)
		sf=$(pvnet_get "$log" '\[svc\] netsvc: selftest ' frames)
		sb=$(pvnet_get "$log" '\[svc\] netsvc: selftest ' bytes)
		st=$(pvnet_get "$log" '\[svc\] netsvc: selftest ' ticks)
		hf=$(pvnet_get "$log" '\[a\] netchild: blast 10\.0\.2\.2:' ok)
		hb=$(pvnet_get "$log" '\[a\] netchild: blast 10\.0\.2\.2:' bytes)
		ht=$(pvnet_get "$log" '\[a\] netchild: blast 10\.0\.2\.2:' ticks)
		ct=$(pvnet_get "$log" '\[b\] netchild: sink port=[0-9]+ frames=' ticks)
		cf=$(pvnet_get "$log" '\[b\] netchild: sink port=[0-9]+ frames=' frames)
		cb=$(pvnet_get "$log" '\[b\] netchild: sink port=[0-9]+ frames=' bytes)
		# What left the NIC: the uplink port's out bytes in whole data frames (ARP is 42).
		hl=$(grep -E '^\[svc\] netback: port [0-9]+ uplink ' "$log" | tail -1 |
			sed -nE 's/.* out [0-9]+\/([0-9]+) .*/\1/p')
		if [[ -z $hz || -z $sf || -z $hf || -z $ct || -z $hl ]] || ((sf == 0 || hf == 0 || cf == 0)); then
			printf '%-4s FAILED: see %s\n' "$i" "$log"
			continue
		fi
		hl=$((hl / (hb / hf)))
		read -r sfps smb <<<"$(pvnet_rate "$sf" "$sb" "$st" "$hz")"
		read -r hfps hmb <<<"$(pvnet_rate "$hl" $((hl * (hb / hf))) "$ht" "$hz")"
		read -r cfps cmb <<<"$(pvnet_rate "$cf" "$cb" "$ct" "$hz")"
		ratios+=("$(awk -v a="$hfps" -v b="$sfps" 'BEGIN { printf "%.3f", a / b }')")
		printf '%-4s %9s %8s %9s %8s %12s %9s %8s %6s %7s\n' "$i" "$sfps" "$smb" "$hfps" "$hmb" \
			"$hf/$hl" "$cfps" "$cmb" "$cf" "${ratios[-1]}"
	done
	((${#ratios[@]})) && printf '%-4s %87s\n' median \
		"$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
	echo
	echo "Per frame at full load (whole-life counts; net: minus the idle run's), 20000 frames sent;"
	echo "receiver: per frame received. inj: injected interrupts. Target: at most 0.1 exits per frame."
	for k in idle c2h c2c; do pvnet_boot "$k"; done
	local base=$out/pvnet-idle.log
	pvnet_field() { sed -nE "s/^guest: $2 exits.*[[:space:]]$3=([0-9]+).*/\1/p" "$1" | head -1; }
	printf '%-4s %-9s %6s %10s %10s %10s %10s %10s %7s\n' run partition frames exits net_exits \
		net_hcall inj net_inj target
	for k in c2h c2c; do
		log=$out/pvnet-$k.log
		local sent rcvd p fr row
		sent=$(pvnet_get "$log" '\[a\] netchild: blast ' ok)
		rcvd=$(pvnet_get "$log" '\[b\] netchild: sink port=[0-9]+ frames=' frames)
		if [[ -z $sent || -z $(pvnet_field "$log" svc total) || -z $(pvnet_field "$base" svc total) ]] ||
			((sent == 0)); then
			printf '%-4s FAILED: see %s or %s\n' "$k" "$log" "$base"
			continue
		fi
		for p in a b svc; do
			fr=$sent
			case $k/$p in
			c2h/b) continue ;;
			c2c/b) fr=${rcvd:-0} ;;
			esac
			((fr)) || continue
			row=$(awk -v e="$(pvnet_field "$log" $p total)" -v e0="$(pvnet_field "$base" $p total)" \
				-v h="$(pvnet_field "$log" $p hypercall)" -v h0="$(pvnet_field "$base" $p hypercall)" \
				-v j="$(pvnet_field "$log" $p injected)" -v j0="$(pvnet_field "$base" $p injected)" \
				-v f="$fr" 'BEGIN { printf "%.4f %.4f %.4f %.4f %.4f %s", e / f, (e - e0) / f,
				(h - h0) / f, j / f, (j - j0) / f, (e - e0) / f <= 0.1 ? "met" : "MISSED" }')
			# shellcheck disable=SC2086 # row is six words
			printf '%-4s %-9s %6s %10s %10s %10s %10s %10s %7s\n' "$k" \
				"$(case $p in a) echo sender ;; b) echo receiver ;; *) echo service ;; esac)" "$fr" $row
		done
	done
}

{
	echo "Exit round trips in TSC ticks (= instructions on these platforms), medians of 64."
	echo "cpuid: bare CPUID in root mode; exit: CPUID from a guest, entry to resume;"
	echo "hcall: null hypercall (HC_VERSION); *-over-bare: the part that is exit handling."
	printf '%-22s %10s %12s %12s %14s %14s\n' platform cpuid exit hcall exit-over-bare hcall-over-bare
	run_platform qemu-epyc-svm bash "$here/run-qemu.sh" --cpu EPYC --smp 1 \
		--extra "-icount shift=0,sleep=off -rtc clock=vm" || true
	run_platform bochs-ryzen-svm bash "$here/run-bochs.sh" --cpu ryzen --smp 1 || true
	run_platform bochs-skylake-vmx bash "$here/run-bochs.sh" --cpu corei7_skylake_x --smp 1 || true
	echo
	echo "Event round trip between two partitions (median of 64, TSC ticks = instructions), on"
	echo "one CPU (both time-sliced) and on two; exits of both partitions per event sent."
	printf '%-22s %5s %16s %18s\n' platform cpus round_trip_ticks exits_per_event
	for n in 1 2; do
		run_events qemu-epyc-svm "$n" bash "$here/run-qemu.sh" --cpu EPYC \
			--extra "-icount shift=0,sleep=off -rtc clock=vm" || true
		run_events bochs-ryzen-svm "$n" bash "$here/run-bochs.sh" --cpu ryzen || true
		run_events bochs-skylake-vmx "$n" bash "$here/run-bochs.sh" --cpu corei7_skylake_x || true
	done
	echo
	echo "Hypercall fuzzing (tests/guests/hcfuzz.c): two partitions make HCFUZZ_COUNT random"
	echo "calls each (1M per platform by default); every result must be the one the ABI says."
	printf '%-22s %10s %12s %12s %12s\n' platform calls ok errors unexpected
	run_fuzz
	echo
	run_pvblk || true
	echo
	run_pvnet || true
} | tee "$out/results.txt"
