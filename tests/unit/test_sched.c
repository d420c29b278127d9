/* SPDX-License-Identifier: MIT */
/* Unit tests for the scheduler's pure decisions: pick order, slices, timers, blocking and waking, the all-halted check. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/sched_queue.h"

#define NV	4

static struct vcpu vc[NV];
static struct sched_queue q;

static int setup(void **state)
{
	memset(vc, 0, sizeof(vc));
	memset(&q, 0, sizeof(q));
	for (int i = 0; i < NV; i++) {
		vc[i].id = (unsigned int)i;
		assert_int_equal(sched_queue_add(&q, &vc[i]), 0);
	}
	return 0;
}

static int index_of(const struct vcpu *v)
{
	return v ? (int)(v - vc) : -1;
}

static void test_add_full(void **state)
{
	struct sched_queue big = { .n = 0 };

	for (int i = 0; i < SCHED_QUEUE_MAX; i++)
		assert_int_equal(sched_queue_add(&big, &vc[0]), 0);
	assert_int_equal(sched_queue_add(&big, &vc[0]), -HV_E2BIG);
	assert_int_equal(big.n, SCHED_QUEUE_MAX);
}

/* Round robin: each runnable vCPU in turn, starting after the last one picked. */
static void test_pick_round_robin(void **state)
{
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < NV; i++)
			assert_int_equal(index_of(sched_queue_pick(&q)), i);
}

/* Halted and stopped vCPUs are skipped; the order of the others is kept. */
static void test_pick_skips(void **state)
{
	vc[1].state = VCPU_HALTED;
	vc[2].state = VCPU_STOPPED;
	assert_int_equal(index_of(sched_queue_pick(&q)), 0);
	assert_int_equal(index_of(sched_queue_pick(&q)), 3);
	assert_int_equal(index_of(sched_queue_pick(&q)), 0);
	/* A wake-up (HALTED -> RUNNABLE) puts it back in its turn. */
	vc[1].state = VCPU_RUNNABLE;
	assert_int_equal(index_of(sched_queue_pick(&q)), 1);
	assert_int_equal(index_of(sched_queue_pick(&q)), 3);
	for (int i = 0; i < NV; i++)
		vc[i].state = i == 2 ? VCPU_STOPPED : VCPU_HALTED;
	assert_null(sched_queue_pick(&q));
	assert_false(sched_queue_all_stopped(&q));
	for (int i = 0; i < NV; i++)
		vc[i].state = VCPU_STOPPED;
	assert_true(sched_queue_all_stopped(&q));
}

/* A vCPU that runs alone has no slice to end; one more runnable, and it has. */
static void test_contended_and_slices(void **state)
{
	for (int i = 1; i < NV; i++)
		vc[i].state = VCPU_HALTED;
	assert_false(sched_queue_contended(&q, &vc[0]));
	assert_true(sched_queue_contended(&q, 0));	/* idle: someone can run */
	assert_false(sched_slice_over(1000, 500, false));
	vc[3].state = VCPU_RUNNABLE;
	assert_true(sched_queue_contended(&q, &vc[0]));
	assert_false(sched_slice_over(499, 500, true));
	assert_true(sched_slice_over(500, 500, true));
	/* When to look again: the slice end only if contended, else the deadline. */
	assert_int_equal(sched_next_event(0, 500, false), 0);
	assert_int_equal(sched_next_event(0, 500, true), 500);
	assert_int_equal(sched_next_event(700, 500, true), 500);
	assert_int_equal(sched_next_event(300, 500, true), 300);
	assert_int_equal(sched_next_event(700, 500, false), 700);
}

/* The LAPIC timer waits for the earliest future deadline of a vCPU not stopped. */
static void test_next_deadline(void **state)
{
	assert_int_equal(sched_queue_next_deadline(&q, 100), 0);
	vc[0].timer_deadline = 900;
	vc[1].timer_deadline = 400;
	vc[2].timer_deadline = 300;
	vc[2].state = VCPU_STOPPED;
	vc[3].timer_deadline = 50;	/* passed: a pending interrupt, nothing to wait for */
	assert_int_equal(sched_queue_next_deadline(&q, 100), 400);
	vc[1].state = VCPU_HALTED;	/* a halted vCPU's timer wakes it: it counts */
	assert_int_equal(sched_queue_next_deadline(&q, 100), 400);
	assert_int_equal(sched_queue_next_deadline(&q, 400), 900);
	assert_int_equal(sched_queue_next_deadline(&q, 900), 0);
}

