/* SPDX-License-Identifier: MIT */
/* The learning switch's rules: who may send what, where each frame goes, what is learned and for how long (docs/pvnet.md). */
#include "pvdev/switch.h"
#include "pvdev/net.h"
#include "vmm/format.h"

_Static_assert(SW_MAX_PORTS <= 32, "port sets are 32-bit masks");
_Static_assert(SW_MAX_PORTS <= 256, "table entries name ports in a byte");
_Static_assert(!(SW_MAC_SETS & (SW_MAC_SETS - 1)) && SW_MAC_SETS <= 256,
	       "the set index is the hash's top bits");

void sw_init(struct sw *sw, uint64_t age)
{
	*sw = (struct sw){ .age = age ? age : 1 };
}

static bool sw_is_port(const struct sw *sw, unsigned int port)
{
	return port < sw->nports && sw->port[port].kind != SW_PORT_NONE;
}

static void sw_copy_name(char *dst, const char *src)
{
	unsigned int i = 0;

	for (; src && src[i] && i < SW_NAME_LEN - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

/* The channel port whose MAC is mac, or -1. */
static int sw_chan_of(const struct sw *sw, const uint8_t *mac)
{
	for (unsigned int i = 0; i < sw->nports; i++)
		if (sw->port[i].kind == SW_PORT_CHAN && pvnet_mac_eq(sw->port[i].mac, mac))
			return (int)i;
	return -1;
}

static int sw_add(struct sw *sw, enum sw_port_kind kind, const char *name)
{
	struct sw_port *p;

	if (sw->nports >= SW_MAX_PORTS)
		return -HV_E2BIG;
	p = &sw->port[sw->nports];
	*p = (struct sw_port){ .kind = (uint8_t)kind };
	sw_copy_name(p->name, name);
	return (int)sw->nports++;
}

int sw_add_uplink(struct sw *sw, const char *name)
{
	int port = sw_add(sw, SW_PORT_UPLINK, name);

	if (port >= 0)
		sw->uplinks |= 1u << port;
	return port;
}

int sw_add_chan(struct sw *sw, const char *name, const uint8_t *mac)
{
	int port;

	if (!pvnet_mac_ok(mac))
		return -HV_EINVAL;
	if (sw_chan_of(sw, mac) >= 0)
		return -HV_EEXIST;
	port = sw_add(sw, SW_PORT_CHAN, name);
	if (port >= 0)
		for (unsigned int i = 0; i < PVNET_MAC_LEN; i++)
			sw->port[port].mac[i] = mac[i];
	return port;
}

/* ---- the MAC table ---- */

unsigned int sw_mac_set(const uint8_t *mac)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++)
		v = v << 8 | mac[i];
	/* Fibonacci hashing: the top bits of v * 2^64 / phi mix every octet. */
	return (unsigned int)((v * 0x9e3779b97f4a7c15ull) >> 58) & (SW_MAC_SETS - 1);
}

/* Live: refreshed less than `age` ago (a clock that went back counts as expired). */
static bool sw_live(const struct sw *sw, const struct sw_mac_entry *e, uint64_t now)
{
	return e->used && now - e->seen < sw->age;
}

static struct sw_mac_entry *sw_find(struct sw *sw, const uint8_t *mac)
{
	struct sw_mac_entry *set = sw->table[sw_mac_set(mac)];

	for (unsigned int w = 0; w < SW_MAC_WAYS; w++)
		if (set[w].used && pvnet_mac_eq(set[w].mac, mac))
			return &set[w];
	return NULL;
}

/*
 * Station mac was seen behind port: refresh its entry (it may have moved), or take a
 * free or expired way of its set. A set of live entries is never evicted from, so a
 * flood of new sources cannot push out the stations already known; the newcomer is
 * not learned and its unicast goes to every uplink.
 */
static void sw_learn(struct sw *sw, const uint8_t *mac, unsigned int port, uint64_t now)
{
	struct sw_mac_entry *e = sw_find(sw, mac), *set;

	if (!e) {
		set = sw->table[sw_mac_set(mac)];
		for (unsigned int w = 0; w < SW_MAC_WAYS && !e; w++)
			if (!sw_live(sw, &set[w], now))
				e = &set[w];
	}
	if (!e) {
		sw->table_full++;
		return;
	}
	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++)
		e->mac[i] = mac[i];
	e->port = (uint8_t)port;
	e->used = true;
	e->seen = now;
}

int sw_lookup(const struct sw *sw, const uint8_t *mac, uint64_t now)
{
	int chan = sw_chan_of(sw, mac);
	const struct sw_mac_entry *set;

	if (chan >= 0)
		return chan;
	set = sw->table[sw_mac_set(mac)];
	for (unsigned int w = 0; w < SW_MAC_WAYS; w++)
		if (sw_live(sw, &set[w], now) && pvnet_mac_eq(set[w].mac, mac))
			return set[w].port;
	return -1;
}

unsigned int sw_table_live(const struct sw *sw, uint64_t now)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < SW_MAC_SETS; s++)
		for (unsigned int w = 0; w < SW_MAC_WAYS; w++)
			n += sw_live(sw, &sw->table[s][w], now);
	return n;
}

