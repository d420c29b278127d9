/* SPDX-License-Identifier: MIT */
/* Vendor-neutral exit handlers, one per exit kind, chosen through a table. */
#include "vmm/exit.h"

#include "arch/x86/cpu.h"
#include "include/abi/evtchn.h"
#include "include/abi/hypercall.h"
#include "include/abi/startinfo.h"
#include "vmm/guest.h"
#include "vmm/log.h"
#include "vmm/partition_dev.h"

#define VEC_UD		6
#define VEC_GP		13
#define DEBUG_CONSOLE_PORT 0xe9

#define MSR_TSC			0x010
#define MSR_APIC_BASE		0x01b
#define MSR_MISC_ENABLE		0x1a0
#define MSR_EFER		0xc0000080
#define  EFER_SCE		(1ull << 0)
#define  EFER_LME		(1ull << 8)
#define  EFER_LMA		(1ull << 10)
#define  EFER_NXE		(1ull << 11)
#define GUEST_APIC_BASE		0xfee00900ull	/* xAPIC at the default base, enabled, BSP */
#define CR0_PG_BIT		(1ull << 31)
#define CR4_OSXSAVE_BIT		(1ull << 18)

static void skip(struct vcpu *v, const struct exit_info *ei)
{
	v->rip += ei->insn_len;
}

static void inject_gp(struct vcpu *v)
{
	vcpu_vendor->inject_exception(v, VEC_GP, true, 0);
}

/* ---- CPUID: host values, filtered (SDM vol 2A CPUID; APM vol 3 app. E) ---- */

/* The host leaves docs/abi.md changes: the cases of cpuid_filter(). */
static bool cpuid_filtered(uint32_t leaf)
{
	return leaf == 1 || leaf == 0xa || leaf == 0xd || leaf == 0x80000001 ||
	       leaf == 0x8000000a;
}

/*
 * The changes docs/abi.md lists, made to the host's values already in the guest's
 * registers. Returns 0, as a handler does: handle_cpuid() ends with it, a tail call
 * that keeps the common path free of saved registers.
 */
__attribute__((noinline)) static int cpuid_filter(struct vcpu *v, uint32_t leaf, uint32_t sub)
{
	uint64_t *r = v->gpr;

	switch (leaf) {
	case 1:		/* MONITOR, VMX, SMX, x2APIC, TSC deadline, OSXSAVE (below) */
		r[GPR_RCX] &= ~((1u << 3) | (1u << 5) | (1u << 6) | (1u << 21) | (1u << 24) |
				(1u << 27));
		vcpu_vendor->read_crs(v);
		if (v->cr4 & CR4_OSXSAVE_BIT)
			r[GPR_RCX] |= 1u << 27;
		r[GPR_RCX] |= 1u << 31;		/* a hypervisor is present */
		r[GPR_RBX] = (r[GPR_RBX] & 0x00ffffff) | (v->id << 24);
		break;
	case 0xd:
		if (sub == 1)	/* XSAVES/XRSTORS: not enabled for guests */
			r[GPR_RAX] &= ~(1u << 3);
		break;
	case 0xa:				/* no performance monitoring */
	case 0x8000000a:			/* no SVM */
		r[GPR_RAX] = r[GPR_RBX] = r[GPR_RCX] = r[GPR_RDX] = 0;
		break;
	case 0x80000001:
		r[GPR_RCX] &= ~((1u << 2) | (1u << 12));	/* SVM, SKINIT */
		break;
	}
	return 0;
}

/* The hypervisor's own leaves, 0x40000000-0x400000FF (docs/abi.md). */
static struct cpuid_regs hv_leaf(const struct vcpu *v, uint32_t leaf)
{
	bool managed = v->guest->managed;

	if (leaf == HV_CPUID_BASE)
		return (struct cpuid_regs){ HV_CPUID_MAX, HV_SIGNATURE_EBX, HV_SIGNATURE_ECX,
					    HV_SIGNATURE_EDX };
	if (leaf == HV_CPUID_VERSION)
		return (struct cpuid_regs){ .eax = HV_ABI_VERSION,
					    .ebx = managed ? HV_START_INFO_GPA : 0,
					    .ecx = managed ? EVTCHN_PAGE_GPA : 0 };
	return (struct cpuid_regs){ 0 };
}

static int handle_cpuid(struct vcpu *v, const struct exit_info *ei)
{
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX], sub = (uint32_t)v->gpr[GPR_RCX];
	bool host = leaf - HV_CPUID_BASE > 0xff;
	struct cpuid_regs r = host ? cpuid(leaf, sub) : hv_leaf(v, leaf);

	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	skip(v, ei);
	return host && cpuid_filtered(leaf) ? cpuid_filter(v, leaf, sub) : 0;
}

/* ---- MSRs: a short allow-list; everything else is #GP(0) ---- */

