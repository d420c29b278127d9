/* SPDX-License-Identifier: MIT */
/* Partitions, channels and event channels built from the manifest, and their hypercalls. */
#include "arch/x86/spinlock.h"
#include "arch/x86/tsc.h"
#include "include/abi/evtchn.h"
#include "include/abi/hypercall.h"
#include "include/abi/startinfo.h"
#include "iommu/iommu.h"
#include "vmm/evtchn.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/manifest.h"
#include "vmm/mem.h"
#include "vmm/partition.h"
#include "vmm/partition_dev.h"
#include "vmm/sched.h"

#define PAGE		4096ull
#define LIST_MAX	64u

extern unsigned int cpu_count;

/* Large: kept out of the stack. Written at boot only, read afterwards. */
static struct manifest manifest;
static struct manifest_errors merrs;
/* Port tables of every partition; ev_lock serialises the life-cycle calls (open, close). */
static struct evtchn_sys evsys;
static struct spinlock ev_lock;
/* Each channel's event ports, [c][0] the front end's and [c][1] the back end's. */
static uint32_t chan_port[MANIFEST_MAX_CHANNELS][2];
/* Each channel's memory: ring then data, mapped into both ends and their IOMMU domains. */
static uint64_t chan_hpa[MANIFEST_MAX_CHANNELS];

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
	spec.nvcpus = p->vcpus;
	for (unsigned int v = 1; v < p->vcpus && v < GUEST_VCPUS_MAX; v++)
		spec.vcpu_cpu[v] = manifest_vcpu_cpu(p, v);
	if (!g)
		return -HV_E2BIG;
	ret = guest_create(g, &spec, mod, vcpu_vendor);
	if (ret) {
		pr_err("partition: %s: cannot create (error %d)", p->name, ret);
		return ret;
	}
	g->id = i;
	for (unsigned int v = 0; v < g->nvcpus; v++)
		sched_host(g->vcpus[v].cpu);
	g->role = p->role == MANIFEST_ROLE_SERVICE ? HV_ROLE_SERVICE : HV_ROLE_CHILD;
	g->restart = p->restart == MANIFEST_RESTART_ALWAYS ? GUEST_RESTART_ALWAYS :
		     p->restart == MANIFEST_RESTART_ON_FAILURE ? GUEST_RESTART_ON_FAILURE :
		     GUEST_RESTART_NEVER;
	g->managed = true;
	pr_info("partition: %s id=%u %s cpu=%u vcpus=%u mem=%llu MiB at 0x%llx", g->name, i,
		g->role == HV_ROLE_SERVICE ? "service" : "child", g->cpu, g->nvcpus,
		(unsigned long long)(p->memory >> 20), (unsigned long long)g->mem_hpa);
	return evtchn_create(&evsys, i, g->nvcpus);
}

static uint32_t chan_type(enum manifest_chan_type t)
{
	return t == MANIFEST_CHAN_PVBLK ? HV_CHAN_PVBLK :
	       t == MANIFEST_CHAN_PVNET ? HV_CHAN_PVNET : HV_CHAN_RAW;
}

static void publish_cfg(struct hv_start_chan_cfg *cfg, const struct manifest_channel *mc)
{
	if (mc->type == MANIFEST_CHAN_PVBLK) {
		cfg->blk.first_sector = mc->sector_first;
		cfg->blk.nsectors = mc->sector_last == MANIFEST_SECTORS_ALL ? HV_BLK_TO_END :
				    mc->sector_last - mc->sector_first + 1;
		cfg->blk.disk = mc->disk;
		cfg->blk.flags = mc->readonly ? HV_BLK_READONLY : 0;
	} else if (mc->type == MANIFEST_CHAN_PVNET) {
		for (unsigned int k = 0; k < 6; k++)
			cfg->net.mac[k] = mc->mac[k];
	}
}

/* Appends channel c to a start-info page: this partition's end, its local port, the peer. */
static void publish_channel(struct hv_start_info *si, unsigned int c, bool backend)
{
	const struct manifest_channel *mc = &manifest.chan[c];
	struct hv_start_channel *sc = &si->chan[si->nchannels++];
	uint64_t gpa = HV_CHANNEL_BASE_GPA + c * HV_CHANNEL_STRIDE;

	for (unsigned int k = 0; k < sizeof(sc->name) - 1 && mc->name[k]; k++)
		sc->name[k] = mc->name[k];
	sc->type = chan_type(mc->type);
	sc->backend = backend;
	sc->port = chan_port[c][backend];
	sc->peer = backend ? mc->frontend : mc->backend;
	sc->ring_gpa = gpa;
	sc->ring_size = mc->ring;
	sc->data_gpa = gpa + mc->ring;
	sc->data_size = mc->data;
	si->chan_dma[si->nchannels - 1] = iommu_get() ? gpa : chan_hpa[c];
	publish_cfg(&si->chan_cfg[si->nchannels - 1], mc);
}

/*
 * Channel memory is allocated once and mapped into both ends at the same address. It
 * stays mapped across restarts: it is shared, not either end's RAM.
 */
