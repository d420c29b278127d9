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
} | tee "$out/results.txt"
