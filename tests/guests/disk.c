/* SPDX-License-Identifier: MIT */
/* Test guest: a service partition drives its disks through blkdev (any driver): patterns written, flushed, read back, queued. */
#include "guest-drivers/blk/blkdev.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "tests/guests/disk_pattern.h"

/*
 * cmdline (each optional; numbers decimal or 0x hex):
 *   disk=N                  the disk to test, in blkdev_probe_all's order (default 0)
 *   write=SECTOR:COUNT:SEED write the pattern (disk_pattern.h), flush, read it back
 *   verify=SECTOR:COUNT:SEED only read and compare (a second boot of the same image)
 *   queue=SECTOR:COUNT:REQ  write then read COUNT sectors in REQ-sector requests with
 *                           depth=N (default 32) in flight, checking every completion;
 *                           pattern seed QUEUE_SEED; then the read again at depth 1
 *   discard=SECTOR:COUNT    one discard request, where the disk can
 *   irq=1                   the disk's interrupt routed by the hypervisor (HC_DEV_IRQ)
 *                           and waited for as an event instead of polling
 *   eio=SECTOR              a read of that sector fails with -HV_EIO (the scenario has
 *                           the emulator inject the error), and one of sector 0 after it
 *                           still works
 * Every run also checks that requests the disk cannot take are refused. Lines:
 * "disk: NAME sectors=N ...", PASS/FAIL, "summary: ..."; exit status 0 iff all passed.
 */

#define QUEUE_SEED		0x51ed5eedu
#define DEPTH_DEFAULT		32
#define DEPTH_MAX		128
#define BUF_BYTES		(512u * 1024)
#define WAIT_S			30

static uint8_t iobuf[BUF_BYTES] __attribute__((aligned(4096)));
static uint8_t qbuf[BUF_BYTES] __attribute__((aligned(4096)));
static struct blkdev disks[BLK_MAX_DISKS];

/* ---- the command line ---- */

static bool word_is(const char *s, const char *key)
{
	while (*key && *s == *key)
		s++, key++;
	return !*key && *s == '=';
}

/* KEY=A:B:...: up to max numbers into v; how many (0: absent), -1 if malformed. */
static int opt_nums(const char *key, uint64_t *v, int max)
{
	const char *s = rt_boot.cmdline;
	int n = 0;

	while (*s && !((s == rt_boot.cmdline || s[-1] == ' ') && word_is(s, key)))
		s++;
	if (!*s)
		return 0;
	while (*s != '=')
		s++;
	do {
		unsigned int base = 10, digits = 0;

		if (n == max)
			return -1;
		s++;
		if (s[0] == '0' && s[1] == 'x')
			base = 16, s += 2;
		for (v[n] = 0;; s++, digits++) {
			unsigned int d = *s >= '0' && *s <= '9' ? (unsigned int)(*s - '0') :
					 base == 16 && *s >= 'a' && *s <= 'f' ? (unsigned int)(*s - 'a' + 10) : 99;

			if (d >= base)
				break;
			v[n] = v[n] * base + d;
		}
		if (!digits)
			return -1;
		n++;
	} while (*s == ':');
	return *s == ' ' || !*s ? n : -1;
}

/* ---- simple, synchronous passes ---- */

static uint32_t chunk_of(const struct blkdev *d)
{
	uint32_t c = BUF_BYTES / BLK_SECTOR;

	return d->max_sectors < c ? d->max_sectors : c;
}

/* Reads [sector, +count) and compares with the pattern: true if all there. */
static bool read_compare(struct blkdev *d, uint64_t sector, uint64_t count, uint32_t seed,
			 const char *why)
{
	uint32_t chunk = chunk_of(d);

	for (uint64_t at = 0; at < count; at += chunk) {
		uint32_t n = count - at < chunk ? (uint32_t)(count - at) : chunk, bad, w;
		int ret;

		memset(iobuf, 0, (size_t)n * BLK_SECTOR);
		ret = blkdev_sync(d, BLK_READ, sector + at, n, iobuf);
		bad = disk_pat_check(iobuf, sector + at, n, seed);
		w = (bad < n ? bad : 0) * DISK_PAT_WORDS;
		if (ret || bad != n)
			return rt_report(false, "%s: read %lu sectors from %lu, seed %u: error %d at "
					 "sector %lu (holds sector=%u seed=%u)", why, count, sector, seed,
					 ret, sector + at + bad, ((uint32_t *)iobuf)[w],
					 ((uint32_t *)iobuf)[w + 1]);
	}
	return rt_report(true, "%s: read %lu sectors from %lu, seed %u: pattern intact", why,
			 count, sector, seed);
}

