/* SPDX-License-Identifier: MIT */
/* Host tests of the pvblk front end (guest-drivers/blk/blkfront.c) against an in-process back end built on pvdev/blk, with the runtime's event calls faked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "guest-drivers/blk/blkfront.h"
#include "include/abi/evtchn.h"

#define RING	PVBLK_RING_QD32
#define DATA	(128u * 1024)
#define PORT	64u
#define NSECT	1000u

/* ---- the fake channel, link and back end ---- */

static uint8_t ring_mem[RING] __attribute__((aligned(4096)));
static uint8_t data_mem[DATA] __attribute__((aligned(4096)));
static struct hv_start_channel chan;

static struct {
	rt_event_fn fn;
	void *arg;
	uint32_t state, epoch;		/* the link as HC_EVTCHN_STATUS reports it */
	unsigned int sends, wakes;
} link;

static struct {
	struct ring_end e;
	struct pvblk_export exp;
	uint32_t epoch;
	bool attached, hold;		/* hold: take nothing, answer nothing */
	unsigned int served;
} be;

static void be_attach(uint32_t epoch)
{
	assert_int_equal(ring_end_attach(&be.e, ring_mem, RING, true, epoch), 0);
	be.epoch = epoch;
	be.attached = true;
}

static void event_to_front(void)
{
	if (link.fn)
		link.fn(link.arg, PORT);
}

/* One pass of the back end: every request taken and answered; a read sector is filled with its number & 0xff. */
static void be_serve(void)
{
	struct pvblk_io io;
	enum pvblk_status st;
	struct pvblk_rsp rsp;

	if (!be.attached || be.hold)
		return;
	while (pvblk_be_next(&be.e.rx, &be.exp, &io, &st) == 1) {
		if (st == PVBLK_S_OK && io.op == PVBLK_OP_INFO)
			pvblk_rsp_info(&rsp, &io, &be.exp);
		else
			pvblk_rsp_init(&rsp, &io, st);
		for (uint32_t i = 0; st == PVBLK_S_OK && io.op == PVBLK_OP_READ && i < io.count; i++)
			memset(data_mem + io.data_off + i * 512, (int)((io.disk_sector + i) & 0xff), 512);
		assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
		be.served++;
	}
	(void)!ring_rx_release(&be.e.rx);
	if (ring_tx_push(&be.e.tx))
		event_to_front();
	(void)!ring_rx_arm(&be.e.rx);
}

/* ---- the runtime, faked ---- */

const struct hv_start_channel *rt_channel(uint32_t i)
{
	return i == 0 ? &chan : NULL;
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

static struct blkfront f;

static int setup(void **state)
{
	memset(ring_mem, 0, sizeof(ring_mem));
	memset(&link, 0, sizeof(link));
	memset(&be, 0, sizeof(be));
	chan = (struct hv_start_channel){ .name = "d", .type = HV_CHAN_PVBLK, .port = PORT,
					  .ring_gpa = (uintptr_t)ring_mem, .ring_size = RING,
					  .data_gpa = (uintptr_t)data_mem, .data_size = DATA };
	be.exp = (struct pvblk_export){ .nsectors = NSECT, .can_flush = true, .data_size = DATA,
					.max_sectors_per_req = 256 };
	link.state = EVTCHN_STATE_CHANNEL;
	link.epoch = 1;
	be_attach(1);
	assert_int_equal(blkfront_open(&f, NULL), 0);
	return 0;
}

static unsigned int done_count;
static int last_status;

static void count_done(struct blkfront *fe, struct blkfront_req *r)
{
	done_count++;
	last_status = r->status;
}

/* n reads of one sector each, sent and left in flight. */
static void submit_reads(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct blkfront_req *r = blkfront_get(&f);

		assert_non_null(r);
		r->op = PVBLK_OP_READ;
		r->sector = i;
		r->count = 1;
		r->done = count_done;
		assert_int_equal(blkfront_submit(&f, r), 0);
	}
}

/* ---- tests ---- */

static void test_open_info(void **state)
{
	assert_int_equal(f.state, BLKFRONT_READY);
	assert_int_equal(f.sectors, NSECT);
	assert_int_equal(f.layout.nbufs, 32);
	assert_int_equal(f.max_sectors, DATA / 32 / 512);
	assert_int_equal(f.info_max_sectors, 256);
	assert_int_equal(f.info_flags, PVBLK_INFO_FLUSH);
	assert_int_equal(f.st.attaches, 1);
}

