/* SPDX-License-Identifier: MIT */
/* The pvblk front end: attach, INFO, requests with completions, event-index notifications, back-end restarts (docs/pvblk.md). */
#include "guest-drivers/blk/blkfront.h"

#include "include/abi/evtchn.h"

#define INFO_TAG	BLKFRONT_MAX_REQS	/* the INFO request's tag, beside the buffers' */
#define CHECK_MS	100u			/* link check period while something waits */

/*
 * The upcall only notes the event: the link and the rings are looked at by
 * blkfront_poll, outside the interrupt, where done() may print and submit.
 */
static void on_event(void *arg, uint32_t port)
{
	struct blkfront *f = arg;

	f->st.events++;
	f->look = true;
}

static void kick(struct blkfront *f)
{
	f->st.kicks++;
	if (rt_evtchn_send(f->port) == -HV_ENOENT)
		f->look = true;		/* the back end stopped: the link check will see it */
}

static uint64_t req_id(const struct blkfront_req *r)
{
	return (uint64_t)r->gen << 32 | r->tag;
}

/* r is over: free it first (done() may take it again), then tell its owner. */
static void complete(struct blkfront *f, struct blkfront_req *r, int status)
{
	r->sent = false;
	r->busy = false;
	r->status = status;
	f->st.inflight--;
	f->st.completed++;
	if (status < 0)
		f->st.failed++;
	if (!status && r->op == PVBLK_OP_READ && r->copy)
		memcpy(r->copy, r->buf, (size_t)r->count * PVBLK_SECTOR_SIZE);
	if (r->done)
		r->done(f, r);
}

/* Every request on the ring fails with status: its answer will never come. */
static void fail_all(struct blkfront *f, int status)
{
	for (uint32_t i = 0; i < f->layout.nbufs; i++)
		if (f->reqs[i].sent)
			complete(f, &f->reqs[i], status);
	if (f->info_req.sent)
		complete(f, &f->info_req, status);
}

/* The back end published an impossible index: this life of the channel is over. */
static void dead(struct blkfront *f, int err)
{
	rt_printf("blkfront: %s: ring shut down (error %d), link epoch %u\n", f->chan->name, err,
		  f->epoch);
	f->state = BLKFRONT_DEAD;
	f->err = err;
	fail_all(f, err);
}

/* Puts q (with r's id) on the ring and publishes it; an event only if the back end sleeps. */
static int send(struct blkfront *f, struct blkfront_req *r, struct pvblk_req *q)
{
	int ret;

	r->gen++;
	q->id = req_id(r);
	ret = ring_tx_put(&f->ring.tx, q);
	if (ret != 1)		/* full: a back end answering what it never took */
		return ret < 0 ? ret : -HV_EBUSY;
	r->busy = r->sent = true;
	f->st.submitted++;
	if (++f->st.inflight > f->st.max_inflight)
		f->st.max_inflight = f->st.inflight;
	if (ring_tx_push(&f->ring.tx))
		kick(f);
	return 0;
}

/*
 * A new life of the channel (the first, or the back end restarted): what was in flight
 * fails, the ring is attached at the link's epoch, and INFO goes out. Nothing else is
 * sent until it is answered: that answer also says the back end's old DMA is over.
 */
static void attach(struct blkfront *f, uint32_t epoch)
{
	struct pvblk_req q;
	int ret;

	f->state = BLKFRONT_DOWN;
	fail_all(f, -HV_ENOENT);
	f->epoch = epoch;
	ret = ring_end_attach(&f->ring, rt_channel_ring(f->chan), f->chan->ring_size, false, epoch);
	if (ret) {
		dead(f, ret);
		return;
	}
	f->state = BLKFRONT_ATTACHING;
	f->info_req.op = PVBLK_OP_INFO;
	pvblk_req_init(&q, 0, PVBLK_OP_INFO, 0, 0, 0);
	ret = send(f, &f->info_req, &q);
	if (ret)
		dead(f, ret);
}

