/* SPDX-License-Identifier: MIT */
/* Unit tests for the shared ring: geometry, full/empty, index wrap, notification suppression, bad indices, threads. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <cmocka.h>

#include "include/abi/ring.h"
#include "pvdev/ring.h"

#define REGION		RING_REGION_MIN		/* 16 slots per direction */
#define SLOTS		RING_SLOTS(REGION)

/* A test message: a sequence number and a payload derived from it. */
struct msg {
	uint32_t seq;
	uint32_t check;
	uint8_t fill[56];
};
_Static_assert(sizeof(struct msg) == RING_SLOT_SIZE, "one slot");

static void *region;
static struct ring_end fe, be;	/* front end, back end */

static struct msg mk(uint32_t seq)
{
	struct msg m = { .seq = seq, .check = ~seq * 2654435761u };

	for (unsigned int i = 0; i < sizeof(m.fill); i++)
		m.fill[i] = (uint8_t)(seq + i);
	return m;
}

static bool msg_ok(const struct msg *m, uint32_t seq)
{
	struct msg want = mk(seq);

	return !memcmp(m, &want, sizeof(want));
}

static int setup(void **state)
{
	region = aligned_alloc(4096, RING_REGION_MAX);
	assert_non_null(region);
	memset(region, 0, RING_REGION_MAX);	/* the hypervisor zeroes channel memory */
	assert_int_equal(ring_end_init(&fe, region, REGION, false), 0);
	assert_int_equal(ring_end_init(&be, region, REGION, true), 0);
	return 0;
}

static int teardown(void **state)
{
	free(region);
	region = NULL;
	return 0;
}

/* Puts and pushes one message front -> back; returns whether the push asked to notify. */
static bool send1(uint32_t seq)
{
	struct msg m = mk(seq);

	assert_int_equal(ring_tx_put(&fe.tx, &m), 1);
	return ring_tx_push(&fe.tx);
}

static void recv1(uint32_t seq)
{
	struct msg m;

	assert_int_equal(ring_rx_get(&be.rx, &m), 1);
	assert_true(msg_ok(&m, seq));
}

/* ---- geometry and arguments ---- */

static void test_layout(void **state)
{
	struct ring_end e;
	uint8_t *r = region;

	assert_int_equal(SLOTS, 16);
	assert_int_equal(RING_SLOTS(RING_REGION_MAX), 4096);
	assert_int_equal(RING_RSP_OFFSET(REGION), 0x100 + 16 * 64);
	/* Each end writes its own lines and slots; the ends see each other's. */
	assert_ptr_equal(fe.tx.mine, be.rx.peer);
	assert_ptr_equal(be.tx.mine, fe.rx.peer);
	assert_ptr_equal(fe.tx.slots, r + 0x100);
	assert_ptr_equal(be.tx.slots, r + 0x100 + 16 * 64);
	assert_ptr_equal(fe.tx.mine, r + 0x00);
	assert_ptr_equal(be.rx.mine, r + 0x40);
	assert_ptr_equal(be.tx.mine, r + 0x80);
	assert_ptr_equal(fe.rx.mine, r + 0xc0);
	/* Sizes the manifest refuses are refused here too. */
	assert_false(ring_size_ok(2048));
	assert_false(ring_size_ok(3 * 4096));
	assert_false(ring_size_ok(2 * RING_REGION_MAX));
	assert_true(ring_size_ok(8192));
	assert_int_equal(ring_end_init(&e, region, 6144, false), -HV_EINVAL);
	assert_int_equal(ring_end_init(&e, r + 8, REGION, false), -HV_EINVAL);
	assert_int_equal(ring_end_init(&e, NULL, REGION, false), -HV_EINVAL);
	assert_int_equal(ring_tx_arm(&fe.tx, 0), -HV_EINVAL);
	assert_int_equal(ring_tx_arm(&fe.tx, SLOTS + 1), -HV_EINVAL);
}

static void test_data_ok(void **state)
{
	assert_true(ring_data_ok(0, 4096, 4096));
	assert_true(ring_data_ok(4096, 0, 4096));
	assert_false(ring_data_ok(4095, 2, 4096));
	assert_false(ring_data_ok(4097, 0, 4096));
	assert_false(ring_data_ok(8, UINT64_MAX, 4096));	/* off + len wraps */
	assert_false(ring_data_ok(UINT64_MAX, 1, 4096));
}

