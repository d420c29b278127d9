/* SPDX-License-Identifier: MIT */
/* Test guest: the service partition of the life-cycle tests; stops, starts and restarts children, and checks every error. */
#include "guest-drivers/rt/rt.h"

#define LIST_MAX	8u
#define TIMEOUT_S	20u
#define RESTART_CAP	8u	/* vmm/lifecycle.c */

static struct hv_part_status parts[LIST_MAX];
static uint32_t nparts, self;

/* HC_PART_LIST into parts[]; false (and a FAIL) on an error. */
static bool list(void)
{
	int64_t n = rt_hypercall(HC_PART_LIST, (uintptr_t)parts, LIST_MAX, 0, 0, 0);

	if (n < 0 || n > LIST_MAX)
		return rt_report(false, "HC_PART_LIST -> %ld", n);
	nparts = (uint32_t)n;
	return true;
}

static uint32_t find(const char *name)
{
	for (uint32_t i = 0; i < nparts; i++)
		if (rt_str_eq(parts[i].name, name))
			return i;
	return LIST_MAX;
}

static int64_t call(uint64_t nr, uint64_t id)
{
	return rt_hypercall(nr, id, 0, 0, 0, 0);
}

static void expect_call(const char *name, uint64_t nr, uint64_t id, int64_t want)
{
	int64_t r = call(nr, id);

	rt_report(r == want, "%s(%lu) -> %ld (want %ld)", name, id, r, want);
}

/* Polls HC_PART_LIST every millisecond (sleeping between: a vCPU that only makes
 * hypercalls is not preempted on Bochs) until id is in state with at least `restarts`. */
static bool poll_for(uint32_t id, uint32_t state, uint32_t restarts)
{
	uint64_t hz = rt_tsc_hz(), end = rt_rdtsc() + TIMEOUT_S * hz;

	while (list() && rt_rdtsc() < end) {
		if (parts[id].state == state && parts[id].restarts >= restarts)
			return true;
		(void)rt_wait_event_until(rt_rdtsc() + hz / 1000);
	}
	return false;
}

/* Until child says (the word at the start of the shared channel's data) run is waiting. */
static bool child_waiting(uint32_t run)
{
	const struct hv_start_channel *c = rt_channel(0);
	const volatile uint32_t *word = c ? rt_channel_data(c) : 0;
	uint64_t hz = rt_tsc_hz(), end = rt_rdtsc() + TIMEOUT_S * hz;

	while (word && rt_rdtsc() < end) {
		if (__atomic_load_n(word, __ATOMIC_ACQUIRE) == run + 1)
			return rt_report(true, "child run %u is waiting to be stopped", run);
		(void)rt_wait_event_until(rt_rdtsc() + hz / 1000);
	}
	return rt_report(false, "child run %u never said it was waiting", run);
}

/* poll_for, reported. */
static bool wait_for(uint32_t id, uint32_t state, uint32_t restarts)
{
	if (poll_for(id, state, restarts))
		return rt_report(true, "partition %u '%s': state %u restarts %u", id,
				 parts[id].name, state, parts[id].restarts);
	return rt_report(false, "partition %u: state %u restarts %u, want state %u restarts %u",
			 id, parts[id].state, parts[id].restarts, state, restarts);
}

static void bad_arguments(void)
{
	expect_call("HC_PART_STOP", HC_PART_STOP, self, -HV_EINVAL);
	expect_call("HC_PART_START", HC_PART_START, self, -HV_EINVAL);
	expect_call("HC_PART_RESTART", HC_PART_RESTART, self, -HV_EINVAL);
	expect_call("HC_PART_STOP", HC_PART_STOP, nparts, -HV_EINVAL);
	expect_call("HC_PART_START", HC_PART_START, (1ull << 32) + 1, -HV_EINVAL);
}

/*
 * loop exits at once and its policy (always) restarts it after a delay (50 ms, then
 * more): meanwhile a change is under way, and the service's calls wait. A poll that
 * sees it exited just as the delay ends finds it running again: wait for the next one.
 */
static void busy(uint32_t loop)
{
	int64_t r = -HV_EEXIST;

	for (uint32_t i = 0; i < RESTART_CAP && r == -HV_EEXIST; i++) {
		if (!poll_for(loop, HV_PART_EXITED, i))
			break;
		r = call(HC_PART_START, loop);
	}
	if (!rt_report(r == -HV_EBUSY, "HC_PART_START(%u) during loop's restart delay -> %ld "
		       "(want %d)", loop, r, -HV_EBUSY))
		return;
	expect_call("HC_PART_STOP", HC_PART_STOP, loop, -HV_EBUSY);
	expect_call("HC_PART_RESTART", HC_PART_RESTART, loop, -HV_EBUSY);
}

/* child: stopped while it spins, started, restarted while halted, started once exited. */
static void stop_start_restart(uint32_t child)
{
	expect_call("HC_PART_START", HC_PART_START, child, -HV_EEXIST);
	if (!child_waiting(0))
		return;
	expect_call("HC_PART_STOP", HC_PART_STOP, child, 0);
	if (!wait_for(child, HV_PART_STOPPED, 0))
		return;
	expect_call("HC_PART_STOP", HC_PART_STOP, child, -HV_EEXIST);
	expect_call("HC_PART_START", HC_PART_START, child, 0);
	if (!wait_for(child, HV_PART_RUNNING, 1) || !child_waiting(1))
		return;
	expect_call("HC_PART_RESTART", HC_PART_RESTART, child, 0);
	if (!wait_for(child, HV_PART_EXITED, 2))
		return;
	rt_report(parts[child].exit_status == 0, "run 2 exited status=%d", parts[child].exit_status);
	expect_call("HC_PART_STOP", HC_PART_STOP, child, -HV_EEXIST);
	expect_call("HC_PART_START", HC_PART_START, child, 0);
	(void)wait_for(child, HV_PART_EXITED, 3);
}

int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint32_t child, loop;

	if (!si || !list())
		return 2;
	self = si->partition_id;
	child = find("child");
	loop = find("loop");
	if (!rt_report(child < nparts && loop < nparts, "HC_PART_LIST: %u partitions, child %u, "
		       "loop %u", nparts, child, loop))
		return rt_summary() ? 1 : 0;
	bad_arguments();
	busy(loop);
	stop_start_restart(child);
	/* loop's policy gives up after RESTART_CAP restarts: it stays exited. */
	(void)wait_for(loop, HV_PART_EXITED, RESTART_CAP);
	return rt_summary() ? 1 : 0;
}
