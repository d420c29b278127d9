# SPDX-License-Identifier: MIT
# Bochs, ryzen: the second SVM implementation, with nRIP save (QEMU has none); 2 CPUs.
DESC="AuthenticAMD; svm npt=1 nrip=1; 2 CPUs; no IOMMU"
PLATFORM=bochs
CPU=ryzen
SMP=2
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_mem "$MEM"
	expect_field '^cpu:' vendor AuthenticAMD
	expect_field '^virt: svm' npt 1
	expect_field '^virt: svm' nrip 1
	reject '^virt: (vmx|none)'
	expect '^iommu: none found'
	expect_smp 2
	expect_field '^lapic:' mode xapic
	expect_range '^tsc:' khz 3960 4040
	expect_field '^tsc:' source pit
}