/* ---- full and empty ---- */

static void test_full_empty(void **state)
{
	struct msg m = mk(99);

	assert_int_equal(ring_rx_get(&be.rx, &m), 0);
	assert_int_equal(ring_tx_space(&fe.tx), SLOTS);
	for (uint32_t i = 0; i < SLOTS; i++) {
		m = mk(i);
		assert_int_equal(ring_tx_put(&fe.tx, &m), 1);
	}
	assert_int_equal(ring_tx_put(&fe.tx, &m), 0);
	assert_int_equal(ring_tx_space(&fe.tx), 0);
	/* Nothing is visible before the push. */
	assert_int_equal(ring_rx_get(&be.rx, &m), 0);
	assert_true(ring_tx_push(&fe.tx));	/* init asked for the first message */
	for (uint32_t i = 0; i < SLOTS; i++)
		recv1(i);
	assert_int_equal(ring_rx_get(&be.rx, &m), 0);
	/* Read but not released: still full for the producer. */
	assert_int_equal(ring_tx_space(&fe.tx), 0);
	assert_false(ring_rx_release(&be.rx));	/* the producer did not ask */
	assert_int_equal(ring_tx_space(&fe.tx), SLOTS);
	assert_false(ring_rx_release(&be.rx));	/* nothing new to release */
	assert_false(ring_tx_push(&fe.tx));	/* nothing new to push */
}

/* The slot is copied once: changing it afterwards does not change what was read. */
static void test_copy_once(void **state)
{
	struct msg m;
	uint8_t *slot = (uint8_t *)region + RING_REQ_OFFSET;

	(void)!send1(5);
	assert_int_equal(ring_rx_get(&be.rx, &m), 1);
	memset(slot, 0xee, RING_SLOT_SIZE);
	assert_true(msg_ok(&m, 5));
}

/* ---- free-running indices across 2^32 ---- */

/* Both ends of the req direction as if base messages had already gone through. */
static void set_base(uint32_t base)
{
	struct ring_hdr *h = region;

	h->req.p.prod = h->req.c.cons = base;
	h->req.c.prod_event = base + 1;
	fe.tx.prod = fe.tx.pushed = fe.tx.cons = base;
	be.rx.cons = be.rx.released = be.rx.prod = base;
}

static void test_wrap(void **state)
{
	uint32_t base = UINT32_MAX - 40, sent = 0, got = 0;
	struct msg m;

	set_base(base);
	/* Batches of 5 in a 16-slot ring, through 2^32 and well past it. */
	while (got < 200) {
		for (int k = 0; k < 5; k++) {
			m = mk(base + sent);
			assert_int_equal(ring_tx_put(&fe.tx, &m), 1);
			sent++;
		}
		(void)!ring_tx_push(&fe.tx);
		assert_int_equal(ring_tx_space(&fe.tx), SLOTS - 5);
		while (ring_rx_get(&be.rx, &m) == 1) {
			assert_true(msg_ok(&m, base + got));
			got++;
		}
		(void)!ring_rx_release(&be.rx);
	}
	assert_int_equal(got, sent);
	assert_int_equal(fe.tx.prod, base + sent);
	assert_true(fe.tx.prod < base);		/* it did wrap */
	assert_int_equal(ring_tx_space(&fe.tx), SLOTS);
	/* A full ring across the wrap: prod - cons == slots, not a bad index. */
	set_base(UINT32_MAX - 3);
	for (uint32_t i = 0; i < SLOTS; i++)
		assert_false(send1(UINT32_MAX - 3 + i) && i > 0);
	assert_int_equal(ring_tx_space(&fe.tx), 0);
	assert_int_equal(ring_rx_arm(&be.rx), (int)SLOTS);
	for (uint32_t i = 0; i < SLOTS; i++)
		recv1(UINT32_MAX - 3 + i);
}

/* ---- notification suppression ---- */

/*
 * A busy consumer arms its event only when it finds the ring empty, so a producer
 * pushing one message at a time notifies once per batch the consumer drains.
 */
