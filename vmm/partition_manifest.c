/* SPDX-License-Identifier: MIT */
/* Partitions, channels and event channels built from the manifest, and their hypercalls. */
#include "arch/x86/tsc.h"
#include "include/abi/evtchn.h"
#include "include/abi/hypercall.h"
#include "include/abi/startinfo.h"
#include "vmm/evtchn.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/manifest.h"
#include "vmm/mem.h"
#include "vmm/partition.h"
#include "vmm/sched.h"

#define PAGE		4096ull
#define LIST_MAX	64u

extern unsigned int cpu_count;

/* Large: kept out of the stack. Written at boot only, read afterwards. */
static struct manifest manifest;
static struct manifest_errors merrs;
/* Port tables of every partition. Lifecycle calls happen at boot only, so far. */
static struct evtchn_sys evsys;

/* ---- building ---- */

static void plan_line(void *ctx, const char *line)
{
	pr_info("plan: %s", line);
}

static int parse(const struct boot_module *mod)
{
	struct manifest_limits lim = { cpu_count, mem_free_pages() * PAGE };
	int ret = manifest_parse((const char *)(uintptr_t)mod->start,
				 (size_t)(mod->end - mod->start), &lim, &manifest, &merrs);

	if (!ret) {
		manifest_plan(&manifest, plan_line, 0);
		return 0;
	}
	for (unsigned int i = 0; i < merrs.n; i++)
		pr_err("manifest:%u: %s: %s", merrs.e[i].line, merrs.e[i].field,
		       merrs.e[i].reason);
	if (merrs.dropped)
		pr_err("manifest: %u more errors not shown", merrs.dropped);
	pr_err("hv: manifest rejected: %u errors, nothing started", merrs.n + merrs.dropped);
	return ret;
}

static struct hv_start_info *start_info(struct guest *g)
{
	return guest_ptr(g, HV_START_INFO_GPA, sizeof(struct hv_start_info));
}

static int create_partition(const struct boot_info *bi, unsigned int i)
{
	const struct manifest_partition *p = &manifest.part[i];
	const struct boot_module *mod = partition_find_module(bi, p->image);
	struct guest_spec spec = { .cpu = manifest_vcpu_cpu(p, 0),
				   .mem_mib = (unsigned int)(p->memory >> 20),
				   .cmdline = p->cmdline[0] ? p->cmdline : 0 };
	struct guest *g = partition_new();
	int ret;

	for (unsigned int k = 0; k < GUEST_NAME_MAX && p->name[k]; k++)
		spec.name[k] = p->name[k];
	if (!mod) {
		pr_err("partition: %s: no module '%s'", p->name, p->image);
		return -HV_ENOENT;
	}
	if (p->vcpus != 1) {
		pr_err("partition: %s: %u vCPUs: only 1 per partition is supported so far",
		       p->name, p->vcpus);
		return -HV_ENOTSUP;
	}
	if (!g)
		return -HV_E2BIG;
	ret = guest_create(g, &spec, mod, vcpu_vendor);
	if (ret) {
		pr_err("partition: %s: cannot create (error %d)", p->name, ret);
		return ret;
	}
	g->id = i;
	g->role = p->role == MANIFEST_ROLE_SERVICE ? HV_ROLE_SERVICE : HV_ROLE_CHILD;
	g->managed = true;
	pr_info("partition: %s id=%u %s cpu=%u mem=%llu MiB at 0x%llx", g->name, i,
		g->role == HV_ROLE_SERVICE ? "service" : "child", g->cpu,
		(unsigned long long)(p->memory >> 20), (unsigned long long)g->mem_hpa);
	return evtchn_create(&evsys, i, 1);
}

static uint32_t chan_type(enum manifest_chan_type t)
{
	return t == MANIFEST_CHAN_PVBLK ? HV_CHAN_PVBLK :
	       t == MANIFEST_CHAN_PVNET ? HV_CHAN_PVNET : HV_CHAN_RAW;
}

/* Records channel c in the start info of partition g (its end, its local port). */
static void publish_channel(struct guest *g, unsigned int c, bool backend, uint32_t port,
			    unsigned int peer, uint64_t gpa)
{
	const struct manifest_channel *mc = &manifest.chan[c];
	struct hv_start_info *si = start_info(g);
	struct hv_start_channel *sc = &si->chan[si->nchannels++];

	for (unsigned int k = 0; k < sizeof(sc->name) - 1 && mc->name[k]; k++)
		sc->name[k] = mc->name[k];
	sc->type = chan_type(mc->type);
	sc->backend = backend;
	sc->port = port;
	sc->peer = peer;
	sc->ring_gpa = gpa;
	sc->ring_size = mc->ring;
	sc->data_gpa = gpa + mc->ring;
	sc->data_size = mc->data;
}

