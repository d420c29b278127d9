/* SPDX-License-Identifier: MIT */
/* Demo service partition: prints its start info, serves the children's pvblk channels from its disks, then switches their pvnet channels' frames with its NIC, and watches the children with HC_PART_LIST until they end. */
#include "guest-drivers/blk/blkback.h"
#include "guest-drivers/net/netback.h"
#include "guest-drivers/rt/rt.h"

#define LIST_MAX	8u		/* the manifest's partition limit */
#define POLL_MS		100u
#define TICK_MS		100u		/* the back ends' link checks and the list, while serving */
#define GIVE_UP_S	600u		/* children still running after this: stop watching */

static struct hv_part_status parts[LIST_MAX], seen[LIST_MAX];
static uint32_t nseen;
static struct blkdev disks[BLK_MAX_DISKS];
static struct netdev nics[NET_MAX_NICS];

static const char *role_name(uint32_t role)
{
	return role == HV_ROLE_SERVICE ? "service" : role == HV_ROLE_CHILD ? "child" : "?";
}

static const char *chan_type_name(uint32_t type)
{
	return type == HV_CHAN_RAW ? "raw" : type == HV_CHAN_PVBLK ? "pvblk" :
	       type == HV_CHAN_PVNET ? "pvnet" : "?";
}

static const char *state_name(uint32_t state)
{
	return state == HV_PART_RUNNING ? "running" : state == HV_PART_EXITED ? "exited" :
	       state == HV_PART_STOPPED ? "stopped" : "?";
}

static void print_start_info(const struct hv_start_info *si)
{
	rt_printf("svc: partition %u '%s' %s, %lu MiB, %u vCPU(s), tsc %lu Hz, events at 0x%lx, "
		  "%u channel(s), cmdline \"%s\"\n", si->partition_id, si->name,
		  role_name(si->role), si->mem_size >> 20, si->nvcpus, si->tsc_hz,
		  si->evtchn_page_gpa, si->nchannels, rt_boot.cmdline);
	for (uint32_t i = 0; i < si->nchannels; i++) {
		const struct hv_start_channel *c = &si->chan[i];

		rt_printf("svc: channel %u '%s' %s %s end, peer %u, port %u, ring 0x%lx+%lu, "
			  "data 0x%lx+%lu%s\n", i, c->name, chan_type_name(c->type),
			  c->backend ? "back" : "front", c->peer, c->port, c->ring_gpa,
			  c->ring_size, c->data_gpa, c->data_size, rt_channel(i) ? "" : " (invalid)");
	}
}

static bool same(const struct hv_part_status *a, const struct hv_part_status *b)
{
	return a->state == b->state && a->restarts == b->restarts &&
	       a->exit_status == b->exit_status;
}

static void print_part(const struct hv_part_status *s)
{
	rt_printf("svc: partition %u '%s' %s %s", s->id, s->name, role_name(s->role),
		  state_name(s->state));
	if (s->state == HV_PART_EXITED)
		rt_printf(" status=%d", s->exit_status);
	rt_printf(" restarts=%u\n", s->restarts);
}

/* Prints the partitions whose state changed since the last look; -HV_E* on failure. */
static int64_t look(uint32_t *children_running)
{
	int64_t n = rt_hypercall(HC_PART_LIST, (uintptr_t)parts, LIST_MAX, 0, 0, 0);

	if (n < 0)
		return n;
	*children_running = 0;
	for (uint32_t i = 0; i < n && i < LIST_MAX; i++) {
		parts[i].name[sizeof(parts[i].name) - 1] = 0;
		if (i >= nseen || !same(&parts[i], &seen[i]))
			print_part(&parts[i]);
		seen[i] = parts[i];
		if (parts[i].role == HV_ROLE_CHILD && parts[i].state == HV_PART_RUNNING)
			(*children_running)++;
	}
	if (nseen != (uint32_t)n)
		rt_printf("svc: %ld partitions\n", n);
	nseen = n < LIST_MAX ? (uint32_t)n : LIST_MAX;
	return n;
}

/* Probes the disks with their interrupts on, and starts blkback: its channel count, or -1. */
static int start_disks(void)
{
	unsigned int n = blkdev_probe_all(disks, BLK_MAX_DISKS);
	int r;

	for (unsigned int i = 0; i < n; i++) {
		r = blkdev_irq_on(&disks[i]);
		if (r)
			rt_printf("svc: disk %u: no interrupt (%d): polled\n", i, r);
		rt_printf("svc: disk %u: %s sectors=%lu max_sectors=%u queue_depth=%u flush=%u "
			  "irq_port=%u\n", i, disks[i].name, disks[i].sectors, disks[i].max_sectors,
			  disks[i].queue_depth, disks[i].can_flush, disks[i].irq_port);
	}
	r = blkback_init(disks, n);
	if (r < 0) {
		rt_printf("svc: blkback_init: error %d\n", r);
		return -1;
	}
	rt_printf("svc: serving %d pvblk channel(s) from %u disk(s)\n", r, n);
	return r;
}

