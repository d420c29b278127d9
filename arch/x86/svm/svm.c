/* SPDX-License-Identifier: MIT */
/* The AMD-V (SVM) back end of the vCPU: VMCB set-up, guest entry and exit, injection. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/caps.h"
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/insn.h"
#include "arch/x86/svm/maps.h"
#include "arch/x86/svm/vmcb.h"
#include "include/abi/hv_errno.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/vcpu.h"

#define MSR_VM_HSAVE_PA		0xc0010117	/* APM vol 2 sec. 15.30.4 */
#define CPUID_81_ECX_SVM	(1u << 2)	/* APM vol 3 app. E.4.2 */
#define CPUID_8A_EDX_NRIPS	(1u << 3)	/* APM vol 3 app. E.4.9 */

#define RFLAGS_FIXED		(1ull << 1)
#define RFLAGS_IF		(1ull << 9)
#define CR0_ET			(1ull << 4)
#define GUEST_PAT		0x0007040600070406ull	/* the reset value, APM vol 2 7.8.2 */
#define GUEST_DR6		0xffff0ff0ull		/* reset values, APM vol 2 13.1.1 */
#define GUEST_DR7		0x400ull
#define PAGE			4096u
#define VEC_DF			8

/* v->vendor[] words. */
enum {
	W_VMCB,		/* VMCB physical address (= virtual, direct map) */
	W_MSRPM,	/* 2 pages */
	W_IOPM,		/* 3 pages */
	W_LAST_RIP,	/* guest RIP at the last exit: the interrupt shadow belongs to it */
	W_LAST_CPU,	/* svm_cpus[] entry of the last entry; 0 before the first */
	W_FLAGS,
};
#define F_NRIP		1u	/* nRIP save: insn_len from NRIP */

/* Per physical CPU, written by that CPU only. */
struct svm_cpu {
	uint64_t hsave_pa;	/* VM_HSAVE_PA */
	uint64_t host_vmcb_pa;	/* the host's VMSAVE/VMLOAD state */
	uint64_t last_vmcb;	/* the VMCB entered last here */
};
static struct svm_cpu svm_cpus[MAX_CPUS];
static uint32_t asid_next = 1;	/* ASID 0 is the host's (APM vol 2 sec. 15.16) */
static bool asids_shared;	/* more vCPUs than ASIDs: some share one */

/* MSRs whose state lives in the VMCB or the VMLOAD/VMSAVE set: no exit needed. */
static const uint32_t msr_passthrough[] = {
	0x00000174, 0x00000175, 0x00000176,	/* SYSENTER_CS/ESP/EIP */
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,	/* STAR, LSTAR, CSTAR, SFMASK */
	0xc0000100, 0xc0000101, 0xc0000102,	/* FS_BASE, GS_BASE, KERNEL_GS_BASE */
};

static struct vmcb *vmcb_of(const struct vcpu *v)
{
	return (struct vmcb *)(uintptr_t)v->vendor[W_VMCB];
}

static void fill_pages(uint64_t pa, size_t bytes, uint64_t pattern)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)pa;

	for (size_t i = 0; i < bytes / 8; i++)
		p[i] = pattern;
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *c = &svm_cpus[this_cpu()->index];
	uint64_t vm_cr;

	if (!(cpuid(0x80000001, 0).ecx & CPUID_81_ECX_SVM))
		return -HV_ENOTSUP;
	/* Firmware may disable SVM and lock it off: EFER.SVME would #GP (APM 15.30.1). */
	if (rdmsr_safe(MSR_VM_CR, &vm_cr) || (vm_cr & VM_CR_SVMDIS))
		return -HV_ENOTSUP;
	if (!c->hsave_pa) {
		uint64_t hsave = mem_alloc_zeroed_page(), host = mem_alloc_zeroed_page();

		if (!hsave || !host)
			return -HV_ENOMEM;	/* boot-time only: the pages are not worth freeing */
		c->hsave_pa = hsave;
		c->host_vmcb_pa = host;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, c->hsave_pa);
	/*
	 * The host state VMRUN does not keep (GS base = the per-CPU pointer, TR, syscall
	 * MSRs) is fixed after bring-up: saved once here, VMLOADed after every exit.
	 */
	svm_vmsave(c->host_vmcb_pa);
	return 0;
}

static void free_maps(struct vcpu *v)
{
	static const size_t pages[] = { [W_VMCB] = 1, [W_MSRPM] = 2, [W_IOPM] = 3 };

	for (int w = W_VMCB; w <= W_IOPM; w++) {
		if (v->vendor[w] && mem_free(v->vendor[w], pages[w]))
			pr_warn("svm: could not free 0x%llx", (unsigned long long)v->vendor[w]);
		v->vendor[w] = 0;
	}
}

