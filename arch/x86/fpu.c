/* SPDX-License-Identifier: MIT */
/* Guest register state the host never touches (-mgeneral-regs-only), saved and loaded when vCPUs switch. */
#include "arch/x86/fpu.h"

#include <stdbool.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "vmm/mem.h"

#define CPUID_1_ECX_XSAVE	(1u << 26)	/* SDM 2A CPUID leaf 1 */
#define CR4_OSFXSR		(1ull << 9)	/* SDM 3A sec. 2.5 */
#define FXSAVE_SIZE		512		/* SDM 1 sec. 10.5.1 */
#define AREA_FCW		0		/* legacy region offsets, SDM 1 table 10-2 */
#define AREA_MXCSR		24
#define AREA_XCR0		464		/* 464-511: for software, SDM 1 10.5.1.1 */
#define FCW_RESET		0x037f		/* FNINIT's value, SDM 1 sec. 8.1.5 */
#define MXCSR_RESET		0x1f80		/* SDM 1 sec. 10.2.3 */
#define XCR0_RESET		1		/* x87 only, SDM 1 sec. 13.3 */
#define PAGE			4096u

/* The same on every CPU; probed by the first caller (each writes the same values). */
static bool have_xsave;
static uint64_t xsave_mask;	/* every XCR0 component the CPU supports */
static uint32_t area_size;

static void probe(void)
{
	struct cpuid_regs d;

	if (area_size)
		return;
	if (cpuid(0, 0).eax >= 0xd && (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		/* EDX:EAX: the XCR0 bits; ECX: the area size with all of them (SDM 1 13.2). */
		d = cpuid(0xd, 0);
		xsave_mask = ((uint64_t)d.edx << 32) | d.eax;
		have_xsave = true;
		area_size = d.ecx > FXSAVE_SIZE ? d.ecx : FXSAVE_SIZE;
		return;
	}
	area_size = FXSAVE_SIZE;
}

/* XSTATE_BV = 0 (all components in their initial state) with these values: reset. */
static void area_init(uint64_t pa)
{
	*(volatile uint16_t *)(uintptr_t)(pa + AREA_FCW) = FCW_RESET;
	*(volatile uint32_t *)(uintptr_t)(pa + AREA_MXCSR) = MXCSR_RESET;
	*(volatile uint64_t *)(uintptr_t)(pa + AREA_XCR0) = XCR0_RESET;
}

uint64_t fpu_area_alloc(void)
{
	uint64_t pa;

	probe();
	pa = mem_alloc_zeroed_pages((area_size + PAGE - 1) / PAGE, 1);
	if (pa)
		area_init(pa);
	return pa;
}

void fpu_area_reset(uint64_t pa)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)pa;

	for (uint32_t i = 0; i < area_size / 8; i++)
		w[i] = 0;
	area_init(pa);
}

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/*
 * Every supported component, whatever the outgoing guest's XCR0: XCR0 is widened for
 * the save and the load, so that a guest that never ran XSETBV keeps its SSE registers
 * as well as one with AVX-512. XCR0 itself, as found between entries, is switched too:
 * that is the host's value where XSETBV exits (run() loads the guest's around each
 * entry), but QEMU's SVM does not intercept XSETBV, and there it is the guest's own.
 */
static void xsave_switch(uint64_t save, uint64_t load)
{
	uint64_t cur = xgetbv0(), next = *(volatile uint64_t *)(uintptr_t)(load + AREA_XCR0);
	uint32_t lo = (uint32_t)xsave_mask, hi = (uint32_t)(xsave_mask >> 32);

	if (cur != xsave_mask)
		xsetbv0(xsave_mask);
	if (save) {
		__asm__ volatile("xsave64 (%0)" : : "r"(save), "a"(lo), "d"(hi) : "memory");
		*(volatile uint64_t *)(uintptr_t)(save + AREA_XCR0) = cur;
	}
	__asm__ volatile("xrstor64 (%0)" : : "r"(load), "a"(lo), "d"(hi) : "memory");
	if (next != xsave_mask)
		xsetbv0(next);
}

/* Without OSFXSR, FXSAVE/FXRSTOR may skip XMM and MXCSR (SDM 2A FXSAVE): set it meanwhile. */
static void fxsave_switch(uint64_t save, uint64_t load)
{
	uint64_t cr4 = read_cr4();

	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4 | CR4_OSFXSR);
	if (save)
		__asm__ volatile("fxsave64 (%0)" : : "r"(save) : "memory");
	__asm__ volatile("fxrstor64 (%0)" : : "r"(load) : "memory");
	if (!(cr4 & CR4_OSFXSR))
		write_cr4(cr4);
}

void fpu_switch(uint64_t save, uint64_t load)
{
	/* XSAVE needs CR4.OSXSAVE, set on each CPU before its first vCPU (partition.c). */
	if (have_xsave && (read_cr4() & CR4_OSXSAVE))
		xsave_switch(save, load);
	else
		fxsave_switch(save, load);
}