static void test_suppression_busy(void **state)
{
	unsigned int notified = 0, msgs = 0;
	struct msg m;

	for (int batch = 0; batch < 100; batch++) {
		for (int k = 0; k < 8; k++)
			notified += send1(msgs++);
		while (ring_rx_get(&be.rx, &m) == 1)
			;
		(void)!ring_rx_release(&be.rx);
		assert_int_equal(ring_rx_arm(&be.rx), 0);	/* empty: would sleep */
	}
	assert_int_equal(msgs, 800);
	assert_int_equal(notified, 100);	/* one per batch, not one per message */
}

/* An idle consumer (armed after every message) is notified every time: nothing lost. */
static void test_suppression_idle(void **state)
{
	unsigned int notified = 0;

	for (uint32_t i = 0; i < 50; i++) {
		notified += send1(i);
		recv1(i);
		(void)!ring_rx_release(&be.rx);
		assert_int_equal(ring_rx_arm(&be.rx), 0);
	}
	assert_int_equal(notified, 50);
}

/* Arming while messages wait says so: the consumer must not sleep, and is not notified. */
static void test_arm_sees_waiting(void **state)
{
	(void)!send1(0);
	recv1(0);
	(void)!send1(1);
	assert_int_equal(ring_rx_arm(&be.rx), 1);
	assert_false(send1(2));			/* event (cons + 1) is already behind */
	recv1(1);
	recv1(2);
	assert_int_equal(ring_rx_arm(&be.rx), 0);
	assert_true(send1(3));
}

/* A producer waiting for half the ring is notified once, when the half-th slot frees. */
static void test_space_event(void **state)
{
	unsigned int notified = 0;
	struct msg m;

	for (uint32_t i = 0; i < SLOTS; i++)
		(void)!send1(i);
	assert_int_equal(ring_tx_arm(&fe.tx, SLOTS / 2), 0);	/* full: would sleep */
	for (uint32_t i = 0; i < SLOTS; i++) {
		bool n;

		recv1(i);
		n = ring_rx_release(&be.rx);
		assert_int_equal(n, i + 1 == SLOTS / 2);
		notified += n;
	}
	assert_int_equal(notified, 1);
	assert_int_equal(ring_tx_arm(&fe.tx, SLOTS / 2), (int)SLOTS);
	/* Without an armed space event the consumer never notifies. */
	for (uint32_t i = 0; i < 40; i++) {
		(void)!send1(SLOTS + i);
		assert_int_equal(ring_rx_get(&be.rx, &m), 1);
		assert_false(ring_rx_release(&be.rx));
	}
}

/* ---- impossible indices ---- */

static void test_bad_prod(void **state)
{
	struct ring_hdr *h = region;
	struct msg m;

	(void)!send1(0);
	recv1(0);
	/* A producer more than a ring ahead of the consumer: shut down, and it stays so. */
	__atomic_store_n(&h->req.p.prod, 1 + SLOTS + 1, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_get(&be.rx, &m), -HV_EBADMSG);
	__atomic_store_n(&h->req.p.prod, 1, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_get(&be.rx, &m), -HV_EBADMSG);
	assert_int_equal(ring_rx_arm(&be.rx), -HV_EBADMSG);
	assert_false(ring_rx_release(&be.rx));
	/* The other direction is unaffected. */
	m = mk(7);
	assert_int_equal(ring_tx_put(&be.tx, &m), 1);
	assert_true(ring_tx_push(&be.tx));
	assert_int_equal(ring_rx_get(&fe.rx, &m), 1);
	assert_true(msg_ok(&m, 7));
}

/* Exactly a ring ahead is fine; one more is not, however far the indices have run. */
static void test_bad_prod_edge(void **state)
{
	struct ring_hdr *h = region;
	struct msg m;

	set_base(UINT32_MAX - 5);
	__atomic_store_n(&h->req.p.prod, UINT32_MAX - 5 + SLOTS, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_arm(&be.rx), (int)SLOTS);
	__atomic_store_n(&h->req.p.prod, UINT32_MAX - 5 + SLOTS + 1, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_arm(&be.rx), -HV_EBADMSG);
	(void)m;
}