/* A vCPU set up again (a restart) keeps its pages: only a first setup allocates. */
static uint64_t pages_or_new(uint64_t pa, size_t n)
{
	return pa ? pa : mem_alloc_zeroed_pages(n, 1);
}

/* The VMCB and the permission maps (contiguous, page aligned: APM 15.10.1, 15.11). */
static int alloc_maps(struct vcpu *v)
{
	v->vendor[W_VMCB] = pages_or_new(v->vendor[W_VMCB], 1);
	v->vendor[W_MSRPM] = pages_or_new(v->vendor[W_MSRPM], SVM_MSRPM_SIZE / PAGE);
	v->vendor[W_IOPM] = pages_or_new(v->vendor[W_IOPM], SVM_IOPM_SIZE / PAGE);
	if (!v->vendor[W_VMCB] || !v->vendor[W_MSRPM] || !v->vendor[W_IOPM]) {
		free_maps(v);
		return -HV_ENOMEM;
	}
	/* A reused VMCB starts from zero too; its clean bits (0) make the CPU reload it all. */
	fill_pages(v->vendor[W_VMCB], PAGE, 0);
	/* Everything exits but the listed MSRs and the ports io_passthrough() opens. */
	fill_pages(v->vendor[W_MSRPM], SVM_MSRPM_SIZE, ~0ull);
	fill_pages(v->vendor[W_IOPM], SVM_IOPM_SIZE, ~0ull);
	for (size_t i = 0; i < sizeof(msr_passthrough) / sizeof(msr_passthrough[0]); i++)
		(void)!svm_msrpm_set((uint8_t *)(uintptr_t)v->vendor[W_MSRPM],
				     msr_passthrough[i], false, false);
	return 0;
}

/*
 * A fresh ASID per vCPU, 1..nasids-1 (CPUID 0x8000000A EBX). When they run out, ASIDs
 * are shared, and from then on every switch between VMCBs on a CPU flushes the TLB
 * (load_guest), which is correct for any sharing (APM vol 2 sec. 15.16.1).
 */
static uint32_t alloc_asid(uint32_t nasids)
{
	uint32_t a = __atomic_fetch_add(&asid_next, 1, __ATOMIC_RELAXED);

	if (a < nasids)
		return a;
	__atomic_store_n(&asids_shared, true, __ATOMIC_RELEASE);
	return 1 + (a - 1) % (nasids - 1);
}

static void init_control(struct vcpu *v, const struct guest_mem *mem, uint32_t asid)
{
	struct vmcb_control *c = &vmcb_of(v)->control;

	c->intercept_exc = 1u << VEC_DF;	/* stands in for SHUTDOWN on Bochs: exit.c */
	c->intercept3 = INTERCEPT3_INTR | INTERCEPT3_NMI | INTERCEPT3_INIT | INTERCEPT3_CPUID |
			INTERCEPT3_INVD | INTERCEPT3_HLT | INTERCEPT3_INVLPGA |
			INTERCEPT3_IOIO_PROT | INTERCEPT3_MSR_PROT | INTERCEPT3_SHUTDOWN;
	c->intercept4 = INTERCEPT4_VMRUN | INTERCEPT4_VMMCALL | INTERCEPT4_VMLOAD |
			INTERCEPT4_VMSAVE | INTERCEPT4_STGI | INTERCEPT4_CLGI |
			INTERCEPT4_SKINIT | INTERCEPT4_WBINVD | INTERCEPT4_XSETBV;
	c->iopm_base_pa = v->vendor[W_IOPM];
	c->msrpm_base_pa = v->vendor[W_MSRPM];
	c->guest_asid = asid;
	c->tlb_control = TLB_CONTROL_FLUSH_ALL;
	/* The guest's IF and TPR then gate only virtual interrupts, not the host's. */
	c->vintr = VINTR_MASKING;
	c->np_ctl = NP_CTL_ENABLE;
	c->n_cr3 = mem->npt_root;
}

static struct vmcb_seg flat_seg(uint16_t selector, uint16_t attrib)
{
	return (struct vmcb_seg){ .selector = selector, .attrib = attrib, .limit = 0xffffffff };
}

