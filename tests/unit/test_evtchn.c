/* SPDX-License-Identifier: MIT */
/* Unit tests for event channels: binding, send, masking, coalescing, life cycle, hostile pages, threads. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <cmocka.h>

#include "guest-drivers/rt/evtchn_guest.h"
#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"
#include "vmm/evtchn.h"

/* The fixture: A (1 vCPU) <-> B (2 vCPUs) twice, B <-> C once; all running. */
enum { PA = 0, PB = 1, PC = 2, NPARTS = 3 };
#define VEC_A		0x40
#define VEC_B0		0x41
#define VEC_B1		0x42
#define VEC_C		0x43

static struct evtchn_sys sys;
static struct evtchn_shared *page[NPARTS];
static uint32_t ab_a, ab_b;	/* first A-B channel: A's port, B's port */
static uint32_t ab2_a, ab2_b;	/* second A-B channel */
static uint32_t bc_b, bc_c;	/* B-C channel */

/* The guest side of B, with a fake EVTCHN_UNMASK hypercall that calls the hypervisor. */
struct fake_hc {
	uint64_t part;
	unsigned int calls;
	struct evtchn_upcall last;
	int last_ret;
};
static struct fake_hc hc_b;
static struct evtchn_guest guest_b;
static struct evtchn_guest guest_c;	/* no handlers: counts them as unhandled */

/* What the handlers saw. */
static unsigned int seen[EVTCHN_PORTS];
static uint32_t seen_order[64];
static unsigned int seen_n;

static int64_t fake_unmask(void *ctx, uint32_t port)
{
	struct fake_hc *f = ctx;

	f->calls++;
	f->last_ret = evtchn_unmask(&sys, f->part, port, &f->last);
	return f->last_ret;
}

static void record(void *arg, uint32_t port)
{
	seen[port]++;
	if (seen_n < 64)
		seen_order[seen_n++] = port;
}

static struct evtchn_shared *page_alloc(void)
{
	struct evtchn_shared *p = aligned_alloc(EVTCHN_PAGE_SIZE, EVTCHN_PAGE_SIZE);

	assert_non_null(p);
	memset(p, 0xa5, EVTCHN_PAGE_SIZE);	/* evtchn_open must zero it */
	return p;
}

static void open_part(uint64_t part)
{
	struct evtchn_kicks k;

	assert_int_equal(evtchn_open(&sys, part, page[part], &k), 0);
}

/* Registers an upcall vector; returns whether events already waiting raised it. */
static bool set_vec(uint64_t part, uint64_t vcpu, uint64_t vec)
{
	struct evtchn_upcall up;

	assert_int_equal(evtchn_set_upcall(&sys, part, vcpu, vec, &up), 0);
	return up.raise;
}

static int setup(void **state)
{
	evtchn_init(&sys);
	memset(&hc_b, 0, sizeof(hc_b));
	memset(seen, 0, sizeof(seen));
	seen_n = 0;
	hc_b.part = PB;
	assert_int_equal(evtchn_create(&sys, PA, 1), 0);
	assert_int_equal(evtchn_create(&sys, PB, 2), 0);
	assert_int_equal(evtchn_create(&sys, PC, 1), 0);
	/* Manifest order: A-B, B-C, A-B. */
	assert_int_equal(evtchn_bind_pair(&sys, PA, PB, &ab_a, &ab_b), 0);
	assert_int_equal(evtchn_bind_pair(&sys, PB, PC, &bc_b, &bc_c), 0);
	assert_int_equal(evtchn_bind_pair(&sys, PA, PB, &ab2_a, &ab2_b), 0);
	for (int p = 0; p < NPARTS; p++) {
		page[p] = page_alloc();
		open_part(p);
	}
	/* A heard of B's start, B of C's: their news raises as soon as there is a vector. */
	assert_true(set_vec(PA, 0, VEC_A));
	assert_true(set_vec(PB, 0, VEC_B0));
	assert_false(set_vec(PB, 1, VEC_B1));
	assert_false(set_vec(PC, 0, VEC_C));
	/* Each open told the partitions opened before it; start from quiet pages. */
	for (int p = 0; p < NPARTS; p++)
		memset(page[p], 0, EVTCHN_PAGE_SIZE);
	evtchn_guest_init(&guest_b, page[PB], fake_unmask, &hc_b);
	evtchn_guest_init(&guest_c, page[PC], fake_unmask, &hc_b);
	for (uint32_t port = 1; port < EVTCHN_PORTS; port++)
		assert_int_equal(evtchn_guest_bind(&guest_b, port, record, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	for (int p = 0; p < NPARTS; p++) {
		free(page[p]);
		page[p] = NULL;
	}
	return 0;
}

static bool pending(int part, uint32_t port)
{
	return page[part]->pending[port / 64] >> (port % 64) & 1;
}

static void send_ok(uint64_t part, uint32_t port, bool raise, struct evtchn_upcall *up)
{
	assert_int_equal(evtchn_send(&sys, part, port, up), 0);
	assert_int_equal(up->raise, raise);
}

static void assert_upcall(const struct evtchn_upcall *up, int part, int vcpu, int vec)
{
	assert_true(up->raise);
	assert_int_equal(up->part, part);
	assert_int_equal(up->vcpu, vcpu);
	assert_int_equal(up->vector, vec);
}

/* ---- layout and conventions ---- */

static void test_layout(void **state)
{
	assert_int_equal(sizeof(struct evtchn_shared), 4096);
	assert_int_equal(offsetof(struct evtchn_shared, pending), 0);
	assert_int_equal(offsetof(struct evtchn_shared, mask), 0x40);
	assert_int_equal(offsetof(struct evtchn_shared, vcpu[1].upcall_pending), 0x140);
	assert_int_equal(offsetof(struct evtchn_shared, vcpu[31].upcall_mask), 0x8c1);
	assert_int_equal(EVTCHN_PORT_TIMER(31), 63);
}

/* The guest's per-word ownership masks agree with evtchn_port_vcpu, port by port. */
static void test_owned_matches_convention(void **state)
{
	for (uint32_t port = 0; port < EVTCHN_PORTS; port++) {
		unsigned int owners = 0;

		for (uint32_t v = 0; v < EVTCHN_VCPUS_MAX; v++) {
			bool own = evtchn_guest_owned(v, port / 64) >> (port % 64) & 1;

			assert_int_equal(own, port != 0 && evtchn_port_vcpu(port) == v);
			owners += own;
		}
		assert_int_equal(owners, port != 0);
	}
	assert_int_equal(evtchn_guest_owned(EVTCHN_VCPUS_MAX, 0), 0);
	assert_int_equal(evtchn_guest_owned(0, EVTCHN_WORDS), 0);
	assert_int_equal(evtchn_guest_owned(0, 1), ~0ull);
	assert_int_equal(evtchn_guest_owned(1, 0), 1ull << 33);
}

/* ---- life cycle ---- */

static void test_create(void **state)
{
	assert_int_equal(evtchn_create(&sys, EVTCHN_PARTS_MAX, 1), -HV_EINVAL);
	assert_int_equal(evtchn_create(&sys, 1ull << 32, 1), -HV_EINVAL);
	assert_int_equal(evtchn_create(&sys, 5, 0), -HV_EINVAL);
	assert_int_equal(evtchn_create(&sys, 5, EVTCHN_VCPUS_MAX + 1), -HV_EINVAL);
	assert_int_equal(evtchn_create(&sys, PA, 1), -HV_EEXIST);
	assert_int_equal(evtchn_create(&sys, 5, EVTCHN_VCPUS_MAX), 0);
	/* Hypervisor sources: console on vCPU 0, one timer per existing vCPU. */
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_CONSOLE), EVTCHN_STATE_VIRQ);
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_TIMER(0)), EVTCHN_STATE_VIRQ);
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_TIMER(1)), EVTCHN_STATE_VIRQ | 1 << 8);
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_TIMER(2)), EVTCHN_STATE_FREE);
	assert_int_equal(evtchn_status(&sys, 5, EVTCHN_PORT_TIMER(31)), EVTCHN_STATE_VIRQ | 31 << 8);
	assert_int_equal(evtchn_status(&sys, PB, 2), EVTCHN_STATE_FREE);
}

