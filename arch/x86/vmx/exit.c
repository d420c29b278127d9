/* SPDX-License-Identifier: MIT */
/* VMX exit decoding: every basic exit reason mapped to a kind, qualifications decoded. */
#include "arch/x86/vmx/exit.h"

#include <stddef.h>

#include "arch/x86/vmx/vmcs.h"

struct reason_entry {
	enum exit_kind kind;
	bool insn;		/* the exit-instruction-length field is valid */
	const char *name;
};

#define R(k, n)		{ .kind = (k), .name = (n) }
#define I(k, n)		{ .kind = (k), .insn = true, .name = (n) }
#define RSVD		R(EXIT_UNKNOWN, "reserved")

/*
 * SDM 3D app. C, table C-1. Every number has an explicit entry (the host test checks
 * that none is left implicit); reasons the back end never enables, or that generic
 * code has no use for, are EXIT_UNKNOWN and stop the guest.
 */
static const struct reason_entry reasons[VMX_EXIT_REASON_COUNT] = {
	[0] = R(EXIT_EXCEPTION, "exception or NMI"),	/* split on the interruption type */
	[1] = R(EXIT_EXTINT, "external interrupt"),
	[2] = R(EXIT_SHUTDOWN, "triple fault"),
	[3] = R(EXIT_INIT, "INIT signal"),
	[4] = R(EXIT_UNKNOWN, "SIPI"),		/* only in wait-for-SIPI, never entered */
	[5] = R(EXIT_UNKNOWN, "I/O SMI"),
	[6] = R(EXIT_UNKNOWN, "other SMI"),
	[7] = R(EXIT_IRQ_WINDOW, "interrupt window"),
	[8] = R(EXIT_UNKNOWN, "NMI window"),
	[9] = R(EXIT_UNKNOWN, "task switch"),
	[10] = I(EXIT_CPUID, "CPUID"),
	[11] = R(EXIT_UNKNOWN, "GETSEC"),
	[12] = I(EXIT_HLT, "HLT"),
	[13] = I(EXIT_INVD, "INVD"),
	[14] = R(EXIT_UNKNOWN, "INVLPG"),
	[15] = R(EXIT_UNKNOWN, "RDPMC"),
	[16] = R(EXIT_UNKNOWN, "RDTSC"),
	[17] = R(EXIT_UNKNOWN, "RSM"),
	[18] = I(EXIT_HYPERCALL, "VMCALL"),
	[19] = I(EXIT_VIRT_INSN, "VMCLEAR"),
	[20] = I(EXIT_VIRT_INSN, "VMLAUNCH"),
	[21] = I(EXIT_VIRT_INSN, "VMPTRLD"),
	[22] = I(EXIT_VIRT_INSN, "VMPTRST"),
	[23] = I(EXIT_VIRT_INSN, "VMREAD"),
	[24] = I(EXIT_VIRT_INSN, "VMRESUME"),
	[25] = I(EXIT_VIRT_INSN, "VMWRITE"),
	[26] = I(EXIT_VIRT_INSN, "VMXOFF"),
	[27] = I(EXIT_VIRT_INSN, "VMXON"),
	[28] = I(EXIT_CR, "control-register access"),
	[29] = R(EXIT_UNKNOWN, "MOV DR"),
	[30] = I(EXIT_IO, "I/O instruction"),
	[31] = I(EXIT_RDMSR, "RDMSR"),
	[32] = I(EXIT_WRMSR, "WRMSR"),
	[33] = R(EXIT_ENTRY_FAILED, "VM-entry failure: invalid guest state"),
	[34] = R(EXIT_ENTRY_FAILED, "VM-entry failure: MSR loading"),
	[35] = RSVD,
	[36] = R(EXIT_UNKNOWN, "MWAIT"),
	[37] = R(EXIT_UNKNOWN, "monitor trap flag"),
	[38] = RSVD,
	[39] = R(EXIT_UNKNOWN, "MONITOR"),
	[40] = R(EXIT_UNKNOWN, "PAUSE"),
	[41] = R(EXIT_ENTRY_FAILED, "VM-entry failure: machine check"),
	[42] = RSVD,
	[43] = R(EXIT_UNKNOWN, "TPR below threshold"),
	[44] = R(EXIT_UNKNOWN, "APIC access"),
	[45] = R(EXIT_UNKNOWN, "virtualized EOI"),
	[46] = R(EXIT_UNKNOWN, "GDTR/IDTR access"),
	[47] = R(EXIT_UNKNOWN, "LDTR/TR access"),
	[48] = R(EXIT_NPF, "EPT violation"),
	[49] = R(EXIT_NPF, "EPT misconfiguration"),
	[50] = I(EXIT_VIRT_INSN, "INVEPT"),
	[51] = R(EXIT_UNKNOWN, "RDTSCP"),
	[52] = R(EXIT_TIMER, "preemption timer"),
	[53] = I(EXIT_VIRT_INSN, "INVVPID"),
	[54] = I(EXIT_WBINVD, "WBINVD/WBNOINVD"),
	[55] = I(EXIT_XSETBV, "XSETBV"),
	[56] = R(EXIT_UNKNOWN, "APIC write"),
	[57] = R(EXIT_UNKNOWN, "RDRAND"),
	[58] = R(EXIT_UNKNOWN, "INVPCID"),
	[59] = I(EXIT_VIRT_INSN, "VMFUNC"),
	[60] = R(EXIT_UNKNOWN, "ENCLS"),
	[61] = R(EXIT_UNKNOWN, "RDSEED"),
	[62] = R(EXIT_UNKNOWN, "page-modification log full"),
	[63] = R(EXIT_UNKNOWN, "XSAVES"),
	[64] = R(EXIT_UNKNOWN, "XRSTORS"),
	[65] = R(EXIT_UNKNOWN, "PCONFIG"),
	[66] = R(EXIT_UNKNOWN, "SPP-related event"),
	[67] = R(EXIT_UNKNOWN, "UMWAIT"),
	[68] = R(EXIT_UNKNOWN, "TPAUSE"),
	[69] = R(EXIT_UNKNOWN, "LOADIWKEY"),
	[70] = R(EXIT_UNKNOWN, "ENCLV"),
	[71] = RSVD,
	[72] = R(EXIT_UNKNOWN, "ENQCMD PASID translation failure"),
	[73] = R(EXIT_UNKNOWN, "ENQCMDS PASID translation failure"),
	[74] = R(EXIT_UNKNOWN, "bus lock"),
	[75] = R(EXIT_UNKNOWN, "instruction timeout"),
	/* TDX calls: #UD, as on a CPU without TDX. */
	[76] = I(EXIT_VIRT_INSN, "SEAMCALL"),
	[77] = I(EXIT_VIRT_INSN, "TDCALL"),
};

