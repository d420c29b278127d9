/* SPDX-License-Identifier: MIT */
/* A small IPv4 host stack for partitions: ARP, ICMP echo and UDP over Ethernet II, frames in and out through callbacks. */
#ifndef GUEST_DRIVERS_NET_IP_H
#define GUEST_DRIVERS_NET_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "include/abi/hv_errno.h"

/*
 * Addresses are uint32_t in host order (10.0.0.2 is 0x0a000002); ports and ICMP ids too.
 * The stack owns no NIC and no timer: ip_input takes one received frame and the
 * caller's clock; replies and ip_ping/ip_udp_send output go out through send(), built in
 * the stack's own buffer (valid only during the call: send copies or transmits it). send
 * must not call ip_input on the same stack (queue the frame instead). No locking: one
 * caller at a time.
 */

#define IP_FRAME_MAX		1514u	/* Ethernet II without FCS (NET_FRAME_MAX) */
#define IP_ETH_HLEN		14u
#define IP_HLEN			20u	/* IPv4 header without options (RFC 791 3.1) */
#define IP_UDP_MAX		(IP_FRAME_MAX - IP_ETH_HLEN - IP_HLEN - 8u)	/* 1472 */
#define IP_PING_MAX		IP_UDP_MAX	/* ICMP echo data (the header is 8 too) */
#define IP_ARP_SLOTS		8u
#define IP_ARP_TTL_DEFAULT	60000u	/* in the caller's clock units: 60 s in ms */
#define IP_BROADCAST		0xffffffffu
#define IP_ADDR(a, b, c, d)	\
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Why ip_input dropped a frame; each has a counter. */
enum ip_drop {
	IP_DROP_TRUNC,		/* shorter than a header it must hold, or than its length fields */
	IP_DROP_LEN,		/* over IP_FRAME_MAX, or length fields inconsistent in themselves */
	IP_DROP_CSUM,		/* IPv4 header, ICMP or (non-zero) UDP checksum */
	IP_DROP_HDR,		/* version, IHL, reserved flag, ARP hardware/protocol sizes */
	IP_DROP_FRAG,		/* MF set or a fragment offset: no reassembly */
	IP_DROP_ADDR,		/* source broadcast, multicast, zero or mine */
	IP_DROP_NOT_MINE,	/* MAC or IPv4 destination not this host (or broadcast ping) */
	IP_DROP_PROTO,		/* EtherType, IP protocol, ICMP type or ARP operation not handled */
	IP_DROP_TX,		/* a reply that send() refused */
	IP_DROP_COUNT_
};

struct ip_stats {
	uint64_t frames_in;
	uint64_t drops[IP_DROP_COUNT_];
	uint64_t arp_answered;		/* requests for my address answered */
	uint64_t arp_learned;		/* cache entries added or refreshed */
	uint64_t arp_requests_out;	/* ip_arp_request, directly or to resolve */
	uint64_t echo_answered;
	uint64_t echo_requests_out;	/* ip_ping frames sent */
	uint64_t echo_replies;		/* echo replies received */
	uint64_t udp_in, udp_out;
	uint64_t tx_errors;		/* send() failures, replies included */
};

struct ip_arp_entry {
	uint32_t ip;			/* 0: free */
	uint8_t mac[6];
	uint64_t time;			/* the caller's clock when learned */
};

struct ip_stack {
	uint8_t mac[6];
	uint32_t ip, mask, gw;		/* gw 0: on-link destinations only */
	uint64_t arp_ttl;		/* entries older than this are forgotten */
	uint64_t now;			/* the caller's clock: ip_input and ip_tick set it */
	uint16_t ip_id;			/* the next IPv4 identification */
	struct ip_arp_entry arp[IP_ARP_SLOTS];

	int (*send)(void *ctx, const void *frame, uint32_t len);
	/* Optional: a UDP datagram for me (after its checksum, if any, checked). */
	void (*udp_rx)(void *ctx, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
		       const void *data, uint32_t len);
	/* Optional: an echo reply; the last one is also kept below. */
	void (*echo_rx)(void *ctx, uint32_t src_ip, uint16_t id, uint16_t seq, uint32_t len);
	void *ctx;

	uint32_t last_echo_src;
	uint16_t last_echo_id, last_echo_seq;
	struct ip_stats st;
	uint8_t tx[IP_FRAME_MAX];
};

/*
 * Clears s and sets its addresses: ip a unicast address, mask contiguous (/1 to /32), gw
 * 0 or a unicast address on ip's subnet other than ip. 0 or -HV_EINVAL (s untouched).
 * The callbacks are set by the caller after this.
 */
int ip_init(struct ip_stack *s, const uint8_t mac[6], uint32_t ip, uint32_t mask,
	    uint32_t gw) __attribute__((warn_unused_result));

/* Moves the clock that ages the ARP cache without a frame to give. */
void ip_tick(struct ip_stack *s, uint64_t now);

/* One received frame: parsed, answered or delivered, or dropped and counted. */
void ip_input(struct ip_stack *s, const void *frame, uint32_t len, uint64_t now);

/*
 * Output. Each returns 0 once the frame went to send(); -HV_EINVAL for a bad argument
 * (length, a destination that is zero, mine, multicast, or not routable); -HV_ENOENT
 * when the destination is off-link and there is no gateway; -HV_EBUSY when the next
 * hop's MAC is unknown: an ARP request for it went out instead and nothing is queued,
 * so the caller retries once a reply had time to come in (ip_input); else send()'s own
 * negative result. Broadcast (255.255.255.255 or the subnet's) goes to ff:ff:ff:ff:ff:ff.
 */
int ip_ping(struct ip_stack *s, uint32_t dst, uint16_t id, uint16_t seq,
	    uint32_t len) __attribute__((warn_unused_result));
int ip_udp_send(struct ip_stack *s, uint32_t dst, uint16_t src_port, uint16_t dst_port,
		const void *data, uint32_t len) __attribute__((warn_unused_result));
/* A broadcast ARP request for ip: 0, -HV_EINVAL (not a host address, or mine), or send()'s
 * error. */
int ip_arp_request(struct ip_stack *s, uint32_t ip) __attribute__((warn_unused_result));

/* The cached MAC of ip (not expired at s->now): true and *mac set. */
bool ip_arp_lookup(const struct ip_stack *s, uint32_t ip, uint8_t mac[6]);

/*
 * "a.b.c.d" or, with mask non-NULL, "a.b.c.d/n" (n 1..32; no suffix gives /32): decimal
 * octets 0..255 without leading zeros, the whole string. 0 or -HV_EINVAL.
 */
int ip_parse_addr(const char *str, uint32_t *ip,
		  uint32_t *mask) __attribute__((warn_unused_result));

/*
 * The words ip=a.b.c.d/n and gw=a.b.c.d of a command line (space separated): 0 with
 * *ip and *mask set (and *gw, or 0 without gw=); -HV_ENOENT without ip=; -HV_EINVAL
 * when either word is malformed.
 */
int ip_parse_cmdline(const char *cmdline, uint32_t *ip, uint32_t *mask,
		     uint32_t *gw) __attribute__((warn_unused_result));

/* RFC 1071: the one's-complement sum of len bytes added to sum, not yet folded. */
uint32_t ip_csum_add(uint32_t sum, const void *data, uint32_t len);
/* Folds and complements: the checksum field's value; 0 when data holds a right one. */
uint16_t ip_csum_fold(uint32_t sum);

#endif
