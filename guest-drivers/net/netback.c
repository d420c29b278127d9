/* SPDX-License-Identifier: MIT */
/* The pvnet back end: each descriptor copied once and checked (pvdev/net), each frame copied once into the service's memory, switched (pvdev/switch) and delivered from that copy (docs/pvnet.md). */
#include "guest-drivers/net/netback.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"
#include "pvdev/net.h"
#include "pvdev/switch.h"

/* One channel: a switch port with the front end's MAC from the manifest. */
struct nb_chan {
	const struct hv_start_channel *c;
	struct pvnet_cfg cfg;
	struct ring_end ring;
	uint8_t *data;			/* the channel's data region */
	struct pvnet_rxq rxq;		/* receive buffers posted, oldest first */
	struct pvnet_desc held[NETBACK_MAX_HELD];
	unsigned int port;		/* in the switch */
	uint32_t epoch;			/* the link life the ring is attached at */
	bool live;			/* attached, link up: requests taken, frames delivered */
	bool shut;			/* impossible index: nothing until a new epoch */
	bool put;			/* answers put since the last push */
	volatile bool look;		/* an event came: the link may have moved */
	struct netback_stats st;
};

/* One NIC: an uplink port. */
struct nb_nic {
	struct netdev *n;
	unsigned int port;
	volatile bool pending;		/* its interrupt came: poll it */
	uint64_t events;
};

/* A frame's private copy; refs: NIC transmits not yet completed. */
struct nb_buf {
	uint8_t data[PVNET_BUF_MIN];
	uint32_t refs;
} __attribute__((aligned(64)));

static struct sw sw;
static struct nb_chan chans[HV_START_MAX_CHANNELS];
static struct nb_nic nics[NET_MAX_NICS];
static uint32_t nchans, nnic;
static struct nb_chan *chan_of[SW_MAX_PORTS];	/* NULL: an uplink */
static struct nb_nic *nic_of[SW_MAX_PORTS];
/* The last one is the spare: used when every other waits on a NIC, never given to one. */
static struct nb_buf pool[NETBACK_POOL + 1];
static uint32_t pool_next;
static uint64_t ms_div = 1, passes, sleeps, pool_spare;

static const char *const status_name[PVNET_S_COUNT_] = {
	"ok", "bad_type", "bad_field", "short", "long", "data", "spoofed",
};

static uint64_t nb_now(void)
{
	return rt_rdtsc() / ms_div;
}

/* ---- the NICs ---- */

static struct nb_buf *nb_buf_get(void)
{
	for (uint32_t i = 0; i < NETBACK_POOL; i++) {
		struct nb_buf *b = &pool[(pool_next + i) % NETBACK_POOL];

		if (!b->refs) {
			pool_next = (pool_next + i + 1) % NETBACK_POOL;
			return b;
		}
	}
	pool_spare++;
	return &pool[NETBACK_POOL];
}

static void nb_nic_tx(struct nb_nic *k, struct nb_buf *b, uint32_t len)
{
	/* The spare is reused by the next frame: a NIC must not DMA from it later. */
	int r = b == &pool[NETBACK_POOL] ? -HV_EBUSY : k->n->ops->tx(k->n, b->data, len, b);

	if (r) {
		sw_drop(&sw, k->port, r == -HV_EBUSY ? SW_DROP_NO_BUFFER : SW_DROP_MALFORMED);
		return;
	}
	b->refs++;
	sw_sent(&sw, k->port, len);
}

static void nb_tx_done(struct netdev *n, void *cookie)
{
	struct nb_buf *b = cookie;

	if (b && b->refs)
		b->refs--;
}

static void nb_out(const uint8_t *frame, uint32_t len, uint32_t mask, struct nb_buf *b);

/* A frame from a NIC, in the driver's buffer (service memory): to the channels only. */
static void nb_nic_rx(struct netdev *n, const void *data, uint32_t len)
{
	struct nb_nic *k = n->user;
	uint32_t mask = sw_forward(&sw, k->port, data, len, nb_now(), NULL);

	if (mask)
		nb_out(data, len, mask, NULL);
}

