/* SPDX-License-Identifier: MIT */
/* Times a bare CPUID in the hypervisor itself, the baseline for the exit round trips. */
#include "vmm/bench.h"

#include "arch/x86/cpu.h"
#include "vmm/log.h"

#define SAMPLES 64

static uint64_t median(uint64_t *a)
{
	for (unsigned int i = 1; i < SAMPLES; i++)
		for (unsigned int j = i; j > 0 && a[j - 1] > a[j]; j--) {
			uint64_t t = a[j];

			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	return a[SAMPLES / 2];
}

static uint64_t measure(int with_cpuid)
{
	static uint64_t s[SAMPLES];

	for (unsigned int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();

		if (with_cpuid)
			cpuid(0, 0);
		s[i] = rdtsc() - t0;
	}
	return median(s);
}

void bench_host(void)
{
	uint64_t empty = measure(0);
	uint64_t bare = measure(1);

	pr_info("bench: host rdtsc_ticks=%llu cpuid_ticks=%llu samples=%u",
		(unsigned long long)empty, (unsigned long long)bare, SAMPLES);
}
