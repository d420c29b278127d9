# SPDX-License-Identifier: MIT
# Hypercall fuzzing on Bochs ryzen (SVM, NPT, nRIP) (tests/manifests/hcfuzz.hvm):
# random and malformed hypercalls from the service partition and a child, every result
# checked; the hypervisor and a bystander outlive them.
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info"
HCFUZZ_COUNT=${HCFUZZ_COUNT:-200000}
TIMEOUT=${HCFUZZ_TIMEOUT:-90}
DESC="hcfuzz.hvm: fzsvc (service, cpu 0) and fzchild (child, cpu 1) each make $HCFUZZ_COUNT random hypercalls (numbers in and out of range, edge arguments); every result as the ABI says (unexpected=0), no register clobbered; watch (cpu 1) outlives both and still gets answers"
. "$ROOT/tests/scenarios/guest.inc"
. "$ROOT/tests/scenarios/hcfuzz.inc"
MODULES=(manifest="$OUT/hcfuzz.hvm" "$(guest_module hcfuzz)")

prepare() {
	write_hcfuzz_manifest "$OUT/hcfuzz.hvm" "$HCFUZZ_COUNT"
}

check() {
	expect_hcfuzz "$HCFUZZ_COUNT"
}