static void on_nic_event(void *arg, uint32_t port)
{
	struct nb_nic *k = arg;

	k->events++;
	k->pending = true;
}

/* Polled NICs on every pass, interrupt-driven ones when their interrupt came. */
static bool nb_poll_nics(void)
{
	unsigned int done = 0;

	for (uint32_t i = 0; i < nnic; i++) {
		if (nics[i].n->irq_port && !nics[i].pending)
			continue;
		nics[i].pending = false;
		done += nics[i].n->ops->poll(nics[i].n);
	}
	return done != 0;
}

/* ---- channels: the link and the ring ---- */

static void on_event(void *arg, uint32_t port)
{
	struct nb_chan *ch = arg;

	ch->st.notify_rx++;
	ch->look = true;
}

static void nb_down(struct nb_chan *ch)
{
	ch->live = false;
	ch->put = false;
	pvnet_rxq_init(&ch->rxq, ch->held, ch->rxq.cap);	/* their answers die with the ring */
	sw_port_up(&sw, ch->port, false);
}

static void nb_shut(struct nb_chan *ch, int err)
{
	if (!ch->live)
		return;
	rt_printf("netback: channel %s: front end published an impossible ring index (error "
		  "%d): channel shut down until it restarts\n", ch->c->name, err);
	ch->st.shutdowns++;
	ch->shut = true;
	nb_down(ch);
}

static void nb_attach(struct nb_chan *ch, uint32_t epoch)
{
	ch->epoch = epoch;
	ch->shut = false;
	if (ring_end_attach(&ch->ring, rt_channel_ring(ch->c), ch->c->ring_size, true, epoch)) {
		rt_printf("netback: channel %s: cannot attach its ring\n", ch->c->name);
		ch->shut = true;
		return;
	}
	if (ch->st.attaches++)
		rt_printf("netback: channel %s: re-attached at epoch %u\n", ch->c->name, epoch);
	ch->live = true;
	sw_port_up(&sw, ch->port, true);
}

/* Looks at the link; a new epoch means a new life: attach again. True if it is up. */
static bool nb_link(struct nb_chan *ch)
{
	int64_t s = rt_evtchn_status(ch->c->port);
	bool up = s >= 0 && EVTCHN_STATUS_STATE(s) == EVTCHN_STATE_CHANNEL;
	uint32_t epoch = up ? EVTCHN_STATUS_EPOCH(s) : 0;

	ch->look = false;
	if (up && epoch == ch->epoch && (ch->live || ch->shut))
		return true;
	if (ch->live)
		rt_printf("netback: channel %s: link %s (epoch %u)\n", ch->c->name,
			  up ? "up at a new epoch" : "down", up ? epoch : ch->epoch);
	nb_down(ch);
	ch->shut = false;
	if (up)
		nb_attach(ch, epoch);
	return up;
}

/* ---- frames ---- */

/* Into ch's oldest posted buffer, with its answer (published at the end of the pass). */
static void nb_deliver(struct nb_chan *ch, const uint8_t *frame, uint32_t len)
{
	int r = pvnet_be_deliver(&ch->ring.tx, &ch->rxq, ch->data, frame, len);

	if (r == 1) {
		sw_sent(&sw, ch->port, len);
		ch->st.status[PVNET_S_OK]++;
		ch->put = true;
	} else if (r == -HV_EBUSY || r == -HV_EINVAL) {
		sw_drop(&sw, ch->port, SW_DROP_NO_BUFFER);
	} else {
		nb_shut(ch, r);
	}
}

/* Every output reads the same private copy; b: a pool buffer a NIC may send from. */
static void nb_out(const uint8_t *frame, uint32_t len, uint32_t mask, struct nb_buf *b)
{
	for (unsigned int p = 0; mask && p < SW_MAX_PORTS; p++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		if (chan_of[p])
			nb_deliver(chan_of[p], frame, len);
		else if (nic_of[p] && b)
			nb_nic_tx(nic_of[p], b, len);
		else
			sw_drop(&sw, p, SW_DROP_NO_BUFFER);
	}
}

