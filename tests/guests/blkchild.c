/* SPDX-License-Identifier: MIT */
/* Test child: reads and writes its disk slice through the pvblk front end: patterns, queue depth, notifications, range errors. */
#include "guest-drivers/blk/blkfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "tests/guests/disk_pattern.h"

/*
 * cmdline (each optional; numbers decimal or 0x hex; sectors are the channel's):
 *   chan=NAME               the pvblk channel to use (default: the first this child is
 *                           the front end of)
 *   write=SECTOR:COUNT:SEED write the pattern (disk_pattern.h, sectors numbered as the
 *                           channel sees them), flush (if INFO offers it), read back
 *   verify=SECTOR:COUNT:SEED only read and compare (a second boot, or the other slice)
 *   queue=SECTOR:COUNT:REQ  write then read COUNT sectors in REQ-sector requests with
 *   depth=N                 depth=N (default 32) in flight from the data region's own
 *                           buffers, every completion checked (seed QUEUE_SEED); then
 *                           the read again at depth 1. REQ must fit one buffer: data
 *                           size / 32 (an 8K ring): data=128K for REQ=8
 *   outside=1               reads at and across the slice's end get PVBLK_S_RANGE, and
 *                           the device still works after them
 *   delay=MS                sleep MS ms after opening, before the options above
 *   within=S                PASS only if everything above ended within S seconds of
 *                           the open (pvblk-flood: a flood next door does not starve us)
 *   tput=SECTOR:MIB:DEPTH   throughput (`make bench`): write then read MIB MiB from
 *                           SECTOR in requests of one buffer (at most 64 KiB; tput_req=
 *                           SECTORS to change) with DEPTH in flight, each pass timed; the
 *                           buffers are filled once, before, and nothing is checked, as
 *                           blksvc's selftest=. MIB 0: no pass (a baseline of exits)
 *   flood=S                 keep every buffer in flight with writes over the slice
 *                           (64 KiB each at most, wrapping) for S seconds, then drain
 * Lines: "blkchild: CHAN sectors=N ...", PASS/FAIL, "blkchild: queue ... sent=K
 * received=E requests=R" per pass (events sent to / received from the back end),
 * "blkchild: tput write|read depth=D bytes=B requests=R ticks=T sent=K received=E",
 * "blkchild: flood start ...", "blkchild: flood end requests=N errors=E ...", "blkchild:
 * done in N ms", then "summary: ..."; exit status 0 iff all passed.
 */

#define QUEUE_SEED	0x51ed5eedu	/* disk.c's: tools/diskpat.py checks it the same way */
#define DEPTH_DEFAULT	32
#define BUF_BYTES	(256u * 1024)
#define WAIT_S		30
#define TPUT_REQ_MAX	128u		/* sectors: 64 KiB, blksvc's selftest request */

static uint8_t iobuf[BUF_BYTES] __attribute__((aligned(4096)));
static struct blkfront dev;

/* ---- the command line ---- */

/* The value of key= in the command line: its first character, or NULL. */
static const char *opt(const char *key)
{
	for (const char *s = rt_boot.cmdline; *s; s++) {
		const char *k = key, *w = s;

		if (s != rt_boot.cmdline && s[-1] != ' ')
			continue;
		while (*k && *w == *k)
			k++, w++;
		if (!*k && *w == '=')
			return w + 1;
	}
	return NULL;
}

/* key=A:B:..: up to max numbers into v; how many (0: absent), -1 if malformed. */
static int opt_nums(const char *key, uint64_t *v, int max)
{
	const char *s = opt(key);
	int n = 0;

	if (!s)
		return 0;
	for (;; s++) {
		unsigned int base = 10, digits = 0, d;

		if (n == max)
			return -1;
		if (s[0] == '0' && s[1] == 'x')
			base = 16, s += 2;
		for (v[n] = 0;; s++, digits++) {
			d = *s >= '0' && *s <= '9' ? (unsigned int)(*s - '0') :
			    *s >= 'a' && *s <= 'f' ? (unsigned int)(*s - 'a' + 10) : 99;
			if (d >= base)
				break;
			v[n] = v[n] * base + d;
		}
		if (!digits)
			return -1;
		n++;
		if (*s != ':')
			return *s == ' ' || !*s ? n : -1;
	}
}

