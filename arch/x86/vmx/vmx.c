/* SPDX-License-Identifier: MIT */
/* The Intel VT-x back end of the vCPU: VMXON, the VMCS, entry, exits and injection. */
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/caps.h"
#include "arch/x86/vmx/exit.h"
#include "arch/x86/vmx/insn.h"
#include "arch/x86/vmx/maps.h"
#include "arch/x86/vmx/vmcs.h"
#include "include/abi/hv_errno.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/vcpu.h"

_Static_assert(VMCS_HOST_RSP == VMCS_HOST_RSP_ENCODING, "entry.S writes HOST_RSP by number");

/* MSRs beyond caps.h, SDM 3D app. A and vol 4 table 2-2. */
#define MSR_IA32_VMX_CR0_FIXED0		0x486
#define MSR_IA32_VMX_CR0_FIXED1		0x487
#define MSR_IA32_VMX_CR4_FIXED0		0x488
#define MSR_IA32_VMX_CR4_FIXED1		0x489
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x490
#define MSR_SYSENTER_CS			0x174
#define MSR_SYSENTER_ESP		0x175
#define MSR_SYSENTER_EIP		0x176
#define MSR_PAT				0x277
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SFMASK			0xc0000084
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_KERNEL_GS_BASE		0xc0000102

#define CPUID_1_ECX_VMX		(1u << 5)
#define CR0_ET			(1ull << 4)
#define CR0_NE			(1ull << 5)
#define CR0_TS			(1ull << 3)
#define CR4_PSE			(1ull << 4)
#define CR4_VMXE		(1ull << 13)
#define CR4_PCIDE		(1ull << 17)
#define EFER_LMA		(1ull << 10)
#define RFLAGS_FIXED		(1ull << 1)
#define RFLAGS_IF		(1ull << 9)
#define PAT_POWER_ON		0x0007040600070406ull	/* SDM 3A 13.12.4 */
#define VEC_GP			13

/* The multiboot entry state (vmm/vcpu.h): flat 32-bit protected mode, paging off. */
#define GUEST_CR0		(CR0_PE | CR0_ET | CR0_NE)
#define GUEST_CR0_SHADOW	(CR0_PE | CR0_ET)	/* NE is fixed to 1; the guest sees 0 */
#define AR_CODE32		0xc09b	/* G, D, P, S, type 11: execute/read, accessed */
#define AR_DATA32		0xc093	/* G, B, P, S, type 3: read/write, accessed */
#define AR_TSS_BUSY		0x008b	/* P, type 11: busy TSS, valid in IA-32e mode too */
#define SEL_CODE		0x08
#define SEL_DATA		0x10

/* Per physical CPU: the capability MSRs (all CPUs alike, read on each) and VMXON. */
struct vmx_hw {
	uint64_t basic, pin, proc, proc2, exit, entry, misc, ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t xcr0_supported;
};

struct vmx_vcpu;

struct vmx_cpu {
	struct vmx_hw hw;
	uint64_t vmxon_pa;
	uint64_t current_vmcs;	/* what VMPTRLD last made current here */
	struct vmx_vcpu *msr_owner;	/* whose msr_switched[] values the MSRs hold */
	bool on;
};

static struct vmx_cpu vmx_cpus[MAX_CPUS];

/*
 * MSRs the guest reads and writes directly (msr_passthrough below) that neither the
 * guest- nor the host-state area holds (SDM 3C 25.4, 25.5): with several vCPUs on a CPU
 * they are switched with the current VMCS. The host never uses them (no SYSCALL, no
 * SWAPGS).
 */
static const uint32_t msr_switched[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE,
};
#define MSR_SWITCHED_COUNT	(sizeof(msr_switched) / sizeof(msr_switched[0]))

/* The back end's part of struct vcpu (its vendor[] words). */
struct vmx_vcpu {
	uint64_t vmcs_pa, msr_bitmap_pa, io_a_pa, io_b_pa, eptp;
	uint64_t cr0_mask, cr0_shadow, cr4_mask, cr4_shadow;
	uint64_t exit_rip;		/* guest RIP at the last exit: interrupt shadow check */
	uint64_t vmcs_rsp, vmcs_rflags, vmcs_efer;	/* what the VMCS holds: skip VMWRITEs */
	uint32_t proc_ctls, entry_ctls;	/* likewise */
	uint16_t vpid;
	bool launched;
	bool vmfailed;			/* the last VMLAUNCH/VMRESUME failed: no exit */
	bool crs_read;			/* v->cr0..efer fetched since the exit (read_crs) */
	bool exit_saves_lma;		/* IA32_VMX_MISC bit 5 (SDM 3D app. A.6) */
	uint64_t msrs[MSR_SWITCHED_COUNT];	/* msr_switched[] while another VMCS is current */
};
_Static_assert(sizeof(struct vmx_vcpu) <= sizeof(((struct vcpu *)0)->vendor),
	       "struct vmx_vcpu must fit in vcpu.vendor");

static uint32_t vpid_last;	/* VPIDs handed out; 0 is the host's (SDM 3C 29.1) */

static struct vmx_vcpu *vmx_of(struct vcpu *v)
{
	return (struct vmx_vcpu *)v->vendor;
}

static const struct vmx_vcpu *vmx_of_const(const struct vcpu *v)
{
	return (const struct vmx_vcpu *)v->vendor;
}

static struct vmx_cpu *this_vmx_cpu(void)
{
	return &vmx_cpus[this_cpu()->index];
}

/* The outgoing owner's values saved, x's loaded (zero, their reset value, at first). */
static void msrs_switch(struct vmx_cpu *c, struct vmx_vcpu *x)
{
	if (c->msr_owner == x)
		return;
	for (unsigned int i = 0; c->msr_owner && i < MSR_SWITCHED_COUNT; i++)
		c->msr_owner->msrs[i] = rdmsr(msr_switched[i]);
	for (unsigned int i = 0; i < MSR_SWITCHED_COUNT; i++)
		wrmsr(msr_switched[i], x->msrs[i]);
	c->msr_owner = x;
}

/* Out of line: with one vCPU per CPU it never runs after the first entry. */
__attribute__((noinline)) static void vmcs_switch(struct vmx_cpu *c, const struct vcpu *v)
{
	/* The MSR slots belong to this CPU's bookkeeping, not to the const view of v. */
	struct vmx_vcpu *x = (struct vmx_vcpu *)v->vendor;

	if (vmptrld(x->vmcs_pa))
		return;
	c->current_vmcs = x->vmcs_pa;
	msrs_switch(c, x);
}

/*
 * Every op works on the current VMCS: with several vCPUs on one CPU (taking turns), make
 * this one's current first; VMLAUNCH or VMRESUME is per VMCS (launched), and the host
 * state, written on this CPU, is the same in all. A VMCS never moves to another CPU
 * (vCPUs are pinned; a move would need VMCLEAR on the old CPU and new host state, SDM
 * 3C 25.11.1).
 */
