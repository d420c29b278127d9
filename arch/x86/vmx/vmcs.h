/* SPDX-License-Identifier: MIT */
/* VMCS field encodings and control bits used by the VMX back end (SDM vol 3D app. B). */
#ifndef ARCH_X86_VMX_VMCS_H
#define ARCH_X86_VMX_VMCS_H

/* entry.S writes the host RSP itself; vmx.c checks this equals VMCS_HOST_RSP. */
#define VMCS_HOST_RSP_ENCODING	0x6c14

#ifndef __ASSEMBLY__

#include <stdint.h>

/*
 * Width of a field, from bits 14:13 of its encoding (SDM 3D app. B, 25.11.2).
 * Each field below is listed once with its number and the width the appendix section
 * gives it; a host test checks that the encoding says the same width.
 */
enum vmcs_width {
	VMCS_W16 = 0,	/* app. B.1 */
	VMCS_W64 = 1,	/* app. B.2 */
	VMCS_W32 = 2,	/* app. B.3 */
	VMCS_WNAT = 3,	/* app. B.4, natural width */
};

#define VMCS_FIELD_WIDTH(enc)	(((unsigned int)(enc) >> 13) & 3)

/* X(name, encoding, declared width) */
#define VMCS_FIELDS(X)								\
	/* B.1.1 16-bit control */						\
	X(VMCS_VPID,			0x0000, VMCS_W16)			\
	/* B.1.2 16-bit guest state */						\
	X(VMCS_GUEST_ES_SEL,		0x0800, VMCS_W16)			\
	X(VMCS_GUEST_CS_SEL,		0x0802, VMCS_W16)			\
	X(VMCS_GUEST_SS_SEL,		0x0804, VMCS_W16)			\
	X(VMCS_GUEST_DS_SEL,		0x0806, VMCS_W16)			\
	X(VMCS_GUEST_FS_SEL,		0x0808, VMCS_W16)			\
	X(VMCS_GUEST_GS_SEL,		0x080a, VMCS_W16)			\
	X(VMCS_GUEST_LDTR_SEL,		0x080c, VMCS_W16)			\
	X(VMCS_GUEST_TR_SEL,		0x080e, VMCS_W16)			\
	/* B.1.3 16-bit host state */						\
	X(VMCS_HOST_ES_SEL,		0x0c00, VMCS_W16)			\
	X(VMCS_HOST_CS_SEL,		0x0c02, VMCS_W16)			\
	X(VMCS_HOST_SS_SEL,		0x0c04, VMCS_W16)			\
	X(VMCS_HOST_DS_SEL,		0x0c06, VMCS_W16)			\
	X(VMCS_HOST_FS_SEL,		0x0c08, VMCS_W16)			\
	X(VMCS_HOST_GS_SEL,		0x0c0a, VMCS_W16)			\
	X(VMCS_HOST_TR_SEL,		0x0c0c, VMCS_W16)			\
	/* B.2.1 64-bit control */						\
	X(VMCS_IO_BITMAP_A,		0x2000, VMCS_W64)			\
	X(VMCS_IO_BITMAP_B,		0x2002, VMCS_W64)			\
	X(VMCS_MSR_BITMAP,		0x2004, VMCS_W64)			\
	X(VMCS_EXIT_MSR_STORE_ADDR,	0x2006, VMCS_W64)			\
	X(VMCS_EXIT_MSR_LOAD_ADDR,	0x2008, VMCS_W64)			\
	X(VMCS_ENTRY_MSR_LOAD_ADDR,	0x200a, VMCS_W64)			\
	X(VMCS_EPT_POINTER,		0x201a, VMCS_W64)			\
	/* B.2.2 64-bit read-only data */					\
	X(VMCS_GUEST_PHYS_ADDR,		0x2400, VMCS_W64)			\
	/* B.2.3 64-bit guest state */						\
	X(VMCS_LINK_POINTER,		0x2800, VMCS_W64)			\
	X(VMCS_GUEST_DEBUGCTL,		0x2802, VMCS_W64)			\
	X(VMCS_GUEST_PAT,		0x2804, VMCS_W64)			\
	X(VMCS_GUEST_EFER,		0x2806, VMCS_W64)			\
	X(VMCS_GUEST_PDPTE0,		0x280a, VMCS_W64)			\
	X(VMCS_GUEST_PDPTE1,		0x280c, VMCS_W64)			\
	X(VMCS_GUEST_PDPTE2,		0x280e, VMCS_W64)			\
	X(VMCS_GUEST_PDPTE3,		0x2810, VMCS_W64)			\
	/* B.2.4 64-bit host state */						\
	X(VMCS_HOST_PAT,		0x2c00, VMCS_W64)			\
	X(VMCS_HOST_EFER,		0x2c02, VMCS_W64)			\
	/* B.3.1 32-bit control */						\
	X(VMCS_PIN_CTLS,		0x4000, VMCS_W32)			\
	X(VMCS_PROC_CTLS,		0x4002, VMCS_W32)			\
	X(VMCS_EXCEPTION_BITMAP,	0x4004, VMCS_W32)			\
	X(VMCS_PF_ERROR_MASK,		0x4006, VMCS_W32)			\
	X(VMCS_PF_ERROR_MATCH,		0x4008, VMCS_W32)			\
	X(VMCS_CR3_TARGET_COUNT,	0x400a, VMCS_W32)			\
	X(VMCS_EXIT_CTLS,		0x400c, VMCS_W32)			\
	X(VMCS_EXIT_MSR_STORE_COUNT,	0x400e, VMCS_W32)			\
	X(VMCS_EXIT_MSR_LOAD_COUNT,	0x4010, VMCS_W32)			\
	X(VMCS_ENTRY_CTLS,		0x4012, VMCS_W32)			\
	X(VMCS_ENTRY_MSR_LOAD_COUNT,	0x4014, VMCS_W32)			\
	X(VMCS_ENTRY_INTR_INFO,		0x4016, VMCS_W32)			\
	X(VMCS_ENTRY_EXC_ERROR,		0x4018, VMCS_W32)			\
	X(VMCS_ENTRY_INSN_LEN,		0x401a, VMCS_W32)			\
	X(VMCS_PROC_CTLS2,		0x401e, VMCS_W32)			\
	/* B.3.2 32-bit read-only data */					\
	X(VMCS_INSN_ERROR,		0x4400, VMCS_W32)			\
	X(VMCS_EXIT_REASON,		0x4402, VMCS_W32)			\
	X(VMCS_EXIT_INTR_INFO,		0x4404, VMCS_W32)			\
	X(VMCS_EXIT_INTR_ERROR,		0x4406, VMCS_W32)			\
	X(VMCS_IDT_VEC_INFO,		0x4408, VMCS_W32)			\
	X(VMCS_IDT_VEC_ERROR,		0x440a, VMCS_W32)			\
	X(VMCS_EXIT_INSN_LEN,		0x440c, VMCS_W32)			\
	X(VMCS_EXIT_INSN_INFO,		0x440e, VMCS_W32)			\
	/* B.3.3 32-bit guest state */						\
	X(VMCS_GUEST_ES_LIMIT,		0x4800, VMCS_W32)			\
	X(VMCS_GUEST_CS_LIMIT,		0x4802, VMCS_W32)			\
	X(VMCS_GUEST_SS_LIMIT,		0x4804, VMCS_W32)			\
	X(VMCS_GUEST_DS_LIMIT,		0x4806, VMCS_W32)			\
	X(VMCS_GUEST_FS_LIMIT,		0x4808, VMCS_W32)			\
	X(VMCS_GUEST_GS_LIMIT,		0x480a, VMCS_W32)			\
	X(VMCS_GUEST_LDTR_LIMIT,	0x480c, VMCS_W32)			\
	X(VMCS_GUEST_TR_LIMIT,		0x480e, VMCS_W32)			\
	X(VMCS_GUEST_GDTR_LIMIT,	0x4810, VMCS_W32)			\
	X(VMCS_GUEST_IDTR_LIMIT,	0x4812, VMCS_W32)			\
	X(VMCS_GUEST_ES_AR,		0x4814, VMCS_W32)			\
	X(VMCS_GUEST_CS_AR,		0x4816, VMCS_W32)			\
	X(VMCS_GUEST_SS_AR,		0x4818, VMCS_W32)			\
	X(VMCS_GUEST_DS_AR,		0x481a, VMCS_W32)			\
	X(VMCS_GUEST_FS_AR,		0x481c, VMCS_W32)			\
	X(VMCS_GUEST_GS_AR,		0x481e, VMCS_W32)			\
	X(VMCS_GUEST_LDTR_AR,		0x4820, VMCS_W32)			\
	X(VMCS_GUEST_TR_AR,		0x4822, VMCS_W32)			\
	X(VMCS_GUEST_INTERRUPTIBILITY,	0x4824, VMCS_W32)			\
	X(VMCS_GUEST_ACTIVITY,		0x4826, VMCS_W32)			\
	X(VMCS_GUEST_SYSENTER_CS,	0x482a, VMCS_W32)			\
	/* B.3.4 32-bit host state */						\
	X(VMCS_HOST_SYSENTER_CS,	0x4c00, VMCS_W32)			\
	/* B.4.1 natural-width control */					\
	X(VMCS_CR0_MASK,		0x6000, VMCS_WNAT)			\
	X(VMCS_CR4_MASK,		0x6002, VMCS_WNAT)			\
	X(VMCS_CR0_SHADOW,		0x6004, VMCS_WNAT)			\
	X(VMCS_CR4_SHADOW,		0x6006, VMCS_WNAT)			\
	/* B.4.2 natural-width read-only data */				\
	X(VMCS_EXIT_QUAL,		0x6400, VMCS_WNAT)			\
	X(VMCS_GUEST_LINEAR_ADDR,	0x640a, VMCS_WNAT)			\
	/* B.4.3 natural-width guest state */					\
	X(VMCS_GUEST_CR0,		0x6800, VMCS_WNAT)			\
	X(VMCS_GUEST_CR3,		0x6802, VMCS_WNAT)			\
	X(VMCS_GUEST_CR4,		0x6804, VMCS_WNAT)			\
	X(VMCS_GUEST_ES_BASE,		0x6806, VMCS_WNAT)			\
	X(VMCS_GUEST_CS_BASE,		0x6808, VMCS_WNAT)			\
	X(VMCS_GUEST_SS_BASE,		0x680a, VMCS_WNAT)			\
	X(VMCS_GUEST_DS_BASE,		0x680c, VMCS_WNAT)			\
	X(VMCS_GUEST_FS_BASE,		0x680e, VMCS_WNAT)			\
	X(VMCS_GUEST_GS_BASE,		0x6810, VMCS_WNAT)			\
	X(VMCS_GUEST_LDTR_BASE,		0x6812, VMCS_WNAT)			\
	X(VMCS_GUEST_TR_BASE,		0x6814, VMCS_WNAT)			\
	X(VMCS_GUEST_GDTR_BASE,		0x6816, VMCS_WNAT)			\
	X(VMCS_GUEST_IDTR_BASE,		0x6818, VMCS_WNAT)			\
	X(VMCS_GUEST_DR7,		0x681a, VMCS_WNAT)			\
	X(VMCS_GUEST_RSP,		0x681c, VMCS_WNAT)			\
	X(VMCS_GUEST_RIP,		0x681e, VMCS_WNAT)			\
	X(VMCS_GUEST_RFLAGS,		0x6820, VMCS_WNAT)			\
	X(VMCS_GUEST_PENDING_DBG,	0x6822, VMCS_WNAT)			\
	X(VMCS_GUEST_SYSENTER_ESP,	0x6824, VMCS_WNAT)			\
	X(VMCS_GUEST_SYSENTER_EIP,	0x6826, VMCS_WNAT)			\
	/* B.4.4 natural-width host state */					\
	X(VMCS_HOST_CR0,		0x6c00, VMCS_WNAT)			\
	X(VMCS_HOST_CR3,		0x6c02, VMCS_WNAT)			\
	X(VMCS_HOST_CR4,		0x6c04, VMCS_WNAT)			\
	X(VMCS_HOST_FS_BASE,		0x6c06, VMCS_WNAT)			\
	X(VMCS_HOST_GS_BASE,		0x6c08, VMCS_WNAT)			\
	X(VMCS_HOST_TR_BASE,		0x6c0a, VMCS_WNAT)			\
	X(VMCS_HOST_GDTR_BASE,		0x6c0c, VMCS_WNAT)			\
	X(VMCS_HOST_IDTR_BASE,		0x6c0e, VMCS_WNAT)			\
	X(VMCS_HOST_SYSENTER_ESP,	0x6c10, VMCS_WNAT)			\
	X(VMCS_HOST_SYSENTER_EIP,	0x6c12, VMCS_WNAT)			\
	X(VMCS_HOST_RSP,		0x6c14, VMCS_WNAT)			\
	X(VMCS_HOST_RIP,		0x6c16, VMCS_WNAT)

