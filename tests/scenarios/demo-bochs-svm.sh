# SPDX-License-Identifier: MIT
# The default demo under Bochs with SVM (CPU ryzen): everything demo-bochs-vmx.sh runs and
# checks, on the other vendor's back end.
. "$ROOT/tests/scenarios/demo-bochs-vmx.sh"
CPU=ryzen
