/* SPDX-License-Identifier: MIT */
/* The few string helpers the freestanding hypervisor needs (no libc). */
#ifndef VMM_STRING_H
#define VMM_STRING_H

#include <stdbool.h>

static inline bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

#endif