#define VMCS_ENUM_ENTRY(name, enc, width)	name = (enc),
enum vmcs_field { VMCS_FIELDS(VMCS_ENUM_ENTRY) };
#undef VMCS_ENUM_ENTRY

/* Pin-based controls, SDM 3C 25.6.1. */
#define PIN_EXTINT_EXITING	(1u << 0)
#define PIN_NMI_EXITING		(1u << 3)
#define PIN_VIRTUAL_NMIS	(1u << 5)
#define PIN_PREEMPTION_TIMER	(1u << 6)

/* Primary processor-based controls, SDM 3C 25.6.2. */
#define PROC_IRQ_WINDOW		(1u << 2)
#define PROC_HLT_EXITING	(1u << 7)
#define PROC_INVLPG_EXITING	(1u << 9)
#define PROC_CR3_LOAD_EXITING	(1u << 15)
#define PROC_CR3_STORE_EXITING	(1u << 16)
#define PROC_UNCOND_IO		(1u << 24)
#define PROC_IO_BITMAPS		(1u << 25)
#define PROC_MSR_BITMAPS	(1u << 28)
#define PROC_SECONDARY		(1u << 31)

/* Secondary processor-based controls, SDM 3C 25.6.2. */
#define PROC2_EPT		(1u << 1)
#define PROC2_RDTSCP		(1u << 3)
#define PROC2_VPID		(1u << 5)
#define PROC2_UNRESTRICTED	(1u << 7)
#define PROC2_INVPCID		(1u << 12)