/* Channel memory is allocated once and mapped into both ends at the same address. */
static int create_channel(unsigned int c)
{
	const struct manifest_channel *mc = &manifest.chan[c];
	struct guest *fe = partition_get(mc->frontend), *be = partition_get(mc->backend);
	uint64_t size = mc->ring + mc->data;
	uint64_t gpa = HV_CHANNEL_BASE_GPA + c * HV_CHANNEL_STRIDE;
	uint64_t hpa = mem_alloc_zeroed_pages((size_t)(size / PAGE), 1);
	uint32_t pf, pb;
	int ret;

	if (!hpa)
		return -HV_ENOMEM;
	ret = guest_map_window(fe, gpa, hpa, size);
	if (!ret)
		ret = guest_map_window(be, gpa, hpa, size);
	if (!ret)
		ret = evtchn_bind_pair(&evsys, mc->frontend, mc->backend, &pf, &pb);
	if (ret)
		return ret;
	publish_channel(fe, c, false, pf, mc->backend, gpa);
	publish_channel(be, c, true, pb, mc->frontend, gpa);
	pr_info("channel: %s %s<->%s at gpa 0x%llx ring=%llu data=%llu ports %u<->%u", mc->name,
		fe->name, be->name, (unsigned long long)gpa, (unsigned long long)mc->ring,
		(unsigned long long)mc->data, pf, pb);
	return 0;
}

static void write_start_header(struct guest *g)
{
	struct hv_start_info *si = start_info(g);

	si->magic = HV_START_MAGIC;
	si->version = HV_START_VERSION;
	si->partition_id = g->id;
	si->role = g->role;
	for (unsigned int k = 0; k < sizeof(si->name) - 1 && g->name[k]; k++)
		si->name[k] = g->name[k];
	si->tsc_hz = tsc_hz();
	si->mem_size = g->mem.size;
	si->evtchn_page_gpa = EVTCHN_PAGE_GPA;
	si->nvcpus = 1;
}

static int open_events(struct guest *g)
{
	struct evtchn_kicks kicks = { { 0 } };

	return evtchn_open(&evsys, g->id, guest_ptr(g, EVTCHN_PAGE_GPA, PAGE), &kicks);
}

int partitions_from_manifest(const struct boot_info *bi, const struct boot_module *mod)
{
	int ret = parse(mod);

	evtchn_init(&evsys);
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		ret = create_partition(bi, i);
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		write_start_header(partition_get(i));
	for (unsigned int c = 0; !ret && c < manifest.nchan; c++)
		ret = create_channel(c);
	/* Nothing runs yet, so the open notifications (kicks) have no one to wake. */
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		ret = open_events(partition_get(i));
	return ret;
}

/* ---- event hypercalls ---- */

/* Carries out an upcall decision of the event-channel state machine. */
static void deliver(const struct evtchn_upcall *u)
{
	struct guest *g = u->raise ? partition_get(u->part) : 0;

	if (!g || g->state != GUEST_RUNNING)
		return;
	vcpu_post_irq(&g->vcpu, u->vector);
}

int64_t partition_evtchn_send(struct vcpu *v, uint64_t port)
{
	struct evtchn_upcall up;
	int ret;

	if (!v->guest->managed)
		return -HV_ENOSYS;
	ret = evtchn_send(&evsys, v->guest->id, port, &up);
	if (!ret)
		deliver(&up);
	return ret;
}

int64_t partition_evtchn_unmask(struct vcpu *v, uint64_t port)
{
	struct evtchn_upcall up;
	int ret;

	if (!v->guest->managed)
		return -HV_ENOSYS;
	ret = evtchn_unmask(&evsys, v->guest->id, port, &up);
	if (!ret)
		deliver(&up);
	return ret;
}

int64_t partition_evtchn_status(struct vcpu *v, uint64_t port)
{
	if (!v->guest->managed)
		return -HV_ENOSYS;
	return evtchn_status(&evsys, v->guest->id, port);
}

int64_t partition_evtchn_upcall(struct vcpu *v, uint64_t vector)
{
	struct evtchn_upcall up;
	int ret;

	if (!v->guest->managed)
		return -HV_ENOSYS;
	ret = evtchn_set_upcall(&evsys, v->guest->id, v->id, vector, &up);
	if (!ret)
		deliver(&up);
	return ret;
}

/* ---- service-only hypercalls ---- */

static uint32_t part_state(const struct guest *g)
{
	switch (g->state) {
	case GUEST_EXITED: return HV_PART_EXITED;
	case GUEST_STOPPED: return HV_PART_STOPPED;
	default: return HV_PART_RUNNING;
	}
}

int64_t partition_list(struct vcpu *v, uint64_t gpa, uint64_t max)
{
	struct hv_part_status *out;
	unsigned int n = partition_count();

	if (v->guest->role != HV_ROLE_SERVICE)
		return -HV_EPERM;
	if (max > LIST_MAX)
		return -HV_EINVAL;
	out = guest_ptr(v->guest, gpa, max * sizeof(*out));
	if (!out)
		return -HV_EFAULT;
	for (unsigned int i = 0; i < n && i < max; i++) {
		const struct guest *g = partition_get(i);

		out[i] = (struct hv_part_status){ .id = i, .state = part_state(g),
						  .role = g->role, .restarts = g->restarts,
						  .exit_status = g->exit_status };
		for (unsigned int k = 0; k < sizeof(out[i].name) - 1 && g->name[k]; k++)
			out[i].name[k] = g->name[k];
	}
	return n;
}
