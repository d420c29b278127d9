/* SPDX-License-Identifier: MIT */
/* The VMCB (control area and state save area), every field at its APM vol 2 app. B offset. */
#ifndef ARCH_X86_SVM_VMCB_H
#define ARCH_X86_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* Intercept vector 3 (control area 0x0c), APM vol 2 table B-1. */
#define INTERCEPT3_INTR		(1u << 0)
#define INTERCEPT3_NMI		(1u << 1)
#define INTERCEPT3_SMI		(1u << 2)
#define INTERCEPT3_INIT		(1u << 3)
#define INTERCEPT3_VINTR	(1u << 4)
#define INTERCEPT3_CPUID	(1u << 18)
#define INTERCEPT3_INVD		(1u << 22)
#define INTERCEPT3_HLT		(1u << 24)
#define INTERCEPT3_INVLPGA	(1u << 26)
#define INTERCEPT3_IOIO_PROT	(1u << 27)
#define INTERCEPT3_MSR_PROT	(1u << 28)
#define INTERCEPT3_SHUTDOWN	(1u << 31)

/* Intercept vector 4 (control area 0x10), APM vol 2 table B-1. */
#define INTERCEPT4_VMRUN	(1u << 0)	/* VMRUN fails with VMEXIT_INVALID if clear */
#define INTERCEPT4_VMMCALL	(1u << 1)
#define INTERCEPT4_VMLOAD	(1u << 2)
#define INTERCEPT4_VMSAVE	(1u << 3)
#define INTERCEPT4_STGI		(1u << 4)
#define INTERCEPT4_CLGI		(1u << 5)
#define INTERCEPT4_SKINIT	(1u << 6)
#define INTERCEPT4_WBINVD	(1u << 9)
#define INTERCEPT4_XSETBV	(1u << 13)

/* TLB_CONTROL (0x5c), APM vol 2 sec. 15.16.1. */
#define TLB_CONTROL_NONE	0
#define TLB_CONTROL_FLUSH_ALL	1

/* Virtual interrupt control, low word at 0x60, APM vol 2 sec. 15.21.1 and table B-1. */
#define VINTR_TPR_MASK		0xfu
#define VINTR_IRQ		(1u << 8)
#define VINTR_PRIO_SHIFT	16
#define VINTR_IGN_TPR		(1u << 20)
#define VINTR_MASKING		(1u << 24)

/* Interrupt state (0x68), APM vol 2 table B-1. */
#define INT_STATE_SHADOW	(1ull << 0)

/* Nested paging control (0x90), APM vol 2 sec. 15.25.3. */
#define NP_CTL_ENABLE		(1ull << 0)

/* EVENTINJ and EXITINTINFO (0xa8, 0x88), APM vol 2 sec. 15.20. */
#define EVENT_VECTOR_MASK	0xffull
#define EVENT_TYPE_SHIFT	8
#define  EVENT_TYPE_INTR	0ull
#define  EVENT_TYPE_NMI		2ull
#define  EVENT_TYPE_EXCEPTION	3ull
#define  EVENT_TYPE_SOFT_INT	4ull
#define EVENT_ERROR_VALID	(1ull << 11)
#define EVENT_VALID		(1ull << 31)
#define EVENT_ERROR_SHIFT	32

/* Segment attributes: descriptor bits 47:40 and 55:52 packed, APM vol 2 sec. 15.5.1. */
#define SEG_ATTR_CODE32		0xc9b	/* G, D, P, S, type 0xb: execute/read, accessed */
#define SEG_ATTR_DATA32		0xc93	/* G, B, P, S, type 0x3: read/write, accessed */
#define SEG_ATTR_TSS32_BUSY	0x08b	/* P, type 0xb */
#define SEG_ATTR_LDT		0x082	/* P, type 0x2 */

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

