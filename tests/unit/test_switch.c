/* SPDX-License-Identifier: MIT */
/* Unit tests for the learning switch: ports, unicast known and unknown, broadcast, multicast, spoofing, port isolation, learning, aging, a full table, down ports, counters and the console line. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pvdev/net.h"
#include "pvdev/switch.h"

#define AGE		1000u

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t mac_h[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };	/* QEMU's user-net host */
static const uint8_t mac_h2[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t zero[6];

static struct sw sw;
static int up0, up1, pa, pb, pc;	/* two uplinks, three channels */

#define BIT(p)		(1u << (p))

/* A frame of len bytes (>= 14) from src to dst, IPv4 type, payload of len. */
static uint8_t frame[2048];

static const uint8_t *fr(const uint8_t *dst, const uint8_t *src, uint32_t len)
{
	memset(frame, (int)(len & 0xff), sizeof(frame));
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = 0x08;
	frame[13] = 0x00;
	return frame;
}

static uint32_t fwd(int in, const uint8_t *dst, const uint8_t *src, uint32_t len, uint64_t now,
		    enum sw_reason want)
{
	enum sw_reason why = (enum sw_reason)77;
	uint32_t m = sw_forward(&sw, (unsigned int)in, fr(dst, src, len), len, now, &why);

	assert_int_equal(why, want);
	assert_false(m & BIT(in));			/* never back where it came from */
	if (want)
		assert_int_equal(m, 0);
	return m;
}

static int setup(void **state)
{
	sw_init(&sw, AGE);
	up0 = sw_add_uplink(&sw, "vnet 00:03.0");
	up1 = sw_add_uplink(&sw, "e1000 00:04.0");
	pa = sw_add_chan(&sw, "a", mac_a);
	pb = sw_add_chan(&sw, "b", mac_b);
	pc = sw_add_chan(&sw, "c", mac_c);
	assert_int_equal(up0, 0);
	assert_int_equal(up1, 1);
	assert_int_equal(pa, 2);
	assert_int_equal(pb, 3);
	assert_int_equal(pc, 4);
	for (int p = 0; p < 5; p++)
		sw_port_up(&sw, (unsigned int)p, true);
	return 0;
}

/* ---- ports ---- */

static void test_ports(void **state)
{
	static const uint8_t grp[6] = { 0x03, 0, 0, 0, 0, 1 };
	struct sw s;
	uint8_t m[6] = { 0x02, 0, 0, 0, 1, 0 };

	sw_init(&s, AGE);
	assert_int_equal(sw_add_chan(&s, "x", grp), -HV_EINVAL);
	assert_int_equal(sw_add_chan(&s, "x", bcast), -HV_EINVAL);
	assert_int_equal(sw_add_chan(&s, "x", zero), -HV_EINVAL);
	assert_int_equal(sw_add_chan(&s, "a", mac_a), 0);
	assert_int_equal(sw_add_chan(&s, "a2", mac_a), -HV_EEXIST);
	assert_int_equal(s.nports, 1);
	/* Ports start down. */
	assert_false(s.port[0].up);
	/* Names are cut to fit. */
	assert_int_equal(sw_add_uplink(&s, "a-very-long-nic-name-indeed"), 1);
	assert_int_equal(strlen(s.port[1].name), SW_NAME_LEN - 1);
	assert_int_equal(s.uplinks, BIT(1));
	/* 32 ports at most. */
	for (unsigned int i = 2; i < SW_MAX_PORTS; i++) {
		m[5] = (uint8_t)i;
		assert_int_equal(sw_add_chan(&s, NULL, m), (int)i);
	}
	m[5] = 0xee;
	assert_int_equal(sw_add_chan(&s, "z", m), -HV_E2BIG);
	assert_int_equal(sw_add_uplink(&s, "z"), -HV_E2BIG);
	assert_int_equal(s.port[5].name[0], 0);
	/* Broadcast from the last port reaches the other 31 (the mask is full width). */
	for (unsigned int i = 0; i < SW_MAX_PORTS; i++)
		sw_port_up(&s, i, true);
	m[5] = 31;
	assert_int_equal(sw_forward(&s, 31, fr(bcast, m, 60), 60, 0, NULL), ~0u & ~BIT(31));
	/* Not a port. */
	sw_port_up(&s, 32, true);
	sw_port_up(&s, 1000, false);
}

/* ---- unicast ---- */

static void test_unicast_chan(void **state)
{
	/* Child to child: exactly the owner of the MAC. */
	assert_int_equal(fwd(pa, mac_b, mac_a, 60, 0, SW_OK), BIT(pb));
	assert_int_equal(fwd(pb, mac_a, mac_b, 60, 0, SW_OK), BIT(pa));
	assert_int_equal(fwd(pc, mac_a, mac_c, 1514, 0, SW_OK), BIT(pa));
	/* The outside to a child: only it. */
	assert_int_equal(fwd(up0, mac_b, mac_h, 60, 0, SW_OK), BIT(pb));
	assert_int_equal(fwd(up1, mac_c, mac_h2, 60, 0, SW_OK), BIT(pc));
	/* A child to itself: nowhere. */
	assert_int_equal(fwd(pa, mac_a, mac_a, 60, 0, SW_OK), 0);
}

static void test_unicast_unknown(void **state)
{
	/* A child to a station never seen: every uplink, no child. */
	assert_int_equal(fwd(pa, mac_h, mac_a, 60, 0, SW_OK), BIT(up0) | BIT(up1));
	/* The outside to a station never seen: not to a child, not to the other uplink. */
	assert_int_equal(fwd(up0, mac_h2, mac_h, 60, 0, SW_OK), 0);
	/* A child with no uplink at all: nowhere. */
	struct sw s;

	sw_init(&s, AGE);
	assert_int_equal(sw_add_chan(&s, "a", mac_a), 0);
	assert_int_equal(sw_add_chan(&s, "b", mac_b), 1);
	sw_port_up(&s, 0, true);
	sw_port_up(&s, 1, true);
	assert_int_equal(sw_forward(&s, 0, fr(mac_h, mac_a, 60), 60, 0, NULL), 0);
	assert_int_equal(sw_forward(&s, 0, fr(mac_b, mac_a, 60), 60, 0, NULL), BIT(1));
	assert_int_equal(s.port[0].c.in_frames, 2);
}

/* ---- broadcast and multicast ---- */

static void test_group(void **state)
{
	const uint8_t *g[2] = { bcast, mcast };

	for (int i = 0; i < 2; i++) {
		/* From a child: every other port, uplinks included. */
		assert_int_equal(fwd(pa, g[i], mac_a, 60, 0, SW_OK),
				 BIT(up0) | BIT(up1) | BIT(pb) | BIT(pc));
		assert_int_equal(fwd(pc, g[i], mac_c, 60, 0, SW_OK),
				 BIT(up0) | BIT(up1) | BIT(pa) | BIT(pb));
		/* From outside: every child, not the other uplink. */
		assert_int_equal(fwd(up0, g[i], mac_h, 60, 0, SW_OK), BIT(pa) | BIT(pb) | BIT(pc));
		assert_int_equal(fwd(up1, g[i], mac_h2, 60, 0, SW_OK), BIT(pa) | BIT(pb) | BIT(pc));
	}
	/* Any group address (I/G bit set) floods, e.g. IPv6 multicast 33:33:... */
	static const uint8_t v6[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	assert_int_equal(fwd(pb, v6, mac_b, 60, 0, SW_OK), BIT(up0) | BIT(up1) | BIT(pa) | BIT(pc));
}

/* ---- spoofing and malformed frames ---- */

static void test_spoofed(void **state)
{
	static const uint8_t other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

	/* A child sending as another child, as an outside station, as nobody, as a group. */
	assert_int_equal(fwd(pa, mac_c, mac_b, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(fwd(pa, bcast, mac_b, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(fwd(pa, mac_h, other, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(fwd(pa, mac_b, zero, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(fwd(pa, mac_b, bcast, 60, 0, SW_DROP_SPOOFED), 0);
	/* One bit off its own. */
	uint8_t near[6];

	memcpy(near, mac_a, 6);
	near[5] ^= 1;
	assert_int_equal(fwd(pa, mac_b, near, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(sw.port[pa].c.drops[SW_DROP_SPOOFED], 6);
	assert_int_equal(sw.port[pa].c.in_frames, 0);
	assert_int_equal(sw.port[pa].c.in_bytes, 0);
	/* A spoofed source is never learned: the real owner still gets its unicast. */
	assert_int_equal(fwd(pc, mac_b, mac_c, 60, 0, SW_OK), BIT(pb));
	assert_int_equal(sw_table_live(&sw, 0), 0);
	/* From outside, a child's address as source: dropped, not learned. */
	assert_int_equal(fwd(up0, bcast, mac_a, 60, 0, SW_DROP_SPOOFED), 0);
	assert_int_equal(sw.port[up0].c.drops[SW_DROP_SPOOFED], 1);
	assert_int_equal(sw_lookup(&sw, mac_a, 0), pa);
	/* The spoofer's counters only. */
	assert_int_equal(sw.port[pb].c.drops[SW_DROP_SPOOFED], 0);
	assert_int_equal(sw.port[pc].c.drops[SW_DROP_SPOOFED], 0);
}

static void test_malformed(void **state)
{
	enum sw_reason why;

	/* Shorter than a header, from anywhere. */
	for (uint32_t len = 0; len < PVNET_ETH_HLEN; len++) {
		assert_int_equal(fwd(pa, bcast, mac_a, len, 0, SW_DROP_MALFORMED), 0);
		assert_int_equal(fwd(up0, bcast, mac_h, len, 0, SW_DROP_MALFORMED), 0);
	}
	assert_int_equal(fwd(pa, bcast, mac_a, PVNET_ETH_HLEN, 0, SW_OK),
			 BIT(up0) | BIT(up1) | BIT(pb) | BIT(pc));
	assert_int_equal(sw.port[pa].c.drops[SW_DROP_MALFORMED], PVNET_ETH_HLEN);
	/* From outside: a group or zero source is no station's. */
	assert_int_equal(fwd(up0, mac_a, bcast, 60, 0, SW_DROP_MALFORMED), 0);
	assert_int_equal(fwd(up0, mac_a, mcast, 60, 0, SW_DROP_MALFORMED), 0);
	assert_int_equal(fwd(up0, mac_a, zero, 60, 0, SW_DROP_MALFORMED), 0);
	assert_int_equal(sw.port[up0].c.drops[SW_DROP_MALFORMED], PVNET_ETH_HLEN + 3);
	assert_int_equal(sw_table_live(&sw, 0), 0);
	/* A port number that is not a port: nothing, nothing counted. */
	assert_int_equal(sw_forward(&sw, 5, fr(bcast, mac_a, 60), 60, 0, &why), 0);
	assert_int_equal(why, SW_DROP_MALFORMED);
	assert_int_equal(sw_forward(&sw, 99, fr(bcast, mac_a, 60), 60, 0, NULL), 0);
	assert_int_equal(sw_forward(&sw, UINT32_MAX, fr(bcast, mac_a, 60), 60, 0, NULL), 0);
}

/*
 * Port isolation, exhaustively over sources, destinations and ports: a channel is in the
 * mask only for a group destination or its own address, and only its own address is
 * ever accepted as a channel's source.
 */
static void test_isolation(void **state)
{
	const uint8_t *macs[] = { mac_a, mac_b, mac_c, mac_h, mac_h2, bcast, mcast, zero };
	const int chans[] = { pa, pb, pc };
	const uint8_t *own[] = { mac_a, mac_b, mac_c };
	const unsigned int n = sizeof(macs) / sizeof(macs[0]);

	for (int in = 0; in < 5; in++)
		for (unsigned int s = 0; s < n; s++)
			for (unsigned int d = 0; d < n; d++) {
				uint32_t m = sw_forward(&sw, (unsigned int)in, fr(macs[d], macs[s], 64),
							64, 0, NULL);

				assert_false(m & BIT(in));
				for (int c = 0; c < 3; c++)
					if (m & BIT(chans[c]))
						assert_true(pvnet_mac_group(macs[d]) ||
							    macs[d] == own[c]);
				if (in >= pa && m)
					assert_true(macs[s] == own[in - pa]);
			}
	/* Stations learned from outside never capture a child's unicast. */
	assert_int_equal(sw_lookup(&sw, mac_a, 0), pa);
	assert_int_equal(sw_lookup(&sw, mac_b, 0), pb);
}

/* ---- learning and aging ---- */

static void test_learning(void **state)
{
	/* mac_h speaks from uplink 0: a child's unicast to it goes there only. */
	assert_int_equal(sw_lookup(&sw, mac_h, 0), -1);
	(void)fwd(up0, bcast, mac_h, 60, 10, SW_OK);
	assert_int_equal(sw_lookup(&sw, mac_h, 10), up0);
	assert_int_equal(sw_table_live(&sw, 10), 1);
	assert_int_equal(fwd(pa, mac_h, mac_a, 60, 20, SW_OK), BIT(up0));
	/* It moves behind uplink 1: relearned there, still one entry. */
	(void)fwd(up1, mac_a, mac_h, 60, 30, SW_OK);
	assert_int_equal(sw_lookup(&sw, mac_h, 30), up1);
	assert_int_equal(sw_table_live(&sw, 30), 1);
	assert_int_equal(fwd(pb, mac_h, mac_b, 60, 40, SW_OK), BIT(up1));
	/* Children are not learned from (their address is fixed): the table holds outsiders. */
	(void)fwd(pa, bcast, mac_a, 60, 40, SW_OK);
	assert_int_equal(sw_table_live(&sw, 40), 1);
	/* A station's unicast to a known station on the same uplink is not sent back out. */
	(void)fwd(up1, bcast, mac_h2, 60, 50, SW_OK);
	assert_int_equal(fwd(up1, mac_h, mac_h2, 60, 50, SW_OK), 0);
	/* ...nor across to the other uplink. */
	(void)fwd(up0, bcast, mac_h2, 60, 50, SW_OK);
	assert_int_equal(fwd(up1, mac_h2, mac_h, 60, 50, SW_OK), 0);
}

static void test_aging(void **state)
{
	(void)fwd(up0, bcast, mac_h, 60, 1000, SW_OK);
	/* Live for AGE units after it was last seen, gone at AGE. */
	assert_int_equal(sw_lookup(&sw, mac_h, 1000 + AGE - 1), up0);
	assert_int_equal(sw_lookup(&sw, mac_h, 1000 + AGE), -1);
	assert_int_equal(fwd(pa, mac_h, mac_a, 60, 1000 + AGE, SW_OK), BIT(up0) | BIT(up1));
	assert_int_equal(sw_table_live(&sw, 1000 + AGE), 0);
	/* Refreshed by each frame it sends, not by frames sent to it. */
	(void)fwd(up1, bcast, mac_h, 60, 5000, SW_OK);
	for (uint64_t t = 5000; t < 5000 + 3 * AGE; t += AGE / 2) {
		(void)fwd(up1, bcast, mac_h, 60, t, SW_OK);
		assert_int_equal(fwd(pa, mac_h, mac_a, 60, t + AGE - 1, SW_OK), BIT(up1));
	}
	uint64_t last = 5000 + 3 * AGE - AGE / 2;

	assert_int_equal(fwd(pa, mac_h, mac_a, 60, last + AGE, SW_OK), BIT(up0) | BIT(up1));
	/* A clock that goes back finds the entry expired, never live for ever. */
	(void)fwd(up0, bcast, mac_h2, 60, 9000, SW_OK);
	assert_int_equal(sw_lookup(&sw, mac_h2, 8999), -1);
	/* Time near the top of 64 bits. */
	(void)fwd(up0, bcast, mac_h2, 60, UINT64_MAX - 5, SW_OK);
	assert_int_equal(sw_lookup(&sw, mac_h2, UINT64_MAX), up0);
	/* Channels' addresses never age. */
	assert_int_equal(sw_lookup(&sw, mac_a, UINT64_MAX), pa);
	/* An age of 0 means 1: an entry lives for the instant it was seen. */
	struct sw s;

	sw_init(&s, 0);
	assert_int_equal(sw_add_uplink(&s, "u"), 0);
	sw_port_up(&s, 0, true);
	assert_int_equal(sw_forward(&s, 0, fr(bcast, mac_h, 60), 60, 7, NULL), 0);
	assert_int_equal(sw_lookup(&s, mac_h, 7), 0);
	assert_int_equal(sw_lookup(&s, mac_h, 8), -1);
}

/* MACs that hash to set `set`: candidates 52:54:00:xx:yy:zz in counting order. */
static unsigned int macs_in_set(unsigned int set, uint8_t out[][6], unsigned int want)
{
	unsigned int n = 0;

	for (uint32_t i = 1; n < want && i < (1u << 24); i++) {
		uint8_t m[6] = { 0x52, 0x54, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };

		if (sw_mac_set(m) == set)
			memcpy(out[n++], m, 6);
	}
	return n;
}

static void test_table_full(void **state)
{
	uint8_t m[SW_MAC_WAYS + 2][6];
	unsigned int set = sw_mac_set(mac_h);

	assert_int_equal(macs_in_set(set, m, SW_MAC_WAYS + 2), SW_MAC_WAYS + 2);
	/* Fill the set: every way learned. */
	for (unsigned int i = 0; i < SW_MAC_WAYS; i++) {
		(void)fwd(up0, bcast, m[i], 60, 100 + i, SW_OK);
		assert_int_equal(sw_lookup(&sw, m[i], 100 + i), up0);
	}
	/* One more: not learned, counted; nobody evicted; its unicast goes to both uplinks. */
	(void)fwd(up1, bcast, m[SW_MAC_WAYS], 60, 200, SW_OK);
	assert_int_equal(sw.table_full, 1);
	assert_int_equal(sw_lookup(&sw, m[SW_MAC_WAYS], 200), -1);
	for (unsigned int i = 0; i < SW_MAC_WAYS; i++)
		assert_int_equal(sw_lookup(&sw, m[i], 200), up0);
	assert_int_equal(fwd(pa, m[SW_MAC_WAYS], mac_a, 60, 200, SW_OK), BIT(up0) | BIT(up1));
	/* An already-known station in a full set is still refreshed and moved. */
	(void)fwd(up1, bcast, m[0], 60, 300, SW_OK);
	assert_int_equal(sw_lookup(&sw, m[0], 300), up1);
	assert_int_equal(sw.table_full, 1);
	/* Other sets are unaffected. */
	uint8_t o[1][6];

	assert_int_equal(macs_in_set((set + 1) % SW_MAC_SETS, o, 1), 1);
	(void)fwd(up0, bcast, o[0], 60, 300, SW_OK);
	assert_int_equal(sw_lookup(&sw, o[0], 300), up0);
	/* m[1] (seen at 101) expires first; then the newcomer takes its way. */
	(void)fwd(up1, bcast, m[SW_MAC_WAYS + 1], 60, 101 + AGE, SW_OK);
	assert_int_equal(sw_lookup(&sw, m[SW_MAC_WAYS + 1], 101 + AGE), up1);
	assert_int_equal(sw_lookup(&sw, m[1], 101 + AGE), -1);
	assert_int_equal(sw_lookup(&sw, m[2], 101 + AGE), up0);	/* seen at 102: still live */
	assert_int_equal(sw.table_full, 1);
	/* The whole table: SW_MAC_ENTRIES stations fit at most. */
	struct sw s;
	unsigned int learned = 0;

	sw_init(&s, AGE);
	assert_int_equal(sw_add_uplink(&s, "u"), 0);
	sw_port_up(&s, 0, true);
	for (uint32_t i = 1; i <= 4 * SW_MAC_ENTRIES; i++) {
		uint8_t x[6] = { 0x52, 0x54, 1, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };

		(void)sw_forward(&s, 0, fr(bcast, x, 60), 60, 0, NULL);
		learned += sw_lookup(&s, x, 0) == 0;
	}
	assert_int_equal(learned, SW_MAC_ENTRIES);
	assert_int_equal(sw_table_live(&s, 0), SW_MAC_ENTRIES);
	assert_int_equal(s.table_full, 3 * SW_MAC_ENTRIES);
	assert_int_equal(sw_table_live(&s, AGE), 0);
}

/* ---- down ports ---- */

static void test_down(void **state)
{
	/* B's ring is shut: its unicast and its share of a broadcast are counted there. */
	sw_port_up(&sw, (unsigned int)pb, false);
	assert_int_equal(fwd(pa, mac_b, mac_a, 60, 0, SW_OK), 0);
	assert_int_equal(fwd(pa, bcast, mac_a, 60, 0, SW_OK), BIT(up0) | BIT(up1) | BIT(pc));
	assert_int_equal(fwd(up0, bcast, mac_h, 60, 0, SW_OK), BIT(pa) | BIT(pc));
	assert_int_equal(sw.port[pb].c.drops[SW_DROP_RING_SHUT], 3);
	/* Frames from it: refused, counted on it. */
	assert_int_equal(fwd(pb, mac_a, mac_b, 60, 0, SW_DROP_RING_SHUT), 0);
	assert_int_equal(sw.port[pb].c.drops[SW_DROP_RING_SHUT], 4);
	assert_int_equal(sw.port[pb].c.in_frames, 0);
	/* Back up (the child restarted): traffic flows again. */
	sw_port_up(&sw, (unsigned int)pb, true);
	assert_int_equal(fwd(pa, mac_b, mac_a, 60, 0, SW_OK), BIT(pb));
	/* An uplink going down forgets its stations: they are flooded to the others. */
	(void)fwd(up0, bcast, mac_h2, 60, 0, SW_OK);
	assert_int_equal(sw_lookup(&sw, mac_h2, 0), up0);
	sw_port_up(&sw, (unsigned int)up0, false);
	assert_int_equal(sw_lookup(&sw, mac_h2, 0), -1);
	assert_int_equal(sw_lookup(&sw, mac_h, 0), -1);
	assert_int_equal(fwd(pa, mac_h2, mac_a, 60, 0, SW_OK), BIT(up1));
	assert_int_equal(sw.port[up0].c.drops[SW_DROP_RING_SHUT], 1);
}

/* ---- counters and the console line ---- */

static void test_counters(void **state)
{
	char line[160];
	int n;

	(void)fwd(pa, mac_b, mac_a, 100, 0, SW_OK);
	(void)fwd(pa, bcast, mac_a, 60, 0, SW_OK);
	(void)fwd(pa, mac_b, mac_c, 60, 0, SW_DROP_SPOOFED);
	(void)fwd(pa, mac_b, mac_a, 13, 0, SW_DROP_MALFORMED);
	assert_int_equal(sw.port[pa].c.in_frames, 2);
	assert_int_equal(sw.port[pa].c.in_bytes, 160);
	/* Outputs are counted as the back end reports them. */
	sw_sent(&sw, (unsigned int)pb, 100);
	sw_sent(&sw, (unsigned int)pb, 60);
	sw_drop(&sw, (unsigned int)pc, SW_DROP_NO_BUFFER);
	sw_drop(&sw, (unsigned int)pa, SW_DROP_MALFORMED);	/* a bad descriptor */
	sw_drop(&sw, (unsigned int)pa, SW_OK);			/* ignored */
	sw_drop(&sw, (unsigned int)pa, SW_REASON_COUNT_);	/* ignored */
	sw_drop(&sw, 77, SW_DROP_NO_BUFFER);			/* ignored */
	sw_sent(&sw, 77, 60);					/* ignored */
	assert_int_equal(sw.port[pb].c.out_frames, 2);
	assert_int_equal(sw.port[pb].c.out_bytes, 160);
	assert_int_equal(sw.port[pc].c.drops[SW_DROP_NO_BUFFER], 1);
	assert_int_equal(sw.port[pa].c.drops[SW_DROP_MALFORMED], 2);
	assert_int_equal(sw.port[pa].c.drops[SW_OK], 0);
	assert_int_equal(sw.port[pb].c.in_frames, 0);

	n = sw_port_format(&sw, (unsigned int)pa, line, sizeof(line));
	assert_string_equal(line, "port 2 chan a 02:00:00:00:00:0a up in 2/160 out 0/0 drop spoof 1 "
				  "malformed 2 nobuf 0 shut 0");
	assert_int_equal(n, (int)strlen(line));
	sw_port_up(&sw, (unsigned int)pb, false);
	(void)sw_port_format(&sw, (unsigned int)pb, line, sizeof(line));
	assert_string_equal(line, "port 3 chan b 02:00:00:00:00:0b down in 0/0 out 2/160 drop spoof 0 "
				  "malformed 0 nobuf 0 shut 0");
	(void)sw_port_format(&sw, (unsigned int)up1, line, sizeof(line));
	assert_string_equal(line, "port 1 uplink e1000 00:04.0 - up in 0/0 out 0/0 drop spoof 0 "
				  "malformed 0 nobuf 0 shut 0");
	/* Large counters print whole; a short buffer is cut, NUL-terminated. */
	sw.port[pc].c.in_frames = UINT64_MAX;
	(void)sw_port_format(&sw, (unsigned int)pc, line, sizeof(line));
	assert_non_null(strstr(line, " in 18446744073709551615/0 "));
	n = sw_port_format(&sw, (unsigned int)pc, line, 10);
	assert_string_equal(line, "port 4 ch");
	assert_true(n > 10);
	assert_int_equal(sw_port_format(&sw, 9, line, sizeof(line)), 0);
	assert_string_equal(line, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test_setup(test_unicast_chan, setup),
		cmocka_unit_test_setup(test_unicast_unknown, setup),
		cmocka_unit_test_setup(test_group, setup),
		cmocka_unit_test_setup(test_spoofed, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_isolation, setup),
		cmocka_unit_test_setup(test_learning, setup),
		cmocka_unit_test_setup(test_aging, setup),
		cmocka_unit_test_setup(test_table_full, setup),
		cmocka_unit_test_setup(test_down, setup),
		cmocka_unit_test_setup(test_counters, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
