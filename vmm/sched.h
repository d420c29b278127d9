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
/* Runs this CPU's vCPUs, in turns, until every one of them has stopped. */
void sched_run_cpu(void);

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
/* v's guest stopped or exited: v never runs again. */
void sched_stopped(struct vcpu *v);

#endif