/* Device-interrupt ports: the lowest free one in the range, receive only, full at the end. */
static void test_bind_source(void **state)
{
	struct evtchn_upcall up;
	int n = 0;

	assert_int_equal(evtchn_bind_source(&sys, PB, EVTCHN_PORT_DEV_FIRST, EVTCHN_PORT_DEV_LAST, 0),
			 EVTCHN_PORT_DEV_FIRST);
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_DEV_FIRST), EVTCHN_STATE_VIRQ);
	assert_int_equal(evtchn_send(&sys, PB, EVTCHN_PORT_DEV_FIRST, &up), -HV_EPERM);
	assert_int_equal(evtchn_bind_source(&sys, PB, 2, 31, 1), 3);
	assert_int_equal(evtchn_status(&sys, PB, 3), EVTCHN_STATE_VIRQ | 1 << 8);
	assert_int_equal(evtchn_bind_source(&sys, PB, 2, 31, EVTCHN_VCPUS_MAX), -HV_EINVAL);
	assert_int_equal(evtchn_bind_source(&sys, PB, 31, 2, 0), -HV_EINVAL);
	assert_int_equal(evtchn_bind_source(&sys, PB, 2, EVTCHN_PORTS, 0), -HV_EINVAL);
	assert_int_equal(evtchn_bind_source(&sys, EVTCHN_PARTS_MAX, 2, 31, 0), -HV_EINVAL);
	while (evtchn_bind_source(&sys, PB, 2, 31, 0) > 0)
		n++;
	assert_int_equal(n, 28);
	assert_int_equal(evtchn_bind_source(&sys, PB, 2, 31, 0), -HV_E2BIG);
	/* The timer ports above were never handed out. */
	assert_int_equal(evtchn_status(&sys, PB, EVTCHN_PORT_TIMER(0)), EVTCHN_STATE_VIRQ);
}

static void test_bind_order(void **state)
{
	uint32_t a, b;

	/* Channel ports in manifest order, from EVTCHN_PORT_DYN_FIRST in each partition. */
	assert_int_equal(ab_a, 64);
	assert_int_equal(ab_b, 64);
	assert_int_equal(bc_b, 65);
	assert_int_equal(bc_c, 64);
	assert_int_equal(ab2_a, 65);
	assert_int_equal(ab2_b, 66);
	assert_int_equal(evtchn_status(&sys, PA, ab_a), EVTCHN_STATE_CHANNEL);
	assert_int_equal(evtchn_status(&sys, PC, bc_c), EVTCHN_STATE_CHANNEL);
	/* Bound before its partitions run: down until both are open. */
	assert_int_equal(evtchn_create(&sys, 4, 1), 0);
	assert_int_equal(evtchn_bind_pair(&sys, PA, 4, &a, &b), 0);
	assert_int_equal(evtchn_status(&sys, PA, a), EVTCHN_STATE_PEER_DOWN);
	assert_int_equal(evtchn_status(&sys, 4, b), EVTCHN_STATE_PEER_DOWN);
	/* Bad pairs. */
	assert_int_equal(evtchn_bind_pair(&sys, PA, PA, &a, &b), -HV_EINVAL);
	assert_int_equal(evtchn_bind_pair(&sys, PA, 7, &a, &b), -HV_EINVAL);
	assert_int_equal(evtchn_bind_pair(&sys, EVTCHN_PARTS_MAX, PA, &a, &b), -HV_EINVAL);
	assert_int_equal(evtchn_bind_pair(&sys, PA, PB, NULL, &b), -HV_EINVAL);
}