static int efer_write(struct vcpu *v, uint64_t val)
{
	uint64_t allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

	if (val & ~allowed)
		return -1;
	/* LME may change only while paging is off; LMA is the CPU's to set. */
	if ((v->cr0 & CR0_PG_BIT) && ((val ^ v->efer) & EFER_LME))
		return -1;
	v->efer = (val & ~EFER_LMA) | (v->efer & EFER_LMA);
	return 0;
}

static int msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_EFER: *val = v->efer; return 0;
	case MSR_TSC: *val = rdtsc(); return 0;
	case MSR_APIC_BASE: *val = GUEST_APIC_BASE; return 0;
	case MSR_MISC_ENABLE: *val = 1; return 0;	/* fast strings */
	default: return -1;
	}
}

static int handle_rdmsr(struct vcpu *v, const struct exit_info *ei)
{
	uint64_t val;

	vcpu_vendor->read_crs(v);	/* EFER */
	if (msr_read(v, (uint32_t)v->gpr[GPR_RCX], &val)) {
		inject_gp(v);
		return 0;
	}
	v->gpr[GPR_RAX] = (uint32_t)val;
	v->gpr[GPR_RDX] = val >> 32;
	skip(v, ei);
	return 0;
}

static int handle_wrmsr(struct vcpu *v, const struct exit_info *ei)
{
	uint64_t val = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];

	vcpu_vendor->read_crs(v);
	if ((uint32_t)v->gpr[GPR_RCX] != MSR_EFER || efer_write(v, val)) {
		inject_gp(v);
		return 0;
	}
	skip(v, ei);
	return 0;
}

/* ---- port I/O: 0xE9 is a console, other intercepted ports read as absent ---- */

static int handle_io(struct vcpu *v, const struct exit_info *ei)
{
	uint64_t mask = ei->io.size == 4 ? 0xffffffffull : (1ull << (8 * ei->io.size)) - 1;
	struct guest *g = v->guest;
	uint32_t val = (uint32_t)(v->gpr[GPR_RAX] & mask);

	if (ei->io.string) {
		/* INS/OUTS would need the guest's linear addresses: refused, cleanly. */
		inject_gp(v);
		return 0;
	}
	if (partition_devices_io(g, ei->io.port, ei->io.size, ei->io.in, &val)) {
		if (ei->io.in)
			v->gpr[GPR_RAX] = ei->io.size == 4 ? val : (v->gpr[GPR_RAX] & ~mask) | val;
	} else if (ei->io.port == DEBUG_CONSOLE_PORT && ei->io.size == 1) {
		char c = (char)v->gpr[GPR_RAX];

		if (!ei->io.in)
			guest_console_out(g, &c, 1);
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | DEBUG_CONSOLE_PORT;
	} else if (ei->io.in) {
		g->io_denied++;
		/* A 32-bit IN zero-extends into RAX, as on hardware. */
		v->gpr[GPR_RAX] = ei->io.size == 4 ? mask : (v->gpr[GPR_RAX] | mask);
	} else {
		g->io_denied++;
	}
	skip(v, ei);
	return 0;
}

/* ---- HLT, interrupts, XSETBV and the rest ---- */

#define RFLAGS_IF_BIT		(1ull << 9)

/*
 * HLT blocks the vCPU until an interrupt is posted for it (its one-shot timer, an event
 * from another partition): the scheduler takes it off the CPU at the next entry
 * (vmm/sched.c). With IF=0 no interrupt could end it (no NMIs are injected): stopped.
 */
static int handle_hlt(struct vcpu *v, const struct exit_info *ei)
{
	if (!(v->rflags & RFLAGS_IF_BIT))
		return vcpu_fail(v, ei, "HLT with interrupts disabled: it would never wake");
	skip(v, ei);
	/* SEQ_CST: a poster reads the state after setting its bit (vmm/sched.c). */
	__atomic_store_n(&v->state, VCPU_HALTED, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&v->attn, VCPU_ATTN_HLT, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * The host runs with interrupts off: open a window so its handler runs now. Only the
 * scheduler's LAPIC timer and kick IPI arrive (slice end, a deadline, an event for a vCPU
 * here): the scheduler looks at timers and the slice before the next entry.
 */
static int handle_extint(struct vcpu *v, const struct exit_info *ei)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
	__atomic_fetch_or(&v->attn, VCPU_ATTN_SCHED, __ATOMIC_SEQ_CST);
	return 0;
}

static int handle_nop(struct vcpu *v, const struct exit_info *ei)
{
	return 0;
}

/* The guest can take an interrupt now: the next entry delivers the highest pending. */
static int handle_irq_window(struct vcpu *v, const struct exit_info *ei)
{
	vcpu_vendor->irq_window(v, false);
	__atomic_fetch_or(&v->attn, VCPU_ATTN_IRQ, __ATOMIC_SEQ_CST);
	return 0;
}

