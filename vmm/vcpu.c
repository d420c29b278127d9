/* SPDX-License-Identifier: MIT */
/* The vCPU loop: enter, dispatch the exit, deliver events; stopping and exiting guests. */
#include "vmm/vcpu_run.h"
#include "vmm/partition.h"

#include <stdarg.h>

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "include/abi/hv_errno.h"
#include "vmm/exit.h"
#include "vmm/format.h"
#include "vmm/guest.h"
#include "vmm/log.h"

#define RFLAGS_IF	(1ull << 9)

const struct vcpu_ops *vcpu_vendor;

/* ---- stopping and exiting ---- */

static void guest_done(struct guest *g)
{
	g->vcpu.state = VCPU_STOPPED;
	partition_ended(g);
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
	v->guest->state = GUEST_STOPPED;
	guest_done(v->guest);
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
	pr_info("guest: %s exits total=%llu%s", v->guest->name, (unsigned long long)total,
		n ? line : "");
}

void vcpu_exit_guest(struct vcpu *v, int status)
{
	struct guest *g = v->guest;

	if (g->line_len)
		guest_console(g, "\n", 1);
	g->exit_status = status;
	g->state = GUEST_EXITED;
	pr_info("guest: %s exited status=%d io_denied=%llu", g->name, status,
		(unsigned long long)g->io_denied);
	report_exits(v);
	guest_done(g);
}

/* ---- event delivery before each entry ---- */

static void timer_check(struct vcpu *v)
{
	if (v->timer_deadline && rdtsc() >= v->timer_deadline) {
		v->irq_pending = true;
		v->irq_vector = v->timer_vector;
		v->timer_deadline = 0;
	}
}

/* A halted vCPU waits for its timer; returns false when it could never wake. */
static bool wake_halted(struct vcpu *v)
{
	if (!(v->rflags & RFLAGS_IF))
		return vcpu_fail(v, 0, "HLT with interrupts disabled: it would never wake") == 0;
	if (!v->irq_pending && !v->timer_deadline)
		return vcpu_fail(v, 0, "HLT with no timer armed: it would never wake") == 0;
	while (!v->irq_pending) {
		cpu_relax();
		timer_check(v);
	}
	v->state = VCPU_RUNNABLE;
	return true;
}

static bool prepare_events(struct vcpu *v)
{
	if (v->state == VCPU_STOPPED)
		return false;
	timer_check(v);
	if (v->state == VCPU_HALTED && !wake_halted(v))
		return false;
	if (!v->irq_pending)
		return true;
	if (vcpu_vendor->irq_allowed(v)) {
		vcpu_vendor->inject_irq(v, v->irq_vector);
		v->irq_pending = false;
	} else {
		vcpu_vendor->irq_window(v, true);
	}
	return true;
}

/* False when v must not be entered again. Most entries have nothing to deliver. */
static inline bool prepare_entry(struct vcpu *v)
{
	if (__builtin_expect(v->state == VCPU_RUNNABLE && !v->timer_deadline && !v->irq_pending,
			     1))
		return true;
	return prepare_events(v);
}

void vcpu_loop(struct vcpu *v)
{
	struct exit_info ei;

	while (prepare_entry(v)) {
		vcpu_vendor->run(v, &ei);
		if (exit_dispatch(v, &ei))
			break;
	}
}