/* A full table refuses the pair and leaves the other side untouched (check, then act). */
static void test_bind_full(void **state)
{
	uint32_t a, b;
	unsigned int n = 0;

	assert_int_equal(evtchn_create(&sys, 4, 1), 0);
	assert_int_equal(evtchn_create(&sys, 5, 1), 0);
	assert_int_equal(evtchn_create(&sys, 6, 1), 0);
	while (evtchn_bind_pair(&sys, 4, 5, &a, &b) == 0)
		n++;
	assert_int_equal(n, EVTCHN_PORTS - EVTCHN_PORT_DYN_FIRST);
	assert_int_equal(a, EVTCHN_PORTS - 1);
	assert_int_equal(evtchn_bind_pair(&sys, 4, 6, &a, &b), -HV_E2BIG);
	assert_int_equal(evtchn_bind_pair(&sys, 6, 4, &a, &b), -HV_E2BIG);
	assert_int_equal(evtchn_status(&sys, 6, EVTCHN_PORT_DYN_FIRST), EVTCHN_STATE_FREE);
}

/* ---- send and receive ---- */

static void test_send_receive(void **state)
{
	struct evtchn_upcall up;

	send_ok(PA, ab_a, true, &up);
	assert_upcall(&up, PB, 0, VEC_B0);
	assert_true(pending(PB, ab_b));
	assert_false(pending(PA, ab_a));
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 1);
	/* B's upcall handler runs. */
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(seen[ab_b], 1);
	assert_false(pending(PB, ab_b));
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 0);
	/* And back, and on the other channels. */
	send_ok(PB, ab_b, true, &up);
	assert_upcall(&up, PA, 0, VEC_A);
	assert_true(pending(PA, ab_a));
	send_ok(PB, bc_b, true, &up);
	assert_upcall(&up, PC, 0, VEC_C);
	assert_true(pending(PC, bc_c));
	send_ok(PA, ab2_a, true, &up);
	assert_upcall(&up, PB, 0, VEC_B0);
	assert_true(pending(PB, ab2_b));
	assert_false(pending(PB, ab_b));
}

/* N sends before the receiver looks: one upcall, one dispatch. */
static void test_coalesce(void **state)
{
	struct evtchn_upcall up;

	send_ok(PA, ab_a, true, &up);
	for (int i = 0; i < 100; i++)
		send_ok(PA, ab_a, false, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(seen[ab_b], 1);
	/* A spurious upcall (nothing pending) dispatches nothing. */
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 0);
	/* After the receiver looked, the next send raises again. */
	send_ok(PA, ab_a, true, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(seen[ab_b], 2);
}

/* Events on several ports before the receiver looks: still one upcall per vCPU. */
static void test_coalesce_ports(void **state)
{
	struct evtchn_upcall up;

	send_ok(PA, ab_a, true, &up);
	send_ok(PC, bc_c, false, &up);		/* upcall_pending already set */
	send_ok(PA, ab2_a, false, &up);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_CONSOLE, &up), 0);
	assert_false(up.raise);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 4);
	/* Ascending port order within one poll. */
	assert_int_equal(seen_order[0], EVTCHN_PORT_CONSOLE);
	assert_int_equal(seen_order[1], ab_b);
	assert_int_equal(seen_order[2], bc_b);
	assert_int_equal(seen_order[3], ab2_b);
}

/* A handler that sends re-arms the port: the event is seen again, not lost. */
static void resend(void *arg, uint32_t port)
{
	struct evtchn_upcall *up = arg;

	record(NULL, port);
	if (seen[port] == 1)
		assert_int_equal(evtchn_send(&sys, PA, ab_a, up), 0);
}

static void test_send_during_handler(void **state)
{
	struct evtchn_upcall up, inner;

	assert_int_equal(evtchn_guest_bind(&guest_b, ab_b, resend, &inner), 0);
	send_ok(PA, ab_a, true, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 2);
	assert_int_equal(seen[ab_b], 2);
	/* The send inside the handler found upcall_pending clear: it raised. */
	assert_upcall(&inner, PB, 0, VEC_B0);
	assert_false(pending(PB, ab_b));
}

/* ---- masking ---- */

static void test_mask(void **state)
{
	struct evtchn_upcall up;

	assert_int_equal(evtchn_guest_mask(&guest_b, ab_b), 0);
	send_ok(PA, ab_a, false, &up);
	assert_true(pending(PB, ab_b));
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 0);
	/* Another port is not affected by the mask. */
	send_ok(PA, ab2_a, true, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(seen[ab2_b], 1);
	assert_int_equal(seen[ab_b], 0);
	assert_true(pending(PB, ab_b));		/* masked events stay pending */
	/* Unmask with the port pending: the hypercall raises the held-back upcall. */
	assert_int_equal(evtchn_guest_unmask(&guest_b, ab_b), 0);
	assert_int_equal(hc_b.calls, 1);
	assert_upcall(&hc_b.last, PB, 0, VEC_B0);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(seen[ab_b], 1);
	/* Unmask with nothing pending: no hypercall. */
	assert_int_equal(evtchn_guest_mask(&guest_b, ab_b), 0);
	assert_int_equal(evtchn_guest_unmask(&guest_b, ab_b), 0);
	assert_int_equal(hc_b.calls, 1);
	send_ok(PA, ab_a, true, &up);
}

