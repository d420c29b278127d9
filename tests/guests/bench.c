/* SPDX-License-Identifier: MIT */
/* Benchmark guest: round-trip cost of a CPUID exit and of a null hypercall, in TSC ticks. */
#include "guest-drivers/rt/rt.h"

#define SAMPLES 64

static uint64_t samples[SAMPLES];

static void sort(uint64_t *a, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint64_t t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

enum what { EMPTY, CPUID, HYPERCALL };

/* Median of SAMPLES timed runs of one operation, rdtsc to rdtsc. */
static uint64_t measure(enum what w)
{
	for (unsigned int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rt_rdtsc();

		if (w == CPUID)
			rt_cpuid(0, 0);
		else if (w == HYPERCALL)
			rt_hypercall(HC_VERSION, 0, 0, 0, 0, 0);
		samples[i] = rt_rdtsc() - t0;
	}
	sort(samples, SAMPLES);
	return samples[SAMPLES / 2];
}

int rt_main(void)
{
	uint64_t empty, cpuid, hc;

	measure(CPUID);		/* warm up */
	empty = measure(EMPTY);
	cpuid = measure(CPUID);
	hc = measure(HYPERCALL);
	rt_printf("bench: guest rdtsc_ticks=%llu cpuid_exit_ticks=%llu hypercall_ticks=%llu "
		  "samples=%u", (unsigned long long)empty, (unsigned long long)cpuid,
		  (unsigned long long)hc, SAMPLES);
	return 0;
}