/* VM-exit controls, SDM 3C 25.7.1. */
#define EXITCTL_HOST_64		(1u << 9)
#define EXITCTL_ACK_INTR	(1u << 15)
#define EXITCTL_SAVE_PAT	(1u << 18)
#define EXITCTL_LOAD_PAT	(1u << 19)
#define EXITCTL_SAVE_EFER	(1u << 20)
#define EXITCTL_LOAD_EFER	(1u << 21)

/* VM-entry controls, SDM 3C 25.8.1. */
#define ENTRYCTL_IA32E_GUEST	(1u << 9)
#define ENTRYCTL_LOAD_PAT	(1u << 14)
#define ENTRYCTL_LOAD_EFER	(1u << 15)

/* Interruption-information fields (entry, exit, IDT vectoring), SDM 3C 25.8.3, 25.9.2. */
#define INTR_INFO_VECTOR(x)	((x) & 0xffu)
#define INTR_INFO_TYPE(x)	(((x) >> 8) & 7u)
#define INTR_INFO_TYPE_SHIFT	8
#define INTR_TYPE_EXTINT	0u
#define INTR_TYPE_NMI		2u
#define INTR_TYPE_HW_EXC	3u
#define INTR_TYPE_SW_INT	4u
#define INTR_TYPE_PRIV_SW_EXC	5u
#define INTR_TYPE_SW_EXC	6u
#define INTR_INFO_ERROR_VALID	(1u << 11)
#define INTR_INFO_VALID		(1u << 31)