static void test_unmask_hypercall(void **state)
{
	struct evtchn_upcall up;

	/* Not pending: no upcall. */
	assert_int_equal(evtchn_unmask(&sys, PB, ab_b, &up), 0);
	assert_false(up.raise);
	/* Pending while masked, upcall already pending: coalesced. */
	page[PB]->mask[ab_b / 64] |= 1ull << (ab_b % 64);
	send_ok(PA, ab_a, false, &up);
	page[PB]->vcpu[0].upcall_pending = 1;
	assert_int_equal(evtchn_unmask(&sys, PB, ab_b, &up), 0);
	assert_false(up.raise);
	assert_int_equal(page[PB]->mask[ab_b / 64], 0);
	/* Pending, upcall clear: raise. Unmask works on VIRQ ports too. */
	page[PB]->vcpu[0].upcall_pending = 0;
	assert_int_equal(evtchn_unmask(&sys, PB, ab_b, &up), 0);
	assert_upcall(&up, PB, 0, VEC_B0);
	page[PB]->vcpu[1].upcall_pending = 0;
	page[PB]->pending[0] |= 1ull << EVTCHN_PORT_TIMER(1);
	assert_int_equal(evtchn_unmask(&sys, PB, EVTCHN_PORT_TIMER(1), &up), 0);
	assert_upcall(&up, PB, 1, VEC_B1);
	/* Bad ports. */
	assert_int_equal(evtchn_unmask(&sys, PB, 0, &up), -HV_EINVAL);
	assert_int_equal(evtchn_unmask(&sys, PB, EVTCHN_PORTS, &up), -HV_EINVAL);
	assert_int_equal(evtchn_unmask(&sys, PB, 200, &up), -HV_EINVAL);
	assert_int_equal(evtchn_unmask(&sys, 9, ab_b, &up), -HV_EINVAL);
	assert_false(up.raise);
}

/* upcall_mask: polling mode; events accumulate and are polled on unmask. */
static void test_upcall_mask(void **state)
{
	struct evtchn_upcall up;

	evtchn_guest_upcall_mask(&guest_b, 0);
	send_ok(PA, ab_a, false, &up);
	send_ok(PC, bc_c, false, &up);
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 1);
	/* A vector registered now does not inject while masked. */
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, VEC_B0, &up), 0);
	assert_false(up.raise);
	assert_int_equal(evtchn_guest_upcall_unmask(&guest_b, 0), 2);
	assert_int_equal(seen[ab_b], 1);
	assert_int_equal(seen[bc_b], 1);
	send_ok(PA, ab_a, true, &up);
}

/* No vector yet: events are recorded, and registering the vector delivers them. */
static void test_no_vector(void **state)
{
	struct evtchn_upcall up;

	assert_false(set_vec(PB, 0, EVTCHN_VECTOR_NONE));
	send_ok(PA, ab_a, false, &up);
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 1);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, VEC_B0, &up), 0);
	assert_upcall(&up, PB, 0, VEC_B0);
	/* Bad registrations change nothing. */
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, 31, &up), -HV_EINVAL);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, 256, &up), -HV_EINVAL);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, (1ull << 32) | VEC_B0, &up), -HV_EINVAL);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 2, VEC_B0, &up), -HV_EINVAL);
	assert_int_equal(evtchn_set_upcall(&sys, PA, 1, VEC_B0, &up), -HV_EINVAL);
	assert_int_equal(evtchn_set_upcall(&sys, 9, 0, VEC_B0, &up), -HV_EINVAL);
	assert_false(up.raise);
	assert_int_equal(sys.part[PB].vector[0], VEC_B0);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, 255, &up), 0);
}

/* ---- bad arguments: an error, and nothing changed anywhere ---- */

static uint8_t snap[NPARTS][EVTCHN_PAGE_SIZE];

static void snapshot(void)
{
	for (int p = 0; p < NPARTS; p++)
		memcpy(snap[p], page[p], EVTCHN_PAGE_SIZE);
}

static void assert_unchanged(void)
{
	for (int p = 0; p < NPARTS; p++)
		assert_memory_equal(snap[p], page[p], EVTCHN_PAGE_SIZE);
}

static void send_err(uint64_t part, uint64_t port, int err)
{
	struct evtchn_upcall up = { .raise = true };

	assert_int_equal(evtchn_send(&sys, part, port, &up), err);
	assert_false(up.raise);
}

static void test_bad_ports(void **state)
{
	struct evtchn_upcall up = { .raise = true };

	snapshot();
	send_err(PA, 0, -HV_EINVAL);
	send_err(PA, EVTCHN_PORTS, -HV_EINVAL);
	send_err(PA, ~0ull, -HV_EINVAL);
	send_err(PA, (1ull << 32) | ab_a, -HV_EINVAL);	/* no truncation to a valid port */
	send_err(PA, 100, -HV_EINVAL);			/* unbound */
	send_err(PA, ab2_b, -HV_EINVAL);		/* B's port number, free in A */
	send_err(PC, bc_b, -HV_EINVAL);			/* likewise in C */
	send_err(PA, EVTCHN_PORT_CONSOLE, -HV_EPERM);	/* hypervisor sources: receive only */
	send_err(PB, EVTCHN_PORT_TIMER(1), -HV_EPERM);
	send_err(PA, 2, -HV_EINVAL);			/* reserved */
	send_err(PA, EVTCHN_PORT_TIMER(1), -HV_EINVAL);	/* A has one vCPU */
	send_err(NPARTS, ab_a, -HV_EINVAL);		/* no such partition */
	send_err(EVTCHN_PARTS_MAX, ab_a, -HV_EINVAL);
	send_err(1ull << 40, ab_a, -HV_EINVAL);
	assert_int_equal(evtchn_raise_local(&sys, PB, ab_b, &up), -HV_EINVAL);
	assert_int_equal(evtchn_raise_local(&sys, PB, 0, &up), -HV_EINVAL);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_TIMER(2), &up), -HV_EINVAL);
	assert_int_equal(evtchn_raise_local(&sys, 9, EVTCHN_PORT_CONSOLE, &up), -HV_EINVAL);
	assert_false(up.raise);
	assert_int_equal(evtchn_status(&sys, PA, 0), -HV_EINVAL);
	assert_int_equal(evtchn_status(&sys, PA, EVTCHN_PORTS), -HV_EINVAL);
	assert_int_equal(evtchn_status(&sys, 9, 1), -HV_EINVAL);
	assert_unchanged();
}

