/* SPDX-License-Identifier: MIT */
/* Unit tests for pvnet: wire layout, every descriptor error class and its boundaries, held receive buffers, the rings with wrap and notification counts, bad indices, and two children through the switch. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/pvnet.h"
#include "pvdev/net.h"
#include "pvdev/switch.h"

#define DATA		0x10000u	/* the manifest's default data region */
#define FMAX		PVNET_FRAME_MAX

static const struct pvnet_cfg cfg = {
	.data_size = DATA, .frame_max = FMAX, .mac = { 0x02, 0, 0, 0, 0, 0x0a },
};

static struct pvnet_req rq(uint16_t type, uint64_t off, uint32_t len)
{
	struct pvnet_req r;

	pvnet_req_init(&r, 0x4242, (enum pvnet_type)type, off, len);
	return r;
}

/* The status of r; the copy's id, type and off always come back, len only on success. */
static enum pvnet_status chk(const struct pvnet_cfg *c, struct pvnet_req r)
{
	struct pvnet_desc d;
	enum pvnet_status st;

	memset(&d, 0xa5, sizeof(d));
	st = pvnet_check(c, &r, &d);
	assert_int_equal(d.id, r.id);
	assert_int_equal(d.type, r.type);
	assert_int_equal(d.off, r.off);
	assert_int_equal(d.len, st ? 0 : r.len);
	return st;
}

/* ---- wire layout ---- */

static void test_abi(void **state)
{
	struct pvnet_req r;

	assert_int_equal(sizeof(struct pvnet_req), 64);
	assert_int_equal(sizeof(struct pvnet_rsp), 64);
	assert_int_equal(PVNET_MAX_INFLIGHT(0x1000), 16);
	assert_int_equal(PVNET_MAX_INFLIGHT(0x2000), 32);
	assert_int_equal(PVNET_S_COUNT_, 7);
	memset(&r, 0xff, sizeof(r));
	pvnet_req_init(&r, 7, PVNET_TX, 4096, 60);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.type, PVNET_TX);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.len, 60);
	assert_int_equal(r.off, 4096);
	for (unsigned int i = 0; i < sizeof(r.rsvd_0x18); i++)
		assert_int_equal(r.rsvd_0x18[i], 0);
}

static void test_mac(void **state)
{
	static const uint8_t a[6] = { 0x02, 0, 0, 0, 0, 1 };
	static const uint8_t b[6] = { 0x02, 0, 0, 0, 0, 2 };
	static const uint8_t g[6] = { 0x01, 0, 0x5e, 0, 0, 1 };
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t z[6];

	assert_true(pvnet_mac_eq(a, a));
	assert_false(pvnet_mac_eq(a, b));
	assert_true(pvnet_mac_ok(a));
	assert_false(pvnet_mac_ok(g));
	assert_false(pvnet_mac_ok(bc));
	assert_false(pvnet_mac_ok(z));
	assert_true(pvnet_mac_group(g));
	assert_true(pvnet_mac_group(bc));
	assert_false(pvnet_mac_group(a));
	assert_true(pvnet_mac_zero(z));
}

static void test_cfg_init(void **state)
{
	struct hv_start_channel ch = { .type = HV_CHAN_PVNET, .ring_size = 0x1000,
				       .data_size = DATA };
	struct hv_start_chan_cfg cc = { .net.mac = { 0x02, 0, 0, 0, 0, 0x0a } };
	struct pvnet_cfg c;

	memset(&c, 0xff, sizeof(c));
	assert_int_equal(pvnet_cfg_init(&c, &ch, &cc), 0);
	assert_int_equal(c.data_size, DATA);
	assert_int_equal(c.frame_max, FMAX);
	assert_memory_equal(c.mac, cc.net.mac, 6);
	ch.type = HV_CHAN_PVBLK;
	assert_int_equal(pvnet_cfg_init(&c, &ch, &cc), -HV_EINVAL);
	ch.type = HV_CHAN_PVNET;
	ch.ring_size = 0x3000;
	assert_int_equal(pvnet_cfg_init(&c, &ch, &cc), -HV_EINVAL);
	ch.ring_size = 0x1000;
	cc.net.mac[0] = 0x03;				/* group */
	assert_int_equal(pvnet_cfg_init(&c, &ch, &cc), -HV_EINVAL);
	memset(cc.net.mac, 0, 6);			/* zero */
	assert_int_equal(pvnet_cfg_init(&c, &ch, &cc), -HV_EINVAL);
}

/* ---- descriptors that pass ---- */

static void test_check_ok(void **state)
{
	struct pvnet_req r = rq(PVNET_TX, 0, PVNET_FRAME_MIN);
	struct pvnet_desc d;

	assert_int_equal(pvnet_check(&cfg, &r, &d), PVNET_S_OK);
	assert_int_equal(d.id, 0x4242);
	assert_int_equal(d.type, PVNET_TX);
	assert_int_equal(d.len, PVNET_FRAME_MIN);
	assert_int_equal(d.off, 0);
	/* The largest frame, ending exactly at the end of the data region, at an odd offset. */
	assert_int_equal(chk(&cfg, rq(PVNET_TX, DATA - FMAX, FMAX)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 1, 60)), PVNET_S_OK);
	/* Receive buffers: the largest frame's size, or more. */
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, FMAX)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, DATA - 4096, 4096)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, DATA)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 3, FMAX)), PVNET_S_OK);
}

/* ---- every error class ---- */

static void test_bad_type(void **state)
{
	static const uint16_t types[] = { 0, 3, 4, 0x100, 0xffff };

	for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		assert_int_equal(chk(&cfg, rq(types[i], 0, 60)), PVNET_S_BAD_TYPE);
}

