/* SPDX-License-Identifier: MIT */
/* Test guest: several of these on one CPU take turns (time slices), each keeping its own SSE/AVX registers and SYSCALL MSRs. */
#include "guest-drivers/rt/rt.h"

#define TICKS			20
#define TICK_MS			25
#define GAP_MS			5	/* a TSC jump this long: another vCPU had the CPU */
#define NREGS			16
#define CR4_OSFXSR		(1u << 9)	/* SDM 3A sec. 2.5 */
#define CR4_OSXMMEXCPT		(1u << 10)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_AVX		(1u << 28)
#define XCR0_X87_SSE_AVX	7u

/* Register i's pattern in want[i]: 32 bytes for YMM, the first 16 for XMM. */
static uint8_t want[NREGS][32] __attribute__((aligned(32)));
static uint8_t got[NREGS][32] __attribute__((aligned(32)));
static bool avx;

/*
 * MSRs a guest writes without an exit whose values neither the VMCS nor the VMCB entry
 * loads (VMX switches them with the VMCS, SVM with VMLOAD/VMSAVE): STAR, LSTAR, CSTAR,
 * SFMASK, KERNEL_GS_BASE (SDM 4 table 2-2). Patterns stay canonical and in the bits
 * each MSR has.
 */
static const uint32_t msrs[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102 };
#define NMSRS	(sizeof(msrs) / sizeof(msrs[0]))
static uint64_t msr_want[NMSRS];

/* SSE always; AVX when the CPU has it, through XSETBV (an exit the hypervisor checks). */
static void enable_vector_regs(void)
{
	struct rt_cpuid c = rt_cpuid(1, 0);

	rt_write_cr4(rt_read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	if ((c.ecx & CPUID_1_ECX_XSAVE) && (c.ecx & CPUID_1_ECX_AVX)) {
		rt_write_cr4(rt_read_cr4() | RT_CR4_OSXSAVE);
		rt_xsetbv(0, XCR0_X87_SSE_AVX);
		avx = true;
	}
}

/* The compiler never uses these registers here (-mgeneral-regs-only): only this code. */
static void load_regs(void)
{
	if (avx)
		__asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
				 "vmovdqu \\i*32(%0), %%ymm\\i\n\t.endr" : : "r"(want) : "memory");
	else
		__asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
				 "movdqu \\i*32(%0), %%xmm\\i\n\t.endr" : : "r"(want) : "memory");
}

static void store_regs(void)
{
	if (avx)
		__asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
				 "vmovdqu %%ymm\\i, \\i*32(%0)\n\t.endr" : : "r"(got) : "memory");
	else
		__asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
				 "movdqu %%xmm\\i, \\i*32(%0)\n\t.endr" : : "r"(got) : "memory");
}

static void load_msrs(void)
{
	for (unsigned int i = 0; i < NMSRS; i++)
		rt_wrmsr(msrs[i], msr_want[i]);
}

/* The first MSR whose value changed, or -1. */
static int msrs_changed(void)
{
	for (unsigned int i = 0; i < NMSRS; i++)
		if (rt_rdmsr(msrs[i]) != msr_want[i])
			return (int)i;
	return -1;
}

/* The first register whose contents changed, or -1. */
static int regs_changed(void)
{
	unsigned int len = avx ? 32 : 16;

	store_regs();
	for (int i = 0; i < NREGS; i++)
		for (unsigned int j = 0; j < len; j++)
			if (got[i][j] != want[i][j])
				return i;
	return -1;
}

/* Different in every register, every byte and every guest (seeded by its name). */
static void make_pattern(void)
{
	uint32_t seed = 2166136261u;

	for (const char *s = rt_boot.cmdline; *s; s++)
		seed = (seed ^ (uint8_t)*s) * 16777619u;
	for (int i = 0; i < NREGS; i++)
		for (int j = 0; j < 32; j++) {
			seed = seed * 1103515245u + 12345u;
			want[i][j] = (uint8_t)(seed >> 16);
		}
	for (unsigned int i = 0; i < NMSRS; i++) {
		seed = seed * 1103515245u + 12345u;
		/* STAR and SFMASK: low 32 bits; the others: a canonical lower-half address. */
		msr_want[i] = i == 0 || i == 3 ? seed : (uint64_t)seed << 12;
	}
}

int rt_main(void)
{
	uint64_t hz = rt_tsc_hz(), start, step, gap, last, now;
	unsigned int gaps = 0;
	int bad = -1, bad_msr = -1;

	if (!hz) {
		rt_printf("FAIL HC_TSC_HZ gave no frequency\n");
		return 1;
	}
	step = hz / 1000 * TICK_MS;
	gap = hz / 1000 * GAP_MS;
	enable_vector_regs();
	make_pattern();
	load_regs();
	load_msrs();
	rt_printf("share: %s, %u ticks %u ms apart, %s registers\n", rt_boot.cmdline, TICKS,
		  TICK_MS, avx ? "YMM" : "XMM");
	/*
	 * IF=1, though no interrupt ever comes: Bochs 2.7 lets a host interrupt exit a guest
	 * running with IF=0 only at its next exit (QEMU and hardware at once), so a guest
	 * spinning with IF=0 would not see its time slice end there.
	 */
	rt_sti();
	start = last = rt_rdtsc();
	for (unsigned int k = 1; k <= TICKS && bad < 0 && bad_msr < 0; k++) {
		do {	/* at least one look per tick, even when it is already late */
			now = rt_rdtsc();
			gaps += now - last > gap;
			last = now;
			rt_pause();
		} while (now < start + k * step);
		bad = regs_changed();
		bad_msr = msrs_changed();
		rt_printf("tick %u tsc=%lu\n", k, now);	/* a gap here counts too */
	}
	rt_report(bad < 0, "%s registers intact across %u ticks (first changed: %d)",
		  avx ? "YMM" : "XMM", TICKS, bad);
	rt_report(bad_msr < 0, "SYSCALL MSRs intact across %u ticks (first changed: %d)", TICKS,
		  bad_msr);
	rt_printf("share: descheduled %u times\n", gaps);
	return (int)rt_summary();
}
