/* SPDX-License-Identifier: MIT */
/* Demo service partition: prints its start info, serves the children's pvblk channels from its disks, then switches their pvnet channels' frames with its NIC, and watches the children with HC_PART_LIST until they end. */
#include "guest-drivers/blk/blkback.h"
#include "guest-drivers/net/netback.h"
#include "guest-drivers/rt/rt.h"

#define LIST_MAX	8u		/* the manifest's partition limit */
#define POLL_MS		100u
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

/*
 * Probes the disks, has their interrupts wake it, and serves every pvblk channel until
 * all their front ends have ended (blkback_run's rule). 0, or 1 if blkback could not
 * start or gave up with a front end still there.
 */
static int serve_disks(uint64_t give_up_s)
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
		return 1;
	}
	rt_printf("svc: serving %d pvblk channel(s) from %u disk(s)\n", r, n);
	if (!r)
		return 0;
	r = blkback_run(give_up_s);
	blkback_print_stats();
	if (r) {
		rt_printf("svc: pvblk front ends still there after %lu s: giving up\n", give_up_s);
		return 1;
	}
	rt_printf("svc: pvblk front ends all ended\n");
	return 0;
}

/*
 * Probes the NICs, makes them the switch's uplinks (interrupt-driven where the NIC has
 * one) and serves every pvnet channel until all their front ends have ended
 * (netback_run's rule). 0, or 1 as serve_disks.
 */
static int serve_net(uint64_t give_up_s)
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
	r = netback_init(nics, n);
	if (r < 0) {
		rt_printf("svc: netback_init: error %d\n", r);
		return 1;
	}
	rt_printf("svc: switching %d pvnet channel(s) and %u uplink(s)\n", r, n);
	if (!r)
		return 0;
	r = netback_run(give_up_s, 0, 0);
	netback_print_stats();
	for (unsigned int i = 0; i < n; i++)
		rt_printf("svc: nic %u: rx_frames=%lu rx_bytes=%lu rx_dropped=%lu tx_frames=%lu "
			  "tx_bytes=%lu tx_errors=%lu\n", i, nics[i].rx_frames, nics[i].rx_bytes,
			  nics[i].rx_dropped, nics[i].tx_frames, nics[i].tx_bytes, nics[i].tx_errors);
	if (r) {
		rt_printf("svc: pvnet front ends still there after %lu s: giving up\n", give_up_s);
		return 1;
	}
	rt_printf("svc: pvnet front ends all ended\n");
	return 0;
}

/*
 * Lists the partitions, then serves the disks, then the network: blkback_run and
 * netback_run each sleep on their own events until their front ends are gone, and
 * neither has a step to call from a shared loop, so they take turns: store's pvblk work
 * is short, and the network children retry ARP until the switch runs. The list is not
 * refreshed meanwhile. Then watches the children until none runs: the service never
 * ends before its children. Exit status 0 if all three went well.
 */
int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint64_t hz = rt_tsc_hz(), start = rt_rdtsc(), deadline;
	uint32_t running = 0;
	int64_t n;
	int disk_err, net_err;

	if (!si) {
		rt_printf("svc: no start info: not started from a manifest\n");
		return 2;
	}
	print_start_info(si);
	if (si->role != HV_ROLE_SERVICE)
		rt_printf("svc: warning: not the service partition; HC_PART_LIST will say no\n");
	n = look(&running);
	disk_err = serve_disks(GIVE_UP_S);
	net_err = serve_net(GIVE_UP_S);
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
	return running || disk_err || net_err ? 1 : 0;
}
