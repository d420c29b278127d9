/* SPDX-License-Identifier: MIT */
/* Test guest: a child for the life-cycle tests; the service-only hypercalls say -HV_EPERM to it, then it waits to be stopped, or exits. */
#include "guest-drivers/rt/rt.h"

#define WAIT_S		30	/* nobody stopped it in this long: a failure */

/*
 * cmdline: exit=N (exit with status N after the checks, every run), runs=N (exit 0
 * after the checks from run N on, counting from 0; before that, wait to be stopped:
 * spinning with no exits on even runs, halted in HLT on odd ones, having said so in
 * the first word of its channel's data region: run + 1).
 */

/* A service-only call from a child: refused, whatever the argument. */
static void expect_eperm(const char *name, uint64_t nr, uint64_t a0, uint64_t a1)
{
	int64_t r = rt_hypercall(nr, a0, a1, 0, 0, 0);

	rt_report(r == -HV_EPERM, "%s(%lu) from a child -> %ld (want -HV_EPERM)", name, a0, r);
}

static void service_only_checks(uint32_t self)
{
	static struct hv_part_status list[8];

	expect_eperm("HC_PART_LIST", HC_PART_LIST, (uintptr_t)list, 8);
	expect_eperm("HC_PART_STOP", HC_PART_STOP, 0, 0);
	expect_eperm("HC_PART_STOP", HC_PART_STOP, self, 0);
	expect_eperm("HC_PART_START", HC_PART_START, self, 0);
	expect_eperm("HC_PART_RESTART", HC_PART_RESTART, 0, 0);
}

/* Tells the service partition (first word of the channel's data region) that run is waiting. */
static void say_waiting(uint32_t run)
{
	const struct hv_start_channel *c = rt_channel(0);

	if (c)
		__atomic_store_n((volatile uint32_t *)rt_channel_data(c), run + 1, __ATOMIC_RELEASE);
}

/* Until the service partition stops it; it never returns from here if all goes well. */
static void wait_to_be_stopped(uint32_t run, bool spin)
{
	uint64_t hz = rt_tsc_hz(), end = rt_rdtsc() + WAIT_S * hz;

	rt_printf("lifechild: waiting to be stopped (%s)\n", spin ? "spinning" : "halted");
	rt_flush();
	/*
	 * IF=1 while spinning: Bochs (VMX and SVM alike) takes no exit for a host interrupt
	 * while the guest runs with IF=0, so the kick IPI would never get it out there.
	 */
	rt_sti();
	say_waiting(run);
	while (rt_rdtsc() < end) {
		if (spin)
			rt_pause();
		else
			(void)rt_wait_event_until(end);
	}
	rt_printf("FAIL nobody stopped lifechild in %u s\n", WAIT_S);
}

int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint64_t exit_status, runs = 0;
	uint32_t run;

	if (!si) {
		rt_printf("lifechild: no start info: not started from a manifest\n");
		return 2;
	}
	run = si->restarts;
	rt_printf("lifechild: %s run %u\n", si->name, run);
	service_only_checks(si->partition_id);
	if (rt_summary())
		return 1;
	if (rt_cmdline_u64("exit", &exit_status))
		return (int)exit_status;
	(void)rt_cmdline_u64("runs", &runs);
	if (run >= runs)
		return 0;
	wait_to_be_stopped(run, run % 2 == 0);
	return 1;
}
