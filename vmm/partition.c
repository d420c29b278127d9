/* SPDX-License-Identifier: MIT */
/* Partitions: built at boot (from the guests= option), set up and run on their CPUs. */
#include "vmm/partition.h"
#include "vmm/partition_dev.h"

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "include/abi/hv_errno.h"
#include "vmm/exit.h"
#include "vmm/guest.h"
#include "vmm/log.h"
#include "vmm/sched.h"
#include "vmm/vcpu_run.h"

#define CPUID_1_ECX_XSAVE (1u << 26)
#define POST_PORT	0x80

static struct guest guests[GUEST_MAX];
static unsigned int nguests;

struct guest *partition_new(void)
{
	return nguests < GUEST_MAX ? &guests[nguests++] : 0;
}

struct guest *partition_get(uint64_t id)
{
	return id < nguests ? &guests[id] : 0;
}

unsigned int partition_count(void)
{
	return nguests;
}

/* ---- running the guests of one physical CPU ---- */

static void cpu_prepare(void)
{
	/* XSETBV needs CR4.OSXSAVE in the host; the host itself never uses XSAVE state. */
	if (cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)
		write_cr4(read_cr4() | CR4_OSXSAVE);
}

int partition_vcpu_setup(struct vcpu *v)
{
	int ret = vcpu_vendor->vcpu_init(v, &v->guest->mem);

	if (ret)
		return ret;
	/* The POST port goes straight through, and the partition's I/O BARs. */
	vcpu_vendor->io_passthrough(v, POST_PORT, true);
	if (v->guest->managed)
		partition_devices_io_policy(v);
	return 0;
}

/* SCHED INTEGRATION (vmm/sched.h): set up and queue g's vCPU; sched_run_cpu() runs it. */
static void run_guest(struct guest *g)
{
	int ret = partition_vcpu_setup(&g->vcpus[0]);

	if (!ret)
		ret = sched_add(&g->vcpus[0]);
	if (ret) {
		pr_err("guest: %s stopped: vCPU setup failed (error %d)", g->name, ret);
		g->state = GUEST_STOPPED;
		g->vcpus[0].state = VCPU_STOPPED;
		partition_ended(g);
		return;
	}
	g->queued = g->vcpus[0].queued = true;
	g->state = GUEST_RUNNING;
	pr_info("guest: %s running on cpu %u (%s)", g->name, g->cpu, vcpu_vendor->name);
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
			guests[i].vcpus[0].state = VCPU_STOPPED;
			partition_ended(&guests[i]);
			continue;
		}
		run_guest(&guests[i]);
	}
	/* SCHED INTEGRATION: this CPU's vCPUs, until no partition can run any more. */
	sched_run_cpu(&partition_sched_hooks);
}

/* ---- setup from the command line ---- */

const struct boot_module *partition_find_module(const struct boot_info *bi, const char *name)
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
	const struct boot_module *mod = partition_find_module(bi, s->name);
	struct guest *g;
	int ret;

	if (!mod) {
		pr_err("guest: %s: no module of that name", s->name);
		return -HV_ENOENT;
	}
	if (s->cpu >= cpu_count) {
		pr_err("guest: %s: cpu %u is not online (%u CPUs)", s->name, s->cpu, cpu_count);
		return -HV_EINVAL;
	}
	g = partition_new();
	if (!g)
		return -HV_E2BIG;
	ret = guest_create(g, s, mod, vcpu_vendor);
	if (ret) {
		pr_err("guest: %s: cannot create (error %d)", s->name, ret);
		return ret;
	}
	g->id = nguests - 1;
	sched_host(g->cpu);
	pr_info("guest: %s created cpu=%u mem=%u MiB at 0x%llx entry=0x%llx", g->name, g->cpu,
		s->mem_mib, (unsigned long long)g->mem_hpa, (unsigned long long)g->entry);
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
	partition_life_begin();
	for (unsigned int c = 1; c < cpu_count; c++) {
		percpu_area[c].work_arg = (void *)(uintptr_t)c;
		__atomic_store_n(&percpu_area[c].work, cpu_run_guests, __ATOMIC_RELEASE);
	}
	cpu_run_guests((void *)0);
	while (partition_live())
		cpu_relax();
	pr_info("hv: all guests finished");
}
