/* SPDX-License-Identifier: MIT */
/* Shared rings: copying slots in and out, checking the peer's indices, notification suppression (docs/ring.md). */
#include "pvdev/ring.h"

/*
 * Ordering. Slots are filled before prod is published (release) and read after prod is
 * read (acquire); they are read before cons is published (release) and refilled after
 * cons is read (acquire). Publishing an index and then reading the peer's event index
 * is a store followed by a load, which x86 may reorder: a full fence between them pairs
 * with the one between the peer's event store and its index load, so that at least one
 * side sees the other and no wake-up is lost (docs/ring.md).
 */
#define ACQ	__ATOMIC_ACQUIRE
#define REL	__ATOMIC_RELEASE
#define RLX	__ATOMIC_RELAXED

static void ring_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * The peer's word *w, if the peer is attached at this end's epoch: epoch, word, epoch
 * again, in that order (acquire). The peer writes RING_EPOCH_ATTACHING, then its words,
 * then its epoch; so a first epoch equal to ours means its reset is complete before the
 * word is read, and an unchanged second one means no new reset began before the word
 * was read. False: the peer belongs to another life of the channel; ignore its lines.
 */
static bool ring_peer_load(const uint32_t *epoch, const uint32_t *w, uint32_t mine,
			   uint32_t *out)
{
	if (__atomic_load_n(epoch, ACQ) != mine)
		return false;
	*out = __atomic_load_n(w, ACQ);
	return __atomic_load_n(epoch, ACQ) == mine;
}

/* Event ev lies in (old, new]: the index moved past the value the peer waits for. */
static bool ring_crossed(uint32_t ev, uint32_t old, uint32_t new_)
{
	return (uint32_t)(new_ - ev) < (uint32_t)(new_ - old);
}

bool ring_size_ok(uint64_t size)
{
	return size >= RING_REGION_MIN && size <= RING_REGION_MAX && !(size & (size - 1));
}

/* This end's view of one direction: its own line to write, the peer's to read. */
static void ring_end_wire(struct ring_end *e, struct ring_dir *out, uint8_t *out_slots,
			  struct ring_dir *in, const uint8_t *in_slots, uint32_t mask)
{
	e->tx = (struct ring_tx){ .mine = &out->p, .peer = &out->c, .slots = out_slots,
				  .mask = mask };
	e->rx = (struct ring_rx){ .mine = &in->c, .peer = &in->p, .slots = in_slots,
				  .mask = mask };
}

int ring_end_attach(struct ring_end *e, void *region, uint64_t size, bool backend,
		    uint32_t epoch)
{
	struct ring_hdr *h = region;
	uint8_t *req, *rsp;

	if (!region || ((uintptr_t)region & (RING_SLOT_SIZE - 1)) || !ring_size_ok(size) ||
	    epoch == RING_EPOCH_ATTACHING)
		return -HV_EINVAL;
	req = (uint8_t *)region + RING_REQ_OFFSET;
	rsp = (uint8_t *)region + RING_RSP_OFFSET(size);
	if (backend)
		ring_end_wire(e, &h->rsp, rsp, &h->req, req, RING_SLOTS(size) - 1);
	else
		ring_end_wire(e, &h->req, req, &h->rsp, rsp, RING_SLOTS(size) - 1);
	e->tx.epoch = e->rx.epoch = epoch;
	/* A peer reading while the indices go back to 0 must not take them for its life's. */
	__atomic_store_n(&e->tx.mine->epoch, RING_EPOCH_ATTACHING, RLX);
	__atomic_store_n(&e->rx.mine->epoch, RING_EPOCH_ATTACHING, RLX);
	__atomic_store_n(&e->tx.mine->cons_event, 0, REL);
	__atomic_store_n(&e->tx.mine->prod, 0, REL);
	__atomic_store_n(&e->rx.mine->cons, 0, REL);
	/* Wake this end on the first message: the producer may start before it looks. */
	__atomic_store_n(&e->rx.mine->prod_event, 1, REL);
	__atomic_store_n(&e->tx.mine->epoch, epoch, REL);
	__atomic_store_n(&e->rx.mine->epoch, epoch, REL);
	ring_fence();
	return 0;
}

int ring_end_init(struct ring_end *e, void *region, uint64_t size, bool backend)
{
	return ring_end_attach(e, region, size, backend, 0);
}

/* ---- producer ---- */

static int ring_tx_shut(struct ring_tx *t)
{
	t->err = -HV_EBADMSG;
	return t->err;
}

/*
 * The consumer's index can only have moved forward, and never past what was published.
 * A consumer not attached at this epoch has consumed nothing of this life yet.
 */
