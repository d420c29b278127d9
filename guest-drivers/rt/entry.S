/* SPDX-License-Identifier: MIT */
/* Partition entry (multiboot 1 state to long mode), exception stubs and rt_catch's recovery point. */

#include "guest-drivers/rt/rt.h"

/* Vectors for which the CPU pushes an error code (SDM vol 3A table 6-1). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

/* Long mode with rt_pml4 (SDM vol 3A 10.8.5): PAE, CR3, EFER.LME, then paging; then the
 * 64-bit code segment at target. Clobbers EAX, ECX, EDX. */
.macro LONG_MODE target
	movl %cr4, %eax
	orl $RT_CR4_PAE, %eax
	movl %eax, %cr4
	movl $rt_pml4, %eax
	movl %eax, %cr3
	movl $RT_MSR_EFER, %ecx
	rdmsr
	orl $RT_EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(RT_CR0_PG | RT_CR0_PE), %eax
	movl %eax, %cr0
	lgdt rt_gdt_ptr
	ljmp $RT_SEL_CODE64, $\target
.endm

/*
 * The hypervisor starts us like a multiboot(1) kernel: 32-bit protected mode, paging
 * off, flat CS/DS, EAX = magic, EBX = info (guest-physical), interrupts off, no IDT,
 * no stack promised.
 */
	.section .text.entry32, "ax"
	.code32
	.globl rt_entry32
rt_entry32:
	cli
	cld
	movl %eax, %ebp
	movl %ebx, %esi

	movl $_bss_start, %edi
	movl $_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $rt_stack_top, %esp
	movl %ebp, rt_entry_magic
	movl %esi, rt_entry_info

	/*
	 * PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB: [0, 1 GiB) 1:1; PDPT[3] ->
	 * PD_WIN, the same for the device hole [3 GiB, 4 GiB); PDPT[64] -> PD_CHAN for the
	 * channel windows [64 GiB, 65 GiB) (SDM vol 3A 4.5). Entries for memory the
	 * partition does not have cost nothing until touched.
	 */
	movl $(rt_pdpt + RT_PTE_P + RT_PTE_W), rt_pml4
	movl $(rt_pd + RT_PTE_P + RT_PTE_W), rt_pdpt
	movl $(rt_pd_win + RT_PTE_P + RT_PTE_W), rt_pdpt + 8 * (RT_WINDOW_BASE >> 30)
	movl $(rt_pd_chan + RT_PTE_P + RT_PTE_W), rt_pdpt + 8 * (RT_CHAN_BASE >> 30)
	xorl %edx, %edx
	movl $rt_pd, %edi
	movl $(RT_PTE_P | RT_PTE_W | RT_PTE_PS), %eax
	call rt_fill_pd
	movl $rt_pd_win, %edi
	movl $(RT_WINDOW_BASE | RT_PTE_P | RT_PTE_W | RT_PTE_PS), %eax
	call rt_fill_pd
	movl $RT_CHAN_BASE_HI, %edx
	movl $rt_pd_chan, %edi
	movl $(RT_PTE_P | RT_PTE_W | RT_PTE_PS), %eax
	call rt_fill_pd

	LONG_MODE rt_entry64

/* Fills the page directory at EDI with 512 2 MiB entries from EDX:EAX (address | flags). */
rt_fill_pd:
	movl $512, %ecx
1:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	addl $8, %edi
	loop 1b
	ret

	.code64
rt_entry64:
	movw $RT_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movq $rt_stack_top, %rsp
	xorl %ebp, %ebp
	movl rt_entry_magic(%rip), %edi
	movl rt_entry_info(%rip), %esi
	call rt_start
2:	cli
	hlt
	jmp 2b

/*
 * A secondary vCPU (HC_VCPU_UP): 32-bit protected mode, paging off, EAX =
 * HV_VCPU_UP_MAGIC, EBX = its struct rt_vcpu_boot, ECX = its index. vCPU 0 has built
 * the page tables; this vCPU only turns them on, as above.
 */
	.section .text.entry32, "ax"
	.code32
	.globl rt_ap_entry32
rt_ap_entry32:
	cli
	cld
	movl %ebx, %esi
	movl %ecx, %edi
	LONG_MODE rt_ap_entry64

	.code64
rt_ap_entry64:
	movw $RT_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movl %esi, %esi			/* upper halves are undefined after the mode switch */
	movl %edi, %edi
	movq (%rsi), %rsp		/* struct rt_vcpu_boot: stack top first */
	xorl %ebp, %ebp
	call rt_ap_start
3:	cli
	hlt
	jmp 3b

/* ---- exceptions and interrupts: one 16-byte stub per vector, all into rt_trap() ---- */

	.section .text
	.balign RT_STUB_SIZE
	.globl rt_trap_stubs
rt_trap_stubs:
	vec = 0
	.rept RT_IDT_VECTORS
	.balign RT_STUB_SIZE
	.if !HAS_ERROR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp rt_trap_common
	vec = vec + 1
	.endr

/* Builds struct rt_frame (rt.h). */
rt_trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp			/* the ABI's alignment, whatever was interrupted */
	call rt_trap
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/*
 * int rt_catch(void (*fn)(void *), void *arg, struct rt_fault *f)
 * Saves the callee-saved registers and the outer catch, records this one in
 * rt_catch_sp / rt_catch_fault, and calls fn. rt_trap() resumes a fault at
 * rt_catch_resume with RSP = rt_catch_sp and RAX = the vector.
 */
	.globl rt_catch
rt_catch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq rt_catch_sp(%rip)
	pushq rt_catch_fault(%rip)
	subq $8, %rsp			/* 16-byte aligned at the call */
	movq %rdx, rt_catch_fault(%rip)
	movq %rsp, rt_catch_sp(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
	movl $RT_NO_FAULT, %eax
	.globl rt_catch_resume
rt_catch_resume:
	addq $8, %rsp
	popq rt_catch_fault(%rip)
	popq rt_catch_sp(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

	.section .rodata
	.balign 8
rt_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* RT_SEL_CODE64: L=1, P, DPL0, execute/read */
	.quad 0x00cf92000000ffff	/* RT_SEL_DATA: P, DPL0, read/write, 4 GiB */
rt_gdt_end:
rt_gdt_ptr:
	.word rt_gdt_end - rt_gdt - 1
	.quad rt_gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
rt_pml4:
	.skip 4096
rt_pdpt:
	.skip 4096
rt_pd:
	.skip 4096
rt_pd_win:
	.skip 4096
rt_pd_chan:
	.skip 4096
rt_stack:
	.skip 16384
rt_stack_top:
rt_entry_magic:
	.skip 4
rt_entry_info:
	.skip 4