static void vmcs_make_current_on(struct vmx_cpu *c, const struct vcpu *v)
{
	if (__builtin_expect(c->current_vmcs != vmx_of_const(v)->vmcs_pa, 0))
		vmcs_switch(c, v);
}

static void vmcs_make_current(const struct vcpu *v)
{
	vmcs_make_current_on(this_vmx_cpu(), v);
}

/* ---- cpu_enable: IA32_FEATURE_CONTROL, CR0/CR4, VMXON (SDM 3C 24.7, 24.8) ---- */

static uint64_t msr_or_zero(uint32_t msr)
{
	uint64_t v;

	return rdmsr_safe(msr, &v) ? 0 : v;
}

static void hw_read(struct vmx_hw *hw)
{
	struct cpuid_regs d = cpuid(0xd, 0);
	bool true_ctls;

	hw->basic = msr_or_zero(MSR_IA32_VMX_BASIC);
	true_ctls = (hw->basic >> 55) & 1;	/* SDM 3D app. A.1 */
	hw->pin = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					  MSR_IA32_VMX_PINBASED_CTLS);
	hw->proc = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					   MSR_IA32_VMX_PROCBASED_CTLS);
	hw->exit = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	hw->entry = msr_or_zero(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					    MSR_IA32_VMX_ENTRY_CTLS);
	hw->misc = msr_or_zero(MSR_IA32_VMX_MISC);
	hw->proc2 = (hw->proc >> 63) & 1 ? msr_or_zero(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	hw->ept_vpid = hw->proc2 ? msr_or_zero(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	hw->cr0_fixed0 = msr_or_zero(MSR_IA32_VMX_CR0_FIXED0);
	hw->cr0_fixed1 = msr_or_zero(MSR_IA32_VMX_CR0_FIXED1);
	hw->cr4_fixed0 = msr_or_zero(MSR_IA32_VMX_CR4_FIXED0);
	hw->cr4_fixed1 = msr_or_zero(MSR_IA32_VMX_CR4_FIXED1);
	hw->xcr0_supported = cpuid(0, 0).eax >= 0xd ? ((uint64_t)d.edx << 32) | d.eax : 0;
}

/* The features this back end cannot run without. */
static int hw_check(const struct vmx_hw *hw)
{
	struct vmx_msrs m = { .basic = hw->basic, .pinbased = hw->pin, .procbased = hw->proc,
			      .procbased2 = hw->proc2, .ept_vpid_cap = hw->ept_vpid };
	struct vmx_caps c;

	vmx_caps_decode(&m, &c);
	if (!c.ept || !c.vpid || !c.unrestricted || !c.msr_bitmap || !c.io_bitmap) {
		pr_err("vmx: need EPT, VPID, unrestricted guest, MSR and I/O bitmaps "
		       "(ept=%d vpid=%d unrestricted=%d msr_bitmap=%d io_bitmap=%d)",
		       c.ept, c.vpid, c.unrestricted, c.msr_bitmap, c.io_bitmap);
		return -HV_ENOTSUP;
	}
	if (!c.ept_4level || !c.ept_wb || !c.invept || !c.invvpid) {
		pr_err("vmx: need 4-level write-back EPT, INVEPT and INVVPID");
		return -HV_ENOTSUP;
	}
	if (((hw->basic >> 32) & 0x1fff) > 4096 || !(hw->cr4_fixed1 & CR4_VMXE)) {
		pr_err("vmx: VMCS larger than a page or CR4.VMXE not allowed");
		return -HV_ENOTSUP;
	}
	return 0;
}

/* SDM 3C 24.7: VMXON outside SMX needs bit 2, and the lock bit makes it stick. */
static int feature_control_enable(void)
{
	uint64_t fc;

	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc)) {
		pr_err("vmx: IA32_FEATURE_CONTROL unreadable");
		return -HV_ENOTSUP;
	}
	if (fc & FEATURE_CONTROL_LOCK) {
		if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
			return 0;
		pr_err("vmx: disabled by firmware (IA32_FEATURE_CONTROL=0x%llx locked without "
		       "VMX outside SMX)", (unsigned long long)fc);
		return -HV_ENOTSUP;
	}
	wrmsr(MSR_IA32_FEATURE_CONTROL,
	      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	return 0;
}

static int vmx_cpu_enable(void)
{
	struct vmx_cpu *c = this_vmx_cpu();
	uint32_t *region;
	int ret;

	if (c->on)
		return 0;
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX))
		return -HV_ENOTSUP;
	ret = feature_control_enable();
	if (ret)
		return ret;
	hw_read(&c->hw);
	ret = hw_check(&c->hw);
	if (ret)
		return ret;
	if (!c->vmxon_pa && !(c->vmxon_pa = mem_alloc_zeroed_page()))
		return -HV_ENOMEM;
	region = (uint32_t *)(uintptr_t)c->vmxon_pa;
	region[0] = (uint32_t)(c->hw.basic & 0x7fffffff);	/* revision, SDM 3C 25.11.5 */
	write_cr0(vmx_cr_fixed(read_cr0(), c->hw.cr0_fixed0, c->hw.cr0_fixed1));
	write_cr4(vmx_cr_fixed(read_cr4() | CR4_VMXE, c->hw.cr4_fixed0, c->hw.cr4_fixed1));
	if (vmxon(c->vmxon_pa)) {
		write_cr4(read_cr4() & ~CR4_VMXE);
		pr_err("vmx: VMXON failed on cpu %u", this_cpu()->index);
		return -HV_EIO;
	}
	c->on = true;
	pr_debug("vmx: cpu %u in VMX root operation", this_cpu()->index);
	return 0;
}

/* ---- vcpu_init: the VMCS ---- */

