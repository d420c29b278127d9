/* SPDX-License-Identifier: MIT */
/* Test child: a hostile pvblk front end: every class of malformed request, requests rewritten after publishing, an impossible producer index. */
#include "guest-drivers/blk/blkfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (each optional):
 *   chan=NAME     the pvblk channel to attack (default: the first this child fronts)
 *   ro=NAME       a read-only pvblk channel of this child: writes and discards on it
 *                 must get PVBLK_S_READONLY (without it that class is skipped)
 *   rewrites=N    requests rewritten in the ring after publishing them (default 64)
 *   jump=0        skip the last step (the producer index jump; default 1: do it)
 * Steps: each malformed request gets its exact status (pvblk_check's order, see
 * include/abi/pvblk.h), a good read still works; rewritten requests are each answered
 * either as sent or as rewritten, never otherwise; then the producer index jumps 64K
 * ahead: the back end must shut the channel down (no answer to a good request after
 * it). Lines: "blkhostile: ...", PASS/FAIL, "summary: ..."; exit status 0 iff all passed.
 * A class the export cannot show (UNSUPPORTED when it flushes and discards) is a
 * "blkhostile: skip ..." line, not a FAIL.
 */

#define ANSWER_S	3		/* a request not answered in this long: no answer */
#define REWRITES	64
#define JUMP		0x10000u	/* far beyond any ring's slot count */

static struct blkfront dev, rodev;

/* ---- the command line (as blkchild.c) ---- */

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

/* ---- one raw request ---- */

struct answer {
	bool done;
	int status;
};

static void on_answer(struct blkfront *f, struct blkfront_req *r)
{
	struct answer *a = r->ctx;

	a->done = true;
	a->status = r->status;
}

/* Waits for a (ANSWER_S at most): the status, or -HV_EBUSY if none came. */
static int wait_answer(struct blkfront *f, const struct answer *a)
{
	uint64_t end = rt_rdtsc() + ANSWER_S * rt_tsc_hz();

	while (!a->done && rt_rdtsc() < end)
		blkfront_wait(f, end);
	return a->done ? a->status : -HV_EBUSY;
}

/*
 * Sends q as it is (rel: data_off counted from this request's own buffer) and waits:
 * the status, -HV_EBUSY (no answer), or the front end's error.
 */
static int raw(struct blkfront *f, struct pvblk_req q, bool rel)
{
	struct blkfront_req *r = blkfront_get(f);
	struct answer a = { 0 };
	int ret;

	if (!r)
		return -HV_EBUSY;
	if (rel)
		q.data_off += r->data_off;
	r->done = on_answer;
	r->ctx = &a;
	ret = blkfront_submit_raw(f, r, &q);
	if (ret) {
		blkfront_put(f, r);
		return ret;
	}
	return wait_answer(f, &a);
}

static struct pvblk_req req(uint16_t op, uint32_t count, uint64_t sector, uint64_t data_off)
{
	return (struct pvblk_req){ .op = op, .count = count, .sector = sector, .data_off = data_off };
}

/* ---- malformed requests, one per line of the status table ---- */

static const char *const status_name[PVBLK_S_COUNT_] = {
	"OK", "EIO", "BAD_OP", "BAD_FIELD", "UNSUPPORTED", "READONLY", "BAD_COUNT", "RANGE",
	"UNALIGNED", "DATA",
};

static void expect_status(struct blkfront *f, const char *what, struct pvblk_req q, bool rel,
			  enum pvblk_status want)
{
	int st = raw(f, q, rel);

	rt_report(st == (int)want, "%s %s: %s gets status %d (%s)", f->chan->name,
		  status_name[want], what, st, st >= 0 && st < PVBLK_S_COUNT_ ? status_name[st] : "-");
}

