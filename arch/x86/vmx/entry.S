/* SPDX-License-Identifier: MIT */
/* VMLAUNCH/VMRESUME with every guest GPR but RSP loaded from and saved to struct vcpu.gpr. */

#include "arch/x86/vmx/vmcs.h"

/* Offsets in uint64_t gpr[16], indexed by the SDM vol 2 register numbers (vmm/vcpu.h). */
#define G_RAX	(0 * 8)
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

/* Return values, as enum vmx_status in insn.h. */
#define VMX_FAIL_INVALID	1
#define VMX_FAIL_VALID		2

/*
 * vmx_enter_asm: RDI = gpr, ESI = launched; called only by vmx_enter() (insn.h).
 *
 * Returns 0 after a VM exit (or a VM-entry failure, which is reported as an exit), or
 * VMX_FAIL_INVALID / VMX_FAIL_VALID when the instruction itself failed; the error
 * number is then in the VM-instruction error field (0x4400). The host RSP written
 * here points at the saved gpr pointer; HOST_RIP is vmx_exit_landing (vmx.c).
 * RFLAGS after an exit is 0x2 (SDM 3C 28.5.3): interrupts stay off until C decides.
 * Of the callee-saved registers only RBP, RBX and R12 are kept: vmx_enter() declares
 * R13-R15 clobbered, and its caller saves them once in its own prologue.
 */
	.section .text
	.balign 16
	.globl vmx_enter_asm
	.type vmx_enter_asm, @function
vmx_enter_asm:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %rdi			/* gpr pointer, at 0(%rsp) when the exit lands */
	movl $VMCS_HOST_RSP_ENCODING, %eax
	vmwrite %rsp, %rax
	jbe .Lfail			/* CF or ZF: the VMCS is not usable */
	testl %esi, %esi		/* flags survive the MOVs below */
	movq G_RAX(%rdi), %rax
	movq G_RCX(%rdi), %rcx
	movq G_RDX(%rdi), %rdx
	movq G_RBX(%rdi), %rbx
	movq G_RBP(%rdi), %rbp
	movq G_RSI(%rdi), %rsi
	movq G_R8(%rdi), %r8
	movq G_R9(%rdi), %r9
	movq G_R10(%rdi), %r10
	movq G_R11(%rdi), %r11
	movq G_R12(%rdi), %r12
	movq G_R13(%rdi), %r13
	movq G_R14(%rdi), %r14
	movq G_R15(%rdi), %r15
	movq G_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume
.Lfail:
	/* Still on our stack; the guest values in the registers are simply dropped. */
	movl $VMX_FAIL_INVALID, %eax	/* MOV leaves the flags alone */
	jc 2f
	movl $VMX_FAIL_VALID, %eax
2:	addq $8, %rsp
	jmp .Lreturn

	.globl vmx_exit_landing
	.type vmx_exit_landing, @function
vmx_exit_landing:
	pushq %rdi			/* guest RDI */
	movq 8(%rsp), %rdi		/* gpr pointer */
	movq %rax, G_RAX(%rdi)
	movq %rcx, G_RCX(%rdi)
	movq %rdx, G_RDX(%rdi)
	movq %rbx, G_RBX(%rdi)
	movq %rbp, G_RBP(%rdi)
	movq %rsi, G_RSI(%rdi)
	movq %r8, G_R8(%rdi)
	movq %r9, G_R9(%rdi)
	movq %r10, G_R10(%rdi)
	movq %r11, G_R11(%rdi)
	movq %r12, G_R12(%rdi)
	movq %r13, G_R13(%rdi)
	movq %r14, G_R14(%rdi)
	movq %r15, G_R15(%rdi)
	popq G_RDI(%rdi)
	addq $8, %rsp
	xorl %eax, %eax
.Lreturn:
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size vmx_enter_asm, . - vmx_enter_asm

	.section .note.GNU-stack, "", @progbits
