/* SPDX-License-Identifier: MIT */
/* Demo child: the back end of the raw channel; answers each of ping's requests, in order, until BYE (crash=N: crashes once). */
#include "guest-drivers/demo/pingpong.h"

#define GONE_TICKS	3	/* seconds the link may stay down before ping counts as gone */

struct pong {
	struct ring_end ring;
	const struct hv_start_channel *chan;
	uint32_t port;
	uint32_t epoch;		/* the link epoch the ring is attached at */
	bool down;		/* the link is down: ping stopped */
	volatile bool look;	/* an event came: the link may have changed */
	uint32_t down_ticks;
	uint64_t crash_after;	/* crash=N: a triple fault after N requests, first run only */
	const uint8_t *data;
	uint64_t data_size;
	uint32_t requests, bad;
	uint64_t notifies, events;
	bool done;		/* BYE answered */
	int err;
};

static struct pong p;

static void on_event(void *arg, uint32_t port)
{
	p.events++;
	p.look = true;
}

/* For the restart demo (crash=N): a fault with no IDT, the way a buggy kernel dies. */
static void crash(void)
{
	static const struct rt_desc_ptr empty = { 0, 0 };

	rt_printf("pong: crash=%lu: triple fault after %u requests\n", p.crash_after, p.requests);
	rt_flush();
	rt_lidt(&empty);
	__asm__ volatile("int3");
}

/* As ping's check_link: down, leave the ring alone; up at a new epoch, attach again. */
static void check_link(void)
{
	struct pp_link l = pp_link(p.port);
	int r;

	p.look = false;
	if (!l.up) {
		if (!p.down)
			rt_printf("pong: peer down (link epoch %u)\n", p.epoch);
		p.down = true;
		return;
	}
	p.down_ticks = 0;
	if (l.epoch == p.epoch)
		return;
	rt_printf("pong: peer back (link epoch %u, was %u)\n", l.epoch, p.epoch);
	r = ring_end_attach(&p.ring, rt_channel_ring(p.chan), p.chan->ring_size, true, l.epoch);
	if (r)
		p.err = r;
	p.epoch = l.epoch;
	p.down = false;
}

/*
 * The request is pong's own copy (ring_rx_get read the slot once); the buffer it points
 * to is copied once too, then summed: ping may rewrite it meanwhile, never under our check.
 */
static int32_t check_request(const struct pp_msg *m, uint32_t *sum)
{
	uint8_t buf[PP_BUF_MAX];

	if (m->op != PP_OP_PING)
		return -HV_EINVAL;
	if (m->data_len > PP_BUF_MAX || !ring_data_ok(m->data_off, m->data_len, p.data_size))
		return -HV_EFAULT;
	for (uint32_t i = 0; i < m->data_len; i++)
		buf[i] = __atomic_load_n(&p.data[m->data_off + i], __ATOMIC_RELAXED);
	*sum = pp_sum(buf, m->data_len);
	return *sum == m->sum ? 0 : -HV_EBADMSG;
}

static struct pp_msg answer(const struct pp_msg *m)
{
	struct pp_msg r = { .op = PP_OP_PONG, .seq = m->seq };

	if (m->op == PP_OP_BYE) {
		r.op = PP_OP_BYE;
		p.done = true;
		return r;
	}
	r.status = check_request(m, &r.sum);
	if (r.status && p.bad++ < 5)
		rt_printf("pong: bad request seq=%u op=%u off=0x%lx len=%u: error %d\n", m->seq,
			  m->op, m->data_off, m->data_len, r.status);
	return r;
}

/* Answers requests while there is room for the replies. True if any was answered. */
static bool serve_some(void)
{
	int room = ring_tx_space(&p.ring.tx), r = 0;
	bool any = false;
	struct pp_msg m, reply;

	while (room > 0 && !p.done && (r = ring_rx_get(&p.ring.rx, &m)) == 1) {
		reply = answer(&m);
		p.requests++;
		if (p.crash_after && p.requests == p.crash_after && !pp_restarts())
			crash();
		if (ring_tx_put(&p.ring.tx, &reply) != 1)
			r = -HV_EBADMSG;	/* room was checked: only a shut ring says no */
		room--;
		any = true;
	}
	if (room < 0 || r < 0)
		p.err = room < 0 ? room : r;
	return any;
}

static void notify(void)
{
	int64_t r = rt_evtchn_send(p.port);

	p.notifies++;
	if (r == -HV_ENOENT)
		p.look = true;		/* the link is down: ping stopped */
	else if (r < 0 && !p.err) {
		rt_printf("pong: HC_EVTCHN_SEND port %u: error %ld\n", p.port, r);
		p.err = (int)r;
	}
}

/* Idle: woken by the next request, or by room for replies if that is what blocks. */
static bool arm_and_recheck(void)
{
	if (ring_rx_arm(&p.ring.rx) == 0)
		return false;
	return ring_tx_arm(&p.ring.tx, 1) != 0;
}

/*
 * Once a second while idle: a ping that ended without BYE leaves its port down. It may
 * be restarting (its policy), so only a link down GONE_TICKS seconds in a row counts.
 */
static void idle_tick(void)
{
	p.look = true;
	check_link();
	if (p.down && ++p.down_ticks >= GONE_TICKS) {
		rt_printf("pong: ping is gone without BYE\n");
		p.err = -HV_ENOENT;
	}
}

static void run(void)
{
	uint64_t hz = rt_tsc_hz(), tick = 0;

	while (!p.done && !p.err) {
		bool moved = false, wake = false;

		if (p.look)
			check_link();
		if (!p.down) {
			moved = serve_some();
			wake = ring_tx_push(&p.ring.tx);
			wake |= ring_rx_release(&p.ring.rx);
		}
		if (wake)
			notify();
		if (moved || p.err || p.look || (!p.down && arm_and_recheck()))
			continue;
		if (rt_wait_event_until(pp_tick(&tick, hz)))
			idle_tick();
	}
}

static int setup(void)
{
	const struct hv_start_channel *c = pp_channel(1);
	struct pp_link link;
	int r;

	if (!c) {
		rt_printf("pong: no raw channel to be the back end of\n");
		return -HV_ENOENT;
	}
	p.chan = c;
	p.port = c->port;
	link = pp_link(c->port);
	p.epoch = link.epoch;
	p.down = !link.up;
	p.data = rt_channel_data(c);
	p.data_size = c->data_size;
	(void)rt_cmdline_u64("crash", &p.crash_after);
	rt_printf("pong: channel %s port %u ring %lu data %lu\n", c->name, c->port, c->ring_size,
		  c->data_size);
	if (pp_restarts())
		rt_printf("pong: started again (restart %u), link epoch %u\n", pp_restarts(),
			  p.epoch);
	r = ring_end_attach(&p.ring, rt_channel_ring(c), c->ring_size, true, p.epoch);
	if (!r)
		r = rt_evtchn_bind(c->port, on_event, 0);
	if (r)
		rt_printf("pong: setup failed: error %d\n", r);
	return r;
}

int rt_main(void)
{
	if (setup())
		return 2;
	run();
	if (p.err)
		rt_printf("pong: stopped: error %d\n", p.err);
	rt_printf("pong: %u requests, %u replies, %u bad, %lu notifications sent, %lu events received\n",
		  p.requests, p.requests, p.bad, p.notifies, p.events);
	return p.done && !p.err ? 0 : 1;
}