/* HC_EVTCHN_STATUS: down (stopped peer), or up at an epoch other than ours (restarted). */
static void check_link(struct blkfront *f)
{
	int64_t s = rt_evtchn_status(f->port);
	uint32_t epoch = EVTCHN_STATUS_EPOCH(s);

	f->look = false;
	f->st.link_checks++;
	if (s < 0 || EVTCHN_STATUS_STATE(s) != EVTCHN_STATE_CHANNEL) {
		if (f->state == BLKFRONT_READY || f->state == BLKFRONT_ATTACHING) {
			rt_printf("blkfront: %s: back end down (link epoch %u)\n", f->chan->name,
				  f->epoch);
			f->state = BLKFRONT_DOWN;
			fail_all(f, -HV_ENOENT);
		}
		return;
	}
	if (epoch == f->epoch)
		return;
	if (f->st.attaches)
		rt_printf("blkfront: %s: back end back (link epoch %u, was %u): re-attaching\n",
			  f->chan->name, epoch, f->epoch);
	attach(f, epoch);
}

/* The INFO answer: the export's geometry, and the device is ready. */
static void take_info(struct blkfront *f, const struct pvblk_rsp *m)
{
	if (m->status != PVBLK_S_OK || !m->info_sectors || !m->info_max_sectors) {
		rt_printf("blkfront: %s: INFO answered status %u, sectors %lu, max %u\n",
			  f->chan->name, m->status, m->info_sectors, m->info_max_sectors);
		f->state = BLKFRONT_DEAD;
		f->err = -HV_EIO;
		return;
	}
	f->sectors = m->info_sectors;
	f->info_max_sectors = m->info_max_sectors;
	f->max_sectors = m->info_max_sectors < f->layout.max_sectors ? m->info_max_sectors :
								     f->layout.max_sectors;
	f->info_flags = m->info_flags;
	f->state = BLKFRONT_READY;
	f->st.attaches++;
}

/* One response, a private copy: the request it names, if that one is in flight. */
static unsigned int take(struct blkfront *f, const struct pvblk_rsp *m)
{
	uint32_t tag = (uint32_t)m->id, gen = (uint32_t)(m->id >> 32);
	struct blkfront_req *r = tag < f->layout.nbufs ? &f->reqs[tag] :
				 tag == INFO_TAG ? &f->info_req : NULL;
	int status = m->status < PVBLK_S_COUNT_ ? (int)m->status : PVBLK_S_EIO;

	if (!r || !r->sent || r->gen != gen) {
		f->st.stray++;
		return 0;
	}
	if (r == &f->info_req && f->state == BLKFRONT_ATTACHING)
		take_info(f, m);
	complete(f, r, status);
	return 1;
}

/* Takes every response waiting; gives their slots back (an event only if asked for). */
static unsigned int drain(struct blkfront *f)
{
	struct pvblk_rsp m;
	unsigned int n = 0;
	int ret;

	if (f->state != BLKFRONT_READY && f->state != BLKFRONT_ATTACHING)
		return 0;
	while ((ret = ring_rx_get(&f->ring.rx, &m)) == 1)
		n += take(f, &m);
	if (ring_rx_release(&f->ring.rx))
		kick(f);
	if (ret < 0 && f->state != BLKFRONT_DEAD)
		dead(f, ret);
	return n;
}

/*
 * An event that brought no response may be the link changing; so may silence while
 * requests wait (a down event can come in the same upcall as the last responses).
 */
unsigned int blkfront_poll(struct blkfront *f)
{
	unsigned int n = drain(f);
	uint64_t now = rt_rdtsc();
	bool waiting = f->st.inflight || f->state != BLKFRONT_READY;

	if (n)
		f->look = false;
	if (f->look || (waiting && now >= f->next_check)) {
		f->next_check = now + rt_tsc_hz() / 1000 * CHECK_MS;
		check_link(f);
		n += drain(f);
	}
	return n;
}