static void test_bad_field(void **state)
{
	struct pvnet_req r;

	for (unsigned int i = 0; i < sizeof(r.rsvd_0x18); i++) {
		r = rq(PVNET_TX, 0, 60);
		r.rsvd_0x18[i] = 1;
		assert_int_equal(chk(&cfg, r), PVNET_S_BAD_FIELD);
		r.type = PVNET_RX;
		r.len = FMAX;
		assert_int_equal(chk(&cfg, r), PVNET_S_BAD_FIELD);
	}
	for (unsigned int bit = 0; bit < 16; bit++) {
		r = rq(PVNET_TX, 0, 60);
		r.flags = (uint16_t)(1u << bit);
		assert_int_equal(chk(&cfg, r), PVNET_S_BAD_FIELD);
	}
}

static void test_short(void **state)
{
	/* TX: zero, and anything shorter than an Ethernet header. */
	for (uint32_t len = 0; len < PVNET_FRAME_MIN; len++)
		assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, len)), PVNET_S_SHORT);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, PVNET_FRAME_MIN)), PVNET_S_OK);
	/* RX: a buffer that could not hold the largest frame. */
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, 0)), PVNET_S_SHORT);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, 60)), PVNET_S_SHORT);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, FMAX - 1)), PVNET_S_SHORT);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, FMAX)), PVNET_S_OK);
	/* The limit follows the back end's frame_max. */
	struct pvnet_cfg c = cfg;

	c.frame_max = 9014;
	assert_int_equal(chk(&c, rq(PVNET_RX, 0, 9013)), PVNET_S_SHORT);
	assert_int_equal(chk(&c, rq(PVNET_RX, 0, 9014)), PVNET_S_OK);
}

static void test_long(void **state)
{
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, FMAX)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, FMAX + 1)), PVNET_S_LONG);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, 9014)), PVNET_S_LONG);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 0, UINT32_MAX)), PVNET_S_LONG);
	/* RX buffers have no maximum but the data region's size. */
	assert_int_equal(chk(&cfg, rq(PVNET_RX, 0, UINT32_MAX)), PVNET_S_DATA);
}

static void test_data(void **state)
{
	/* Ending exactly at data_size is inside; one byte more is not. */
	assert_int_equal(chk(&cfg, rq(PVNET_TX, DATA - 60, 60)), PVNET_S_OK);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, DATA - 59, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, DATA, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, DATA + 1, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, DATA - FMAX + 1, FMAX)), PVNET_S_DATA);
	/* off + len wraps at 2^64. */
	assert_int_equal(chk(&cfg, rq(PVNET_TX, UINT64_MAX, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, UINT64_MAX - 59, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_RX, UINT64_MAX - FMAX + 2, FMAX)), PVNET_S_DATA);
	assert_int_equal(chk(&cfg, rq(PVNET_TX, 1ull << 63, 60)), PVNET_S_DATA);
	/* A data region too small for one frame, and none at all. */
	struct pvnet_cfg c = cfg;

	c.data_size = 100;
	assert_int_equal(chk(&c, rq(PVNET_TX, 40, 60)), PVNET_S_OK);
	assert_int_equal(chk(&c, rq(PVNET_TX, 41, 60)), PVNET_S_DATA);
	assert_int_equal(chk(&c, rq(PVNET_RX, 0, FMAX)), PVNET_S_DATA);
	c.data_size = 0;
	assert_int_equal(chk(&c, rq(PVNET_TX, 0, 14)), PVNET_S_DATA);
}

/* One descriptor wrong in every way, fixed one class at a time, in the documented order. */
static void test_order(void **state)
{
	struct pvnet_req r = rq(9, DATA, 0);
	bool seen[PVNET_S_COUNT_] = { false };
	enum pvnet_status st;

	r.flags = 1;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_BAD_TYPE);
	r.type = PVNET_TX;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_BAD_FIELD);
	r.flags = 0;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_SHORT);
	r.len = FMAX + 1;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_LONG);
	r.len = FMAX;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_DATA);
	r.off = 0;
	st = chk(&cfg, r), seen[st] = true;
	assert_int_equal(st, PVNET_S_OK);
	/* Every class but SPOOFED (the switch's) was answered. */
	for (int i = 0; i < PVNET_S_COUNT_; i++)
		assert_int_equal(seen[i], i != PVNET_S_SPOOFED);
}

static void test_rsp(void **state)
{
	struct pvnet_desc d = { .id = 0xdeadbeefcafe, .type = 77, .off = 0x1234, .len = 99 };
	struct pvnet_rsp r;

	memset(&r, 0xff, sizeof(r));
	pvnet_rsp_init(&r, &d, PVNET_S_BAD_TYPE, 60);
	assert_int_equal(r.id, 0xdeadbeefcafe);
	assert_int_equal(r.type, 77);
	assert_int_equal(r.status, PVNET_S_BAD_TYPE);
	assert_int_equal(r.len, 0);			/* no frame with an error */
	assert_int_equal(r.off, 0x1234);
	assert_int_equal(r.rsvd_0x0a, 0);
	assert_int_equal(r.rsvd_0x14, 0);
	for (unsigned int i = 0; i < sizeof(r.rsvd_0x20); i++)
		assert_int_equal(r.rsvd_0x20[i], 0);
	d.type = PVNET_RX;
	pvnet_rsp_init(&r, &d, PVNET_S_OK, 60);
	assert_int_equal(r.status, PVNET_S_OK);
	assert_int_equal(r.len, 60);
}

