/* SPDX-License-Identifier: MIT */
/* The partition runtime's view of itself: the start-info page, checked and copied, and command-line keys. */
#include "guest-drivers/rt/rt.h"

#include "include/abi/evtchn.h"

#define KIB		1024ull
#define MIB		(1024 * KIB)
#define PAGE		(4 * KIB)
/* The manifest's limits (docs/manifest.md), which the hypervisor applied already. */
#define RING_MIN	(4 * KIB)
#define RING_MAX	MIB
#define DATA_MAX	(64 * MIB)

/*
 * A copy, so that what rt_main reads was checked and cannot change under it; the page
 * is the partition's own memory, but a stray write of the guest's could still hit it.
 */
static struct hv_start_info info;
static bool have_info;
static uint32_t chan_valid;	/* bit i: info.chan[i] passed check_channel */

_Static_assert(HV_START_MAX_CHANNELS <= 32, "chan_valid has a bit per channel");

/* The start-info address from CPUID 0x40000001 EBX, 0 if this hypervisor gives none. */
static uint64_t start_info_gpa(void)
{
	struct rt_cpuid base = rt_cpuid(HV_CPUID_BASE, 0);

	if (base.ebx != HV_SIGNATURE_EBX || base.ecx != HV_SIGNATURE_ECX ||
	    base.edx != HV_SIGNATURE_EDX || base.eax < HV_CPUID_VERSION)
		return 0;
	return rt_cpuid(HV_CPUID_VERSION, 0).ebx;
}

static bool has_nul(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i])
			return true;
	return false;
}

/* NULL if the header holds together, else why not. */
static const char *check_header(const struct hv_start_info *si)
{
	uint64_t ev = si->evtchn_page_gpa;

	if (si->magic != HV_START_MAGIC)
		return "bad magic";
	if (si->version != HV_START_VERSION)
		return "unknown version";
	if (si->nchannels > HV_START_MAX_CHANNELS)
		return "more channels than the page holds";
	if (!si->nvcpus)
		return "no vCPUs";
	if (!has_nul(si->name, sizeof(si->name)))
		return "name not terminated";
	if (ev % PAGE || ev >= RT_MAP_SIZE || ev >= si->mem_size)
		return "event page outside mapped memory";
	return 0;
}

/* The regions must lie in the channel windows entry.S maps; the sizes follow the manifest. */
static const char *check_regions(const struct hv_start_channel *c)
{
	if (c->ring_size < RING_MIN || c->ring_size > RING_MAX || (c->ring_size & (c->ring_size - 1)))
		return "ring size not a power of two from 4K to 1M";
	if (!c->data_size || c->data_size % PAGE || c->data_size > DATA_MAX)
		return "data size not a multiple of 4K up to 64M";
	if (c->ring_gpa < RT_CHAN_BASE || c->ring_gpa >= RT_CHAN_END || c->ring_gpa % PAGE)
		return "ring outside the channel windows";
	if (c->data_gpa < c->ring_gpa + c->ring_size || c->data_gpa % PAGE ||
	    c->data_gpa > RT_CHAN_END || c->data_size > RT_CHAN_END - c->data_gpa)
		return "data region overlaps the ring or leaves the channel windows";
	return 0;
}

static const char *check_channel(const struct hv_start_channel *c)
{
	if (!has_nul(c->name, sizeof(c->name)))
		return "name not terminated";
	if (c->type > HV_CHAN_PVNET || c->backend > 1)
		return "unknown type or end";
	if (c->port < EVTCHN_PORT_DYN_FIRST || c->port >= EVTCHN_PORTS)
		return "not a channel port";
	return check_regions(c);
}

void rt_start_info_read(void)
{
	uint64_t gpa = start_info_gpa();
	const char *why;

	if (!gpa)
		return;
	if (gpa % PAGE || gpa >= RT_MAP_SIZE) {
		rt_printf("rt: start info at 0x%lx: outside mapped memory, ignored\n", gpa);
		return;
	}
	info = *(const struct hv_start_info *)(uintptr_t)gpa;
	why = check_header(&info);
	if (why) {
		rt_printf("rt: start info at 0x%lx: %s, ignored\n", gpa, why);
		return;
	}
	have_info = true;
	for (uint32_t i = 0; i < info.nchannels; i++) {
		why = check_channel(&info.chan[i]);
		if (why)
			rt_printf("rt: start info: channel %u: %s, ignored\n", i, why);
		else
			chan_valid |= 1u << i;
	}
}

const struct hv_start_info *rt_start_info(void)
{
	return have_info ? &info : 0;
}

const struct hv_start_channel *rt_channel(uint32_t i)
{
	if (!have_info || i >= info.nchannels || !(chan_valid >> i & 1))
		return 0;
	return &info.chan[i];
}

const struct hv_start_channel *rt_channel_find(const char *name)
{
	for (uint32_t i = 0; i < HV_START_MAX_CHANNELS; i++)
		if (rt_channel(i) && rt_str_eq(info.chan[i].name, name))
			return &info.chan[i];
	return 0;
}

/* ---- command line: KEY=NUMBER words ---- */

/* The text after "key=" if word (ended by a space or NUL) starts with it, else NULL. */
static const char *after_key(const char *word, const char *key)
{
	while (*key && *word == *key) {
		word++;
		key++;
	}
	return !*key && *word == '=' ? word + 1 : 0;
}

/* Decimal digits up to a space or NUL, without overflow. */
static bool parse_dec(const char *s, uint64_t *val)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s && *s != ' '; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*val = v;
	return true;
}

bool rt_cmdline_u64(const char *key, uint64_t *val)
{
	const char *s = rt_boot.cmdline, *v;

	while (*s) {
		while (*s == ' ')
			s++;
		v = after_key(s, key);
		if (v && parse_dec(v, val))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

uint64_t rt_dma_addr(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (!have_info)
		return a;	/* no start info: nothing says otherwise */
	if (a < info.mem_size)
		return info.ram_dma + a;
	for (uint32_t i = 0; i < info.nchannels; i++) {
		const struct hv_start_channel *c = rt_channel(i);

		if (c && a >= c->ring_gpa && a - c->ring_gpa < c->ring_size + c->data_size)
			return info.chan_dma[i] + (a - c->ring_gpa);
	}
	return RT_DMA_NONE;
}
