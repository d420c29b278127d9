/* SPDX-License-Identifier: MIT */
/* Decodes an SVM #VMEXIT (EXITCODE, EXITINFO1/2, nRIP) into struct exit_info; pure. */
#include "arch/x86/svm/exit.h"

#include <stddef.h>

#define LEN_VAR		0xff	/* an instruction of variable length: needs nRIP */
#define INSN_MAX	15	/* SDM vol 2A sec. 2.3.11 */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exceptions that push an error code (APM vol 2 sec. 8.2, table 8-1). */
#define EXC_WITH_ERROR	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | \
			 (1u << 14) | (1u << 17) | (1u << 21) | (1u << 29) | (1u << 30))

typedef void (*decode_fn)(const struct vmcb_control *c, struct exit_info *ei);

struct exit_desc {
	const char *name;	/* NULL: not an APM app. C code */
	uint8_t kind;		/* enum exit_kind */
	/*
	 * Instruction length without nRIP save: 0 for exits that are not instructions,
	 * LEN_VAR where only nRIP (or IOIO's EXITINFO2) can tell. The fixed lengths are
	 * those of the unprefixed encodings (0F A2 CPUID, 0F 01 D9 VMMCALL, ...). A guest
	 * that adds a redundant prefix gets its RIP advanced into the middle of its own
	 * instruction: only that guest is hurt, compilers never emit such prefixes, and
	 * decoding guest memory would need a guest page-table walker.
	 */
	uint8_t len;
	decode_fn decode;	/* fills the kind-specific part of exit_info, or NULL */
};

static void decode_cr(const struct vmcb_control *c, struct exit_info *ei)
{
	ei->cr.cr = (uint8_t)(c->exitcode & 0xf);
	ei->cr.write = (c->exitcode & 0x10) != 0;
	/* Decode assists: EXITINFO1 bit 63 = MOV CRx, bits 3:0 its GPR (APM 15.33.1). */
	ei->cr.gpr = (c->exitinfo1 >> 63) ? (uint8_t)(c->exitinfo1 & 0xf) : 0;
}

/* Exception intercepts: EXITINFO1 = error code, EXITINFO2 = CR2 for #PF (APM 15.12). */
static void decode_exception(const struct vmcb_control *c, struct exit_info *ei)
{
	uint8_t vector = (uint8_t)(c->exitcode - SVM_EXIT_EXCP0);

	ei->exc.vector = vector;
	ei->exc.has_error = (EXC_WITH_ERROR >> vector) & 1;
	ei->exc.error = ei->exc.has_error ? (uint32_t)c->exitinfo1 : 0;
}

/* APM vol 2 sec. 15.10.2 figure 15-2. */
static void decode_io(const struct vmcb_control *c, struct exit_info *ei)
{
	uint64_t info = c->exitinfo1;

	ei->io.port = (uint16_t)(info >> IOIO_PORT_SHIFT);
	ei->io.in = (info & IOIO_TYPE_IN) != 0;
	ei->io.string = (info & IOIO_STR) != 0;
	ei->io.rep = (info & IOIO_REP) != 0;
	ei->io.size = (info & IOIO_SZ32) ? 4 : (info & IOIO_SZ16) ? 2 : (info & IOIO_SZ8) ? 1 : 0;
}

/* One EXITCODE for both directions: EXITINFO1 says which (APM vol 2 sec. 15.11). */
static void decode_msr(const struct vmcb_control *c, struct exit_info *ei)
{
	ei->kind = (c->exitinfo1 & MSR_EXIT_WRITE) ? EXIT_WRMSR : EXIT_RDMSR;
}

/*
 * EXITINFO1 is a #PF error code, EXITINFO2 the guest-physical address (APM vol 2
 * sec. 15.25.6). A reserved bit in a nested entry is a broken table, like EPT's
 * misconfiguration, not a guest access to unmapped memory.
 */