static void bad_ops_fields(struct blkfront *f)
{
	struct pvblk_req q;

	expect_status(f, "op 0 (a zeroed slot)", req(0, 1, 0, 0), true, PVBLK_S_BAD_OP);
	expect_status(f, "op 6", req(6, 1, 0, 0), true, PVBLK_S_BAD_OP);
	expect_status(f, "op 0xffff", req(0xffff, 0, 0, 0), false, PVBLK_S_BAD_OP);
	q = req(PVBLK_OP_READ, 1, 0, 0);
	q.flags = 1;
	expect_status(f, "read with flags 1", q, true, PVBLK_S_BAD_FIELD);
	q = req(PVBLK_OP_READ, 1, 0, 0);
	q.rsvd_0x20[31] = 0x80;
	expect_status(f, "read with the last reserved byte set", q, true, PVBLK_S_BAD_FIELD);
	expect_status(f, "flush with sector 1", req(PVBLK_OP_FLUSH, 0, 1, 0), false, PVBLK_S_BAD_FIELD);
	expect_status(f, "info with data_off 512", req(PVBLK_OP_INFO, 0, 0, 512), false,
		      PVBLK_S_BAD_FIELD);
	expect_status(f, "discard with data_off 512", req(PVBLK_OP_DISCARD, 1, 0, 512), false,
		      PVBLK_S_BAD_FIELD);
}

static void bad_support(struct blkfront *f)
{
	if (!(f->info_flags & PVBLK_INFO_DISCARD))
		expect_status(f, "discard", req(PVBLK_OP_DISCARD, 1, 0, 0), false, PVBLK_S_UNSUPPORTED);
	if (!(f->info_flags & PVBLK_INFO_FLUSH))
		expect_status(f, "flush", req(PVBLK_OP_FLUSH, 0, 0, 0), false, PVBLK_S_UNSUPPORTED);
	if ((f->info_flags & (PVBLK_INFO_DISCARD | PVBLK_INFO_FLUSH)) ==
	    (PVBLK_INFO_DISCARD | PVBLK_INFO_FLUSH))
		rt_printf("blkhostile: skip %s UNSUPPORTED: the export flushes and discards\n",
			  f->chan->name);
}

static void bad_counts(struct blkfront *f)
{
	uint32_t max = f->info_max_sectors;

	expect_status(f, "read of 0 sectors", req(PVBLK_OP_READ, 0, 0, 0), true, PVBLK_S_BAD_COUNT);
	expect_status(f, "read of max_sectors + 1", req(PVBLK_OP_READ, max + 1, 0, 0), true,
		      PVBLK_S_BAD_COUNT);
	expect_status(f, "read of 2^32-1 sectors", req(PVBLK_OP_READ, ~0u, 0, 0), true,
		      PVBLK_S_BAD_COUNT);
	expect_status(f, "flush with count 1", req(PVBLK_OP_FLUSH, 1, 0, 0), false,
		      f->info_flags & PVBLK_INFO_FLUSH ? PVBLK_S_BAD_COUNT : PVBLK_S_UNSUPPORTED);
	expect_status(f, "info with count 1", req(PVBLK_OP_INFO, 1, 0, 0), false, PVBLK_S_BAD_COUNT);
}