static void nb_answer(struct nb_chan *ch, const struct pvnet_desc *d, enum pvnet_status st)
{
	struct pvnet_rsp rsp;
	int r;

	pvnet_rsp_init(&rsp, d, st, 0);
	r = ring_tx_put(&ch->ring.tx, &rsp);
	if (r == 1) {
		ch->st.status[st]++;
		ch->put = true;
	} else {
		nb_shut(ch, r ? r : -HV_EBADMSG);	/* pvnet_be_next kept a slot for it */
	}
}

/* A checked TX: copy, switch on the copy, answer, deliver from the copy. */
static void nb_tx(struct nb_chan *ch, const struct pvnet_desc *d, enum pvnet_status st)
{
	struct nb_buf *b = NULL;
	enum sw_reason why = SW_OK;
	uint32_t mask = 0;

	ch->st.tx_reqs++;
	if (st) {
		sw_drop(&sw, ch->port, SW_DROP_MALFORMED);
	} else {
		b = nb_buf_get();
		/* The one copy: the front end may rewrite its buffer from now on, harmlessly. */
		memcpy(b->data, ch->data + d->off, d->len);
		mask = sw_forward(&sw, ch->port, b->data, d->len, nb_now(), &why);
		if (why == SW_DROP_SPOOFED)
			st = PVNET_S_SPOOFED;
	}
	nb_answer(ch, d, st);
	if (mask)
		nb_out(b->data, d->len, mask, b);
}

static void nb_rx(struct nb_chan *ch, const struct pvnet_desc *d, enum pvnet_status st)
{
	ch->st.rx_reqs++;
	if (!st && pvnet_rxq_push(&ch->rxq, d))
		return;
	sw_drop(&sw, ch->port, SW_DROP_MALFORMED);
	nb_answer(ch, d, st ? st : PVNET_S_BAD_FIELD);	/* full: cannot be (checked first) */
}

/* Up to NETBACK_BATCH requests; fewer when the front end gives no room for answers. */
static uint32_t nb_take(struct nb_chan *ch)
{
	uint32_t n = 0;

	while (n < NETBACK_BATCH && ch->live && ch->rxq.count < ch->rxq.cap) {
		struct pvnet_desc d;
		enum pvnet_status st;
		int r = pvnet_be_next(&ch->ring, &ch->cfg, ch->rxq.count, &d, &st);

		if (r < 0)
			nb_shut(ch, r);
		if (r != 1)
			break;
		n++;
		if (d.type == PVNET_RX)
			nb_rx(ch, &d, st);
		else
			nb_tx(ch, &d, st);
	}
	return n;
}

/* After the pass: one push and one release per channel, one event at most. */
static void nb_publish(struct nb_chan *ch)
{
	bool wake = false;

	if (ch->live) {
		if (ch->put)
			wake = ring_tx_push(&ch->ring.tx);
		wake |= ring_rx_release(&ch->ring.rx);
	}
	ch->put = false;
	if (wake) {
		ch->st.notify_tx++;
		if (rt_evtchn_send(ch->c->port) < 0)
			ch->look = true;	/* -HV_ENOENT: the front end is gone */
	}
}

static bool nb_pass(uint32_t first)
{
	bool moved = nb_poll_nics();
	uint32_t took[HV_START_MAX_CHANNELS] = { 0 };

	passes++;
	for (uint32_t i = 0; i < nchans; i++) {
		uint32_t k = (first + i) % nchans;

		took[k] = nb_take(&chans[k]);
		moved |= took[k] != 0;
	}
	for (uint32_t i = 0; i < nchans; i++) {
		nb_publish(&chans[i]);
		/* An event with nothing behind it: maybe the link moved. */
		if (chans[i].look && !took[i])
			(void)nb_link(&chans[i]);
	}
	return moved;
}

/* ---- set-up ---- */

