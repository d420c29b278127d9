/* SPDX-License-Identifier: MIT */
/* The scheduler's decisions on plain data: which vCPU runs next, when to look again, whether all are stuck. */
#include "vmm/sched_queue.h"

#include "include/abi/hv_errno.h"

static enum vcpu_state state_of(const struct vcpu *v)
{
	/* Other CPUs wake vCPUs (HALTED -> RUNNABLE): read the state once, atomically. */
	return __atomic_load_n(&v->state, __ATOMIC_ACQUIRE);
}

int sched_queue_add(struct sched_queue *q, struct vcpu *v)
{
	if (q->n >= SCHED_QUEUE_MAX)
		return -HV_E2BIG;
	q->v[q->n++] = v;
	return 0;
}

struct vcpu *sched_queue_pick(struct sched_queue *q)
{
	for (unsigned int k = 0; k < q->n; k++) {
		unsigned int i = (q->next + k) % q->n;

		if (state_of(q->v[i]) == VCPU_RUNNABLE) {
			q->next = (i + 1) % q->n;
			return q->v[i];
		}
	}
	return 0;
}

bool sched_queue_contended(const struct sched_queue *q, const struct vcpu *cur)
{
	for (unsigned int i = 0; i < q->n; i++)
		if (q->v[i] != cur && state_of(q->v[i]) == VCPU_RUNNABLE)
			return true;
	return false;
}

bool sched_queue_all_stopped(const struct sched_queue *q)
{
	for (unsigned int i = 0; i < q->n; i++)
		if (state_of(q->v[i]) != VCPU_STOPPED)
			return false;
	return true;
}

uint64_t sched_queue_next_deadline(const struct sched_queue *q, uint64_t now)
{
	uint64_t first = 0;

	for (unsigned int i = 0; i < q->n; i++) {
		uint64_t d = q->v[i]->timer_deadline;

		if (d > now && state_of(q->v[i]) != VCPU_STOPPED && (!first || d < first))
			first = d;
	}
	return first;
}

bool sched_timer_expired(const struct vcpu *v, uint64_t now)
{
	return v->timer_deadline && now >= v->timer_deadline && state_of(v) != VCPU_STOPPED;
}

int sched_irq_next(const struct vcpu *v, uint64_t now, bool *timer)
{
	int vec = sched_irq_highest(v->irq_pending);

	/* Vector 0: an event-port timer, raised by vcpu.c, never injected itself. */
	*timer = sched_timer_expired(v, now) && v->timer_vector && v->timer_vector >= vec;
	return *timer ? v->timer_vector : vec;
}

uint64_t sched_next_event(uint64_t deadline, uint64_t slice_end, bool contended)
{
	if (contended && (!deadline || slice_end < deadline))
		return slice_end;
	return deadline;
}

bool sched_slice_over(uint64_t now, uint64_t slice_end, bool contended)
{
	return contended && now >= slice_end;
}

int sched_irq_highest(const uint64_t pending[4])
{
	for (int w = 3; w >= 0; w--) {
		uint64_t bits = __atomic_load_n(&pending[w], __ATOMIC_ACQUIRE);

		if (bits)
			return w * 64 + 63 - __builtin_clzll(bits);
	}
	return -1;
}

/* ---- the all-blocked check ---- */

void sched_count_add(struct sched_count *c)
{
	c->live++;
}

bool sched_count_stuck(const struct sched_count *c)
{
	return c->live && c->asleep == c->live;
}

bool sched_count_sleep(struct sched_count *c)
{
	c->asleep++;
	return sched_count_stuck(c);
}

void sched_count_wake(struct sched_count *c)
{
	c->asleep--;
}

bool sched_count_stop(struct sched_count *c, bool was_asleep)
{
	c->live--;
	if (was_asleep)
		c->asleep--;
	return sched_count_stuck(c);
}