/* chan=NAME into buf (NULL if absent). */
static const char *opt_word(const char *key, char *buf, unsigned int size)
{
	const char *s = opt(key);
	unsigned int i = 0;

	if (!s)
		return NULL;
	while (s[i] && s[i] != ' ' && i + 1 < size) {
		buf[i] = s[i];
		i++;
	}
	buf[i] = 0;
	return buf;
}

/* ---- write, verify ---- */

static bool in_slice(uint64_t sector, uint64_t count)
{
	return count && sector < dev.sectors && count <= dev.sectors - sector;
}

static bool read_compare(uint64_t sector, uint64_t count, uint32_t seed, const char *why)
{
	for (uint64_t at = 0; at < count; at += BUF_BYTES / 512) {
		uint32_t n = count - at < BUF_BYTES / 512 ? (uint32_t)(count - at) : BUF_BYTES / 512;
		uint32_t bad, w;
		int ret;

		memset(iobuf, 0, (size_t)n * 512);
		ret = blkfront_read(&dev, sector + at, n, iobuf);
		bad = disk_pat_check(iobuf, sector + at, n, seed);
		w = (bad < n ? bad : 0) * DISK_PAT_WORDS;
		if (ret || bad != n)
			return rt_report(false, "%s: read %lu sectors from %lu, seed %u: status %d at "
					 "sector %lu (holds sector=%u seed=%u)", why, count, sector, seed,
					 ret, sector + at + bad, ((uint32_t *)iobuf)[w],
					 ((uint32_t *)iobuf)[w + 1]);
	}
	return rt_report(true, "%s: read %lu sectors from %lu, seed %u: pattern intact", why,
			 count, sector, seed);
}

static void write_flush_check(uint64_t sector, uint64_t count, uint32_t seed)
{
	int ret = 0;

	for (uint64_t at = 0; at < count && !ret; at += BUF_BYTES / 512) {
		uint32_t n = count - at < BUF_BYTES / 512 ? (uint32_t)(count - at) : BUF_BYTES / 512;

		disk_pat_fill(iobuf, sector + at, n, seed);
		ret = blkfront_write(&dev, sector + at, n, iobuf);
	}
	rt_report(!ret, "write: %lu sectors from %lu, seed %u, %u per request (%d)", count, sector,
		  seed, dev.max_sectors, ret);
	if (dev.info_flags & PVBLK_INFO_FLUSH) {
		ret = blkfront_flush(&dev);
		rt_report(!ret, "flush (%d)", ret);
	} else {
		rt_printf("blkchild: no flush offered: a completed write is on the medium\n");
	}
	read_compare(sector, count, seed, "write");
}

/* ---- outside the slice ---- */

static int one(uint16_t op, uint64_t sector, uint32_t count)
{
	struct blkfront_req *r = blkfront_get(&dev);

	if (!r)
		return -HV_EBUSY;
	r->op = op;
	r->sector = sector;
	r->count = count;
	return blkfront_sync(&dev, r);
}

static void outside(void)
{
	int ret = one(PVBLK_OP_READ, dev.sectors, 1);

	rt_report(ret == PVBLK_S_RANGE, "outside: read of sector %lu (the slice's end) gets "
		  "PVBLK_S_RANGE (%d)", dev.sectors, ret);
	if (dev.max_sectors >= 2) {
		ret = one(PVBLK_OP_READ, dev.sectors - 1, 2);
		rt_report(ret == PVBLK_S_RANGE, "outside: read across the slice's end gets "
			  "PVBLK_S_RANGE (%d)", ret);
	}
	ret = one(PVBLK_OP_READ, ~0ull, 1);
	rt_report(ret == PVBLK_S_RANGE, "outside: read of sector 2^64-1 gets PVBLK_S_RANGE (%d)",
		  ret);
	ret = one(PVBLK_OP_READ, 0, 1);
	rt_report(!ret, "outside: read of sector 0 after them works (%d)", ret);
}