/* Guest interruptibility state, SDM 3C 25.4.2. */
#define INTERRUPTIBILITY_STI	(1u << 0)
#define INTERRUPTIBILITY_MOVSS	(1u << 1)

/* Segment access rights as the VMCS holds them, SDM 3C 25.4.1. */
#define AR_TYPE(ar)		((ar) & 0xfu)
#define AR_S			(1u << 4)
#define AR_DPL(ar)		(((ar) >> 5) & 3u)
#define AR_P			(1u << 7)
#define AR_L			(1u << 13)
#define AR_DB			(1u << 14)
#define AR_G			(1u << 15)
#define AR_UNUSABLE		(1u << 16)
#define AR_RESERVED		0xfffe0f00u	/* bits 31:17 and 11:8 */

/* EPTP, SDM 3C 25.6.11: memory type in bits 2:0, page-walk length - 1 in bits 5:3. */
#define EPTP_WB			6ull
#define EPTP_WALK_4		(3ull << 3)

/* VM-exit reason field, SDM 3C 25.9.1: bit 31 set on a VM-entry failure. */
#define VMX_REASON_BASIC(r)	((r) & 0xffffu)
#define VMX_REASON_ENTRY_FAIL	(1u << 31)

#endif /* __ASSEMBLY__ */
#endif
