/* SPDX-License-Identifier: MIT */
/* The vCPU loop (enter, dispatch, deliver events) and running the command line's guests. */
#include "vmm/vcpu_run.h"

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
#define CPUID_1_ECX_XSAVE (1u << 26)
#define POST_PORT	0x80

const struct vcpu_ops *vcpu_vendor;

static struct guest guests[GUEST_MAX];
static unsigned int nguests;
static volatile unsigned int guests_live;

/* ---- stopping and exiting ---- */

static void guest_done(struct guest *g)
{
	g->vcpu.state = VCPU_STOPPED;
	__atomic_sub_fetch(&guests_live, 1, __ATOMIC_SEQ_CST);
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

static void vcpu_loop(struct vcpu *v)
{
	struct exit_info ei;

	while (prepare_entry(v)) {
		vcpu_vendor->run(v, &ei);
		if (exit_dispatch(v, &ei))
			break;
	}
}

/* ---- running the guests of one physical CPU ---- */

static void cpu_prepare(void)
{
	/* XSETBV needs CR4.OSXSAVE in the host; the host itself never uses XSAVE state. */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
}

static void run_guest(struct guest *g)
{
	int ret = vcpu_vendor->vcpu_init(&g->vcpu, &g->mem);

	if (ret) {
		pr_err("guest: %s stopped: vCPU setup failed (error %d)", g->name, ret);
		g->state = GUEST_STOPPED;
		guest_done(g);
		return;
	}
	/* The fixed I/O policy until the manifest: the POST port goes straight through. */
	vcpu_vendor->io_passthrough(&g->vcpu, POST_PORT, true);
	g->state = GUEST_RUNNING;
	pr_info("guest: %s running on cpu %u (%s)", g->name, g->cpu, vcpu_vendor->name);
	vcpu_loop(&g->vcpu);
}

static void cpu_run_guests(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	int ret;

	cpu_prepare();
	ret = vcpu_vendor->cpu_enable();
	for (unsigned int i = 0; i < nguests; i++) {
		if (guests[i].cpu != cpu)
			continue;
		if (ret) {
			pr_err("guest: %s stopped: cpu %u cannot enable %s (error %d)",
			       guests[i].name, cpu, vcpu_vendor->name, ret);
			guests[i].state = GUEST_STOPPED;
			guest_done(&guests[i]);
			continue;
		}
		run_guest(&guests[i]);
	}
}

/* ---- setup from the command line ---- */

static const struct boot_module *find_module(const struct boot_info *bi, const char *name)
{
	for (size_t i = 0; i < bi->mod_count; i++) {
		const char *a = bi->mods[i].name, *b = name;

		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (*a == *b)
			return &bi->mods[i];
	}
	return 0;
}

static int create_one(const struct boot_info *bi, const struct guest_spec *s)
{
	const struct boot_module *mod = find_module(bi, s->name);
	struct guest *g = &guests[nguests];
	int ret;

	if (!mod) {
		pr_err("guest: %s: no module of that name", s->name);
		return -HV_ENOENT;
	}
	if (s->cpu >= cpu_count) {
		pr_err("guest: %s: cpu %u is not online (%u CPUs)", s->name, s->cpu, cpu_count);
		return -HV_EINVAL;
	}
	ret = guest_create(g, s, mod, vcpu_vendor);
	if (ret) {
		pr_err("guest: %s: cannot create (error %d)", s->name, ret);
		return ret;
	}
	pr_info("guest: %s created cpu=%u mem=%u MiB at 0x%llx entry=0x%llx", g->name, g->cpu,
		s->mem_mib, (unsigned long long)g->mem_hpa, (unsigned long long)g->entry);
	nguests++;
	return 0;
}

int guests_create(const struct boot_info *bi, const struct vcpu_ops *ops)
{
	struct guest_spec specs[GUEST_MAX];
	char spec[BOOT_CMDLINE_MAX];
	int n;

	vcpu_vendor = ops;
	if (!boot_cmdline_get(bi, "guests", spec, sizeof(spec)))
		return 0;
	n = guest_parse_specs(spec, specs, GUEST_MAX);
	if (n < 0) {
		pr_err("guest: bad guests= option '%s' (error %d)", spec, n);
		return n;
	}
	for (int i = 0; i < n; i++) {
		int ret = create_one(bi, &specs[i]);

		if (ret)
			return ret;
	}
	return n;
}

void guests_run(void)
{
	guests_live = nguests;
	for (unsigned int c = 1; c < cpu_count; c++) {
		percpu_area[c].work_arg = (void *)(uintptr_t)c;
		__atomic_store_n(&percpu_area[c].work, cpu_run_guests, __ATOMIC_RELEASE);
	}
	cpu_run_guests((void *)0);
	while (__atomic_load_n(&guests_live, __ATOMIC_ACQUIRE))
		cpu_relax();
	pr_info("hv: all guests finished");
}