/* Multiboot(1) entry state: 32-bit protected mode, paging off, flat segments. */
static void init_save(struct vcpu *v)
{
	struct vmcb_save *s = &vmcb_of(v)->save;

	s->cs = flat_seg(0x08, SEG_ATTR_CODE32);
	s->ds = s->es = s->ss = s->fs = s->gs = flat_seg(0x10, SEG_ATTR_DATA32);
	s->tr = (struct vmcb_seg){ .attrib = SEG_ATTR_TSS32_BUSY, .limit = 0x67 };
	s->ldtr = (struct vmcb_seg){ .attrib = SEG_ATTR_LDT, .limit = 0xffff };
	s->gdtr = (struct vmcb_seg){ .limit = 0xffff };
	s->idtr = (struct vmcb_seg){ .limit = 0xffff };
	s->cpl = 0;
	s->efer = EFER_SVME;	/* VMRUN requires it (APM 15.5.1); the guest never sees it */
	s->cr0 = CR0_PE | CR0_ET;
	s->cr3 = 0;
	s->cr4 = 0;
	s->dr6 = GUEST_DR6;
	s->dr7 = GUEST_DR7;
	s->rflags = RFLAGS_FIXED;
	s->rip = v->rip;
	s->rsp = v->gpr[GPR_RSP];
	s->rax = v->gpr[GPR_RAX];
	s->g_pat = GUEST_PAT;
	v->rflags = s->rflags;
	v->cr0 = s->cr0;
	v->cr3 = v->cr4 = v->efer = 0;
}

static int svm_vcpu_init(struct vcpu *v, const struct guest_mem *mem)
{
	struct cpuid_regs caps = cpuid(0x8000000a, 0);
	uint64_t maps[W_IOPM + 1];
	uint32_t asid;
	int ret;

	if (caps.ebx < 2)
		return -HV_ENOTSUP;	/* no guest ASID at all */
	/* Set up again (a restart): the same VMCB, maps and ASID, every field fresh. */
	asid = v->vendor[W_VMCB] ? vmcb_of(v)->control.guest_asid : 0;
	for (int w = W_VMCB; w <= W_IOPM; w++)
		maps[w] = v->vendor[w];
	for (int i = 0; i < VCPU_VENDOR_WORDS; i++)
		v->vendor[i] = i <= W_IOPM ? maps[i] : 0;
	ret = alloc_maps(v);
	if (ret)
		return ret;
	if (caps.edx & CPUID_8A_EDX_NRIPS)
		v->vendor[W_FLAGS] |= F_NRIP;
	init_control(v, mem, asid ? asid : alloc_asid(caps.ebx));
	init_save(v);
	v->vendor[W_LAST_RIP] = v->rip;
	return 0;
}

/*
 * The first entry of v on this CPU, or after another VMCB ran here: this CPU may hold
 * stale translations for this ASID from an earlier run here, or another vCPU's under a
 * shared ASID.
 */
static void switch_to(struct vcpu *v, struct vmcb *vmcb, struct svm_cpu *c)
{
	bool moved = v->vendor[W_LAST_CPU] != (uintptr_t)c;

	if (moved || __atomic_load_n(&asids_shared, __ATOMIC_ACQUIRE))
		vmcb->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
	v->vendor[W_LAST_CPU] = (uintptr_t)c;
	c->last_vmcb = v->vendor[W_VMCB];
}

/* Generic code edits v; the VMCB gets its view before each entry. */
static void load_guest(struct vcpu *v, struct vmcb *vmcb, struct svm_cpu *c)
{
	vmcb->save.rip = v->rip;
	vmcb->save.rsp = v->gpr[GPR_RSP];
	vmcb->save.rflags = v->rflags | RFLAGS_FIXED;
	vmcb->save.efer = v->efer | EFER_SVME;
	vmcb->save.rax = v->gpr[GPR_RAX];
	/* The shadow of STI / MOV SS covers one instruction: gone once RIP moved on. */
	if (v->rip != v->vendor[W_LAST_RIP])
		vmcb->control.int_state &= ~INT_STATE_SHADOW;
	if (__builtin_expect(v->vendor[W_LAST_CPU] != (uintptr_t)c ||
			     c->last_vmcb != v->vendor[W_VMCB], 0))
		switch_to(v, vmcb, c);
}

/*
 * Nothing to fetch: store_guest() copies them after every exit, a plain load each, and
 * after VMEXIT_INVALID (when Bochs has overwritten the save area) v keeps the refused
 * values for the dump.
 */
static void svm_read_crs(struct vcpu *v)
{
}

