/* SPDX-License-Identifier: MIT */
/* The partition runtime's event channels and waiting: upcall handler, bind, send, sleep until woken. */
#include "guest-drivers/rt/rt.h"

#include "guest-drivers/rt/evtchn_guest.h"

/* One vCPU: the runtime has one stack and one trap path, so everything is vCPU 0's. */
#define RT_VCPU		0

static struct evtchn_guest evg;
static bool evtchn_ready;

/* Set by rt_wake (handlers, interrupts off), taken by rt_wait_event (interrupts off). */
static volatile bool woken;

/* The timer rt_wait_event_until armed: its deadline, 0 once it fired or none is armed. */
static volatile uint64_t timer_armed;

static int64_t unmask_hc(void *ctx, uint32_t port)
{
	return rt_hypercall(HC_EVTCHN_UNMASK, port, 0, 0, 0, 0);
}

/* Any upcall wakes the waiter: its handlers have run, or the ring it sleeps on moved. */
static void on_upcall(uint8_t vector)
{
	(void)evtchn_guest_poll(&evg, RT_VCPU);
	rt_wake();
}

static void on_wake_timer(uint8_t vector)
{
	timer_armed = 0;
	rt_wake();
}

/* The event page: the start info's, else CPUID 0x40000001 ECX's (0: none). */
static uint64_t event_page_gpa(void)
{
	const struct hv_start_info *si = rt_start_info();
	struct rt_cpuid base = rt_cpuid(HV_CPUID_BASE, 0);

	if (si)
		return si->evtchn_page_gpa;
	if (base.ebx != HV_SIGNATURE_EBX || base.eax < HV_CPUID_VERSION)
		return 0;
	return rt_cpuid(HV_CPUID_VERSION, 0).ecx;
}

int rt_evtchn_init(void)
{
	uint64_t gpa;
	int64_t r;

	if (evtchn_ready)
		return 0;
	gpa = event_page_gpa();
	if (!gpa || gpa % EVTCHN_PAGE_SIZE || gpa >= RT_MAP_SIZE)
		return -HV_ENOENT;
	evtchn_guest_init(&evg, (struct evtchn_shared *)(uintptr_t)gpa, unmask_hc, 0);
	rt_set_irq_handler(RT_VEC_EVTCHN, on_upcall);
	r = rt_hypercall(HC_EVTCHN_UPCALL, RT_VEC_EVTCHN, 0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	evtchn_ready = true;
	return 0;
}

/* The handler table is read by the upcall: change it with interrupts off. */
int rt_evtchn_bind(uint32_t port, rt_event_fn fn, void *arg)
{
	uint64_t flags;
	int r = rt_evtchn_init();

	if (r)
		return r;
	flags = rt_save_flags();
	rt_cli();
	r = evtchn_guest_bind(&evg, port, fn, arg);
	if (flags & RT_RFLAGS_IF)
		rt_sti();
	return r;
}

int64_t rt_evtchn_send(uint32_t port)
{
	return rt_hypercall(HC_EVTCHN_SEND, port, 0, 0, 0, 0);
}

int64_t rt_evtchn_status(uint32_t port)
{
	return rt_hypercall(HC_EVTCHN_STATUS, port, 0, 0, 0, 0);
}

uint64_t rt_evtchn_unhandled(void)
{
	return evtchn_ready ? evg.unhandled : 0;
}

void rt_wake(void)
{
	woken = true;
}

/*
 * Interrupts off. Scanning the page here as well as in the upcall means an upcall the
 * hypervisor dropped (or one still waiting for STI) loses nothing: upcall_pending stays
 * set until someone scans, and this scan finds it.
 */
static bool wake_due(void)
{
	if (evtchn_ready && evtchn_guest_poll(&evg, RT_VCPU))
		woken = true;
	return woken;
}

void rt_wait_event(void)
{
	uint64_t flags = rt_save_flags();

	rt_cli();
	while (!wake_due()) {
		rt_sti_hlt();	/* the STI shadow covers HLT: no interrupt slips in between */
		rt_cli();
	}
	woken = false;
	if (flags & RT_RFLAGS_IF)
		rt_sti();
}

bool rt_wait_event_until(uint64_t tsc_deadline)
{
	if (rt_rdtsc() >= tsc_deadline)
		return true;
	/* One deadline per vCPU: re-arming only when it changes saves a hypercall per wait. */
	if (timer_armed != tsc_deadline) {
		rt_set_irq_handler(RT_VEC_WAKE_TIMER, on_wake_timer);
		timer_armed = tsc_deadline;
		if (rt_timer_oneshot(tsc_deadline, RT_VEC_WAKE_TIMER) < 0) {
			timer_armed = 0;
			return true;	/* no timer: never sleep past the deadline */
		}
	}
	rt_wait_event();
	return rt_rdtsc() >= tsc_deadline;
}
