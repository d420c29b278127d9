/* SPDX-License-Identifier: MIT */
/* Reads CPUID 0x8000000A and VM_CR on the running CPU (the impure half of caps.c). */
#include "arch/x86/cpu.h"
#include "arch/x86/svm/caps.h"

void svm_caps_read(struct svm_raw *r)
{
	struct cpuid_regs c = cpuid(0x8000000a, 0);
	uint64_t vm_cr = 0;

	r->eax = c.eax;
	r->ebx = c.ebx;
	r->edx = c.edx;
	r->vm_cr = rdmsr_safe(MSR_VM_CR, &vm_cr) ? 0 : vm_cr;
}
