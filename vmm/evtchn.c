/* SPDX-License-Identifier: MIT */
/* Event channels, hypervisor side: binds ports, sets pending bits and decides upcalls (docs/evtchn.md). */
#include <stddef.h>

#include "vmm/evtchn.h"

/*
 * Shared-page accesses that pair with the guest's are sequentially consistent: each
 * side writes one location then reads the other's (sender: pending then mask; guest:
 * mask then pending), and only a total order guarantees that one of them sees the
 * other's write, so that an event is never both held back and unnoticed.
 */
#define SC	__ATOMIC_SEQ_CST

/* ---- tables ---- */

static struct evtchn_table *evtchn_table(struct evtchn_sys *s, uint64_t part)
{
	if (part >= EVTCHN_PARTS_MAX || s->part[part].nvcpus == 0)
		return NULL;
	return &s->part[part];
}

static bool evtchn_port_ok(uint64_t port)
{
	return port != EVTCHN_PORT_NONE && port < EVTCHN_PORTS;
}

static struct evtchn_port evtchn_port_get(const struct evtchn_table *t, uint64_t port)
{
	struct evtchn_port e;

	__atomic_load(&t->port[port], &e, __ATOMIC_ACQUIRE);
	return e;
}

static void evtchn_port_put(struct evtchn_table *t, uint64_t port, struct evtchn_port e)
{
	__atomic_store(&t->port[port], &e, __ATOMIC_RELEASE);
}

static struct evtchn_shared *evtchn_page(const struct evtchn_table *t)
{
	return __atomic_load_n(&t->page, __ATOMIC_ACQUIRE);
}

/* ---- the shared page ---- */

/* Marks vCPU vcpu's upcall pending; true if it was not and upcalls are not masked. */
static bool evtchn_mark_vcpu(struct evtchn_shared *page, uint32_t vcpu)
{
	struct evtchn_vcpu_info *vi = &page->vcpu[vcpu];

	if (__atomic_exchange_n(&vi->upcall_pending, 1, SC))
		return false;	/* already signalled and not yet scanned: coalesce */
	return __atomic_load_n(&vi->upcall_mask, SC) == 0;
}

/* Sets port's pending bit; true if vCPU vcpu must get an upcall for it. */
static bool evtchn_set_pending(struct evtchn_shared *page, uint32_t port, uint32_t vcpu)
{
	uint64_t bit = 1ull << (port % 64);

	if (__atomic_fetch_or(&page->pending[port / 64], bit, SC) & bit)
		return false;	/* already pending: the guest will see it once */
	if (__atomic_load_n(&page->mask[port / 64], SC) & bit)
		return false;	/* masked: evtchn_unmask raises it later */
	return evtchn_mark_vcpu(page, vcpu);
}

/* Zeroes a page the guest may be reading: word stores, never a memset call. */
static void evtchn_page_zero(struct evtchn_shared *page)
{
	uint64_t *w = (uint64_t *)page;

	for (size_t i = 0; i < EVTCHN_PAGE_SIZE / sizeof(*w); i++)
		__atomic_store_n(&w[i], 0, __ATOMIC_RELAXED);
}

/* ---- decisions ---- */

static void evtchn_decide(struct evtchn_table *t, uint64_t part, uint32_t vcpu, bool marked,
			  struct evtchn_upcall *up)
{
	uint8_t vector = __atomic_load_n(&t->vector[vcpu], SC);

	up->raise = marked && vector != EVTCHN_VECTOR_NONE;
	up->part = (uint16_t)part;
	up->vcpu = (uint8_t)vcpu;
	up->vector = vector;
}

static void evtchn_upcall_none(struct evtchn_upcall *up)
{
	up->raise = false;
	up->part = 0;
	up->vcpu = 0;
	up->vector = 0;
}

static void evtchn_kicks_clear(struct evtchn_kicks *k)
{
	for (size_t i = 0; i < EVTCHN_PARTS_MAX; i++)
		k->vcpus[i] = 0;
}

bool evtchn_kicks_next(struct evtchn_kicks *k, struct evtchn_sys *s, struct evtchn_upcall *up)
{
	for (uint32_t p = 0; p < EVTCHN_PARTS_MAX; p++) {
		while (k->vcpus[p]) {
			uint32_t v = (uint32_t)__builtin_ctz(k->vcpus[p]);

			k->vcpus[p] &= k->vcpus[p] - 1;
			evtchn_decide(&s->part[p], p, v, true, up);
			if (up->raise)
				return true;
		}
	}
	evtchn_upcall_none(up);
	return false;
}