/* Control area, APM vol 2 table B-1. */
struct vmcb_control {
	uint32_t intercept_cr;		/* 0x00: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;		/* 0x04 */
	uint32_t intercept_exc;		/* 0x08: one bit per vector */
	uint32_t intercept3;		/* 0x0c */
	uint32_t intercept4;		/* 0x10 */
	uint32_t intercept5;		/* 0x14 */
	uint8_t rsvd_0x18[0x24];
	uint16_t pause_filter_thresh;	/* 0x3c */
	uint16_t pause_filter_count;	/* 0x3e */
	uint64_t iopm_base_pa;		/* 0x40 */
	uint64_t msrpm_base_pa;		/* 0x48 */
	uint64_t tsc_offset;		/* 0x50 */
	uint32_t guest_asid;		/* 0x58 */
	uint8_t tlb_control;		/* 0x5c */
	uint8_t rsvd_0x5d[3];
	uint32_t vintr;			/* 0x60: V_TPR, V_IRQ, V_INTR_PRIO, ... */
	uint32_t vintr_vector;		/* 0x64: V_INTR_VECTOR (bits 39:32 of 0x60) */
	uint64_t int_state;		/* 0x68 */
	uint64_t exitcode;		/* 0x70 */
	uint64_t exitinfo1;		/* 0x78 */
	uint64_t exitinfo2;		/* 0x80 */
	uint64_t exitintinfo;		/* 0x88 */
	uint64_t np_ctl;		/* 0x90: NP_ENABLE, SEV, ... */
	uint64_t avic_apic_bar;		/* 0x98 */
	uint64_t ghcb_pa;		/* 0xa0 */
	uint64_t event_inj;		/* 0xa8 */
	uint64_t n_cr3;			/* 0xb0 */
	uint64_t virt_ext;		/* 0xb8: LBR virtualization, VMLOAD/VMSAVE virt. */
	uint32_t clean;			/* 0xc0 */
	uint32_t rsvd_0xc4;
	uint64_t nrip;			/* 0xc8 */
	uint8_t insn_fetched;		/* 0xd0 */
	uint8_t insn_bytes[15];		/* 0xd1 */
	uint64_t avic_backing_page;	/* 0xe0 */
	uint8_t rsvd_0xe8[8];
	uint64_t avic_logical_table;	/* 0xf0 */
	uint64_t avic_physical_table;	/* 0xf8 */
	uint8_t rsvd_0x100[8];
	uint64_t vmsa_pa;		/* 0x108 */
	uint8_t rsvd_0x110[0x2d0];
	uint8_t software[0x20];		/* 0x3e0: reserved for the hypervisor */
};

/* State save area, APM vol 2 table B-2 (offsets from the VMCB start: +0x400). */
struct vmcb_save {
	struct vmcb_seg es;		/* 0x400 */
	struct vmcb_seg cs;		/* 0x410 */
	struct vmcb_seg ss;		/* 0x420 */
	struct vmcb_seg ds;		/* 0x430 */
	struct vmcb_seg fs;		/* 0x440 */
	struct vmcb_seg gs;		/* 0x450 */
	struct vmcb_seg gdtr;		/* 0x460 */
	struct vmcb_seg ldtr;		/* 0x470 */
	struct vmcb_seg idtr;		/* 0x480 */
	struct vmcb_seg tr;		/* 0x490 */
	uint8_t rsvd_0x4a0[0x2b];
	uint8_t cpl;			/* 0x4cb */
	uint32_t rsvd_0x4cc;
	uint64_t efer;			/* 0x4d0 */
	uint8_t rsvd_0x4d8[0x70];
	uint64_t cr4;			/* 0x548 */
	uint64_t cr3;			/* 0x550 */
	uint64_t cr0;			/* 0x558 */
	uint64_t dr7;			/* 0x560 */
	uint64_t dr6;			/* 0x568 */
	uint64_t rflags;		/* 0x570 */
	uint64_t rip;			/* 0x578 */
	uint8_t rsvd_0x580[0x58];
	uint64_t rsp;			/* 0x5d8 */
	uint64_t s_cet;			/* 0x5e0 */
	uint64_t ssp;			/* 0x5e8 */
	uint64_t isst_addr;		/* 0x5f0 */
	uint64_t rax;			/* 0x5f8 */
	uint64_t star;			/* 0x600 */
	uint64_t lstar;			/* 0x608 */
	uint64_t cstar;			/* 0x610 */
	uint64_t sfmask;		/* 0x618 */
	uint64_t kernel_gs_base;	/* 0x620 */
	uint64_t sysenter_cs;		/* 0x628 */
	uint64_t sysenter_esp;		/* 0x630 */
	uint64_t sysenter_eip;		/* 0x638 */
	uint64_t cr2;			/* 0x640 */
	uint8_t rsvd_0x648[0x20];
	uint64_t g_pat;			/* 0x668 */
	uint64_t dbgctl;		/* 0x670 */
	uint64_t br_from;		/* 0x678 */
	uint64_t br_to;			/* 0x680 */
	uint64_t last_excp_from;	/* 0x688 */
	uint64_t last_excp_to;		/* 0x690 */
	uint8_t rsvd_0x698[0x968];
};

/* One 4 KiB page, 4 KiB aligned (APM vol 2 sec. 15.5.1). */
struct vmcb {
	struct vmcb_control control;	/* 0x000 */
	struct vmcb_save save;		/* 0x400 */
};