/* VMCS fields of each segment register, in enum vmx_seg_index order (app. B). */
static const struct {
	uint32_t sel, base, limit, ar;
} seg_fields[VMX_SEG_COUNT] = {
	{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	{ VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR },
	{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
	{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	{ VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR },
	{ VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR },
};

static const char *const seg_names[VMX_SEG_COUNT] = {
	"es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr",
};

/*
 * MSRs the guest reads and writes directly. KERNEL_GS_BASE and the SYSCALL MSRs are not
 * in the VMCS: the host never uses them, so they survive across exits, and they follow
 * the current VMCS (msr_switched[]). FS/GS base and SYSENTER are in the guest- and
 * host-state areas. EFER stays intercepted: generic code emulates it.
 */
static const uint32_t msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
};

static void fill_page(uint64_t pa, uint8_t byte)
{
	uint8_t *p = (uint8_t *)(uintptr_t)pa;

	for (unsigned int i = 0; i < 4096; i++)
		p[i] = byte;
}

/* A vCPU set up again (a restart) keeps its pages: only a first setup allocates. */
static uint64_t page_or_new(uint64_t pa)
{
	return pa ? pa : mem_alloc_zeroed_page();
}

static int alloc_pages(struct vmx_vcpu *x)
{
	x->vmcs_pa = page_or_new(x->vmcs_pa);
	x->msr_bitmap_pa = page_or_new(x->msr_bitmap_pa);
	x->io_a_pa = page_or_new(x->io_a_pa);
	x->io_b_pa = page_or_new(x->io_b_pa);
	if (!x->vmcs_pa || !x->msr_bitmap_pa || !x->io_a_pa || !x->io_b_pa)
		return -HV_ENOMEM;
	fill_page(x->msr_bitmap_pa, 0xff);
	fill_page(x->io_a_pa, 0xff);
	fill_page(x->io_b_pa, 0xff);
	for (unsigned int i = 0; i < sizeof(msr_passthrough) / sizeof(msr_passthrough[0]); i++)
		vmx_msr_bitmap_set((uint8_t *)(uintptr_t)x->msr_bitmap_pa, msr_passthrough[i],
				   false);
	return 0;
}

/* A control value: the bits we want, adjusted to the capability MSR, checked that the
 * bits we need stayed set and those we must not have stayed clear. */
static int settle(const char *what, uint32_t want, uint32_t avoid, uint64_t cap, uint32_t *out)
{
	uint32_t v = vmx_adjust(want, cap);

	if ((v & want) != want || (v & avoid)) {
		pr_err("vmx: %s controls: want 0x%x without 0x%x, the CPU allows 0x%x..0x%x",
		       what, want, avoid, (uint32_t)cap, (uint32_t)(cap >> 32));
		return -HV_ENOTSUP;
	}
	*out = v;
	return 0;
}

struct vmx_ctls {
	uint32_t pin, proc, proc2, exit, entry;
};

static int controls_compute(const struct vmx_hw *hw, struct vmx_ctls *c)
{
	/* RDTSCP and INVPCID would #UD in the guest without their enables; both harmless. */
	uint32_t optional2 = (uint32_t)(hw->proc2 >> 32) & (PROC2_RDTSCP | PROC2_INVPCID);
	int ret;

	ret = settle("pin-based", PIN_EXTINT_EXITING | PIN_NMI_EXITING,
		     PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER, hw->pin, &c->pin);
	ret = ret ? ret : settle("primary", PROC_HLT_EXITING | PROC_IO_BITMAPS |
				 PROC_MSR_BITMAPS | PROC_SECONDARY,
				 PROC_IRQ_WINDOW | PROC_INVLPG_EXITING | PROC_CR3_LOAD_EXITING |
				 PROC_CR3_STORE_EXITING | PROC_UNCOND_IO, hw->proc, &c->proc);
	ret = ret ? ret : settle("secondary", PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED |
				 optional2, 0, hw->proc2, &c->proc2);
	ret = ret ? ret : settle("exit", EXITCTL_HOST_64 | EXITCTL_SAVE_PAT | EXITCTL_LOAD_PAT |
				 EXITCTL_SAVE_EFER | EXITCTL_LOAD_EFER, EXITCTL_ACK_INTR,
				 hw->exit, &c->exit);
	ret = ret ? ret : settle("entry", ENTRYCTL_LOAD_PAT | ENTRYCTL_LOAD_EFER,
				 ENTRYCTL_IA32E_GUEST, hw->entry, &c->entry);
	return ret;
}

static int write_controls(struct vmx_vcpu *x, const struct vmx_ctls *c)
{
	int err = 0;

	err |= vmcs_write32(VMCS_PIN_CTLS, c->pin);
	err |= vmcs_write32(VMCS_PROC_CTLS, c->proc);
	err |= vmcs_write32(VMCS_PROC_CTLS2, c->proc2);
	err |= vmcs_write32(VMCS_EXIT_CTLS, c->exit);
	err |= vmcs_write32(VMCS_ENTRY_CTLS, c->entry);
	err |= vmcs_write32(VMCS_EXCEPTION_BITMAP, 0);
	err |= vmcs_write32(VMCS_PF_ERROR_MASK, 0);
	err |= vmcs_write32(VMCS_PF_ERROR_MATCH, 0);
	err |= vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	err |= vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	err |= vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	err |= vmcs_write64(VMCS_IO_BITMAP_A, x->io_a_pa);
	err |= vmcs_write64(VMCS_IO_BITMAP_B, x->io_b_pa);
	err |= vmcs_write64(VMCS_MSR_BITMAP, x->msr_bitmap_pa);
	err |= vmcs_write64(VMCS_EPT_POINTER, x->eptp);
	err |= vmcs_write16(VMCS_VPID, x->vpid);
	err |= vmcs_writenat(VMCS_CR0_MASK, x->cr0_mask);
	err |= vmcs_writenat(VMCS_CR0_SHADOW, x->cr0_shadow);
	err |= vmcs_writenat(VMCS_CR4_MASK, x->cr4_mask);
	err |= vmcs_writenat(VMCS_CR4_SHADOW, x->cr4_shadow);
	x->proc_ctls = c->proc;
	x->entry_ctls = c->entry;
	return err;
}

/* The running CPU's state, loaded on every exit (SDM 3C 28.5). */
static int write_host_state(void)
{
	struct percpu *pc = this_cpu();
	int err = 0;

	err |= vmcs_write16(VMCS_HOST_CS_SEL, GDT_CODE64);
	err |= vmcs_write16(VMCS_HOST_SS_SEL, GDT_DATA);
	err |= vmcs_write16(VMCS_HOST_DS_SEL, GDT_DATA);
	err |= vmcs_write16(VMCS_HOST_ES_SEL, GDT_DATA);
	err |= vmcs_write16(VMCS_HOST_FS_SEL, 0);
	err |= vmcs_write16(VMCS_HOST_GS_SEL, 0);
	err |= vmcs_write16(VMCS_HOST_TR_SEL, GDT_TSS);
	err |= vmcs_writenat(VMCS_HOST_CR0, read_cr0());
	err |= vmcs_writenat(VMCS_HOST_CR3, read_cr3());
	err |= vmcs_writenat(VMCS_HOST_CR4, read_cr4());
	err |= vmcs_writenat(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	err |= vmcs_writenat(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));	/* per-CPU pointer */
	err |= vmcs_writenat(VMCS_HOST_TR_BASE, (uint64_t)(uintptr_t)&pc->tss);
	err |= vmcs_writenat(VMCS_HOST_GDTR_BASE, vmx_sgdt_base());
	err |= vmcs_writenat(VMCS_HOST_IDTR_BASE, vmx_sidt_base());
	err |= vmcs_write32(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	err |= vmcs_writenat(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	err |= vmcs_writenat(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	err |= vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_PAT));
	err |= vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	err |= vmcs_writenat(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_landing);
	return err;
}

static int write_segment(int i, const struct vmx_seg *s)
{
	/* Runtime field numbers: their widths are checked by the host test on the table. */
	int err = vmwrite_raw(seg_fields[i].sel, s->sel);

	err |= vmwrite_raw(seg_fields[i].base, s->base);
	err |= vmwrite_raw(seg_fields[i].limit, s->limit);
	err |= vmwrite_raw(seg_fields[i].ar, s->ar);
	return err;
}

static int write_segments(void)
{
	const struct vmx_seg code = { SEL_CODE, 0, 0xffffffff, AR_CODE32 };
	const struct vmx_seg data = { SEL_DATA, 0, 0xffffffff, AR_DATA32 };
	const struct vmx_seg ldtr = { 0, 0, 0, AR_UNUSABLE };
	const struct vmx_seg tr = { 0, 0, 0x67, AR_TSS_BUSY };
	int err = 0;

	for (int i = 0; i < VMX_SEG_COUNT; i++)
		err |= write_segment(i, i == VMX_SEG_CS ? &code : i == VMX_SEG_LDTR ? &ldtr :
					i == VMX_SEG_TR ? &tr : &data);
	err |= vmcs_writenat(VMCS_GUEST_GDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	err |= vmcs_writenat(VMCS_GUEST_IDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	return err;
}

static int write_guest_state(const struct vcpu *v, const struct vmx_hw *hw)
{
	uint64_t cr0_fixed0 = hw->cr0_fixed0 & ~(CR0_PE | CR0_PG);	/* unrestricted guest */
	int err = write_segments();

	err |= vmcs_writenat(VMCS_GUEST_CR0, vmx_cr_fixed(GUEST_CR0, cr0_fixed0, hw->cr0_fixed1));
	err |= vmcs_writenat(VMCS_GUEST_CR3, 0);
	err |= vmcs_writenat(VMCS_GUEST_CR4, vmx_cr_fixed(CR4_VMXE, hw->cr4_fixed0,
							  hw->cr4_fixed1));
	err |= vmcs_writenat(VMCS_GUEST_DR7, 0x400);
	err |= vmcs_writenat(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	err |= vmcs_writenat(VMCS_GUEST_RIP, v->rip);
	err |= vmcs_writenat(VMCS_GUEST_RFLAGS, v->rflags | RFLAGS_FIXED);
	err |= vmcs_writenat(VMCS_GUEST_PENDING_DBG, 0);
	err |= vmcs_writenat(VMCS_GUEST_SYSENTER_ESP, 0);
	err |= vmcs_writenat(VMCS_GUEST_SYSENTER_EIP, 0);
	err |= vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	err |= vmcs_write64(VMCS_GUEST_EFER, 0);
	err |= vmcs_write64(VMCS_GUEST_PAT, PAT_POWER_ON);
	err |= vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	err |= vmcs_write64(VMCS_LINK_POINTER, ~0ull);
	err |= vmcs_write32(VMCS_GUEST_ACTIVITY, 0);
	err |= vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	return err;
}

/* CR0: the host owns the bits VMX fixes, except PE and PG (unrestricted guest); the
 * guest reads its own belief from the shadow. CR4: VMXE and the other fixed bits. */
static void cr_masks(struct vmx_vcpu *x, const struct vmx_hw *hw)
{
	x->cr0_mask = vmx_cr_fixed_mask(hw->cr0_fixed0, hw->cr0_fixed1, CR0_PE | CR0_PG);
	x->cr0_shadow = GUEST_CR0_SHADOW;
	x->cr4_mask = vmx_cr_fixed_mask(hw->cr4_fixed0, hw->cr4_fixed1, 0) | CR4_VMXE;
	x->cr4_shadow = 0;
}

static int vpid_alloc(uint16_t *out)
{
	uint32_t id = __atomic_add_fetch(&vpid_last, 1, __ATOMIC_RELAXED);

	if (id > 0xffff)
		return -HV_E2BIG;
	*out = (uint16_t)id;
	return 0;
}

/* Stale translations for this VPID and EPTP, from an earlier user of either (SDM 3C
 * 29.4.3.3): single-context where supported, else all-context. */
static int flush_tlbs(const struct vmx_vcpu *x, const struct vmx_hw *hw)
{
	bool ept_single = (hw->ept_vpid >> 25) & 1, vpid_single = (hw->ept_vpid >> 41) & 1;
	int err = invept(ept_single ? INVEPT_SINGLE : INVEPT_ALL, x->eptp);

	err |= invvpid(vpid_single ? INVVPID_SINGLE : INVVPID_ALL, x->vpid);
	return err;
}

/*
 * A VMCS used before (a restart, on the CPU it ran on): VMCLEAR first, so that nothing
 * the CPU keeps of it is written back over the fresh region (SDM 3C 25.11.1), then zero.
 */
static int vmcs_scrub(uint64_t pa)
{
	if (vmclear(pa))
		return -HV_EIO;
	if (this_vmx_cpu()->current_vmcs == pa)
		this_vmx_cpu()->current_vmcs = 0;
	fill_page(pa, 0);
	return 0;
}

static int vmcs_load(struct vmx_vcpu *x, const struct vmx_hw *hw)
{
	*(uint32_t *)(uintptr_t)x->vmcs_pa = (uint32_t)(hw->basic & 0x7fffffff);
	if (vmclear(x->vmcs_pa) || vmptrld(x->vmcs_pa)) {
		pr_err("vmx: VMCLEAR/VMPTRLD of the VMCS at 0x%llx failed",
		       (unsigned long long)x->vmcs_pa);
		return -HV_EIO;
	}
	this_vmx_cpu()->current_vmcs = x->vmcs_pa;
	msrs_switch(this_vmx_cpu(), x);
	return 0;
}

/* Controls, host and guest state into the freshly loaded VMCS, then the TLB flushes. */
static int vmcs_fill(struct vcpu *v, struct vmx_vcpu *x, const struct vmx_hw *hw,
		     const struct vmx_ctls *ctls)
{
	cr_masks(x, hw);
	v->cr0 = GUEST_CR0_SHADOW;
	v->cr3 = v->cr4 = v->efer = 0;
	x->crs_read = true;
	if (write_controls(x, ctls) | write_host_state() | write_guest_state(v, hw)) {
		pr_err("vmx: VMWRITE failed (VM-instruction error %u)",
		       vmcs_read32(VMCS_INSN_ERROR));
		return -HV_EIO;
	}
	if (flush_tlbs(x, hw)) {
		pr_err("vmx: INVEPT/INVVPID failed");
		return -HV_EIO;
	}
	return 0;
}

static int vmx_vcpu_init(struct vcpu *v, const struct guest_mem *mem)
{
	struct vmx_cpu *c = this_vmx_cpu();
	struct vmx_vcpu *x = vmx_of(v), reused;
	struct vmx_ctls ctls;
	int ret;

	if (!c->on || !mem->npt_root || (mem->npt_root & 0xfff))
		return -HV_EINVAL;
	if (c->msr_owner == x)
		c->msr_owner = 0;	/* what the MSRs hold is the old guest's */
	/* Set up again (a restart): the same pages and VPID, every field fresh. */
	reused = *x;
	*x = (struct vmx_vcpu){ .eptp = mem->npt_root | EPTP_WB | EPTP_WALK_4,
				.exit_rip = v->rip, .vmcs_rsp = v->gpr[GPR_RSP],
				.vmcs_rflags = v->rflags | RFLAGS_FIXED,
				.exit_saves_lma = (c->hw.misc >> 5) & 1,
				.vmcs_pa = reused.vmcs_pa, .msr_bitmap_pa = reused.msr_bitmap_pa,
				.io_a_pa = reused.io_a_pa, .io_b_pa = reused.io_b_pa,
				.vpid = reused.vpid };
	ret = controls_compute(&c->hw, &ctls);
	if (!ret && !x->vpid)
		ret = vpid_alloc(&x->vpid);
	if (!ret && x->vmcs_pa)
		ret = vmcs_scrub(x->vmcs_pa);
	if (!ret)
		ret = alloc_pages(x);
	if (!ret)
		ret = vmcs_load(x, &c->hw);
	if (!ret)
		ret = vmcs_fill(v, x, &c->hw, &ctls);
	if (ret)
		return ret;
	pr_debug("vmx: vcpu %u vpid=%u eptp=0x%llx vmcs=0x%llx pin=0x%x proc=0x%x proc2=0x%x "
		 "exit=0x%x entry=0x%x", v->id, x->vpid, (unsigned long long)x->eptp,
		 (unsigned long long)x->vmcs_pa, ctls.pin, ctls.proc, ctls.proc2, ctls.exit,
		 ctls.entry);
	return 0;
}

/* ---- entry and exit ---- */

/*
 * EFER.LMA is LME and CR0.PG together (SDM 3A 10.8.5) and the IA-32e-mode-guest entry
 * control must equal it (SDM 3C 27.3.1.1). A guest that sets CR0.PG with LME itself
 * (PG is guest-owned) gets LMA from the CPU, and the exit stores LMA into the entry
 * control when IA32_VMX_MISC bit 5 is set (SDM 3C 28.2; always so with unrestricted
 * guest). Generic code may change EFER since, and bit 5 may be absent: both are derived
 * again before every entry; v->cr0.PG is the guest's own (never masked).
 */
static void load_efer(struct vcpu *v, struct vmx_vcpu *x)
{
	bool lma = (v->efer & EFER_LME) && (v->cr0 & CR0_PG);
	uint64_t efer = (v->efer & ~EFER_LMA) | (lma ? EFER_LMA : 0);
	uint32_t entry = (x->entry_ctls & ~ENTRYCTL_IA32E_GUEST) | (lma ? ENTRYCTL_IA32E_GUEST : 0);

	if (efer != x->vmcs_efer) {
		(void)vmcs_write64(VMCS_GUEST_EFER, efer);
		x->vmcs_efer = efer;
	}
	if (entry != x->entry_ctls) {
		(void)vmcs_write32(VMCS_ENTRY_CTLS, entry);
		x->entry_ctls = entry;
	}
}

static void load_guest(struct vcpu *v, struct vmx_vcpu *x)
{
	uint64_t rflags = v->rflags | RFLAGS_FIXED;
	uint32_t irq;

	(void)vmcs_writenat(VMCS_GUEST_RIP, v->rip);
	if (v->gpr[GPR_RSP] != x->vmcs_rsp) {
		(void)vmcs_writenat(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
		x->vmcs_rsp = v->gpr[GPR_RSP];
	}
	if (rflags != x->vmcs_rflags) {
		(void)vmcs_writenat(VMCS_GUEST_RFLAGS, rflags);
		x->vmcs_rflags = rflags;
	}
	/* Else EFER and the IA-32e entry control are as the exit left them (save_guest). */
	if (x->crs_read)
		load_efer(v, x);
	/* An emulated instruction completed: its STI/MOV-SS shadow is over (SDM 3C 25.4.2). */
	if (v->rip != x->exit_rip) {
		irq = vmcs_live32(VMCS_GUEST_INTERRUPTIBILITY);
		if (irq & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
			(void)vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
					   irq & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
		x->exit_rip = v->rip;
	}
}

/*
 * The guest's view of its control registers and EFER, fetched only for the exits that
 * look at them (vmm/vcpu.h). The exit may have stored a new LMA into the IA-32e entry
 * control (IA32_VMX_MISC bit 5): the copy in x follows it here.
 */
static void vmx_read_crs(struct vcpu *v)
{
	struct vmx_vcpu *x = vmx_of(v);

	if (x->crs_read || !x->vmcs_pa || !this_vmx_cpu()->on)
		return;
	vmcs_make_current(v);
	v->cr0 = vmx_cr_visible(vmcs_readnat(VMCS_GUEST_CR0), x->cr0_shadow, x->cr0_mask);
	v->cr3 = vmcs_readnat(VMCS_GUEST_CR3);
	v->cr4 = vmx_cr_visible(vmcs_readnat(VMCS_GUEST_CR4), x->cr4_shadow, x->cr4_mask);
	v->efer = vmcs_read64(VMCS_GUEST_EFER);
	x->vmcs_efer = v->efer;
	if (x->exit_saves_lma)
		x->entry_ctls = (x->entry_ctls & ~ENTRYCTL_IA32E_GUEST) |
				(v->efer & EFER_LMA ? ENTRYCTL_IA32E_GUEST : 0);
	x->crs_read = true;
}

static void save_guest(struct vcpu *v, struct vmx_vcpu *x)
{
	v->rip = vmcs_livenat(VMCS_GUEST_RIP);
	v->gpr[GPR_RSP] = vmcs_livenat(VMCS_GUEST_RSP);
	v->rflags = vmcs_livenat(VMCS_GUEST_RFLAGS);
	x->exit_rip = v->rip;
	x->vmcs_rsp = v->gpr[GPR_RSP];
	x->vmcs_rflags = v->rflags;
	x->crs_read = false;
	/* Without IA32_VMX_MISC bit 5 load_efer() derives the entry control every time. */
	if (!x->exit_saves_lma)
		vmx_read_crs(v);
}

/* The guest's XCR0 while it runs (XSETBV needs the host's CR4.OSXSAVE); returns the
 * host's value to put back, or 0 when nothing was loaded. */
static uint64_t xcr0_enter(const struct vcpu *v, const struct vmx_hw *hw)
{
	uint64_t host, x = v->xcr0;

	if (!x || !(read_cr4() & CR4_OSXSAVE))
		return 0;
	if (!(x & 1) || (x & ~hw->xcr0_supported) || ((x & 4) && !(x & 2)))
		return 0;	/* generic code checks XSETBV; never #GP the host here */
	host = vmx_xgetbv0();
	if (host == x)
		return 0;
	vmx_xsetbv0(x);
	return host;
}

/* An event whose delivery the exit interrupted is delivered again (SDM 3C 28.2.4). */
static void requeue_vectoring(void)
{
	uint32_t info = vmcs_live32(VMCS_IDT_VEC_INFO), type;

	if (!(info & INTR_INFO_VALID))
		return;
	type = INTR_INFO_TYPE(info);
	(void)vmcs_write32(VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | 0xfffu));
	if (info & INTR_INFO_ERROR_VALID)
		(void)vmcs_write32(VMCS_ENTRY_EXC_ERROR, vmcs_read32(VMCS_IDT_VEC_ERROR));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		(void)vmcs_write32(VMCS_ENTRY_INSN_LEN, vmcs_read32(VMCS_EXIT_INSN_LEN));
}

static void read_exit(struct vmx_exit_raw *r)
{
	uint32_t basic;

	r->reason = vmcs_live32(VMCS_EXIT_REASON);
	r->qual = vmcs_livenat(VMCS_EXIT_QUAL);
	r->insn_len = vmcs_live32(VMCS_EXIT_INSN_LEN);
	basic = VMX_REASON_BASIC(r->reason);
	r->gpa = r->gla = 0;
	r->intr_info = r->intr_error = 0;
	if (basic == VMX_EXIT_EPT_VIOLATION || basic == VMX_EXIT_EPT_MISCONFIG) {
		r->gpa = vmcs_live64(VMCS_GUEST_PHYS_ADDR);
		r->gla = vmcs_livenat(VMCS_GUEST_LINEAR_ADDR);
	}
	if (basic == VMX_EXIT_EXCEPTION_NMI) {
		r->intr_info = vmcs_live32(VMCS_EXIT_INTR_INFO);
		r->intr_error = vmcs_live32(VMCS_EXIT_INTR_ERROR);
	}
}

/* ---- VM-entry failure reports ---- */

static void read_segment(int i, struct vmx_seg *s)
{
	s->sel = (uint16_t)vmread_raw(seg_fields[i].sel);
	s->base = vmread_raw(seg_fields[i].base);
	s->limit = (uint32_t)vmread_raw(seg_fields[i].limit);
	s->ar = (uint32_t)vmread_raw(seg_fields[i].ar);
}

static void collect_state(struct vmx_guest_state *s, const struct vmx_hw *hw)
{
	uint32_t proc = vmcs_read32(VMCS_PROC_CTLS);

	s->cr0 = vmcs_readnat(VMCS_GUEST_CR0);
	s->cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	s->dr7 = vmcs_readnat(VMCS_GUEST_DR7);
	s->rflags = vmcs_readnat(VMCS_GUEST_RFLAGS);
	s->efer = vmcs_read64(VMCS_GUEST_EFER);
	s->link = vmcs_read64(VMCS_LINK_POINTER);
	s->cr0_fixed0 = hw->cr0_fixed0;
	s->cr0_fixed1 = hw->cr0_fixed1;
	s->cr4_fixed0 = hw->cr4_fixed0;
	s->cr4_fixed1 = hw->cr4_fixed1;
	s->entry_ctls = vmcs_read32(VMCS_ENTRY_CTLS);
	s->proc2_ctls = (proc & PROC_SECONDARY) ? vmcs_read32(VMCS_PROC_CTLS2) : 0;
	s->activity = vmcs_read32(VMCS_GUEST_ACTIVITY);
	s->interruptibility = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);
	for (int i = 0; i < VMX_SEG_COUNT; i++)
		read_segment(i, &s->seg[i]);
}

/* Exit qualification of an invalid-guest-state failure, SDM 3C 27.8. */
static const char *entry_qual_name(uint64_t qual)
{
	switch (qual) {
	case 2: return "PDPTE load failed";
	case 3: return "NMI injection with STI blocking";
	case 4: return "invalid VMCS link pointer";
	default: return "a guest-state check (SDM 3C 27.3.1)";
	}
}

__attribute__((cold, noinline)) static void report_entry_failure(const struct vcpu *v,
							 const struct exit_info *ei)
{
	struct vmx_guest_state s;
	char why[120];
	const char *found;

	if (ei->raw == VMX_EXIT_MSR_LOADING) {
		pr_err("vmx: VM entry failed: MSR loading (entry %llu)",
		       (unsigned long long)ei->qual);
		return;
	}
	if (ei->raw != VMX_EXIT_INVALID_GUEST) {
		pr_err("vmx: VM entry failed: %s (reason %u)", vmx_exit_name(ei->raw), ei->raw);
		return;
	}
	collect_state(&s, &this_vmx_cpu()->hw);
	found = vmx_guest_state_check(&s, why, sizeof(why));
	pr_err("vmx: VM entry failed: invalid guest state, %s; software check: %s",
	       entry_qual_name(ei->qual), found ? found : "no usual suspect found");
}

/* For VM-instruction error 7: which control field its capability MSR forbids. */
static void report_bad_controls(const struct vmx_hw *hw)
{
	const struct { const char *name; uint32_t value; uint64_t cap; } ctl[] = {
		{ "pin-based", vmcs_read32(VMCS_PIN_CTLS), hw->pin },
		{ "primary", vmcs_read32(VMCS_PROC_CTLS), hw->proc },
		{ "secondary", vmcs_read32(VMCS_PROC_CTLS2), hw->proc2 },
		{ "exit", vmcs_read32(VMCS_EXIT_CTLS), hw->exit },
		{ "entry", vmcs_read32(VMCS_ENTRY_CTLS), hw->entry },
	};

	for (unsigned int i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		if (!vmx_ctl_allowed(ctl[i].value, ctl[i].cap))
			pr_err("vmx:   %s controls 0x%x not allowed (must 0x%x, may 0x%x)",
			       ctl[i].name, ctl[i].value, (uint32_t)ctl[i].cap,
			       (uint32_t)(ctl[i].cap >> 32));
}

__attribute__((cold, noinline)) static void report_vmfail(struct vmx_vcpu *x, int status,
						  struct exit_info *ei)
{
	const char *insn = x->launched ? "VMRESUME" : "VMLAUNCH";
	uint32_t err = 0;

	if (status == VMX_FAIL_VALID) {
		err = vmcs_read32(VMCS_INSN_ERROR);
		pr_err("vmx: %s failed: VM-instruction error %u (%s)", insn, err,
		       vmx_insn_error_name(err));
		if (err == 7)
			report_bad_controls(&this_vmx_cpu()->hw);
	} else {
		pr_err("vmx: %s failed: VMfailInvalid (no current VMCS on cpu %u)", insn,
		       this_cpu()->index);
	}
	vmx_vmfail_decode(err, ei);
	x->vmfailed = true;
}

/* ---- MOV to CR0/CR4 touching host-owned bits, emulated without leaving run() ---- */

enum cr_result { CR_DONE, CR_FAULTED, CR_UNHANDLED };

static void inject(uint8_t vector, uint32_t type, bool has_error, uint32_t error)
{
	uint32_t info = vector | (type << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	if (has_error) {
		info |= INTR_INFO_ERROR_VALID;
		(void)vmcs_write32(VMCS_ENTRY_EXC_ERROR, error);
	}
	(void)vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
}

static enum cr_result inject_gp(void)
{
	inject(VEC_GP, INTR_TYPE_HW_EXC, true, 0);
	return CR_FAULTED;
}

static bool guest_64bit(const struct vcpu *v)
{
	return (v->efer & EFER_LMA) && (vmcs_read32(VMCS_GUEST_CS_AR) & AR_L);
}

static uint64_t gpr_operand(const struct vcpu *v, unsigned int gpr)
{
	uint64_t val = v->gpr[gpr & 15];	/* RSP was refreshed from the VMCS by save_guest */

	return guest_64bit(v) ? val : (uint32_t)val;
}

/* SDM vol 2 MOV CR0 and 3A 10.8.5: the #GP cases, then the PDPTE loads we do not do. */
static enum cr_result cr0_write(struct vcpu *v, struct vmx_vcpu *x, uint64_t val)
{
	const struct vmx_hw *hw = &this_vmx_cpu()->hw;
	uint64_t fixed0 = hw->cr0_fixed0 & ~(CR0_PE | CR0_PG);

	if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)) ||
	    ((val & CR0_PG) && (v->efer & EFER_LME) && !(v->cr4 & CR4_PAE)) ||
	    (!(val & CR0_PG) && guest_64bit(v)))
		return inject_gp();
	if ((val & CR0_PG) && !(v->cr0 & CR0_PG) && (v->cr4 & CR4_PAE) && !(v->efer & EFER_LME))
		return CR_UNHANDLED;	/* PAE paging would need the PDPTEs loaded by us */
	(void)vmcs_writenat(VMCS_GUEST_CR0, vmx_cr_fixed(val, fixed0, hw->cr0_fixed1));
	(void)vmcs_writenat(VMCS_CR0_SHADOW, val);
	x->cr0_shadow = val;
	v->cr0 = val;
	return CR_DONE;
}

static enum cr_result cr4_write(struct vcpu *v, struct vmx_vcpu *x, uint64_t val)
{
	const struct vmx_hw *hw = &this_vmx_cpu()->hw;
	uint64_t paging_bits = CR4_PAE | CR4_PSE | CR4_PGE;

	/* VMXE: the guest has no VMX; other bits VMX forbids are unsupported here. */
	if ((val & (CR4_VMXE | ~hw->cr4_fixed1)) || ((v->efer & EFER_LMA) && !(val & CR4_PAE)) ||
	    (!(v->efer & EFER_LMA) && (val & CR4_PCIDE)))
		return inject_gp();
	if ((v->cr0 & CR0_PG) && !(v->efer & EFER_LMA) && (val & CR4_PAE) &&
	    ((val ^ v->cr4) & paging_bits))
		return CR_UNHANDLED;
	(void)vmcs_writenat(VMCS_GUEST_CR4, vmx_cr_fixed(val, hw->cr4_fixed0, hw->cr4_fixed1));
	(void)vmcs_writenat(VMCS_CR4_SHADOW, val);
	x->cr4_shadow = val;
	v->cr4 = val;
	return CR_DONE;
}

static enum cr_result cr_emulate(struct vcpu *v, struct vmx_vcpu *x, const struct exit_info *ei)
{
	struct vmx_cr_access a;

	vmx_cr_access_decode(ei->qual, &a);
	if (a.type == VMX_CR_MOV_TO && a.cr == 0)
		return cr0_write(v, x, gpr_operand(v, a.gpr));
	if (a.type == VMX_CR_MOV_TO && a.cr == 4)
		return cr4_write(v, x, gpr_operand(v, a.gpr));
	if (a.type == VMX_CR_CLTS)
		return cr0_write(v, x, v->cr0 & ~CR0_TS);
	if (a.type == VMX_CR_LMSW)	/* PE, MP, EM, TS; LMSW sets PE but never clears it */
		return cr0_write(v, x, (v->cr0 & ~0xeull) | (a.lmsw_src & 0xf));
	return CR_UNHANDLED;
}

/* Out of line: the exits that are not CR accesses pay only the test in cr_handled(). */
__attribute__((noinline)) static bool cr_handle(struct vcpu *v, const struct exit_info *ei)
{
	struct vmx_vcpu *x = vmx_of(v);
	enum cr_result r;

	vmx_read_crs(v);
	r = cr_emulate(v, x, ei);
	if (r == CR_UNHANDLED)
		return false;
	if (r == CR_DONE)
		v->rip += ei->insn_len;
	v->exits[EXIT_CR]++;
	return true;
}

/* True when the exit was a CR access handled here: the guest is entered again. */
static bool cr_handled(struct vcpu *v, const struct exit_info *ei)
{
	return ei->kind == EXIT_CR && cr_handle(v, ei);
}

/* One VM entry and its exit; false when the entry failed. */
static bool enter_once(struct vcpu *v, struct vmx_vcpu *x, const struct vmx_hw *hw,
		       struct exit_info *ei)
{
	struct vmx_exit_raw raw;
	uint64_t host_xcr0;
	int status;

	load_guest(v, x);
	host_xcr0 = xcr0_enter(v, hw);
	status = vmx_enter(v->gpr, x->launched);
	if (host_xcr0)
		vmx_xsetbv0(host_xcr0);
	if (status) {
		report_vmfail(x, status, ei);
		return false;
	}
	read_exit(&raw);
	vmx_exit_decode(&raw, ei);
	if (ei->kind == EXIT_ENTRY_FAILED) {
		report_entry_failure(v, ei);
		return false;
	}
	x->launched = true;
	x->vmfailed = false;
	save_guest(v, x);
	/* An exit an instruction caused never interrupted an event's delivery (SDM 3C 28.2.4). */
	if (!ei->insn_len)
		requeue_vectoring();
	return true;
}

static void vmx_run(struct vcpu *v, struct exit_info *ei)
{
	struct vmx_vcpu *x = vmx_of(v);
	struct vmx_cpu *c = this_vmx_cpu();

	/*
	 * Interrupts stay off from the VMWRITEs to the exit, and after it, as with SVM: a
	 * pending one exits the guest (external-interrupt exiting) and the host takes it
	 * in the window the EXIT_EXTINT handler opens.
	 */
	irq_disable();
	vmcs_make_current_on(c, v);
	while (enter_once(v, x, &c->hw, ei) && cr_handled(v, ei))
		;
}

/* ---- injection and the interrupt window ---- */

/* SDM 3C 27.2.1.3: an error code only in protected mode, for these vectors. */
static bool exc_has_error(uint8_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	bool pe;

	vmcs_make_current(v);
	pe = vmcs_readnat(VMCS_GUEST_CR0) & CR0_PE;
	if (vector >= 32 || vector == 2) {
		pr_err("vmx: refusing to inject vector %u as an exception", vector);
		return;
	}
	inject(vector, INTR_TYPE_HW_EXC, has_error && pe && exc_has_error(vector), error);
}

static void vmx_inject_irq(struct vcpu *v, uint8_t vector)
{
	vmcs_make_current(v);
	inject(vector, INTR_TYPE_EXTINT, false, 0);
}

static bool vmx_irq_allowed(const struct vcpu *v)
{
	const struct vmx_vcpu *x = vmx_of_const(v);

	vmcs_make_current(v);
	if (!(v->rflags & RFLAGS_IF) || (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		return false;
	if (v->rip != x->exit_rip)	/* the shadowed instruction was emulated */
		return true;
	return !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

static void vmx_irq_window(struct vcpu *v, bool enable)
{
	struct vmx_vcpu *x = vmx_of(v);
	uint32_t proc = enable ? x->proc_ctls | PROC_IRQ_WINDOW : x->proc_ctls & ~PROC_IRQ_WINDOW;

	if (proc == x->proc_ctls)
		return;
	vmcs_make_current(v);
	x->proc_ctls = proc;
	(void)vmcs_write32(VMCS_PROC_CTLS, proc);
}

static void vmx_io_passthrough(struct vcpu *v, uint16_t port, bool allow)
{
	struct vmx_vcpu *x = vmx_of(v);

	vmx_io_bitmap_set((uint8_t *)(uintptr_t)x->io_a_pa, (uint8_t *)(uintptr_t)x->io_b_pa,
			  port, !allow);
}

/* ---- dump ---- */

static void dump_segments(void)
{
	struct vmx_seg s;

	for (int i = 0; i < VMX_SEG_COUNT; i++) {
		read_segment(i, &s);
		pr_err("vmx:   %-4s sel=0x%04x base=0x%llx limit=0x%x ar=0x%x", seg_names[i],
		       s.sel, (unsigned long long)s.base, s.limit, s.ar);
	}
	pr_err("vmx:   gdtr base=0x%llx limit=0x%x idtr base=0x%llx limit=0x%x",
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_GDTR_BASE),
	       vmcs_read32(VMCS_GUEST_GDTR_LIMIT),
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_IDTR_BASE),
	       vmcs_read32(VMCS_GUEST_IDTR_LIMIT));
}

static void dump_crs(void)
{
	pr_err("vmx:   cr0=0x%llx shadow=0x%llx mask=0x%llx cr3=0x%llx",
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_CR0),
	       (unsigned long long)vmcs_readnat(VMCS_CR0_SHADOW),
	       (unsigned long long)vmcs_readnat(VMCS_CR0_MASK),
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_CR3));
	pr_err("vmx:   cr4=0x%llx shadow=0x%llx mask=0x%llx efer=0x%llx pat=0x%llx dr7=0x%llx",
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_CR4),
	       (unsigned long long)vmcs_readnat(VMCS_CR4_SHADOW),
	       (unsigned long long)vmcs_readnat(VMCS_CR4_MASK),
	       (unsigned long long)vmcs_read64(VMCS_GUEST_EFER),
	       (unsigned long long)vmcs_read64(VMCS_GUEST_PAT),
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_DR7));
}

static void dump_controls(void)
{
	pr_err("vmx:   pin=0x%x proc=0x%x proc2=0x%x exit=0x%x entry=0x%x exc_bitmap=0x%x "
	       "eptp=0x%llx vpid=%u", vmcs_read32(VMCS_PIN_CTLS), vmcs_read32(VMCS_PROC_CTLS),
	       vmcs_read32(VMCS_PROC_CTLS2), vmcs_read32(VMCS_EXIT_CTLS),
	       vmcs_read32(VMCS_ENTRY_CTLS), vmcs_read32(VMCS_EXCEPTION_BITMAP),
	       (unsigned long long)vmcs_read64(VMCS_EPT_POINTER), vmcs_read16(VMCS_VPID));
	pr_err("vmx:   entry_intr=0x%x idt_vectoring=0x%x exit_intr=0x%x interruptibility=0x%x "
	       "activity=%u", vmcs_read32(VMCS_ENTRY_INTR_INFO), vmcs_read32(VMCS_IDT_VEC_INFO),
	       vmcs_read32(VMCS_EXIT_INTR_INFO), vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY),
	       vmcs_read32(VMCS_GUEST_ACTIVITY));
}

static void dump_reason(const struct vcpu *v, const struct vmx_vcpu *x)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON), err = vmcs_read32(VMCS_INSN_ERROR);

	if (x->vmfailed) {
		pr_err("vmx: vcpu %u vpid %u: no VM exit: %s failed, VM-instruction error %u (%s)",
		       v->id, x->vpid, x->launched ? "VMRESUME" : "VMLAUNCH", err,
		       vmx_insn_error_name(err));
		return;
	}
	pr_err("vmx: vcpu %u vpid %u exit reason %u (%s)%s qual=0x%llx gpa=0x%llx", v->id,
	       x->vpid, VMX_REASON_BASIC(reason), vmx_exit_name(VMX_REASON_BASIC(reason)),
	       reason & VMX_REASON_ENTRY_FAIL ? ", VM-entry failure" : "",
	       (unsigned long long)vmcs_readnat(VMCS_EXIT_QUAL),
	       (unsigned long long)vmcs_read64(VMCS_GUEST_PHYS_ADDR));
}

