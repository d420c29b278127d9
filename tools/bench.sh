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
} | tee "$out/results.txt"
