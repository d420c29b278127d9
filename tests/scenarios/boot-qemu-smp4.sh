# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC, 4 CPUs: every AP comes online with its own APIC ID.
DESC="svm npt=1; 4 CPUs online, APIC IDs distinct"
PLATFORM=qemu
CPU=EPYC
SMP=4
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_field '^cpu:' vendor AuthenticAMD
	expect_field '^virt: svm' npt 1
	expect_smp 4
}
