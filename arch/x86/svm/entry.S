/* SPDX-License-Identifier: MIT */
/* Guest entry: VMLOAD, VMRUN, VMSAVE, with every guest GPR but RSP and RAX (in the VMCB) swapped. */

/* Offsets in struct vcpu.gpr[], indexed by enum gpr_index (SDM vol 2 table 2-2). */
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

/*
 * svm_vmrun_asm: RDI = guest VMCB, RSI = host VMCB, RDX = gprs; called only by
 * svm_vmrun() (insn.h), with GIF = 0.
 *
 * VMRUN keeps only RAX, RSP, RIP, RFLAGS, CRs, EFER and the CS/SS/DS/ES/GDTR/IDTR state
 * of the host (APM vol 2 sec. 15.5.1); the FS/GS/TR/LDTR hidden state, KernelGsBase and
 * the SYSCALL/SYSENTER MSRs are swapped with VMLOAD/VMSAVE (the host's were VMSAVEd
 * into host_vmcb_pa once, by svm_cpu_enable(); its GS base is the per-CPU pointer), and
 * every other GPR by hand here. Of the callee-saved registers only RBP, RBX and R12
 * are kept: svm_vmrun() declares R13-R15 clobbered, and its caller saves them once in
 * its own prologue.
 */
	.section .text
	.balign 16
	.globl svm_vmrun_asm
	.type svm_vmrun_asm, @function
svm_vmrun_asm:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %rsi			/* host VMCB, for the VMLOAD after the exit */
	pushq %rdx			/* gprs, reached again through RSP after the exit */

	movq %rdi, %rax
	vmload %rax			/* the guest's */

	movq G_RCX(%rdx), %rcx
	movq G_RBX(%rdx), %rbx
	movq G_RBP(%rdx), %rbp
	movq G_RSI(%rdx), %rsi
	movq G_RDI(%rdx), %rdi
	movq G_R8(%rdx), %r8
	movq G_R9(%rdx), %r9
	movq G_R10(%rdx), %r10
	movq G_R11(%rdx), %r11
	movq G_R12(%rdx), %r12
	movq G_R13(%rdx), %r13
	movq G_R14(%rdx), %r14
	movq G_R15(%rdx), %r15
	movq G_RDX(%rdx), %rdx

	vmrun %rax

	/* #VMEXIT: RSP and RAX (= the guest VMCB) are the host's again, the rest the guest's. */
	pushq %rdx
	movq 8(%rsp), %rdx		/* gprs */
	movq %rcx, G_RCX(%rdx)
	movq %rbx, G_RBX(%rdx)
	movq %rbp, G_RBP(%rdx)
	movq %rsi, G_RSI(%rdx)
	movq %rdi, G_RDI(%rdx)
	movq %r8, G_R8(%rdx)
	movq %r9, G_R9(%rdx)
	movq %r10, G_R10(%rdx)
	movq %r11, G_R11(%rdx)
	movq %r12, G_R12(%rdx)
	movq %r13, G_R13(%rdx)
	movq %r14, G_R14(%rdx)
	movq %r15, G_R15(%rdx)
	popq G_RDX(%rdx)

	vmsave %rax			/* the guest's FS/GS/... back into its VMCB */
	addq $8, %rsp			/* gprs */
	popq %rax
	vmload %rax			/* the host's: GS base is the per-CPU area again */

	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size svm_vmrun_asm, . - svm_vmrun_asm
