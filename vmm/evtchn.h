/* SPDX-License-Identifier: MIT */
/* Event channels, hypervisor side: port tables and the send/unmask state machine, pure logic (docs/evtchn.md). */
#ifndef VMM_EVTCHN_H
#define VMM_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"

/*
 * This code acts only on memory it is given (the tables below and each partition's
 * shared page, which tests replace with a buffer) and returns decisions ("inject
 * vector X into partition P's vCPU V") that the caller carries out: set the vCPU's
 * pending interrupt, wake it if halted, IPI its CPU if it runs elsewhere. A decision
 * for a partition that is no longer running is dropped by the caller.
 *
 * Concurrency:
 *  - evtchn_send, evtchn_raise_local, evtchn_unmask, evtchn_status and
 *    evtchn_set_upcall take no lock and may run on any CPUs at once, and at the same
 *    time as the guests write their pages. Table entries are read with one 8-byte
 *    atomic load; a channel is used only if both ends agree on each other.
 *  - evtchn_create, evtchn_bind_pair, evtchn_open and evtchn_close (the partition
 *    life cycle) must be serialised by the caller against each other (one lifecycle
 *    lock, not on the exit path), and the partition being opened or closed must have
 *    no vCPU running. They may run while other partitions send.
 *  - A shared page must stay mapped in the hypervisor for as long as the tables
 *    exist (partition memory is never freed; a restart reuses it). A sender that read
 *    the page pointer just before a close may still set a bit in it: a spurious event,
 *    which the protocol allows.
 *  - Values read back from a shared page are never used as an index or a count: only
 *    the bit or byte being tested decides, and a guest that scribbles on its own page
 *    can only lose or duplicate its own events.
 */

#define EVTCHN_PARTS_MAX	16u	/* partitions the tables have room for */

/* One port of one partition; 8 bytes so that a sender reads it with one atomic load. */
struct evtchn_port {
	uint8_t state;		/* enum evtchn_port_state */
	uint8_t vcpu;		/* the vCPU this port notifies */
	uint16_t peer;		/* CHANNEL, PEER_DOWN: the partition at the other end... */
	uint16_t peer_port;	/* ...and its port there */
	uint16_t epoch;		/* CHANNEL, PEER_DOWN: times the link came up (EVTCHN_EPOCH_MAX wraps to 1) */
} __attribute__((aligned(8)));

_Static_assert(sizeof(struct evtchn_port) == 8, "one atomic load");

struct evtchn_table {
	struct evtchn_shared *page;	/* host view of the shared page; NULL while stopped */
	uint32_t nvcpus;		/* 0: no such partition */
	uint8_t vector[EVTCHN_VCPUS_MAX];	/* upcall vector per vCPU, 0 = none */
	struct evtchn_port port[EVTCHN_PORTS];
};

/* Every partition's table, indexed by partition number. */
struct evtchn_sys {
	struct evtchn_table part[EVTCHN_PARTS_MAX];
};

/* A decision: when raise is set, inject vector into vCPU vcpu of partition part. */
struct evtchn_upcall {
	bool raise;
	uint8_t vcpu;
	uint8_t vector;
	uint16_t part;
};

/* Several decisions (from open and close): bit v of vcpus[p] = partition p, vCPU v. */
struct evtchn_kicks {
	uint32_t vcpus[EVTCHN_PARTS_MAX];
};

_Static_assert(EVTCHN_VCPUS_MAX <= 32, "struct evtchn_kicks holds 32 vCPUs per partition");

#define EVTCHN_WUR __attribute__((warn_unused_result))

/* Empties every table: no partitions. */
void evtchn_init(struct evtchn_sys *s);

/*
 * Life cycle (serialised by the caller, see above). evtchn_create makes partition
 * part with nvcpus vCPUs, stopped, with its hypervisor sources bound (console input,
 * one timer port per vCPU). evtchn_bind_pair binds the next free channel port of a to
 * the next free one of b (manifest order) and returns both numbers. evtchn_open starts
 * delivery into page (zeroed here); evtchn_close stops it. Both change the peers'
 * ports to CHANNEL / PEER_DOWN and notify them (the peers' events are in *k).
 */
int evtchn_create(struct evtchn_sys *s, uint64_t part, uint64_t nvcpus) EVTCHN_WUR;
/* A free port of part in [first, last] bound to a hypervisor source (receive only) that
 * notifies vcpu: the port, or -HV_E2BIG (none free), -HV_EINVAL. */
int evtchn_bind_source(struct evtchn_sys *s, uint64_t part, uint32_t first, uint32_t last,
		       uint32_t vcpu) EVTCHN_WUR;
int evtchn_bind_pair(struct evtchn_sys *s, uint64_t a, uint64_t b, uint32_t *port_a,
		     uint32_t *port_b) EVTCHN_WUR;
int evtchn_open(struct evtchn_sys *s, uint64_t part, struct evtchn_shared *page,
		struct evtchn_kicks *k) EVTCHN_WUR;
int evtchn_close(struct evtchn_sys *s, uint64_t part, struct evtchn_kicks *k) EVTCHN_WUR;

/*
 * Hypercalls and hypervisor sources. part (and vcpu) name the caller; port and vector
 * are the guest's raw 64-bit arguments, checked here. Each fills *up (raise false
 * unless an upcall is due) and returns 0 or -HV_E*; on error nothing changed.
 */
int evtchn_send(struct evtchn_sys *s, uint64_t part, uint64_t port, struct evtchn_upcall *up)
	EVTCHN_WUR;
int evtchn_raise_local(struct evtchn_sys *s, uint64_t part, uint64_t port,
		       struct evtchn_upcall *up) EVTCHN_WUR;
int evtchn_unmask(struct evtchn_sys *s, uint64_t part, uint64_t port, struct evtchn_upcall *up)
	EVTCHN_WUR;
int evtchn_set_upcall(struct evtchn_sys *s, uint64_t part, uint64_t vcpu, uint64_t vector,
		      struct evtchn_upcall *up) EVTCHN_WUR;
/* EVTCHN_STATUS: state | vcpu << 8 (>= 0), or -HV_EINVAL. */
int evtchn_status(struct evtchn_sys *s, uint64_t part, uint64_t port) EVTCHN_WUR;
/*
 * The link epoch of a channel port (>= 0): how many times the link came up, 0 if never
 * (both ends read the same value once it is up). -HV_EINVAL as evtchn_status.
 */
int evtchn_epoch(struct evtchn_sys *s, uint64_t part, uint64_t port) EVTCHN_WUR;

/* Takes the next decision out of *k into *up; false when none is left. */
bool evtchn_kicks_next(struct evtchn_kicks *k, struct evtchn_sys *s, struct evtchn_upcall *up)
	EVTCHN_WUR;

#endif
