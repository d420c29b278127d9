/* SPDX-License-Identifier: MIT */
/* Guest x87/SSE/AVX registers across vCPU switches on one CPU: XSAVE areas, or FXSAVE. */
#ifndef ARCH_X86_FPU_H
#define ARCH_X86_FPU_H

#include <stdint.h>

/*
 * A save area (page aligned, direct-mapped) holding the register state of a CPU after
 * reset: x87 control word 0x37f, MXCSR 0x1f80, everything else zero. 0: no memory.
 */
uint64_t fpu_area_alloc(void);
/* Puts an area from fpu_area_alloc back to the state after reset (a restarted guest). */
void fpu_area_reset(uint64_t pa);
/* Saves this CPU's registers into save (skipped when 0), then loads them from load. */
void fpu_switch(uint64_t save, uint64_t load);

#endif