static void test_layout(void **state)
{
	struct pvnet_layout l;
	struct pvnet_cfg c = cfg;

	assert_int_equal(pvnet_layout(0x1000, DATA, &l), 0);	/* the manifest's defaults */
	assert_int_equal(l.nbufs, 16);
	assert_int_equal(l.ntx, 8);
	assert_int_equal(l.nrx, 8);
	assert_int_equal(l.buf_size, 4096);
	assert_int_equal(pvnet_tx_off(&l, 7), 7 * 4096);
	assert_int_equal(pvnet_rx_off(&l, 0), 8 * 4096);
	assert_int_equal(pvnet_layout(0x2000, DATA, &l), 0);
	assert_int_equal(l.nbufs, 32);
	assert_int_equal(l.buf_size, 2048);
	/* A big ring, a small region: as many buffers as fit. */
	assert_int_equal(pvnet_layout(RING_REGION_MAX, DATA, &l), 0);
	assert_int_equal(l.nbufs, DATA / PVNET_BUF_MIN);	/* 42 */
	assert_int_equal(l.ntx, 21);
	assert_int_equal(l.buf_size, 1536);
	assert_int_equal(pvnet_layout(0x1000, 3 * PVNET_BUF_MIN, &l), 0);	/* odd count */
	assert_int_equal(l.ntx, 1);
	assert_int_equal(l.nrx, 2);
	assert_int_equal(pvnet_layout(0x1000, 2 * PVNET_BUF_MIN - 1, &l), -HV_EINVAL);
	assert_int_equal(pvnet_layout(0x1000, 0, &l), -HV_EINVAL);
	assert_int_equal(pvnet_layout(0x3000, DATA, &l), -HV_EINVAL);
	/* Every buffer of a layout passes the back end's checks, full-size frames included. */
	static const uint64_t rings[] = { 0x1000, 0x2000, RING_REGION_MAX };
	static const uint64_t datas[] = { DATA, 100000, 4 << 20, 2 * PVNET_BUF_MIN };

	for (unsigned int i = 0; i < 3; i++)
		for (unsigned int j = 0; j < 4; j++) {
			assert_int_equal(pvnet_layout(rings[i], datas[j], &l), 0);
			c.data_size = datas[j];
			assert_true(l.ntx + l.nrx <= PVNET_MAX_INFLIGHT(rings[i]));
			for (uint32_t k = 0; k < l.ntx; k++)
				assert_int_equal(chk(&c, rq(PVNET_TX, pvnet_tx_off(&l, k), FMAX)),
						 PVNET_S_OK);
			for (uint32_t k = 0; k < l.nrx; k++)
				assert_int_equal(chk(&c, rq(PVNET_RX, pvnet_rx_off(&l, k), (uint32_t)l.buf_size)),
						 PVNET_S_OK);
		}
}

static void test_rxq(void **state)
{
	struct pvnet_desc store[3], d;
	struct pvnet_rxq q;

	pvnet_rxq_init(&q, store, 3);
	assert_false(pvnet_rxq_pop(&q, &d));
	/* FIFO across the storage's end, several times round. */
	for (uint64_t i = 0, next = 0; i < 21; i++) {
		d = (struct pvnet_desc){ .id = i, .type = PVNET_RX, .len = FMAX, .off = i * 2048 };
		assert_true(pvnet_rxq_push(&q, &d));
		if (i % 3 == 2) {
			while (pvnet_rxq_pop(&q, &d)) {
				assert_int_equal(d.id, next);
				assert_int_equal(d.off, next * 2048);
				next++;
			}
			assert_int_equal(next, i + 1);
		}
	}
	for (uint64_t i = 0; i < 3; i++)
		assert_true(pvnet_rxq_push(&q, &d));
	assert_false(pvnet_rxq_push(&q, &d));		/* full */
	assert_int_equal(q.count, 3);
}

/* ---- on the rings: channels of a 4K ring (16 slots each way) and a 64K data region ---- */

#define REGION		RING_REGION_MIN
#define SLOTS		PVNET_MAX_INFLIGHT(REGION)
#define NCH		3

struct chan {
	void *region;
	uint8_t *data;
	struct ring_end fe, be;
	struct pvnet_cfg cfg;
	struct pvnet_layout l;
	struct pvnet_desc rxstore[SLOTS];
	struct pvnet_rxq rxq;
	int port;
	uint64_t fe_notifies, be_notifies;	/* events each side sent */
	uint64_t tx_sent, tx_done, rx_got;	/* front end's view */
	uint64_t bad[PVNET_S_COUNT_];		/* back end's: answers by status */
	uint32_t tx_free;			/* front end: tx buffers free, a bitmap */
};

static struct chan ch[NCH];
static struct sw sw;
static int uplink;
static uint8_t up_frames[64][FMAX];		/* what the switch sent to the uplink */
static uint32_t up_len[64], up_n;

