/* SPDX-License-Identifier: MIT */
/* The pvnet front end in a child partition: an Ethernet interface over a channel's rings, and its glue to the IPv4 stack (docs/pvnet.md). */
#ifndef GUEST_DRIVERS_NET_NETFRONT_H
#define GUEST_DRIVERS_NET_NETFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/net/ip.h"
#include "guest-drivers/rt/rt.h"
#include "pvdev/net.h"

/*
 * The data region is split as pvnet_layout says: ntx transmit buffers, then nrx receive
 * buffers; a request's tag is its buffer's index (id = generation << 32 | index), so
 * the outstanding limit holds by construction and a request slot is always free. Every
 * receive buffer is posted at each attachment and again as soon as its frame has been
 * handed on. Everything runs on vCPU 0 outside interrupts: the event handler only sets a
 * flag; answers are taken by netfront_poll (and, for room to send, by netfront_send),
 * and received frames are handed to f->rx only by netfront_poll, never from inside a
 * send, so an rx callback may send (the IPv4 stack answers from ip_input).
 *
 * Notifications (ring.md event indices): a batch of requests costs an event only if the
 * back end sleeps; the front end asks to be woken only in netfront_wait, about to sleep.
 *
 * Link epochs: an event (or a refused send) makes the next poll ask HC_EVTCHN_STATUS,
 * as does the passing of 100 ms while frames are in flight or the link is down (1 s
 * otherwise: a down event can come in the same upcall as the last answers).
 * Peer down: frames in flight fail (-HV_ENOENT), state DOWN. Up at a new epoch: the
 * ring is attached again at it and every receive buffer is posted again. An impossible
 * index from the back end: state DEAD (-HV_EBADMSG) until the next epoch.
 */

#define NETFRONT_MAX_BUFS	64u	/* buffers used at most (a 16K ring's slots) */
#define NETFRONT_WAIT_S		10u	/* netfront_open waits this long for the link */

enum netfront_state {
	NETFRONT_DOWN,		/* link down, or never up: nothing is sent */
	NETFRONT_READY,		/* attached at the link epoch, receive buffers posted */
	NETFRONT_DEAD,		/* ring shut down (impossible index) until a new epoch */
};

enum netfront_buf_state {
	NETFRONT_FREE,		/* ours, idle */
	NETFRONT_SENT,		/* on the ring (TX frame or posted RX buffer), unanswered */
	NETFRONT_FULL,		/* RX: a frame is in it, not yet handed to f->rx */
};

struct netfront_buf {
	uint64_t off;		/* in the data region */
	uint32_t gen;		/* bumped at each request: goes into the id */
	uint32_t len;		/* TX: the frame's bytes; RX FULL: the frame's bytes */
	uint8_t state;		/* enum netfront_buf_state */
	int status;		/* TX: the last answer's PVNET_S_*, or -HV_ENOENT/-HV_EBADMSG */
};

struct netfront_stats {
	uint64_t tx_frames, tx_bytes;	/* TX answered OK */
	uint64_t tx_errors;		/* TX answered with another status */
	uint64_t tx_failed;		/* TX lost to a link change or a shutdown */
	uint64_t tx_busy;		/* netfront_send found no free buffer */
	uint64_t rx_frames, rx_bytes;	/* handed to f->rx */
	uint64_t rx_errors;		/* RX answered with an error, or an impossible length */
	uint64_t status[PVNET_S_COUNT_ + 1];	/* TX buffers' answers by status; last: unknown */
	uint64_t kicks;			/* events sent to the back end */
	uint64_t events;		/* events received on the channel port */
	uint64_t stray;			/* answers matching no request in flight */
	uint32_t tx_inflight, rx_posted;
	uint32_t attaches, link_checks, downs;
};

struct netfront;
/* A received frame, valid until the callback returns (in the data region: copy to keep). */
typedef void (*netfront_rx_fn)(struct netfront *f, const void *frame, uint32_t len);