static void test_depth32(void **state)
{
	uint8_t buf[8 * 512];
	unsigned int kicks = (unsigned int)f.st.kicks;

	done_count = 0;
	submit_reads(32);
	assert_null(blkfront_get(&f));		/* 32 in flight: every buffer taken */
	assert_int_equal(f.st.max_inflight, 32);
	assert_int_equal(f.st.kicks - kicks, 1);	/* one event for the batch */
	while (done_count < 32)
		blkfront_wait(&f, ~0ull);
	assert_int_equal(last_status, 0);
	assert_int_equal(blkfront_read(&f, 5, 8, buf), 0);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(buf[i * 512], 5 + i);
	assert_int_equal(blkfront_flush(&f), 0);
	assert_int_equal(blkfront_read(&f, NSECT, 1, buf), PVBLK_S_RANGE);
	assert_int_equal(f.st.stray, 0);
}

/* The back end restarts with requests in flight: they fail, the device re-attaches. */
static void test_backend_restart(void **state)
{
	uint8_t buf[512];

	be.hold = true;
	done_count = 0;
	submit_reads(5);
	be.hold = false;
	link.epoch = 2;
	be_attach(2);		/* a fresh life: the old requests are gone */
	event_to_front();
	while (done_count < 5)
		blkfront_wait(&f, ~0ull);
	assert_int_equal(last_status, -HV_ENOENT);
	assert_int_equal(f.st.failed, 5);
	while (f.state != BLKFRONT_READY)
		blkfront_wait(&f, ~0ull);
	assert_int_equal(f.epoch, 2);
	assert_int_equal(f.st.attaches, 2);
	assert_int_equal(blkfront_read(&f, 7, 1, buf), 0);
	assert_int_equal(buf[0], 7);
}

/* The link goes down (no event seen for it), then comes back at a new epoch. */
static void test_link_down_up(void **state)
{
	be.hold = true;
	done_count = 0;
	submit_reads(3);
	link.state = EVTCHN_STATE_PEER_DOWN;
	f.next_check = 0;	/* the periodic check is due */
	blkfront_poll(&f);
	assert_int_equal(done_count, 3);
	assert_int_equal(last_status, -HV_ENOENT);
	assert_int_equal(f.state, BLKFRONT_DOWN);
	assert_null(blkfront_get(&f));
	link.state = EVTCHN_STATE_CHANNEL;
	link.epoch = 3;
	be.hold = false;
	be_attach(3);
	event_to_front();
	while (f.state != BLKFRONT_READY)
		blkfront_wait(&f, ~0ull);
	assert_int_equal(blkfront_flush(&f), 0);
}

/* Responses naming no request in flight are counted and ignored. */
static void test_stray(void **state)
{
	struct pvblk_rsp rsp = { .id = 12345, .op = PVBLK_OP_READ };

	assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
	rsp.id = 3;		/* tag 3, generation 0: never sent */
	assert_int_equal(ring_tx_put(&be.e.tx, &rsp), 1);
	(void)!ring_tx_push(&be.e.tx);
	blkfront_poll(&f);
	assert_int_equal(f.st.stray, 2);
	assert_int_equal(f.state, BLKFRONT_READY);
}

/* A back end that publishes an impossible index: the ring is shut, in-flight fails. */
static void test_bad_index(void **state)
{
	struct ring_prod_line *p = (struct ring_prod_line *)(ring_mem + 0x80);

	be.hold = true;
	done_count = 0;
	submit_reads(2);
	__atomic_store_n(&p->prod, be.e.tx.pushed + 0x10000, __ATOMIC_RELEASE);
	event_to_front();
	blkfront_poll(&f);
	assert_int_equal(f.state, BLKFRONT_DEAD);
	assert_int_equal(done_count, 2);
	assert_int_equal(last_status, -HV_EBADMSG);
	assert_null(blkfront_get(&f));
	/* Until the back end comes back at a new epoch. */
	link.epoch = 4;
	be.hold = false;
	be_attach(4);
	event_to_front();
	while (f.state != BLKFRONT_READY)
		blkfront_wait(&f, ~0ull);
}

static void test_submit_checks(void **state)
{
	struct blkfront_req *r = blkfront_get(&f);

	r->op = PVBLK_OP_READ;
	r->count = f.max_sectors + 1;
	assert_int_equal(blkfront_submit(&f, r), -HV_EINVAL);
	r->count = 0;
	assert_int_equal(blkfront_submit(&f, r), -HV_EINVAL);
	r->op = PVBLK_OP_FLUSH;
	r->sector = 1;
	assert_int_equal(blkfront_submit(&f, r), -HV_EINVAL);
	r->op = 9;
	r->sector = 0;
	assert_int_equal(blkfront_submit(&f, r), -HV_EINVAL);
	blkfront_put(&f, r);
	assert_int_equal(blkfront_read(&f, 0, 0, NULL), -HV_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open_info, setup),
		cmocka_unit_test_setup(test_depth32, setup),
		cmocka_unit_test_setup(test_backend_restart, setup),
		cmocka_unit_test_setup(test_link_down_up, setup),
		cmocka_unit_test_setup(test_stray, setup),
		cmocka_unit_test_setup(test_bad_index, setup),
		cmocka_unit_test_setup(test_submit_checks, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