static void store_guest(struct vcpu *v, const struct vmcb *vmcb)
{
	v->rip = vmcb->save.rip;
	v->gpr[GPR_RSP] = vmcb->save.rsp;
	v->rflags = vmcb->save.rflags;
	v->gpr[GPR_RAX] = vmcb->save.rax;
	v->cr0 = vmcb->save.cr0;
	v->cr3 = vmcb->save.cr3;
	v->cr4 = vmcb->save.cr4;
	v->efer = vmcb->save.efer & ~(uint64_t)EFER_SVME;
	v->vendor[W_LAST_RIP] = v->rip;
}

/*
 * CLGI holds interrupts and NMIs from before VMRUN until after the host's VMLOAD. With
 * V_INTR_MASKING a physical interrupt exits the guest (INTR intercept) only if the
 * host's RFLAGS.IF, as VMRUN saw it, is 1 (APM vol 2 sec. 15.21.1), so IF is set inside
 * the GIF = 0 window, where it lets nothing in; an interrupt that made the guest exit
 * stays pending until the generic EXIT_EXTINT handler opens an STI window.
 */
static void world_switch(struct vcpu *v, const struct svm_cpu *c)
{
	svm_clgi();
	irq_enable();
	svm_vmrun(v->vendor[W_VMCB], c->host_vmcb_pa, v->gpr);
	irq_disable();
	svm_stgi();
}

/* The guest's XCR0 (set by the generic layer after checking it) around the entry. */
static void run_with_xcr0(struct vcpu *v, const struct svm_cpu *c)
{
	uint64_t host_xcr0;

	if (!v->xcr0 || !(read_cr4() & CR4_OSXSAVE)) {
		world_switch(v, c);
		return;
	}
	host_xcr0 = svm_xgetbv0();
	if (host_xcr0 != v->xcr0)
		svm_xsetbv0(v->xcr0);
	world_switch(v, c);
	if (host_xcr0 != v->xcr0)
		svm_xsetbv0(host_xcr0);
}

/*
 * EVENTINJ was delivered, or its delivery was cut short by the exit and sits in
 * EXITINTINFO with any other event being delivered (APM vol 2 sec. 15.7.2, 15.20).
 * Such an event is delivered again on the next entry unless the generic layer injects
 * something first.
 */
static void requeue_interrupted_event(struct vmcb *vmcb)
{
	uint64_t info = vmcb->control.exitintinfo;

	vmcb->control.event_inj = (info & EVENT_VALID) ? info : 0;
}

static void svm_irq_window(struct vcpu *v, bool enable);

static void svm_run(struct vcpu *v, struct exit_info *ei)
{
	struct svm_cpu *c = &svm_cpus[this_cpu()->index];
	struct vmcb *vmcb = vmcb_of(v);

	load_guest(v, vmcb, c);
	run_with_xcr0(v, c);
	svm_decode_exit(vmcb, v->vendor[W_FLAGS] & F_NRIP, ei);
	/*
	 * After VMEXIT_INVALID the guest never ran, and Bochs even leaves the host's state
	 * in the save area: v keeps the state that was refused, for the dump.
	 */
	if (ei->kind == EXIT_ENTRY_FAILED)
		return;
	vmcb->control.tlb_control = TLB_CONTROL_NONE;
	store_guest(v, vmcb);
	requeue_interrupted_event(vmcb);
	if (ei->kind == EXIT_IRQ_WINDOW)
		svm_irq_window(v, false);
}

/* EVENTINJ, APM vol 2 sec. 15.20; a queued event not yet delivered is replaced. */
static void svm_inject_exception(struct vcpu *v, uint8_t vector, bool has_error,
				 uint32_t error)
{
	uint64_t e = vector | (EVENT_TYPE_EXCEPTION << EVENT_TYPE_SHIFT) | EVENT_VALID;

	if (has_error)
		e |= EVENT_ERROR_VALID | ((uint64_t)error << EVENT_ERROR_SHIFT);
	vmcb_of(v)->control.event_inj = e;
}

static void svm_inject_irq(struct vcpu *v, uint8_t vector)
{
	vmcb_of(v)->control.event_inj =
		vector | (EVENT_TYPE_INTR << EVENT_TYPE_SHIFT) | EVENT_VALID;
}

static bool svm_irq_allowed(const struct vcpu *v)
{
	const struct vmcb_control *c = &vmcb_of(v)->control;
	bool shadow = (c->int_state & INT_STATE_SHADOW) && v->rip == v->vendor[W_LAST_RIP];

	return (v->rflags & RFLAGS_IF) && !shadow && !(c->event_inj & EVENT_VALID);
}

/*
 * A virtual interrupt (V_IRQ, highest priority, TPR ignored) with the VINTR intercept:
 * the CPU exits with VINTR exactly when the guest could take it (APM vol 2 15.21.4).
 * The vector is never delivered; the exit clears the request (one shot).
 */