/* ---- the queue test ---- */

struct qpass {
	uint16_t op;
	uint64_t sector;
	uint32_t req;
	bool raw;			/* tput: the buffers as they are, nothing checked */
	unsigned int total, next, completed, bad, first_bad;
};

static struct qpass q;

static void q_done(struct blkfront *f, struct blkfront_req *r)
{
	unsigned int i = (unsigned int)((r->sector - q.sector) / q.req);

	if (r->status || (r->op == PVBLK_OP_READ && !q.raw &&
			  disk_pat_check(r->buf, r->sector, r->count, QUEUE_SEED) != r->count)) {
		if (!q.bad++)
			q.first_bad = i;
	}
	q.completed++;
}

/* Submits while below depth and buffers are free; true if any went out. */
static void q_fill(unsigned int depth)
{
	struct blkfront_req *r;

	while (q.next < q.total && dev.st.inflight < depth && (r = blkfront_get(&dev))) {
		r->op = q.op;
		r->sector = q.sector + (uint64_t)q.next * q.req;
		r->count = q.req;
		r->done = q_done;
		if (!q.raw && q.op == PVBLK_OP_WRITE)
			disk_pat_fill(r->buf, r->sector, r->count, QUEUE_SEED);
		else if (!q.raw)
			memset(r->buf, 0, (size_t)r->count * 512);
		q.next++;
		if (blkfront_submit(&dev, r)) {
			blkfront_put(&dev, r);
			if (!q.bad++)
				q.first_bad = q.next - 1;
			q.completed++;
		}
	}
}

/* The events sent and received during a pass. */
struct qcount {
	uint64_t ticks, kicks, events;
};

/* One pass of count sectors in req-sector requests, depth in flight: its counts. */
static struct qcount q_run(uint16_t op, uint64_t sector, uint64_t count, uint32_t req,
			   unsigned int depth, bool raw)
{
	uint64_t t0 = rt_rdtsc(), end = t0 + WAIT_S * rt_tsc_hz();
	uint64_t kicks = dev.st.kicks, events = dev.st.events;

	q = (struct qpass){ .op = op, .sector = sector, .req = req, .raw = raw,
			    .total = (unsigned int)(count / req) };
	dev.st.max_inflight = 0;
	while (q.completed < q.total && rt_rdtsc() < end) {
		q_fill(depth);
		blkfront_wait(&dev, end);
	}
	return (struct qcount){ .ticks = rt_rdtsc() - t0, .kicks = dev.st.kicks - kicks,
				.events = dev.st.events - events };
}

static void q_pass(uint16_t op, uint64_t sector, uint64_t count, uint32_t req, unsigned int depth)
{
	unsigned int want = depth < dev.layout.nbufs ? depth : dev.layout.nbufs;
	struct qcount c = q_run(op, sector, count, req, depth, false);

	rt_report(q.completed == q.total && !q.bad && dev.st.max_inflight == want,
		  "queue: %s %u requests of %u sectors at depth %u: %u completed, %u bad (first %d), "
		  "max_inflight=%u of %u", op == PVBLK_OP_WRITE ? "write" : "read", q.total, req,
		  depth, q.completed, q.bad, q.bad ? (int)q.first_bad : -1, dev.st.max_inflight, want);
	rt_printf("blkchild: queue %s depth=%u: sent=%lu received=%lu requests=%u ticks=%lu\n",
		  op == PVBLK_OP_WRITE ? "write" : "read", depth, c.kicks, c.events, q.total,
		  c.ticks);
}