/* ---- hypervisor sources ---- */

static void test_raise_local(void **state)
{
	struct evtchn_upcall up;

	/* vCPU 1's timer goes to vCPU 1 with its own vector; vCPU 0 does not take it. */
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_TIMER(1), &up), 0);
	assert_upcall(&up, PB, 1, VEC_B1);
	assert_int_equal(page[PB]->vcpu[0].upcall_pending, 0);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 0);
	assert_int_equal(evtchn_guest_poll(&guest_b, 1), 1);
	assert_int_equal(seen[EVTCHN_PORT_TIMER(1)], 1);
	/* Channel events are vCPU 0's: vCPU 1 leaves them pending even when it scans. */
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_TIMER(1), &up), 0);
	send_ok(PA, ab_a, true, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 1), 1);
	assert_true(pending(PB, ab_b));
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_CONSOLE, &up), 0);
	assert_upcall(&up, PB, 0, VEC_B0);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_CONSOLE, &up), 0);
	assert_false(up.raise);
}

/* ---- closing and reopening a partition ---- */

static void assert_kicks(struct evtchn_kicks *k, int part, int vcpu, int vec)
{
	struct evtchn_upcall up;

	assert_true(evtchn_kicks_next(k, &sys, &up));
	assert_upcall(&up, part, vcpu, vec);
}

static void assert_no_kicks(struct evtchn_kicks *k)
{
	struct evtchn_upcall up;

	assert_false(evtchn_kicks_next(k, &sys, &up));
	assert_false(up.raise);
}

static void test_close(void **state)
{
	struct evtchn_kicks k;
	struct evtchn_upcall up;

	/* B stops: A (two channels, one upcall) and C are told. */
	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	assert_kicks(&k, PA, 0, VEC_A);
	assert_kicks(&k, PC, 0, VEC_C);
	assert_no_kicks(&k);
	assert_true(pending(PA, ab_a));
	assert_true(pending(PA, ab2_a));
	assert_true(pending(PC, bc_c));
	assert_int_equal(evtchn_status(&sys, PA, ab_a), EVTCHN_STATE_PEER_DOWN);
	assert_int_equal(evtchn_status(&sys, PB, ab_b), EVTCHN_STATE_PEER_DOWN);
	assert_int_equal(evtchn_status(&sys, PC, bc_c), EVTCHN_STATE_PEER_DOWN);
	/* Sends to or from it fail; its page is not touched any more. */
	memset(page[PB], 0, EVTCHN_PAGE_SIZE);
	snapshot();
	send_err(PA, ab_a, -HV_ENOENT);
	send_err(PC, bc_c, -HV_ENOENT);
	send_err(PB, ab_b, -HV_ENOENT);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_CONSOLE, &up), -HV_ENOENT);
	assert_int_equal(evtchn_unmask(&sys, PB, ab_b, &up), -HV_ENOENT);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, VEC_B0, &up), -HV_ENOENT);
	assert_int_equal(evtchn_close(&sys, PB, &k), -HV_ENOENT);
	assert_int_equal(evtchn_close(&sys, 9, &k), -HV_EINVAL);
	assert_no_kicks(&k);
	assert_unchanged();
	/* A stays usable for its other sources. */
	assert_int_equal(evtchn_raise_local(&sys, PA, EVTCHN_PORT_TIMER(0), &up), 0);
}

static void test_reopen(void **state)
{
	struct evtchn_kicks k;
	struct evtchn_upcall up;

	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	/* Drain what the close told A and C, so the reopen's news raises fresh upcalls. */
	page[PA]->pending[1] = 0;
	page[PA]->vcpu[0].upcall_pending = 0;
	page[PC]->pending[1] = 0;
	page[PC]->vcpu[0].upcall_pending = 0;
	memset(page[PB], 0xff, EVTCHN_PAGE_SIZE);	/* the restarted guest's old junk */
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
	/* Zeroed, links up, peers told, vectors forgotten. */
	for (size_t i = 0; i < EVTCHN_PAGE_SIZE; i++)
		assert_int_equal(((uint8_t *)page[PB])[i], 0);
	assert_kicks(&k, PA, 0, VEC_A);
	assert_kicks(&k, PC, 0, VEC_C);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_status(&sys, PA, ab_a), EVTCHN_STATE_CHANNEL);
	assert_int_equal(evtchn_status(&sys, PB, bc_b), EVTCHN_STATE_CHANNEL);
	assert_int_equal(sys.part[PB].vector[0], 0);
	assert_int_equal(sys.part[PB].vector[1], 0);
	send_ok(PA, ab_a, false, &up);		/* no vector yet */
	assert_int_equal(evtchn_set_upcall(&sys, PB, 0, VEC_B0, &up), 0);
	assert_upcall(&up, PB, 0, VEC_B0);
	send_ok(PB, ab_b, false, &up);		/* A has not looked yet */
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), -HV_EBUSY);
	assert_no_kicks(&k);
}