static void write_flush_check(struct blkdev *d, uint64_t sector, uint64_t count, uint32_t seed)
{
	uint32_t chunk = chunk_of(d);
	int ret = 0;

	for (uint64_t at = 0; at < count && !ret; at += chunk) {
		uint32_t n = count - at < chunk ? (uint32_t)(count - at) : chunk;

		disk_pat_fill(iobuf, sector + at, n, seed);
		ret = blkdev_sync(d, BLK_WRITE, sector + at, n, iobuf);
	}
	rt_report(!ret, "write: %lu sectors from %lu, seed %u, %u per request (%d)", count, sector,
		  seed, chunk, ret);
	if (d->can_flush) {
		ret = blkdev_sync(d, BLK_FLUSH, 0, 0, NULL);
		rt_report(!ret, "flush (%d)", ret);
	} else {
		rt_printf("disk: no flush command: a completed write is on the medium\n");
	}
	read_compare(d, sector, count, seed, "write");
}

/* Requests the disk cannot take come back -HV_EINVAL at submit, and nothing breaks. */
static void refusals(struct blkdev *d)
{
	struct { enum blk_op op; uint64_t sector; uint32_t count; const char *what; } bad[] = {
		{ BLK_READ, d->sectors, 1, "read at the end" },
		{ BLK_WRITE, d->sectors - 1, 2, "write across the end" },
		{ BLK_READ, ~0ull, 1, "read at sector 2^64-1" },
		{ BLK_READ, 0, 0, "read of 0 sectors" },
		{ BLK_WRITE, 0, d->max_sectors + 1, "write above max_sectors" },
		{ BLK_DISCARD, 0, 1, "discard" },
		{ BLK_FLUSH, 0, 0, "flush" },
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret;

		if ((bad[i].op == BLK_DISCARD && d->can_discard) || (bad[i].op == BLK_FLUSH && d->can_flush))
			continue;	/* the disk can: not a refusal */
		ret = blkdev_sync(d, bad[i].op, bad[i].sector, bad[i].count, iobuf);
		rt_report(ret == -HV_EINVAL, "refused: %s (%d)", bad[i].what, ret);
	}
}

/* ---- the queue test ---- */

struct qslot {
	struct blk_req r;
	bool busy;
};

static struct qslot qs[DEPTH_MAX];
static unsigned int inflight, completed, errors, first_bad_req = ~0u;

static void q_done(struct blk_req *r)
{
	struct qslot *s = r->ctx;

	if (r->status || (r->op == BLK_READ && disk_pat_check(r->buf, r->sector, r->count, QUEUE_SEED) != r->count)) {
		if (!errors++)
			first_bad_req = (unsigned int)(s - qs);
	}
	s->busy = false;
	inflight--;
	completed++;
}

struct qstats {
	unsigned int max_inflight, busy, refused;
	uint64_t ticks;
};

/* total requests of req sectors from sector, depth at a time: true if all completed. */
static bool q_pass(struct blkdev *d, enum blk_op op, uint64_t sector, unsigned int total,
		   uint32_t req, unsigned int depth, struct qstats *st)
{
	uint64_t t0 = rt_rdtsc(), end = t0 + WAIT_S * rt_tsc_hz();
	unsigned int next = 0;

	*st = (struct qstats){ 0 };
	inflight = completed = errors = 0;
	while (completed < total && rt_rdtsc() < end) {
		for (unsigned int i = 0; i < depth && next < total; i++) {
			struct qslot *s = &qs[i];
			int ret;

			if (s->busy)
				continue;
			s->r = (struct blk_req){ .op = op, .sector = sector + (uint64_t)next * req,
						 .count = req, .buf = qbuf + (size_t)i * req * BLK_SECTOR,
						 .done = q_done, .ctx = s };
			if (op == BLK_WRITE)
				disk_pat_fill(s->r.buf, s->r.sector, req, QUEUE_SEED);
			else
				memset(s->r.buf, 0, (size_t)req * BLK_SECTOR);
			s->busy = true;
			inflight++;
			ret = d->ops->submit(d, &s->r);
			if (ret) {
				s->busy = false;
				inflight--;
				st->busy += ret == -HV_EBUSY;
				if (ret != -HV_EBUSY) {
					st->refused++;
					next++, completed++, errors++;
				}
				break;
			}
			next++;
			if (inflight > st->max_inflight)
				st->max_inflight = inflight;
		}
		if (!d->ops->poll(d) && d->irq_port) {
			rt_sti();	/* until its interrupt, as an event */
			(void)rt_wait_event_until(end);
			rt_cli();
		} else if (!d->irq_port) {
			rt_pause();
		}
	}
	st->ticks = rt_rdtsc() - t0;
	return completed == total;
}

