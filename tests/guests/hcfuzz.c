/* SPDX-License-Identifier: MIT */
/* Test guest: random and malformed hypercalls, every result checked against the ABI; with watch=1, the bystander that must outlive the fuzzers. */
#include "guest-drivers/rt/rt.h"

#include "include/abi/evtchn.h"

/*
 * cmdline:
 *   count=N seed=S   the fuzzer: N hypercalls from a xorshift64* stream seeded with S;
 *                    exit status 0 only if every result was the one the ABI promises;
 *   watch=1          the bystander: sleeps on a timer, prints a heartbeat, and once every
 *                    channel peer has come up and gone down again, checks that the
 *                    hypervisor still answers, prints so and exits 0.
 *
 * The oracle. Every call is predictable from the ABI (docs/abi.md, docs/evtchn.md) and
 * what the partition knows of itself (start info, a snapshot of its 256 port states
 * taken before the first random call), so each result is compared with one exact
 * value. A result is *unexpected* when it differs from that value: an error where the
 * call must succeed, a success (zero, positive, garbage) where it must fail, a
 * different error code than the documented one, any negative value that is not an
 * enum hv_errno, or one of the argument registers (RDI, RSI, RDX, R10, R8) changed
 * across the call ("every other register is preserved").
 *
 * Never issued: HC_EXIT (it cannot fail); HC_DEV_IRQ from the service with a BDF and index
 * in range (it owns the machine's devices); HC_VCPU_UP for a vCPU that exists besides
 * vCPU 0 (only 0 and numbers past the last, refused with -HV_EINVAL); HC_PART_STOP/START/RESTART from the service
 * partition with the id of a partition they would act on (only its own id or ids past
 * the last partition, both refused with -HV_EINVAL); HC_PART_LIST with a buffer that
 * would land on the fuzzer's own code or data (a valid one is moved onto a scratch
 * page); HC_CONSOLE_WRITE of more than CONSOLE_CAP valid bytes, and of any valid bytes
 * inside the fuzzer's image or after CONSOLE_BUDGET such writes (the length becomes 0:
 * the log stays short). The numbers with HC_EXIT's low 32 bits and high bits set are
 * issued: they must be -HV_ENOSYS, not an exit.
 */

#define PAGE			0x1000ull
#define PART_LIST_MAX		64u	/* docs/abi.md: max <= 64 */
#define CONSOLE_CAP		16u
#define CONSOLE_BUDGET		24u
#define MAX_REPORTED		16u	/* unexpected results printed in full */
#define UP_WAIT_S		20	/* the peer's link must come up within this */
#define WATCH_TICK_MS		500
#define WATCH_PRINT_EVERY	4	/* heartbeat lines: one per 2 s */
#define WATCH_PRINT_MAX		40

extern const uint8_t _image_start[], _image_end[];

/* ---- the random stream: xorshift64* (Vigna 2014), deterministic from the seed ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* ---- what the partition knows of itself ---- */

static const struct hv_start_info *si;
static uint64_t mem_end;		/* RAM is [0, mem_end) */
static bool is_service;
static uint64_t n_parts;		/* HC_PART_LIST's count (service only) */
static int64_t tsc_hz_want;
static int64_t port_status[EVTCHN_PORTS];	/* the snapshot */
static uint8_t scratch[PAGE] __attribute__((aligned(PAGE)));

_Static_assert(PART_LIST_MAX * sizeof(struct hv_part_status) <= PAGE, "list fits scratch");

/* ---- the hypercall, with the argument registers checked afterwards ---- */

struct call {
	uint64_t nr;
	uint64_t a[5];
};