static int ring_tx_refresh(struct ring_tx *t)
{
	uint32_t c;

	if (!ring_peer_load(&t->peer->epoch, &t->peer->cons, t->epoch, &c))
		return 0;
	if ((uint32_t)(c - t->cons) > (uint32_t)(t->pushed - t->cons))
		return ring_tx_shut(t);
	t->cons = c;
	return 0;
}

static int ring_tx_free(const struct ring_tx *t)
{
	return (int)(t->mask + 1 - (t->prod - t->cons));
}

int ring_tx_space(struct ring_tx *t)
{
	if (t->err || ring_tx_refresh(t))
		return t->err;
	return ring_tx_free(t);
}

/* Eight aligned 64-bit stores: the slot is written once, in whole words. */
static void ring_slot_store(uint8_t *slot, const void *msg)
{
	uint64_t *dst = (uint64_t *)(void *)slot;

	for (unsigned int i = 0; i < RING_SLOT_SIZE / 8; i++) {
		uint64_t w;

		__builtin_memcpy(&w, (const uint8_t *)msg + 8 * i, 8);
		__atomic_store_n(&dst[i], w, RLX);
	}
}

int ring_tx_put(struct ring_tx *t, const void *msg)
{
	if (t->err)
		return t->err;
	/* Read the consumer's index only when the slots known to be free run out. */
	if (!ring_tx_free(t) && (ring_tx_refresh(t) || !ring_tx_free(t)))
		return t->err;
	ring_slot_store(t->slots + (t->prod & t->mask) * RING_SLOT_SIZE, msg);
	t->prod++;
	return 1;
}

bool ring_tx_push(struct ring_tx *t)
{
	uint32_t old = t->pushed, new_ = t->prod, ev;

	if (t->err || old == new_)
		return false;
	__atomic_store_n(&t->mine->prod, new_, REL);
	t->pushed = new_;
	ring_fence();
	/* A consumer of another life: notify anyway (spurious at worst, never lost). */
	if (!ring_peer_load(&t->peer->epoch, &t->peer->prod_event, t->epoch, &ev))
		return true;
	return ring_crossed(ev, old, new_);
}

int ring_tx_arm(struct ring_tx *t, uint32_t want)
{
	if (t->err)
		return t->err;
	if (!want || want > t->mask + 1)
		return -HV_EINVAL;
	/* Free slots >= want once cons >= pushed - slots + want. */
	__atomic_store_n(&t->mine->cons_event, t->pushed - (t->mask + 1) + want, RLX);
	ring_fence();
	return ring_tx_space(t);
}

/* ---- consumer ---- */

static int ring_rx_shut(struct ring_rx *r)
{
	r->err = -HV_EBADMSG;
	return r->err;
}

/*
 * Never more than a ring's worth ahead of this end, and never backwards. A producer not
 * attached at this epoch has produced nothing of this life yet.
 */
static int ring_rx_refresh(struct ring_rx *r)
{
	uint32_t p, ahead;

	if (!ring_peer_load(&r->peer->epoch, &r->peer->prod, r->epoch, &p))
		return 0;
	ahead = p - r->cons;
	if (ahead > r->mask + 1 || ahead < (uint32_t)(r->prod - r->cons))
		return ring_rx_shut(r);
	r->prod = p;
	return 0;
}

/* Eight aligned 64-bit loads: each word of the slot is read exactly once. */
static void ring_slot_load(void *msg, const uint8_t *slot)
{
	const uint64_t *src = (const uint64_t *)(const void *)slot;

	for (unsigned int i = 0; i < RING_SLOT_SIZE / 8; i++) {
		uint64_t w = __atomic_load_n(&src[i], RLX);

		__builtin_memcpy((uint8_t *)msg + 8 * i, &w, 8);
	}
}

int ring_rx_get(struct ring_rx *r, void *msg)
{
	if (r->err)
		return r->err;
	/* Read the producer's index only when the messages known to be there run out. */
	if (r->cons == r->prod && (ring_rx_refresh(r) || r->cons == r->prod))
		return r->err;
	ring_slot_load(msg, r->slots + (r->cons & r->mask) * RING_SLOT_SIZE);
	r->cons++;
	return 1;
}

bool ring_rx_release(struct ring_rx *r)
{
	uint32_t old = r->released, new_ = r->cons, ev;

	if (r->err || old == new_)
		return false;
	__atomic_store_n(&r->mine->cons, new_, REL);
	r->released = new_;
	ring_fence();
	if (!ring_peer_load(&r->peer->epoch, &r->peer->cons_event, r->epoch, &ev))
		return true;
	return ring_crossed(ev, old, new_);
}

int ring_rx_arm(struct ring_rx *r)
{
	if (r->err)
		return r->err;
	__atomic_store_n(&r->mine->prod_event, r->cons + 1, RLX);
	ring_fence();
	if (ring_rx_refresh(r))
		return r->err;
	return (int)(r->prod - r->cons);
}