static int setup(void **state)
{
	sw_init(&sw, 1000);
	uplink = sw_add_uplink(&sw, "nic");
	sw_port_up(&sw, (unsigned int)uplink, true);
	up_n = 0;
	for (int i = 0; i < NCH; i++) {
		struct chan *c = &ch[i];

		memset(c, 0, sizeof(*c));
		c->region = aligned_alloc(4096, REGION);
		c->data = aligned_alloc(4096, DATA);
		assert_non_null(c->region);
		assert_non_null(c->data);
		memset(c->region, 0, REGION);
		memset(c->data, 0, DATA);
		assert_int_equal(ring_end_init(&c->fe, c->region, REGION, false), 0);
		assert_int_equal(ring_end_init(&c->be, c->region, REGION, true), 0);
		c->cfg = cfg;
		c->cfg.mac[5] = (uint8_t)(0x0a + i);
		assert_int_equal(pvnet_layout(REGION, DATA, &c->l), 0);
		pvnet_rxq_init(&c->rxq, c->rxstore, SLOTS);
		c->tx_free = (1u << c->l.ntx) - 1;
		c->port = sw_add_chan(&sw, i == 0 ? "a" : i == 1 ? "b" : "c", c->cfg.mac);
		assert_true(c->port > 0);
		sw_port_up(&sw, (unsigned int)c->port, true);
	}
	return 0;
}

static int teardown(void **state)
{
	for (int i = 0; i < NCH; i++) {
		free(ch[i].region);
		free(ch[i].data);
	}
	return 0;
}

/* ---- the front end ---- */

/* Frame `seq`, len bytes, from src to dst: header, then bytes derived from seq. */
static void mk_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint64_t seq, uint32_t len)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;					/* local experimental ethertype */
	for (uint32_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	if (len >= 22)
		memcpy(f + 14, &seq, 8);
}

static void fe_push(struct chan *c)
{
	c->fe_notifies += ring_tx_push(&c->fe.tx);
}

/* Posts receive buffer i (id 1000 + i). */
static void fe_post(struct chan *c, uint32_t i)
{
	struct pvnet_req r;

	pvnet_req_init(&r, 1000 + i, PVNET_RX, pvnet_rx_off(&c->l, i), (uint32_t)c->l.buf_size);
	assert_int_equal(ring_tx_put(&c->fe.tx, &r), 1);
}

static void fe_post_all(struct chan *c)
{
	for (uint32_t i = 0; i < c->l.nrx; i++)
		fe_post(c, i);
	fe_push(c);
}

/* Sends frame seq to dst from a free tx buffer (id = the buffer's index); false if none. */
static bool fe_send(struct chan *c, const uint8_t *dst, const uint8_t *src, uint64_t seq,
		    uint32_t len)
{
	struct pvnet_req r;
	uint32_t i;

	if (!c->tx_free)
		return false;
	i = (uint32_t)__builtin_ctz(c->tx_free);
	c->tx_free &= ~(1u << i);
	mk_frame(c->data + pvnet_tx_off(&c->l, i), dst, src, seq, len);
	pvnet_req_init(&r, i, PVNET_TX, pvnet_tx_off(&c->l, i), len);
	assert_int_equal(ring_tx_put(&c->fe.tx, &r), 1);
	c->tx_sent++;
	return true;
}

/*
 * Takes every answer: a TX frees its buffer (status expected, OK unless told), an RX
 * hands over a frame (checked by `check`, may be NULL) and the buffer is posted again.
 */
static enum pvnet_status fe_tx_want = PVNET_S_OK;

static unsigned int fe_reap(struct chan *c, void (*check)(struct chan *, const uint8_t *, uint32_t))
{
	struct pvnet_rsp r;
	unsigned int n = 0;
	bool reposted = false;

	while (ring_rx_get(&c->fe.rx, &r) == 1) {
		n++;
		if (r.type == PVNET_TX) {
			assert_int_equal(r.status, fe_tx_want);
			assert_true(r.id < c->l.ntx);
			assert_false(c->tx_free & (1u << r.id));
			c->tx_free |= 1u << r.id;
			c->tx_done++;
			continue;
		}
		assert_int_equal(r.type, PVNET_RX);
		assert_int_equal(r.status, PVNET_S_OK);
		assert_true(r.id >= 1000 && r.id < 1000 + c->l.nrx);
		assert_int_equal(r.off, pvnet_rx_off(&c->l, (uint32_t)(r.id - 1000)));
		assert_true(r.len >= PVNET_FRAME_MIN && r.len <= FMAX);
		if (check)
			check(c, c->data + r.off, r.len);
		c->rx_got++;
		fe_post(c, (uint32_t)(r.id - 1000));
		reposted = true;
	}
	c->fe_notifies += ring_rx_release(&c->fe.rx);
	if (reposted)
		fe_push(c);
	return n;
}

/* ---- the back end: a pass over one channel, frames switched to every port ---- */

static void be_output(uint32_t mask, const uint8_t *f, uint32_t len)
{
	for (unsigned int p = 0; p < sw.nports; p++) {
		if (!(mask >> p & 1))
			continue;
		if ((int)p == uplink) {
			assert_true(up_n < 64);
			memcpy(up_frames[up_n], f, len);
			up_len[up_n++] = len;
			sw_sent(&sw, p, len);
			continue;
		}
		for (int i = 0; i < NCH; i++) {
			struct chan *o = &ch[i];
			int r;

			if (o->port != (int)p)
				continue;
			r = pvnet_be_deliver(&o->be.tx, &o->rxq, o->data, f, len);
			if (r == 1)
				sw_sent(&sw, p, len);
			else
				sw_drop(&sw, p, r == -HV_EBUSY ? SW_DROP_NO_BUFFER : SW_DROP_RING_SHUT);
		}
	}
}

/* Pushes every channel's answers (one event per channel at most). */
static void be_push_all(void)
{
	for (int i = 0; i < NCH; i++)
		ch[i].be_notifies += ring_tx_push(&ch[i].be.tx);
}