void sw_port_up(struct sw *sw, unsigned int port, bool up)
{
	if (!sw_is_port(sw, port))
		return;
	sw->port[port].up = up;
	if (up)
		return;
	for (unsigned int s = 0; s < SW_MAC_SETS; s++)
		for (unsigned int w = 0; w < SW_MAC_WAYS; w++)
			if (sw->table[s][w].port == port)
				sw->table[s][w].used = false;
}

/* ---- forwarding ---- */

/* Whether a frame from p may enter at all: SW_OK or the reason it may not. */
static enum sw_reason sw_admit(const struct sw *sw, const struct sw_port *p,
			       const uint8_t *frame, uint32_t len)
{
	const uint8_t *src;

	if (!p->up)
		return SW_DROP_RING_SHUT;
	if (len < PVNET_ETH_HLEN)
		return SW_DROP_MALFORMED;
	src = pvnet_eth_src(frame);
	if (p->kind == SW_PORT_CHAN)
		return pvnet_mac_eq(src, p->mac) ? SW_OK : SW_DROP_SPOOFED;
	if (!pvnet_mac_ok(src))
		return SW_DROP_MALFORMED;	/* no station sends from a group or zero address */
	/* A child's address from outside: a reflected frame, or someone posing as the child. */
	return sw_chan_of(sw, src) >= 0 ? SW_DROP_SPOOFED : SW_OK;
}

/* Where a frame to dst from in goes, before down ports are taken out. */
static uint32_t sw_dest(const struct sw *sw, unsigned int in, const uint8_t *dst, uint64_t now)
{
	uint32_t all = sw->nports >= 32 ? ~0u : (1u << sw->nports) - 1;
	bool from_uplink = sw->port[in].kind == SW_PORT_UPLINK;
	int out;

	if (pvnet_mac_group(dst))
		return all & ~(1u << in) & ~(from_uplink ? sw->uplinks : 0);
	out = sw_lookup(sw, dst, now);
	if (out < 0)	/* unknown: to the outside; never to a child */
		return from_uplink ? 0 : sw->uplinks;
	/* Never back where it came from, never from one uplink to another. */
	if ((uint32_t)out == in || (from_uplink && (sw->uplinks >> out & 1)))
		return 0;
	return 1u << out;
}

uint32_t sw_forward(struct sw *sw, unsigned int in_port, const uint8_t *frame, uint32_t len,
		    uint64_t now, enum sw_reason *why)
{
	struct sw_port *p;
	enum sw_reason r;
	uint32_t mask, down = 0;

	if (why)
		*why = SW_DROP_MALFORMED;
	if (!sw_is_port(sw, in_port))
		return 0;
	p = &sw->port[in_port];
	r = sw_admit(sw, p, frame, len);
	if (why)
		*why = r;
	if (r) {
		p->c.drops[r]++;
		return 0;
	}
	p->c.in_frames++;
	p->c.in_bytes += len;
	if (p->kind == SW_PORT_UPLINK)
		sw_learn(sw, pvnet_eth_src(frame), in_port, now);
	mask = sw_dest(sw, in_port, pvnet_eth_dst(frame), now);
	for (unsigned int i = 0; i < sw->nports; i++)
		if ((mask >> i & 1) && !sw->port[i].up) {
			sw->port[i].c.drops[SW_DROP_RING_SHUT]++;
			down |= 1u << i;
		}
	return mask & ~down;
}

void sw_sent(struct sw *sw, unsigned int port, uint32_t len)
{
	if (!sw_is_port(sw, port))
		return;
	sw->port[port].c.out_frames++;
	sw->port[port].c.out_bytes += len;
}

void sw_drop(struct sw *sw, unsigned int port, enum sw_reason why)
{
	if (sw_is_port(sw, port) && why > SW_OK && why < SW_REASON_COUNT_)
		sw->port[port].c.drops[why]++;
}

int sw_port_format(const struct sw *sw, unsigned int port, char *buf, size_t len)
{
	const struct sw_port *p;
	const struct sw_counters *c;
	char mac[18] = "-";

	if (!sw_is_port(sw, port))
		return hv_snprintf(buf, len, "%s", "");
	p = &sw->port[port];
	c = &p->c;
	if (p->kind == SW_PORT_CHAN)
		hv_snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0],
			    p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
	return hv_snprintf(buf, len,
			   "port %u %s %s %s %s in %llu/%llu out %llu/%llu drop spoof %llu "
			   "malformed %llu nobuf %llu shut %llu",
			   port, p->kind == SW_PORT_CHAN ? "chan" : "uplink",
			   p->name[0] ? p->name : "-", mac,
			   p->up ? "up" : "down", (unsigned long long)c->in_frames,
			   (unsigned long long)c->in_bytes, (unsigned long long)c->out_frames,
			   (unsigned long long)c->out_bytes,
			   (unsigned long long)c->drops[SW_DROP_SPOOFED],
			   (unsigned long long)c->drops[SW_DROP_MALFORMED],
			   (unsigned long long)c->drops[SW_DROP_NO_BUFFER],
			   (unsigned long long)c->drops[SW_DROP_RING_SHUT]);
}
