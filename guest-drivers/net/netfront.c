/* SPDX-License-Identifier: MIT */
/* The pvnet front end: attach, transmit and receive buffers, event-index notifications, back-end restarts, IPv4 glue (docs/pvnet.md). */
#include "guest-drivers/net/netfront.h"

#include "include/abi/evtchn.h"

#define CHECK_MS	100u	/* link check period while frames are in flight or link down */
#define IDLE_CHECK_MS	1000u	/* ... and otherwise: a down event may come with answers */
#define TX_WAIT_MS	20u	/* the IPv4 glue waits this long for a TX buffer */

/* The upcall only notes the event: netfront_poll looks at the link and the ring. */
static void on_event(void *arg, uint32_t port)
{
	struct netfront *f = arg;

	f->st.events++;
	f->look = true;
}

static void kick(struct netfront *f)
{
	f->st.kicks++;
	if (rt_evtchn_send(f->port) == -HV_ENOENT)
		f->look = true;		/* the back end stopped: the link check will see it */
}

static bool is_tx(const struct netfront *f, uint32_t i)
{
	return i < f->layout.ntx;
}

/* Every request on the ring is over: a TX fails with status, a posted RX is ours again. */
static void forget_sent(struct netfront *f, int status)
{
	for (uint32_t i = 0; i < f->layout.nbufs; i++) {
		struct netfront_buf *b = &f->buf[i];

		if (b->state != NETFRONT_SENT)
			continue;
		b->state = NETFRONT_FREE;
		if (is_tx(f, i)) {
			b->status = status;
			f->st.tx_failed++;
		}
	}
	f->st.tx_inflight = f->st.rx_posted = 0;
}

/* The back end published an impossible index: this life of the channel is over. */
static void dead(struct netfront *f, int err)
{
	rt_printf("netfront: %s: ring shut down (error %d), link epoch %u\n", f->chan->name, err,
		  f->epoch);
	f->state = NETFRONT_DEAD;
	f->err = err;
	forget_sent(f, err);
}

/* Puts request q for buffer i on the ring, unpublished. */
static int put(struct netfront *f, uint32_t i, struct pvnet_req *q)
{
	struct netfront_buf *b = &f->buf[i];
	int ret;

	q->id = (uint64_t)(b->gen + 1) << 32 | i;
	ret = ring_tx_put(&f->ring.tx, q);
	if (ret != 1)		/* full: a back end answering what it never took */
		return ret < 0 ? ret : -HV_EBUSY;
	b->gen++;
	b->state = NETFRONT_SENT;
	if (is_tx(f, i))
		f->st.tx_inflight++;
	else
		f->st.rx_posted++;
	return 0;
}

void netfront_push(struct netfront *f)
{
	if (f->state == NETFRONT_READY && ring_tx_push(&f->ring.tx))
		kick(f);
}

/* Posts every idle receive buffer, then publishes (one event at most). */
static void post_rx(struct netfront *f)
{
	struct pvnet_req q;
	int ret;

	for (uint32_t i = f->layout.ntx; f->state == NETFRONT_READY && i < f->layout.nbufs; i++) {
		if (f->buf[i].state != NETFRONT_FREE)
			continue;
		pvnet_req_init(&q, 0, PVNET_RX, f->buf[i].off, (uint32_t)f->layout.buf_size);
		ret = put(f, i, &q);
		if (ret) {
			dead(f, ret);
			return;
		}
	}
	netfront_push(f);
}

/* A new life of the channel: attach at the link's epoch, post every receive buffer. */
static void attach(struct netfront *f, uint32_t epoch)
{
	int ret;

	forget_sent(f, -HV_ENOENT);
	f->epoch = epoch;
	ret = ring_end_attach(&f->ring, rt_channel_ring(f->chan), f->chan->ring_size, false, epoch);
	if (ret) {
		dead(f, ret);
		return;
	}
	f->state = NETFRONT_READY;
	f->st.attaches++;
	post_rx(f);
}

/* HC_EVTCHN_STATUS: down (stopped peer), or up at an epoch other than ours (restarted). */
static void check_link(struct netfront *f)
{
	int64_t s = rt_evtchn_status(f->port);
	uint32_t epoch = EVTCHN_STATUS_EPOCH(s);

	f->look = false;
	f->st.link_checks++;
	if (s < 0 || EVTCHN_STATUS_STATE(s) != EVTCHN_STATE_CHANNEL) {
		if (f->state == NETFRONT_READY) {
			rt_printf("netfront: %s: back end down (link epoch %u)\n", f->chan->name,
				  f->epoch);
			f->st.downs++;
			f->state = NETFRONT_DOWN;
			forget_sent(f, -HV_ENOENT);
		}
		return;
	}
	if (epoch == f->epoch)
		return;
	if (f->st.attaches)
		rt_printf("netfront: %s: back end back (link epoch %u, was %u): re-attaching\n",
			  f->chan->name, epoch, f->epoch);
	attach(f, epoch);
}