/* Takes what the room allows from c: TX copied once and switched, RX held. How many. */
static unsigned int be_serve(struct chan *c)
{
	static uint8_t copy[FMAX];
	struct pvnet_desc d;
	struct pvnet_rsp rsp;
	enum pvnet_status st;
	enum sw_reason why;
	unsigned int n = 0;
	int r;

	while ((r = pvnet_be_next(&c->be, &c->cfg, c->rxq.count, &d, &st)) == 1) {
		n++;
		if (st == PVNET_S_OK && d.type == PVNET_RX) {
			assert_true(pvnet_rxq_push(&c->rxq, &d));
			continue;
		}
		if (st == PVNET_S_OK) {
			memcpy(copy, c->data + d.off, d.len);	/* the only read of the frame */
			uint32_t mask = sw_forward(&sw, (unsigned int)c->port, copy, d.len, 0, &why);

			if (why == SW_DROP_SPOOFED)
				st = PVNET_S_SPOOFED;
			be_output(mask, copy, d.len);
		} else {
			sw_drop(&sw, (unsigned int)c->port, SW_DROP_MALFORMED);
		}
		c->bad[st]++;
		pvnet_rsp_init(&rsp, &d, st, 0);
		assert_int_equal(ring_tx_put(&c->be.tx, &rsp), 1);
	}
	assert_int_equal(r, 0);
	c->be_notifies += ring_rx_release(&c->be.rx);
	be_push_all();
	return n;
}

/* ---- ring usage ---- */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* A frame from A to B must arrive whole: header, sequence, payload. */
static uint64_t b_next;

static void check_seq(struct chan *c, const uint8_t *f, uint32_t len)
{
	uint8_t want[FMAX];
	uint64_t seq;

	memcpy(&seq, f + 14, 8);
	assert_int_equal(seq, b_next);
	mk_frame(want, c->cfg.mac, ch[0].cfg.mac, seq, len);
	assert_memory_equal(f, want, len);
	b_next++;
}

/* 8 buffers posted and 8 frames sent fill the 16 slots; A to B, every byte checked. */
static void test_ring_batch(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1];

	b_next = 0;
	fe_post_all(a);
	fe_post_all(b);
	assert_int_equal(be_serve(a), 8);
	assert_int_equal(be_serve(b), 8);
	assert_int_equal(a->rxq.count, 8);
	for (uint64_t s = 0; s < 8; s++)
		assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, s, (uint32_t)(60 + s * 200)));
	assert_false(fe_send(a, b->cfg.mac, a->cfg.mac, 8, 60));	/* tx buffers all out */
	fe_push(a);
	assert_int_equal(be_serve(a), 8);
	assert_int_equal(fe_reap(b, check_seq), 8);
	assert_int_equal(fe_reap(a, NULL), 8);
	assert_int_equal(b_next, 8);
	assert_int_equal(a->tx_done, 8);
	assert_int_equal(sw.port[b->port].c.out_frames, 8);
	assert_int_equal(sw.port[a->port].c.in_frames, 8);
	assert_int_equal(sw.port[a->port].c.in_bytes, 8 * 60 + 200 * 28);
	/* B re-posted its buffers; the back end holds them again. */
	assert_int_equal(be_serve(b), 8);
	assert_int_equal(b->rxq.count, 8);
}

/*
 * The back end takes a request only while the answers ring has room for it and for every
 * held buffer: a front end over its limit stalls itself, never the back end.
 */
static void test_room(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1];
	struct pvnet_desc d;
	enum pvnet_status st;
	struct pvnet_rsp rsp;

	/* 16 buffers posted (over the 8 of the layout, within the 16 slots). */
	for (uint32_t i = 0; i < SLOTS; i++) {
		struct pvnet_req r;

		pvnet_req_init(&r, 1000 + i, PVNET_RX, (uint64_t)i * 4096, 4096);
		assert_int_equal(ring_tx_put(&a->fe.tx, &r), 1);
	}
	fe_push(a);
	assert_int_equal(be_serve(a), SLOTS);
	assert_int_equal(a->rxq.count, SLOTS);
	/* The req ring is free again, but a TX now has no room for its answer: not taken. */
	assert_true(fe_send(a, bcast, a->cfg.mac, 0, 60));
	fe_push(a);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, a->rxq.count, &d, &st), 0);
	/* A frame for A fills a buffer: still no room until A takes that answer. */
	assert_true(fe_send(b, a->cfg.mac, b->cfg.mac, 0, 60));
	fe_push(b);
	assert_int_equal(be_serve(b), 1);
	assert_int_equal(a->rxq.count, SLOTS - 1);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, a->rxq.count, &d, &st), 0);
	assert_int_equal(ring_rx_get(&a->fe.rx, &rsp), 1);
	assert_int_equal(rsp.type, PVNET_RX);
	(void)!ring_rx_release(&a->fe.rx);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, a->rxq.count, &d, &st), 1);
	assert_int_equal(st, PVNET_S_OK);
	assert_int_equal(d.type, PVNET_TX);
}

/* Indices set to base in both rings of c, as if base messages had gone round already. */
static void set_base(struct chan *c, uint32_t base)
{
	struct ring_hdr *h = c->region;

	h->req.p.prod = h->req.c.cons = h->rsp.p.prod = h->rsp.c.cons = base;
	h->req.c.prod_event = h->rsp.c.prod_event = base + 1;
	c->fe.tx.prod = c->fe.tx.pushed = c->fe.tx.cons = base;
	c->be.rx.cons = c->be.rx.released = c->be.rx.prod = base;
	c->be.tx.prod = c->be.tx.pushed = c->be.tx.cons = base;
	c->fe.rx.cons = c->fe.rx.released = c->fe.rx.prod = base;
}