static int handle_xsetbv(struct vcpu *v, const struct exit_info *ei)
{
	uint64_t val = (v->gpr[GPR_RDX] << 32) | (uint32_t)v->gpr[GPR_RAX];
	struct cpuid_regs d = cpuid(0xd, 0);
	uint64_t supported = ((uint64_t)d.edx << 32) | d.eax;

	vcpu_vendor->read_crs(v);
	/* SDM vol 2D XSETBV: XCR0 only, x87 always on, AVX needs SSE, host-supported bits. */
	if ((uint32_t)v->gpr[GPR_RCX] != 0 || !(val & 1) || (val & ~supported) ||
	    ((val & 4) && !(val & 2)) || !(v->cr4 & CR4_OSXSAVE_BIT)) {
		inject_gp(v);
		return 0;
	}
	v->xcr0 = val;
	skip(v, ei);
	return 0;
}

static int handle_cache(struct vcpu *v, const struct exit_info *ei)
{
	/* INVD would discard dirty lines of other partitions: both become WBINVD. */
	__asm__ volatile("wbinvd" ::: "memory");
	skip(v, ei);
	return 0;
}

static int handle_virt_insn(struct vcpu *v, const struct exit_info *ei)
{
	vcpu_vendor->inject_exception(v, VEC_UD, false, 0);
	return 0;
}

static int handle_npf(struct vcpu *v, const struct exit_info *ei)
{
	if (ei->npf.misconfig)
		return vcpu_fail(v, ei, "nested page table misconfiguration at 0x%llx",
				 (unsigned long long)ei->npf.gpa);
	return vcpu_fail(v, ei, "%s%s%s access to guest-physical 0x%llx outside its memory",
			 ei->npf.read ? "read" : "", ei->npf.write ? "write" : "",
			 ei->npf.exec ? "exec" : "", (unsigned long long)ei->npf.gpa);
}

static int handle_shutdown(struct vcpu *v, const struct exit_info *ei)
{
	return vcpu_fail(v, ei, "triple fault (shutdown)");
}

static int handle_exception(struct vcpu *v, const struct exit_info *ei)
{
	/* Only #DF is intercepted (SVM, see svm/exit.c): the guest is one fault from shutdown. */
	if (ei->exc.vector == 8)
		return vcpu_fail(v, ei, "double fault, stopped before the triple fault");
	return vcpu_fail(v, ei, "unexpected intercepted exception %u", ei->exc.vector);
}

static int handle_init(struct vcpu *v, const struct exit_info *ei)
{
	return vcpu_fail(v, ei, "INIT signal");
}

static int handle_fatal(struct vcpu *v, const struct exit_info *ei)
{
	return vcpu_fail(v, ei, "unhandled exit %s (raw 0x%x)", exit_kind_name(ei->kind),
			 ei->raw);
}

static const exit_handler_fn handlers[EXIT_KIND_COUNT] = {
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_RDMSR] = handle_rdmsr,
	[EXIT_WRMSR] = handle_wrmsr,
	[EXIT_IO] = handle_io,
	[EXIT_NPF] = handle_npf,
	[EXIT_HLT] = handle_hlt,
	[EXIT_EXTINT] = handle_extint,
	[EXIT_NMI] = handle_nop,
	[EXIT_INIT] = handle_init,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_XSETBV] = handle_xsetbv,
	[EXIT_CR] = handle_fatal,
	[EXIT_INVD] = handle_cache,
	[EXIT_WBINVD] = handle_cache,
	[EXIT_TIMER] = handle_nop,
	[EXIT_IRQ_WINDOW] = handle_irq_window,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_VIRT_INSN] = handle_virt_insn,
	[EXIT_ENTRY_FAILED] = handle_fatal,
	[EXIT_UNKNOWN] = handle_fatal,
};

int exit_dispatch(struct vcpu *v, const struct exit_info *ei)
{
	unsigned int k = ei->kind < EXIT_KIND_COUNT ? ei->kind : EXIT_UNKNOWN;

	v->exits[k]++;
	return (handlers[k] ? handlers[k] : handle_fatal)(v, ei);
}

const char *exit_kind_name(enum exit_kind k)
{
	static const char *const names[EXIT_KIND_COUNT] = {
		[EXIT_UNKNOWN] = "unknown", [EXIT_CPUID] = "cpuid",
		[EXIT_HYPERCALL] = "hypercall", [EXIT_RDMSR] = "rdmsr",
		[EXIT_WRMSR] = "wrmsr", [EXIT_IO] = "io", [EXIT_NPF] = "npf",
		[EXIT_HLT] = "hlt", [EXIT_EXTINT] = "extint", [EXIT_NMI] = "nmi",
		[EXIT_INIT] = "init", [EXIT_SHUTDOWN] = "shutdown",
		[EXIT_XSETBV] = "xsetbv", [EXIT_CR] = "cr", [EXIT_INVD] = "invd",
		[EXIT_WBINVD] = "wbinvd", [EXIT_TIMER] = "timer",
		[EXIT_IRQ_WINDOW] = "irq_window", [EXIT_EXCEPTION] = "exception",
		[EXIT_VIRT_INSN] = "virt_insn", [EXIT_ENTRY_FAILED] = "entry_failed",
	};

	return k < EXIT_KIND_COUNT && names[k] ? names[k] : "?";
}