static int64_t hcall(const struct call *c, bool *clobbered)
{
	register uint64_t r10 __asm__("r10") = c->a[3];
	register uint64_t r8 __asm__("r8") = c->a[4];
	uint64_t rax = c->nr, rdi = c->a[0], rsi = c->a[1], rdx = c->a[2];

	if (rt_amd)
		__asm__ volatile("vmmcall" : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
				 "+r"(r8) : : "memory");
	else
		__asm__ volatile("vmcall" : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
				 "+r"(r8) : : "memory");
	*clobbered = rdi != c->a[0] || rsi != c->a[1] || rdx != c->a[2] || r10 != c->a[3] ||
		     r8 != c->a[4];
	return (int64_t)rax;
}

/* ---- the oracle: the one result the ABI allows for a call ---- */

static bool in_ram(uint64_t gpa, uint64_t len)
{
	return gpa <= mem_end && len <= mem_end - gpa;
}

static int64_t want_console(const struct call *c)
{
	if (c->a[1] > HC_CONSOLE_MAX)
		return -HV_EINVAL;
	return in_ram(c->a[0], c->a[1]) ? 0 : -HV_EFAULT;
}

static int64_t want_port(uint64_t nr, uint64_t port)
{
	uint32_t st;

	if (port == EVTCHN_PORT_NONE || port >= EVTCHN_PORTS)
		return -HV_EINVAL;
	st = EVTCHN_STATUS_STATE(port_status[port]);
	switch (nr) {
	case HC_EVTCHN_SEND:
		if (st == EVTCHN_STATE_VIRQ)
			return -HV_EPERM;
		if (st == EVTCHN_STATE_PEER_DOWN)
			return -HV_ENOENT;
		return st == EVTCHN_STATE_CHANNEL ? 0 : -HV_EINVAL;
	case HC_EVTCHN_UNMASK:
		return st == EVTCHN_STATE_FREE ? -HV_EINVAL : 0;
	default:	/* HC_EVTCHN_STATUS */
		return port_status[port];
	}
}

static int64_t want_life(const struct call *c)
{
	if (!is_service)
		return -HV_EPERM;
	return -HV_EINVAL;	/* make_safe left only its own id or ids past the last */
}

static int64_t want_part_list(const struct call *c)
{
	if (!is_service)
		return -HV_EPERM;
	if (c->a[1] > PART_LIST_MAX)
		return -HV_EINVAL;
	return in_ram(c->a[0], c->a[1] * sizeof(struct hv_part_status)) ? (int64_t)n_parts
									    : -HV_EFAULT;
}

static int64_t want(const struct call *c)
{
	switch (c->nr) {
	case HC_VERSION: return HV_ABI_VERSION;
	case HC_CONSOLE_WRITE: return want_console(c);
	case HC_TIMER_ONESHOT:	/* vector 0: the timer event port (a manifest partition) */
		return c->a[0] && c->a[1] && (c->a[1] < 32 || c->a[1] > 255) ? -HV_EINVAL : 0;
	case HC_VCPU_UP:	/* make_safe left only vCPU 0 or numbers past the last */
		return -HV_EINVAL;
	case HC_DEV_IRQ:	/* the fuzzers own no device: refused, after the range checks */
		return c->a[0] > 0xffff || c->a[1] > 0x7ff ? -HV_EINVAL : -HV_EPERM;
	case HC_TSC_HZ: return tsc_hz_want;
	case HC_EVTCHN_SEND:
	case HC_EVTCHN_UNMASK:
	case HC_EVTCHN_STATUS:
		return want_port(c->nr, c->a[0]);
	case HC_EVTCHN_UPCALL:
		return c->a[0] == 0 || (c->a[0] >= 32 && c->a[0] <= 255) ? 0 : -HV_EINVAL;
	case HC_PART_LIST: return want_part_list(c);
	case HC_PART_STOP:
	case HC_PART_START:
	case HC_PART_RESTART:
		return want_life(c);
	default: return -HV_ENOSYS;	/* HC_EXIT is never issued (make_safe) */
	}
}

/* ---- generating calls ---- */

