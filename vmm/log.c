/* SPDX-License-Identifier: MIT */
/* Level-filtered console output; the console lock keeps lines from different CPUs whole. */
#include "vmm/log.h"

#include <stdarg.h>

#include "arch/x86/serial.h"
#include "arch/x86/spinlock.h"
#include "vmm/format.h"
#include "vmm/string.h"

enum log_level log_threshold = LOG_INFO;

/* Protects the UART and the line buffer. */
static struct spinlock console_lock;
static char line_buf[512];

static const char *const level_names[] = { "err", "warn", "info", "debug" };

static void console_write_locked(const char *s, int n)
{
	serial_write(s, (unsigned long)n);
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	uint64_t flags;
	int n;

	if (lvl > log_threshold)
		return;
	flags = spin_lock_irqsave(&console_lock);
	va_start(ap, fmt);
	n = hv_vsnprintf(line_buf, sizeof(line_buf) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line_buf) - 2)
		n = (int)sizeof(line_buf) - 2;
	if (n == 0 || line_buf[n - 1] != '\n')
		line_buf[n++] = '\n';
	console_write_locked(line_buf, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void log_raw(const char *line)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);
	int n = 0;

	while (line[n])
		n++;
	console_write_locked(line, n);
	console_write_locked("\n", 1);
	spin_unlock_irqrestore(&console_lock, flags);
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++) {
		if (str_eq(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (s[0] >= '0' && s[0] <= '3' && !s[1]) {
		*out = (enum log_level)(s[0] - '0');
		return 0;
	}
	return -22;
}
