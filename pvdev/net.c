/* SPDX-License-Identifier: MIT */
/* Paravirtual network: the back end's checks on its copy of each descriptor, its held receive buffers, the front end's layout (docs/pvnet.md). */
#include "pvdev/net.h"

_Static_assert(PVNET_BUF_MIN >= PVNET_FRAME_MAX && PVNET_BUF_MIN % 64 == 0,
	       "a layout buffer holds the largest frame, in whole cache lines");
_Static_assert(PVNET_RX_BUF_MIN <= PVNET_BUF_MIN, "layout buffers pass the RX check");

int pvnet_cfg_init(struct pvnet_cfg *cfg, const struct hv_start_channel *ch,
		   const struct hv_start_chan_cfg *cc)
{
	if (ch->type != HV_CHAN_PVNET || !ring_size_ok(ch->ring_size) ||
	    !pvnet_mac_ok(cc->net.mac))
		return -HV_EINVAL;
	*cfg = (struct pvnet_cfg){ .data_size = ch->data_size, .frame_max = PVNET_FRAME_MAX };
	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++)
		cfg->mac[i] = cc->net.mac[i];
	return 0;
}

/* ---- the back end ---- */

static bool pvnet_rsvd_zero(const struct pvnet_req *q)
{
	uint8_t any = 0;

	for (unsigned int i = 0; i < sizeof(q->rsvd_0x18); i++)
		any |= q->rsvd_0x18[i];
	return !any && !q->flags;
}

/* TX: a frame with a header, no longer than the back end sends; RX: room for the largest. */
static enum pvnet_status pvnet_check_len(const struct pvnet_cfg *cfg, uint16_t type,
					 uint32_t len)
{
	if (type == PVNET_RX)
		return len < cfg->frame_max ? PVNET_S_SHORT : PVNET_S_OK;
	if (len < PVNET_FRAME_MIN)
		return PVNET_S_SHORT;
	return len > cfg->frame_max ? PVNET_S_LONG : PVNET_S_OK;
}

/* Classes in enum pvnet_status order; the copy is private, so each field is read as is. */
static enum pvnet_status pvnet_classify(const struct pvnet_cfg *cfg, const struct pvnet_req *q)
{
	enum pvnet_status st;

	if (q->type != PVNET_TX && q->type != PVNET_RX)
		return PVNET_S_BAD_TYPE;
	if (!pvnet_rsvd_zero(q))
		return PVNET_S_BAD_FIELD;
	st = pvnet_check_len(cfg, q->type, q->len);
	if (st)
		return st;
	/* No alignment: the NICs take byte addresses, and receive is a CPU copy. */
	if (!ring_data_ok(q->off, q->len, cfg->data_size))
		return PVNET_S_DATA;
	return PVNET_S_OK;
}

enum pvnet_status pvnet_check(const struct pvnet_cfg *cfg, const struct pvnet_req *copy,
			      struct pvnet_desc *out)
{
	enum pvnet_status st = pvnet_classify(cfg, copy);

	*out = (struct pvnet_desc){ .id = copy->id, .type = copy->type, .off = copy->off,
				    .len = st ? 0 : copy->len };
	return st;
}

int pvnet_be_next(struct ring_end *be, const struct pvnet_cfg *cfg, uint32_t held,
		  struct pvnet_desc *d, enum pvnet_status *st)
{
	struct pvnet_req copy;
	int space = ring_tx_space(&be->tx);
	int r;

	if (space < 0)
		return space;
	/* Room for this request's answer and for every held buffer's. */
	if ((uint32_t)space <= held)
		return be->rx.err;
	r = ring_rx_get(&be->rx, &copy);
	if (r != 1)
		return r;
	*st = pvnet_check(cfg, &copy, d);
	return 1;
}

void pvnet_rsp_init(struct pvnet_rsp *r, const struct pvnet_desc *d, enum pvnet_status st,
		    uint32_t len)
{
	*r = (struct pvnet_rsp){ .id = d->id, .type = d->type, .status = (uint32_t)st,
				 .len = st ? 0 : len, .off = d->off };
}

/* ---- the back end's receive buffers ---- */

void pvnet_rxq_init(struct pvnet_rxq *q, struct pvnet_desc *storage, uint32_t cap)
{
	*q = (struct pvnet_rxq){ .buf = storage, .cap = cap };
}

bool pvnet_rxq_push(struct pvnet_rxq *q, const struct pvnet_desc *d)
{
	if (q->count >= q->cap)
		return false;
	q->buf[(q->head + q->count) % q->cap] = *d;
	q->count++;
	return true;
}

bool pvnet_rxq_pop(struct pvnet_rxq *q, struct pvnet_desc *d)
{
	if (!q->count)
		return false;
	*d = q->buf[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}

int pvnet_be_deliver(struct ring_tx *tx, struct pvnet_rxq *q, uint8_t *data,
		     const void *frame, uint32_t len)
{
	struct pvnet_desc d;
	struct pvnet_rsp rsp;
	int r;

	if (tx->err)
		return tx->err;
	if (!q->count)
		return -HV_EBUSY;
	if (!len || len > q->buf[q->head].len)
		return -HV_EINVAL;
	if (!pvnet_rxq_pop(q, &d))
		return -HV_EBUSY;
	/* The buffer was checked when posted: [off, off + d.len) is in the data region. */
	__builtin_memcpy(data + d.off, frame, len);
	pvnet_rsp_init(&rsp, &d, PVNET_S_OK, len);
	r = ring_tx_put(tx, &rsp);
	/* pvnet_be_next kept a slot for every held buffer: full means a broken caller. */
	return r == 1 ? 1 : r ? r : -HV_EBUSY;
}

/* ---- the front end ---- */

void pvnet_req_init(struct pvnet_req *r, uint64_t id, enum pvnet_type type, uint64_t off,
		    uint32_t len)
{
	*r = (struct pvnet_req){ .id = id, .type = (uint16_t)type, .len = len, .off = off };
}

int pvnet_layout(uint64_t ring_size, uint64_t data_size, struct pvnet_layout *out)
{
	uint64_t n;

	if (!ring_size_ok(ring_size))
		return -HV_EINVAL;
	n = data_size / PVNET_BUF_MIN;
	if (n > PVNET_MAX_INFLIGHT(ring_size))
		n = PVNET_MAX_INFLIGHT(ring_size);
	if (n < 2)
		return -HV_EINVAL;
	*out = (struct pvnet_layout){ .nbufs = (uint32_t)n, .ntx = (uint32_t)n / 2,
				      .nrx = (uint32_t)(n - n / 2),
				      .buf_size = data_size / n / 64 * 64 };
	return 0;
}