static void decode_npf(const struct vmcb_control *c, struct exit_info *ei)
{
	uint64_t err = c->exitinfo1;

	ei->npf.gpa = c->exitinfo2;
	ei->npf.write = (err & NPF_WRITE) != 0;
	ei->npf.exec = (err & NPF_FETCH) != 0;
	ei->npf.read = !ei->npf.write && !ei->npf.exec;
	ei->npf.misconfig = (err & NPF_RSV) != 0;
}

static void decode_entry_failed(const struct vmcb_control *c, struct exit_info *ei)
{
	ei->entry_error = 0;	/* SVM gives no reason beyond VMEXIT_INVALID */
}

#define E(n, k, l, d)	{ .name = (n), .kind = (k), .len = (l), .decode = (d) }
#define U(n, l)		E(n, EXIT_UNKNOWN, l, NULL)	/* listed, never intercepted */

/* EXITCODE 0x00-0xa6, APM vol 2 app. C table C-1; every entry is filled. */
static const struct exit_desc exits_low[] = {
	[SVM_EXIT_CR0_READ ... SVM_EXIT_CR15_READ] = E("cr_read", EXIT_CR, LEN_VAR, decode_cr),
	[SVM_EXIT_CR0_WRITE ... SVM_EXIT_CR15_WRITE] = E("cr_write", EXIT_CR, LEN_VAR, decode_cr),
	[SVM_EXIT_DR0_READ ... SVM_EXIT_DR15_READ] = U("dr_read", LEN_VAR),
	[SVM_EXIT_DR0_WRITE ... SVM_EXIT_DR15_WRITE] = U("dr_write", LEN_VAR),
	[SVM_EXIT_EXCP0 ... SVM_EXIT_EXCP_DF - 1] =
		E("exception", EXIT_EXCEPTION, 0, decode_exception),
	/*
	 * #DF is intercepted only to stand in for the SHUTDOWN intercept, which Bochs 2.7
	 * does not raise on a guest triple fault (it panics the emulator instead). A guest
	 * at a double fault is one fault from shutdown; the generic layer stops it there,
	 * without running its own #DF handler (which could only report and die).
	 */
	[SVM_EXIT_EXCP_DF] = E("double_fault", EXIT_EXCEPTION, 0, decode_exception),
	[SVM_EXIT_EXCP_DF + 1 ... SVM_EXIT_EXCP31] =
		E("exception", EXIT_EXCEPTION, 0, decode_exception),
	[SVM_EXIT_INTR] = E("intr", EXIT_EXTINT, 0, NULL),
	[SVM_EXIT_NMI] = E("nmi", EXIT_NMI, 0, NULL),
	[SVM_EXIT_SMI] = U("smi", 0),
	[SVM_EXIT_INIT] = E("init", EXIT_INIT, 0, NULL),
	[SVM_EXIT_VINTR] = E("vintr", EXIT_IRQ_WINDOW, 0, NULL),
	[SVM_EXIT_CR0_SEL_WRITE] = U("cr0_sel_write", LEN_VAR),
	[SVM_EXIT_IDTR_READ] = U("idtr_read", LEN_VAR),
	[SVM_EXIT_GDTR_READ] = U("gdtr_read", LEN_VAR),
	[SVM_EXIT_LDTR_READ] = U("ldtr_read", LEN_VAR),
	[SVM_EXIT_TR_READ] = U("tr_read", LEN_VAR),
	[SVM_EXIT_IDTR_WRITE] = U("idtr_write", LEN_VAR),
	[SVM_EXIT_GDTR_WRITE] = U("gdtr_write", LEN_VAR),
	[SVM_EXIT_LDTR_WRITE] = U("ldtr_write", LEN_VAR),
	[SVM_EXIT_TR_WRITE] = U("tr_write", LEN_VAR),
	[SVM_EXIT_RDTSC] = U("rdtsc", 2),		/* 0F 31 */
	[SVM_EXIT_RDPMC] = U("rdpmc", 2),		/* 0F 33 */
	[SVM_EXIT_PUSHF] = U("pushf", 1),		/* 9C */
	[SVM_EXIT_POPF] = U("popf", 1),			/* 9D */
	[SVM_EXIT_CPUID] = E("cpuid", EXIT_CPUID, 2, NULL),	/* 0F A2 */
	[SVM_EXIT_RSM] = U("rsm", 2),			/* 0F AA */
	[SVM_EXIT_IRET] = U("iret", LEN_VAR),
	[SVM_EXIT_SWINT] = U("swint", LEN_VAR),
	[SVM_EXIT_INVD] = E("invd", EXIT_INVD, 2, NULL),	/* 0F 08 */
	[SVM_EXIT_PAUSE] = U("pause", 2),		/* F3 90 */
	[SVM_EXIT_HLT] = E("hlt", EXIT_HLT, 1, NULL),		/* F4 */
	[SVM_EXIT_INVLPG] = U("invlpg", LEN_VAR),
	[SVM_EXIT_INVLPGA] = E("invlpga", EXIT_VIRT_INSN, 3, NULL),	/* 0F 01 DF */
	[SVM_EXIT_IOIO] = E("ioio", EXIT_IO, LEN_VAR, decode_io),
	[SVM_EXIT_MSR] = E("msr", EXIT_RDMSR, 2, decode_msr),	/* 0F 32, 0F 30 */
	[SVM_EXIT_TASK_SWITCH] = U("task_switch", 0),
	[SVM_EXIT_FERR_FREEZE] = U("ferr_freeze", 0),
	[SVM_EXIT_SHUTDOWN] = E("shutdown", EXIT_SHUTDOWN, 0, NULL),
	[SVM_EXIT_VMRUN] = E("vmrun", EXIT_VIRT_INSN, 3, NULL),		/* 0F 01 D8 */
	[SVM_EXIT_VMMCALL] = E("vmmcall", EXIT_HYPERCALL, 3, NULL),	/* 0F 01 D9 */
	[SVM_EXIT_VMLOAD] = E("vmload", EXIT_VIRT_INSN, 3, NULL),	/* 0F 01 DA */
	[SVM_EXIT_VMSAVE] = E("vmsave", EXIT_VIRT_INSN, 3, NULL),	/* 0F 01 DB */
	[SVM_EXIT_STGI] = E("stgi", EXIT_VIRT_INSN, 3, NULL),		/* 0F 01 DC */
	[SVM_EXIT_CLGI] = E("clgi", EXIT_VIRT_INSN, 3, NULL),		/* 0F 01 DD */
	[SVM_EXIT_SKINIT] = E("skinit", EXIT_VIRT_INSN, 3, NULL),	/* 0F 01 DE */
	[SVM_EXIT_RDTSCP] = U("rdtscp", 3),		/* 0F 01 F9 */
	[SVM_EXIT_ICEBP] = U("icebp", 1),		/* F1 */
	[SVM_EXIT_WBINVD] = E("wbinvd", EXIT_WBINVD, 2, NULL),	/* 0F 09 */
	[SVM_EXIT_MONITOR] = U("monitor", 3),		/* 0F 01 C8 */
	[SVM_EXIT_MWAIT] = U("mwait", 3),		/* 0F 01 C9 */
	[SVM_EXIT_MWAIT_COND] = U("mwait_cond", 3),
	[SVM_EXIT_XSETBV] = E("xsetbv", EXIT_XSETBV, 3, NULL),	/* 0F 01 D1 */
	[SVM_EXIT_RDPRU] = U("rdpru", 3),		/* 0F 01 FD */
	[SVM_EXIT_EFER_WRITE_TRAP] = U("efer_write_trap", 0),
	[SVM_EXIT_CR0_WRITE_TRAP ... SVM_EXIT_CR15_WRITE_TRAP] = U("cr_write_trap", 0),
	[SVM_EXIT_INVLPGB] = U("invlpgb", 3),		/* 0F 01 FE */
	[SVM_EXIT_INVLPGB_ILLEGAL] = U("invlpgb_illegal", 3),
	[SVM_EXIT_INVPCID] = U("invpcid", LEN_VAR),
	[SVM_EXIT_MCOMMIT] = U("mcommit", 4),		/* F3 0F 01 FA */
	[SVM_EXIT_TLBSYNC] = U("tlbsync", 3),		/* 0F 01 FF */
	[SVM_EXIT_BUSLOCK] = U("buslock", 0),
	[SVM_EXIT_IDLE_HLT] = E("idle_hlt", EXIT_HLT, 1, NULL),
};

