/* SPDX-License-Identifier: MIT */
/* The shared IDT and the hypervisor's own exception reporting. */
#ifndef ARCH_X86_IDT_H
#define ARCH_X86_IDT_H

#include <stdint.h>

/* Pushed by the stubs in traps.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "traps.S frame layout");

#define VEC_SPURIOUS	0xff

void idt_init(void);
void idt_load(void);
void trap_handler(struct trap_frame *f);

/* Called by an exception report before halting; set to end test runs (platform.c). */
extern void (*trap_fatal_hook)(void);
/* Called for a device interrupt vector (VEC_DEV_FIRST..VEC_DEV_LAST) before its EOI. */
extern void (*trap_irq_hook)(uint8_t vector);

#endif
