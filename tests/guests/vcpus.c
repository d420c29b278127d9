/* SPDX-License-Identifier: MIT */
/* Test guest: a partition with several vCPUs on their own CPUs, and the timer as an event port. */
#include "guest-drivers/rt/rt.h"

#include "include/abi/evtchn.h"
#include "vmm/format.h"

/*
 * vCPU 0 brings up every other vCPU with HC_VCPU_UP (after checking its errors); each
 * checks that it is itself (CPUID's initial APIC ID, the magic, its index), makes
 * WORK_EXITS exits and checks in. cmdline: crash=N makes vCPU N read past the end of
 * the partition's memory once it has checked in (the whole partition must stop, vCPU 0
 * included, which spins meanwhile); on a restart (start info restarts > 0) it runs
 * without the crash and exits 0.
 */
#define MAX_VCPUS	8
#define WORK_EXITS	2000
#define WAIT_S		20
#define STACK_SIZE	8192

static uint8_t stacks[MAX_VCPUS][STACK_SIZE] __attribute__((aligned(16)));
static struct rt_vcpu_boot boots[MAX_VCPUS];
static volatile uint32_t checked_in, expected, bad, cpuid_ok;
static volatile uint64_t crash_vcpu = ~0ull, mem_size;

/* A vCPU's own console line: the runtime's buffers are vCPU 0's. */
static void ap_say(uint32_t index, const char *what)
{
	char line[96];
	int n = hv_snprintf(line, sizeof(line), "vcpus: vcpu %u %s\n", index, what);

	(void)rt_console_write(line, (uint64_t)n);
}

static void ap_main(uint32_t index, void *arg)
{
	struct rt_cpuid r = rt_cpuid(1, 0);

	if (r.ebx >> 24 == index && arg == &boots[index])
		__atomic_fetch_add(&cpuid_ok, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_add(&bad, 1, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < WORK_EXITS; i++)
		(void)rt_cpuid(0, 0);
	ap_say(index, "checked in");
	__atomic_fetch_add(&checked_in, 1, __ATOMIC_SEQ_CST);
	if (index == crash_vcpu) {
		/* Once every vCPU has checked in, so that the log always shows them all. */
		while (__atomic_load_n(&checked_in, __ATOMIC_SEQ_CST) < expected)
			rt_pause();
		ap_say(index, "reading past the end of memory");
		(void)*(volatile uint64_t *)(uintptr_t)(mem_size + 0x1000);
		ap_say(index, "read past the end of memory and survived");
	}
}

static void check_up_errors(uint32_t n)
{
	int64_t r = rt_vcpu_up(0, &boots[1]);

	rt_report(r == -HV_EINVAL, "HC_VCPU_UP(0) -> %ld (want -HV_EINVAL)", r);
	r = rt_vcpu_up(n, &boots[1]);
	rt_report(r == -HV_EINVAL, "HC_VCPU_UP(%u = nvcpus) -> %ld (want -HV_EINVAL)", n, r);
	r = rt_hypercall(HC_VCPU_UP, 1, mem_size, 0, 0, 0);
	rt_report(r == -HV_EINVAL, "HC_VCPU_UP(1, rip past memory) -> %ld (want -HV_EINVAL)", r);
	r = rt_hypercall(HC_VCPU_UP, 1, 0x100000, 1ull << 32, 0, 0);
	rt_report(r == -HV_EINVAL, "HC_VCPU_UP(1, arg >= 2^32) -> %ld (want -HV_EINVAL)", r);
}

static uint32_t bring_up(uint32_t n)
{
	uint32_t up = 0;

	expected = n - 1;

	for (uint32_t i = 1; i < n; i++) {
		boots[i] = (struct rt_vcpu_boot){ .stack = (uintptr_t)&stacks[i][STACK_SIZE],
						  .fn = ap_main, .arg = &boots[i] };
		up += rt_vcpu_up(i, &boots[i]) == 0;
	}
	rt_report(up == n - 1, "HC_VCPU_UP of vcpus 1..%u: %u started", n - 1, up);
	if (n > 1) {
		int64_t r = rt_vcpu_up(1, &boots[1]);

		rt_report(r == -HV_EEXIST, "HC_VCPU_UP(1) again -> %ld (want -HV_EEXIST)", r);
	}
	return up;
}

/* Every started vCPU checked in before the deadline. */
static bool wait_checked_in(uint32_t want)
{
	uint64_t end = rt_rdtsc() + WAIT_S * rt_tsc_hz();

	while (__atomic_load_n(&checked_in, __ATOMIC_SEQ_CST) < want && rt_rdtsc() < end)
		rt_pause();
	return checked_in >= want;
}

static volatile uint32_t timer_events;

static void on_timer(void *arg, uint32_t port)
{
	timer_events++;
	rt_wake();
}

/* HC_TIMER_ONESHOT with vector 0: the deadline raises port EVTCHN_PORT_TIMER(0). */
static void check_timer_event(void)
{
	uint64_t hz = rt_tsc_hz(), end;
	int64_t st, r;

	if (rt_evtchn_bind(EVTCHN_PORT_TIMER(0), on_timer, 0)) {
		rt_report(false, "timer event port bound");
		return;
	}
	st = rt_evtchn_status(EVTCHN_PORT_TIMER(0));
	rt_report(st >= 0 && EVTCHN_STATUS_STATE(st) == EVTCHN_STATE_VIRQ,
		  "timer port %u is a hypervisor source (status 0x%lx)", EVTCHN_PORT_TIMER(0), st);
	r = rt_timer_oneshot(rt_rdtsc() + hz / 1000, 0);
	end = rt_rdtsc() + 5 * hz;
	rt_sti();
	while (!timer_events && rt_rdtsc() < end)
		rt_wait_event();
	rt_cli();
	rt_report(r == 0 && timer_events == 1, "one-shot timer as an event: %u event(s) (call %ld)",
		  timer_events, r);
	r = rt_evtchn_send(EVTCHN_PORT_TIMER(0));
	rt_report(r == -HV_EPERM, "sending on the timer port -> %ld (want -HV_EPERM)", r);
}

int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint64_t crash = ~0ull;
	uint32_t n, up;
	bool ok;

	if (!si) {
		rt_report(false, "start info present");
		return 1;
	}
	n = si->nvcpus < MAX_VCPUS ? si->nvcpus : MAX_VCPUS;
	mem_size = si->mem_size;
	if (si->restarts == 0 && rt_cmdline_u64("crash", &crash))
		crash_vcpu = crash;
	rt_printf("vcpus: %u vCPUs, run %u\n", n, si->restarts);
	rt_report(n >= 2, "the manifest gave %u vCPUs (want at least 2)", n);
	check_up_errors(n);
	up = bring_up(n);
	ok = wait_checked_in(up);
	rt_report(ok, "%u of %u vCPUs checked in", checked_in, up);
	rt_report(cpuid_ok == up && !bad, "each vCPU saw its own APIC ID (%u ok, %u wrong)",
		  cpuid_ok, bad);
	if (crash_vcpu != ~0ull) {
		rt_printf("vcpus: vcpu 0 spinning until the partition is stopped\n");
		rt_flush();
		rt_sti();	/* Bochs takes no exit for a host interrupt while IF=0 */
		for (uint64_t end = rt_rdtsc() + WAIT_S * rt_tsc_hz(); rt_rdtsc() < end;)
			rt_pause();
		rt_printf("vcpus: vcpu 0 was never stopped\n");
		return 1;
	}
	check_timer_event();
	return rt_summary() ? 1 : 0;
}
