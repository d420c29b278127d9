/* SPDX-License-Identifier: MIT */
/* Per-CPU GDT, TSS with IST stacks, and guarded stacks in their own virtual region. */
#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "include/abi/hv_errno.h"

#define MSR_GS_BASE	0xc0000101

/*
 * Stack region layout, one 64 KiB slot per CPU, every stack with an unmapped guard page
 * below it: [guard][main 16K][guard][NMI 8K][guard][#DF 8K][guard][#MC 8K][guard].
 */
#define STACK_SLOT_SIZE	0x10000ull
#define MAIN_STACK	0x4000ull
#define IST_STACK	0x2000ull

struct percpu percpu_area[MAX_CPUS];
unsigned int cpu_count;

static int map_stack(uint64_t bottom, uint64_t size, struct stack_range *out)
{
	int ret = paging_map_fresh(bottom, size, PTE_W | PTE_NX);

	if (ret)
		return ret;
	out->bottom = bottom;
	out->top = bottom + size;
	return 0;
}

static int alloc_stacks(struct percpu *pc)
{
	uint64_t va = HV_STACK_VA + pc->index * STACK_SLOT_SIZE + PAGE_SIZE;
	int ret = map_stack(va, MAIN_STACK, &pc->stack);

	va += MAIN_STACK + PAGE_SIZE;
	for (int slot = 1; slot <= IST_COUNT && !ret; slot++) {
		ret = map_stack(va, IST_STACK, &pc->ist[slot]);
		va += IST_STACK + PAGE_SIZE;
	}
	return ret;
}

static void tss_descriptor(uint64_t *gdt, const struct tss64 *tss)
{
	uint64_t base = (uint64_t)(uintptr_t)tss;
	uint64_t limit = sizeof(*tss) - 1;

	/* SDM 3A sec. 8.2.3: 16-byte system descriptor, type 9 (available 64-bit TSS). */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
}

int percpu_prepare(unsigned int index, uint32_t apic_id)
{
	struct percpu *pc;
	int ret;

	if (index >= MAX_CPUS)
		return -HV_E2BIG;
	pc = &percpu_area[index];
	pc->self = pc;
	pc->index = index;
	pc->apic_id = apic_id;
	ret = alloc_stacks(pc);
	if (ret)
		return ret;
	pc->gdt[0] = 0;
	pc->gdt[GDT_CODE64 / 8] = GDT_DESC_CODE64;
	pc->gdt[GDT_DATA / 8] = GDT_DESC_DATA;
	tss_descriptor(pc->gdt, &pc->tss);
	for (int slot = 1; slot <= IST_COUNT; slot++)
		pc->tss.ist[slot - 1] = pc->ist[slot].top;
	pc->tss.iopb_offset = sizeof(pc->tss);
	return 0;
}

void percpu_activate(unsigned int index)
{
	struct percpu *pc = &percpu_area[index];
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(pc->gdt) - 1, (uint64_t)(uintptr_t)pc->gdt };

	lgdt(&desc);
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%ss\n\t"
			 : : "i"(GDT_CODE64), "r"(GDT_DATA) : "rax", "memory");
	ltr(GDT_TSS);
	idt_load();
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)pc);
}