static void vmx_dump(const struct vcpu *v)
{
	const struct vmx_vcpu *x = vmx_of_const(v);

	if (!this_vmx_cpu()->on || !x->vmcs_pa) {
		pr_err("vmx: vcpu %u: no VMCS on this CPU: nothing to dump", v->id);
		return;
	}
	vmcs_make_current(v);
	dump_reason(v, x);
	pr_err("vmx:   rip=0x%llx rsp=0x%llx rflags=0x%llx",
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_RIP),
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_RSP),
	       (unsigned long long)vmcs_readnat(VMCS_GUEST_RFLAGS));
	dump_segments();
	dump_crs();
	dump_controls();
}

/* v's nested mappings shrank: its CPU drops what it cached of them (SDM 3C 29.4.3.1). */
static void vmx_flush_nested(struct vcpu *v)
{
	if (flush_tlbs(vmx_of(v), &this_vmx_cpu()->hw))
		pr_err("vmx: INVEPT/INVVPID failed");
}

const struct vcpu_ops vmx_ops = {
	.name = "vmx",
	.npt_format = &pt_format_ept,
	.hypercall_insn = "vmcall (0f 01 c1)",
	.cpu_enable = vmx_cpu_enable,
	.vcpu_init = vmx_vcpu_init,
	.run = vmx_run,
	.read_crs = vmx_read_crs,
	.inject_exception = vmx_inject_exception,
	.inject_irq = vmx_inject_irq,
	.irq_allowed = vmx_irq_allowed,
	.irq_window = vmx_irq_window,
	.io_passthrough = vmx_io_passthrough,
	.dump = vmx_dump,
	.flush_nested = vmx_flush_nested,
};
