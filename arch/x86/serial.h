/* SPDX-License-Identifier: MIT */
/* The boot console: 16550 UART on COM1 and the emulators' port 0xE9. */
#ifndef ARCH_X86_SERIAL_H
#define ARCH_X86_SERIAL_H

void serial_init(void);
void serial_write(const char *s, unsigned long n);

#endif