static void test_timer_expired(void **state)
{
	assert_false(sched_timer_expired(&vc[0], ~0ull));	/* not armed */
	vc[0].timer_deadline = 1000;
	assert_false(sched_timer_expired(&vc[0], 999));
	assert_true(sched_timer_expired(&vc[0], 1000));
	vc[0].state = VCPU_STOPPED;
	assert_false(sched_timer_expired(&vc[0], 2000));
}

static void post(struct vcpu *v, unsigned int vector)
{
	v->irq_pending[vector / 64] |= 1ull << (vector % 64);
}

static void test_irq_highest(void **state)
{
	uint64_t p[4] = { 0 };

	assert_int_equal(sched_irq_highest(p), -1);
	p[0] = 1ull << 32;
	assert_int_equal(sched_irq_highest(p), 32);
	p[1] = 1ull << 63 | 1;
	assert_int_equal(sched_irq_highest(p), 127);
	p[3] = 1ull << 63;
	assert_int_equal(sched_irq_highest(p), 255);
	p[3] = 0;
	p[2] = 1;
	assert_int_equal(sched_irq_highest(p), 128);
}

/* The timer competes with the posted vectors by priority; the same vector is one. */
static void test_irq_next_with_timer(void **state)
{
	struct vcpu *v = &vc[0];
	bool timer;

	assert_int_equal(sched_irq_next(v, 0, &timer), -1);
	post(v, 0x40);
	assert_int_equal(sched_irq_next(v, 0, &timer), 0x40);
	assert_false(timer);
	v->timer_deadline = 100;
	v->timer_vector = 0x80;
	assert_int_equal(sched_irq_next(v, 99, &timer), 0x40);	/* not yet */
	assert_false(timer);
	assert_int_equal(sched_irq_next(v, 100, &timer), 0x80);
	assert_true(timer);
	v->timer_vector = 0x30;
	assert_int_equal(sched_irq_next(v, 100, &timer), 0x40);	/* the posted one first */
	assert_false(timer);
	v->timer_vector = 0x40;
	assert_int_equal(sched_irq_next(v, 100, &timer), 0x40);	/* both at once */
	assert_true(timer);
	v->irq_pending[1] = 0;
	v->timer_deadline = 0;	/* cancelled before delivery: nothing left */
	assert_int_equal(sched_irq_next(v, 100, &timer), -1);
}

/* ---- the all-halted check ---- */

static void test_count_stuck(void **state)
{
	struct sched_count c = { 0 };

	assert_false(sched_count_stuck(&c));	/* nothing live: not stuck, just done */
	sched_count_add(&c);
	sched_count_add(&c);
	assert_false(sched_count_sleep(&c));	/* one halts, the other runs */
	sched_count_wake(&c);			/* woken by the other */
	assert_false(sched_count_sleep(&c));
	assert_true(sched_count_sleep(&c));	/* both halted, nothing armed: stuck */
	assert_true(sched_count_stuck(&c));
	/* Stopping one of them leaves the other stuck still; stopping both: done. */
	assert_true(sched_count_stop(&c, true));
	assert_false(sched_count_stop(&c, true));
	assert_int_equal(c.live, 0);
	assert_int_equal(c.asleep, 0);
}

/* A waits for an event from B; B exits instead: A can never wake. */
static void test_count_peer_exits(void **state)
{
	struct sched_count c = { 0 };

	sched_count_add(&c);
	sched_count_add(&c);
	sched_count_add(&c);
	assert_false(sched_count_sleep(&c));		/* A */
	assert_false(sched_count_stop(&c, false));	/* C exits, B still runs */
	assert_true(sched_count_stop(&c, false));	/* B exits: only A, asleep */
	assert_int_equal(c.live, 1);
	assert_false(sched_count_stop(&c, true));	/* A stopped by the check: done */
	assert_false(sched_count_stuck(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_full, setup),
		cmocka_unit_test_setup(test_pick_round_robin, setup),
		cmocka_unit_test_setup(test_pick_skips, setup),
		cmocka_unit_test_setup(test_contended_and_slices, setup),
		cmocka_unit_test_setup(test_next_deadline, setup),
		cmocka_unit_test_setup(test_timer_expired, setup),
		cmocka_unit_test_setup(test_irq_highest, setup),
		cmocka_unit_test_setup(test_irq_next_with_timer, setup),
		cmocka_unit_test_setup(test_count_stuck, setup),
		cmocka_unit_test_setup(test_count_peer_exits, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
