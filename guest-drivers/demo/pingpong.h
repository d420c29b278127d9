/* SPDX-License-Identifier: MIT */
/* The demo's message format on a raw channel (ping's requests, pong's replies) and helpers both share. */
#ifndef GUEST_DRIVERS_DEMO_PINGPONG_H
#define GUEST_DRIVERS_DEMO_PINGPONG_H

#include <stddef.h>
#include <stdint.h>

#include "guest-drivers/rt/rt.h"
#include "include/abi/evtchn.h"
#include "pvdev/ring.h"

/*
 * One ring slot. A request carries a buffer in the data region by offset (ping writes
 * it, pong reads it); the reply carries what pong computed from its own copy of it.
 */
enum pp_op {
	PP_OP_PING = 1,		/* request: check the buffer */
	PP_OP_PONG = 2,		/* reply to PING */
	PP_OP_BYE = 3,		/* request, then its reply: the last message */
};

struct pp_msg {
	uint16_t op;		/* 0x00: enum pp_op */
	uint16_t rsvd_0x02;
	uint32_t seq;		/* 0x04: request number, echoed in the reply */
	uint64_t data_off;	/* 0x08: the buffer, in the data region */
	uint32_t data_len;	/* 0x10: at most PP_BUF_MAX */
	uint32_t sum;		/* 0x14: request: the buffer's pp_sum; reply: pong's */
	int32_t status;		/* 0x18: reply: 0, or -HV_E* for a bad request */
	uint8_t rsvd_0x1c[36];
};
_Static_assert(sizeof(struct pp_msg) == RING_SLOT_SIZE, "one ring slot");
_Static_assert(offsetof(struct pp_msg, status) == 0x18, "status at 0x18");

#define PP_BUF_MAX	256u	/* bytes of data per request: also ping's buffer stride */

/* FNV-1a: cheap, and any change of a byte or of the length shows. */
static inline uint32_t pp_sum(const uint8_t *p, uint32_t len)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The deadline of the next once-a-period wake-up: re-armed only when it has passed. */
static inline uint64_t pp_tick(uint64_t *deadline, uint64_t period)
{
	uint64_t now = rt_rdtsc();

	if (now >= *deadline)
		*deadline = now + period;
	return *deadline;
}

/* The first valid raw channel this partition is the front (backend 0) or back end of. */
static inline const struct hv_start_channel *pp_channel(uint32_t backend)
{
	const struct hv_start_channel *c;

	for (uint32_t i = 0; i < HV_START_MAX_CHANNELS; i++) {
		c = rt_channel(i);
		if (c && c->type == HV_CHAN_RAW && c->backend == backend)
			return c;
	}
	return 0;
}

/*
 * The link of a channel port, as HC_EVTCHN_STATUS shows it: up (CHANNEL) or not, and its
 * epoch. A new epoch is a new life of the channel: the peer restarted, and both ends
 * re-attach to the ring at that epoch (docs/ring.md "Restart").
 */
struct pp_link {
	bool up;
	uint32_t epoch;
};

static inline struct pp_link pp_link(uint32_t port)
{
	int64_t s = rt_evtchn_status(port);

	if (s < 0)
		return (struct pp_link){ false, 0 };
	return (struct pp_link){ EVTCHN_STATUS_STATE(s) == EVTCHN_STATE_CHANNEL,
				 EVTCHN_STATUS_EPOCH(s) };
}

/* How many times this partition was started again (start info): 0 on its first run. */
static inline uint32_t pp_restarts(void)
{
	const struct hv_start_info *si = rt_start_info();

	return si ? si->restarts : 0;
}

#endif