static void queue_test(uint64_t sector, uint64_t count, uint32_t req, unsigned int depth)
{
	if (!rt_report(req && count % req == 0 && req <= dev.max_sectors && depth &&
		       in_slice(sector, count) && !(dev.info_flags & PVBLK_INFO_READONLY),
		       "queue: %lu sectors from %lu in requests of %u (at most %u) at depth %u "
		       "fit the slice", count, sector, req, dev.max_sectors, depth))
		return;
	q_pass(PVBLK_OP_WRITE, sector, count, req, depth);
	q_pass(PVBLK_OP_READ, sector, count, req, depth);
	q_pass(PVBLK_OP_READ, sector, count, req, 1);
}

/* ---- throughput (make bench) ---- */

static uint32_t tput_req(void)
{
	uint64_t req = TPUT_REQ_MAX;

	(void)rt_cmdline_u64("tput_req", &req);
	return (uint32_t)(req < dev.max_sectors ? req : dev.max_sectors);
}

static void tput(uint64_t sector, uint64_t mib, unsigned int depth)
{
	uint32_t req = tput_req();
	uint64_t count = mib * 1024 * 1024 / 512 / req * req;
	unsigned int want = depth < dev.layout.nbufs ? depth : dev.layout.nbufs;
	static const uint16_t ops[2] = { PVBLK_OP_WRITE, PVBLK_OP_READ };

	if (!mib) {
		rt_printf("blkchild: tput: no pass (MIB 0: a baseline)\n");
		return;
	}
	if (!rt_report(req && depth && in_slice(sector, count) &&
		       !(dev.info_flags & PVBLK_INFO_READONLY),
		       "tput: %lu MiB from %lu in requests of %u sectors at depth %u fit the slice",
		       mib, sector, req, depth))
		return;
	for (uint32_t i = 0; i < dev.layout.nbufs; i++)
		disk_pat_fill(dev.reqs[i].buf, i, req, QUEUE_SEED);
	for (unsigned int k = 0; k < 2; k++) {
		struct qcount c = q_run(ops[k], sector, count, req, depth, true);
		const char *what = ops[k] == PVBLK_OP_WRITE ? "write" : "read";

		rt_report(q.completed == q.total && !q.bad && dev.st.max_inflight == want,
			  "tput: %s %u requests of %u sectors at depth %u: %u completed, %u bad, "
			  "max_inflight=%u of %u", what, q.total, req, depth, q.completed, q.bad,
			  dev.st.max_inflight, want);
		rt_printf("blkchild: tput %s depth=%u bytes=%lu requests=%u ticks=%lu sent=%lu "
			  "received=%lu\n", what, depth, (uint64_t)q.completed * req * 512,
			  q.completed, c.ticks, c.kicks, c.events);
	}
}

/* ---- flood (pvblk-flood): every buffer in flight, for seconds ---- */

static uint64_t flood_done, flood_errors;

static void flood_cb(struct blkfront *f, struct blkfront_req *r)
{
	flood_done++;
	if (r->status)
		flood_errors++;
}

static void flood(uint64_t seconds)
{
	uint64_t t0 = rt_rdtsc(), hz = rt_tsc_hz(), stop = t0 + seconds * hz;
	uint32_t req = tput_req(), per = (uint32_t)(dev.sectors / req), next = 0;
	uint64_t sent = 0, kicks = dev.st.kicks;
	struct blkfront_req *r;

	if (!rt_report(per && !(dev.info_flags & PVBLK_INFO_READONLY),
		       "flood: requests of %u sectors fit the slice", req))
		return;
	rt_printf("blkchild: flood start seconds=%lu depth=%u req=%u\n", seconds,
		  dev.layout.nbufs, req);
	dev.st.max_inflight = 0;
	while (rt_rdtsc() < stop) {
		while ((r = blkfront_get(&dev))) {
			r->op = PVBLK_OP_WRITE;
			r->sector = (uint64_t)(next++ % per) * req;
			r->count = req;
			r->done = flood_cb;
			if (blkfront_submit(&dev, r)) {
				blkfront_put(&dev, r);
				flood_errors++;
				break;
			}
			sent++;
		}
		blkfront_wait(&dev, stop);
	}
	while (dev.st.inflight && rt_rdtsc() < stop + WAIT_S * hz)
		blkfront_wait(&dev, stop + WAIT_S * hz);
	rt_printf("blkchild: flood end requests=%lu completed=%lu errors=%lu max_inflight=%u "
		  "sent=%lu ms=%lu\n", sent, flood_done, flood_errors, dev.st.max_inflight,
		  dev.st.kicks - kicks, (rt_rdtsc() - t0) / (hz / 1000));
	rt_report(flood_done == sent && !flood_errors && dev.st.max_inflight == dev.layout.nbufs,
		  "flood: %lu requests, all answered OK, %u in flight", sent, dev.st.max_inflight);
}

