/* SPDX-License-Identifier: MIT */
/* Per-CPU scheduling of pinned vCPUs: time slices on the LAPIC timer, HLT blocking, wake-ups and kicks. */
#include "vmm/sched.h"

#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "arch/x86/tsc.h"
#include "include/abi/hv_errno.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/sched_queue.h"

#define SLICES_PER_SECOND	100	/* 10 ms of TSC per turn when vCPUs share a CPU */

/*
 * Per CPU; only that CPU writes it once it runs, except that other CPUs read current
 * (to decide on a kick) and change the states of its vCPUs (wake-ups).
 */
struct sched_cpu {
	struct sched_queue q;
	struct vcpu *current;	/* the vCPU in the guest or in its exit handling, or NULL */
	struct vcpu *fpu_owner;	/* whose x87/SSE/AVX registers this CPU holds */
	uint64_t slice_end;	/* TSC: the current vCPU's turn ends (if another waits) */
	uint64_t timer_at;	/* TSC the LAPIC timer is armed for; 0: not armed */
	bool work;		/* sched_poke: call the work hook between turns (any CPU sets) */
	uint64_t work_at;	/* TSC: set work then (sched_poke_at, this CPU only); 0: none */
	bool hosts;		/* some vCPU is pinned here, queued or not yet (sched_host) */
};

static struct sched_cpu sched_cpus[MAX_CPUS];

/*
 * sched_lock protects the HALTED -> RUNNABLE / STOPPED transitions, v->sched_asleep,
 * count and stuck. It is taken on HLT, on a wake-up of a halted vCPU and when a vCPU
 * stops: never on the exit fast path.
 */
static struct spinlock sched_lock;
static struct sched_count count;
static bool stuck;	/* every live vCPU asleep: each CPU stops its own */

static struct sched_cpu *this_sched(void)
{
	return &sched_cpus[this_cpu()->index];
}

int sched_add(struct vcpu *v)
{
	struct sched_cpu *c = &sched_cpus[v->cpu];
	uint64_t flags;
	int ret;

	if (!v->fpu_area && !(v->fpu_area = fpu_area_alloc()))
		return -HV_ENOMEM;
	flags = spin_lock_irqsave(&sched_lock);
	ret = sched_queue_add(&c->q, v);
	if (!ret && v->state != VCPU_STOPPED)
		sched_count_add(&count);	/* a vCPU not up yet counts from sched_restart */
	spin_unlock_irqrestore(&sched_lock, flags);
	return ret;
}

static void kick(unsigned int cpu)
{
	if (lapic_send_ipi(percpu_area[cpu].apic_id, VEC_KICK))
		pr_warn("sched: kick IPI to cpu %u not delivered", cpu);
}

/*
 * The flag is set before the IPI or the attn bit, and the CPU takes it (exchange) before
 * it calls the hook, so a poke during the hook makes it run again: none is lost.
 */
void sched_poke(unsigned int cpu)
{
	struct sched_cpu *c = &sched_cpus[cpu];
	struct vcpu *cur;

	__atomic_store_n(&c->work, true, __ATOMIC_SEQ_CST);
	if (cpu != this_cpu()->index) {
		kick(cpu);
		return;
	}
	/* Here, in some vCPU's exit handling: its next entry looks at the flag. */
	cur = __atomic_load_n(&c->current, __ATOMIC_SEQ_CST);
	if (cur)
		__atomic_fetch_or(&cur->attn, VCPU_ATTN_SCHED, __ATOMIC_SEQ_CST);
}

void sched_poke_at(uint64_t tsc)
{
	struct sched_cpu *c = this_sched();

	if (!c->work_at || tsc < c->work_at)
		c->work_at = tsc ? tsc : 1;
	c->timer_at = 0;	/* rearm() before the next entry or HLT covers it */
}

void sched_wake_all(void)
{
	for (unsigned int cpu = 0; cpu < cpu_count; cpu++)
		if (cpu != this_cpu()->index && sched_cpus[cpu].hosts)
			kick(cpu);
}

void sched_host(unsigned int cpu)
{
	sched_cpus[cpu].hosts = true;
}

/* ---- the LAPIC timer: the earliest vCPU deadline of this CPU, or the slice end ---- */

static void rearm(struct sched_cpu *c, const struct vcpu *cur, uint64_t now)
{
	bool contended = cur && sched_queue_contended(&c->q, cur);
	uint64_t deadline = sched_queue_next_deadline(&c->q, now);
	uint64_t at;

	if (c->work_at && (!deadline || c->work_at < deadline))
		deadline = c->work_at;
	at = sched_next_event(deadline, c->slice_end, contended);

	if (at == c->timer_at)
		return;
	c->timer_at = at;
	if (at)
		lapic_timer_oneshot(at > now ? at - now : 0);
	else
		lapic_timer_stop();
}