static int nb_add_chan(uint32_t i)
{
	const struct hv_start_info *si = rt_start_info();
	struct nb_chan *ch = &chans[nchans];
	const uint8_t *m = si->chan_cfg[i].net.mac;
	uint32_t cap = PVNET_MAX_INFLIGHT(rt_channel(i)->ring_size);
	int port, r;

	*ch = (struct nb_chan){ .c = rt_channel(i) };
	ch->data = rt_channel_data(ch->c);
	r = pvnet_cfg_init(&ch->cfg, ch->c, &si->chan_cfg[i]);
	port = r ? r : sw_add_chan(&sw, ch->c->name, m);
	if (port < 0) {
		rt_printf("netback: channel %s refused: mac %02x:%02x:%02x:%02x:%02x:%02x "
			  "ring %lu: error %d\n", ch->c->name, m[0], m[1], m[2], m[3], m[4], m[5],
			  ch->c->ring_size, port);
		return port;
	}
	ch->port = (unsigned int)port;
	chan_of[port] = ch;
	pvnet_rxq_init(&ch->rxq, ch->held, cap < NETBACK_MAX_HELD ? cap : NETBACK_MAX_HELD);
	r = rt_evtchn_bind(ch->c->port, on_event, ch);
	if (r)
		return r;
	nchans++;
	(void)nb_link(ch);	/* attaches at the link's epoch if it is up */
	rt_printf("netback: channel %s: port %u mac %02x:%02x:%02x:%02x:%02x:%02x ring %lu "
		  "data %lu, %u buffers held at most, event port %u, epoch %u\n", ch->c->name,
		  ch->port, m[0], m[1], m[2], m[3], m[4], m[5], ch->c->ring_size,
		  ch->c->data_size, ch->rxq.cap, ch->c->port, ch->epoch);
	return 0;
}

static int nb_add_nic(struct netdev *n)
{
	struct nb_nic *k = &nics[nnic];
	int port = sw_add_uplink(&sw, n->name);

	if (port < 0)
		return port;
	*k = (struct nb_nic){ .n = n, .port = (unsigned int)port };
	nic_of[port] = k;
	n->user = k;
	n->rx = nb_nic_rx;
	n->tx_done = nb_tx_done;
	/* netdev_irq_on bound the port to wake the loop only: this also marks the NIC. */
	if (n->irq_port && rt_evtchn_bind(n->irq_port, on_nic_event, k))
		n->irq_port = 0;
	k->pending = true;
	sw_port_up(&sw, (unsigned int)port, true);
	rt_printf("netback: uplink %s: port %u mac %02x:%02x:%02x:%02x:%02x:%02x %s\n", n->name,
		  (unsigned int)port, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
		  n->irq_port ? "interrupt" : "polled");
	nnic++;
	return 0;
}

int netback_init(struct netdev *n, unsigned int nn)
{
	const struct hv_start_info *si = rt_start_info();
	int r = rt_evtchn_init();

	if (r)
		return r;
	ms_div = rt_tsc_hz() / 1000 ? rt_tsc_hz() / 1000 : 1;
	sw_init(&sw, NETBACK_AGE_MS);
	for (unsigned int i = 0; i < nn && nnic < NET_MAX_NICS; i++)
		if ((r = nb_add_nic(&n[i])))
			return r;
	for (uint32_t i = 0; si && i < si->nchannels; i++) {
		const struct hv_start_channel *c = rt_channel(i);

		if (c && c->type == HV_CHAN_PVNET && c->backend && (r = nb_add_chan(i)) &&
		    r != -HV_EINVAL && r != -HV_EEXIST && r != -HV_E2BIG)
			return r;
	}
	return (int)nchans;
}

/* ---- the loop ---- */

/* Before sleeping: ask each live channel to be woken by its next request (or room). */
static bool nb_arm(void)
{
	for (uint32_t i = 0; i < nchans; i++) {
		struct nb_chan *ch = &chans[i];
		uint32_t need = ch->rxq.count + 1;	/* room for one answer beyond the held */
		int r;

		if (ch->look)
			return true;
		if (!ch->live || ch->rxq.count >= ch->rxq.cap || need > ch->ring.tx.mask + 1)
			continue;	/* nothing can be taken until a frame comes for it */
		r = ring_tx_arm(&ch->ring.tx, need);
		if (r >= 0 && (uint32_t)r < need)
			continue;	/* woken when the front end takes answers */
		if (r >= 0)
			r = ring_rx_arm(&ch->ring.rx);
		if (r < 0)
			nb_shut(ch, r);
		if (r)
			return true;
	}
	for (uint32_t i = 0; i < nnic; i++)
		if (nics[i].pending)
			return true;
	return false;
}

