/* SPDX-License-Identifier: MIT */
/* Test guest: timed ticks for half a second, so that two guests on two CPUs can be seen to run at once. */
#include "guest-drivers/rt/rt.h"

#define TICKS		20
#define TICK_MS		25

int rt_main(void)
{
	uint64_t hz = rt_tsc_hz(), start, step;

	if (!hz) {
		rt_printf("FAIL HC_TSC_HZ gave no frequency\n");
		return 1;
	}
	step = hz / 1000 * TICK_MS;
	rt_printf("spin: %s, %u ticks %u ms apart, tsc_hz=%lu\n", rt_boot.cmdline, TICKS,
		  TICK_MS, hz);
	start = rt_rdtsc();
	for (unsigned int k = 1; k <= TICKS; k++) {
		while (rt_rdtsc() < start + k * step)
			rt_pause();
		rt_printf("tick %u tsc=%lu\n", k, rt_rdtsc());
	}
	rt_printf("spin: done\n");
	return 0;
}