static const uint64_t valid_nrs[] = {
	HC_VERSION, HC_CONSOLE_WRITE, HC_TIMER_ONESHOT, HC_TSC_HZ, HC_VCPU_UP, HC_DEV_IRQ,
	HC_EVTCHN_SEND,
	HC_EVTCHN_UNMASK, HC_EVTCHN_STATUS, HC_EVTCHN_UPCALL, HC_PART_LIST, HC_PART_STOP,
	HC_PART_START, HC_PART_RESTART,
};
#define N_VALID_NRS	(sizeof(valid_nrs) / sizeof(valid_nrs[0]))

static uint64_t edges[96];
static unsigned int n_edges;

static void add_edge(uint64_t v)
{
	if (n_edges < sizeof(edges) / sizeof(edges[0]))
		edges[n_edges++] = v;
}

/*
 * Values where checks go wrong: zero, all ones, sign and width boundaries, the ends of
 * the partition's memory and of its pages, its fixed pages, its channel windows, the
 * window of a channel it may not have, device and hypervisor-looking addresses, ports
 * around every class boundary, vectors around 32 and 255, console and list limits.
 */
static void edges_init(void)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 7, 8, 31, 32, 33, 63, 64, 65, 66, 127, 128, 255, 256, 257,
		0xfff, 0x1000, 0x1001, 0x8000, 0x9000, 0xa000, 0xa550, 0xffff, 0x10000,
		0x9fc00, 0x100000, HC_CONSOLE_MAX - 1, HC_CONSOLE_MAX, HC_CONSOLE_MAX + 1,
		PART_LIST_MAX, PART_LIST_MAX + 1, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ull, 0x100000040ull, 0xc0000000, 0xc4000000, 0xfec00000, 0xfee00000,
		0xfed80000, 0x3ffff000, 0x40000000, 0x7fffffffffffffffull, 0x8000000000000000ull,
		0x0000800000000000ull, 0xffff800000000000ull, 0xffffffff80000000ull,
		0xffffffff80100000ull, 0xfffffffffffff000ull, 0xfffffffffffffff0ull,
		~0ull - 1, ~0ull,
	};

	for (unsigned int i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_edge(fixed[i]);
	add_edge(mem_end);
	add_edge(mem_end - 1);
	add_edge(mem_end + 1);
	add_edge(mem_end - PAGE);
	add_edge(mem_end + PAGE);
	add_edge(2 * mem_end);
	add_edge((uintptr_t)scratch);
	add_edge((uintptr_t)_image_start);
	add_edge((uintptr_t)_image_end);
	for (uint32_t i = 0; i < si->nchannels; i++) {
		add_edge(si->chan[i].ring_gpa);
		add_edge(si->chan[i].data_gpa + si->chan[i].data_size);
		add_edge(si->chan[i].port);
		add_edge((uint64_t)si->chan[i].port + (1ull << 32));
	}
}

/* An argument: mostly an edge, an edge nudged by a little, or random of any magnitude. */
static uint64_t rnd_arg(void)
{
	switch (rnd_below(8)) {
	case 0: case 1: case 2: case 3:
		return edges[rnd_below(n_edges)];
	case 4:
		return edges[rnd_below(n_edges)] + rnd_below(7) - 3;
	case 5:
		return rnd() >> rnd_below(64);
	case 6:
		return rnd_below(300);
	default:
		return rnd();
	}
}

static uint64_t rnd_nr(void)
{
	uint64_t nr;

	switch (rnd_below(16)) {
	case 10: case 11:
		nr = rnd_below(64);	/* the holes among the numbers too */
		break;
	case 12:
		nr = HC_COUNT + rnd_below(4);
		break;
	case 13:	/* a valid number's low 32 bits, with high bits set */
		nr = valid_nrs[rnd_below(N_VALID_NRS)] | (rnd() | 1) << 32;
		break;
	case 14:
		nr = 0 - rnd_below(4) - 1;
		break;
	case 15:
		nr = rnd();
		break;
	default:
		nr = valid_nrs[rnd_below(N_VALID_NRS)];
		break;
	}
	return nr == HC_EXIT ? HC_EXIT | 1ull << 32 : nr;
}

