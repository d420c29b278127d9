/* SPDX-License-Identifier: MIT */
/* VMX capability discovery: the capability MSRs decoded into the features we rely on. */
#ifndef ARCH_X86_VMX_CAPS_H
#define ARCH_X86_VMX_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MSR indices, SDM vol 4 table 2-2 and vol 3D app. A. */
#define MSR_IA32_FEATURE_CONTROL	0x03a
#define  FEATURE_CONTROL_LOCK		(1ull << 0)
#define  FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_IA32_VMX_BASIC		0x480
#define MSR_IA32_VMX_PINBASED_CTLS	0x481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x482
#define MSR_IA32_VMX_EXIT_CTLS		0x483
#define MSR_IA32_VMX_ENTRY_CTLS		0x484
#define MSR_IA32_VMX_MISC		0x485
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e

/* Raw values as read; the decoder is pure so host tests can feed it any CPU's values. */
struct vmx_msrs {
	uint64_t feature_control;
	uint64_t basic;
	uint64_t pinbased;	/* TRUE_ variant when basic bit 55 is set */
	uint64_t procbased;
	uint64_t procbased2;	/* 0 when the secondary controls are not allowed */
	uint64_t misc;
	uint64_t ept_vpid_cap;	/* 0 when neither EPT nor VPID is allowed */
};

struct vmx_caps {
	uint32_t revision;
	bool true_ctls;
	bool disabled_by_firmware;	/* FEATURE_CONTROL locked without VMXON outside SMX */
	bool msr_bitmap, io_bitmap, secondary;
	bool preemption_timer, posted_intr;
	unsigned int preemption_rate;	/* timer ticks every 2^rate TSC ticks */
	bool ept, vpid, unrestricted, vmcs_shadow, apic_virt, pml;
	bool ept_4level, ept_wb, ept_2m, ept_1g, ept_ad, invept, invvpid;
};

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c);
/* One line, "vmx rev=... ept=1 ...", for the boot log and the test scenarios. */
int vmx_caps_format(const struct vmx_caps *c, char *buf, size_t len);
/* Reads the MSRs on this CPU (needs CPUID.1:ECX.VMX). */
void vmx_caps_read(struct vmx_msrs *m);

#endif
