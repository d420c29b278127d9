/* SPDX-License-Identifier: MIT */
/* Architectural constants shared by assembly and C (SDM vol 3A ch. 2-4). */
#ifndef ARCH_X86_ASM_H
#define ARCH_X86_ASM_H

#define CR0_PE		(1 << 0)
#define CR0_NW		(1 << 29)
#define CR0_CD		(1 << 30)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_PGE		(1 << 7)
#define CR4_OSXSAVE	(1 << 18)

#define MSR_EFER	0xc0000080
#define EFER_SCE	(1 << 0)
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define EFER_SVME	(1 << 12)

/* Page-table entry bits, SDM vol 3A sec. 4.5, table 4-19/4-20. */
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_U		0x004
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_A		0x020
#define PTE_D		0x040
#define PTE_PS		0x080
#define PTE_G		0x100

/* Boot and per-CPU GDT layout (see arch/x86/gdt.c). */
#define GDT_CODE64	0x08
#define GDT_DATA	0x10
#define GDT_TSS		0x18
#define GDT_DESC_CODE64	0x00af9a000000ffff	/* L=1, P, DPL0, code exec/read */
#define GDT_DESC_DATA	0x00cf92000000ffff	/* P, DPL0, data read/write */

/* Where the AP real-mode trampoline is copied: below 1 MiB, SIPI vector = page number. */
#define TRAMPOLINE_PA	0x8000

#endif