#define VMCB_ASSERT(field, off) \
	_Static_assert(offsetof(struct vmcb, field) == (off), "APM vol 2 app. B: " #field)

VMCB_ASSERT(control.intercept_cr, 0x00);
VMCB_ASSERT(control.intercept_dr, 0x04);
VMCB_ASSERT(control.intercept_exc, 0x08);
VMCB_ASSERT(control.intercept3, 0x0c);
VMCB_ASSERT(control.intercept4, 0x10);
VMCB_ASSERT(control.intercept5, 0x14);
VMCB_ASSERT(control.pause_filter_thresh, 0x3c);
VMCB_ASSERT(control.pause_filter_count, 0x3e);
VMCB_ASSERT(control.iopm_base_pa, 0x40);
VMCB_ASSERT(control.msrpm_base_pa, 0x48);
VMCB_ASSERT(control.tsc_offset, 0x50);
VMCB_ASSERT(control.guest_asid, 0x58);
VMCB_ASSERT(control.tlb_control, 0x5c);
VMCB_ASSERT(control.vintr, 0x60);
VMCB_ASSERT(control.vintr_vector, 0x64);
VMCB_ASSERT(control.int_state, 0x68);
VMCB_ASSERT(control.exitcode, 0x70);
VMCB_ASSERT(control.exitinfo1, 0x78);
VMCB_ASSERT(control.exitinfo2, 0x80);
VMCB_ASSERT(control.exitintinfo, 0x88);
VMCB_ASSERT(control.np_ctl, 0x90);
VMCB_ASSERT(control.avic_apic_bar, 0x98);
VMCB_ASSERT(control.ghcb_pa, 0xa0);
VMCB_ASSERT(control.event_inj, 0xa8);
VMCB_ASSERT(control.n_cr3, 0xb0);
VMCB_ASSERT(control.virt_ext, 0xb8);
VMCB_ASSERT(control.clean, 0xc0);
VMCB_ASSERT(control.nrip, 0xc8);
VMCB_ASSERT(control.insn_fetched, 0xd0);
VMCB_ASSERT(control.insn_bytes, 0xd1);
VMCB_ASSERT(control.avic_backing_page, 0xe0);
VMCB_ASSERT(control.avic_logical_table, 0xf0);
VMCB_ASSERT(control.avic_physical_table, 0xf8);
VMCB_ASSERT(control.vmsa_pa, 0x108);
VMCB_ASSERT(control.software, 0x3e0);
VMCB_ASSERT(save.es, 0x400);
VMCB_ASSERT(save.cs, 0x410);
VMCB_ASSERT(save.ss, 0x420);
VMCB_ASSERT(save.ds, 0x430);
VMCB_ASSERT(save.fs, 0x440);
VMCB_ASSERT(save.gs, 0x450);
VMCB_ASSERT(save.gdtr, 0x460);
VMCB_ASSERT(save.ldtr, 0x470);
VMCB_ASSERT(save.idtr, 0x480);
VMCB_ASSERT(save.tr, 0x490);
VMCB_ASSERT(save.cpl, 0x4cb);
VMCB_ASSERT(save.efer, 0x4d0);
VMCB_ASSERT(save.cr4, 0x548);
VMCB_ASSERT(save.cr3, 0x550);
VMCB_ASSERT(save.cr0, 0x558);
VMCB_ASSERT(save.dr7, 0x560);
VMCB_ASSERT(save.dr6, 0x568);
VMCB_ASSERT(save.rflags, 0x570);
VMCB_ASSERT(save.rip, 0x578);
VMCB_ASSERT(save.rsp, 0x5d8);
VMCB_ASSERT(save.rax, 0x5f8);
VMCB_ASSERT(save.star, 0x600);
VMCB_ASSERT(save.lstar, 0x608);
VMCB_ASSERT(save.cstar, 0x610);
VMCB_ASSERT(save.sfmask, 0x618);
VMCB_ASSERT(save.kernel_gs_base, 0x620);
VMCB_ASSERT(save.sysenter_cs, 0x628);
VMCB_ASSERT(save.sysenter_esp, 0x630);
VMCB_ASSERT(save.sysenter_eip, 0x638);
VMCB_ASSERT(save.cr2, 0x640);
VMCB_ASSERT(save.g_pat, 0x668);
VMCB_ASSERT(save.dbgctl, 0x670);
VMCB_ASSERT(save.last_excp_to, 0x690);
_Static_assert(sizeof(struct vmcb_seg) == 16, "APM vol 2 table B-2: segment is 16 bytes");
_Static_assert(sizeof(struct vmcb) == 4096, "APM vol 2 sec. 15.5.1: the VMCB is one page");

#endif