unsigned int blkfront_wait(struct blkfront *f, uint64_t tsc_deadline)
{
	unsigned int n = blkfront_poll(f);
	bool attached = f->state == BLKFRONT_READY || f->state == BLKFRONT_ATTACHING;

	if (n)
		return n;
	/* Ask for an event only now, about to sleep; then look once more (ring.md). */
	if (attached && ring_rx_arm(&f->ring.rx) != 0)
		return blkfront_poll(f);
	if (f->look)
		return blkfront_poll(f);
	if ((f->st.inflight || f->state != BLKFRONT_READY) && f->next_check < tsc_deadline)
		tsc_deadline = f->next_check;
	(void)rt_wait_event_until(tsc_deadline);
	return blkfront_poll(f);
}

/* ---- opening ---- */

const struct hv_start_channel *blkfront_channel(const char *name)
{
	for (uint32_t i = 0; i < HV_START_MAX_CHANNELS; i++) {
		const struct hv_start_channel *c = rt_channel(i);

		if (c && c->type == HV_CHAN_PVBLK && !c->backend && (!name || rt_str_eq(c->name, name)))
			return c;
	}
	return NULL;
}

static int open_chan(struct blkfront *f, const struct hv_start_channel *c)
{
	uint64_t end;
	int ret;

	*f = (struct blkfront){ .chan = c, .state = BLKFRONT_DOWN, .epoch = UINT32_MAX,
				.look = true };
	if (!c || c->type != HV_CHAN_PVBLK || c->backend)
		return -HV_ENOENT;
	if (pvblk_layout(c->ring_size, c->data_size, &f->layout))
		return -HV_EINVAL;
	if (f->layout.nbufs > BLKFRONT_MAX_REQS)
		f->layout.nbufs = BLKFRONT_MAX_REQS;	/* a bigger ring is not needed */
	f->port = c->port;
	f->data = rt_channel_data(c);
	for (uint32_t i = 0; i < f->layout.nbufs; i++) {
		f->reqs[i].tag = i;
		f->reqs[i].data_off = pvblk_buf_off(&f->layout, i);
		f->reqs[i].buf = f->data + f->reqs[i].data_off;
	}
	f->info_req.tag = INFO_TAG;
	ret = rt_evtchn_bind(f->port, on_event, f);
	if (ret)
		return ret;
	end = rt_rdtsc() + BLKFRONT_WAIT_S * rt_tsc_hz();
	while (f->state != BLKFRONT_READY && f->state != BLKFRONT_DEAD && rt_rdtsc() < end)
		blkfront_wait(f, end);
	if (f->state != BLKFRONT_READY)
		rt_printf("blkfront: %s: no INFO answer (state %u)\n", c->name, f->state);
	return f->state == BLKFRONT_READY ? 0 : -HV_ENOENT;
}

int blkfront_open(struct blkfront *f, const char *name)
{
	return open_chan(f, blkfront_channel(name));
}

int blkfront_open_index(struct blkfront *f, uint32_t i)
{
	return open_chan(f, rt_channel(i));
}

/* ---- requests ---- */

/* None while not READY: the back end's DMA of a failed request may still land in buf. */
struct blkfront_req *blkfront_get(struct blkfront *f)
{
	for (uint32_t i = 0; f->state == BLKFRONT_READY && i < f->layout.nbufs; i++) {
		struct blkfront_req *r = &f->reqs[i];

		if (!r->busy) {
			*r = (struct blkfront_req){ .tag = r->tag, .gen = r->gen, .buf = r->buf,
						    .data_off = r->data_off, .busy = true };
			return r;
		}
	}
	return NULL;
}

void blkfront_put(struct blkfront *f, struct blkfront_req *r)
{
	if (!r->sent)
		r->busy = false;
}

