/* SPDX-License-Identifier: MIT */
/* Host tests of the pvnet front end (guest-drivers/net/netfront.c) against an in-process back end built on pvdev/net and an IPv4 peer, with the runtime's event calls faked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest-drivers/net/netfront.h"
#include "include/abi/evtchn.h"

#define RING	8192u
#define DATA	(64u * 1024)
#define PORT	64u

static const uint8_t my_mac[6] = { 2, 0, 0, 0, 0, 0x0a };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 0x0b };

/* ---- the fake channel, link and back end ---- */

static uint8_t ring_mem[RING] __attribute__((aligned(4096)));
static uint8_t data_mem[DATA] __attribute__((aligned(4096)));
static struct hv_start_info si;

static struct {
	rt_event_fn fn;
	void *arg;
	uint32_t state, epoch;		/* the link as HC_EVTCHN_STATUS reports it */
	unsigned int sends, wakes;
} link;

/*
 * The back end: answers every request; a TX frame goes to the IPv4 peer (peer_on) or
 * straight back into the front end's receive buffers (loop).
 */
static struct {
	struct ring_end e;
	struct pvnet_cfg cfg;
	struct pvnet_rxq rxq;
	struct pvnet_desc held[RING / 256];
	bool attached, hold, loop, peer_on;
	unsigned int tx_ok, spoofed, bad, delivered, nobuf;
	struct ip_stack peer;
} be;

static void event_to_front(void)
{
	if (link.fn)
		link.fn(link.arg, PORT);
}

static void be_attach(uint32_t epoch)
{
	assert_int_equal(ring_end_attach(&be.e, ring_mem, RING, true, epoch), 0);
	pvnet_rxq_init(&be.rxq, be.held, RING / 256);
	be.attached = true;
}

static void be_deliver(const void *frame, uint32_t len)
{
	int r = pvnet_be_deliver(&be.e.tx, &be.rxq, data_mem, frame, len);

	if (r == 1)
		be.delivered++;
	else
		be.nobuf++;
}

static int peer_send(void *ctx, const void *frame, uint32_t len)
{
	be_deliver(frame, len);
	return 0;
}

static void be_tx(const struct pvnet_desc *d)
{
	uint8_t copy[PVNET_FRAME_MAX];
	struct pvnet_rsp rsp;
	bool spoof;

	memcpy(copy, data_mem + d->off, d->len);
	spoof = !pvnet_mac_eq(pvnet_eth_src(copy), be.cfg.mac);
	pvnet_rsp_init(&rsp, d, spoof ? PVNET_S_SPOOFED : PVNET_S_OK, 0);
	assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
	if (spoof) {
		be.spoofed++;
		return;
	}
	be.tx_ok++;
	if (be.peer_on)
		ip_input(&be.peer, copy, d->len, 0);
	else if (be.loop)
		be_deliver(copy, d->len);
}

static void be_serve(void)
{
	struct pvnet_desc d;
	enum pvnet_status st;
	struct pvnet_rsp rsp;

	if (!be.attached || be.hold)
		return;
	while (pvnet_be_next(&be.e, &be.cfg, be.rxq.count, &d, &st) == 1) {
		if (st == PVNET_S_OK && d.type == PVNET_TX) {
			be_tx(&d);
		} else if (st == PVNET_S_OK) {
			assert_true(pvnet_rxq_push(&be.rxq, &d));
		} else {
			be.bad++;
			pvnet_rsp_init(&rsp, &d, st, 0);
			assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
		}
	}
	(void)!ring_rx_release(&be.e.rx);
	if (ring_tx_push(&be.e.tx))
		event_to_front();
	(void)!ring_rx_arm(&be.e.rx);
}

/* ---- the runtime, faked ---- */

const struct hv_start_channel *rt_channel(uint32_t i)
{
	return i == 0 ? &si.chan[0] : NULL;
}

const struct hv_start_info *rt_start_info(void)
{
	return &si;
}

bool rt_str_eq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