/* Notifies peer's port pport (a lifecycle change at the other end) if peer is running. */
static void evtchn_notify_peer(struct evtchn_sys *s, uint32_t peer, uint32_t pport,
			       struct evtchn_kicks *k)
{
	struct evtchn_table *pt = &s->part[peer];
	struct evtchn_shared *page = evtchn_page(pt);
	uint32_t vcpu = evtchn_port_get(pt, pport).vcpu;

	if (page && evtchn_set_pending(page, pport, vcpu))
		k->vcpus[peer] |= 1u << vcpu;
}

/* ---- life cycle ---- */

void evtchn_init(struct evtchn_sys *s)
{
	for (uint32_t p = 0; p < EVTCHN_PARTS_MAX; p++) {
		struct evtchn_table *t = &s->part[p];

		t->page = NULL;
		t->nvcpus = 0;
		for (uint32_t v = 0; v < EVTCHN_VCPUS_MAX; v++)
			t->vector[v] = 0;
		for (uint32_t i = 0; i < EVTCHN_PORTS; i++)
			evtchn_port_put(t, i, (struct evtchn_port){ .state = EVTCHN_STATE_FREE });
	}
}

static void evtchn_bind_virq(struct evtchn_table *t, uint32_t port, uint32_t vcpu)
{
	evtchn_port_put(t, port, (struct evtchn_port){
		.state = EVTCHN_STATE_VIRQ, .vcpu = (uint8_t)vcpu });
}

int evtchn_create(struct evtchn_sys *s, uint64_t part, uint64_t nvcpus)
{
	struct evtchn_table *t;

	if (part >= EVTCHN_PARTS_MAX || nvcpus == 0 || nvcpus > EVTCHN_VCPUS_MAX)
		return -HV_EINVAL;
	if (evtchn_table(s, part))
		return -HV_EEXIST;
	t = &s->part[part];
	evtchn_bind_virq(t, EVTCHN_PORT_CONSOLE, 0);
	for (uint32_t v = 0; v < nvcpus; v++)
		evtchn_bind_virq(t, EVTCHN_PORT_TIMER(v), v);
	t->nvcpus = (uint32_t)nvcpus;
	return 0;
}

int evtchn_bind_source(struct evtchn_sys *s, uint64_t part, uint32_t first, uint32_t last,
		       uint32_t vcpu)
{
	struct evtchn_table *t = evtchn_table(s, part);

	if (!t || vcpu >= t->nvcpus || first > last || last >= EVTCHN_PORTS)
		return -HV_EINVAL;
	for (uint32_t p = first; p <= last; p++) {
		if (evtchn_port_get(t, p).state == EVTCHN_STATE_FREE) {
			evtchn_bind_virq(t, p, vcpu);
			return (int)p;
		}
	}
	return -HV_E2BIG;
}

/* The lowest free channel port of t, or EVTCHN_PORT_NONE. */
static uint32_t evtchn_free_port(const struct evtchn_table *t)
{
	for (uint32_t p = EVTCHN_PORT_DYN_FIRST; p < EVTCHN_PORTS; p++)
		if (evtchn_port_get(t, p).state == EVTCHN_STATE_FREE)
			return p;
	return EVTCHN_PORT_NONE;
}

int evtchn_bind_pair(struct evtchn_sys *s, uint64_t a, uint64_t b, uint32_t *port_a,
		     uint32_t *port_b)
{
	struct evtchn_table *ta = evtchn_table(s, a), *tb = evtchn_table(s, b);
	uint32_t pa, pb;
	uint16_t epoch;
	uint8_t state;

	if (!ta || !tb || a == b || !port_a || !port_b)
		return -HV_EINVAL;
	pa = evtchn_free_port(ta);
	pb = evtchn_free_port(tb);
	if (pa == EVTCHN_PORT_NONE || pb == EVTCHN_PORT_NONE)
		return -HV_E2BIG;
	/* Senders check that both ends agree, so the two stores may land in any order. */
	state = evtchn_page(ta) && evtchn_page(tb) ? EVTCHN_STATE_CHANNEL : EVTCHN_STATE_PEER_DOWN;
	epoch = state == EVTCHN_STATE_CHANNEL ? 1 : 0;
	evtchn_port_put(ta, pa, (struct evtchn_port){
		.state = state, .peer = (uint16_t)b, .peer_port = (uint16_t)pb, .epoch = epoch });
	evtchn_port_put(tb, pb, (struct evtchn_port){
		.state = state, .peer = (uint16_t)a, .peer_port = (uint16_t)pa, .epoch = epoch });
	*port_a = pa;
	*port_b = pb;
	return 0;
}

/* The epoch after e: a new life of the link, never 0 (0 means "never up"). */
static uint16_t evtchn_epoch_next(uint16_t e)
{
	return e >= EVTCHN_EPOCH_MAX ? 1 : (uint16_t)(e + 1);
}