static void queue_test(struct blkdev *d, uint64_t sector, uint64_t count, uint32_t req,
		       unsigned int depth)
{
	static const char *const name[] = { [BLK_READ] = "read", [BLK_WRITE] = "write" };
	const enum blk_op ops[] = { BLK_WRITE, BLK_READ, BLK_READ };
	unsigned int total = (unsigned int)(count / req), want;
	uint64_t ticks_deep = 0;
	struct qstats st;

	if (!rt_report(req && count % req == 0 && req <= d->max_sectors && depth &&
		       depth <= DEPTH_MAX && (uint64_t)depth * req * BLK_SECTOR <= BUF_BYTES &&
		       sector + count <= d->sectors, "queue: %lu sectors from %lu in requests of %u "
		       "at depth %u fit the test's buffers and the disk", count, sector, req, depth))
		return;
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int dep = i < 2 ? depth : 1;
		bool all = q_pass(d, ops[i], sector, total, req, dep, &st);

		want = dep < d->queue_depth ? dep : d->queue_depth;
		rt_report(all && !errors && st.max_inflight == want,
			  "queue: %s %u requests of %u sectors at depth %u: %u completed, %u bad "
			  "(first in slot %d), max_inflight=%u of %u, busy=%u, ticks=%lu", name[ops[i]],
			  total, req, dep, completed, errors, errors ? (int)first_bad_req : -1,
			  st.max_inflight, want, st.busy, st.ticks);
		if (i == 1)
			ticks_deep = st.ticks;
		else if (i == 2 && ticks_deep)
			rt_printf("disk: queue: read at depth %u took %lu ticks, at depth 1 %lu: "
				  "speedup x%lu.%02lu\n", depth, ticks_deep, st.ticks,
				  st.ticks / ticks_deep, st.ticks * 100 / ticks_deep % 100);
	}
}

/* ---- main ---- */

static bool pick(struct blkdev **d)
{
	unsigned int n = blkdev_probe_all(disks, BLK_MAX_DISKS);
	uint64_t which = 0;

	for (unsigned int i = 0; i < n; i++)
		rt_printf("disk: %s sectors=%lu max_sectors=%u queue_depth=%u dma_align=%u flush=%u "
			  "discard=%u irq_port=%u\n", disks[i].name, disks[i].sectors,
			  disks[i].max_sectors, disks[i].queue_depth, disks[i].dma_align,
			  disks[i].can_flush, disks[i].can_discard, disks[i].irq_port);
	if (opt_nums("disk", &which, 1) < 0)
		which = ~0ull;
	if (!rt_report(which < n, "disk %lu of the %u found", which, n))
		return false;
	*d = &disks[which];
	return true;
}

int rt_main(void)
{
	uint64_t v[3];
	struct blkdev *d;
	int n;

	rt_printf("disk: cmdline \"%s\"\n", rt_boot.cmdline);
	if (!pick(&d))
		return rt_summary() ? 1 : 0;
	if (opt_nums("irq", v, 1) == 1 && v[0]) {
		int ret = blkdev_irq_on(d);
		uint64_t ev = rt_evtchn_unhandled();

		rt_report(!ret && d->irq_port, "interrupts: %s index %u -> event port %u (%d)",
			  d->name, d->irq_index, d->irq_port, ret);
		refusals(d);
		rt_printf("disk: events before the tests %lu\n", ev);
	} else {
		refusals(d);
	}
	if ((n = opt_nums("write", v, 3)) != 0 &&
	    rt_report(n == 3 && v[1] && v[0] + v[1] <= d->sectors, "write= option is SECTOR:COUNT:SEED on the disk"))
		write_flush_check(d, v[0], v[1], (uint32_t)v[2]);
	if ((n = opt_nums("verify", v, 3)) != 0 &&
	    rt_report(n == 3 && v[1] && v[0] + v[1] <= d->sectors, "verify= option is SECTOR:COUNT:SEED on the disk"))
		read_compare(d, v[0], v[1], (uint32_t)v[2], "verify");
	if ((n = opt_nums("queue", v, 3)) != 0 && rt_report(n == 3, "queue= option is SECTOR:COUNT:REQ")) {
		uint64_t depth = DEPTH_DEFAULT;

		if (opt_nums("depth", &depth, 1) < 0)
			depth = 0;
		queue_test(d, v[0], v[1], (uint32_t)v[2], (unsigned int)depth);
	}
	if ((n = opt_nums("discard", v, 2)) != 0) {
		if (!d->can_discard)
			rt_printf("disk: %s cannot discard: discard= skipped\n", d->name);
		else if (rt_report(n == 2, "discard= option is SECTOR:COUNT")) {
			n = blkdev_sync(d, BLK_DISCARD, v[0], (uint32_t)v[1], NULL);
			rt_report(!n, "discard %lu sectors from %lu (%d)", v[1], v[0], n);
		}
	}
	if ((n = opt_nums("eio", v, 1)) != 0 && rt_report(n == 1, "eio= option is SECTOR")) {
		n = blkdev_sync(d, BLK_READ, v[0], 1, iobuf);
		rt_report(n == -HV_EIO, "read of sector %lu fails with the device's error (%d)", v[0], n);
		n = blkdev_sync(d, BLK_READ, 0, 1, iobuf);
		rt_report(!n, "read of sector 0 after the error works (%d)", n);
	}
	if (d->irq_port) {
		/* Requests polled to completion left their events pending: take them now. */
		rt_sti();
		rt_delay_us(2000);
		rt_cli();
		rt_report(rt_evtchn_unhandled() > 0, "disk: %lu interrupts arrived as events on port %u",
			  rt_evtchn_unhandled(), d->irq_port);
	}
	return rt_summary() ? 1 : 0;
}