/* A producer index that moves backwards is impossible too. */
static void test_prod_backwards(void **state)
{
	struct ring_hdr *h = region;
	struct msg m;

	for (uint32_t i = 0; i < 4; i++)
		(void)!send1(i);
	recv1(0);
	assert_int_equal(ring_rx_arm(&be.rx), 3);
	__atomic_store_n(&h->req.p.prod, 2, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_get(&be.rx, &m), 1);	/* from what was checked before */
	assert_int_equal(ring_rx_arm(&be.rx), -HV_EBADMSG);
}

/* A consumer index past what was published, or moving backwards. */
static void test_bad_cons(void **state)
{
	struct ring_hdr *h = region;
	struct ring_end e2;
	struct msg m = mk(0);

	for (uint32_t i = 0; i < 3; i++)
		(void)!send1(i);
	__atomic_store_n(&h->req.c.cons, 4, __ATOMIC_RELEASE);
	assert_int_equal(ring_tx_space(&fe.tx), -HV_EBADMSG);
	assert_int_equal(ring_tx_put(&fe.tx, &m), -HV_EBADMSG);
	assert_false(ring_tx_push(&fe.tx));
	assert_int_equal(ring_tx_arm(&fe.tx, 1), -HV_EBADMSG);

	memset(region, 0, REGION);
	assert_int_equal(ring_end_init(&e2, region, REGION, false), 0);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(ring_tx_put(&e2.tx, &m), 1);
		(void)!ring_tx_push(&e2.tx);
	}
	__atomic_store_n(&h->req.c.cons, 2, __ATOMIC_RELEASE);
	assert_int_equal(ring_tx_space(&e2.tx), SLOTS - 1);
	__atomic_store_n(&h->req.c.cons, 1, __ATOMIC_RELEASE);
	assert_int_equal(ring_tx_space(&e2.tx), -HV_EBADMSG);
}

/* ---- restarts: a new channel life (epoch) ---- */

/* Puts and pushes one message on tx; returns whether the push asked to notify. */
static bool put1(struct ring_tx *t, uint32_t seq)
{
	struct msg m = mk(seq);

	assert_int_equal(ring_tx_put(t, &m), 1);
	return ring_tx_push(t);
}

/*
 * The back end restarts and attaches at epoch 2 while the front end still holds its
 * epoch-1 view with messages in flight: neither end errs or takes the other's indices
 * for its own, and once the front end re-attaches both directions work from 0.
 */
static void test_reattach(void **state)
{
	struct ring_hdr *h = region;
	struct msg m;

	assert_int_equal(ring_end_attach(&fe, region, REGION, false, 1), 0);
	assert_int_equal(ring_end_attach(&be, region, REGION, true, 1), 0);
	for (uint32_t i = 0; i < 5; i++)
		(void)!put1(&fe.tx, i);
	recv1(0);
	(void)!ring_rx_release(&be.rx);
	(void)!put1(&be.tx, 100);
	/* The back end starts again, fresh: its indices go back to 0. */
	assert_int_equal(ring_end_attach(&be, region, REGION, true, 2), 0);
	assert_int_equal(ring_rx_get(&be.rx, &m), 0);		/* old requests: not this life */
	assert_int_equal(ring_rx_arm(&be.rx), 0);
	/* The old life's unread reply is gone with it, without an error. */
	assert_int_equal(ring_rx_get(&fe.rx, &m), 0);
	assert_int_equal(ring_rx_arm(&fe.rx), 0);
	assert_int_equal(ring_tx_space(&fe.tx), (int)SLOTS - 5);	/* no cons of another life */
	assert_true(put1(&be.tx, 200));		/* a consumer of another life: notify */
	assert_int_equal(ring_rx_get(&fe.rx, &m), 0);
	/* A line being reset is never read, whatever its indices say. */
	__atomic_store_n(&h->rsp.p.epoch, RING_EPOCH_ATTACHING, __ATOMIC_RELEASE);
	assert_int_equal(ring_end_attach(&fe, region, REGION, false, 2), 0);
	assert_int_equal(ring_rx_get(&fe.rx, &m), 0);
	__atomic_store_n(&h->rsp.p.epoch, 2, __ATOMIC_RELEASE);
	assert_int_equal(ring_rx_get(&fe.rx, &m), 1);
	assert_true(msg_ok(&m, 200));
	for (uint32_t i = 0; i < 3; i++)
		(void)!put1(&fe.tx, 10 + i);
	for (uint32_t i = 0; i < 3; i++)
		recv1(10 + i);
	assert_int_equal(ring_end_attach(&fe, region, REGION, false, RING_EPOCH_ATTACHING),
			 -HV_EINVAL);
}

