/* SPDX-License-Identifier: MIT */
/* Test guest: the service partition of the pvblk scenarios: probes its disks, serves every pvblk channel with blkback until all front ends have ended, prints the counters. */
#include "guest-drivers/blk/blkback.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (optional): give_up=S  stop serving after S seconds (default 600) with the
 * front ends still there: exit status 1. irq=0  poll the disks (default: their interrupts,
 * routed by the hypervisor, wake the service as events).
 * selftest=SECTOR:MIB:DEPTH  before serving, write then read MIB MiB of disk 0 from
 * SECTOR itself, in requests of 64 KiB (selftest_req=SECTORS to change) with DEPTH in
 * flight (at most 32), each pass timed in TSC ticks: the native figure `make bench`
 * compares the channel with (tools/bench.sh). The buffers are filled once, before the
 * clock starts: the passes move data and do nothing else, as blkchild's tput= passes.
 * Lines: "blksvc: disk N: ...", ["blksvc: selftest write|read bytes=B requests=R
 * depth=D ticks=T errors=E"], blkback's channel lines, "blksvc: serving N channel(s)",
 * blkback's stats lines, "blksvc: all front ends ended"; exit status 0 on a clean end.
 */

#define GIVE_UP_S	600
#define ST_DEPTH_MAX	32u
#define ST_REQ_DEFAULT	128u		/* sectors: 64 KiB */
#define ST_REQ_MAX	128u
#define ST_WAIT_S	60u

static struct blkdev disks[BLK_MAX_DISKS];

/* ---- selftest: the service's own access to disk 0, the native side of the bench ---- */

struct st_slot {
	struct blk_req r;
	bool busy;
};

static uint8_t st_buf[ST_DEPTH_MAX][ST_REQ_MAX * BLK_SECTOR] __attribute__((aligned(4096)));
static struct st_slot st_slot[ST_DEPTH_MAX];
static uint32_t st_inflight, st_errors;

static void st_done(struct blk_req *r)
{
	struct st_slot *s = r->ctx;

	if (r->status)
		st_errors++;
	s->busy = false;
	st_inflight--;
}

/* Submits request i into a free slot: 0, or the driver's -HV_EBUSY (retry later). */
static int st_submit(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t req,
		     uint32_t depth)
{
	for (uint32_t k = 0; k < depth; k++) {
		struct st_slot *s = &st_slot[k];
		int r;

		if (s->busy)
			continue;
		s->r = (struct blk_req){ .op = op, .sector = sector, .count = req,
					 .buf = st_buf[k], .done = st_done, .ctx = s };
		r = d->ops->submit(d, &s->r);
		if (r == -HV_EBUSY)
			return r;
		if (r)
			st_errors++;
		else
			s->busy = true, st_inflight++;
		return 0;
	}
	return -HV_EBUSY;
}

/* One pass of total requests, depth in flight; prints its line. */
static void st_pass(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t total,
		    uint32_t req, uint32_t depth)
{
	uint64_t t0 = rt_rdtsc(), end = t0 + ST_WAIT_S * rt_tsc_hz(), ticks;
	uint32_t next = 0;

	st_errors = 0;
	while ((next < total || st_inflight) && rt_rdtsc() < end) {
		while (next < total && st_inflight < depth &&
		       !st_submit(d, op, sector + (uint64_t)next * req, req, depth))
			next++;
		if (!d->ops->poll(d) && st_inflight) {
			if (d->irq_port)
				(void)rt_wait_event_until(end);
			else
				rt_pause();
		}
	}
	ticks = rt_rdtsc() - t0;
	rt_printf("blksvc: selftest %s bytes=%lu requests=%u depth=%u ticks=%lu errors=%u\n",
		  op == BLK_WRITE ? "write" : "read", (uint64_t)next * req * BLK_SECTOR, next,
		  depth, ticks, st_errors + (total - next) + st_inflight);
}

/* selftest=SECTOR:MIB:DEPTH (decimal): its three numbers, or false (absent or malformed). */
static bool st_args(uint64_t v[3])
{
	static const char key[] = "selftest=";
	const char *s = rt_boot.cmdline;
	unsigned int k;

	for (;; s++) {
		for (k = 0; key[k] && s[k] == key[k]; k++)
			;
		if (!key[k] && (s == rt_boot.cmdline || s[-1] == ' '))
			break;
		if (!*s)
			return false;
	}
	s += k;
	for (int n = 0; n < 3; n++, s++) {
		if (*s < '0' || *s > '9')
			return false;
		for (v[n] = 0; *s >= '0' && *s <= '9'; s++)
			v[n] = v[n] * 10 + (uint64_t)(*s - '0');
		if (n < 2 ? *s != ':' : *s && *s != ' ')
			return false;
	}
	return true;
}

static void selftest(struct blkdev *d)
{
	uint64_t v[3], req = ST_REQ_DEFAULT, total;

	if (!st_args(v))
		return;
	(void)rt_cmdline_u64("selftest_req", &req);
	total = v[1] * 1024 * 1024 / BLK_SECTOR / (req ? req : 1);
	if (!req || req > ST_REQ_MAX || req > d->max_sectors || !v[2] || v[2] > ST_DEPTH_MAX ||
	    !total || v[0] + total * req > d->sectors) {
		rt_printf("blksvc: selftest=%lu:%lu:%lu (req %lu) does not fit disk 0 (%lu sectors, "
			  "max %u per request): skipped\n", v[0], v[1], v[2], req, d->sectors,
			  d->max_sectors);
		return;
	}
	for (uint32_t k = 0; k < ST_DEPTH_MAX; k++)
		for (uint32_t w = 0; w < sizeof(st_buf[k]) / 4; w++)
			((uint32_t *)st_buf[k])[w] = k << 24 | w;
	st_pass(d, BLK_WRITE, v[0], (uint32_t)total, (uint32_t)req, (uint32_t)v[2]);
	st_pass(d, BLK_READ, v[0], (uint32_t)total, (uint32_t)req, (uint32_t)v[2]);
}

int rt_main(void)
{
	unsigned int n = blkdev_probe_all(disks, BLK_MAX_DISKS);
	uint64_t give_up = GIVE_UP_S, irq = 1;
	int r;

	(void)rt_cmdline_u64("give_up", &give_up);
	(void)rt_cmdline_u64("irq", &irq);
	for (unsigned int i = 0; irq && i < n; i++) {
		r = blkdev_irq_on(&disks[i]);
		if (r)
			rt_printf("blksvc: disk %u: no interrupt (%d): polled\n", i, r);
	}
	for (unsigned int i = 0; i < n; i++)
		rt_printf("blksvc: disk %u: %s sectors=%lu max_sectors=%u queue_depth=%u flush=%u "
			  "discard=%u irq_port=%u\n", i, disks[i].name, disks[i].sectors,
			  disks[i].max_sectors, disks[i].queue_depth, disks[i].can_flush,
			  disks[i].can_discard, disks[i].irq_port);
	if (n)
		selftest(&disks[0]);
	r = blkback_init(disks, n);
	if (r < 0) {
		rt_printf("blksvc: blkback_init: error %d\n", r);
		return 2;
	}
	rt_printf("blksvc: serving %d channel(s) from %u disk(s)\n", r, n);
	r = r ? blkback_run(give_up) : 0;
	blkback_print_stats();
	if (r) {
		rt_printf("blksvc: front ends still there after %lu s: giving up\n", give_up);
		return 1;
	}
	rt_printf("blksvc: all front ends ended\n");
	return 0;
}
