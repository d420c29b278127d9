/* SPDX-License-Identifier: MIT */
/* SVM exit codes and their pure decoder into the vendor-neutral exit record. */
#ifndef ARCH_X86_SVM_EXIT_H
#define ARCH_X86_SVM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/svm/vmcb.h"
#include "vmm/vcpu.h"

/* EXITCODE values, APM vol 2 app. C table C-1. */
enum svm_exitcode {
	SVM_EXIT_CR0_READ = 0x00,	/* 0x00-0x0f: CRn read */
	SVM_EXIT_CR15_READ = 0x0f,
	SVM_EXIT_CR0_WRITE = 0x10,	/* 0x10-0x1f: CRn write */
	SVM_EXIT_CR15_WRITE = 0x1f,
	SVM_EXIT_DR0_READ = 0x20,	/* 0x20-0x2f */
	SVM_EXIT_DR15_READ = 0x2f,
	SVM_EXIT_DR0_WRITE = 0x30,	/* 0x30-0x3f */
	SVM_EXIT_DR15_WRITE = 0x3f,
	SVM_EXIT_EXCP0 = 0x40,		/* 0x40-0x5f: exception vector n */
	SVM_EXIT_EXCP31 = 0x5f,
	SVM_EXIT_EXCP_DF = 0x48,	/* #DF: see exit.c */
	SVM_EXIT_INTR = 0x60,
	SVM_EXIT_NMI = 0x61,
	SVM_EXIT_SMI = 0x62,
	SVM_EXIT_INIT = 0x63,
	SVM_EXIT_VINTR = 0x64,
	SVM_EXIT_CR0_SEL_WRITE = 0x65,
	SVM_EXIT_IDTR_READ = 0x66,
	SVM_EXIT_GDTR_READ = 0x67,
	SVM_EXIT_LDTR_READ = 0x68,
	SVM_EXIT_TR_READ = 0x69,
	SVM_EXIT_IDTR_WRITE = 0x6a,
	SVM_EXIT_GDTR_WRITE = 0x6b,
	SVM_EXIT_LDTR_WRITE = 0x6c,
	SVM_EXIT_TR_WRITE = 0x6d,
	SVM_EXIT_RDTSC = 0x6e,
	SVM_EXIT_RDPMC = 0x6f,
	SVM_EXIT_PUSHF = 0x70,
	SVM_EXIT_POPF = 0x71,
	SVM_EXIT_CPUID = 0x72,
	SVM_EXIT_RSM = 0x73,
	SVM_EXIT_IRET = 0x74,
	SVM_EXIT_SWINT = 0x75,
	SVM_EXIT_INVD = 0x76,
	SVM_EXIT_PAUSE = 0x77,
	SVM_EXIT_HLT = 0x78,
	SVM_EXIT_INVLPG = 0x79,
	SVM_EXIT_INVLPGA = 0x7a,
	SVM_EXIT_IOIO = 0x7b,
	SVM_EXIT_MSR = 0x7c,
	SVM_EXIT_TASK_SWITCH = 0x7d,
	SVM_EXIT_FERR_FREEZE = 0x7e,
	SVM_EXIT_SHUTDOWN = 0x7f,
	SVM_EXIT_VMRUN = 0x80,
	SVM_EXIT_VMMCALL = 0x81,
	SVM_EXIT_VMLOAD = 0x82,
	SVM_EXIT_VMSAVE = 0x83,
	SVM_EXIT_STGI = 0x84,
	SVM_EXIT_CLGI = 0x85,
	SVM_EXIT_SKINIT = 0x86,
	SVM_EXIT_RDTSCP = 0x87,
	SVM_EXIT_ICEBP = 0x88,
	SVM_EXIT_WBINVD = 0x89,
	SVM_EXIT_MONITOR = 0x8a,
	SVM_EXIT_MWAIT = 0x8b,
	SVM_EXIT_MWAIT_COND = 0x8c,
	SVM_EXIT_XSETBV = 0x8d,
	SVM_EXIT_RDPRU = 0x8e,
	SVM_EXIT_EFER_WRITE_TRAP = 0x8f,
	SVM_EXIT_CR0_WRITE_TRAP = 0x90,	/* 0x90-0x9f */
	SVM_EXIT_CR15_WRITE_TRAP = 0x9f,
	SVM_EXIT_INVLPGB = 0xa0,
	SVM_EXIT_INVLPGB_ILLEGAL = 0xa1,
	SVM_EXIT_INVPCID = 0xa2,
	SVM_EXIT_MCOMMIT = 0xa3,
	SVM_EXIT_TLBSYNC = 0xa4,
	SVM_EXIT_BUSLOCK = 0xa5,
	SVM_EXIT_IDLE_HLT = 0xa6,
	SVM_EXIT_NPF = 0x400,
	SVM_EXIT_AVIC_INCOMPLETE_IPI = 0x401,
	SVM_EXIT_AVIC_NOACCEL = 0x402,
	SVM_EXIT_VMGEXIT = 0x403,
};

/* EXITCODE is 64 bits; these three are negative (APM vol 2 app. C). */
#define SVM_EXIT_INVALID	0xffffffffffffffffull	/* -1: bad guest state */
#define SVM_EXIT_BUSY		0xfffffffffffffffeull	/* -2: SEV-SNP VMSA busy */
#define SVM_EXIT_IDLE_REQUIRED	0xfffffffffffffffdull	/* -3: SEV-SNP */

/* IOIO EXITINFO1, APM vol 2 sec. 15.10.2 figure 15-2. */
#define IOIO_TYPE_IN		(1ull << 0)
#define IOIO_STR		(1ull << 2)
#define IOIO_REP		(1ull << 3)
#define IOIO_SZ8		(1ull << 4)
#define IOIO_SZ16		(1ull << 5)
#define IOIO_SZ32		(1ull << 6)
#define IOIO_PORT_SHIFT		16

/* NPF EXITINFO1: a #PF error code plus walk bits, APM vol 2 sec. 15.25.6. */
#define NPF_P			(1ull << 0)
#define NPF_WRITE		(1ull << 1)
#define NPF_USER		(1ull << 2)
#define NPF_RSV			(1ull << 3)	/* reserved bit set in a nested entry */
#define NPF_FETCH		(1ull << 4)
#define NPF_FINAL		(1ull << 32)	/* translating the final guest-physical address */
#define NPF_WALK		(1ull << 33)	/* translating a guest page-table access */

/* MSR EXITINFO1, APM vol 2 sec. 15.11. */
#define MSR_EXIT_WRITE		1ull

/*
 * Fills *ei from the exit fields of a VMCB after #VMEXIT (EXITCODE, EXITINFO1/2, nRIP,
 * RIP); pure, so it runs on the host too. has_nrip: CPUID 0x8000000A EDX bit 3.
 */
void svm_decode_exit(const struct vmcb *vmcb, bool has_nrip, struct exit_info *ei);
/* Its kind, or EXIT_UNKNOWN for a code APM app. C does not list. */
enum exit_kind svm_exit_kind(uint64_t exitcode);
/* A short name for dumps; NULL for a code APM app. C does not list. */
const char *svm_exit_name(uint64_t exitcode);
/* Fixed instruction length used without nRIP save, 0 when not an instruction exit. */
uint8_t svm_exit_fixed_len(uint64_t exitcode);

#endif