/* Sets a port's state, and its epoch when the link comes up. */
static void evtchn_port_link(struct evtchn_table *t, uint64_t port, uint8_t state,
			     uint16_t epoch)
{
	struct evtchn_port e = evtchn_port_get(t, port);

	e.state = state;
	e.epoch = epoch;
	evtchn_port_put(t, port, e);
}

/*
 * Brings up or down the channel on port of partition part: this end first, then the
 * peer's end, which is the one the peer's senders look at; then the peer is told. Each
 * time it comes up both ends get the next epoch: a new life of whatever they share.
 */
static void evtchn_link(struct evtchn_sys *s, uint64_t part, uint32_t port, uint8_t state,
			struct evtchn_kicks *k)
{
	struct evtchn_table *t = &s->part[part];
	struct evtchn_port e = evtchn_port_get(t, port);
	uint16_t epoch = state == EVTCHN_STATE_CHANNEL ? evtchn_epoch_next(e.epoch) : e.epoch;

	evtchn_port_link(t, port, state, epoch);
	evtchn_port_link(&s->part[e.peer], e.peer_port, state, epoch);
	evtchn_notify_peer(s, e.peer, e.peer_port, k);
}

int evtchn_open(struct evtchn_sys *s, uint64_t part, struct evtchn_shared *page,
		struct evtchn_kicks *k)
{
	struct evtchn_table *t = evtchn_table(s, part);

	evtchn_kicks_clear(k);
	if (!t || !page || (uintptr_t)page % EVTCHN_PAGE_SIZE)
		return -HV_EINVAL;
	if (evtchn_page(t))
		return -HV_EBUSY;
	evtchn_page_zero(page);
	for (uint32_t v = 0; v < EVTCHN_VCPUS_MAX; v++)
		__atomic_store_n(&t->vector[v], 0, SC);
	/* Publish the page before any peer can see CHANNEL on its end. */
	__atomic_store_n(&t->page, page, __ATOMIC_RELEASE);
	for (uint32_t p = EVTCHN_PORT_DYN_FIRST; p < EVTCHN_PORTS; p++) {
		struct evtchn_port e = evtchn_port_get(t, p);

		if (e.state == EVTCHN_STATE_PEER_DOWN && evtchn_page(&s->part[e.peer]))
			evtchn_link(s, part, p, EVTCHN_STATE_CHANNEL, k);
	}
	return 0;
}

int evtchn_close(struct evtchn_sys *s, uint64_t part, struct evtchn_kicks *k)
{
	struct evtchn_table *t = evtchn_table(s, part);

	evtchn_kicks_clear(k);
	if (!t)
		return -HV_EINVAL;
	if (!evtchn_page(t))
		return -HV_ENOENT;
	/* Unpublish first: from here a sender that looks finds no page and fails. */
	__atomic_store_n(&t->page, NULL, __ATOMIC_RELEASE);
	for (uint32_t v = 0; v < EVTCHN_VCPUS_MAX; v++)
		__atomic_store_n(&t->vector[v], 0, SC);
	for (uint32_t p = EVTCHN_PORT_DYN_FIRST; p < EVTCHN_PORTS; p++)
		if (evtchn_port_get(t, p).state == EVTCHN_STATE_CHANNEL)
			evtchn_link(s, part, p, EVTCHN_STATE_PEER_DOWN, k);
	return 0;
}

/* ---- hypercalls and hypervisor sources ---- */

/* Where a send on part's port lands: the peer's table, page, port; or an error. */
struct evtchn_target {
	struct evtchn_table *t;
	struct evtchn_shared *page;
	uint32_t part, port, vcpu;
};

static int evtchn_resolve(struct evtchn_sys *s, uint64_t part, uint64_t port,
			  struct evtchn_target *to)
{
	struct evtchn_table *t = evtchn_table(s, part);
	struct evtchn_port e, pe;

	if (!t || !evtchn_port_ok(port))
		return -HV_EINVAL;
	e = evtchn_port_get(t, port);
	if (e.state == EVTCHN_STATE_VIRQ)
		return -HV_EPERM;
	if (e.state != EVTCHN_STATE_CHANNEL && e.state != EVTCHN_STATE_PEER_DOWN)
		return -HV_EINVAL;
	to->t = evtchn_table(s, e.peer);
	if (e.state != EVTCHN_STATE_CHANNEL || !to->t || !evtchn_port_ok(e.peer_port))
		return -HV_ENOENT;
	pe = evtchn_port_get(to->t, e.peer_port);
	to->page = evtchn_page(to->t);
	/* Both ends must agree: a half-made or half-broken link is a down one. */
	if (pe.state != EVTCHN_STATE_CHANNEL || pe.peer != part || pe.peer_port != port ||
	    !to->page)
		return -HV_ENOENT;
	to->part = e.peer;
	to->port = e.peer_port;
	to->vcpu = pe.vcpu;
	return 0;
}