static bool wake_halted(struct vcpu *v);

/*
 * A one-shot timer that has passed stays armed, as a pending interrupt that v takes
 * when it can (vcpu.c): until then HC_TIMER_ONESHOT may still re-arm or cancel it. A v
 * halted in HLT wakes up for it.
 */
static void fire_timers(struct sched_cpu *c, uint64_t now)
{
	if (c->work_at && now >= c->work_at) {
		c->work_at = 0;
		__atomic_store_n(&c->work, true, __ATOMIC_SEQ_CST);
	}
	for (unsigned int i = 0; i < c->q.n; i++)
		if (sched_timer_expired(c->q.v[i], now))
			(void)wake_halted(c->q.v[i]);
}

bool sched_entry_check(struct vcpu *v, uint32_t attn)
{
	struct sched_cpu *c = this_sched();
	uint64_t now;

	if (!(attn & VCPU_ATTN_SCHED) && !v->timer_deadline)
		return true;
	now = rdtsc();
	if (attn & VCPU_ATTN_SCHED) {
		/*
		 * A host interrupt or a wake-up: every timer here, and the slice. The LAPIC
		 * timer is armed again whatever it was for: an interrupt that came a little
		 * early (its rate is measured, not known) must not leave it unarmed.
		 */
		c->timer_at = 0;
		fire_timers(c, now);
		/* Life-cycle work waits for this CPU (sched_poke): leave the guest now. */
		if (__atomic_load_n(&c->work, __ATOMIC_ACQUIRE))
			return false;
		if (sched_slice_over(now, c->slice_end, sched_queue_contended(&c->q, v)))
			return false;
		rearm(c, v, now);
		return true;
	}
	/* Only v's own timer: expired, it is delivered next; else the LAPIC timer covers it. */
	if (!sched_timer_expired(v, now) && (!c->timer_at || v->timer_deadline < c->timer_at))
		rearm(c, v, now);
	return true;
}

/* ---- blocking, waking, stopping ---- */

static void announce_stuck(void)
{
	unsigned int self = this_cpu()->index;

	pr_err("sched: every vCPU is halted with interrupts enabled, no timer armed and "
	       "nothing pending: nothing can wake them, stopping them");
	for (unsigned int cpu = 0; cpu < cpu_count; cpu++)
		if (cpu != self && sched_cpus[cpu].q.n)
			kick(cpu);
}

bool sched_block(struct vcpu *v)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);
	bool blocked = v->state == VCPU_HALTED, now_stuck = false;

	/* A poster saw v running and left it to v to notice the interrupt: here it is. */
	if (blocked && (sched_irq_highest(v->irq_pending) >= 0 ||
			sched_timer_expired(v, rdtsc()))) {
		__atomic_store_n(&v->state, VCPU_RUNNABLE, __ATOMIC_SEQ_CST);
		blocked = false;
	}
	if (blocked && !v->timer_deadline) {
		v->sched_asleep = true;
		now_stuck = sched_count_sleep(&count) && !stuck;
		stuck |= now_stuck;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	if (now_stuck)
		announce_stuck();
	return blocked;
}