static void bad_ranges(struct blkfront *f)
{
	uint64_t n = f->sectors, size = f->chan->data_size;

	expect_status(f, "read at the slice's end", req(PVBLK_OP_READ, 1, n, 0), true, PVBLK_S_RANGE);
	if (f->max_sectors >= 2)
		expect_status(f, "read across the slice's end", req(PVBLK_OP_READ, 2, n - 1, 0), true,
			      PVBLK_S_RANGE);
	expect_status(f, "read of sector 2^64-1", req(PVBLK_OP_READ, 1, ~0ull, 0), true, PVBLK_S_RANGE);
	expect_status(f, "read of 2 sectors from 2^64-1 (wraps)", req(PVBLK_OP_READ, 2, ~0ull, 0),
		      true, PVBLK_S_RANGE);
	if (f->info_flags & PVBLK_INFO_DISCARD && !(f->info_flags & PVBLK_INFO_READONLY))
		expect_status(f, "discard at the slice's end", req(PVBLK_OP_DISCARD, 1, n, 0), false,
			      PVBLK_S_RANGE);
	expect_status(f, "read into data_off 1", req(PVBLK_OP_READ, 1, 0, 1), true, PVBLK_S_UNALIGNED);
	expect_status(f, "read into data_off 511", req(PVBLK_OP_READ, 1, 0, 511), true,
		      PVBLK_S_UNALIGNED);
	expect_status(f, "read into data_off 2^64-1", req(PVBLK_OP_READ, 1, 0, ~0ull), false,
		      PVBLK_S_UNALIGNED);
	expect_status(f, "read into data_off = data size", req(PVBLK_OP_READ, 1, 0, size), false,
		      PVBLK_S_DATA);
	expect_status(f, "read of 2 sectors into the data region's last one",
		      req(PVBLK_OP_READ, 2, 0, size - 512), false, PVBLK_S_DATA);
	expect_status(f, "read into data_off 2^63", req(PVBLK_OP_READ, 1, 0, 1ull << 63), false,
		      PVBLK_S_DATA);
	expect_status(f, "read into data_off 2^64-512 (wraps)", req(PVBLK_OP_READ, 1, 0, ~511ull),
		      false, PVBLK_S_DATA);
}

static void bad_readonly(struct blkfront *f)
{
	struct pvblk_req q = req(PVBLK_OP_WRITE, 1, 0, 0);

	if (!rt_report(f->info_flags & PVBLK_INFO_READONLY, "%s is read-only (INFO flags 0x%x)",
		       f->chan->name, f->info_flags))
		return;
	expect_status(f, "write", q, true, PVBLK_S_READONLY);
	expect_status(f, "discard", req(PVBLK_OP_DISCARD, 1, 0, 0), false,
		      f->info_flags & PVBLK_INFO_DISCARD ? PVBLK_S_READONLY : PVBLK_S_UNSUPPORTED);
	expect_status(f, "read (allowed)", req(PVBLK_OP_READ, 1, 0, 0), true, PVBLK_S_OK);
}

static void malformed(struct blkfront *f)
{
	bad_ops_fields(f);
	bad_support(f);
	bad_counts(f);
	bad_ranges(f);
	expect_status(f, "a good read after them", req(PVBLK_OP_READ, 1, 0, 0), true, PVBLK_S_OK);
}

/* ---- rewriting published requests ---- */

/* The slot of the request published last: the front end may write it, and does. */
static struct pvblk_req *last_slot(struct blkfront *f)
{
	struct ring_tx *t = &f->ring.tx;

	return (struct pvblk_req *)(void *)(t->slots + ((t->prod - 1) & t->mask) * RING_SLOT_SIZE);
}

/* The rewritten version of round i, and the status it must get. */
static enum pvblk_status rewrite(struct blkfront *f, struct pvblk_req *slot, unsigned int i)
{
	switch (i % 3) {
	case 0:
		__atomic_store_n(&slot->sector, f->sectors, __ATOMIC_RELAXED);
		return PVBLK_S_RANGE;
	case 1:
		__atomic_store_n(&slot->op, (uint16_t)0x77, __ATOMIC_RELAXED);
		return PVBLK_S_BAD_OP;
	default:
		__atomic_store_n(&slot->data_off, f->chan->data_size, __ATOMIC_RELAXED);
		return PVBLK_S_DATA;
	}
}

static void rewrites(struct blkfront *f, unsigned int n)
{
	unsigned int as_sent = 0, as_rewritten = 0, other = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct blkfront_req *r = blkfront_get(f);
		struct pvblk_req q = req(PVBLK_OP_READ, 1, i % f->sectors, 0);
		struct answer a = { 0 };
		enum pvblk_status want;
		int st;

		if (!r)
			break;
		q.data_off = r->data_off;
		r->done = on_answer;
		r->ctx = &a;
		if (blkfront_submit_raw(f, r, &q)) {
			blkfront_put(f, r);
			break;
		}
		if (i & 4)
			rt_delay_us(i % 50);	/* sometimes give the back end a chance first */
		want = rewrite(f, last_slot(f), i);
		st = wait_answer(f, &a);
		if (st == PVBLK_S_OK)
			as_sent++;
		else if (st == (int)want)
			as_rewritten++;
		else if (other++ < 3)
			rt_printf("blkhostile: rewrite %u: status %d, neither 0 nor %u\n", i, st, want);
	}
	rt_report(as_sent + as_rewritten == n && !other, "rewrite: %u requests rewritten after "
		  "publishing: %u answered as sent, %u as rewritten, %u otherwise", n, as_sent,
		  as_rewritten, other);
	expect_status(f, "a good read after the rewrites", req(PVBLK_OP_READ, 1, 0, 0), true,
		      PVBLK_S_OK);
}

