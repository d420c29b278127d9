/* SPDX-License-Identifier: MIT */
/* 32-bit multiboot entry: check the CPU, identity-map 4 GiB, enter long mode, call C. */

#include "arch/x86/asm.h"

	.section .text.boot32, "ax"
	.code32
	.globl boot_entry32
boot_entry32:
	cli
	cld
	movl %eax, %ebp			/* multiboot magic */
	movl %ebx, %esi			/* multiboot info (physical) */

	/* Clear .bss: the page tables and the boot stack live there. */
	movl $_bss_start, %edi
	movl $_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $boot_stack_top, %esp
	movl %ebp, boot_magic
	movl %esi, boot_info_pa

	/* Long mode (CPUID 0x80000001 EDX bit 29) and NX (bit 20), SDM vol 2A CPUID. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	btl $20, %edx
	jnc no_long_mode

	/* Boot page tables: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of 2 MiB pages. */
	movl $boot_pdpt, %eax
	orl $(PTE_P | PTE_W), %eax
	movl %eax, boot_pml4
	movl $boot_pd, %eax
	orl $(PTE_P | PTE_W), %eax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b
	movl $boot_pd, %edi
	movl $(PTE_P | PTE_W | PTE_PS), %eax
	movl $2048, %ecx
2:	movl %eax, (%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	/* Caches on: firmware or reset may leave CR0.CD/NW set, and VM entry never
	 * changes them, so guests would run uncached too (SDM 3A 12.5.3, 3C 27.3.2.1). */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PG | CR0_WP | CR0_PE), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $GDT_CODE64, $boot_entry64

no_long_mode:
	/* No C runtime yet: write the message to COM1 and port 0xE9 byte by byte. */
	movl $no_lm_msg, %esi
3:	movb (%esi), %al
	testb %al, %al
	jz 4f
	movw $0x3f8, %dx
	outb %al, %dx
	movw $0xe9, %dx
	outb %al, %dx
	incl %esi
	jmp 3b
4:	cli
	hlt
	jmp 4b

	.code64
boot_entry64:
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic(%rip), %edi
	movl boot_info_pa(%rip), %esi
	call hv_main
5:	cli
	hlt
	jmp 5b

/* APs arrive here from the trampoline in long mode on the boot page tables. */
	.globl ap_entry64
ap_entry64:
	movq hv_cr3(%rip), %rax
	movq %rax, %cr3
	xorl %ebp, %ebp
	call ap_main
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "hv: fatal: this CPU has no long mode or no NX; cannot boot\r\n"

	.balign 8
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad GDT_DESC_CODE64
	.quad GDT_DESC_DATA
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .data
	.globl boot_magic, boot_info_pa
boot_magic:
	.long 0
boot_info_pa:
	.long 0

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:		/* left unmapped by paging.c */
	.skip 4096
boot_stack:
	.skip 16384
boot_stack_top:
