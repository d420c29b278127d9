/* SPDX-License-Identifier: MIT */
/* The pvblk back end: each request copied once and checked (pvdev/blk), handed to the disk driver with the channel's data window as its buffer, answered when it completes (docs/pvblk.md). */
#include "guest-drivers/blk/blkback.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"
#include "pvdev/blk.h"

enum bb_tag_state {
	TAG_FREE,
	TAG_WAIT,	/* checked, not yet taken by the disk (it said busy) */
	TAG_DISK,	/* on the disk */
	TAG_DONE,	/* answered in status, waiting for room on the rsp ring */
};

struct bb_chan;

/* A request taken from the ring, until its response is put (or dropped). */
struct bb_tag {
	struct blk_req r;
	struct pvblk_io io;
	struct bb_chan *ch;
	enum bb_tag_state state;
	enum pvblk_status status;
};

/* A disk's share of work: its queue depth is split among the channels live on it. */
struct bb_disk {
	struct blkdev *d;
	uint32_t inflight;	/* requests on the disk, all channels */
	uint32_t live;		/* channels served on it now */
};

struct bb_chan {
	const struct hv_start_channel *c;
	uint32_t idx;			/* in the start info */
	struct bb_disk *disk;
	struct pvblk_export exp;
	struct ring_end ring;
	uint8_t *data;			/* the data window: the device's buffers */
	uint32_t epoch;			/* the link life the ring is attached at (0: none) */
	uint32_t want;			/* a new life to attach at once the old one's I/O ends */
	bool live;			/* link up at epoch: requests taken, responses put */
	bool shut;			/* impossible index: nothing until a new epoch */
	volatile bool look;		/* an event came: the link may have moved */
	uint32_t ntags, busy, on_disk;
	struct bb_tag tags[BLKBACK_MAX_TAGS];
	struct blkback_stats st;
};

static struct bb_disk bdisk[BLK_MAX_DISKS];
static struct bb_chan chans[HV_START_MAX_CHANNELS];
static uint32_t nchans;

static const char *const status_name[PVBLK_S_COUNT_] = {
	"ok", "eio", "bad_op", "bad_field", "unsupported", "readonly", "bad_count", "range",
	"unaligned", "data",
};

static const enum blk_op blk_op_of[] = {
	[PVBLK_OP_READ] = BLK_READ, [PVBLK_OP_WRITE] = BLK_WRITE,
	[PVBLK_OP_FLUSH] = BLK_FLUSH, [PVBLK_OP_DISCARD] = BLK_DISCARD,
};

/* ---- set-up ---- */

static void on_event(void *arg, uint32_t port)
{
	struct bb_chan *ch = arg;

	ch->st.notify_rx++;
	ch->look = true;
}

/* The export of cfg on disk d: 0, or why the channel cannot be served (logged). */
static int bb_export(struct bb_chan *ch, const struct blkdev *d,
		     const struct hv_start_chan_cfg *cfg)
{
	uint64_t first = cfg->blk.first_sector, n = cfg->blk.nsectors, last = UINT64_MAX;
	uint64_t max = ch->c->data_size / PVBLK_SECTOR_SIZE;

	if (n != HV_BLK_TO_END && (!n || __builtin_add_overflow(first, n - 1, &last)))
		return -HV_ERANGE;
	if (pvblk_export_slice(&ch->exp, first, last, d->sectors))
		return -HV_ERANGE;
	if (max > d->max_sectors)
		max = d->max_sectors;
	ch->exp.readonly = cfg->blk.flags & HV_BLK_READONLY;
	ch->exp.can_discard = d->can_discard;
	ch->exp.can_flush = true;	/* no flush command: a completed write is on the medium */
	ch->exp.data_size = ch->c->data_size;
	ch->exp.max_sectors_per_req = (uint32_t)max;
	if (!pvblk_export_ok(&ch->exp) || rt_dma_addr(ch->data) == RT_DMA_NONE)
		return -HV_EINVAL;
	return 0;
}

static void bb_attach(struct bb_chan *ch, uint32_t epoch)
{
	if (ring_end_attach(&ch->ring, rt_channel_ring(ch->c), ch->c->ring_size, true, epoch)) {
		rt_printf("blkback: channel %s: cannot attach its ring\n", ch->c->name);
		ch->shut = true;
		ch->want = 0;
		return;
	}
	ch->epoch = epoch;
	ch->want = 0;
	ch->shut = false;
	ch->st.attaches++;
	if (!ch->live)
		ch->disk->live++;
	ch->live = true;
}

static bool bb_link(struct bb_chan *ch);

static int bb_add(uint32_t i, struct blkdev *disks, unsigned int ndisks)
{
	const struct hv_start_info *si = rt_start_info();
	const struct hv_start_chan_cfg *cfg = &si->chan_cfg[i];
	struct bb_chan *ch = &chans[nchans];
	int r;

	*ch = (struct bb_chan){ .c = rt_channel(i), .idx = i };
	ch->data = rt_channel_data(ch->c);
	if (cfg->blk.disk >= ndisks) {
		rt_printf("blkback: channel %s refused: no disk %u (%u found)\n", ch->c->name,
			  cfg->blk.disk, ndisks);
		return -HV_ENOENT;
	}
	ch->disk = &bdisk[cfg->blk.disk];
	r = bb_export(ch, &disks[cfg->blk.disk], cfg);
	if (r) {
		rt_printf("blkback: channel %s refused: sectors %lu+%lu%s not an export of %s "
			  "(%lu sectors, data %lu): error %d\n", ch->c->name, cfg->blk.first_sector,
			  cfg->blk.nsectors, cfg->blk.nsectors == HV_BLK_TO_END ? " (to the end)" : "",
			  disks[cfg->blk.disk].name, disks[cfg->blk.disk].sectors, ch->c->data_size, r);
		return r;
	}
	ch->ntags = PVBLK_MAX_INFLIGHT(ch->c->ring_size);
	if (ch->ntags > BLKBACK_MAX_TAGS)
		ch->ntags = BLKBACK_MAX_TAGS;
	for (uint32_t t = 0; t < ch->ntags; t++)
		ch->tags[t].ch = ch;
	r = rt_evtchn_bind(ch->c->port, on_event, ch);
	if (r)
		return r;
	(void)bb_link(ch);		/* attaches at the link's epoch if it is up */
	rt_printf("blkback: channel %s: disk %u sectors %lu+%lu %s, %u in flight, data %lu at "
		  "dma 0x%lx, max %u sectors, port %u, epoch %u\n", ch->c->name, cfg->blk.disk,
		  ch->exp.first_sector, ch->exp.nsectors, ch->exp.readonly ? "ro" : "rw", ch->ntags,
		  ch->c->data_size, rt_dma_addr(ch->data), ch->exp.max_sectors_per_req, ch->c->port,
		  ch->epoch);
	nchans++;
	return 0;
}

int blkback_init(struct blkdev *disks, unsigned int ndisks)
{
	const struct hv_start_info *si = rt_start_info();
	int r = rt_evtchn_init();

	if (r)
		return r;
	for (unsigned int k = 0; k < ndisks && k < BLK_MAX_DISKS; k++) {
		bdisk[k] = (struct bb_disk){ .d = &disks[k] };
		/* Interrupt-driven disks wake the loop; polled ones are polled while busy. */
		if (disks[k].irq_port && rt_evtchn_bind(disks[k].irq_port, NULL, NULL))
			disks[k].irq_port = 0;
	}
	for (uint32_t i = 0; si && i < si->nchannels; i++) {
		const struct hv_start_channel *c = rt_channel(i);

		if (c && c->type == HV_CHAN_PVBLK && c->backend &&
		    (r = bb_add(i, disks, ndisks < BLK_MAX_DISKS ? ndisks : BLK_MAX_DISKS)) &&
		    r != -HV_ENOENT && r != -HV_ERANGE && r != -HV_EINVAL)
			return r;
	}
	return (int)nchans;
}

/* ---- the link ---- */

/* The old life's requests have all left the disk: attach at the new one. */
static void bb_reattach(struct bb_chan *ch)
{
	if (!ch->want || ch->busy)
		return;
	if (ch->epoch)
		rt_printf("blkback: channel %s: re-attached at epoch %u\n", ch->c->name, ch->want);
	bb_attach(ch, ch->want);
}

static void bb_unlive(struct bb_chan *ch)
{
	if (ch->live)
		ch->disk->live--;
	ch->live = false;
}

/*
 * Looks at the link: down, or up at another epoch, and this life is over (responses
 * still due are dropped). Attaches at the new epoch only when no request of the old
 * life is on the disk: its DMA may still land in the data region.
 */
static bool bb_link(struct bb_chan *ch)
{
	int64_t s = rt_evtchn_status(ch->c->port);
	bool up = s >= 0 && EVTCHN_STATUS_STATE(s) == EVTCHN_STATE_CHANNEL;
	uint32_t epoch = up ? EVTCHN_STATUS_EPOCH(s) : 0;

	ch->look = false;
	if (up && epoch == ch->epoch)
		return true;
	if (ch->live)
		rt_printf("blkback: channel %s: link %s (epoch %u)\n", ch->c->name,
			  up ? "up at a new epoch" : "down", up ? epoch : ch->epoch);
	bb_unlive(ch);
	ch->want = up ? epoch : 0;
	bb_reattach(ch);
	return false;
}

static void bb_shut(struct bb_chan *ch, int err)
{
	rt_printf("blkback: channel %s: front end published an impossible ring index "
		  "(error %d): channel shut down until it restarts\n", ch->c->name, err);
	ch->shut = true;
	ch->st.shutdowns++;
	bb_unlive(ch);
}

/* ---- requests ---- */

static void bb_finish(struct bb_tag *t, enum pvblk_status st)
{
	t->status = st;
	t->state = TAG_DONE;
}

static void bb_disk_done(struct blk_req *r)
{
	struct bb_tag *t = r->ctx;

	t->ch->on_disk--;
	t->ch->disk->inflight--;
	if (!r->status)
		t->ch->st.bytes += t->io.len;
	bb_finish(t, r->status ? PVBLK_S_EIO : PVBLK_S_OK);
}

/* Hands t to the disk: buf is the data window itself, so the device moves the bytes. */
static void bb_submit(struct bb_tag *t)
{
	struct bb_chan *ch = t->ch;
	int r;

	t->r = (struct blk_req){ .op = blk_op_of[t->io.op], .sector = t->io.disk_sector,
				 .count = t->io.count, .done = bb_disk_done, .ctx = t,
				 .buf = t->io.len ? ch->data + t->io.data_off : NULL };
	t->state = TAG_DISK;
	ch->on_disk++;
	ch->disk->inflight++;
	r = ch->disk->d->ops->submit(ch->disk->d, &t->r);
	if (!r)
		return;
	ch->on_disk--;
	ch->disk->inflight--;
	if (r == -HV_EBUSY)
		t->state = TAG_WAIT;
	else
		bb_finish(t, PVBLK_S_EIO);
}

/* Starts a checked request: at once for INFO and for a flush the disk does not need. */
static void bb_start(struct bb_tag *t, enum pvblk_status st)
{
	struct bb_chan *ch = t->ch;

	ch->st.ops[t->io.op <= PVBLK_OP_INFO ? t->io.op : 0]++;
	if (st)
		bb_finish(t, st);
	else if (t->io.op == PVBLK_OP_INFO ||
		 (t->io.op == PVBLK_OP_FLUSH && !ch->disk->d->can_flush))
		bb_finish(t, PVBLK_S_OK);
	else
		bb_submit(t);
}

/* The channel's first tag in this state, or NULL. */
static struct bb_tag *bb_find(struct bb_chan *ch, enum bb_tag_state state)
{
	for (uint32_t i = 0; i < ch->ntags; i++)
		if (ch->tags[i].state == state)
			return &ch->tags[i];
	return NULL;
}

/* The channel's fair part of its disk's queue: depth / live channels, at least 1. */
static bool bb_disk_room(const struct bb_chan *ch)
{
	const struct bb_disk *k = ch->disk;
	uint32_t share = k->live ? k->d->queue_depth / k->live : k->d->queue_depth;

	return k->inflight < k->d->queue_depth && ch->on_disk < (share ? share : 1);
}

