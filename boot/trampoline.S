/* SPDX-License-Identifier: MIT */
/* AP start-up code: copied to TRAMPOLINE_PA, entered by SIPI in real mode, ends in long mode. */

#include "arch/x86/asm.h"

#define T(sym)	(TRAMPOLINE_PA + (sym) - trampoline_start)

	.section .trampoline, "ax"
	.code16
	.globl trampoline_start
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	/* Real mode to long mode in one step: PAE, LME, then PE and PG together (SDM 3A 10.8.5). */
	lgdtl tramp_gdt_ptr - trampoline_start
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl tramp_cr3 - trampoline_start, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax			/* INIT leaves CD and NW set: turn caching on */
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0
	ljmpl $GDT_CODE64, $T(tramp_long)

	.code64
tramp_long:
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq T(tramp_stack), %rsp
	movq T(tramp_entry), %rax
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad GDT_DESC_CODE64
	.quad GDT_DESC_DATA
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long T(tramp_gdt)

	/* Filled in by the BSP before each SIPI (struct trampoline_params in smp.c). */
	.balign 8
	.globl trampoline_params
trampoline_params:
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
	.globl trampoline_end
trampoline_end:
