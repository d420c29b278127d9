/* SPDX-License-Identifier: MIT */
/* Test child: a hostile pvnet front end: forged source MACs, every class of malformed descriptor, a flood of its transmit ring, optionally an impossible index. */
#include "guest-drivers/net/netfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/evtchn.h"
#include "include/abi/hv_errno.h"

/*
 * cmdline (each optional, numbers decimal):
 *   chan=NAME         the pvnet channel to attack (default: the first this child fronts)
 *   victim=MAC        another child's MAC (aa:bb:cc:dd:ee:ff) to forge as the source
 *                     (default 02:00:00:00:00:0b)
 *   flood=S           flood the TX ring for S seconds (default 5; 0: no flood)
 *   flood_dst=MAC     the flood's destination (default 02:00:00:00:00:fe: nobody's, so
 *                     it goes to the uplinks only; ff:ff:ff:ff:ff:ff floods everyone)
 *   flood_spoof=N     every Nth flood frame has the victim's source MAC (default 4; 0 never)
 *   jump=1            last: publish a request producer index 64K ahead; the back end
 *                     must shut the channel down (no answer to a good frame after it).
 *                     Default 0: the channel stays usable to the end
 * Steps: forged sources (the victim's, broadcast, zero) each get PVNET_S_SPOOFED and a
 * frame with its own source gets OK; each malformed descriptor gets its exact status
 * (include/abi/pvnet.h order) and a good frame still goes after them; the flood keeps
 * every TX buffer busy for S seconds, every frame answered (OK, or SPOOFED for the
 * forged ones), nothing lost. Lines: "nethostile: ...", PASS/FAIL, "summary: ..."; exit
 * status 0 iff all passed. Whatever the back end does, this child reports and exits.
 */

#define ANSWER_S	3		/* a request not answered in this long: no answer */
#define ETYPE		0x88b5u		/* IEEE 802 local experimental EtherType */
#define JUMP		0x10000u
#define NO_ANSWER	(-1000)

static struct netfront nf;
static uint8_t victim[PVNET_MAC_LEN] = { 2, 0, 0, 0, 0, 0x0b };
static uint8_t flood_dst[PVNET_MAC_LEN] = { 2, 0, 0, 0, 0, 0xfe };
static const uint8_t bcast[PVNET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero[PVNET_MAC_LEN];

static const char *const status_name[PVNET_S_COUNT_ + 1] = {
	"OK", "BAD_TYPE", "BAD_FIELD", "SHORT", "LONG", "DATA", "SPOOFED", "unknown",
};

/* ---- the command line ---- */

static const char *opt(const char *key)
{
	for (const char *s = rt_boot.cmdline; *s; s++) {
		const char *k = key, *w = s;

		if (s != rt_boot.cmdline && s[-1] != ' ')
			continue;
		while (*k && *w == *k)
			k++, w++;
		if (!*k && *w == '=')
			return w + 1;
	}
	return NULL;
}

static uint64_t opt_num(const char *key, uint64_t dflt)
{
	uint64_t v;

	return rt_cmdline_u64(key, &v) ? v : dflt;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* key=aa:bb:cc:dd:ee:ff into mac (untouched if absent); false if malformed. */
static bool opt_mac(const char *key, uint8_t *mac)
{
	const char *s = opt(key);
	uint8_t m[PVNET_MAC_LEN];

	if (!s)
		return true;
	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++, s += 3) {
		bool last = i == PVNET_MAC_LEN - 1;

		if (hex(s[0]) < 0 || hex(s[1]) < 0 || (!last && s[2] != ':') ||
		    (last && s[2] && s[2] != ' '))
			return false;
		m[i] = (uint8_t)(hex(s[0]) << 4 | hex(s[1]));
	}
	memcpy(mac, m, PVNET_MAC_LEN);
	return true;
}

static const char *mac_str(const uint8_t *m, char *buf)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned int i = 0; i < PVNET_MAC_LEN; i++) {
		buf[3 * i] = digits[m[i] >> 4];
		buf[3 * i + 1] = digits[m[i] & 15];
		buf[3 * i + 2] = i == 5 ? 0 : ':';
	}
	return buf;
}

/* ---- one request and its answer ---- */

/* Waits for the answer to TX buffer i: its status, or NO_ANSWER after ANSWER_S. */
static int answer(int i)
{
	uint64_t end = rt_rdtsc() + ANSWER_S * rt_tsc_hz();

	if (i < 0)
		return i;
	while (nf.buf[i].state == NETFRONT_SENT && rt_rdtsc() < end)
		netfront_wait(&nf, end);
	return nf.buf[i].state == NETFRONT_SENT ? NO_ANSWER : nf.buf[i].status;
}

static const char *name(int st)
{
	return st >= 0 && st <= PVNET_S_COUNT_ ? status_name[st] : st == NO_ANSWER ? "none" : "-";
}

static bool expect(int st, enum pvnet_status want, const char *what)
{
	return rt_report(st == (int)want, "%s gets %s (%d: %s)", what, status_name[want], st,
			 name(st));
}

/* A 60-byte frame from src to dst. */
static void frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t n)
{
	memcpy(f, dst, PVNET_MAC_LEN);
	memcpy(f + 6, src, PVNET_MAC_LEN);
	f[12] = ETYPE >> 8;
	f[13] = ETYPE & 0xff;
	for (uint32_t i = 14; i < 60; i++)
		f[i] = (uint8_t)(n + i);
}

static int send_from(const uint8_t *src, const uint8_t *dst)
{
	uint8_t f[60];

	frame(f, dst, src, 0);
	return answer(netfront_send(&nf, f, sizeof(f)));
}

/* ---- forged source MACs ---- */

static void spoofing(void)
{
	char a[18];

	expect(send_from(victim, bcast), PVNET_S_SPOOFED, "a frame from the victim's MAC");
	expect(send_from(victim, nf.mac), PVNET_S_SPOOFED, "a frame from the victim's MAC to mine");
	expect(send_from(bcast, flood_dst), PVNET_S_SPOOFED, "a frame from the broadcast MAC");
	expect(send_from(zero, flood_dst), PVNET_S_SPOOFED, "a frame from the zero MAC");
	expect(send_from(nf.mac, flood_dst), PVNET_S_OK, "a frame from my own MAC");
	rt_printf("nethostile: forged %s, broadcast and zero sources\n", mac_str(victim, a));
}

/* ---- malformed descriptors ---- */

static int raw(uint16_t type, uint64_t off, uint32_t len)
{
	struct pvnet_req q;

	pvnet_req_init(&q, 0, PVNET_TX, off, len);
	q.type = type;
	return answer(netfront_send_raw(&nf, &q));
}

static void malformed(void)
{
	uint64_t size = nf.chan->data_size, off = nf.buf[0].off;
	struct pvnet_req q;
	uint8_t f[60];

	/* A valid frame in TX buffer 0, so only the descriptor is wrong. */
	frame(f, flood_dst, nf.mac, 1);
	memcpy(nf.data + off, f, sizeof(f));
	expect(raw(0, off, 60), PVNET_S_BAD_TYPE, "type 0 (a zeroed slot)");
	expect(raw(3, off, 60), PVNET_S_BAD_TYPE, "type 3");
	expect(raw(0xffff, off, 60), PVNET_S_BAD_TYPE, "type 0xffff");
	pvnet_req_init(&q, 0, PVNET_TX, off, 60);
	q.flags = 1;
	expect(answer(netfront_send_raw(&nf, &q)), PVNET_S_BAD_FIELD, "TX with flags 1");
	q.flags = 0;
	q.rsvd_0x18[39] = 0x80;
	expect(answer(netfront_send_raw(&nf, &q)), PVNET_S_BAD_FIELD, "TX with the last reserved "
	       "byte set");
	expect(raw(PVNET_TX, off, 0), PVNET_S_SHORT, "TX of 0 bytes");
	expect(raw(PVNET_TX, off, 13), PVNET_S_SHORT, "TX of 13 bytes (under a header)");
	expect(raw(PVNET_TX, off, PVNET_FRAME_MAX + 1), PVNET_S_LONG, "TX of 1515 bytes");
	expect(raw(PVNET_TX, off, 0xffffffffu), PVNET_S_LONG, "TX of 2^32-1 bytes");
	expect(raw(PVNET_TX, size, 60), PVNET_S_DATA, "TX at the data region's end");
	expect(raw(PVNET_TX, size - 30, 60), PVNET_S_DATA, "TX across the data region's end");
	expect(raw(PVNET_TX, 1ull << 63, 60), PVNET_S_DATA, "TX at offset 2^63");
	expect(raw(PVNET_TX, ~0ull - 15, 60), PVNET_S_DATA, "TX at offset 2^64-16 (off+len wraps)");
	expect(raw(PVNET_TX, ~0ull, 14), PVNET_S_DATA, "TX at offset 2^64-1");
	expect(raw(PVNET_RX, off, 100), PVNET_S_SHORT, "RX buffer of 100 bytes");
	expect(raw(PVNET_RX, off, 0), PVNET_S_SHORT, "RX buffer of 0 bytes");
	expect(raw(PVNET_RX, size - 1000, PVNET_FRAME_MAX), PVNET_S_DATA, "RX buffer across the "
	       "data region's end");
	expect(raw(PVNET_RX, ~0ull - 1000, PVNET_FRAME_MAX), PVNET_S_DATA, "RX buffer whose "
	       "off+len wraps");
	expect(send_from(nf.mac, flood_dst), PVNET_S_OK, "a good frame after them");
}

/* ---- the flood ---- */