int rt_evtchn_bind(uint32_t port, rt_event_fn fn, void *arg)
{
	link.fn = fn;
	link.arg = arg;
	return 0;
}

int64_t rt_evtchn_send(uint32_t port)
{
	link.sends++;
	return link.state == EVTCHN_STATE_CHANNEL ? 0 : -HV_ENOENT;
}

int64_t rt_evtchn_status(uint32_t port)
{
	return link.state | (int64_t)link.epoch << 16;
}

/* The front end sleeps: the back end runs meanwhile. */
bool rt_wait_event_until(uint64_t tsc_deadline)
{
	link.wakes++;
	be_serve();
	return false;
}

uint64_t rt_tsc_hz(void)
{
	return 1000000000ull;
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* ---- helpers ---- */

static struct netfront f;
static unsigned int rx_count, rx_len;
static uint8_t rx_last[PVNET_FRAME_MAX];

static void count_rx(struct netfront *nf, const void *frame, uint32_t len)
{
	rx_count++;
	rx_len = len;
	memcpy(rx_last, frame, len);
}

static int setup(void **state)
{
	struct hv_start_channel *c = &si.chan[0];

	memset(ring_mem, 0, sizeof(ring_mem));
	memset(&link, 0, sizeof(link));
	memset(&be, 0, sizeof(be));
	memset(&si, 0, sizeof(si));
	*c = (struct hv_start_channel){ .name = "n", .type = HV_CHAN_PVNET, .port = PORT,
					.ring_gpa = (uintptr_t)ring_mem, .ring_size = RING,
					.data_gpa = (uintptr_t)data_mem, .data_size = DATA };
	memcpy(si.chan_cfg[0].net.mac, my_mac, 6);
	assert_int_equal(pvnet_cfg_init(&be.cfg, c, &si.chan_cfg[0]), 0);
	link.state = EVTCHN_STATE_CHANNEL;
	link.epoch = 1;
	be_attach(1);
	assert_int_equal(netfront_open(&f, NULL), 0);
	f.rx = count_rx;
	rx_count = 0;
	be_serve();		/* takes the posted buffers */
	return 0;
}

/* A 60-byte frame from src to dst, payload bytes seeded with n. */
static void frame(uint8_t *fr, const uint8_t *dst, const uint8_t *src, uint8_t n)
{
	memcpy(fr, dst, 6);
	memcpy(fr + 6, src, 6);
	fr[12] = 0x88;
	fr[13] = 0xb5;
	for (unsigned int i = 14; i < 60; i++)
		fr[i] = (uint8_t)(n + i);
}

/* Waits until every TX answer is in. */
static void settle(void)
{
	for (int i = 0; i < 100 && (f.st.tx_inflight || f.fifo_count); i++)
		netfront_wait(&f, ~0ull);
}

/* ---- tests ---- */

static void test_open(void **state)
{
	assert_int_equal(f.state, NETFRONT_READY);
	assert_memory_equal(f.mac, my_mac, 6);
	assert_int_equal(f.layout.ntx, 16);
	assert_int_equal(f.layout.nrx, 16);
	assert_int_equal(f.st.rx_posted, 16);
	assert_int_equal(be.rxq.count, 16);
	assert_int_equal(f.st.attaches, 1);
	assert_int_equal(netfront_tx_free(&f), 16);
}

/* Frames sent come back through the loop, intact; buffers are posted again. */
static void test_loop(void **state)
{
	uint8_t fr[60];

	be.loop = true;
	for (uint8_t n = 0; n < 40; n++) {
		frame(fr, peer_mac, my_mac, n);
		assert_true(netfront_send(&f, fr, sizeof(fr)) >= 0);
		settle();
		assert_int_equal(rx_count, n + 1);
		assert_int_equal(rx_len, 60);
		assert_memory_equal(rx_last, fr, 60);
	}
	assert_int_equal(f.st.tx_frames, 40);
	assert_int_equal(f.st.rx_frames, 40);
	assert_int_equal(f.st.rx_posted, 16);
	assert_int_equal(f.st.stray, 0);
	assert_int_equal(be.nobuf, 0);
}

/* A batch of 8 costs one event to a back end that sleeps, none to one that is awake. */
static void test_batch_events(void **state)
{
	uint8_t fr[60];
	unsigned int kicks = (unsigned int)f.st.kicks;

	frame(fr, peer_mac, my_mac, 1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(netfront_queue(&f, fr, sizeof(fr)), i);
	netfront_push(&f);
	assert_int_equal(f.st.kicks - kicks, 1);
	/* The back end takes them without sleeping: no arm, so the next batch is free. */
	be.hold = false;
	{
		struct pvnet_desc d;
		enum pvnet_status st;

		while (pvnet_be_next(&be.e, &be.cfg, be.rxq.count, &d, &st) == 1)
			be_tx(&d);
		(void)!ring_rx_release(&be.e.rx);
	}
	for (int i = 0; i < 8; i++)
		assert_true(netfront_queue(&f, fr, sizeof(fr)) >= 0);
	netfront_push(&f);
	assert_int_equal(f.st.kicks - kicks, 1);
	settle();
	assert_int_equal(f.st.tx_frames, 16);
}

static void test_busy_and_checks(void **state)
{
	uint8_t fr[PVNET_FRAME_MAX + 1] = { 0 };

	be.hold = true;
	frame(fr, peer_mac, my_mac, 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(netfront_send(&f, fr, 60), i);
	assert_int_equal(netfront_send(&f, fr, 60), -HV_EBUSY);
	assert_int_equal(f.st.tx_busy, 1);
	assert_int_equal(netfront_send(&f, fr, 13), -HV_EINVAL);
	assert_int_equal(netfront_send(&f, fr, PVNET_FRAME_MAX + 1), -HV_EINVAL);
	be.hold = false;
	settle();
	assert_int_equal(netfront_tx_free(&f), 16);
	assert_int_equal(f.buf[0].status, PVNET_S_OK);
}

/* Forged sources and malformed descriptors get their status in the TX buffer. */
static void test_status(void **state)
{
	uint8_t fr[60];
	struct pvnet_req q;
	int i;

	frame(fr, peer_mac, peer_mac, 0);
	i = netfront_send(&f, fr, sizeof(fr));
	settle();
	assert_int_equal(f.buf[i].status, PVNET_S_SPOOFED);
	pvnet_req_init(&q, 0, PVNET_TX, DATA - 30, 60);
	i = netfront_send_raw(&f, &q);
	settle();
	assert_int_equal(f.buf[i].status, PVNET_S_DATA);
	pvnet_req_init(&q, 0, PVNET_RX, 0, 100);
	i = netfront_send_raw(&f, &q);
	settle();
	assert_int_equal(f.buf[i].status, PVNET_S_SHORT);
	assert_int_equal(f.st.status[PVNET_S_SPOOFED], 1);
	assert_int_equal(f.st.status[PVNET_S_DATA], 1);
	assert_int_equal(f.st.tx_errors, 3);
	assert_int_equal(f.st.rx_posted, 16);
}

/* The back end restarts: frames in flight fail, buffers are posted again, traffic goes on. */
static void test_restart(void **state)
{
	uint8_t fr[60];
	int i;

	be.hold = true;
	frame(fr, peer_mac, my_mac, 0);
	i = netfront_send(&f, fr, sizeof(fr));
	memset(&be.e, 0, sizeof(be.e));
	be.hold = false;
	link.epoch = 2;
	be_attach(2);
	event_to_front();
	netfront_poll(&f);
	assert_int_equal(f.epoch, 2);
	assert_int_equal(f.buf[i].status, -HV_ENOENT);
	assert_int_equal(f.st.tx_failed, 1);
	assert_int_equal(f.st.attaches, 2);
	be.loop = true;
	be_serve();
	assert_int_equal(be.rxq.count, 16);
	assert_true(netfront_send(&f, fr, sizeof(fr)) >= 0);
	settle();
	assert_int_equal(rx_count, 1);
}

static void test_link_down(void **state)
{
	uint8_t fr[60];

	frame(fr, peer_mac, my_mac, 0);
	be.hold = true;
	assert_true(netfront_send(&f, fr, sizeof(fr)) >= 0);
	link.state = EVTCHN_STATE_PEER_DOWN;
	event_to_front();
	netfront_poll(&f);
	assert_int_equal(f.state, NETFRONT_DOWN);
	assert_int_equal(f.st.tx_inflight, 0);
	assert_int_equal(f.st.downs, 1);
	assert_int_equal(netfront_send(&f, fr, sizeof(fr)), -HV_ENOENT);
	link.state = EVTCHN_STATE_CHANNEL;
	link.epoch = 3;
	memset(&be.e, 0, sizeof(be.e));
	be.hold = false;
	be_attach(3);
	event_to_front();
	netfront_poll(&f);
	assert_int_equal(f.state, NETFRONT_READY);
	assert_int_equal(f.st.rx_posted, 16);
}

static void test_stray_and_bad_index(void **state)
{
	struct pvnet_rsp rsp = { .id = 5, .type = PVNET_TX };

	assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
	rsp.id = 1000;
	assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
	(void)!ring_tx_push(&be.e.tx);
	netfront_poll(&f);
	assert_int_equal(f.st.stray, 2);
	/* A response producer far ahead: the ring is shut down, the front end DEAD. */
	__atomic_store_n(&be.e.tx.mine->prod, be.e.tx.pushed + 0x10000, __ATOMIC_RELEASE);
	netfront_poll(&f);
	assert_int_equal(f.state, NETFRONT_DEAD);
	assert_int_equal(f.err, -HV_EBADMSG);
}

/* The IPv4 glue: ARP and pings to a peer stack behind the back end. */
static uint32_t echo_count;

static void on_echo(void *ctx, uint32_t src, uint16_t id, uint16_t seq, uint32_t len)
{
	assert_ptr_equal(ctx, &f);
	echo_count++;
}

static void test_ip(void **state)
{
	struct ip_stack s;

	assert_int_equal(ip_init(&be.peer, peer_mac, IP_ADDR(10, 0, 0, 2), 0xffffff00u, 0), 0);
	be.peer.send = peer_send;
	be.peer_on = true;
	assert_int_equal(netfront_ip_init(&f, &s, "x ip=10.0.0.1/24"), 0);
	assert_int_equal(s.ip, IP_ADDR(10, 0, 0, 1));
	s.echo_rx = on_echo;
	echo_count = 0;
	assert_int_equal(ip_ping(&s, IP_ADDR(10, 0, 0, 2), 1, 1, 32), -HV_EBUSY);	/* ARP */
	settle();
	assert_true(ip_arp_lookup(&s, IP_ADDR(10, 0, 0, 2), (uint8_t[6]){ 0 }));
	for (uint16_t i = 0; i < 100; i++) {
		assert_int_equal(ip_ping(&s, IP_ADDR(10, 0, 0, 2), 1, i, 32), 0);
		if (i % 8 == 7)
			settle();
	}
	settle();
	assert_int_equal(echo_count, 100);
	assert_int_equal(be.peer.st.echo_answered, 100);
	assert_int_equal(netfront_ip_init(&f, &s, "ip=10.0.0.300/24"), -HV_EINVAL);
	assert_int_equal(netfront_ip_init(&f, &s, "gw=10.0.0.1"), -HV_ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open, setup),
		cmocka_unit_test_setup(test_loop, setup),
		cmocka_unit_test_setup(test_batch_events, setup),
		cmocka_unit_test_setup(test_busy_and_checks, setup),
		cmocka_unit_test_setup(test_status, setup),
		cmocka_unit_test_setup(test_restart, setup),
		cmocka_unit_test_setup(test_link_down, setup),
		cmocka_unit_test_setup(test_stray_and_bad_index, setup),
		cmocka_unit_test_setup(test_ip, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
