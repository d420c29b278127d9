/* SPDX-License-Identifier: MIT */
/* Reprograms both 8259s away from vectors 8-15 (the BIOS default overlaps #DF..#GP) and masks them. */
#include "arch/x86/pic.h"

#include "arch/x86/cpu.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define ICW1_INIT	0x11	/* edge, cascade, ICW4 follows (8259A datasheet) */
#define ICW4_8086	0x01

void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT);
	outb(PIC2_CMD, ICW1_INIT);
	outb(PIC1_DATA, PIC_VECTOR_BASE);	/* ICW2: vector base */
	outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
	outb(PIC1_DATA, 0x04);			/* ICW3: slave on IRQ 2 */
	outb(PIC2_DATA, 0x02);			/* ICW3: slave identity */
	outb(PIC1_DATA, ICW4_8086);
	outb(PIC2_DATA, ICW4_8086);
	outb(PIC1_DATA, 0xff);			/* OCW1: mask everything */
	outb(PIC2_DATA, 0xff);
}
