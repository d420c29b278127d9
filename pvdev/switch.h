/* SPDX-License-Identifier: MIT */
/* The service partition's learning Ethernet switch, as pure logic: ports, the MAC table, the forwarding decision, per-port counters (docs/pvnet.md). */
#ifndef PVDEV_SWITCH_H
#define PVDEV_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/abi/hv_errno.h"
#include "include/abi/pvnet.h"

/*
 * No I/O, no clock, no allocation: the back end hands in each frame (its private copy,
 * never shared memory) with the time, gets the set of ports to send it to, and reports
 * what happened at each. Ports are of two kinds:
 *   uplink:  a physical NIC; any source address, learned into the MAC table;
 *   channel: a pvnet channel; exactly one address, its MAC from the manifest, which
 *            is the only source it may send from and the only unicast it receives.
 * Uplinks never forward to each other (no spanning tree here: two NICs on one segment
 * would loop), so the table's use is to send a child's unicast to the one uplink that
 * has the station instead of to all of them.
 */
#define SW_MAX_PORTS		32u	/* a port set is a uint32_t bit mask */
#define SW_NAME_LEN		16u

/* The MAC table: SW_MAC_SETS sets of SW_MAC_WAYS entries, a set chosen by a hash. */
#define SW_MAC_WAYS		4u
#define SW_MAC_SETS		64u
#define SW_MAC_ENTRIES		(SW_MAC_WAYS * SW_MAC_SETS)

enum sw_port_kind {
	SW_PORT_NONE = 0,
	SW_PORT_UPLINK = 1,
	SW_PORT_CHAN = 2,
};

/* Why a frame was not taken in, or not delivered at a port; SW_OK: it was. */
enum sw_reason {
	SW_OK = 0,
	SW_DROP_SPOOFED = 1,	/* a channel's source MAC not its own; an uplink's that is a channel's */
	SW_DROP_MALFORMED = 2,	/* shorter than a header, a group or zero source, a bad descriptor */
	SW_DROP_NO_BUFFER = 3,	/* the output had no room: no receive buffer posted, NIC queue full */
	SW_DROP_RING_SHUT = 4,	/* the port is down: its ring was shut (or not attached yet) */
	SW_REASON_COUNT_
};

struct sw_counters {
	uint64_t in_frames, in_bytes;	/* taken in from the port (sent by the child / NIC) */
	uint64_t out_frames, out_bytes;	/* delivered to the port (sw_sent) */
	uint64_t drops[SW_REASON_COUNT_];	/* [0] unused */
};

struct sw_port {
	uint8_t kind;			/* enum sw_port_kind */
	bool up;
	uint8_t mac[PVNET_MAC_LEN];	/* channel: its address; uplink: unused */
	char name[SW_NAME_LEN];
	struct sw_counters c;
};

struct sw_mac_entry {
	uint8_t mac[PVNET_MAC_LEN];
	uint8_t port;
	bool used;
	uint64_t seen;			/* the caller's time of the last frame from it */
};

struct sw {
	struct sw_port port[SW_MAX_PORTS];
	uint32_t nports;
	uint32_t uplinks;		/* mask of the uplink ports */
	uint64_t age;			/* an entry not refreshed for this long is gone */
	uint64_t table_full;		/* sources not learned: their set was full */
	struct sw_mac_entry table[SW_MAC_SETS][SW_MAC_WAYS];
};

/* An empty switch whose learned entries live `age` units of the caller's time (>= 1). */
void sw_init(struct sw *sw, uint64_t age);

/*
 * Adds a port, down (sw_port_up when its NIC or ring is ready); the name is cut to fit.
 * The port number (0..SW_MAX_PORTS-1), or -HV_E2BIG when full; a channel's: -HV_EINVAL
 * for a group or zero MAC, -HV_EEXIST for one another channel has.
 */
int sw_add_uplink(struct sw *sw, const char *name) __attribute__((warn_unused_result));
int sw_add_chan(struct sw *sw, const char *name, const uint8_t *mac)
	__attribute__((warn_unused_result));

/*
 * Up: frames flow. Down: its ring was shut (or the channel's peer is gone); frames for it
 * are counted SW_DROP_RING_SHUT. A port that goes down forgets the table entries through
 * it. Ignores a port number that is not a port.
 */
void sw_port_up(struct sw *sw, unsigned int port, bool up);

/*
 * The forwarding decision for a frame of len bytes taken in from in_port at time now:
 * the mask of ports to send it to (never in_port; 0: nowhere). Counts it in in_port's
 * in_* counters, or a drop there (spoofed, malformed, in_port down) with *why set (why
 * may be NULL; SW_OK when taken in), and a RING_SHUT drop at each down port it would
 * have gone to. Learns the source of a frame from an uplink. Frames from a port number
 * that is not a port: 0, nothing counted, *why SW_DROP_MALFORMED.
 */
uint32_t sw_forward(struct sw *sw, unsigned int in_port, const uint8_t *frame, uint32_t len,
		    uint64_t now, enum sw_reason *why);

/* The back end delivered a frame of len bytes at port: out_frames, out_bytes. */
void sw_sent(struct sw *sw, unsigned int port, uint32_t len);

/* The back end dropped a frame at port for a reason (SW_OK is ignored). */
void sw_drop(struct sw *sw, unsigned int port, enum sw_reason why);

/* The port a unicast MAC goes to: a channel's own, else a live learned entry; or -1. */
int sw_lookup(const struct sw *sw, const uint8_t *mac, uint64_t now);

/* Live learned entries at time now. */
unsigned int sw_table_live(const struct sw *sw, uint64_t now);

/* The set a MAC hashes to (for tests that fill one). */
unsigned int sw_mac_set(const uint8_t *mac);

/*
 * One console line for port (no newline), like
 *   "port 1 chan app1 02:00:00:00:00:01 up in 12/1234 out 10/980 drop spoof 3 malformed 0 nobuf 0 shut 0"
 * Returns what hv_snprintf returns (the full length); "" for a port number that is not a port.
 */
int sw_port_format(const struct sw *sw, unsigned int port, char *buf, size_t len);

#endif