/* One answer, a private copy: the buffer it names, if that one is on the ring. */
static unsigned int take(struct netfront *f, const struct pvnet_rsp *m)
{
	uint32_t i = (uint32_t)m->id, gen = (uint32_t)(m->id >> 32);
	uint32_t st = m->status < PVNET_S_COUNT_ ? m->status : PVNET_S_COUNT_;
	struct netfront_buf *b = i < f->layout.nbufs ? &f->buf[i] : NULL;

	if (!b || b->state != NETFRONT_SENT || b->gen != gen) {
		f->st.stray++;
		return 0;
	}
	b->state = NETFRONT_FREE;
	if (is_tx(f, i)) {
		f->st.status[st]++;
		f->st.tx_inflight--;
		b->status = (int)m->status;
		if (m->status == PVNET_S_OK) {
			f->st.tx_frames++;
			f->st.tx_bytes += b->len;
		} else {
			f->st.tx_errors++;
		}
		return 1;
	}
	f->st.rx_posted--;
	/* The length is the back end's word: it must fit the buffer we posted. */
	if (m->status != PVNET_S_OK || m->len < PVNET_FRAME_MIN || m->len > PVNET_FRAME_MAX ||
	    m->len > f->layout.buf_size) {
		f->st.rx_errors++;
		return 0;
	}
	b->state = NETFRONT_FULL;
	b->len = m->len;
	f->fifo[(f->fifo_head + f->fifo_count++) % NETFRONT_MAX_BUFS] = i;
	return 1;
}

/* Takes every answer waiting (frames are only queued); gives their slots back. */
static unsigned int drain(struct netfront *f)
{
	struct pvnet_rsp m;
	unsigned int n = 0;
	int ret;

	if (f->state != NETFRONT_READY)
		return 0;
	while ((ret = ring_rx_get(&f->ring.rx, &m)) == 1)
		n += take(f, &m);
	if (ring_rx_release(&f->ring.rx))
		kick(f);
	if (ret < 0)
		dead(f, ret);
	return n;
}

/* Hands the queued frames on; each buffer is idle again once its callback returned. */
static void deliver(struct netfront *f)
{
	while (f->fifo_count) {
		uint32_t i = f->fifo[f->fifo_head];
		struct netfront_buf *b = &f->buf[i];

		f->fifo_head = (f->fifo_head + 1) % NETFRONT_MAX_BUFS;
		f->fifo_count--;
		f->st.rx_frames++;
		f->st.rx_bytes += b->len;
		if (f->rx)
			f->rx(f, f->data + b->off, b->len);
		b->state = NETFRONT_FREE;
	}
}

unsigned int netfront_poll(struct netfront *f)
{
	unsigned int n = drain(f);
	uint64_t now = rt_rdtsc();
	bool waiting = f->st.tx_inflight || f->state != NETFRONT_READY;

	if (n)
		f->look = false;
	/* A down event can come in the same upcall as the last answers: check now and then. */
	if (f->look || now >= f->next_check) {
		f->next_check = now + rt_tsc_hz() / 1000 * (waiting ? CHECK_MS : IDLE_CHECK_MS);
		check_link(f);
		n += drain(f);
	}
	deliver(f);
	post_rx(f);
	return n;
}

unsigned int netfront_wait(struct netfront *f, uint64_t tsc_deadline)
{
	unsigned int n = netfront_poll(f);

	if (n)
		return n;
	/* Ask for an event only now, about to sleep; then look once more (ring.md). */
	if (f->state == NETFRONT_READY && ring_rx_arm(&f->ring.rx) != 0)
		return netfront_poll(f);
	if (f->look)
		return netfront_poll(f);
	if (f->next_check < tsc_deadline)
		tsc_deadline = f->next_check;
	(void)rt_wait_event_until(tsc_deadline);
	return netfront_poll(f);
}

/* ---- sending ---- */

uint32_t netfront_tx_free(const struct netfront *f)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < f->layout.ntx; i++)
		n += f->buf[i].state == NETFRONT_FREE;
	return n;
}

/* A free TX buffer's index, after taking the answers waiting if none is; or an error. */
static int tx_get(struct netfront *f)
{
	for (int pass = 0; pass < 2; pass++) {
		if (f->state != NETFRONT_READY)
			return -HV_ENOENT;
		for (uint32_t i = 0; i < f->layout.ntx; i++)
			if (f->buf[i].state == NETFRONT_FREE)
				return (int)i;
		if (!pass)
			(void)drain(f);
	}
	f->st.tx_busy++;
	return -HV_EBUSY;
}

/* q (its id set here) for a free TX buffer holding len bytes of frame (NULL: as it is). */
static int tx_put(struct netfront *f, struct pvnet_req *q, const void *frame, uint32_t len)
{
	int i = tx_get(f), ret;

	if (i < 0)
		return i;
	if (frame)
		memcpy(f->data + f->buf[i].off, frame, len);
	f->buf[i].len = len;
	q->off = frame ? f->buf[i].off : q->off;
	ret = put(f, (uint32_t)i, q);
	if (ret)
		dead(f, ret);
	return ret ? ret : i;
}

