/* SPDX-License-Identifier: MIT */
/* Pure decoding of VMX exits into the vendor-neutral exit record (host-testable). */
#ifndef ARCH_X86_VMX_EXIT_H
#define ARCH_X86_VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"

/* Basic exit reasons, SDM 3D app. C table C-1; the ones the back end names. */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTINT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INIT = 3,
	VMX_EXIT_SIPI = 4,
	VMX_EXIT_IRQ_WINDOW = 7,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_INVD = 13,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_INVALID_GUEST = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_MACHINE_CHECK = 41,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_PREEMPTION_TIMER = 52,
	VMX_EXIT_WBINVD = 54,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_REASON_COUNT = 78,	/* 0..77: every reason the 2023 SDM defines */
};

/* exit_info.raw for a VMLAUNCH/VMRESUME that failed without a VM exit (VMfail). */
#define VMX_RAW_VMFAIL	0xffffffffu

/* What the VMCS says about one exit, read by vmx.c; everything the decoder needs. */
struct vmx_exit_raw {
	uint32_t reason;	/* full exit-reason field, bit 31 = VM-entry failure */
	uint64_t qual;		/* exit qualification */
	uint64_t gla;		/* guest-linear address */
	uint64_t gpa;		/* guest-physical address */
	uint32_t insn_len;
	uint32_t intr_info;	/* VM-exit interruption information */
	uint32_t intr_error;	/* VM-exit interruption error code */
};

/* Kind of a basic exit reason; EXIT_UNKNOWN beyond the table. */
enum exit_kind vmx_exit_kind(uint32_t basic_reason);
/* True when the table lists basic_reason explicitly (the host test checks all do). */
bool vmx_exit_reason_listed(uint32_t basic_reason);
/* Name of a basic exit reason for logs ("reserved" for unassigned numbers). */
const char *vmx_exit_name(uint32_t basic_reason);
/* Fills *ei from a real VM exit (or a VM-entry failure with reason bit 31). */
void vmx_exit_decode(const struct vmx_exit_raw *r, struct exit_info *ei);
/* Fills *ei for a VMLAUNCH/VMRESUME VMfail with VM-instruction error err. */
void vmx_vmfail_decode(uint32_t err, struct exit_info *ei);
/* Name of a VM-instruction error number, SDM 3C 31.4. */
const char *vmx_insn_error_name(uint32_t err);

/* Control-register access qualification, SDM 3C 28.2.1 (table "Exit Qualification for
 * Control-Register Accesses"). */
enum vmx_cr_access_type {
	VMX_CR_MOV_TO = 0,
	VMX_CR_MOV_FROM = 1,
	VMX_CR_CLTS = 2,
	VMX_CR_LMSW = 3,
};

struct vmx_cr_access {
	uint8_t cr;		/* 0, 3, 4, 8 */
	uint8_t type;		/* enum vmx_cr_access_type */
	uint8_t gpr;		/* MOV operand register (enum gpr_index) */
	bool lmsw_mem;		/* LMSW operand was in memory */
	uint16_t lmsw_src;	/* LMSW source data */
};

void vmx_cr_access_decode(uint64_t qual, struct vmx_cr_access *a);

#endif
