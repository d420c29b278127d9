/* SPDX-License-Identifier: MIT */
/* Partitions: creation at boot, their CPUs, and what happens when one ends. */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include "vmm/guest.h"

/* ---- life cycle (vmm/lifecycle.c, docs/architecture.md) ---- */

/* Before any partition runs: every partition created counts as live. */
void partition_life_begin(void);
/* True while some partition runs or is about to run again: the CPUs keep scheduling. */
bool partition_live(void);
/*
 * On the CPU of a vCPU of g that ends it (a crash, HC_EXIT, the stuck check), before
 * that vCPU stops: g takes state (GUEST_STOPPED or GUEST_EXITED; the first caller's),
 * its other vCPUs are told to stop, and its home CPU decides between turns, once every
 * vCPU has stopped, by its restart policy, whether it starts again.
 */
void partition_stopped(struct guest *g, enum guest_state state);
/* On v's CPU: v stopped because its partition is stopping (VCPU_ATTN_STOP). */
void partition_vcpu_stopped(struct vcpu *v);
/* On v's CPU, before an entry: v's one-shot timer in event mode expired: raise its port. */
void partition_timer_event(struct vcpu *v);
/* A device-interrupt port of partition part (EVTCHN_PORT_DEV_*), notifying vCPU 0: its
 * number, or -HV_E2BIG; and raising it (from the host's interrupt handler). */
int partition_bind_source(unsigned int part);
void partition_raise_source(unsigned int part, uint32_t port);
/* g is over for good (or never started): it no longer keeps the system up. */
void partition_ended(struct guest *g);
/* What each CPU's scheduler loop calls between turns (struct sched_hooks, vmm/sched.h). */
struct sched_hooks;
extern const struct sched_hooks partition_sched_hooks;
/* Sets up v on its own CPU for a first or a new run: the back end, the I/O policy. */
int partition_vcpu_setup(struct vcpu *v) __attribute__((warn_unused_result));

/* The GRUB module whose string is name, or NULL. */
const struct boot_module *partition_find_module(const struct boot_info *bi, const char *name);

/* The partition table: a new slot (NULL when full), one by id, how many there are. */
struct guest *partition_new(void);
struct guest *partition_get(uint64_t id);
unsigned int partition_count(void);

/* Builds every partition and channel of the manifest in module mod; 0 or an error
 * after logging each manifest error with its line. */
int partitions_from_manifest(const struct boot_info *bi, const struct boot_module *mod)
	__attribute__((warn_unused_result));

/* For the life cycle (vmm/partition_manifest.c): g's start info into its zeroed memory,
 * and its event channels opened (peers told the links are up) or closed (down). */
void partition_write_start_info(struct guest *g, unsigned int restarts);
int partition_events_open(struct guest *g) __attribute__((warn_unused_result));
void partition_events_close(struct guest *g);

/* Hypercalls backed by the partition layer (vmm/partition_manifest.c, vmm/lifecycle.c). */
int64_t partition_evtchn_send(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_unmask(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_status(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_upcall(struct vcpu *v, uint64_t vector);
int64_t partition_vcpu_up(struct vcpu *v, uint64_t index, uint64_t rip, uint64_t arg);
int64_t partition_dev_irq(struct vcpu *v, uint64_t bdf, uint64_t index);
int64_t partition_list(struct vcpu *v, uint64_t gpa, uint64_t max);
int64_t partition_stop(struct vcpu *v, uint64_t id);
int64_t partition_start(struct vcpu *v, uint64_t id);
int64_t partition_restart(struct vcpu *v, uint64_t id);

#endif