/* ---- two threads ---- */

/*
 * A doorbell: an event port with coalescing, and a timed wait so that a lost wake-up
 * fails the test instead of hanging it.
 */
struct bell {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool pending;
	unsigned long rung;
};

#define BELL_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 }
#define WAIT_S		10

static void bell_ring(struct bell *b)
{
	pthread_mutex_lock(&b->m);
	b->pending = true;
	b->rung++;
	pthread_cond_signal(&b->c);
	pthread_mutex_unlock(&b->m);
}

static bool bell_wait(struct bell *b)
{
	struct timespec t;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += WAIT_S;
	pthread_mutex_lock(&b->m);
	while (!b->pending && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&b->c, &b->m, &t);
	b->pending = false;
	pthread_mutex_unlock(&b->m);
	return r != ETIMEDOUT;
}

#define STRESS_MSGS	400000u

struct side {
	struct ring_end *e;
	struct bell *mine, *peer;
	unsigned long sleeps;
	const char *err;	/* NULL, or what went wrong */
	uint32_t done;
};

static struct bell bell_fe = BELL_INIT, bell_be = BELL_INIT;
static struct side s_fe, s_be;

/* A tiny xorshift, per thread: batch sizes vary so both ends are busy and idle in turn. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One-direction producer: batches of 1..8, sleeping when full. */
static void *producer(void *arg)
{
	struct side *s = arg;
	uint32_t r = 12345, seq = 0;

	while (seq < STRESS_MSGS) {
		uint32_t k = rnd(&r) % 8 + 1;
		struct msg m;
		int put = 0;

		for (; k && seq < STRESS_MSGS; k--) {
			m = mk(seq);
			put = ring_tx_put(&s->e->tx, &m);
			if (put != 1)
				break;
			seq++;
		}
		if (ring_tx_push(&s->e->tx))
			bell_ring(s->peer);
		if (put < 0)
			return s->err = "producer: ring shut down", NULL;
		if (put == 0 && ring_tx_arm(&s->e->tx, SLOTS / 2) < (int)SLOTS / 2) {
			s->sleeps++;
			if (!bell_wait(s->mine))
				return s->err = "producer: lost wake-up (no space notification)", NULL;
		}
	}
	s->done = seq;
	return NULL;
}

/* One-direction consumer: releases every few messages, sleeps when empty. */
static void *consumer(void *arg)
{
	struct side *s = arg;
	uint32_t r = 777, seq = 0;

	while (seq < STRESS_MSGS) {
		struct msg m;
		int got = ring_rx_get(&s->e->rx, &m);

		if (got == 1) {
			if (!msg_ok(&m, seq))
				return s->err = "consumer: lost, duplicated or corrupt message", NULL;
			seq++;
			if (rnd(&r) % 4)
				continue;
		}
		if (ring_rx_release(&s->e->rx))
			bell_ring(s->peer);
		if (got < 0)
			return s->err = "consumer: ring shut down", NULL;
		if (got == 0 && ring_rx_arm(&s->e->rx) == 0) {
			s->sleeps++;
			if (!bell_wait(s->mine))
				return s->err = "consumer: lost wake-up (no message notification)", NULL;
		}
	}
	s->done = seq;
	return NULL;
}

