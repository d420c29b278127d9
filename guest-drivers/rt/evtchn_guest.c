/* SPDX-License-Identifier: MIT */
/* Event channels, guest side: scans and clears pending bits, dispatches, masks and unmasks (docs/evtchn.md). */
#include <stddef.h>

#include "guest-drivers/rt/evtchn_guest.h"

/* Pairs with the hypervisor's accesses; see the comment on SC in vmm/evtchn.c. */
#define SC	__ATOMIC_SEQ_CST

/*
 * Rounds of one poll. One is enough for correctness (an event after the last clear of
 * upcall_pending raises a new upcall); a few more save upcalls under load, and the
 * bound keeps a flooding peer from holding this vCPU in the handler.
 */
#define EVTCHN_GUEST_ROUNDS	4

void evtchn_guest_init(struct evtchn_guest *g, struct evtchn_shared *page,
		       evtchn_guest_unmask_fn unmask, void *ctx)
{
	g->page = page;
	g->unmask = unmask;
	g->ctx = ctx;
	g->unhandled = 0;
	for (uint32_t p = 0; p < EVTCHN_PORTS; p++) {
		g->h[p].fn = NULL;
		g->h[p].arg = NULL;
	}
}

static bool evtchn_guest_port_ok(uint32_t port)
{
	return port != EVTCHN_PORT_NONE && port < EVTCHN_PORTS;
}

int evtchn_guest_bind(struct evtchn_guest *g, uint32_t port, evtchn_guest_fn fn, void *arg)
{
	if (!evtchn_guest_port_ok(port))
		return -HV_EINVAL;
	g->h[port].arg = arg;
	g->h[port].fn = fn;
	return 0;
}

int evtchn_guest_mask(struct evtchn_guest *g, uint32_t port)
{
	if (!evtchn_guest_port_ok(port))
		return -HV_EINVAL;
	__atomic_fetch_or(&g->page->mask[port / 64], 1ull << (port % 64), SC);
	return 0;
}

int64_t evtchn_guest_unmask(struct evtchn_guest *g, uint32_t port)
{
	uint64_t bit = 1ull << (port % 64);

	if (!evtchn_guest_port_ok(port))
		return -HV_EINVAL;
	__atomic_fetch_and(&g->page->mask[port / 64], ~bit, SC);
	/*
	 * Not pending: any later send sees the mask clear and raises the upcall itself.
	 * Pending: it arrived while masked and nobody raised it, so ask the hypervisor.
	 */
	if (!(__atomic_load_n(&g->page->pending[port / 64], SC) & bit))
		return 0;
	return g->unmask(g->ctx, port);
}

/* The bits of word w that hold ports [lo, hi). */
static uint64_t evtchn_guest_bits(uint32_t lo, uint32_t hi, uint32_t w)
{
	uint32_t base = w * 64;
	uint64_t below_hi, below_lo;

	if (hi <= base || lo >= base + 64)
		return 0;
	lo = lo > base ? lo - base : 0;
	hi = hi < base + 64 ? hi - base : 64;
	below_hi = hi == 64 ? ~0ull : (1ull << hi) - 1;
	below_lo = (1ull << lo) - 1;
	return below_hi & ~below_lo;
}

/* Called on every scan, so computed from ranges rather than port by port. */
uint64_t evtchn_guest_owned(uint32_t vcpu, uint32_t w)
{
	const uint32_t timers = EVTCHN_PORT_TIMER_BASE;
	uint64_t owned;

	if (vcpu >= EVTCHN_VCPUS_MAX || w >= EVTCHN_WORDS)
		return 0;
	owned = evtchn_guest_bits(EVTCHN_PORT_TIMER(vcpu), EVTCHN_PORT_TIMER(vcpu) + 1, w);
	if (vcpu == 0)	/* vCPU 0 takes every port that is not another vCPU's timer */
		owned |= ~evtchn_guest_bits(timers, timers + EVTCHN_VCPUS_MAX, w);
	return owned & ~evtchn_guest_bits(EVTCHN_PORT_NONE, EVTCHN_PORT_NONE + 1, w);
}

static void evtchn_guest_dispatch(struct evtchn_guest *g, uint32_t port)
{
	struct evtchn_guest_handler *h = &g->h[port];

	if (h->fn)
		h->fn(h->arg, port);
	else
		g->unhandled++;
}

/* Takes word w's pending, unmasked ports owned by vcpu and dispatches them. */
static uint32_t evtchn_guest_scan_word(struct evtchn_guest *g, uint32_t vcpu, uint32_t w)
{
	uint64_t want = evtchn_guest_owned(vcpu, w) & ~__atomic_load_n(&g->page->mask[w], SC);
	uint64_t got;
	uint32_t n = 0;

	/* A plain read first: no write to the senders' cache line when nothing is there. */
	if (!(__atomic_load_n(&g->page->pending[w], __ATOMIC_RELAXED) & want))
		return 0;
	/* Clear before handling: an event sent during the handler sets the bit again. */
	got = __atomic_fetch_and(&g->page->pending[w], ~want, SC) & want;
	while (got) {
		uint32_t b = (uint32_t)__builtin_ctzll(got);

		got &= got - 1;
		evtchn_guest_dispatch(g, w * 64 + b);
		n++;
	}
	return n;
}

uint32_t evtchn_guest_poll(struct evtchn_guest *g, uint32_t vcpu)
{
	struct evtchn_vcpu_info *vi;
	uint32_t n = 0;

	if (vcpu >= EVTCHN_VCPUS_MAX)
		return 0;
	vi = &g->page->vcpu[vcpu];
	/* Clear upcall_pending before the scan: what arrives during it raises again. */
	for (int r = 0; r < EVTCHN_GUEST_ROUNDS && __atomic_exchange_n(&vi->upcall_pending, 0, SC);
	     r++)
		for (uint32_t w = 0; w < EVTCHN_WORDS; w++)
			n += evtchn_guest_scan_word(g, vcpu, w);
	return n;
}

void evtchn_guest_upcall_mask(struct evtchn_guest *g, uint32_t vcpu)
{
	if (vcpu < EVTCHN_VCPUS_MAX)
		__atomic_store_n(&g->page->vcpu[vcpu].upcall_mask, 1, SC);
}

uint32_t evtchn_guest_upcall_unmask(struct evtchn_guest *g, uint32_t vcpu)
{
	if (vcpu >= EVTCHN_VCPUS_MAX)
		return 0;
	/* Store then load, both SC: pairs with the hypervisor's exchange-then-load. */
	__atomic_store_n(&g->page->vcpu[vcpu].upcall_mask, 0, SC);
	return evtchn_guest_poll(g, vcpu);
}