/* A to B and back for rounds across 2^32 in both channels: nothing lost, nothing bad. */
static void test_ring_wrap(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1];
	uint64_t seq = 0;

	set_base(a, UINT32_MAX - 21);
	set_base(b, UINT32_MAX - 5);
	b_next = 0;
	fe_post_all(a);
	fe_post_all(b);
	(void)be_serve(a);
	(void)be_serve(b);
	for (int round = 0; round < 40; round++) {
		unsigned int k = 1 + (unsigned int)round % 8;	/* batches of 1 to 8 */

		for (unsigned int i = 0; i < k; i++)
			assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, seq++, 14 + (uint32_t)round * 37));
		fe_push(a);
		(void)be_serve(a);
		(void)fe_reap(b, check_seq);
		(void)fe_reap(a, NULL);
		(void)be_serve(b);			/* takes B's re-posted buffers */
		/* B answers each with one frame to A (checked loosely: A's check is NULL). */
		for (unsigned int i = 0; i < k; i++)
			assert_true(fe_send(b, a->cfg.mac, b->cfg.mac, i, 60));
		fe_push(b);
		(void)be_serve(b);
		(void)fe_reap(a, NULL);
		(void)fe_reap(b, NULL);
		(void)be_serve(a);
	}
	assert_int_equal(b_next, seq);
	assert_int_equal(a->rx_got, seq);
	assert_int_equal(a->tx_done, seq);
	assert_int_equal(b->tx_done, seq);
	assert_true(a->fe.tx.prod < UINT32_MAX - 21);		/* it did wrap */
	assert_true(b->be.tx.prod < UINT32_MAX - 5);
	for (int s = 0; s < PVNET_S_COUNT_; s++)
		assert_int_equal(a->bad[s] + b->bad[s], s == PVNET_S_OK ? 2 * seq : 0);
	assert_int_equal(sw.port[a->port].c.drops[SW_DROP_NO_BUFFER], 0);
}

/*
 * Notifications for a batch of n frames (1 to 8): one per batch to a side that sleeps,
 * none to a side that is awake, in each direction.
 */
static void test_notify_batch(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1];
	uint64_t seq = 0;

	b_next = 0;
	fe_post_all(b);
	(void)be_serve(b);
	for (unsigned int n = 1; n <= 8; n++) {
		/* Back end asleep on A, frames pushed one at a time: the first wakes it. */
		assert_int_equal(ring_rx_arm(&a->be.rx), 0);
		a->fe_notifies = 0;
		for (unsigned int k = 0; k < n; k++) {
			assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, seq++, 100));
			fe_push(a);
		}
		assert_int_equal(a->fe_notifies, 1);
		/* B asleep: its n frames cost it one event; A asleep: its n answers one. */
		assert_int_equal(ring_rx_arm(&b->fe.rx), 0);
		assert_int_equal(ring_rx_arm(&a->fe.rx), 0);
		b->be_notifies = a->be_notifies = 0;
		assert_int_equal(be_serve(a), n);
		assert_int_equal(b->be_notifies, 1);
		assert_int_equal(a->be_notifies, 1);
		assert_int_equal(fe_reap(b, check_seq), n);
		assert_int_equal(fe_reap(a, NULL), n);
		(void)be_serve(b);
		/* Both awake (nobody armed since it last looked): nothing sent either way. */
		a->fe_notifies = a->be_notifies = b->be_notifies = 0;
		for (unsigned int k = 0; k < n; k++) {
			assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, seq++, 100));
			fe_push(a);
		}
		assert_int_equal(be_serve(a), n);
		assert_int_equal(a->fe_notifies, 0);
		assert_int_equal(a->be_notifies, 0);
		assert_int_equal(b->be_notifies, 0);
		assert_int_equal(fe_reap(b, check_seq), n);
		assert_int_equal(fe_reap(a, NULL), n);
		(void)be_serve(b);
	}
	assert_int_equal(b_next, seq);
}

/*
 * A streams to B in batches of 8 (its tx buffers), every side sleeping whenever it runs
 * dry: each side of each channel sends one event per batch: 1/8 per frame.
 */
static void test_notify_stream(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1];
	uint64_t seq = 0, events;

	b_next = 0;
	fe_post_all(b);
	(void)be_serve(b);
	a->fe_notifies = b->fe_notifies = a->be_notifies = b->be_notifies = 0;
	assert_int_equal(ring_rx_arm(&a->be.rx), 0);
	assert_int_equal(ring_rx_arm(&b->be.rx), 0);
	assert_int_equal(ring_rx_arm(&a->fe.rx), 0);
	assert_int_equal(ring_rx_arm(&b->fe.rx), 0);
	for (int round = 0; round < 100; round++) {
		while (fe_send(a, b->cfg.mac, a->cfg.mac, seq, 1514))
			seq++;
		fe_push(a);
		(void)be_serve(a);
		assert_int_equal(ring_rx_arm(&a->be.rx), 0);	/* back end sleeps on A */
		(void)fe_reap(b, check_seq);			/* re-posts: wakes the back end */
		assert_int_equal(ring_rx_arm(&b->fe.rx), 0);
		(void)be_serve(b);
		assert_int_equal(ring_rx_arm(&b->be.rx), 0);
		(void)fe_reap(a, NULL);
		assert_int_equal(ring_rx_arm(&a->fe.rx), 0);
	}
	assert_int_equal(seq, 800);
	assert_int_equal(b_next, 800);
	events = a->fe_notifies + b->fe_notifies + a->be_notifies + b->be_notifies;
	assert_int_equal(a->fe_notifies, 100);
	assert_int_equal(a->be_notifies, 100);
	assert_int_equal(b->fe_notifies, 100);
	assert_int_equal(b->be_notifies, 100);
	assert_int_equal(events, 400);				/* 0.5 per frame, 4 sides */
}

