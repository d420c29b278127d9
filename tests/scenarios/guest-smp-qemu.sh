# SPDX-License-Identifier: MIT
# Two guests at once on QEMU TCG -cpu EPYC (SVM, NPT, no nRIP): one spin guest per CPU, their ticks interleave.
DESC="spin0 on cpu 0 and spin1 on cpu 1 (one image, two modules): 20 ticks each, interleaved, both exit 0"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info guests=spin0@0,spin1@1"
. "$ROOT/tests/scenarios/guest.inc"
MODULES=("$(guest_module spin0 spin)" "$(guest_module spin1 spin)")

# line_no RE first|last: the number of the first or last line matching RE (empty if none).
line_no() {
	local n
	n=$(grep -En -- "$1" "$LOG" | cut -d: -f1 || true)
	if [[ $2 == first ]]; then head -1 <<<"$n"; else tail -1 <<<"$n"; fi
}

check() {
	local g f0 l0 f1 l1
	for g in 0 1; do
		expect "^guest: spin$g running on cpu $g \($(vendor_of_cpu)\)"
		expect "^\[spin$g\] spin: spin$g, 20 ticks"
		expect_count "^\[spin$g\] tick [0-9]+ tsc=[0-9]+$" 20
		expect "^guest: spin$g exited status=0 "
		reject "^guest: spin$g stopped"
		reject "^\[spin$g\] FAIL"
	done
	f0=$(line_no '^\[spin0\] tick ' first) l0=$(line_no '^\[spin0\] tick ' last)
	f1=$(line_no '^\[spin1\] tick ' first) l1=$(line_no '^\[spin1\] tick ' last)
	if [[ -n $f0 && -n $f1 ]]; then
		((f0 < l1 && f1 < l0)) ||
			fail "ticks do not interleave: spin0 lines $f0..$l0, spin1 lines $f1..$l1"
	fi
	expect_all_finished
}