/* Both ends down, then up one at a time: the link comes up with the second. */
static void test_close_both(void **state)
{
	struct evtchn_kicks k;

	assert_int_equal(evtchn_close(&sys, PA, &k), 0);
	assert_kicks(&k, PB, 0, VEC_B0);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	assert_kicks(&k, PC, 0, VEC_C);		/* A is down: only C hears */
	assert_no_kicks(&k);
	/* C has not looked yet: B's return is coalesced with its departure. */
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_guest_poll(&guest_c, 0), 1);
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
	assert_kicks(&k, PC, 0, VEC_C);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_status(&sys, PB, ab_b), EVTCHN_STATE_PEER_DOWN);
	assert_int_equal(evtchn_status(&sys, PB, bc_b), EVTCHN_STATE_CHANNEL);
	send_err(PB, ab_b, -HV_ENOENT);
	assert_false(set_vec(PB, 0, VEC_B0));
	assert_int_equal(evtchn_open(&sys, PA, page[PA], &k), 0);
	assert_kicks(&k, PB, 0, VEC_B0);
	assert_no_kicks(&k);
	assert_int_equal(evtchn_status(&sys, PA, ab2_a), EVTCHN_STATE_CHANNEL);
	assert_int_equal(evtchn_status(&sys, PB, ab2_b), EVTCHN_STATE_CHANNEL);
	assert_int_equal(evtchn_open(&sys, PA, NULL, &k), -HV_EINVAL);
	assert_int_equal(evtchn_open(&sys, 9, page[PA], &k), -HV_EINVAL);
}

/* Link epochs: 1 once both ends first run, one more each time a link comes back up. */
static void test_epochs(void **state)
{
	struct evtchn_kicks k;

	assert_int_equal(evtchn_epoch(&sys, PA, ab_a), 1);
	assert_int_equal(evtchn_epoch(&sys, PB, bc_b), 1);
	assert_int_equal(evtchn_epoch(&sys, PA, EVTCHN_PORT_CONSOLE), 0);
	assert_int_equal(evtchn_epoch(&sys, PA, EVTCHN_PORTS), -HV_EINVAL);
	assert_int_equal(evtchn_epoch(&sys, 9, ab_a), -HV_EINVAL);
	/* Down keeps the epoch; up again moves both ends on together. */
	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	assert_int_equal(evtchn_epoch(&sys, PA, ab_a), 1);
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
	assert_int_equal(evtchn_epoch(&sys, PA, ab_a), 2);
	assert_int_equal(evtchn_epoch(&sys, PB, ab_b), 2);
	assert_int_equal(evtchn_epoch(&sys, PA, ab2_a), 2);
	assert_int_equal(evtchn_epoch(&sys, PC, bc_c), 2);
	assert_int_equal(evtchn_status(&sys, PA, ab_a), EVTCHN_STATE_CHANNEL);
	/* A link that stays down while one end restarts does not move. */
	assert_int_equal(evtchn_close(&sys, PA, &k), 0);
	assert_int_equal(evtchn_close(&sys, PB, &k), 0);
	assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
	assert_int_equal(evtchn_epoch(&sys, PB, ab_b), 2);
	assert_int_equal(evtchn_epoch(&sys, PB, bc_b), 3);
	/* The largest epoch wraps to 1, never to 0 ("never up"). */
	sys.part[PA].port[ab_a].epoch = EVTCHN_EPOCH_MAX;
	assert_int_equal(evtchn_open(&sys, PA, page[PA], &k), 0);
	assert_int_equal(evtchn_epoch(&sys, PA, ab_a), 1);
	assert_int_equal(evtchn_epoch(&sys, PB, ab_b), 1);
	assert_int_equal(evtchn_epoch(&sys, PA, ab2_a), 3);
}

static void test_open_checks(void **state)
{
	struct evtchn_kicks k;
	struct evtchn_upcall up;

	assert_int_equal(evtchn_close(&sys, PC, &k), 0);
	assert_int_equal(evtchn_open(&sys, PC, NULL, &k), -HV_EINVAL);
	assert_int_equal(evtchn_open(&sys, PC, (struct evtchn_shared *)((uint8_t *)page[PC] + 64), &k),
			 -HV_EINVAL);
	send_err(PB, bc_b, -HV_ENOENT);
	assert_int_equal(evtchn_open(&sys, PC, page[PC], &k), 0);
	send_ok(PB, bc_b, false, &up);
}

/* ---- a guest that writes junk into its own page ---- */

static void test_hostile_page(void **state)
{
	struct evtchn_upcall up;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	/* Every bit set: pending already, all masked, upcall pending and masked. */
	memset(page[PB], 0xff, EVTCHN_PAGE_SIZE);
	snapshot();
	send_ok(PA, ab_a, false, &up);
	assert_int_equal(evtchn_raise_local(&sys, PB, EVTCHN_PORT_TIMER(1), &up), 0);
	assert_false(up.raise);
	assert_int_equal(evtchn_set_upcall(&sys, PB, 1, VEC_B1, &up), 0);
	assert_false(up.raise);
	/* Random junk, rewritten between operations: only that guest's events suffer. */
	for (int i = 0; i < 20000; i++) {
		uint64_t *w = (uint64_t *)page[PB];
		int r;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[x % (EVTCHN_PAGE_SIZE / 8)] = x;
		switch (i % 4) {
		case 0: r = evtchn_send(&sys, PA, ab_a, &up); break;
		case 1: r = evtchn_unmask(&sys, PB, x % EVTCHN_PORTS, &up); break;
		case 2: r = evtchn_raise_local(&sys, PB, x % 2 ? EVTCHN_PORT_CONSOLE : 33, &up); break;
		default: r = evtchn_set_upcall(&sys, PB, x % 2, VEC_B0, &up); break;
		}
		assert_true(r == 0 || r == -HV_EINVAL);
		if (up.raise) {
			assert_int_equal(up.part, PB);
			assert_true(up.vcpu < 2);
		}
		(void)evtchn_guest_poll(&guest_b, (uint32_t)(x % 2));
	}
	/* Nothing leaked into the other partitions' pages. */
	for (int p = 0; p < NPARTS; p++)
		if (p != PB)
			assert_int_equal(page[p]->pending[0] | page[p]->pending[1], 0);
}

/* ---- guest-side helpers ---- */

