# SPDX-License-Identifier: MIT
# QEMU TCG, -cpu EPYC (SVM + NPT, no nRIP save), 2 CPUs, no IOMMU: the main platform.
DESC="multiboot2 banner and cmdline; memory; AuthenticAMD family 0x17; svm npt=1 nrip=0 asids=16; no IOMMU; 2 CPUs online; W^X audit"
PLATFORM=qemu
CPU=EPYC
SMP=2
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_mem "$MEM"
	expect_field '^cpu:' vendor AuthenticAMD
	expect_field '^cpu:' family 0x17
	expect_field '^virt: svm' npt 1
	expect_field '^virt: svm' nrip 0
	expect_field '^virt: svm' asids 16
	reject '^virt: (vmx|none)'
	expect '^iommu: none found'
	expect_smp 2
	expect_field '^paging: audit' wx 0
	expect_field '^paging: audit' null_page unmapped
	expect_field '^paging: audit' guard_pages 8/8
	expect_field '^lapic:' mode xapic
	expect_field '^tsc:' source pit
	expect_range '^tsc:' khz 100000 100000000
	expect_order '^hv: multiboot2' '^mem:' '^smp: 2 of 2' '^hv: boot complete' '^hv: exit status='
}
