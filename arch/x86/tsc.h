/* SPDX-License-Identifier: MIT */
/* TSC frequency (CPUID 0x15/0x16, else measured against the PIT) and delays. */
#ifndef ARCH_X86_TSC_H
#define ARCH_X86_TSC_H

#include <stdint.h>

void tsc_init(void);
uint64_t tsc_hz(void);
const char *tsc_source(void);
/* What CPUID 0x15/0x16 stated (0: nothing), whether or not it was believed. */
uint64_t tsc_cpuid_hz(void);
void tsc_delay_us(uint64_t us);

#endif
