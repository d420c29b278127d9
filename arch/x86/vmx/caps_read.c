/* SPDX-License-Identifier: MIT */
/* Reads the VMX capability MSRs on the running CPU (the impure half of caps.c). */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/caps.h"

static uint64_t read_or_zero(uint32_t msr)
{
	uint64_t v;

	return rdmsr_safe(msr, &v) ? 0 : v;
}

void vmx_caps_read(struct vmx_msrs *m)
{
	uint64_t basic = read_or_zero(MSR_IA32_VMX_BASIC);
	bool true_ctls = (basic >> 55) & 1;

	m->feature_control = read_or_zero(MSR_IA32_FEATURE_CONTROL);
	m->basic = basic;
	m->pinbased = read_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					       MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = read_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
						MSR_IA32_VMX_PROCBASED_CTLS);
	m->misc = read_or_zero(MSR_IA32_VMX_MISC);
	/* The secondary and EPT/VPID MSRs exist only when their controls can be set. */
	m->procbased2 = (m->procbased >> 63) & 1 ? read_or_zero(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	m->ept_vpid_cap = (m->procbased2 >> 32) & ((1ull << 1) | (1ull << 5)) ?
			  read_or_zero(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
}