/* ---- a hostile front end ---- */

/* A producer index more than a ring ahead: -HV_EBADMSG, for good; exactly a ring is fine. */
static void test_bad_index(void **state)
{
	struct chan *a = &ch[0];
	struct ring_hdr *h = a->region;
	struct pvnet_desc d;
	enum pvnet_status st;
	uint32_t base = UINT32_MAX - 5;

	set_base(a, base);
	__atomic_store_n(&h->req.p.prod, base + SLOTS, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < SLOTS; i++) {
		assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), 1);
		assert_int_equal(st, PVNET_S_BAD_TYPE);		/* zeroed slots: type 0 */
		pvnet_rsp_init((struct pvnet_rsp[1]){ 0 }, &d, st, 0);
	}
	(void)!ring_rx_release(&a->be.rx);
	__atomic_store_n(&h->req.p.prod, base + 2 * SLOTS + 1, __ATOMIC_RELEASE);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), -HV_EBADMSG);
	__atomic_store_n(&h->req.p.prod, base + SLOTS + 1, __ATOMIC_RELEASE);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), -HV_EBADMSG);
	assert_int_equal(ring_rx_arm(&a->be.rx), -HV_EBADMSG);
}

/* The answers' consumer index past what was published: shut down too. */
static void test_bad_cons(void **state)
{
	struct chan *a = &ch[0];
	struct ring_hdr *h = a->region;
	struct pvnet_desc d;
	enum pvnet_status st;

	assert_true(fe_send(a, bcast, a->cfg.mac, 0, 60));
	fe_push(a);
	assert_int_equal(be_serve(a), 1);			/* answer published: prod 1 */
	__atomic_store_n(&h->rsp.c.cons, 2, __ATOMIC_RELEASE);
	assert_true(fe_send(a, bcast, a->cfg.mac, 1, 60));
	fe_push(a);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), -HV_EBADMSG);
	assert_int_equal(pvnet_be_deliver(&a->be.tx, &a->rxq, a->data, up_frames[0], 60),
			 -HV_EBADMSG);
}

/* A descriptor rewritten after it was published: the back end acts on its copy. */
static void test_rewrite(void **state)
{
	struct chan *a = &ch[0];
	struct pvnet_req *slot = (struct pvnet_req *)(void *)((uint8_t *)a->region + RING_REQ_OFFSET);
	struct pvnet_desc d;
	enum pvnet_status st;

	assert_true(fe_send(a, bcast, a->cfg.mac, 0, 60));
	assert_true(fe_send(a, bcast, a->cfg.mac, 1, 60));
	fe_push(a);
	slot[0].len = 0;					/* before the copy: caught */
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), 1);
	assert_int_equal(st, PVNET_S_SHORT);
	assert_int_equal(d.len, 0);
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), 1);
	assert_int_equal(st, PVNET_S_OK);
	slot[1].len = UINT32_MAX;				/* after: too late */
	slot[1].off = 1ull << 40;
	assert_int_equal(d.len, 60);
	assert_int_equal(d.off, pvnet_tx_off(&a->l, 1));
	assert_int_equal(pvnet_be_next(&a->be, &a->cfg, 0, &d, &st), 0);
}

/* Delivery with no buffer, a frame too big for the buffer, and the FIFO order of buffers. */
static void test_deliver(void **state)
{
	struct chan *b = &ch[1];
	uint8_t f[FMAX + 1];
	struct pvnet_rsp rsp;

	mk_frame(f, b->cfg.mac, ch[0].cfg.mac, 5, FMAX + 1);
	assert_int_equal(pvnet_be_deliver(&b->be.tx, &b->rxq, b->data, f, 60), -HV_EBUSY);
	/* One buffer of exactly FMAX bytes, posted at an odd offset. */
	struct pvnet_req r;

	pvnet_req_init(&r, 77, PVNET_RX, 12345, FMAX);
	assert_int_equal(ring_tx_put(&b->fe.tx, &r), 1);
	fe_push(b);
	assert_int_equal(be_serve(b), 1);
	assert_int_equal(pvnet_be_deliver(&b->be.tx, &b->rxq, b->data, f, FMAX + 1), -HV_EINVAL);
	assert_int_equal(pvnet_be_deliver(&b->be.tx, &b->rxq, b->data, f, 0), -HV_EINVAL);
	assert_int_equal(b->rxq.count, 1);			/* not used up by the refusals */
	assert_int_equal(pvnet_be_deliver(&b->be.tx, &b->rxq, b->data, f, FMAX), 1);
	assert_true(ring_tx_push(&b->be.tx));			/* B never looked: notify */
	assert_int_equal(ring_rx_get(&b->fe.rx, &rsp), 1);
	assert_int_equal(rsp.id, 77);
	assert_int_equal(rsp.len, FMAX);
	assert_int_equal(rsp.off, 12345);
	assert_memory_equal(b->data + 12345, f, FMAX);
	assert_int_equal(b->data[12345 + FMAX], 0);		/* not a byte past the frame */
	assert_int_equal(b->data[12344], 0);
}

/* ---- two children and an uplink through the switch ---- */

