/* SPDX-License-Identifier: MIT */
/* The vCPU scheduler: pinned vCPUs, per-CPU round robin with time slices, HLT blocking, cross-CPU wake-ups. */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/vcpu.h"

/*
 * How a CPU's vCPUs are started (vmm/partition.c): on that CPU, vcpu_init() for each,
 * then sched_add() for each, then sched_run_cpu(). 0, or -HV_ENOMEM (its register save
 * area) / -HV_E2BIG (too many vCPUs on one CPU): v is then not queued.
 */
int sched_add(struct vcpu *v) __attribute__((warn_unused_result));
/* At boot, before any CPU schedules: cpu hosts a vCPU, queued now or later (a secondary
 * vCPU brought up by HC_VCPU_UP); sched_run_cpu() stays on such a CPU while any partition
 * lives. sched_add() of a vCPU in VCPU_STOPPED queues it without counting it as live. */
void sched_host(unsigned int cpu);

/* What the partition layer does on each CPU between turns (vmm/lifecycle.c). */
struct sched_hooks {
	/* Life-cycle work for this CPU's vCPUs (sched_poke), run when none is in the guest. */
	void (*work)(unsigned int cpu);
	/* True while a partition may still run: a stopped vCPU may be started again. */
	bool (*live)(void);
};

/*
 * Runs this CPU's vCPUs, in turns, calling h->work when poked, until every one of them
 * has stopped and h->live() is false; while all are stopped the CPU waits in HLT.
 */
void sched_run_cpu(const struct sched_hooks *h);
/*
 * From any CPU: cpu calls its work hook soon. A vCPU in the guest there leaves it (an
 * IPI, or on this CPU its next entry); an idle CPU wakes. It stays runnable.
 */
void sched_poke(unsigned int cpu);
/* From the work hook: this CPU calls it again once the TSC reaches tsc (a delay). */
void sched_poke_at(uint64_t tsc);
/* Wakes every other CPU waiting in sched_run_cpu, to ask h->live() again. */
void sched_wake_all(void);
/*
 * From the work hook on v's CPU: a stopped v, set up again (vcpu_init), runs again: it
 * is made runnable in the queue it already has its place in (no second entry), with
 * this CPU's x87/SSE registers no longer taken for its. 0, or -HV_ENOENT if v is not
 * queued or not stopped.
 */
int sched_restart(struct vcpu *v) __attribute__((warn_unused_result));

/*
 * Makes vector pending for v, from any CPU: v takes it (highest vector first) as soon as
 * it accepts interrupts. A v halted in HLT becomes runnable; a v running on another CPU
 * is kicked out of the guest by an IPI (vmm/vcpu.c).
 */
void vcpu_post_irq(struct vcpu *v, uint8_t vector);

/* ---- between the scheduler and the vCPU loop (vmm/vcpu.c) ---- */

/* Runs v, on its own CPU, until its time slice ends, it blocks in HLT or it stops. */
void vcpu_run_slice(struct vcpu *v);
/* Timers and the time slice before an entry of v (attn: the bits just taken from
 * v->attn); false when v's slice is over and another vCPU waits for the CPU. */
bool sched_entry_check(struct vcpu *v, uint32_t attn);
/* v is HALTED: true when it blocked, false when an interrupt was pending (it runs on). */
bool sched_block(struct vcpu *v);
/* After interrupts were posted for v: wakes it if halted, kicks its CPU if needed. */
void sched_wake(struct vcpu *v);
/* v's guest stopped or exited: v does not run again unless sched_restart(). Called on
 * v's CPU, by its exit handling or by the work hook (v not in the guest). */
void sched_stopped(struct vcpu *v);

#endif
