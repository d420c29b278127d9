/* SPDX-License-Identifier: MIT */
/* Demo child: sends numbered requests to pong over the raw channel's ring and checks every reply, across pong's restarts. */
#include "guest-drivers/demo/pingpong.h"

#define DEFAULT_COUNT	1000u
#define PROGRESS_EVERY	100u
#define STALL_S		10u	/* no progress for this long: give up, report what is missing */

struct ping {
	struct ring_end ring;
	const struct hv_start_channel *chan;
	uint32_t port;
	uint32_t epoch;		/* the link epoch the ring is attached at */
	bool down;		/* the link is down (pong stopped): the ring is left alone */
	volatile bool look;	/* an event came: the link may have changed */
	uint32_t restarts_seen;	/* pong came back this many times */
	uint8_t *data;
	uint32_t window;	/* requests in flight at most: one data buffer each */
	uint32_t count;		/* PING requests; then one BYE */
	uint32_t sent;		/* requests put, BYE included */
	uint32_t expect;	/* the seq the next reply should carry */
	uint32_t replies, lost, dup, bad;
	uint64_t notifies, events;
	bool done;		/* BYE answered, or a fatal error */
	int err;
};

static struct ping p;

static void on_event(void *arg, uint32_t port)
{
	p.events++;
	p.look = true;
}

/*
 * After an event or a failed send: is pong still the one the ring is attached to? Down:
 * send nothing more, but take the replies it published before it stopped (its lines
 * stay as they were, or move to another epoch, which the ring then ignores). Up at a
 * new epoch: pong started again, fresh; attach again and send every request not
 * answered yet (its replies, if any, went with the old life).
 */
static void check_link(void)
{
	struct pp_link l = pp_link(p.port);
	int r;

	p.look = false;
	if (!l.up) {
		if (!p.down)
			rt_printf("ping: peer down (link epoch %u)\n", p.epoch);
		p.down = true;
		return;
	}
	if (l.epoch == p.epoch)
		return;
	p.restarts_seen++;
	rt_printf("ping: peer back (link epoch %u, was %u): resending from seq %u\n", l.epoch,
		  p.epoch, p.expect);
	r = ring_end_attach(&p.ring, rt_channel_ring(p.chan), p.chan->ring_size, false, l.epoch);
	if (r)
		p.err = r;
	p.epoch = l.epoch;
	p.sent = p.expect;
	p.down = false;
}

/* Request seq's buffer: its own slot of the data region while in flight, varying length. */
static struct pp_msg make_request(uint32_t seq)
{
	struct pp_msg m = { .op = PP_OP_PING, .seq = seq };
	uint8_t *buf;