static uint64_t console_budget = CONSOLE_BUDGET;
static uint64_t n_trimmed;	/* valid console writes whose length was cut */
static bool console_dirty;	/* garbage may sit in the hypervisor's line buffer */

static bool in_image(uint64_t gpa, uint64_t len)
{
	return gpa < (uintptr_t)_image_end && gpa + len > (uintptr_t)_image_start;
}

/* Turns the calls that would act on others, or flood the log, into harmless ones. */
static void make_safe(struct call *c)
{
	if (c->nr == HC_CONSOLE_WRITE && c->a[1] && want_console(c) == 0) {
		if (!console_budget || in_image(c->a[0], c->a[1])) {
			c->a[1] = 0;
		} else {
			console_budget--;
			if (c->a[1] > CONSOLE_CAP)
				c->a[1] = CONSOLE_CAP;
			console_dirty = true;
		}
		n_trimmed++;
	}
	/* A secondary vCPU would start at a random rip: only ones that do not exist. */
	if (c->nr == HC_VCPU_UP && c->a[0] && c->a[0] < si->nvcpus)
		c->a[0] = rnd_below(2) ? 0 : si->nvcpus + rnd_below(1ull << rnd_below(64));
	if (!is_service)
		return;
	/* The service owns the machine's devices: never route a real one's interrupt. */
	if (c->nr == HC_DEV_IRQ && c->a[0] <= 0xffff && c->a[1] <= 0x7ff)
		c->a[0] |= 0x10000;
	if (c->nr == HC_PART_LIST && c->a[1] && want_part_list(c) >= 0)
		c->a[0] = (uintptr_t)scratch;
	if ((c->nr == HC_PART_STOP || c->nr == HC_PART_START || c->nr == HC_PART_RESTART) &&
	    c->a[0] < n_parts && c->a[0] != si->partition_id)
		c->a[0] = rnd_below(2) ? si->partition_id : n_parts + rnd_below(1ull << rnd_below(64));
}

static void rnd_call(struct call *c)
{
	c->nr = rnd_nr();
	for (unsigned int i = 0; i < 5; i++)
		c->a[i] = rnd_arg();
	/* A length that wraps the address space past 2^64 back to near 0. */
	if (c->nr == HC_CONSOLE_WRITE && rnd_below(8) == 0)
		c->a[1] = 0 - c->a[0] + rnd_below(32);
	make_safe(c);
}

/* ---- counting and reporting ---- */

#define ERRNO_SLOTS	128

static uint64_t n_calls, n_ok, n_err, n_unexpected, n_undocumented, n_clobbered;
static uint64_t by_errno[ERRNO_SLOTS];	/* [e]: results -e */
static uint64_t n_other_neg;		/* negative results below -127 */
static uint64_t by_nr_calls[N_VALID_NRS + 1], by_nr_ok[N_VALID_NRS + 1];

static const char *errno_name(uint64_t e)
{
	switch (e) {
	case HV_EPERM: return "EPERM";
	case HV_ENOENT: return "ENOENT";
	case HV_EIO: return "EIO";
	case HV_E2BIG: return "E2BIG";
	case HV_ENOMEM: return "ENOMEM";
	case HV_EFAULT: return "EFAULT";
	case HV_EBUSY: return "EBUSY";
	case HV_EEXIST: return "EEXIST";
	case HV_EINVAL: return "EINVAL";
	case HV_ERANGE: return "ERANGE";
	case HV_ENOSYS: return "ENOSYS";
	case HV_EBADMSG: return "EBADMSG";
	case HV_ENOTSUP: return "ENOTSUP";
	default: return "";
	}
}