/* VM-instruction error numbers, SDM 3C 31.4. */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

enum exit_kind vmx_exit_kind(uint32_t basic_reason)
{
	if (basic_reason >= VMX_EXIT_REASON_COUNT)
		return EXIT_UNKNOWN;
	return reasons[basic_reason].kind;
}

bool vmx_exit_reason_listed(uint32_t basic_reason)
{
	return basic_reason < VMX_EXIT_REASON_COUNT && reasons[basic_reason].name;
}

const char *vmx_exit_name(uint32_t basic_reason)
{
	if (basic_reason >= VMX_EXIT_REASON_COUNT || !reasons[basic_reason].name)
		return "reserved";
	return reasons[basic_reason].name;
}

const char *vmx_insn_error_name(uint32_t err)
{
	if (err >= sizeof(insn_errors) / sizeof(insn_errors[0]) || !insn_errors[err])
		return "unknown VM-instruction error";
	return insn_errors[err];
}

/* I/O instruction qualification, SDM 3C 28.2.1: size-1 in 2:0, IN 3, string 4, REP 5,
 * port 31:16. */
static void decode_io(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	ei->io.size = (uint8_t)((r->qual & 7) + 1);
	ei->io.in = (r->qual >> 3) & 1;
	ei->io.string = (r->qual >> 4) & 1;
	ei->io.rep = (r->qual >> 5) & 1;
	ei->io.port = (uint16_t)(r->qual >> 16);
}

