/* SPDX-License-Identifier: MIT */
/* The vendor-neutral vCPU: state, the decoded exit record, and the back-end contract. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/pt.h"

struct guest;

/*
 * What an exit was, independent of vendor. Each back end maps every raw exit code it
 * can produce to exactly one kind (a table in vmx/exit.c and svm/exit.c, tested on the
 * host); codes it does not expect map to EXIT_UNKNOWN and stop the guest.
 */
enum exit_kind {
	EXIT_UNKNOWN = 0,	/* unexpected raw code: stop the guest with a dump */
	EXIT_CPUID,
	EXIT_HYPERCALL,		/* VMCALL on VMX, VMMCALL on SVM */
	EXIT_RDMSR,
	EXIT_WRMSR,
	EXIT_IO,		/* IN/OUT/INS/OUTS, see exit_info.io */
	EXIT_NPF,		/* EPT violation / misconfig, NPT fault: see exit_info.npf */
	EXIT_HLT,
	EXIT_EXTINT,		/* a host interrupt arrived while the guest ran */
	EXIT_NMI,		/* a host NMI arrived while the guest ran */
	EXIT_INIT,		/* INIT signal */
	EXIT_SHUTDOWN,		/* triple fault (VMX) / shutdown (SVM) */
	EXIT_XSETBV,
	EXIT_CR,		/* intercepted control-register access: see exit_info.cr */
	EXIT_INVD,
	EXIT_WBINVD,
	EXIT_TIMER,		/* VMX preemption timer */
	EXIT_IRQ_WINDOW,	/* the guest can now take an interrupt */
	EXIT_EXCEPTION,		/* an intercepted guest exception: see exit_info.exc */
	EXIT_VIRT_INSN,		/* the guest used a virtualization instruction: #UD it */
	EXIT_ENTRY_FAILED,	/* VM entry failed: see exit_info.entry_error; stop the guest */
	EXIT_KIND_COUNT
};

struct exit_info {
	enum exit_kind kind;
	uint32_t raw;		/* VMX basic exit reason / SVM EXITCODE (low 32 bits) */
	uint8_t insn_len;	/* length of the exiting instruction; 0 if unknown */
	uint64_t qual;		/* raw exit qualification / EXITINFO1, for dumps */
	uint64_t qual2;		/* raw guest-linear address / EXITINFO2, for dumps */
	/* Only the member the kind names is written (whole); the others hold leftovers. */
	union {
		struct {
			uint16_t port;
			uint8_t size;	/* 1, 2 or 4 */
			bool in;
			bool string;	/* INS/OUTS */
			bool rep;
		} io;
		struct {
			uint64_t gpa;
			bool read, write, exec;
			bool misconfig;	/* EPT misconfiguration: a broken table, not a guest bug */
		} npf;
		struct {
			uint8_t cr;	/* 0, 3, 4, 8 */
			bool write;	/* MOV to CR (else MOV from CR, CLTS, LMSW) */
			uint8_t gpr;	/* register number of the MOV operand */
		} cr;
		struct {
			uint8_t vector;
			bool has_error;
			uint32_t error;
		} exc;
		uint32_t entry_error;	/* VMX VM-instruction error or exit reason; SVM: 0 */
	};
};

/*
 * Written by v's own CPU, except HALTED -> RUNNABLE, which any CPU may make (a posted
 * interrupt wakes v) under the scheduler's lock (vmm/sched.c).
 */
enum vcpu_state {
	VCPU_RUNNABLE,	/* running, or waiting for its CPU */
	VCPU_HALTED,	/* in HLT (IF=1) until an interrupt is posted or its timer fires */
	VCPU_STOPPED,	/* its guest was stopped; never entered again */
};

/* v->attn: why the next entry must take the slow path first (vcpu.c). */
#define VCPU_ATTN_IRQ	(1u << 0)	/* irq_pending[] may have bits: deliver them */
#define VCPU_ATTN_HLT	(1u << 1)	/* the guest executed HLT: block unless one is pending */
#define VCPU_ATTN_SCHED	(1u << 2)	/* a host interrupt (timer, kick) or a wake-up on this
					   CPU: look at timers and the time slice */
#define VCPU_ATTN_STOP	(1u << 3)	/* its partition is stopping: stop v before it enters */
#define VCPU_ATTN_FLUSH	(1u << 4)	/* its nested mappings shrank: flush_nested() first */

/* Register numbers (SDM vol 2 table 2-2): gpr[] is indexed by them. */
enum gpr_index {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
};

#define VCPU_VENDOR_WORDS 24

struct vcpu {
	/*
	 * Guest registers. The back end's entry code saves and restores every GPR but RSP
	 * here; run() copies RSP, RIP and RFLAGS out of the VMCS/VMCB after each exit and
	 * back before each entry, so generic code just edits these fields.
	 */
	uint64_t gpr[16];
	uint64_t rip;
	uint64_t rflags;
	/*
	 * The guest's CR0, CR3, CR4 and EFER as it sees them. Fetching them costs a back end
	 * VMREADs, so they are valid only after vcpu_vendor->read_crs(v) since the last exit:
	 * handlers that need them (CPUID leaf 1, EFER, XSETBV) and dumps call it first.
	 * Generic code may then change efer; the next entry loads it. Otherwise read-only.
	 */
	uint64_t cr0, cr3, cr4, efer;
	uint64_t xcr0;			/* the guest's XCR0, loaded around entry by run() */