static const char *nr_name(unsigned int slot)
{
	static const char *const names[] = {
		"VERSION", "CONSOLE_WRITE", "TIMER_ONESHOT", "TSC_HZ", "VCPU_UP", "DEV_IRQ", "EVTCHN_SEND",
		"EVTCHN_UNMASK", "EVTCHN_STATUS", "EVTCHN_UPCALL", "PART_LIST", "PART_STOP",
		"PART_START", "PART_RESTART", "(unassigned)",
	};
	_Static_assert(sizeof(names) / sizeof(names[0]) == N_VALID_NRS + 1, "a name per call");

	return names[slot];
}

static unsigned int nr_slot(uint64_t nr)
{
	for (unsigned int i = 0; i < N_VALID_NRS; i++)
		if (valid_nrs[i] == nr)
			return i;
	return N_VALID_NRS;
}

/* Ends any garbage line a console-write call left in the hypervisor's line buffer. */
static void console_clean(void)
{
	static const char nl = '\n';

	rt_flush();
	if (console_dirty)
		(void)rt_console_write(&nl, 1);
	console_dirty = false;
}

static void count(const struct call *c, int64_t got, int64_t exp, bool clobbered)
{
	unsigned int slot = nr_slot(c->nr);
	bool bad = got != exp || clobbered;

	n_calls++;
	by_nr_calls[slot]++;
	if (got >= 0) {
		n_ok++;
		by_nr_ok[slot]++;
	} else {
		n_err++;
		if (got >= -(ERRNO_SLOTS - 1) && *errno_name((uint64_t)-got)) {
			by_errno[-got]++;
		} else {
			n_other_neg++;
			n_undocumented++;
			bad = true;
		}
	}
	n_clobbered += clobbered;
	if (!bad)
		return;
	if (n_unexpected++ < MAX_REPORTED) {
		console_clean();
		rt_printf("hcfuzz: unexpected call %lu: nr=0x%lx args 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx"
			  " -> %ld, want %ld%s\n", n_calls - 1, c->nr, c->a[0], c->a[1], c->a[2],
			  c->a[3], c->a[4], got, exp, clobbered ? " (argument registers changed)" : "");
	}
}

static void print_table(void)
{
	console_clean();
	for (unsigned int e = 1; e < ERRNO_SLOTS; e++)
		if (by_errno[e])
			rt_printf("hcfuzz: result -%u %s count=%lu\n", e, errno_name(e), by_errno[e]);
	if (n_other_neg)
		rt_printf("hcfuzz: result undocumented-negative count=%lu\n", n_other_neg);
	rt_printf("hcfuzz: result ok count=%lu\n", n_ok);
	for (unsigned int i = 0; i <= N_VALID_NRS; i++)
		rt_printf("hcfuzz: call %s calls=%lu ok=%lu errors=%lu\n", nr_name(i),
			  by_nr_calls[i], by_nr_ok[i], by_nr_calls[i] - by_nr_ok[i]);
}

/* ---- setting up: the snapshot the oracle reads ---- */

/* Waits for every channel port to be up; false if one is not within UP_WAIT_S. */
static bool wait_links_up(void)
{
	uint64_t end = rt_rdtsc() + UP_WAIT_S * rt_tsc_hz();

	for (uint32_t i = 0; i < si->nchannels; i++)
		while (EVTCHN_STATUS_STATE(rt_evtchn_status(si->chan[i].port)) != EVTCHN_STATE_CHANNEL)
			if (rt_rdtsc() > end)
				return false;
	return true;
}

static bool snapshot_ports(void)
{
	bool ok = true;

	for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
		port_status[p] = rt_evtchn_status(p);
		if (port_status[p] < 0) {
			rt_printf("hcfuzz: EVTCHN_STATUS(%u) = %ld\n", p, port_status[p]);
			ok = false;
		}
	}
	return ok;
}