int blkfront_submit(struct blkfront *f, struct blkfront_req *r)
{
	bool data = r->op == PVBLK_OP_READ || r->op == PVBLK_OP_WRITE;
	bool sectors = data || r->op == PVBLK_OP_DISCARD;
	struct pvblk_req q;

	if (f->state != BLKFRONT_READY)
		return -HV_ENOENT;
	if (r->sent || (sectors && (!r->count || r->count > f->max_sectors)) ||
	    (!sectors && (r->count || r->sector)) || r->op < PVBLK_OP_READ || r->op > PVBLK_OP_INFO)
		return -HV_EINVAL;
	if (r->op == PVBLK_OP_WRITE && r->copy)
		memcpy(r->buf, r->copy, (size_t)r->count * PVBLK_SECTOR_SIZE);
	pvblk_req_init(&q, 0, (enum pvblk_op)r->op, r->sector, r->count, data ? r->data_off : 0);
	return send(f, r, &q);
}

int blkfront_submit_raw(struct blkfront *f, struct blkfront_req *r, const struct pvblk_req *q)
{
	struct pvblk_req copy = *q;

	if (f->state != BLKFRONT_READY)
		return -HV_ENOENT;
	r->op = q->op;
	r->count = 0;			/* nothing to copy out at completion */
	return send(f, r, &copy);
}

/* ---- synchronous helpers ---- */

struct sync_wait {
	bool done;
	int status;
};

static void sync_done(struct blkfront *f, struct blkfront_req *r)
{
	struct sync_wait *w = r->ctx;

	w->done = true;
	w->status = r->status;
}

int blkfront_sync(struct blkfront *f, struct blkfront_req *r)
{
	uint64_t end = rt_rdtsc() + BLKFRONT_WAIT_S * rt_tsc_hz();
	struct sync_wait w = { 0 };
	int ret;

	r->done = sync_done;
	r->ctx = &w;
	ret = blkfront_submit(f, r);
	if (ret) {
		blkfront_put(f, r);
		return ret;
	}
	while (!w.done && rt_rdtsc() < end)
		blkfront_wait(f, end);
	return w.done ? w.status : -HV_EBUSY;
}

/* A free request on a ready device, riding through a re-attachment; NULL after the wait. */
static struct blkfront_req *get_wait(struct blkfront *f)
{
	uint64_t end = rt_rdtsc() + BLKFRONT_WAIT_S * rt_tsc_hz();
	struct blkfront_req *r;

	(void)blkfront_poll(f);
	while (f->state != BLKFRONT_READY || !(r = blkfront_get(f))) {
		if (rt_rdtsc() >= end || f->state == BLKFRONT_DEAD)
			return NULL;
		blkfront_wait(f, end);
	}
	return r;
}

static int sync_op(struct blkfront *f, uint16_t op, uint64_t sector, uint32_t count, void *mem)
{
	struct blkfront_req *r = get_wait(f);

	if (!r)
		return f->state == BLKFRONT_READY ? -HV_EBUSY : -HV_ENOENT;
	r->op = op;
	r->sector = sector;
	r->count = count;
	r->copy = mem;
	return blkfront_sync(f, r);
}

static int sync_rw(struct blkfront *f, uint16_t op, uint64_t sector, uint32_t count, uint8_t *mem)
{
	int ret = count ? 0 : -HV_EINVAL;

	while (count && !ret) {
		uint32_t n = count < f->max_sectors ? count : f->max_sectors;

		ret = sync_op(f, op, sector, n, mem);
		sector += n;
		count -= n;
		mem += (size_t)n * PVBLK_SECTOR_SIZE;
	}
	return ret;
}

int blkfront_read(struct blkfront *f, uint64_t sector, uint32_t count, void *dst)
{
	return sync_rw(f, PVBLK_OP_READ, sector, count, dst);
}

int blkfront_write(struct blkfront *f, uint64_t sector, uint32_t count, const void *src)
{
	return sync_rw(f, PVBLK_OP_WRITE, sector, count, (uint8_t *)(uintptr_t)src);
}

int blkfront_flush(struct blkfront *f)
{
	return sync_op(f, PVBLK_OP_FLUSH, 0, 0, NULL);
}
