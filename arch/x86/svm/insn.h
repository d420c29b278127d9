/* SPDX-License-Identifier: MIT */
/* The SVM instructions (CLGI, STGI, VMLOAD, VMSAVE) and XCR0 access as inline helpers. */
#ifndef ARCH_X86_SVM_INSN_H
#define ARCH_X86_SVM_INSN_H

#include <stdint.h>

/*
 * VMLOAD and VMRUN of the guest, VMSAVE and the host's VMLOAD after #VMEXIT (entry.S),
 * with every guest GPR but RSP and RAX (in the VMCB) from and back to gprs[].
 *
 * The entry code keeps RBP, RBX and R12 of the host; R13-R15 are declared clobbered
 * here so that they are saved once, in the caller's prologue, rather than twice (no
 * red zone in this kernel: a call from inline assembly is safe).
 */
static inline void svm_vmrun(uint64_t guest_vmcb_pa, uint64_t host_vmcb_pa, uint64_t *gprs)
{
	__asm__ volatile("call svm_vmrun_asm"
			 : "+D"(guest_vmcb_pa), "+S"(host_vmcb_pa), "+d"(gprs)
			 :
			 : "rax", "rcx", "r8", "r9", "r10", "r11", "r13", "r14", "r15", "cc",
			   "memory");
}

/* APM vol 3 sec. 4: CLGI/STGI clear and set the global interrupt flag. */
static inline void svm_clgi(void)
{
	__asm__ volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	__asm__ volatile("stgi" ::: "memory");
}

/* VMLOAD/VMSAVE: FS, GS, TR, LDTR (hidden state), KernelGsBase, STAR family, SYSENTER. */
static inline void svm_vmload(uint64_t vmcb_pa)
{
	__asm__ volatile("vmload %%rax" : : "a"(vmcb_pa) : "memory");
}

static inline void svm_vmsave(uint64_t vmcb_pa)
{
	__asm__ volatile("vmsave %%rax" : : "a"(vmcb_pa) : "memory");
}

/* XGETBV/XSETBV with ECX = 0 (XCR0), SDM vol 2C; only valid with CR4.OSXSAVE. */
static inline uint64_t svm_xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void svm_xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#endif
