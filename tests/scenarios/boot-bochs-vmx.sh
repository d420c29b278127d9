# SPDX-License-Identifier: MIT
# Bochs, corei7_skylake_x: VMX with EPT, VPID, unrestricted guest and the preemption
# timer; 4 CPUs. The only VMX platform here.
DESC="GenuineIntel family 0x06 model 0x55; vmx ept=1 vpid=1 unrestricted=1 preemption_timer=1 ept_2m=1 ept_1g=1; x2apic; TSC from the PIT (CPUID 0x16 overruled); 4 CPUs; W^X audit"
PLATFORM=bochs
CPU=corei7_skylake_x
SMP=4
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_mem "$MEM"
	expect_field '^cpu:' vendor GenuineIntel
	expect_field '^cpu:' family 0x06
	expect_field '^cpu:' model 0x55
	expect_field '^virt: vmx' ept 1
	expect_field '^virt: vmx' vpid 1
	expect_field '^virt: vmx' unrestricted 1
	expect_field '^virt: vmx' preemption_timer 1
	expect_field '^virt: vmx' ept_2m 1
	expect_field '^virt: vmx' ept_1g 1
	reject '^virt: (svm|none)'
	expect '^iommu: none found'
	expect_smp 4
	expect_field '^paging: audit' wx 0
	expect_field '^paging: audit' null_page unmapped
	expect_field '^lapic:' mode x2apic
	# Bochs ticks the TSC once per instruction (IPS=4000000 per emulated second) while
	# CPUID 0x16 states 3.5 GHz: the PIT measurement must win.
	expect_range '^tsc:' khz 3960 4040
	expect_field '^tsc:' source pit-over-cpuid
	expect_field '^tsc:' cpuid_khz 3500000
}