	struct guest *guest;
	unsigned int id;		/* within its guest */
	unsigned int cpu;		/* physical CPU it is pinned to: it runs only there */
	enum vcpu_state state;

	/*
	 * One-shot timer (HC_TIMER_ONESHOT): from timer_deadline (TSC; 0 = none) on,
	 * timer_vector is pending; delivering it clears the deadline, and until then the
	 * guest may still re-arm or cancel it. Only v's own CPU reads or writes these; its
	 * LAPIC timer is kept armed for the earliest deadline there, so that it fires even
	 * if the guest never exits (vmm/sched.c).
	 */
	uint64_t timer_deadline;
	uint8_t timer_vector;
	/*
	 * Interrupts waiting for the guest to accept them (RFLAGS.IF, no shadow), one bit per
	 * vector, delivered highest first. Any CPU sets bits (vcpu_post_irq(), vmm/sched.h)
	 * and then VCPU_ATTN_IRQ in attn; only v's own CPU clears them.
	 */
	uint64_t irq_pending[4];
	/* VCPU_ATTN_* bits; zero on the fast path. Atomic: other CPUs set bits too. */
	uint32_t attn;
	/* Scheduler private (vmm/sched.c): counted as blocked with nothing to wake it. */
	bool sched_asleep;
	/*
	 * A secondary vCPU's bring-up (HC_VCPU_UP, vmm/lifecycle.c): up_req (UP_*) is set
	 * under the life-cycle lock by any vCPU of its partition and taken by v's own CPU,
	 * which sets v up to start at up_rip with up_arg. queued: v has its place in its
	 * CPU's scheduler queue.
	 */
	uint8_t up_req;
	bool queued;
	uint64_t up_rip, up_arg;
	/*
	 * The guest's x87/SSE/AVX registers while another vCPU has the CPU: an XSAVE (or
	 * FXSAVE) area, switched by the scheduler (arch/x86/fpu.h); the host never uses them.
	 */
	uint64_t fpu_area;

	uint64_t exits[EXIT_KIND_COUNT];
	uint64_t injected;		/* external interrupts injected (upcalls, timer vectors) */

	/* Back-end private: VMCS/VMCB addresses and the like. */
	uint64_t vendor[VCPU_VENDOR_WORDS];
};

/*
 * The vendor back end (VMX or SVM), chosen once at boot from CPUID. Generic code calls
 * only these; vendor code never reaches into generic internals beyond struct vcpu and
 * the guest's memory description (struct guest_mem below).
 */
struct guest_mem {
	uint64_t npt_root;	/* nested table root, in the back end's pt_format */
	uint64_t size;		/* guest-physical memory is [0, size) */
};

struct vcpu_ops {
	const char *name;			/* "vmx" or "svm" */
	const struct pt_format *npt_format;	/* EPT or NPT */
	/* The hypercall instruction bytes this vendor uses, for documentation and tests. */
	const char *hypercall_insn;
	/* On each physical CPU, before its first vCPU: VMXON / EFER.SVME + host save area. */
	int (*cpu_enable)(void);
	/*
	 * Builds the VMCS/VMCB for v on the calling CPU: multiboot entry state (32-bit
	 * protected mode, paging off, flat segments, CS:EIP = v->rip, EAX/EBX from v->gpr),
	 * intercepts for every exit kind above, MSR and I/O bitmaps from the guest's
	 * policy, nested paging with mem->npt_root, a fresh VPID/ASID.
	 */
	int (*vcpu_init)(struct vcpu *v, const struct guest_mem *mem);
	/* Enters the guest until the next exit and fills *ei. Never fails: entry
	 * failures come back as EXIT_ENTRY_FAILED. */
	void (*run)(struct vcpu *v, struct exit_info *ei);
	/* Makes v->cr0, cr3, cr4 and efer valid until the next entry; calling it again in
	 * between keeps what generic code wrote to efer. */
	void (*read_crs)(struct vcpu *v);
	/* Queues an exception / external interrupt for the next entry. */
	void (*inject_exception)(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
	void (*inject_irq)(struct vcpu *v, uint8_t vector);
	/* True when the guest would accept an external interrupt now. */
	bool (*irq_allowed)(const struct vcpu *v);
	/* Exit as soon as the guest can take an interrupt (EXIT_IRQ_WINDOW). */
	void (*irq_window)(struct vcpu *v, bool enable);
	/* Allows or intercepts a guest's direct access to an I/O port / an MSR. */
	void (*io_passthrough)(struct vcpu *v, uint16_t port, bool allow);
	/* Logs the vendor state (segments, control fields) after a fatal exit. */
	void (*dump)(const struct vcpu *v);
	/* On v's CPU, before its next entry: forget cached nested translations of v. */
	void (*flush_nested)(struct vcpu *v);
};

extern const struct vcpu_ops vmx_ops;
extern const struct vcpu_ops svm_ops;

#endif