/* Takes up to BLKBACK_BATCH requests while the channel has tags and disk room. */
static uint32_t bb_take(struct bb_chan *ch)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ch->ntags; i++) {
		if (ch->tags[i].state != TAG_WAIT)
			continue;
		if (!ch->live)
			bb_finish(&ch->tags[i], PVBLK_S_EIO);	/* dropped: no one to answer */
		else if (bb_disk_room(ch))
			bb_submit(&ch->tags[i]);
	}
	while (n < BLKBACK_BATCH && ch->live && ch->busy < ch->ntags && bb_disk_room(ch)) {
		struct bb_tag *t = bb_find(ch, TAG_FREE);
		enum pvblk_status st;
		int r = pvblk_be_next(&ch->ring.rx, &ch->exp, &t->io, &st);

		if (r < 0)
			bb_shut(ch, r);
		if (r != 1)
			break;
		ch->busy++;
		n++;
		bb_start(t, st);
	}
	return n;
}

/* Puts the responses that are done; those of a life that is over are dropped. */
static uint32_t bb_respond(struct bb_chan *ch)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ch->ntags; i++) {
		struct bb_tag *t = &ch->tags[i];
		struct pvblk_rsp rsp;
		int r = -1;		/* not put: dropped */

		if (t->state != TAG_DONE)
			continue;
		if (ch->live) {
			if (t->io.op == PVBLK_OP_INFO && t->status == PVBLK_S_OK)
				pvblk_rsp_info(&rsp, &t->io, &ch->exp);
			else
				pvblk_rsp_init(&rsp, &t->io, t->status);
			r = ring_tx_put(&ch->ring.tx, &rsp);
			if (r < 0)
				bb_shut(ch, r);
			if (r == 0)
				break;		/* the rsp ring is full: the pressure stays here */
			if (r == 1)
				ch->st.status[t->status]++;
		}
		if (r != 1)
			ch->st.dropped++;
		t->state = TAG_FREE;
		ch->busy--;
		n++;
	}
	return n;
}

static void bb_notify(struct bb_chan *ch)
{
	int64_t r = rt_evtchn_send(ch->c->port);

	ch->st.notify_tx++;
	if (r < 0)
		ch->look = true;	/* -HV_ENOENT: the front end is gone */
}

/* One turn of one channel: responses, new requests, one event at most. True if it moved. */
static bool bb_serve(struct bb_chan *ch)
{
	uint32_t put = bb_respond(ch), took = bb_take(ch);
	bool wake = false;

	if (ch->live) {
		wake = ring_tx_push(&ch->ring.tx);
		wake |= ring_rx_release(&ch->ring.rx);
	}
	if (wake)
		bb_notify(ch);
	/* An event with nothing behind it: maybe the link moved (asked once, not per event). */
	if (ch->look && !took)
		(void)bb_link(ch);
	bb_reattach(ch);
	return put || took;
}

/* ---- the loop ---- */

static bool bb_pass(uint32_t first)
{
	bool moved = false;

	for (unsigned int k = 0; k < BLK_MAX_DISKS; k++)
		if (bdisk[k].d && bdisk[k].inflight)
			moved |= bdisk[k].d->ops->poll(bdisk[k].d) != 0;
	for (uint32_t i = 0; i < nchans; i++)
		moved |= bb_serve(&chans[(first + i) % nchans]);
	return moved;
}

/* A polled disk with requests in flight: keep polling rather than sleep. */
static bool bb_must_poll(void)
{
	for (unsigned int k = 0; k < BLK_MAX_DISKS; k++)
		if (bdisk[k].d && bdisk[k].inflight && !bdisk[k].d->irq_port)
			return true;
	return false;
}