int netfront_queue(struct netfront *f, const void *frame, uint32_t len)
{
	struct pvnet_req q;

	if (len < PVNET_FRAME_MIN || len > PVNET_FRAME_MAX || len > f->layout.buf_size)
		return -HV_EINVAL;
	pvnet_req_init(&q, 0, PVNET_TX, 0, len);
	return tx_put(f, &q, frame, len);
}

int netfront_send(struct netfront *f, const void *frame, uint32_t len)
{
	int i = netfront_queue(f, frame, len);

	if (i >= 0)
		netfront_push(f);
	return i;
}

int netfront_send_raw(struct netfront *f, const struct pvnet_req *q)
{
	struct pvnet_req copy = *q;
	int i = tx_put(f, &copy, NULL, 0);

	if (i >= 0)
		netfront_push(f);
	return i;
}

/* ---- opening ---- */

const struct hv_start_channel *netfront_channel(const char *name)
{
	for (uint32_t i = 0; i < HV_START_MAX_CHANNELS; i++) {
		const struct hv_start_channel *c = rt_channel(i);

		if (c && c->type == HV_CHAN_PVNET && !c->backend && (!name || rt_str_eq(c->name, name)))
			return c;
	}
	return NULL;
}

/* The channel's MAC, from the start info (never from shared memory). */
static int chan_mac(const struct hv_start_channel *c, uint8_t *mac)
{
	const struct hv_start_info *si = rt_start_info();

	for (uint32_t i = 0; si && i < HV_START_MAX_CHANNELS; i++) {
		if (rt_channel(i) != c || !pvnet_mac_ok(si->chan_cfg[i].net.mac))
			continue;
		memcpy(mac, si->chan_cfg[i].net.mac, PVNET_MAC_LEN);
		return 0;
	}
	return -HV_EINVAL;
}

static int open_chan(struct netfront *f, const struct hv_start_channel *c)
{
	uint64_t end;
	int ret;

	*f = (struct netfront){ .chan = c, .state = NETFRONT_DOWN, .epoch = UINT32_MAX,
				.look = true };
	if (!c || c->type != HV_CHAN_PVNET || c->backend)
		return -HV_ENOENT;
	if (pvnet_layout(c->ring_size, c->data_size, &f->layout) || chan_mac(c, f->mac))
		return -HV_EINVAL;
	if (f->layout.nbufs > NETFRONT_MAX_BUFS)	/* keep the split, use fewer */
		f->layout = (struct pvnet_layout){ .nbufs = NETFRONT_MAX_BUFS,
						   .ntx = NETFRONT_MAX_BUFS / 2,
						   .nrx = NETFRONT_MAX_BUFS / 2,
						   .buf_size = f->layout.buf_size };
	f->port = c->port;
	f->data = rt_channel_data(c);
	for (uint32_t i = 0; i < f->layout.nbufs; i++)
		f->buf[i].off = is_tx(f, i) ? pvnet_tx_off(&f->layout, i) :
					      pvnet_rx_off(&f->layout, i - f->layout.ntx);
	ret = rt_evtchn_bind(f->port, on_event, f);
	if (ret)
		return ret;
	end = rt_rdtsc() + NETFRONT_WAIT_S * rt_tsc_hz();
	while (f->state != NETFRONT_READY && rt_rdtsc() < end)
		netfront_wait(f, end);
	if (f->state != NETFRONT_READY)
		rt_printf("netfront: %s: link never came up (state %u)\n", c->name, f->state);
	return f->state == NETFRONT_READY ? 0 : -HV_ENOENT;
}

int netfront_open(struct netfront *f, const char *name)
{
	return open_chan(f, netfront_channel(name));
}

int netfront_open_index(struct netfront *f, uint32_t i)
{
	return open_chan(f, rt_channel(i));
}

/* ---- the IPv4 stack on a netfront ---- */

uint64_t netfront_ms(void)
{
	return rt_rdtsc() / (rt_tsc_hz() / 1000);
}

static void ip_rx(struct netfront *f, const void *frame, uint32_t len)
{
	ip_input(f->ip, frame, len, netfront_ms());
}

/* The stack's send: a TX buffer now, or within TX_WAIT_MS (answers taken, frames kept). */
static int ip_tx(void *ctx, const void *frame, uint32_t len)
{
	struct netfront *f = ctx;
	uint64_t end = rt_rdtsc() + rt_tsc_hz() / 1000 * TX_WAIT_MS;
	int ret;

	while ((ret = netfront_send(f, frame, len)) == -HV_EBUSY && rt_rdtsc() < end)
		if (ring_rx_arm(&f->ring.rx) == 0)
			(void)rt_wait_event_until(end);
	return ret < 0 ? ret : 0;
}

int netfront_ip_init(struct netfront *f, struct ip_stack *s, const char *cmdline)
{
	uint32_t ip, mask, gw;
	int ret = ip_parse_cmdline(cmdline, &ip, &mask, &gw);

	if (ret)
		return ret;
	ret = ip_init(s, f->mac, ip, mask, gw);
	if (ret)
		return ret;
	s->send = ip_tx;
	s->ctx = f;
	f->ip = s;
	f->rx = ip_rx;
	return 0;
}