/* EPT violation qualification, SDM 3C 28.2.1: bits 0-2 = the access was a read, a
 * write, an instruction fetch. A misconfiguration has no qualification. */
static void decode_npf(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	bool misconfig = VMX_REASON_BASIC(r->reason) == VMX_EXIT_EPT_MISCONFIG;

	ei->npf.gpa = r->gpa;
	ei->npf.misconfig = misconfig;
	ei->npf.read = !misconfig && (r->qual & 1);
	ei->npf.write = !misconfig && ((r->qual >> 1) & 1);
	ei->npf.exec = !misconfig && ((r->qual >> 2) & 1);
}

void vmx_cr_access_decode(uint64_t qual, struct vmx_cr_access *a)
{
	a->cr = qual & 0xf;
	a->type = (qual >> 4) & 3;
	a->lmsw_mem = (qual >> 6) & 1;
	a->gpr = (qual >> 8) & 0xf;
	a->lmsw_src = (uint16_t)(qual >> 16);
}

static void decode_cr(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	struct vmx_cr_access a;

	vmx_cr_access_decode(r->qual, &a);
	ei->cr.cr = a.cr;
	ei->cr.write = a.type == VMX_CR_MOV_TO;
	ei->cr.gpr = a.gpr;
}

/* Reason 0: an NMI (interruption type 2) or an intercepted exception. */
static void decode_exception(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	bool valid = r->intr_info & INTR_INFO_VALID;

	if (valid && INTR_INFO_TYPE(r->intr_info) == INTR_TYPE_NMI) {
		ei->kind = EXIT_NMI;
		return;
	}
	ei->exc.vector = (uint8_t)INTR_INFO_VECTOR(r->intr_info);
	ei->exc.has_error = valid && (r->intr_info & INTR_INFO_ERROR_VALID);
	ei->exc.error = ei->exc.has_error ? r->intr_error : 0;
}

/* Reasons 33, 34 and 41 without bit 31 cannot happen; kept as failures all the same. */
static void decode_entry_failed(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	ei->entry_error = VMX_REASON_BASIC(r->reason);
}

typedef void (*decode_fn)(const struct vmx_exit_raw *r, struct exit_info *ei);

static const decode_fn decoders[EXIT_KIND_COUNT] = {
	[EXIT_IO] = decode_io,
	[EXIT_NPF] = decode_npf,
	[EXIT_CR] = decode_cr,
	[EXIT_EXCEPTION] = decode_exception,
	[EXIT_ENTRY_FAILED] = decode_entry_failed,
};

void vmx_exit_decode(const struct vmx_exit_raw *r, struct exit_info *ei)
{
	static const struct reason_entry beyond = R(EXIT_UNKNOWN, NULL);
	uint32_t basic = VMX_REASON_BASIC(r->reason);
	const struct reason_entry *e = basic < VMX_EXIT_REASON_COUNT ? &reasons[basic] : &beyond;

	/* Field by field: the union is left to the decoders (vmm/vcpu.h). */
	ei->kind = e->kind;
	ei->raw = basic;
	ei->insn_len = e->insn && r->insn_len <= 15 ? (uint8_t)r->insn_len : 0;
	ei->qual = r->qual;
	ei->qual2 = r->gla;
	if (__builtin_expect(r->reason & VMX_REASON_ENTRY_FAIL, 0)) {
		/* SDM 3C 27.8: reason 33, 34 or 41 with bit 31; nothing else is valid. */
		ei->kind = EXIT_ENTRY_FAILED;
		ei->insn_len = 0;
		ei->entry_error = basic;
		return;
	}
	if (decoders[ei->kind])
		decoders[ei->kind](r, ei);
}

void vmx_vmfail_decode(uint32_t err, struct exit_info *ei)
{
	*ei = (struct exit_info){ .kind = EXIT_ENTRY_FAILED, .raw = VMX_RAW_VMFAIL,
				  .entry_error = err };
}
