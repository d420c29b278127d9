/* SPDX-License-Identifier: MIT */
/* Test guest: a child reading guest-physical memory it does not own, one probe per run, must be stopped each time; watch=1 and hold=1 are the bystanders. */
#include "guest-drivers/rt/rt.h"

#include "include/abi/evtchn.h"

/*
 * cmdline (tests/manifests/peek.hvm):
 *   (none)    the peeker: run N (its start info's restarts) reads probe N below; the
 *             hypervisor must stop it, its restart policy starts it again for the next
 *             probe. After the last probe it reads its own channel window (it is
 *             mapped), writes PEEK_DONE in it for the watcher and exits 0;
 *   watch=1   the bystander on the other CPU, an end of the peeker's channel and of
 *             one the peeker is not in: waits for PEEK_DONE and the peeker's link to
 *             go down, says how many lives the link had, exits 0;
 *   hold=1    the other end of watch's second channel: waits for watch to end.
 *
 * The peeker never learns where any other partition lives in host memory (nothing in
 * the ABI says), so it guesses guest-physical addresses. A value read from any of
 * them would be printed as "peek: read succeeded ..."; the scenarios reject it.
 */

#define PEEK_DONE		0x454e4f444b454550ull	/* "PEEKDONE" */
#define TICK_MS			250
#define WAIT_TICKS		2400	/* 10 min of TSC: the scenario's timeout comes first */

#define PTE_P			0x001ull
#define PTE_W			0x002ull
#define PTE_PS			0x080ull
#define PTE_ADDR		0x000ffffffffff000ull
#define GIB			0x40000000ull
#define MIB			0x100000ull
#define FAR_GPA			(128 * GIB)

struct probe {
	const char *what;
	uint64_t gpa;		/* 0: computed from the memory size */
};

static uint64_t mem_end;

/* [0, mem_end) is this partition's; channel 1 (spy) at 0x1004000000 is its only window. */
static uint64_t probe_gpa(unsigned int i, const char **what)
{
	switch (i) {
	case 0: *what = "just past the end of its memory"; return mem_end;
	case 1: *what = "8 bytes straddling the end of its memory"; return mem_end - 4;
	case 2: *what = "where the next partition sits in host memory (0x200000 + 16 MiB + 2 MiB gap)";
		return mem_end + 2 * MIB;
	case 3: *what = "far above: 128 GiB"; return FAR_GPA;
	case 4: *what = "the window of channel 0 (watch<->hold), which it is no end of";
		return HV_CHANNEL_BASE_GPA;
	default: return 0;
	}
}
#define N_PROBES	5

/* entry.S maps [0, 1 GiB), [3, 4 GiB) and the windows at 64 GiB; 128 GiB gets a page here. */
static uint64_t far_pd[512] __attribute__((aligned(4096)));

static void map_far(void)
{
	uint64_t cr3, *pml4, *pdpt;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(uintptr_t)(cr3 & PTE_ADDR);
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR);
	far_pd[0] = FAR_GPA | PTE_P | PTE_W | PTE_PS;
	pdpt[FAR_GPA / GIB] = (uintptr_t)far_pd | PTE_P | PTE_W;
	__asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

static const struct hv_start_channel *spy_channel(void)
{
	return rt_channel_find("spy");
}

static int peek(const struct hv_start_info *si)
{
	unsigned int run = si->restarts;
	const struct hv_start_channel *spy = spy_channel();
	const char *what = "";
	uint64_t gpa, v;

	mem_end = si->mem_size;
	if (!spy) {
		rt_printf("peek: no spy channel\n");
		return 2;
	}
	if (run >= N_PROBES) {
		volatile uint64_t *w = rt_channel_data(spy);

		/* Its own window is mapped: reading and writing it must work. */
		v = *w;
		*w = PEEK_DONE;
		rt_printf("peek: run %u: all %u probes done; own window at 0x%lx read 0x%lx, done written\n",
			  run, N_PROBES, spy->data_gpa, v);
		return 0;
	}
	gpa = probe_gpa(run, &what);
	map_far();
	rt_printf("peek: run %u: memory ends at 0x%lx; reading gpa 0x%lx (%s): must be stopped\n",
		  run, mem_end, gpa, what);
	rt_flush();
	v = *(volatile uint64_t *)(uintptr_t)gpa;
	rt_printf("peek: read succeeded at gpa 0x%lx: 0x%lx\n", gpa, v);
	return 1;
}

/* ---- the bystanders ---- */

static int64_t port_status(const struct hv_start_channel *c)
{
	return rt_evtchn_status(c->port);
}

static bool link_gone(const struct hv_start_channel *c)
{
	int64_t st = port_status(c);

	return st >= 0 && EVTCHN_STATUS_STATE(st) == EVTCHN_STATE_PEER_DOWN &&
	       EVTCHN_STATUS_EPOCH(st) != 0;
}

static bool tick(uint64_t *next)
{
	*next += rt_tsc_hz() / 1000 * TICK_MS;
	while (!rt_wait_event_until(*next))
		;
	return true;
}

static int watch(void)
{
	const struct hv_start_channel *spy = spy_channel(), *link = rt_channel_find("link");
	volatile uint64_t *done;
	uint64_t next = rt_rdtsc();
	int64_t st, sent;
	unsigned int n;

	if (!spy || !link) {
		rt_printf("watch: channels spy and link expected\n");
		return 2;
	}
	done = rt_channel_data(spy);
	rt_printf("watch: waiting for peek to finish its probes\n");
	for (n = 1; n <= WAIT_TICKS && tick(&next); n++) {
		if (n % 2 == 0 && n <= 80)
			rt_printf("watch: alive, tick %u, spy link status 0x%lx\n", n, port_status(spy));
		if (*done == PEEK_DONE && link_gone(spy))
			break;
	}
	st = port_status(spy);
	sent = rt_evtchn_send(link->port);
	rt_printf("watch: peek finished: spy link epoch %u, state %u; still running after %u ticks; send on link=%ld\n",
		  EVTCHN_STATUS_EPOCH(st), EVTCHN_STATUS_STATE(st), n, sent);
	return n <= WAIT_TICKS && sent == 0 ? 0 : 1;
}

static int hold(void)
{
	const struct hv_start_channel *link = rt_channel_find("link");
	uint64_t next = rt_rdtsc();
	unsigned int n;

	if (!link) {
		rt_printf("hold: channel link expected\n");
		return 2;
	}
	for (n = 1; n <= WAIT_TICKS && tick(&next); n++)
		if (link_gone(link))
			break;
	rt_printf("hold: watch ended; exiting\n");
	return n <= WAIT_TICKS ? 0 : 1;
}

int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint64_t flag = 0;

	if (!si) {
		rt_printf("peek: no start info: not started from a manifest\n");
		return 2;
	}
	if (rt_cmdline_u64("watch", &flag) && flag)
		return watch();
	if (rt_cmdline_u64("hold", &flag) && flag)
		return hold();
	return peek(si);
}
