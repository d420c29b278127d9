/* SPDX-License-Identifier: MIT */
/* The hypercall ABI: how a partition calls the hypervisor (docs/abi.md). */
#ifndef ABI_HYPERCALL_H
#define ABI_HYPERCALL_H

#include <stdint.h>

#include "include/abi/hv_errno.h"

/*
 * CPUID leaf 0x40000000 returns the highest hypervisor leaf in EAX and the signature
 * in EBX, ECX, EDX; leaf 0x40000001 returns the ABI version in EAX.
 */
#define HV_CPUID_BASE		0x40000000u
#define HV_CPUID_VERSION	0x40000001u
#define HV_CPUID_MAX		HV_CPUID_VERSION
#define HV_SIGNATURE_EBX	0x74726150u	/* "Part" */
#define HV_SIGNATURE_ECX	0x6f697469u	/* "itio" */
#define HV_SIGNATURE_EDX	0x7079486eu	/* "nHyp": "PartitionHyp" */
#define HV_ABI_VERSION		1u

/*
 * Calling convention: VMCALL on Intel, VMMCALL on AMD (the other one raises #UD, as on
 * bare hardware). RAX = call number, arguments in RDI, RSI, RDX, R10, R8; the result
 * (0 or a negative enum hv_errno) comes back in RAX; every other register is preserved.
 * Guest pointers are guest-physical addresses inside the caller's own memory.
 */
enum hv_hypercall {
	HC_VERSION = 0,		/* () -> HV_ABI_VERSION */
	HC_CONSOLE_WRITE = 1,	/* (gpa, len): len <= HC_CONSOLE_MAX bytes to the console */
	HC_EXIT = 2,		/* (status): this partition stops; does not return */
	HC_TIMER_ONESHOT = 3,	/* (tsc_deadline, vector): inject vector at the deadline; 0 cancels */
	HC_TSC_HZ = 4,		/* () -> TSC frequency in Hz (positive) */
	HC_COUNT
};

#define HC_CONSOLE_MAX		4096u

#endif