/* EXITCODE 0x400-0x403. */
static const struct exit_desc exits_npt[] = {
	[SVM_EXIT_NPF - SVM_EXIT_NPF] = E("npf", EXIT_NPF, 0, decode_npf),
	[SVM_EXIT_AVIC_INCOMPLETE_IPI - SVM_EXIT_NPF] = U("avic_incomplete_ipi", 0),
	[SVM_EXIT_AVIC_NOACCEL - SVM_EXIT_NPF] = U("avic_noaccel", 0),
	[SVM_EXIT_VMGEXIT - SVM_EXIT_NPF] = U("vmgexit", 0),
};

/* EXITCODE -1, -2, -3: VMRUN did not enter the guest. */
static const struct exit_desc exits_failed[] = {
	[~SVM_EXIT_INVALID] = E("invalid", EXIT_ENTRY_FAILED, 0, decode_entry_failed),
	[~SVM_EXIT_BUSY] = E("busy", EXIT_ENTRY_FAILED, 0, decode_entry_failed),
	[~SVM_EXIT_IDLE_REQUIRED] = E("idle_required", EXIT_ENTRY_FAILED, 0, decode_entry_failed),
};

static const struct exit_desc unknown = U(NULL, 0);

static const struct exit_desc *lookup(uint64_t code)
{
	if (__builtin_expect(code < ARRAY_SIZE(exits_low), 1))
		return &exits_low[code];
	/* QEMU (7.2) stores EXITCODE as 32 bits: VMEXIT_INVALID reads 0xffffffff there. */
	if (code >= (uint32_t)SVM_EXIT_IDLE_REQUIRED && code <= 0xffffffffull)
		code |= 0xffffffff00000000ull;
	if (code - SVM_EXIT_NPF < ARRAY_SIZE(exits_npt))
		return &exits_npt[code - SVM_EXIT_NPF];
	if (~code < ARRAY_SIZE(exits_failed))
		return &exits_failed[~code];
	return &unknown;
}