static bool nb_polled_nic(void)
{
	for (uint32_t i = 0; i < nnic; i++)
		if (!nics[i].n->irq_port)
			return true;
	return false;
}

/* Every tick: each link looked at; true once all have been down long enough. */
static bool nb_tick(uint32_t *gone)
{
	bool all = true;

	for (uint32_t i = 0; i < nchans; i++)
		all &= !nb_link(&chans[i]);
	*gone = all ? *gone + 1 : 0;
	return *gone >= NETBACK_GONE_TICKS;
}

/* ---- one loop for several back ends (netback.h) ---- */

static uint32_t step_first, step_gone;

bool netback_step(void)
{
	return nb_pass(step_first++);
}

bool netback_busy(void)
{
	return nb_arm();
}

bool netback_tick(void)
{
	return nb_tick(&step_gone);
}

bool netback_polled(void)
{
	return nb_polled_nic();
}

int netback_run(uint64_t give_up_s, uint64_t poll_us, uint64_t stats_s)
{
	uint64_t hz = rt_tsc_hz(), t0 = rt_rdtsc(), tick = t0, stats = t0 + stats_s * hz;
	uint64_t poll = hz / 1000000 * (poll_us ? poll_us : NETBACK_POLL_US), wait = poll;
	bool polled = nb_polled_nic();
	uint32_t first = 0, gone = 0;

	for (;;) {
		bool moved = nb_pass(first++);
		uint64_t now = rt_rdtsc(), until;

		/* A polled NIC: looked at less and less often while nothing moves. */
		wait = moved ? poll : wait < poll * NETBACK_POLL_BACKOFF ? wait * 2 : wait;

		if (now >= tick) {
			if (nb_tick(&gone))
				return 0;
			if (now - t0 > give_up_s * hz)
				return -HV_EBUSY;
			tick = now + hz / 1000 * NETBACK_TICK_MS;
		}
		if (stats_s && now >= stats) {
			netback_print_stats();
			stats = now + stats_s * hz;
		}
		if (moved || nb_arm())
			continue;
		until = polled && now + wait < tick ? now + wait : tick;
		sleeps++;
		(void)rt_wait_event_until(until);
	}
}

/* ---- counters ---- */

void netback_print_stats(void)
{
	char line[256];
	uint64_t ev = 0;

	for (unsigned int p = 0; p < sw.nports; p++) {
		(void)sw_port_format(&sw, p, line, sizeof(line));
		rt_printf("netback: %s\n", line);
	}
	for (uint32_t i = 0; i < nchans; i++) {
		const struct netback_stats *s = &chans[i].st;
		const char *n = chans[i].c->name;
		uint64_t f = sw.port[chans[i].port].c.in_frames + sw.port[chans[i].port].c.out_frames;

		rt_printf("netback: status %s: tx=%lu rx=%lu", n, s->tx_reqs, s->rx_reqs);
		for (unsigned int k = 0; k < PVNET_S_COUNT_; k++)
			rt_printf(" %s=%lu", status_name[k], s->status[k]);
		rt_printf(" shutdowns=%lu attaches=%lu\n", s->shutdowns, s->attaches);
		/* Events per 1000 frames in and out of the port: what notification costs. */
		rt_printf("netback: events %s: frames=%lu sent=%lu received=%lu sent_per_1k=%lu "
			  "received_per_1k=%lu\n", n, f, s->notify_tx, s->notify_rx,
			  f ? s->notify_tx * 1000 / f : 0, f ? s->notify_rx * 1000 / f : 0);
	}
	for (uint32_t i = 0; i < nnic; i++)
		ev += nics[i].events;
	rt_printf("netback: loop: passes=%lu sleeps=%lu nic_events=%lu spare_copies=%lu "
		  "table_live=%u table_full=%lu\n", passes, sleeps, ev, pool_spare,
		  sw_table_live(&sw, nb_now()), sw.table_full);
}
