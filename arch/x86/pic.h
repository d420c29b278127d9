/* SPDX-License-Identifier: MIT */
/* The legacy 8259 PICs: moved off the exception vectors and masked for good. */
#ifndef ARCH_X86_PIC_H
#define ARCH_X86_PIC_H

#define PIC_VECTOR_BASE	0x20	/* IRQ 0-15 land on 0x20-0x2f if one slips through */

void pic_disable(void);

#endif