enum exit_kind svm_exit_kind(uint64_t exitcode)
{
	return (enum exit_kind)lookup(exitcode)->kind;
}

const char *svm_exit_name(uint64_t exitcode)
{
	return lookup(exitcode)->name;
}

uint8_t svm_exit_fixed_len(uint64_t exitcode)
{
	uint8_t len = lookup(exitcode)->len;

	return len == LEN_VAR ? 0 : len;
}

/*
 * With nRIP save the CPU wrote the next RIP for instruction intercepts (APM vol 2
 * sec. 15.7.1); without it IOIO still gives it in EXITINFO2 (sec. 15.10.2); else the
 * fixed length of the plain encoding. A length outside 1..15 is not believed.
 */
static uint8_t insn_len(const struct exit_desc *d, const struct vmcb *vmcb, bool has_nrip)
{
	uint64_t next, len;

	if (!d->len)
		return 0;
	if (has_nrip)
		next = vmcb->control.nrip;
	else if (vmcb->control.exitcode == SVM_EXIT_IOIO)
		next = vmcb->control.exitinfo2;
	else
		return d->len == LEN_VAR ? 0 : d->len;
	len = next - vmcb->save.rip;
	if (len - 1 < INSN_MAX)
		return (uint8_t)len;
	return d->len == LEN_VAR ? 0 : d->len;
}

void svm_decode_exit(const struct vmcb *vmcb, bool has_nrip, struct exit_info *ei)
{
	const struct vmcb_control *c = &vmcb->control;
	const struct exit_desc *d = lookup(c->exitcode);

	/* Field by field: the union is left to the decoder (vmm/vcpu.h). */
	ei->kind = (enum exit_kind)d->kind;
	ei->raw = (uint32_t)c->exitcode;
	ei->insn_len = insn_len(d, vmcb, has_nrip);
	ei->qual = c->exitinfo1;
	ei->qual2 = c->exitinfo2;
	if (d->decode)
		d->decode(c, ei);
}