static void test_switch_e2e(void **state)
{
	struct chan *a = &ch[0], *b = &ch[1], *c = &ch[2];
	struct pvnet_req r;
	char line[160];
	uint8_t other[6] = { 0x02, 0x99, 0, 0, 0, 1 };

	b_next = 0;
	fe_post_all(b);
	(void)be_serve(b);
	/* C posts nothing: frames for it find no buffer. */
	/* A to B: 5 frames, whole. */
	for (uint64_t s = 0; s < 5; s++)
		assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, s, 100));
	fe_push(a);
	(void)be_serve(a);
	assert_int_equal(fe_reap(b, check_seq), 5);
	assert_int_equal(fe_reap(a, NULL), 5);
	(void)be_serve(b);
	/* A sends as B, and as a stranger: answered SPOOFED, never delivered anywhere. */
	fe_tx_want = PVNET_S_SPOOFED;
	assert_true(fe_send(a, b->cfg.mac, b->cfg.mac, 99, 100));
	assert_true(fe_send(a, bcast, other, 99, 100));
	fe_push(a);
	(void)be_serve(a);
	assert_int_equal(fe_reap(a, NULL), 2);
	assert_int_equal(fe_reap(b, NULL), 0);
	assert_int_equal(up_n, 0);
	fe_tx_want = PVNET_S_OK;
	/* Malformed descriptors: empty, too long, outside the data region, unknown type. */
	pvnet_req_init(&r, 0, PVNET_TX, 0, 0);
	assert_int_equal(ring_tx_put(&a->fe.tx, &r), 1);
	pvnet_req_init(&r, 1, PVNET_TX, 0, FMAX + 1);
	assert_int_equal(ring_tx_put(&a->fe.tx, &r), 1);
	pvnet_req_init(&r, 2, PVNET_TX, DATA - 10, 60);
	assert_int_equal(ring_tx_put(&a->fe.tx, &r), 1);
	pvnet_req_init(&r, 3, (enum pvnet_type)7, 0, 60);
	assert_int_equal(ring_tx_put(&a->fe.tx, &r), 1);
	fe_push(a);
	(void)be_serve(a);
	assert_int_equal(a->bad[PVNET_S_SHORT], 1);
	assert_int_equal(a->bad[PVNET_S_LONG], 1);
	assert_int_equal(a->bad[PVNET_S_DATA], 1);
	assert_int_equal(a->bad[PVNET_S_BAD_TYPE], 1);
	assert_int_equal(a->bad[PVNET_S_SPOOFED], 2);
	for (int i = 0; i < 4; i++) {
		struct pvnet_rsp rsp;

		assert_int_equal(ring_rx_get(&a->fe.rx, &rsp), 1);
		assert_int_equal(rsp.id, (uint64_t)i);
		assert_int_not_equal(rsp.status, PVNET_S_OK);
	}
	(void)!ring_rx_release(&a->fe.rx);
	/* A broadcast from A: B and the uplink get it; C has no buffer. */
	assert_true(fe_send(a, bcast, a->cfg.mac, 0, 60));
	fe_push(a);
	(void)be_serve(a);
	assert_int_equal(up_n, 1);
	assert_int_equal(up_len[0], 60);
	assert_memory_equal(up_frames[0], bcast, 6);
	assert_int_equal(fe_reap(b, NULL), 1);
	assert_int_equal(fe_reap(a, NULL), 1);
	/* B to a station outside (unknown): the uplink only. */
	assert_true(fe_send(b, other, b->cfg.mac, 0, 60));
	fe_push(b);
	(void)be_serve(b);
	assert_int_equal(up_n, 2);
	assert_int_equal(fe_reap(b, NULL), 1);			/* its TX answer */
	assert_int_equal(fe_reap(c, NULL), 0);
	/* C's ring shut: frames for it counted there; A and B carry on. */
	sw_port_up(&sw, (unsigned int)c->port, false);
	assert_true(fe_send(a, c->cfg.mac, a->cfg.mac, 0, 60));
	assert_true(fe_send(a, b->cfg.mac, a->cfg.mac, 5, 60));
	fe_push(a);
	(void)be_serve(a);
	b_next = 5;
	assert_int_equal(fe_reap(b, check_seq), 1);

	assert_int_equal(sw.port[a->port].c.in_frames, 5 + 1 + 2);
	assert_int_equal(sw.port[a->port].c.drops[SW_DROP_SPOOFED], 2);
	assert_int_equal(sw.port[a->port].c.drops[SW_DROP_MALFORMED], 4);
	assert_int_equal(sw.port[b->port].c.out_frames, 5 + 1 + 1);
	assert_int_equal(sw.port[c->port].c.drops[SW_DROP_NO_BUFFER], 1);
	assert_int_equal(sw.port[c->port].c.drops[SW_DROP_RING_SHUT], 1);
	assert_int_equal(sw.port[uplink].c.out_frames, 2);
	(void)sw_port_format(&sw, (unsigned int)a->port, line, sizeof(line));
	assert_string_equal(line, "port 1 chan a 02:00:00:00:00:0a up in 8/680 out 0/0 "
				  "drop spoof 2 malformed 4 nobuf 0 shut 0");
	(void)sw_port_format(&sw, (unsigned int)c->port, line, sizeof(line));
	assert_string_equal(line, "port 3 chan c 02:00:00:00:00:0c down in 0/0 out 0/0 "
				  "drop spoof 0 malformed 0 nobuf 1 shut 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abi),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_cfg_init),
		cmocka_unit_test(test_check_ok),
		cmocka_unit_test(test_bad_type),
		cmocka_unit_test(test_bad_field),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_rsp),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_rxq),
		cmocka_unit_test_setup_teardown(test_ring_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_cons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_switch_e2e, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