static void flood(uint64_t seconds, uint64_t spoof_every)
{
	uint64_t t0 = rt_rdtsc(), hz = rt_tsc_hz(), stop = t0 + seconds * hz;
	uint64_t sent = 0, spoofed = 0, busy = 0, kicks = nf.st.kicks, events = nf.st.events;
	uint64_t before[PVNET_S_COUNT_ + 1], got[PVNET_S_COUNT_ + 1], other = 0;
	uint8_t f[60];
	char d[18];
	int i;

	memcpy(before, nf.st.status, sizeof(before));
	rt_printf("nethostile: flood start seconds=%lu dst=%s spoof_every=%lu bufs=%u\n", seconds,
		  mac_str(flood_dst, d), spoof_every, nf.layout.ntx);
	while (rt_rdtsc() < stop && nf.state == NETFRONT_READY) {
		for (;;) {
			bool forge = spoof_every && (sent + 1) % spoof_every == 0;

			frame(f, flood_dst, forge ? victim : nf.mac, (uint32_t)sent);
			i = netfront_queue(&nf, f, sizeof(f));
			if (i < 0)
				break;
			sent++;
			spoofed += forge;
		}
		busy += i == -HV_EBUSY;
		netfront_push(&nf);
		netfront_wait(&nf, stop);
	}
	for (uint64_t end = rt_rdtsc() + ANSWER_S * hz; nf.st.tx_inflight && rt_rdtsc() < end;)
		netfront_wait(&nf, end);
	for (unsigned int s = 0; s <= PVNET_S_COUNT_; s++) {
		got[s] = nf.st.status[s] - before[s];
		if (s != PVNET_S_OK && s != PVNET_S_SPOOFED)
			other += got[s];
	}
	rt_printf("nethostile: flood end frames=%lu ok=%lu spoofed=%lu (forged %lu) other=%lu "
		  "unanswered=%u busy=%lu kicks=%lu events=%lu ms=%lu state=%u\n", sent,
		  got[PVNET_S_OK], got[PVNET_S_SPOOFED], spoofed, other, nf.st.tx_inflight, busy,
		  nf.st.kicks - kicks, nf.st.events - events, (rt_rdtsc() - t0) / (hz / 1000),
		  nf.state);
	rt_report(nf.state == NETFRONT_READY && !nf.st.tx_inflight && !other &&
		  got[PVNET_S_SPOOFED] == spoofed && got[PVNET_S_OK] == sent - spoofed,
		  "flood: %lu frames in %lu s, every one answered (%lu OK, %lu SPOOFED)", sent,
		  seconds, got[PVNET_S_OK], got[PVNET_S_SPOOFED]);
	expect(send_from(nf.mac, flood_dst), PVNET_S_OK, "a good frame after the flood");
}

/* ---- an impossible producer index ---- */

static void jump(void)
{
	struct ring_tx *t = &nf.ring.tx;
	uint32_t bogus = t->pushed + JUMP;
	int64_t after;
	int st;

	__atomic_store_n(&t->mine->prod, bogus, __ATOMIC_RELEASE);
	rt_printf("nethostile: jump: req prod published as %u (really %u)\n", bogus, t->pushed);
	(void)rt_evtchn_send(nf.port);
	rt_delay_us(100000);
	st = send_from(nf.mac, flood_dst);
	after = rt_evtchn_status(nf.port);
	rt_report(st == NO_ANSWER, "jump: producer index %u ahead: a good frame afterwards gets no "
		  "answer in %u s (%d: %s)", JUMP, ANSWER_S, st, name(st));
	rt_report(after >= 0, "jump: the hostile child still runs (link state %u epoch %u)",
		  EVTCHN_STATUS_STATE(after), EVTCHN_STATUS_EPOCH(after));
}

/* ---- main ---- */

int rt_main(void)
{
	char name_buf[32], a[18];
	const char *chan = NULL, *s = opt("chan");
	int ret;

	rt_printf("nethostile: cmdline \"%s\"\n", rt_boot.cmdline);
	if (s) {
		unsigned int i = 0;

		while (s[i] && s[i] != ' ' && i + 1 < sizeof(name_buf))
			name_buf[i] = s[i], i++;
		name_buf[i] = 0;
		chan = name_buf;
	}
	if (!rt_report(opt_mac("victim", victim) && opt_mac("flood_dst", flood_dst),
		       "victim= and flood_dst= are MAC addresses"))
		return rt_summary() ? 1 : 0;
	ret = netfront_open(&nf, chan);
	if (!rt_report(!ret, "open %s (%d)", chan ? chan : "the first pvnet channel", ret))
		return rt_summary() ? 1 : 0;
	rt_printf("nethostile: %s mac %s bufs=%u+%ux%lu data=%lu epoch=%u\n", nf.chan->name,
		  mac_str(nf.mac, a), nf.layout.ntx, nf.layout.nrx, nf.layout.buf_size,
		  nf.chan->data_size, nf.epoch);
	spoofing();
	malformed();
	if (opt_num("flood", 5))
		flood(opt_num("flood", 5), opt_num("flood_spoof", 4));
	if (opt_num("jump", 0))
		jump();
	rt_printf("nethostile: totals: tx %lu ok, %lu refused, %lu lost; rx %lu frames; %lu stray; "
		  "kicks=%lu events=%lu\n", nf.st.tx_frames, nf.st.tx_errors, nf.st.tx_failed,
		  nf.st.rx_frames, nf.st.stray, nf.st.kicks, nf.st.events);
	return rt_summary() ? 1 : 0;
}