	if (seq == p.count)
		return (struct pp_msg){ .op = PP_OP_BYE, .seq = seq };
	m.data_off = (uint64_t)(seq % p.window) * PP_BUF_MAX;
	m.data_len = 16 + seq % (PP_BUF_MAX - 15);
	buf = p.data + m.data_off;
	for (uint32_t i = 0; i < m.data_len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	m.sum = pp_sum(buf, m.data_len);
	return m;
}

/* The sum pong should find for seq: recomputed, since the buffer may be reused by now. */
static uint32_t expected_sum(uint32_t seq)
{
	uint8_t buf[PP_BUF_MAX];
	uint32_t len = 16 + seq % (PP_BUF_MAX - 15);

	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	return pp_sum(buf, len);
}

static void notify(void)
{
	int64_t r = rt_evtchn_send(p.port);

	p.notifies++;
	if (r == -HV_ENOENT)
		p.look = true;		/* the link is down: pong stopped */
	else if (r < 0 && !p.err) {
		rt_printf("ping: HC_EVTCHN_SEND port %u: error %ld\n", p.port, r);
		p.err = (int)r;
	}
}

/* Puts requests while the window and the ring have room. True if any was put. */
static bool send_some(void)
{
	bool any = false;

	while (p.sent <= p.count && p.sent - p.expect < p.window) {
		struct pp_msg m = make_request(p.sent);
		int r = ring_tx_put(&p.ring.tx, &m);

		if (r < 0)
			p.err = r;
		if (r != 1)
			break;
		p.sent++;
		any = true;
	}
	return any;
}

/* One reply, already copied out of the ring: in order, unique, and right. */
static void check_reply(const struct pp_msg *m)
{
	if (m->seq < p.expect) {
		p.dup++;
		return;
	}
	if (m->seq > p.expect)
		p.lost += m->seq - p.expect;
	p.expect = m->seq + 1;
	if (m->op == PP_OP_BYE && m->seq == p.count) {
		p.done = true;
		return;
	}
	if (m->op != PP_OP_PONG || m->status || m->seq >= p.count || m->sum != expected_sum(m->seq)) {
		if (p.bad++ < 5)
			rt_printf("ping: bad reply seq=%u op=%u status=%d sum=0x%x\n", m->seq, m->op,
				  m->status, m->sum);
		return;
	}
	p.replies++;
	if (p.replies % PROGRESS_EVERY == 0)
		rt_printf("ping: %u replies\n", p.replies);
}

static bool recv_some(void)
{
	struct pp_msg m;
	bool any = false;
	int r;

	while ((r = ring_rx_get(&p.ring.rx, &m)) == 1) {
		check_reply(&m);
		any = true;
	}
	if (r < 0)
		p.err = r;
	return any;
}

/*
 * Nothing moved: ask to be woken by the next reply, and by free request slots if more
 * requests wait for room. True if something arrived meanwhile (do not sleep).
 */
static bool arm_and_recheck(void)
{
	bool blocked = p.sent <= p.count && p.sent - p.expect < p.window;

	if (ring_rx_arm(&p.ring.rx) != 0)
		return true;
	return blocked && ring_tx_arm(&p.ring.tx, 1) != 0;
}

static void run(void)
{
	uint64_t hz = rt_tsc_hz(), tick = 0, last = rt_rdtsc();

	while (!p.done && !p.err) {
		bool moved, wake;

		if (p.look)
			check_link();
		if (p.down) {
			/* Replies pong published before it stopped are still good: take them. */
			if (recv_some()) {
				(void)!ring_rx_release(&p.ring.rx);
				last = rt_rdtsc();
				continue;
			}
			if (rt_rdtsc() - last > STALL_S * hz) {
				rt_printf("ping: peer down for %u s\n", STALL_S);
				break;
			}
			(void)rt_wait_event_until(pp_tick(&tick, hz));
			continue;
		}
		moved = send_some();
		wake = ring_tx_push(&p.ring.tx);
		moved |= recv_some();
		wake |= ring_rx_release(&p.ring.rx);
		if (wake)
			notify();
		if (moved || p.err) {
			last = rt_rdtsc();
			continue;
		}
		if (arm_and_recheck())
			continue;
		if (rt_rdtsc() - last > STALL_S * hz) {
			rt_printf("ping: no reply for %u s\n", STALL_S);
			break;
		}
		(void)rt_wait_event_until(pp_tick(&tick, hz));
	}
}

static int setup(void)
{
	const struct hv_start_channel *c = pp_channel(0);
	uint64_t n = DEFAULT_COUNT;
	struct pp_link link;
	int r;

	if (!c) {
		rt_printf("ping: no raw channel to be the front end of\n");
		return -HV_ENOENT;
	}
	(void)rt_cmdline_u64("count", &n);
	p.count = n < 1 ? 1 : n > 10000000 ? 10000000 : (uint32_t)n;
	p.chan = c;
	p.port = c->port;
	link = pp_link(c->port);
	p.epoch = link.epoch;
	p.down = !link.up;
	p.data = rt_channel_data(c);
	p.window = RING_SLOTS(c->ring_size);
	if (p.window > c->data_size / PP_BUF_MAX)
		p.window = (uint32_t)(c->data_size / PP_BUF_MAX);
	rt_printf("ping: channel %s port %u ring %lu data %lu: %u messages, %u in flight\n",
		  c->name, c->port, c->ring_size, c->data_size, p.count, p.window);
	r = ring_end_attach(&p.ring, rt_channel_ring(c), c->ring_size, false, p.epoch);
	if (!r)
		r = rt_evtchn_bind(c->port, on_event, 0);
	if (r)
		rt_printf("ping: setup failed: error %d\n", r);
	return r;
}

int rt_main(void)
{
	bool ok;

	if (setup())
		return 2;
	run();
	if (p.err)
		rt_printf("ping: ring error %d: channel shut down\n", p.err);
	if (p.expect < p.count)		/* never answered */
		p.lost += p.count - p.expect;
	ok = p.done && !p.err && p.replies == p.count && !p.lost && !p.dup && !p.bad;
	rt_printf("ping: %u messages, %u replies, %u lost, %u duplicated, %lu notifications sent%s\n",
		  p.count, p.replies, p.lost, p.dup, p.notifies, ok ? "" : ", FAILED");
	rt_printf("ping: %lu events received, %u bad replies, peer restarted %u times\n",
		  p.events, p.bad, p.restarts_seen);
	return ok ? 0 : 1;
}