static void run_pair(void *(*a)(void *), void *(*b)(void *))
{
	pthread_t ta, tb;

	s_fe = (struct side){ .e = &fe, .mine = &bell_fe, .peer = &bell_be };
	s_be = (struct side){ .e = &be, .mine = &bell_be, .peer = &bell_fe };
	bell_fe.pending = bell_be.pending = false;
	bell_fe.rung = bell_be.rung = 0;
	assert_int_equal(pthread_create(&ta, NULL, a, &s_fe), 0);
	assert_int_equal(pthread_create(&tb, NULL, b, &s_be), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	if (s_fe.err)
		fail_msg("%s", s_fe.err);
	if (s_be.err)
		fail_msg("%s", s_be.err);
}

static void test_stress_one_way(void **state)
{
	run_pair(producer, consumer);
	assert_int_equal(s_fe.done, STRESS_MSGS);
	assert_int_equal(s_be.done, STRESS_MSGS);
	print_message("one way: %u messages, %lu message notifications (%lu consumer sleeps), "
		      "%lu space notifications (%lu producer sleeps)\n", STRESS_MSGS, bell_be.rung,
		      s_be.sleeps, bell_fe.rung, s_fe.sleeps);
	/* A notification only ends a sleep (or finds the sleeper just awake). */
	assert_true(bell_be.rung <= s_be.sleeps + 1);
	assert_true(bell_fe.rung <= s_fe.sleeps + 1);
	assert_true(bell_be.rung < STRESS_MSGS / 2);
}

#define PP_MSGS		200000u
#define PP_WINDOW	40u	/* requests in flight: more than both rings hold, so both fill */

/*
 * Request/response, one bell per end as with one event port per channel: the front
 * end keeps up to PP_WINDOW requests in flight and checks every response; the back
 * end answers each request in order.
 */
static void *pp_front(void *arg)
{
	struct side *s = arg;
	uint32_t sent = 0, acked = 0;

	while (acked < PP_MSGS) {
		bool progress = false, notify, blocked;
		struct msg m;
		int got;

		while (sent < PP_MSGS && sent - acked < PP_WINDOW) {
			m = mk(sent);
			if (ring_tx_put(&s->e->tx, &m) != 1)
				break;
			sent++;
			progress = true;
		}
		notify = ring_tx_push(&s->e->tx);
		while ((got = ring_rx_get(&s->e->rx, &m)) == 1) {
			if (!msg_ok(&m, ~acked))
				return s->err = "front: bad response", NULL;
			acked++;
			progress = true;
		}
		notify |= ring_rx_release(&s->e->rx);
		if (notify)
			bell_ring(s->peer);
		if (got < 0)
			return s->err = "front: ring shut down", NULL;
		if (progress)
			continue;
		/* Idle for want of responses, and of room for requests if it has more to send. */
		blocked = sent < PP_MSGS && sent - acked < PP_WINDOW;
		if (ring_rx_arm(&s->e->rx) != 0 || (blocked && ring_tx_arm(&s->e->tx, 1) != 0))
			continue;
		s->sleeps++;
		if (!bell_wait(s->mine))
			return s->err = "front: lost wake-up", NULL;
	}
	s->done = acked;
	return NULL;
}

/* Answers a request only when the response fits, so it never holds one half-done. */
static void *pp_back(void *arg)
{
	struct side *s = arg;
	uint32_t seq = 0;

	while (seq < PP_MSGS) {
		bool progress = false, notify;
		struct msg m;
		int got = 0;

		while (ring_tx_space(&s->e->tx) > 0 && (got = ring_rx_get(&s->e->rx, &m)) == 1) {
			if (!msg_ok(&m, seq))
				return s->err = "back: bad request", NULL;
			m = mk(~seq);
			if (ring_tx_put(&s->e->tx, &m) != 1)
				return s->err = "back: no room after all", NULL;
			seq++;
			progress = true;
		}
		notify = ring_tx_push(&s->e->tx);
		notify |= ring_rx_release(&s->e->rx);
		if (notify)
			bell_ring(s->peer);
		if (got < 0)
			return s->err = "back: ring shut down", NULL;
		if (progress)
			continue;
		/* Idle for want of requests, or of room for responses: arm what blocks. */
		if (ring_rx_arm(&s->e->rx) == 0 || ring_tx_arm(&s->e->tx, 1) == 0) {
			s->sleeps++;
			if (!bell_wait(s->mine))
				return s->err = "back: lost wake-up", NULL;
		}
	}
	s->done = seq;
	return NULL;
}

static void test_stress_ping_pong(void **state)
{
	run_pair(pp_front, pp_back);
	assert_int_equal(s_fe.done, PP_MSGS);
	assert_int_equal(s_be.done, PP_MSGS);
	print_message("ping-pong: %u requests, %lu notifications to the back end, %lu to the "
		      "front end\n", PP_MSGS, bell_be.rung, bell_fe.rung);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test(test_data_ok),
		cmocka_unit_test_setup_teardown(test_full_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppression_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppression_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arm_sees_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_space_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_prod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_prod_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prod_backwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reattach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress_one_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress_ping_pong, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