/* ---- an impossible producer index ---- */

static void jump(struct blkfront *f)
{
	struct ring_tx *t = &f->ring.tx;
	uint32_t bogus = t->pushed + JUMP;
	int64_t before, after;
	int st;

	before = rt_evtchn_status(f->port);
	__atomic_store_n(&t->mine->prod, bogus, __ATOMIC_RELEASE);
	rt_printf("blkhostile: jump: req prod published as %u (really %u)\n", bogus, t->pushed);
	(void)rt_evtchn_send(f->port);
	rt_delay_us(100000);
	/* A good request, published properly: a channel shut down never answers it. */
	st = raw(f, req(PVBLK_OP_READ, 1, 0, 0), true);
	after = rt_evtchn_status(f->port);
	rt_report(st == -HV_EBUSY, "jump: producer index %u ahead: a good read afterwards gets no "
		  "answer in %u s (%d)", JUMP, ANSWER_S, st);
	rt_printf("blkhostile: jump: link state %u epoch %u before, state %u epoch %u after; "
		  "front end state %u, %lu stray responses\n", EVTCHN_STATUS_STATE(before),
		  EVTCHN_STATUS_EPOCH(before), EVTCHN_STATUS_STATE(after), EVTCHN_STATUS_EPOCH(after),
		  f->state, f->st.stray);
	rt_report(after >= 0 && f->state == BLKFRONT_READY, "jump: the hostile child is still "
		  "running, its front end unharmed (link status %ld)", after);
}

/* ---- main ---- */

static bool open_dev(struct blkfront *f, const char *name)
{
	int ret = blkfront_open(f, name);

	if (!rt_report(!ret, "open %s (%d)", name ? name : "the first pvblk channel", ret))
		return false;
	rt_printf("blkhostile: %s sectors=%lu max_sectors=%u (back end's %u) flags=0x%x bufs=%ux%lu "
		  "data=%lu epoch=%u\n", f->chan->name, f->sectors, f->max_sectors,
		  f->info_max_sectors, f->info_flags, f->layout.nbufs, f->layout.buf_size,
		  f->chan->data_size, f->epoch);
	return true;
}

int rt_main(void)
{
	char name[32], roname[32];
	const char *chan = opt_word("chan", name, sizeof(name));
	const char *ro = opt_word("ro", roname, sizeof(roname));
	uint64_t n = REWRITES, do_jump = 1;

	(void)rt_cmdline_u64("rewrites", &n);
	(void)rt_cmdline_u64("jump", &do_jump);
	rt_printf("blkhostile: cmdline \"%s\"\n", rt_boot.cmdline);
	if (!open_dev(&dev, chan))
		return rt_summary() ? 1 : 0;
	malformed(&dev);
	if (ro && open_dev(&rodev, ro)) {
		bad_readonly(&rodev);
		malformed(&rodev);
	} else if (!ro) {
		rt_printf("blkhostile: skip READONLY: no ro= channel\n");
	}
	rewrites(&dev, n > 100000 ? 100000 : (unsigned int)n);
	if (do_jump)
		jump(&dev);
	rt_printf("blkhostile: totals: %lu requests, %lu answered, %lu stray, %lu events sent, "
		  "%lu received\n", dev.st.submitted, dev.st.completed, dev.st.stray, dev.st.kicks,
		  dev.st.events);
	return rt_summary() ? 1 : 0;
}