static void test_guest_helpers(void **state)
{
	struct evtchn_upcall up;

	assert_int_equal(evtchn_guest_bind(&guest_b, 0, record, NULL), -HV_EINVAL);
	assert_int_equal(evtchn_guest_bind(&guest_b, EVTCHN_PORTS, record, NULL), -HV_EINVAL);
	assert_int_equal(evtchn_guest_mask(&guest_b, 0), -HV_EINVAL);
	assert_int_equal(evtchn_guest_mask(&guest_b, EVTCHN_PORTS), -HV_EINVAL);
	assert_int_equal(evtchn_guest_unmask(&guest_b, 0), -HV_EINVAL);
	assert_int_equal(evtchn_guest_unmask(&guest_b, 1000), -HV_EINVAL);
	assert_int_equal(evtchn_guest_poll(&guest_b, EVTCHN_VCPUS_MAX), 0);
	assert_int_equal(evtchn_guest_upcall_unmask(&guest_b, EVTCHN_VCPUS_MAX), 0);
	assert_int_equal(hc_b.calls, 0);
	/* A port without a handler: cleared and counted, not dispatched. */
	assert_int_equal(evtchn_guest_bind(&guest_b, ab_b, NULL, NULL), 0);
	send_ok(PA, ab_a, true, &up);
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(guest_b.unhandled, 1);
	assert_int_equal(seen[ab_b], 0);
	assert_false(pending(PB, ab_b));
	/* The unmask hypercall's error comes back to the caller. */
	assert_int_equal(evtchn_guest_mask(&guest_b, ab_b), 0);
	send_ok(PA, ab_a, false, &up);
	hc_b.part = 9;
	assert_int_equal(evtchn_guest_unmask(&guest_b, ab_b), -HV_EINVAL);
	hc_b.part = PB;
	/* A bounded poll: a pending bit set behind the upcall's back is still found. */
	page[PB]->vcpu[0].upcall_pending = 1;
	assert_int_equal(evtchn_guest_poll(&guest_b, 0), 1);
	assert_int_equal(guest_b.unhandled, 2);
}

/* ---- threads: senders and a receiver on the same page ---- */

/*
 * No lost event, with coalescing: a send does not promise a dispatch of its own, only
 * that the receiver handles the port at least once *after* the send set the bit. Each
 * sender publishes a sequence number before every send (as a ring producer publishes
 * its index before notifying), and the handler reads it.
 *
 * The run is cut into rounds. In a round each sender sends a burst (1 to 16 events)
 * while the receiver handles upcalls and, to stir things, masks and unmasks ports and
 * its upcall. When every sender has finished its burst, the receiver stops stirring and
 * only reacts to upcalls. Invariant, checked at the end of every round: the receiver
 * has seen each sender's last number, within a timeout. A lost wake-up would leave a
 * bit pending with no upcall coming, and the round would time out, since nobody sends
 * again until it ends. Also: dispatches <= sends, upcalls <= sends, nothing pending
 * and nothing masked at the end.
 */
#define STRESS_ROUNDS	20000u
#define STRESS_SENDERS	3
#define STRESS_WAIT_S	5

struct stress {
	uint64_t round;				/* the round senders may run */
	uint64_t finished[STRESS_SENDERS];	/* last round each sender completed */
	uint64_t seq[STRESS_SENDERS];		/* published by each sender */
	uint64_t seen[STRESS_SENDERS];		/* last value the handler read */
	uint64_t dispatched[STRESS_SENDERS];
	uint64_t raised;			/* upcalls decided */
	uint8_t irq;				/* the vCPU's interrupt request (IRR) */
	int errors;
	uint32_t port[STRESS_SENDERS];		/* B's port of each sender */
};

static struct stress st;
/* Senders sleep between rounds, leaving the CPUs to the receiver. */
static pthread_mutex_t st_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t st_cond = PTHREAD_COND_INITIALIZER;

static void stress_inject(const struct evtchn_upcall *up)
{
	if (!up->raise)
		return;
	if (up->part != PB || up->vcpu != 0 || up->vector != VEC_B0)
		__atomic_fetch_add(&st.errors, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st.raised, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&st.irq, 1, __ATOMIC_SEQ_CST);
}

static int stress_send(int i, struct evtchn_upcall *up)
{
	if (i == 2)	/* a hypervisor source, on another word of the bitmap */
		return evtchn_raise_local(&sys, PB, EVTCHN_PORT_CONSOLE, up);
	return evtchn_send(&sys, PA, i == 0 ? ab_a : ab2_a, up);
}