/* ---- main ---- */

int rt_main(void)
{
	char name[32];
	const char *chan = opt_word("chan", name, sizeof(name));
	uint64_t v[3], depth = DEPTH_DEFAULT, t0;
	int n;

	rt_printf("blkchild: cmdline \"%s\"\n", rt_boot.cmdline);
	n = blkfront_open(&dev, chan);
	if (!rt_report(!n, "open %s (%d)", chan ? chan : "the first pvblk channel", n))
		return rt_summary() ? 1 : 0;
	rt_printf("blkchild: %s sectors=%lu max_sectors=%u readonly=%u flush=%u discard=%u "
		  "bufs=%ux%lu epoch=%u\n", dev.chan->name, dev.sectors, dev.max_sectors,
		  !!(dev.info_flags & PVBLK_INFO_READONLY), !!(dev.info_flags & PVBLK_INFO_FLUSH),
		  !!(dev.info_flags & PVBLK_INFO_DISCARD), dev.layout.nbufs, dev.layout.buf_size,
		  dev.epoch);
	t0 = rt_rdtsc();
	if (opt_nums("delay", v, 1) == 1)
		while (!rt_wait_event_until(t0 + v[0] * (rt_tsc_hz() / 1000)))
			;
	if ((n = opt_nums("tput", v, 3)) != 0 && rt_report(n == 3, "tput= option is SECTOR:MIB:DEPTH"))
		tput(v[0], v[1], (unsigned int)v[2]);
	if (opt_nums("flood", v, 1) == 1)
		flood(v[0]);
	if ((n = opt_nums("write", v, 3)) != 0 &&
	    rt_report(n == 3 && in_slice(v[0], v[1]), "write= option is SECTOR:COUNT:SEED in the slice"))
		write_flush_check(v[0], v[1], (uint32_t)v[2]);
	if ((n = opt_nums("verify", v, 3)) != 0 &&
	    rt_report(n == 3 && in_slice(v[0], v[1]), "verify= option is SECTOR:COUNT:SEED in the slice"))
		read_compare(v[0], v[1], (uint32_t)v[2], "verify");
	if ((n = opt_nums("queue", v, 3)) != 0 && rt_report(n == 3, "queue= option is SECTOR:COUNT:REQ")) {
		if (opt_nums("depth", &depth, 1) < 0)
			depth = 0;
		queue_test(v[0], v[1], (uint32_t)v[2], (unsigned int)depth);
	}
	if (opt_nums("outside", v, 1) == 1 && v[0])
		outside();
	if (opt_nums("within", v, 1) == 1 || opt("delay") || opt("flood")) {
		uint64_t ms = (rt_rdtsc() - t0) / (rt_tsc_hz() / 1000);

		rt_printf("blkchild: done in %lu ms\n", ms);
		if (opt_nums("within", v, 1) == 1)
			rt_report(ms <= v[0] * 1000, "within: everything done in %lu ms, bound %lu s",
				  ms, v[0]);
	}
	rt_printf("blkchild: totals: %lu requests, %lu events sent, %lu received, %lu stray, "
		  "%u attachments, %u link checks\n", dev.st.submitted, dev.st.kicks, dev.st.events,
		  dev.st.stray, dev.st.attaches, dev.st.link_checks);
	return rt_summary() ? 1 : 0;
}