static int create_channel(unsigned int c)
{
	const struct manifest_channel *mc = &manifest.chan[c];
	struct guest *fe = partition_get(mc->frontend), *be = partition_get(mc->backend);
	uint64_t size = mc->ring + mc->data;
	uint64_t gpa = HV_CHANNEL_BASE_GPA + c * HV_CHANNEL_STRIDE;
	uint64_t hpa = mem_alloc_zeroed_pages((size_t)(size / PAGE), 1);
	int ret;

	if (!hpa)
		return -HV_ENOMEM;
	chan_hpa[c] = hpa;
	ret = guest_map_window(fe, gpa, hpa, size);
	if (!ret)
		ret = guest_map_window(be, gpa, hpa, size);
	if (!ret)
		ret = evtchn_bind_pair(&evsys, mc->frontend, mc->backend, &chan_port[c][0],
				       &chan_port[c][1]);
	if (ret)
		return ret;
	pr_info("channel: %s %s<->%s at gpa 0x%llx ring=%llu data=%llu ports %u<->%u", mc->name,
		fe->name, be->name, (unsigned long long)gpa, (unsigned long long)mc->ring,
		(unsigned long long)mc->data, chan_port[c][0], chan_port[c][1]);
	return 0;
}

static void write_start_header(struct hv_start_info *si, const struct guest *g)
{
	si->magic = HV_START_MAGIC;
	si->version = HV_START_VERSION;
	si->partition_id = g->id;
	si->role = g->role;
	for (unsigned int k = 0; k < sizeof(si->name) - 1 && g->name[k]; k++)
		si->name[k] = g->name[k];
	si->tsc_hz = tsc_hz();
	si->mem_size = g->mem.size;
	si->evtchn_page_gpa = EVTCHN_PAGE_GPA;
	si->nvcpus = g->nvcpus;
	si->dma_flags = iommu_get() ? HV_DMA_IOMMU : 0;
	si->ram_dma = iommu_get() ? 0 : g->mem_hpa;
}

/* Into memory that is all zeroes (a new partition, or one being restarted). */
void partition_write_start_info(struct guest *g, unsigned int restarts)
{
	struct hv_start_info *si = start_info(g);

	write_start_header(si, g);
	for (unsigned int c = 0; c < manifest.nchan; c++) {
		if (manifest.chan[c].frontend == g->id)
			publish_channel(si, c, false);
		if (manifest.chan[c].backend == g->id)
			publish_channel(si, c, true);
	}
	si->restarts = restarts;
}

static void deliver(const struct evtchn_upcall *u);

/* Carries out the decisions of an open or a close: the peers that must look. */
static void deliver_kicks(struct evtchn_kicks *k)
{
	struct evtchn_upcall up;

	while (evtchn_kicks_next(k, &evsys, &up))
		deliver(&up);
}

int partition_events_open(struct guest *g)
{
	struct evtchn_kicks kicks = { { 0 } };
	uint64_t flags = spin_lock_irqsave(&ev_lock);
	int ret = evtchn_open(&evsys, g->id, guest_ptr(g, EVTCHN_PAGE_GPA, PAGE), &kicks);

	spin_unlock_irqrestore(&ev_lock, flags);
	deliver_kicks(&kicks);
	return ret;
}

void partition_events_close(struct guest *g)
{
	struct evtchn_kicks kicks = { { 0 } };
	uint64_t flags;

	if (!g->managed)
		return;
	flags = spin_lock_irqsave(&ev_lock);
	/* -HV_ENOENT: already closed (stopped before, or never opened). */
	(void)!evtchn_close(&evsys, g->id, &kicks);
	spin_unlock_irqrestore(&ev_lock, flags);
	deliver_kicks(&kicks);
}

int partitions_from_manifest(const struct boot_info *bi, const struct boot_module *mod)
{
	int ret = parse(mod);

	evtchn_init(&evsys);
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		ret = create_partition(bi, i);
	for (unsigned int c = 0; !ret && c < manifest.nchan; c++)
		ret = create_channel(c);
	if (!ret)
		ret = partition_devices_setup(&manifest, chan_hpa);
	if (!ret)
		ret = partition_audit(&manifest, chan_hpa, boot_cmdline_has(bi, "audit_inject"));
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		partition_write_start_info(partition_get(i), 0);
	/* Nothing runs yet, so the open notifications (kicks) have no one to wake. */
	for (unsigned int i = 0; !ret && i < manifest.npart; i++)
		ret = partition_events_open(partition_get(i));
	return ret;
}

/* ---- event hypercalls ---- */

/* Carries out an upcall decision of the event-channel state machine. */
static void deliver(const struct evtchn_upcall *u)
{
	struct guest *g = u->raise ? partition_get(u->part) : 0;

	if (!g || g->state != GUEST_RUNNING || u->vcpu >= g->nvcpus)
		return;
	vcpu_post_irq(&g->vcpus[u->vcpu], u->vector);
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

int partition_bind_source(unsigned int part)
{
	uint64_t flags = spin_lock_irqsave(&ev_lock);
	int port = evtchn_bind_source(&evsys, part, EVTCHN_PORT_DEV_FIRST, EVTCHN_PORT_DEV_LAST, 0);

	spin_unlock_irqrestore(&ev_lock, flags);
	return port;
}

void partition_raise_source(unsigned int part, uint32_t port)
{
	struct evtchn_upcall up;

	if (!evtchn_raise_local(&evsys, part, port, &up))
		deliver(&up);
}

void partition_timer_event(struct vcpu *v)
{
	struct evtchn_upcall up;

	if (!evtchn_raise_local(&evsys, v->guest->id, EVTCHN_PORT_TIMER(v->id), &up))
		deliver(&up);
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

/* The state machine's status, with the link epoch in bits 30:16 (include/abi/evtchn.h). */
int64_t partition_evtchn_status(struct vcpu *v, uint64_t port)
{
	int st, epoch;

	if (!v->guest->managed)
		return -HV_ENOSYS;
	st = evtchn_status(&evsys, v->guest->id, port);
	epoch = evtchn_epoch(&evsys, v->guest->id, port);
	if (st < 0 || epoch < 0)
		return st < 0 ? st : epoch;
	return (int64_t)st | (int64_t)epoch << 16;
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
