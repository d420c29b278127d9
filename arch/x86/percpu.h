/* SPDX-License-Identifier: MIT */
/* Per-CPU data, reached through GS; only its own CPU writes it after bring-up. */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS	64

/* Interrupt stack table slots (TSS IST1..3), SDM vol 3A sec. 8.7. */
enum ist_slot { IST_NMI = 1, IST_DF = 2, IST_MC = 3, IST_COUNT = 3 };

struct tss64 {
	uint32_t rsvd_0x0;
	uint64_t rsp[3];
	uint64_t rsvd_0x1c;
	uint64_t ist[7];
	uint64_t rsvd_0x5c;
	uint16_t rsvd_0x64;
	uint16_t iopb_offset;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 0x68, "SDM 3A fig. 8-11: 64-bit TSS is 104 bytes");

struct stack_range {
	uint64_t bottom;	/* lowest mapped byte */
	uint64_t top;		/* one past the highest */
};

struct percpu {
	struct percpu *self;	/* at GS:0, so this_cpu() is one load */
	unsigned int index;
	uint32_t apic_id;
	volatile bool online;
	/* Work handed to this CPU by the boot CPU; the idle loop runs it once. */
	void (*volatile work)(void *);
	void *volatile work_arg;
	struct stack_range stack;
	struct stack_range ist[IST_COUNT + 1];	/* indexed by enum ist_slot */
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
};

extern struct percpu percpu_area[MAX_CPUS];
extern unsigned int cpu_count;	/* CPUs that came online */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Sets up stacks, GDT, TSS and GS for CPU index; the IDT is shared. */
int percpu_prepare(unsigned int index, uint32_t apic_id) __attribute__((warn_unused_result));
/* Loads this CPU's GDT, TSS, IDT and GS base; called on the CPU itself. */
void percpu_activate(unsigned int index);

#endif
