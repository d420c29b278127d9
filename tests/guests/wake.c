/* SPDX-License-Identifier: MIT */
/* Test guest: wake-ups across CPUs, as "sleeper" and "waker" (two partitions), or "lonely" (halts forever). */
#include "guest-drivers/rt/rt.h"

#include "include/abi/evtchn.h"

#define UPCALL_VECTOR	0x28	/* in the runtime's IDT: RT_IRQ_BASE..+RT_IRQ_COUNT */
#define PORT		EVTCHN_PORT_DYN_FIRST	/* the partition's first (only) channel */
#define SLEEP_MS	50	/* how long the waker lets the sleeper sleep */
#define SPIN_MS		20	/* how long it lets it spin before the second event */
#define TIMEOUT_MS	3000

/*
 * sleeper (cpu 1) halts, IF=1 and no timer, until waker (cpu 0) sends it an event; then
 * it spins with no exits until a second event kicks it (an IPI to its CPU). lonely
 * halts with nothing that could wake it: the scheduler stops it once all else ended.
 */

static struct evtchn_shared *page;
static volatile unsigned int upcalls;
static volatile uint64_t upcall_tsc;

static uint64_t ms(uint64_t n)
{
	return rt_tsc_hz() / 1000 * n;
}

static bool port_take(void)
{
	uint64_t bit = 1ull << (PORT % 64);

	return __atomic_fetch_and(&page->pending[PORT / 64], ~bit, __ATOMIC_SEQ_CST) & bit;
}

static int64_t send(void)
{
	return rt_hypercall(HC_EVTCHN_SEND, PORT, 0, 0, 0, 0);
}

/* Clears upcall_pending first, so that the next event raises the next upcall. */
static void on_upcall(uint8_t vector)
{
	__atomic_store_n(&page->vcpu[0].upcall_pending, 0, __ATOMIC_SEQ_CST);
	if (port_take()) {
		upcall_tsc = rt_rdtsc();
		upcalls++;
	}
}

/* Busy-waits, interrupts off, for the port (the waker takes no upcalls). */
static bool poll_port(void)
{
	uint64_t end = rt_rdtsc() + ms(TIMEOUT_MS);

	while (!port_take())
		if (rt_rdtsc() > end)
			return false;
	return true;
}

static int waker(void)
{
	rt_report(poll_port(), "waker: sleeper is about to halt");
	rt_delay_us(SLEEP_MS * 1000);
	rt_report(send() == 0, "waker: first event sent");
	rt_report(poll_port(), "waker: sleeper is spinning");
	rt_delay_us(SPIN_MS * 1000);
	rt_report(send() == 0, "waker: second event sent");
	return (int)rt_summary();
}

static int sleeper(void)
{
	uint64_t t0, t1, end;

	/* The waker's channel end opened after ours: that notification is not an event. */
	port_take();
	__atomic_store_n(&page->vcpu[0].upcall_pending, 0, __ATOMIC_SEQ_CST);
	rt_set_irq_handler(UPCALL_VECTOR, on_upcall);
	rt_report(rt_hypercall(HC_EVTCHN_UPCALL, UPCALL_VECTOR, 0, 0, 0, 0) == 0,
		  "sleeper: upcall vector set");
	rt_report(send() == 0, "sleeper: told the waker it halts");
	/* HLT with IF=1 and no timer: only the waker's event can end it. */
	t0 = rt_rdtsc();
	rt_sti_hlt();
	t1 = rt_rdtsc();
	rt_report(upcalls == 1 && t1 - t0 >= ms(SLEEP_MS / 2),
		  "sleeper: woken from HLT by an event from another CPU after %lu ms (%u upcall)",
		  (t1 - t0) / ms(1), upcalls);
	/* A loop with no exits: only a kick IPI to this CPU can bring the event in. */
	rt_report(send() == 0, "sleeper: told the waker it spins");
	t0 = rt_rdtsc();
	end = t0 + ms(TIMEOUT_MS);
	while (upcalls < 2 && rt_rdtsc() < end)
		rt_pause();
	rt_report(upcalls == 2, "sleeper: kicked out of a loop with no exits after %lu ms "
		  "(%u upcalls)", (upcall_tsc - t0) / ms(1), upcalls);
	rt_cli();
	return (int)rt_summary();
}

int rt_main(void)
{
	page = (struct evtchn_shared *)(uintptr_t)rt_cpuid(HV_CPUID_VERSION, 0).ecx;
	if (rt_str_eq(rt_boot.cmdline, "lonely")) {
		rt_printf("lonely: halting with no timer and no one to wake me\n");
		rt_sti_hlt();
		rt_printf("FAIL lonely: woken\n");
		return 1;
	}
	if (!page) {
		rt_printf("FAIL no event page: not a partition from a manifest\n");
		return 1;
	}
	if (rt_str_eq(rt_boot.cmdline, "waker"))
		return waker();
	return sleeper();
}
