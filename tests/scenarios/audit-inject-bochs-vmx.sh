# SPDX-License-Identifier: MIT
# The isolation audit's own test under Bochs VMX (EPT): everything audit-inject-qemu.sh
# runs and checks, on the other vendor's nested tables.
. "$ROOT/tests/scenarios/audit-inject-qemu.sh"
PLATFORM=bochs
CPU=corei7_skylake_x