static void svm_irq_window(struct vcpu *v, bool enable)
{
	struct vmcb_control *c = &vmcb_of(v)->control;
	uint32_t req = VINTR_IRQ | (0xfu << VINTR_PRIO_SHIFT) | VINTR_IGN_TPR;

	if (enable) {
		c->vintr |= req;
		c->intercept3 |= INTERCEPT3_VINTR;
	} else {
		c->vintr &= ~req;
		c->intercept3 &= ~INTERCEPT3_VINTR;
	}
}

static void svm_io_passthrough(struct vcpu *v, uint16_t port, bool allow)
{
	svm_iopm_set((uint8_t *)(uintptr_t)v->vendor[W_IOPM], port, !allow);
}

static void dump_seg(const char *name, const struct vmcb_seg *s)
{
	pr_err("svm:   %-4s sel=0x%04x attr=0x%03x limit=0x%08x base=0x%016llx", name,
	       s->selector, s->attrib, s->limit, (unsigned long long)s->base);
}

static void svm_dump(const struct vcpu *v)
{
	const struct vmcb *vmcb = vmcb_of(v);
	const struct vmcb_control *c = &vmcb->control;
	const struct vmcb_save *s = &vmcb->save;
	const char *name = svm_exit_name(c->exitcode);

	pr_err("svm: exitcode=0x%llx (%s) exitinfo1=0x%llx exitinfo2=0x%llx exitintinfo=0x%llx "
	       "nrip=0x%llx", (unsigned long long)c->exitcode, name ? name : "unknown",
	       (unsigned long long)c->exitinfo1, (unsigned long long)c->exitinfo2,
	       (unsigned long long)c->exitintinfo, (unsigned long long)c->nrip);
	pr_err("svm:   rip=0x%016llx rsp=0x%016llx rflags=0x%llx rax=0x%llx cpl=%u",
	       (unsigned long long)s->rip, (unsigned long long)s->rsp,
	       (unsigned long long)s->rflags, (unsigned long long)s->rax, s->cpl);
	pr_err("svm:   cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx g_pat=0x%llx",
	       (unsigned long long)s->cr0, (unsigned long long)s->cr2,
	       (unsigned long long)s->cr3, (unsigned long long)s->cr4,
	       (unsigned long long)s->efer, (unsigned long long)s->g_pat);
	dump_seg("cs", &s->cs);
	dump_seg("ss", &s->ss);
	dump_seg("ds", &s->ds);
	dump_seg("es", &s->es);
	dump_seg("fs", &s->fs);
	dump_seg("gs", &s->gs);
	dump_seg("tr", &s->tr);
	dump_seg("ldtr", &s->ldtr);
	dump_seg("gdtr", &s->gdtr);
	dump_seg("idtr", &s->idtr);
	pr_err("svm:   asid=%u tlb=%u vintr=0x%x int_state=0x%llx event_inj=0x%llx np=0x%llx "
	       "n_cr3=0x%llx", c->guest_asid, c->tlb_control, c->vintr,
	       (unsigned long long)c->int_state, (unsigned long long)c->event_inj,
	       (unsigned long long)c->np_ctl, (unsigned long long)c->n_cr3);
	pr_err("svm:   intercepts cr=0x%x dr=0x%x exc=0x%x 3=0x%x 4=0x%x iopm=0x%llx "
	       "msrpm=0x%llx", c->intercept_cr, c->intercept_dr, c->intercept_exc,
	       c->intercept3, c->intercept4, (unsigned long long)c->iopm_base_pa,
	       (unsigned long long)c->msrpm_base_pa);
}

/* v's nested mappings shrank: the next VMRUN drops what this CPU cached (APM 2 15.16.1). */
static void svm_flush_nested(struct vcpu *v)
{
	vmcb_of(v)->control.tlb_control = TLB_CONTROL_FLUSH_ALL;
}

const struct vcpu_ops svm_ops = {
	.name = "svm",
	.npt_format = &pt_format_npt,
	.hypercall_insn = "vmmcall (0f 01 d9)",
	.cpu_enable = svm_cpu_enable,
	.vcpu_init = svm_vcpu_init,
	.run = svm_run,
	.read_crs = svm_read_crs,
	.inject_exception = svm_inject_exception,
	.inject_irq = svm_inject_irq,
	.irq_allowed = svm_irq_allowed,
	.irq_window = svm_irq_window,
	.io_passthrough = svm_io_passthrough,
	.dump = svm_dump,
	.flush_nested = svm_flush_nested,
};