static bool snapshot_same(void)
{
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++)
		if (rt_evtchn_status(p) != port_status[p]) {
			rt_printf("hcfuzz: port %u status 0x%lx, was 0x%lx\n", p, rt_evtchn_status(p),
				  port_status[p]);
			return false;
		}
	return true;
}

static bool setup(void)
{
	tsc_hz_want = rt_hypercall(HC_TSC_HZ, 0, 0, 0, 0, 0);
	if (tsc_hz_want <= 0) {
		rt_printf("hcfuzz: HC_TSC_HZ = %ld\n", tsc_hz_want);
		return false;
	}
	if (is_service) {
		int64_t n = rt_hypercall(HC_PART_LIST, (uintptr_t)scratch, PART_LIST_MAX, 0, 0, 0);

		if (n <= 0 || n > PART_LIST_MAX || si->partition_id >= (uint64_t)n) {
			rt_printf("hcfuzz: HC_PART_LIST = %ld\n", n);
			return false;
		}
		n_parts = (uint64_t)n;
	}
	if (!wait_links_up()) {
		rt_printf("hcfuzz: a channel peer did not come up in %u s\n", UP_WAIT_S);
		return false;
	}
	return snapshot_ports();
}

/*
 * Interrupts. The fuzzer arms timers and upcall vectors at random (HC_TIMER_ONESHOT,
 * HC_EVTCHN_UPCALL with any vector from 32 to 255), and its channel port is pending
 * from the start (the peer's link coming up notifies it), so a valid HC_EVTCHN_UPCALL
 * raises an upcall at once. It runs with IF=1 and takes them all: an IDT of 256
 * gates, the runtime's for the exceptions (an exception still ends it, reported), and
 * for every vector from 32 one stub that counts and returns. IF=1 also matters on
 * Bochs, which makes no exit for a host interrupt while the guest has IF=0
 * (tests/guests/lifechild.c): the scheduler could then never give cpu 1 to the
 * bystander.
 */
uint64_t hcfuzz_irqs;

void hcfuzz_irq_stub(void);
__asm__(".pushsection .text\n"
	".balign 16\n"
	"hcfuzz_irq_stub:\n"
	"\tlock incq hcfuzz_irqs(%rip)\n"
	"\tiretq\n"
	".popsection");

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd_0xc;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM vol 3A 6.14.1");

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void idt_take_all(void)
{
	struct rt_desc_ptr old, p = { sizeof(idt) - 1, (uintptr_t)idt };
	uint64_t a = (uintptr_t)hcfuzz_irq_stub;

	__asm__ volatile("sidt %0" : "=m"(old));
	memcpy(idt, (const void *)(uintptr_t)old.base, RT_IRQ_BASE * sizeof(idt[0]));
	for (unsigned int v = RT_IRQ_BASE; v < 256; v++)
		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a, .sel = RT_SEL_CODE64, .type = 0x8e,	/* int gate */
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	rt_lidt(&p);
}

static int fuzz(uint64_t n, uint64_t seed)
{
	uint64_t t0, ticks, quarter = n / 4 ? n / 4 : 1;
	struct call c;
	bool clobbered;
	int64_t got;

	rng_state = seed ? seed : 1;
	edges_init();
	rt_printf("hcfuzz: %s partition %u, %lu MiB, %u channel(s): %lu calls, seed %lu, %u edge values\n",
		  is_service ? "service" : "child", si->partition_id, mem_end >> 20, si->nchannels,
		  n, seed, n_edges);
	idt_take_all();
	rt_sti();
	t0 = rt_rdtsc();
	for (uint64_t i = 0; i < n; i++) {
		rnd_call(&c);
		got = hcall(&c, &clobbered);
		count(&c, got, want(&c), clobbered);
		if ((i + 1) % quarter == 0 && i + 1 < n) {
			console_clean();
			rt_printf("hcfuzz: progress %lu/%lu unexpected=%lu\n", i + 1, n, n_unexpected);
		}
	}
	ticks = rt_rdtsc() - t0;
	/* Leave nothing armed: no timer, no upcall vector; then what was raised comes in. */
	(void)rt_timer_oneshot(0, 0);
	(void)rt_hypercall(HC_EVTCHN_UPCALL, 0, 0, 0, 0, 0);
	(void)rt_hypercall(HC_VERSION, 0, 0, 0, 0, 0);
	rt_cli();
	print_table();
	if (!snapshot_same())
		n_unexpected++;

	rt_printf("hcfuzz: %lu console writes trimmed, %lu undocumented errors, %lu clobbered registers, %lu interrupts taken, %lu ms of TSC\n",
		  n_trimmed, n_undocumented, n_clobbered, __atomic_load_n(&hcfuzz_irqs, __ATOMIC_RELAXED),
		  ticks / (uint64_t)(tsc_hz_want / 1000));
	rt_printf("hcfuzz: calls=%lu ok=%lu errors=%lu unexpected=%lu\n", n_calls, n_ok, n_err,
		  n_unexpected);
	return n_unexpected ? 1 : 0;
}