static void *stress_sender(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct evtchn_upcall up;
	uint64_t n = 0;

	for (uint64_t r = 1; r <= STRESS_ROUNDS; r++) {
		pthread_mutex_lock(&st_lock);
		while (st.round < r)
			pthread_cond_wait(&st_cond, &st_lock);
		pthread_mutex_unlock(&st_lock);
		for (uint64_t k = (r * 7 + (uint64_t)i * 5) % 16; k < 16; k++) {
			__atomic_store_n(&st.seq[i], ++n, __ATOMIC_RELEASE);
			if (stress_send(i, &up))
				__atomic_fetch_add(&st.errors, 1, __ATOMIC_RELAXED);
			stress_inject(&up);
		}
		__atomic_store_n(&st.finished[i], r, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void stress_handler(void *arg, uint32_t port)
{
	for (int i = 0; i < STRESS_SENDERS; i++) {
		if (st.port[i] == port) {
			__atomic_store_n(&st.seen[i], __atomic_load_n(&st.seq[i], __ATOMIC_ACQUIRE),
					 __ATOMIC_RELAXED);
			st.dispatched[i]++;
		}
	}
}

static int64_t stress_unmask_hc(void *ctx, uint32_t port)
{
	struct evtchn_upcall up;
	int r = evtchn_unmask(&sys, PB, port, &up);

	stress_inject(&up);
	return r;
}

static bool stress_all(uint64_t *v, uint64_t want_round)
{
	for (int i = 0; i < STRESS_SENDERS; i++) {
		uint64_t x = __atomic_load_n(&v[i], __ATOMIC_ACQUIRE);

		if (want_round ? x != want_round : x != __atomic_load_n(&st.seq[i], __ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

/* The receiver's other duties: now and then masks a port, or upcalls, for a moment. */
static void stress_stir(struct evtchn_guest *g, unsigned int n)
{
	uint32_t port = st.port[n % STRESS_SENDERS];

	if (n % 5 == 0) {
		if (evtchn_guest_mask(g, port) || evtchn_guest_unmask(g, port))
			st.errors++;
	} else if (n % 7 == 0) {
		evtchn_guest_upcall_mask(g, 0);
		(void)evtchn_guest_upcall_unmask(g, 0);
	}
}

/* Runs one round as the receiver; false if an event was lost. */
static bool stress_round(struct evtchn_guest *g, uint64_t r, unsigned int *stir)
{
	time_t deadline = time(NULL) + STRESS_WAIT_S;
	bool quiet = false;

	pthread_mutex_lock(&st_lock);
	st.round = r;
	pthread_cond_broadcast(&st_cond);
	pthread_mutex_unlock(&st_lock);
	while (time(NULL) < deadline) {
		if (__atomic_exchange_n(&st.irq, 0, __ATOMIC_SEQ_CST))
			(void)evtchn_guest_poll(g, 0);
		else if (quiet && stress_all(st.seen, 0))
			return true;
		if (!quiet)
			quiet = stress_all(st.finished, r);
		if (!quiet)
			stress_stir(g, (*stir)++);
		else
			sched_yield();
	}
	return false;
}

static void test_stress(void **state)
{
	static struct evtchn_guest g;
	pthread_t t[STRESS_SENDERS];
	unsigned int stir = 0;
	uint64_t sends = 0;

	memset(&st, 0, sizeof(st));
	st.port[0] = ab_b;
	st.port[1] = ab2_b;
	st.port[2] = EVTCHN_PORT_CONSOLE;
	evtchn_guest_init(&g, page[PB], stress_unmask_hc, NULL);
	for (int i = 0; i < STRESS_SENDERS; i++)
		assert_int_equal(evtchn_guest_bind(&g, st.port[i], stress_handler, NULL), 0);
	for (int i = 0; i < STRESS_SENDERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, stress_sender, (void *)(intptr_t)i), 0);
	for (uint64_t r = 1; r <= STRESS_ROUNDS; r++) {
		if (!stress_round(&g, r, &stir)) {
			for (int i = 0; i < STRESS_SENDERS; i++)
				print_error("sender %d: sent %llu, last seen %llu\n", i,
					    (unsigned long long)st.seq[i], (unsigned long long)st.seen[i]);
			fail_msg("round %llu: an event was lost", (unsigned long long)r);
		}
	}
	for (int i = 0; i < STRESS_SENDERS; i++) {
		pthread_join(t[i], NULL);
		assert_true(st.dispatched[i] >= STRESS_ROUNDS && st.dispatched[i] <= st.seq[i]);
		sends += st.seq[i];
	}
	assert_int_equal(st.errors, 0);
	assert_true(st.raised >= 1 && st.raised <= sends);
	for (uint32_t w = 0; w < EVTCHN_WORDS; w++) {
		assert_int_equal(page[PB]->pending[w], 0);
		assert_int_equal(page[PB]->mask[w], 0);
	}
	print_message("stress: %llu sends, %llu upcalls, %llu dispatches\n",
		      (unsigned long long)sends, (unsigned long long)st.raised,
		      (unsigned long long)(st.dispatched[0] + st.dispatched[1] + st.dispatched[2]));
}

/*
 * Life cycle under fire: B restarts over and over while A sends. Every send either
 * succeeds or says the peer is down; when B is finally up, a send gets through.
 */
struct lifecycle {
	int done;
	int errors;
	uint64_t delivered, down;	/* sends that got through / found the peer down */
};

static struct lifecycle lc;

static void *lifecycle_sender(void *arg)
{
	struct evtchn_upcall up;

	while (!__atomic_load_n(&lc.done, __ATOMIC_SEQ_CST)) {
		int r = evtchn_send(&sys, PA, ab_a, &up);

		if (r == 0)
			lc.delivered++;
		else if (r == -HV_ENOENT)
			lc.down++;
		else
			__atomic_fetch_add(&lc.errors, 1, __ATOMIC_RELAXED);
		if (up.raise && (up.part != PB || up.vcpu != 0 || up.vector != VEC_B0))
			__atomic_fetch_add(&lc.errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_stress_lifecycle(void **state)
{
	struct evtchn_kicks k;
	struct evtchn_upcall up;
	pthread_t t;

	memset(&lc, 0, sizeof(lc));
	assert_int_equal(pthread_create(&t, NULL, lifecycle_sender, NULL), 0);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(evtchn_close(&sys, PB, &k), 0);
		assert_int_equal(evtchn_open(&sys, PB, page[PB], &k), 0);
		if (i % 2)
			(void)set_vec(PB, 0, VEC_B0);
	}
	__atomic_store_n(&lc.done, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	assert_int_equal(lc.errors, 0);
	print_message("lifecycle: %llu sends delivered, %llu found the peer down\n",
		      (unsigned long long)lc.delivered, (unsigned long long)lc.down);
	/* Up now; a stray bit from a sender that raced a reopen is a spurious event. */
	(void)evtchn_guest_poll(&guest_b, 0);
	page[PB]->pending[1] = 0;
	page[PB]->vcpu[0].upcall_pending = 0;
	send_ok(PA, ab_a, true, &up);
	assert_upcall(&up, PB, 0, VEC_B0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_owned_matches_convention),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_receive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesce_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_send_during_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upcall_mask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_raise_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_epochs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stress_lifecycle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
