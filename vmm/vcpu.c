/* SPDX-License-Identifier: MIT */
/* The vCPU loop: enter, dispatch the exit, deliver interrupts; stopping and exiting guests. */
#include "vmm/vcpu_run.h"
#include "vmm/partition.h"
#include "vmm/sched.h"
#include "vmm/sched_queue.h"

#include <stdarg.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "include/abi/hv_errno.h"
#include "vmm/exit.h"
#include "vmm/format.h"
#include "vmm/guest.h"
#include "vmm/log.h"

const struct vcpu_ops *vcpu_vendor;

/* ---- stopping and exiting ---- */

/*
 * On v's CPU: v's partition stops and decides what comes next. The others are told to
 * stop before v counts as stopped, or the scheduler could find them all halted first
 * and call the system stuck.
 */
static void guest_done(struct vcpu *v, enum guest_state state)
{
	partition_stopped(v->guest, state);
	partition_vcpu_stopped(v);
}

static void dump_regs(struct vcpu *v, const struct exit_info *ei)
{
	const char *n = v->guest->name;
	const uint64_t *r = v->gpr;

	vcpu_vendor->read_crs(v);
	if (ei)
		pr_err("guest: %s   exit=%s raw=0x%x qual=0x%llx qual2=0x%llx len=%u", n,
		       exit_kind_name(ei->kind), ei->raw, (unsigned long long)ei->qual,
		       (unsigned long long)ei->qual2, ei->insn_len);
	pr_err("guest: %s   rip=0x%llx rsp=0x%llx rflags=0x%llx cr0=0x%llx cr3=0x%llx "
	       "cr4=0x%llx efer=0x%llx", n, (unsigned long long)v->rip,
	       (unsigned long long)r[GPR_RSP], (unsigned long long)v->rflags,
	       (unsigned long long)v->cr0, (unsigned long long)v->cr3,
	       (unsigned long long)v->cr4, (unsigned long long)v->efer);
	pr_err("guest: %s   rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx "
	       "rdi=0x%llx rbp=0x%llx", n, (unsigned long long)r[GPR_RAX],
	       (unsigned long long)r[GPR_RBX], (unsigned long long)r[GPR_RCX],
	       (unsigned long long)r[GPR_RDX], (unsigned long long)r[GPR_RSI],
	       (unsigned long long)r[GPR_RDI], (unsigned long long)r[GPR_RBP]);
	vcpu_vendor->dump(v);
}

int vcpu_fail(struct vcpu *v, const struct exit_info *ei, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	pr_err("guest: %s stopped: %s (rip 0x%llx, cpu %u)", v->guest->name, reason,
	       (unsigned long long)v->rip, v->cpu);
	dump_regs(v, ei);
	hv_snprintf(v->guest->why, sizeof(v->guest->why), "%s", reason);
	guest_done(v, GUEST_STOPPED);
	return 1;
}

static void report_exits(const struct vcpu *v)
{
	char line[400];
	int n = 0;
	uint64_t total = 0;

	for (unsigned int k = 0; k < EXIT_KIND_COUNT; k++) {
		if (!v->exits[k])
			continue;
		total += v->exits[k];
		if (n < (int)sizeof(line))
			n += hv_snprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu",
					 exit_kind_name((enum exit_kind)k),
					 (unsigned long long)v->exits[k]);
	}
	pr_info("guest: %s exits total=%llu%s injected=%llu", v->guest->name,
		(unsigned long long)total, n ? line : "", (unsigned long long)v->injected);
}

void vcpu_exit_guest(struct vcpu *v, int status)
{
	struct guest *g = v->guest;

	if (g->line_len)
		guest_console_out(g, "\n", 1);
	g->exit_status = status;
	pr_info("guest: %s exited status=%d io_denied=%llu", g->name, status,
		(unsigned long long)g->io_denied);
	report_exits(v);
	hv_snprintf(g->why, sizeof(g->why), "exited status=%d", status);
	guest_done(v, GUEST_EXITED);
}

/* ---- interrupts: posted from any CPU, delivered before an entry ---- */

void vcpu_post_irq(struct vcpu *v, uint8_t vector)
{
	__atomic_fetch_or(&v->irq_pending[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&v->attn, VCPU_ATTN_IRQ, __ATOMIC_SEQ_CST);
	sched_wake(v);
}

/*
 * The highest pending vector (posted, or the one-shot timer's once its deadline has
 * passed), if the guest takes it now; the rest wait for an interrupt window (an exit as
 * soon as the guest can take one) and a look at the next entry. An expired timer stays
 * armed until it is delivered here, so HC_TIMER_ONESHOT can still cancel it.
 */
static void deliver_irqs(struct vcpu *v)
{
	uint64_t now = v->timer_deadline ? rdtsc() : 0;
	bool timer;
	int vec;

	if (!v->timer_vector && sched_timer_expired(v, now)) {
		v->timer_deadline = 0;
		partition_timer_event(v);	/* posts the upcall vector, if one is due */
	}
	vec = sched_irq_next(v, now, &timer);

	if (vec < 0)
		return;
	if (vcpu_vendor->irq_allowed(v)) {
		__atomic_fetch_and(&v->irq_pending[vec / 64], ~(1ull << (vec % 64)),
				   __ATOMIC_SEQ_CST);
		if (timer)
			v->timer_deadline = 0;
		vcpu_vendor->inject_irq(v, (uint8_t)vec);
		v->injected++;
		if (sched_irq_next(v, now, &timer) < 0)
			return;
	}
	vcpu_vendor->irq_window(v, true);
	__atomic_fetch_or(&v->attn, VCPU_ATTN_IRQ, __ATOMIC_SEQ_CST);
}

/*
 * The slow path before an entry. Every bit taken from attn is acted on here: a vCPU
 * whose slice is over still gets its interrupt injected (it is delivered whenever v is
 * entered next). False when v must leave the CPU.
 */
static bool prepare_events(struct vcpu *v)
{
	uint32_t attn = __atomic_exchange_n(&v->attn, 0, __ATOMIC_SEQ_CST);
	bool stay;

	if (v->state == VCPU_STOPPED)
		return false;
	if (attn & VCPU_ATTN_STOP) {
		partition_vcpu_stopped(v);	/* another vCPU ended the partition */
		return false;
	}
	if (attn & VCPU_ATTN_FLUSH)
		vcpu_vendor->flush_nested(v);
	stay = sched_entry_check(v, attn);
	if (v->state == VCPU_HALTED && sched_block(v))
		return false;
	deliver_irqs(v);
	return stay;
}

/*
 * False when v must not be entered now. Most entries have nothing to do: one test of
 * attn (set by handlers, the scheduler and other CPUs) and of v's one-shot timer.
 */
static inline bool prepare_entry(struct vcpu *v)
{
	if (__builtin_expect(!(__atomic_load_n(&v->attn, __ATOMIC_SEQ_CST) | v->timer_deadline),
			     1))
		return true;
	return prepare_events(v);
}

void vcpu_run_slice(struct vcpu *v)
{
	struct exit_info ei;

	while (prepare_entry(v)) {
		vcpu_vendor->run(v, &ei);
		if (exit_dispatch(v, &ei))
			break;
	}
}
