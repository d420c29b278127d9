/* SPDX-License-Identifier: MIT */
/* 16550 UART driver for COM1 (polled, 115200 8N1) mirrored to debug port 0xE9. */
#include "arch/x86/serial.h"

#include <stdbool.h>

#include "arch/x86/cpu.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding register */
#define UART_IER	1	/* interrupt enable */
#define UART_DLL	0	/* divisor latch low (DLAB=1) */
#define UART_DLM	1	/* divisor latch high (DLAB=1) */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define  LSR_THRE	0x20	/* transmit holding register empty */
#define UART_SCR	7	/* scratch */
#define DEBUG_PORT	0xe9

static bool uart_present;

void serial_init(void)
{
	/* A missing UART reads back 0xff from every register; then use port 0xE9 only. */
	outb(COM1 + UART_SCR, 0x5a);
	uart_present = inb(COM1 + UART_SCR) == 0x5a;
	if (!uart_present)
		return;
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB */
	outb(COM1 + UART_DLL, 1);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);	/* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
}

static void uart_putc(char c)
{
	unsigned spins = 100000;

	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && --spins)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		if (s[i] == '\n' && uart_present)
			uart_putc('\r');
		if (uart_present)
			uart_putc(s[i]);
		outb(DEBUG_PORT, (uint8_t)s[i]);
	}
}