/* ---- watch=1: the bystander ---- */

/*
 * The channels whose peer has ended: the link is down and was up once (its epoch is not
 * 0, docs/evtchn.md). Bit i: channel i.
 */
static uint32_t peers_gone(void)
{
	uint32_t gone = 0;

	for (uint32_t i = 0; i < si->nchannels; i++) {
		int64_t st = rt_evtchn_status(si->chan[i].port);

		if (st >= 0 && EVTCHN_STATUS_STATE(st) == EVTCHN_STATE_PEER_DOWN &&
		    EVTCHN_STATUS_EPOCH(st))
			gone |= 1u << i;
	}
	return gone;
}

static int watch(void)
{
	uint32_t all = (1u << si->nchannels) - 1, gone = 0, now;
	uint64_t tick = rt_tsc_hz() / 1000 * WATCH_TICK_MS, next = rt_rdtsc(), n = 0;
	int64_t v, s;

	rt_printf("watch: %u channel peer(s); waiting for them to come and go\n", si->nchannels);
	if (!si->nchannels)
		return 1;
	while (gone != all) {
		next += tick;
		while (!rt_wait_event_until(next))
			;
		now = peers_gone();
		for (uint32_t i = 0; i < si->nchannels; i++)
			if ((now & ~gone) >> i & 1)
				rt_printf("watch: peer %u (channel %s) ended\n", si->chan[i].peer,
					  si->chan[i].name);
		gone |= now;
		if (++n % WATCH_PRINT_EVERY == 0 && n / WATCH_PRINT_EVERY <= WATCH_PRINT_MAX)
			rt_printf("watch: alive, tick %lu, port %u status 0x%lx\n", n, si->chan[0].port,
				  rt_evtchn_status(si->chan[0].port));
	}
	v = rt_hypercall(HC_VERSION, 0, 0, 0, 0, 0);
	s = rt_evtchn_send(si->chan[0].port);
	rt_printf("watch: all peers ended; still running after %lu ticks: HC_VERSION=%ld, send to a gone peer=%ld\n",
		  n, v, s);
	return v == HV_ABI_VERSION && s == -HV_ENOENT ? 0 : 1;
}

int rt_main(void)
{
	uint64_t n = 0, seed = 1, w = 0;

	si = rt_start_info();
	if (!si) {
		rt_printf("hcfuzz: no start info: not started from a manifest\n");
		return 2;
	}
	mem_end = si->mem_size;
	is_service = si->role == HV_ROLE_SERVICE;
	if (rt_cmdline_u64("watch", &w) && w)
		return watch();
	if (!rt_cmdline_u64("count", &n)) {
		rt_printf("hcfuzz: no count=N on the command line\n");
		return 2;
	}
	(void)rt_cmdline_u64("seed", &seed);
	if (!setup())
		return 1;
	return fuzz(n, seed);
}