/* Probes the NICs (interrupt-driven where they can be) as the switch's uplinks, and starts
 * netback: its channel count, or -1. */
static int start_net(unsigned int *nnics)
{
	unsigned int n = netdev_probe_all(nics, NET_MAX_NICS);
	int r;

	for (unsigned int i = 0; i < n; i++) {
		r = netdev_irq_on(&nics[i]);
		if (r)
			rt_printf("svc: nic %u: no interrupt (%d): polled\n", i, r);
		rt_printf("svc: nic %u: %s mac=%02x:%02x:%02x:%02x:%02x:%02x tx_depth=%u "
			  "irq_port=%u\n", i, nics[i].name, nics[i].mac[0], nics[i].mac[1],
			  nics[i].mac[2], nics[i].mac[3], nics[i].mac[4], nics[i].mac[5],
			  nics[i].tx_depth, nics[i].irq_port);
	}
	*nnics = n;
	r = netback_init(nics, n);
	if (r < 0) {
		rt_printf("svc: netback_init: error %d\n", r);
		return -1;
	}
	rt_printf("svc: switching %d pvnet channel(s) and %u uplink(s)\n", r, n);
	return r;
}

/*
 * Both back ends from one loop: each serves what is ready; the service sleeps only when
 * neither moved and both have armed their notifications, until the next event (a ring,
 * a disk's or a NIC's interrupt) or the next tick (links, the partition list). Each back
 * end is done once all its front ends are gone. False if they were still there after
 * give_up_s.
 */
static bool serve(bool blk, bool net, uint64_t give_up_s, uint32_t *running)
{
	uint64_t hz = rt_tsc_hz(), t0 = rt_rdtsc(), tick = t0, step = hz / 1000 * TICK_MS;
	bool polled = net && netback_polled();

	while (blk || net) {
		bool moved = (blk && blkback_step()) | (net && netback_step());
		uint64_t now = rt_rdtsc();

		if (now >= tick) {
			if (blk && blkback_tick())
				blk = false;
			if (net && netback_tick())
				net = false;
			(void)look(running);
			if (now - t0 > give_up_s * hz)
				return false;
			tick = now + step;
		}
		if (moved || (blk && blkback_busy()) || (net && netback_busy()))
			continue;
		/* A NIC without an interrupt is looked at every millisecond meanwhile. */
		(void)rt_wait_event_until(polled && now + hz / 1000 < tick ? now + hz / 1000 : tick);
	}
	return true;
}

static void net_stats(unsigned int n)
{
	netback_print_stats();
	for (unsigned int i = 0; i < n; i++)
		rt_printf("svc: nic %u: rx_frames=%lu rx_bytes=%lu rx_dropped=%lu tx_frames=%lu "
			  "tx_bytes=%lu tx_errors=%lu\n", i, nics[i].rx_frames, nics[i].rx_bytes,
			  nics[i].rx_dropped, nics[i].tx_frames, nics[i].tx_bytes, nics[i].tx_errors);
}

/*
 * Lists the partitions, then serves the disks and the network together until their
 * front ends are gone (the list refreshed meanwhile), then watches the children until
 * none runs: the service never ends before its children. Exit status 0 if all went well.
 */
int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint64_t hz = rt_tsc_hz(), start = rt_rdtsc(), deadline;
	uint32_t running = 0;
	int64_t n;
	unsigned int nnics = 0;
	int nblk, nnet;
	bool served;

	if (!si) {
		rt_printf("svc: no start info: not started from a manifest\n");
		return 2;
	}
	print_start_info(si);
	if (si->role != HV_ROLE_SERVICE)
		rt_printf("svc: warning: not the service partition; HC_PART_LIST will say no\n");
	n = look(&running);
	nblk = start_disks();
	nnet = start_net(&nnics);
	served = serve(nblk > 0, nnet > 0, GIVE_UP_S, &running);
	if (nblk > 0) {
		blkback_print_stats();
		rt_printf("svc: pvblk front ends %s\n", served ? "all ended" : "still there: giving up");
	}
	if (nnet > 0) {
		net_stats(nnics);
		rt_printf("svc: pvnet front ends %s\n", served ? "all ended" : "still there: giving up");
	}
	deadline = rt_rdtsc();
	while (n >= 0) {
		n = look(&running);
		if (n < 0 || !running || rt_rdtsc() - start >= GIVE_UP_S * hz)
			break;
		deadline += hz / 1000 * POLL_MS;
		while (!rt_wait_event_until(deadline))
			;
	}
	if (n < 0) {
		rt_printf("svc: HC_PART_LIST: error %ld\n", n);
		return 1;
	}
	rt_printf("svc: %s; %ld partitions seen\n",
		  running ? "children still running, giving up" : "all children ended", n);
	return running || !served || nblk < 0 || nnet < 0 ? 1 : 0;
}
