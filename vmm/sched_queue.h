/* SPDX-License-Identifier: MIT */
/* The scheduler's pure decisions: one CPU's round-robin queue, timers, slices, the all-blocked check. */
#ifndef VMM_SCHED_QUEUE_H
#define VMM_SCHED_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"

#define SCHED_QUEUE_MAX	16	/* vCPUs pinned to one CPU */

/*
 * The vCPUs pinned to one CPU, in the order they were added. Nothing is ever removed:
 * a vCPU's state says whether it can run (a few per CPU: a scan is cheaper than lists,
 * and a wake-up from another CPU is then just a state change).
 */
struct sched_queue {
	struct vcpu *v[SCHED_QUEUE_MAX];
	unsigned int n;
	unsigned int next;	/* round robin: where the next pick starts looking */
};

/* 0, or -HV_E2BIG when the queue is full. */
int sched_queue_add(struct sched_queue *q, struct vcpu *v) __attribute__((warn_unused_result));
/* The first runnable vCPU from the cursor on, which then moves past it; NULL if none. */
struct vcpu *sched_queue_pick(struct sched_queue *q);
/* True when a vCPU other than cur could run now: cur's time slice then matters. */
bool sched_queue_contended(const struct sched_queue *q, const struct vcpu *cur);
bool sched_queue_all_stopped(const struct sched_queue *q);
/* The earliest one-shot timer deadline after TSC now of a vCPU that is not stopped; 0
 * when none (a passed deadline is a pending interrupt, nothing to wait for). */
uint64_t sched_queue_next_deadline(const struct sched_queue *q, uint64_t now);

/* v's one-shot timer is armed and its deadline has passed at TSC now: its vector is
 * pending (and a stopped v has nothing pending). */
bool sched_timer_expired(const struct vcpu *v, uint64_t now);
/* The vector to deliver next: the highest posted one, or the timer's if it expired at
 * now and is at least as high (*timer then true; the same vector twice is one). -1: none. */
int sched_irq_next(const struct vcpu *v, uint64_t now, bool *timer);
/* When the CPU must look again: the deadline (0: none), or the slice end if contended
 * and earlier. 0: nothing to wait for. */
uint64_t sched_next_event(uint64_t deadline, uint64_t slice_end, bool contended);
/* True when the slice that ends at slice_end is over at now and someone else waits. */
bool sched_slice_over(uint64_t now, uint64_t slice_end, bool contended);

/* The highest vector set in a 256-bit pending bitmap, or -1. */
int sched_irq_highest(const uint64_t pending[4]);

/*
 * vCPUs not stopped (live) and, of those, the ones blocked in HLT with no timer armed and
 * nothing pending (asleep). When all live vCPUs are asleep, only an event from outside
 * every partition could wake one, and there is no such source yet (device interrupts
 * will be one): the system is stuck. Changed under the scheduler's lock.
 */
struct sched_count {
	unsigned int live;
	unsigned int asleep;
};

void sched_count_add(struct sched_count *c);
/* One more vCPU asleep; returns true when that leaves every live vCPU asleep. */
bool sched_count_sleep(struct sched_count *c);
void sched_count_wake(struct sched_count *c);
/* A vCPU stopped (asleep or not); returns true when the rest are all asleep. */
bool sched_count_stop(struct sched_count *c, bool was_asleep);
bool sched_count_stuck(const struct sched_count *c);

#endif
