/* SPDX-License-Identifier: MIT */
/* Event channels, guest side: handlers, scanning the shared event page, mask and unmask (docs/evtchn.md). */
#ifndef GUEST_DRIVERS_RT_EVTCHN_GUEST_H
#define GUEST_DRIVERS_RT_EVTCHN_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"

/* Called once per dispatched event, with the port that was pending. */
typedef void (*evtchn_guest_fn)(void *arg, uint32_t port);

/*
 * The EVTCHN_UNMASK hypercall: in a partition, rt_hypercall(HC_EVTCHN_UNMASK, port, ...);
 * in host tests, a fake that calls the hypervisor's evtchn_unmask. Returns 0 or -HV_E*.
 */
typedef int64_t (*evtchn_guest_unmask_fn)(void *ctx, uint32_t port);

struct evtchn_guest_handler {
	evtchn_guest_fn fn;
	void *arg;
};

/* One per partition; the handler table is shared by its vCPUs. */
struct evtchn_guest {
	struct evtchn_shared *page;
	evtchn_guest_unmask_fn unmask;
	void *ctx;
	uint64_t unhandled;	/* events on ports without a handler: cleared and counted */
	struct evtchn_guest_handler h[EVTCHN_PORTS];
};

/* No handlers; nothing is written to the page (the hypervisor zeroed it at start). */
void evtchn_guest_init(struct evtchn_guest *g, struct evtchn_shared *page,
		       evtchn_guest_unmask_fn unmask, void *ctx);

/* Sets (fn != NULL) or removes port's handler. Bind before unmasking the port. */
int evtchn_guest_bind(struct evtchn_guest *g, uint32_t port, evtchn_guest_fn fn, void *arg)
	__attribute__((warn_unused_result));

/* Masks port: its events stay pending, raise no upcall and are not dispatched. */
int evtchn_guest_mask(struct evtchn_guest *g, uint32_t port) __attribute__((warn_unused_result));

/* Unmasks port; if it is pending, asks the hypervisor (the hypercall) to raise it. */
int64_t evtchn_guest_unmask(struct evtchn_guest *g, uint32_t port)
	__attribute__((warn_unused_result));

/*
 * The upcall handler's body (also callable when polling): on vCPU vcpu, clears
 * upcall_pending, then takes every pending, unmasked port this vCPU owns (by
 * evtchn_port_vcpu) and dispatches it. Returns the number of events dispatched.
 */
uint32_t evtchn_guest_poll(struct evtchn_guest *g, uint32_t vcpu);

/* Polling mode on vcpu: events set upcall_pending but inject nothing. */
void evtchn_guest_upcall_mask(struct evtchn_guest *g, uint32_t vcpu);

/* Back to upcalls on vcpu; polls what arrived while masked. Returns events dispatched. */
uint32_t evtchn_guest_upcall_unmask(struct evtchn_guest *g, uint32_t vcpu);

/* The ports of bitmap word w that notify vCPU vcpu (the convention in the ABI). */
uint64_t evtchn_guest_owned(uint32_t vcpu, uint32_t w);

#endif
