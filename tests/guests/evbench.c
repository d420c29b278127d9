/* SPDX-License-Identifier: MIT */
/* Event round-trip benchmark: the channel's front end sends an event, the back end answers. */
#include "guest-drivers/rt/rt.h"

#define SAMPLES	64
#define WARMUP	8

/*
 * Events carry no data and coalesce (an initial "peer up" notification counts too), so
 * the two sides count nothing: the front end writes a sequence number into the
 * channel's shared ring page, the back end echoes it back, and each waits for the
 * value it expects, sleeping until an event.
 */
struct shared {
	volatile uint64_t seq;		/* written by the front end */
	volatile uint64_t ack;		/* written by the back end */
};

static struct shared *sh;
static uint64_t samples[SAMPLES];

static void on_event(void *arg, uint32_t port)
{
	rt_wake();
}

/* Waits until *word == want; false after a second without it. */
static bool wait_for(volatile uint64_t *word, uint64_t want)
{
	uint64_t give_up = rt_rdtsc() + rt_tsc_hz();

	while (*word != want)
		if (rt_wait_event_until(give_up) && *word != want)
			return false;
	return true;
}

static uint64_t median(void)
{
	for (unsigned int i = 1; i < SAMPLES; i++)
		for (unsigned int j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
			uint64_t t = samples[j];

			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	return samples[SAMPLES / 2];
}

static int starter(uint32_t port)
{
	for (unsigned int i = 1; i <= WARMUP + SAMPLES; i++) {
		uint64_t t0 = rt_rdtsc();

		sh->seq = i;
		if (rt_evtchn_send(port) || !wait_for(&sh->ack, i)) {
			rt_printf("evbench: no answer to event %u", i);
			return 1;
		}
		if (i > WARMUP)
			samples[i - WARMUP - 1] = rt_rdtsc() - t0;
	}
	rt_printf("evbench: round_trip_ticks=%llu events=%u", (unsigned long long)median(),
		  2 * (WARMUP + SAMPLES));
	return 0;
}

static int responder(uint32_t port)
{
	for (unsigned int i = 1; i <= WARMUP + SAMPLES; i++) {
		if (!wait_for(&sh->seq, i)) {
			rt_printf("evbench: request %u never came", i);
			return 1;
		}
		sh->ack = i;
		if (rt_evtchn_send(port))
			return 1;
	}
	return 0;
}

int rt_main(void)
{
	const struct hv_start_channel *c = rt_channel(0);

	if (!c || rt_evtchn_bind(c->port, on_event, 0)) {
		rt_printf("evbench: no channel or event port");
		return 1;
	}
	sh = rt_channel_ring(c);
	return c->backend ? responder(c->port) : starter(c->port);
}