static bool wake_halted(struct vcpu *v)
{
	uint64_t flags;
	bool woke = false;

	if (__atomic_load_n(&v->state, __ATOMIC_SEQ_CST) != VCPU_HALTED)
		return false;
	flags = spin_lock_irqsave(&sched_lock);
	if (v->state == VCPU_HALTED) {
		__atomic_store_n(&v->state, VCPU_RUNNABLE, __ATOMIC_SEQ_CST);
		if (v->sched_asleep)
			sched_count_wake(&count);
		v->sched_asleep = false;
		woke = true;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return woke;
}

/*
 * The poster set v's pending bit and VCPU_ATTN_IRQ before this (both SEQ_CST); v's CPU
 * publishes current before it reads v->attn, and HALTED before it looks at the pending
 * bits (sched_block): whichever side comes second sees the other's write.
 */
void sched_wake(struct vcpu *v)
{
	struct sched_cpu *c = &sched_cpus[v->cpu];
	bool woke = wake_halted(v);
	struct vcpu *cur = __atomic_load_n(&c->current, __ATOMIC_SEQ_CST);

	if (v->cpu != this_cpu()->index) {
		/* A halted CPU must wake; a running v must exit to take the interrupt. */
		if (woke || cur == v)
			kick(v->cpu);
		return;
	}
	/* Here: whoever runs now must start counting its slice against v. */
	if (woke && cur && cur != v)
		__atomic_fetch_or(&cur->attn, VCPU_ATTN_SCHED, __ATOMIC_SEQ_CST);
}

static bool in_queue(const struct vcpu *v)
{
	const struct sched_queue *q = &sched_cpus[v->cpu].q;

	for (unsigned int i = 0; i < q->n; i++)
		if (q->v[i] == v)
			return true;
	return false;
}

void sched_stopped(struct vcpu *v)
{
	uint64_t flags = spin_lock_irqsave(&sched_lock);
	bool counted = in_queue(v) && v->state != VCPU_STOPPED, now_stuck = false;

	__atomic_store_n(&v->state, VCPU_STOPPED, __ATOMIC_SEQ_CST);
	if (counted)
		now_stuck = sched_count_stop(&count, v->sched_asleep) && !stuck;
	v->sched_asleep = false;
	stuck = (stuck || now_stuck) && count.asleep;
	spin_unlock_irqrestore(&sched_lock, flags);
	if (now_stuck)
		announce_stuck();
}

int sched_restart(struct vcpu *v)
{
	struct sched_cpu *c = this_sched();
	uint64_t flags = spin_lock_irqsave(&sched_lock);
	int ret = -HV_ENOENT;

	if (in_queue(v) && v->cpu == this_cpu()->index && v->state == VCPU_STOPPED) {
		/* The registers this CPU holds are its old life's: load its fresh area. */
		if (c->fpu_owner == v)
			c->fpu_owner = 0;
		v->sched_asleep = false;
		__atomic_store_n(&v->state, VCPU_RUNNABLE, __ATOMIC_SEQ_CST);
		sched_count_add(&count);
		ret = 0;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return ret;
}

/* The system is stuck (sched_block): this CPU stops its vCPUs that nothing can wake. */
static void stop_asleep(struct sched_cpu *c)
{
	for (unsigned int i = 0; i < c->q.n; i++) {
		struct vcpu *v = c->q.v[i];

		if (__atomic_load_n(&v->sched_asleep, __ATOMIC_ACQUIRE))
			(void)vcpu_fail(v, 0, "halted with nothing to wake it: every vCPU in the "
					"system is halted with no timer armed");
	}
}

/* ---- the per-CPU loop ---- */

static void run(struct sched_cpu *c, struct vcpu *v)
{
	uint64_t now = rdtsc();

	if (c->fpu_owner != v) {
		fpu_switch(c->fpu_owner ? c->fpu_owner->fpu_area : 0, v->fpu_area);
		c->fpu_owner = v;
	}
	c->slice_end = now + tsc_hz() / SLICES_PER_SECOND;
	__atomic_store_n(&c->current, v, __ATOMIC_SEQ_CST);
	rearm(c, v, now);
	vcpu_run_slice(v);
	__atomic_store_n(&c->current, (struct vcpu *)0, __ATOMIC_SEQ_CST);
}

/*
 * Nothing to run: wait with interrupts on for the LAPIC timer (the earliest deadline of
 * a halted vCPU here) or a kick. STI's one-instruction shadow covers HLT, so an IPI that
 * came after the check wakes HLT instead of being taken before it.
 */
static void idle(struct sched_cpu *c)
{
	uint64_t now = rdtsc();

	c->timer_at = 0;	/* whatever woke us, arm it again (see sched_entry_check) */
	fire_timers(c, now);
	/* Stuck: back to stop_asleep(), unless nothing here is left to stop. */
	if (sched_queue_contended(&c->q, 0) || __atomic_load_n(&c->work, __ATOMIC_ACQUIRE) ||
	    (__atomic_load_n(&stuck, __ATOMIC_ACQUIRE) && !sched_queue_all_stopped(&c->q)))
		return;
	rearm(c, 0, now);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/*
 * Until nothing can run here again. A CPU whose vCPUs have all stopped stays while any
 * partition lives: one of its own may be started again (the work hook). The partition
 * layer wakes every CPU (sched_wake_all) when the last one ends.
 */
void sched_run_cpu(const struct sched_hooks *h)
{
	struct sched_cpu *c = this_sched();

	if (!c->hosts)
		return;
	if (!lapic_timer_calibrated())
		lapic_timer_calibrate();
	for (;;) {
		struct vcpu *v;

		if (__atomic_exchange_n(&c->work, false, __ATOMIC_SEQ_CST))
			h->work(this_cpu()->index);
		/* Once nothing lives nothing starts again: live() never turns true after. */
		if (sched_queue_all_stopped(&c->q) && !h->live())
			break;
		if (__atomic_load_n(&stuck, __ATOMIC_ACQUIRE))
			stop_asleep(c);
		v = sched_queue_pick(&c->q);
		if (v)
			run(c, v);
		else
			idle(c);
	}
	lapic_timer_stop();
	c->timer_at = 0;
}
