/* SPDX-License-Identifier: MIT */
/* A small snprintf for the hypervisor (and its host tests): no floating point, no allocation. */
#ifndef VMM_FORMAT_H
#define VMM_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: %c %s %d %i %u %x %X %p %%, with flags '-' and '0', a width, a
 * precision for %s, and the length modifiers hh h l ll z. Always NUL-terminates when
 * len > 0; returns the length the full output would have had.
 */
int hv_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