struct netfront {
	const struct hv_start_channel *chan;
	struct ring_end ring;
	uint8_t *data;
	struct pvnet_layout layout;
	uint8_t mac[PVNET_MAC_LEN];		/* from the start info (manifest) */
	uint32_t port;
	uint32_t epoch;				/* the link epoch the ring is attached at */
	enum netfront_state state;
	int err;				/* why DEAD */
	volatile bool look;			/* an event came: look at the link */
	uint64_t next_check;			/* TSC of the next periodic link check */
	netfront_rx_fn rx;			/* NULL: frames are counted and dropped */
	struct ip_stack *ip;			/* set by netfront_ip_init */
	void *user;				/* the caller's */
	uint32_t fifo[NETFRONT_MAX_BUFS];	/* FULL rx buffers, in arrival order */
	uint32_t fifo_head, fifo_count;
	struct netfront_buf buf[NETFRONT_MAX_BUFS];	/* tx [0, ntx), rx [ntx, nbufs) */
	struct netfront_stats st;
};

/* The pvnet channel named name this partition is the front end of (NULL: the first). */
const struct hv_start_channel *netfront_channel(const char *name);

/*
 * Opens the channel: binds its event port and waits (NETFRONT_WAIT_S) for the link, then
 * attaches the ring at its epoch and posts the receive buffers. 0; -HV_ENOENT (no such
 * channel, or the link never came up); -HV_EINVAL (a MAC or geometry it cannot use); or
 * the binding's error. f must stay valid while the port is bound.
 */
int netfront_open(struct netfront *f, const char *name) __attribute__((warn_unused_result));
/* The same for channel i of the start info. */
int netfront_open_index(struct netfront *f, uint32_t i) __attribute__((warn_unused_result));

/*
 * Copies a frame (PVNET_FRAME_MIN..PVNET_FRAME_MAX bytes) into a free TX buffer and
 * sends it; an event only if the back end sleeps. The buffer's index (>= 0): its
 * answer's status lands in f->buf[index].status once its state is FREE again.
 * -HV_EINVAL for a bad length, -HV_EBUSY when every TX buffer is in flight (after
 * taking the answers waiting), -HV_ENOENT when not READY. netfront_queue does the same
 * but leaves the request unpublished: netfront_push publishes a batch with one event at
 * most.
 */
int netfront_send(struct netfront *f, const void *frame, uint32_t len)
	__attribute__((warn_unused_result));
int netfront_queue(struct netfront *f, const void *frame, uint32_t len)
	__attribute__((warn_unused_result));
void netfront_push(struct netfront *f);
/*
 * Sends q as it is, except its id (a free TX buffer's, as netfront_send): for tests
 * that build malformed requests. The buffer's index, -HV_EBUSY or -HV_ENOENT.
 */
int netfront_send_raw(struct netfront *f, const struct pvnet_req *q)
	__attribute__((warn_unused_result));

/*
 * Looks at the link if an event asked for it, takes the answers waiting, hands received
 * frames to f->rx and posts their buffers again. The frames and TX answers taken.
 */
unsigned int netfront_poll(struct netfront *f);
/*
 * netfront_poll; if nothing came, asks to be woken by the next answer and sleeps until
 * an event or tsc_deadline. The same count.
 */
unsigned int netfront_wait(struct netfront *f, uint64_t tsc_deadline);

/* TX buffers free now (without taking answers). */
uint32_t netfront_tx_free(const struct netfront *f);

/*
 * The IPv4 stack on f: ip_init with f's MAC and the words ip=A.B.C.D/N (required) and
 * gw=A.B.C.D of cmdline; s->send is netfront_send (waiting up to a few ms for a TX
 * buffer), frames received go to ip_input, s->ctx is f (the stack's udp_rx and echo_rx,
 * set by the caller, get it). 0, or ip_parse_cmdline's or ip_init's error.
 */
int netfront_ip_init(struct netfront *f, struct ip_stack *s, const char *cmdline)
	__attribute__((warn_unused_result));
/* The stack's clock: milliseconds of TSC time. */
uint64_t netfront_ms(void);

#endif