int evtchn_send(struct evtchn_sys *s, uint64_t part, uint64_t port, struct evtchn_upcall *up)
{
	struct evtchn_target to;
	int err;

	evtchn_upcall_none(up);
	err = evtchn_resolve(s, part, port, &to);
	if (err)
		return err;
	evtchn_decide(to.t, to.part, to.vcpu, evtchn_set_pending(to.page, to.port, to.vcpu), up);
	return 0;
}

/* part's table and page if port is a bound port there (VIRQ only if virq), else an error. */
static int evtchn_own_port(struct evtchn_sys *s, uint64_t part, uint64_t port, bool virq,
			   struct evtchn_target *to)
{
	struct evtchn_port e;

	to->t = evtchn_table(s, part);
	if (!to->t || !evtchn_port_ok(port))
		return -HV_EINVAL;
	e = evtchn_port_get(to->t, port);
	if (e.state == EVTCHN_STATE_FREE || (virq && e.state != EVTCHN_STATE_VIRQ))
		return -HV_EINVAL;
	to->page = evtchn_page(to->t);
	if (!to->page)
		return -HV_ENOENT;
	to->part = (uint32_t)part;
	to->port = (uint32_t)port;
	to->vcpu = e.vcpu;
	return 0;
}

int evtchn_raise_local(struct evtchn_sys *s, uint64_t part, uint64_t port,
		       struct evtchn_upcall *up)
{
	struct evtchn_target to;
	int err;

	evtchn_upcall_none(up);
	err = evtchn_own_port(s, part, port, true, &to);
	if (err)
		return err;
	evtchn_decide(to.t, to.part, to.vcpu, evtchn_set_pending(to.page, to.port, to.vcpu), up);
	return 0;
}

int evtchn_unmask(struct evtchn_sys *s, uint64_t part, uint64_t port, struct evtchn_upcall *up)
{
	struct evtchn_target to;
	uint64_t bit = 1ull << (port % 64);
	bool marked = false;
	int err;

	evtchn_upcall_none(up);
	err = evtchn_own_port(s, part, port, false, &to);
	if (err)
		return err;
	__atomic_fetch_and(&to.page->mask[to.port / 64], ~bit, SC);
	/* Pending while masked: nobody raised it, so raise it now (Xen's evtchn_unmask). */
	if (__atomic_load_n(&to.page->pending[to.port / 64], SC) & bit)
		marked = evtchn_mark_vcpu(to.page, to.vcpu);
	evtchn_decide(to.t, to.part, to.vcpu, marked, up);
	return 0;
}

int evtchn_set_upcall(struct evtchn_sys *s, uint64_t part, uint64_t vcpu, uint64_t vector,
		      struct evtchn_upcall *up)
{
	struct evtchn_table *t = evtchn_table(s, part);
	struct evtchn_shared *page;
	struct evtchn_vcpu_info *vi;
	bool marked;

	evtchn_upcall_none(up);
	if (!t || vcpu >= t->nvcpus)
		return -HV_EINVAL;
	if (vector != EVTCHN_VECTOR_NONE &&
	    (vector < EVTCHN_VECTOR_MIN || vector > EVTCHN_VECTOR_MAX))
		return -HV_EINVAL;
	page = evtchn_page(t);
	if (!page)
		return -HV_ENOENT;
	__atomic_store_n(&t->vector[vcpu], (uint8_t)vector, SC);
	/* Events that came while there was no vector left upcall_pending set: deliver them. */
	vi = &page->vcpu[vcpu];
	marked = __atomic_load_n(&vi->upcall_pending, SC) && !__atomic_load_n(&vi->upcall_mask, SC);
	evtchn_decide(t, part, (uint32_t)vcpu, marked, up);
	return 0;
}

int evtchn_status(struct evtchn_sys *s, uint64_t part, uint64_t port)
{
	struct evtchn_table *t = evtchn_table(s, part);
	struct evtchn_port e;

	if (!t || !evtchn_port_ok(port))
		return -HV_EINVAL;
	e = evtchn_port_get(t, port);
	return e.state | e.vcpu << 8;
}

int evtchn_epoch(struct evtchn_sys *s, uint64_t part, uint64_t port)
{
	struct evtchn_table *t = evtchn_table(s, part);
	struct evtchn_port e;

	if (!t || !evtchn_port_ok(port))
		return -HV_EINVAL;
	e = evtchn_port_get(t, port);
	return e.state == EVTCHN_STATE_CHANNEL || e.state == EVTCHN_STATE_PEER_DOWN ? e.epoch : 0;
}