/* Before sleeping: ask each live channel to be woken by its next request (or room). */
static bool bb_arm(void)
{
	for (uint32_t i = 0; i < nchans; i++) {
		struct bb_chan *ch = &chans[i];
		int r = 0;

		if (ch->look)
			return true;
		if (!ch->live)
			continue;
		if (ch->busy < ch->ntags)
			r = ring_rx_arm(&ch->ring.rx);
		if (!r && bb_find(ch, TAG_DONE))
			r = ring_tx_arm(&ch->ring.tx, 1);
		if (r < 0)
			bb_shut(ch, r);
		if (r)
			return true;
	}
	return false;
}

/* Every tick: each link looked at; true once all have been down, idle, long enough. */
static bool bb_tick(uint32_t *gone)
{
	bool all = true;

	/*
	 * Disks with requests in flight are polled here too, interrupts or not: a completion
	 * whose interrupt went missing (pvblk-flood once hung its last 32 requests that way,
	 * cause not found yet) is then picked up within a tick instead of never.
	 */
	for (unsigned int k = 0; k < BLK_MAX_DISKS; k++)
		if (bdisk[k].d && bdisk[k].inflight)
			(void)bdisk[k].d->ops->poll(bdisk[k].d);

	for (uint32_t i = 0; i < nchans; i++)
		all &= !bb_link(&chans[i]) && !chans[i].live && !chans[i].busy;
	*gone = all ? *gone + 1 : 0;
	return *gone >= BLKBACK_GONE_TICKS;
}

/* ---- one loop for several back ends (blkback.h) ---- */

static uint32_t step_first, step_gone;

bool blkback_step(void)
{
	return bb_pass(step_first++);
}

bool blkback_busy(void)
{
	return bb_must_poll() || bb_arm();
}

bool blkback_tick(void)
{
	return bb_tick(&step_gone);
}

int blkback_run(uint64_t give_up_s)
{
	uint64_t hz = rt_tsc_hz(), t0 = rt_rdtsc(), tick = t0;
	uint32_t first = 0, gone = 0;

	for (;;) {
		bool moved = bb_pass(first++);

		if (rt_rdtsc() >= tick) {
			if (bb_tick(&gone))
				return 0;
			if (rt_rdtsc() - t0 > give_up_s * hz)
				return -HV_EBUSY;
			tick = rt_rdtsc() + hz / 1000 * BLKBACK_TICK_MS;
		}
		if (moved || bb_must_poll()) {
			rt_pause();
			continue;
		}
		if (!bb_arm())
			(void)rt_wait_event_until(tick);
	}
}

/* ---- counters ---- */

void blkback_print_stats(void)
{
	for (uint32_t i = 0; i < nchans; i++) {
		const struct blkback_stats *s = &chans[i].st;
		const char *n = chans[i].c->name;
		uint64_t reqs = 0;

		for (unsigned int k = 0; k < PVBLK_S_COUNT_; k++)
			reqs += s->status[k];
		rt_printf("blkback: stats %s: requests=%lu read=%lu write=%lu flush=%lu discard=%lu "
			  "info=%lu bad_op=%lu\n", n, reqs, s->ops[PVBLK_OP_READ], s->ops[PVBLK_OP_WRITE],
			  s->ops[PVBLK_OP_FLUSH], s->ops[PVBLK_OP_DISCARD], s->ops[PVBLK_OP_INFO], s->ops[0]);
		rt_printf("blkback: status %s:", n);
		for (unsigned int k = 0; k < PVBLK_S_COUNT_; k++)
			rt_printf(" %s=%lu", status_name[k], s->status[k]);
		rt_printf("\n");
		/* The device moved every byte: nothing is copied, whatever the traffic. */
		rt_printf("blkback: data %s: bytes=%lu copied=%lu shutdowns=%lu attaches=%lu "
			  "dropped=%lu\n", n, s->bytes, s->copied, s->shutdowns, s->attaches, s->dropped);
		/* Events per 1000 requests each way: what notification costs. */
		rt_printf("blkback: events %s: sent=%lu received=%lu sent_per_1k=%lu received_per_1k=%lu\n",
			  n, s->notify_tx, s->notify_rx, reqs ? s->notify_tx * 1000 / reqs : 0,
			  reqs ? s->notify_rx * 1000 / reqs : 0);
	}
}
