/* SPDX-License-Identifier: MIT */
/* IDT setup and the report of an exception taken in the hypervisor itself. */
#include "arch/x86/idt.h"

#include <stdbool.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "vmm/format.h"
#include "vmm/log.h"
#include "vmm/symbols.h"

#define TRACE_DEPTH	16
#define MSR_GS_BASE	0xc0000101

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;	/* 0x8e: present, DPL 0, 64-bit interrupt gate (SDM 3A sec. 6.14.1) */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd_0xc;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "SDM 3A fig. 6-8");

extern char trap_stubs[];
extern const uint64_t extable_start[], extable_end[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
void (*trap_fatal_hook)(void);
void (*trap_irq_hook)(uint8_t vector);

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization exception",
	"#CP control protection", [28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication", [30] = "#SX security exception",
};

static uint8_t ist_for(unsigned int vec)
{
	switch (vec) {
	case 2: return IST_NMI;
	case 8: return IST_DF;
	case 18: return IST_MC;
	default: return 0;
	}
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t off = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);

		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)off, .sel = GDT_CODE64, .ist = ist_for(v),
			.type = 0x8e, .off_mid = (uint16_t)(off >> 16),
			.off_hi = (uint32_t)(off >> 32),
		};
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	lidt(&desc);
}

static bool fixup_exception(struct trap_frame *f)
{
	for (const uint64_t *e = extable_start; e < extable_end; e += 2) {
		if (f->rip == e[0]) {
			f->rip = e[1];
			return true;
		}
	}
	return false;
}

static bool in_stack(const struct percpu *pc, uint64_t addr)
{
	if (addr >= pc->stack.bottom && addr + 16 <= pc->stack.top)
		return true;
	for (int i = 1; i <= IST_COUNT; i++)
		if (addr >= pc->ist[i].bottom && addr + 16 <= pc->ist[i].top)
			return true;
	return false;
}

/* Which stack guard page, if any, holds addr: explains most #DF and #PF here. */
static void explain_guard(const struct percpu *pc, uint64_t addr)
{
	if (addr >= pc->stack.bottom - 0x1000 && addr < pc->stack.bottom)
		pr_err("  cr2 is in the guard page below cpu %u's stack: stack overflow",
		       pc->index);
	for (int i = 1; i <= IST_COUNT; i++)
		if (addr >= pc->ist[i].bottom - 0x1000 && addr < pc->ist[i].bottom)
			pr_err("  cr2 is in the guard page below IST%d: stack overflow", i);
}

static void print_frame(int depth, uint64_t addr)
{
	uint64_t off = 0;
	const char *name = symbol_lookup(addr, &off);

	pr_err("trace: #%d 0x%016llx %s+0x%llx", depth, (unsigned long long)addr,
	       name ? name : "?", (unsigned long long)off);
}

static void print_trace(const struct percpu *pc, const struct trap_frame *f)
{
	uint64_t rbp = f->rbp;

	print_frame(0, f->rip);
	/* Follow saved frame pointers only while they stay inside this CPU's stacks. */
	for (int depth = 0; depth < TRACE_DEPTH && pc && in_stack(pc, rbp) && !(rbp & 7);
	     depth++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;

		print_frame(depth + 1, frame[1]);
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
}

static void report(const struct trap_frame *f)
{
	struct percpu *pc = rdmsr(MSR_GS_BASE) ? this_cpu() : 0;
	unsigned int v = (unsigned int)f->vector;
	uint64_t cr2 = read_cr2();

	pr_err("EXCEPTION vector=%u (%s) error=0x%llx cpu=%d", v,
	       v < 32 && exception_names[v] ? exception_names[v] : "interrupt",
	       (unsigned long long)f->error, pc ? (int)pc->index : -1);
	pr_err("  rip=0x%016llx cs=0x%llx rflags=0x%llx rsp=0x%016llx ss=0x%llx",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	       (unsigned long long)f->ss);
	pr_err("  rax=0x%016llx rbx=0x%016llx rcx=0x%016llx rdx=0x%016llx",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	pr_err("  rsi=0x%016llx rdi=0x%016llx rbp=0x%016llx r8 =0x%016llx",
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	pr_err("  r9 =0x%016llx r10=0x%016llx r11=0x%016llx r12=0x%016llx",
	       (unsigned long long)f->r9, (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_err("  r13=0x%016llx r14=0x%016llx r15=0x%016llx",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
	pr_err("  cr0=0x%llx cr2=0x%016llx cr3=0x%llx cr4=0x%llx",
	       (unsigned long long)read_cr0(), (unsigned long long)cr2,
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	if (pc && (v == 8 || v == 14))
		explain_guard(pc, cr2);
	print_trace(pc, f);
}

void trap_handler(struct trap_frame *f)
{
	if (f->vector == 13 && fixup_exception(f))
		return;
	/* NMIs that hit a guest come back to the host once GIF/NMI blocking lifts. */
	if (f->vector == 2) {
		pr_warn("nmi: on cpu %d at rip 0x%llx", rdmsr(MSR_GS_BASE) ? (int)this_cpu()->index : -1,
			(unsigned long long)f->rip);
		return;
	}
	/*
	 * The scheduler's LAPIC timer and kick IPI: taken in the host's short interrupt
	 * windows (after an EXIT_EXTINT, or idle in HLT). The exit or wake-up they caused is
	 * what the scheduler acts on (vmm/sched.c), so they only EOI here.
	 */
	if (f->vector == VEC_LAPIC_TIMER || f->vector == VEC_KICK) {
		lapic_eoi();
		return;
	}
	/* A partition's device: turned into its event (vmm/devirq.c), then EOI. */
	if (f->vector >= VEC_DEV_FIRST && f->vector <= VEC_DEV_LAST) {
		if (trap_irq_hook)
			trap_irq_hook((uint8_t)f->vector);
		lapic_eoi();
		return;
	}
	/* LAPIC spurious vector, and the 8259s' spurious IRQ 7 and 15 (pic.c). */
	if (f->vector == VEC_SPURIOUS || f->vector == 0x27 || f->vector == 0x2f)
		return;
	report(f);
	pr_err("hv: cpu halted after exception");
	if (trap_fatal_hook)
		trap_fatal_hook();
	cpu_halt_forever();
}
