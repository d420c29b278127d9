/* SPDX-License-Identifier: MIT */
/* Interrupt and exception entry stubs: one per vector, all into trap_handler(). */

/* Vectors for which the CPU pushes an error code (SDM vol 3A table 6-1). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.section .text
	.balign 16
	.globl trap_stubs
trap_stubs:
	vec = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

trap_common:
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
	call trap_handler
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

/* int rdmsr_safe(uint32_t msr, uint64_t *val): 0, or -1 if RDMSR faulted. */
	.globl rdmsr_safe
rdmsr_safe:
	movl %edi, %ecx
1:	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-1, %eax
	ret

	.section .rodata.extable, "a"
	.balign 8
	.globl extable_start, extable_end
extable_start:
	.quad 1b, 2b
extable_end:
