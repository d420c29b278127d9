/* SPDX-License-Identifier: MIT */
/* The partition runtime's C half: start-up, multiboot info, console, hypercalls, traps, reports. */
#include "guest-drivers/rt/rt.h"

#include "vmm/format.h"

struct rt_boot_info rt_boot;
bool rt_amd;

/*
 * rt_catch's state, shared with entry.S: the stack pointer to resume the active catch
 * with (0: none) and where to record its fault. One vCPU, so no locking.
 */
uint64_t rt_catch_sp;
struct rt_fault *rt_catch_fault;

extern const uint8_t rt_trap_stubs[];
extern const uint8_t rt_catch_resume[];

/* ---- multiboot 1 information (multiboot spec 0.6.96, sec. 3.3) ---- */

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB below 640 KiB / from 1 MiB to the first hole */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};
_Static_assert(offsetof(struct mb1_info, cmdline) == 16, "multiboot spec 3.3");
_Static_assert(offsetof(struct mb1_info, mmap_addr) == 48, "multiboot spec 3.3");

/* An entry's size field excludes itself: the next entry is at entry + size + 4. */
struct mb1_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;		/* 1: available RAM */
} __attribute__((packed));
_Static_assert(sizeof(struct mb1_mmap) == 24, "multiboot spec 3.3");

#define MB1_MMAP_AVAILABLE	1

/* Inside the 1:1 map, without wrapping. (Outside its own memory the guest is stopped.) */
static bool readable(uint64_t gpa, uint64_t len)
{
	return gpa < RT_MAP_SIZE && len <= RT_MAP_SIZE - gpa;
}

static void read_cmdline(uint32_t gpa)
{
	const char *s = (const char *)(uintptr_t)gpa;
	size_t i;

	for (i = 0; i + 1 < sizeof(rt_boot.cmdline) && readable(gpa + i, 1) && s[i]; i++)
		rt_boot.cmdline[i] = s[i];
	rt_boot.cmdline[i] = '\0';
}

static void read_mmap(uint32_t gpa, uint32_t length)
{
	uint64_t off = 0, end;

	while (off + sizeof(struct mb1_mmap) <= length) {
		const struct mb1_mmap *e = (const void *)(uintptr_t)(gpa + off);

		if (!readable(gpa + off, sizeof(*e)) || e->size < sizeof(*e) - 4)
			return;
		rt_boot.mmap_entries++;
		if (e->type == MB1_MMAP_AVAILABLE) {
			end = e->addr + e->len;
			rt_boot.ram_bytes += e->len;
			if (end > rt_boot.ram_end)
				rt_boot.ram_end = end;
		}
		off += 4 + (uint64_t)e->size;
	}
}

static void read_boot_info(uint32_t magic, uint32_t info_gpa)
{
	const struct mb1_info *mb = (const void *)(uintptr_t)info_gpa;

	rt_boot.magic = magic;
	rt_boot.info_gpa = info_gpa;
	if (magic != RT_MB1_MAGIC || !readable(info_gpa, sizeof(*mb)))
		return;
	rt_boot.flags = mb->flags;
	if (mb->flags & RT_MB1_FLAG_MEM) {
		rt_boot.mem_lower_kib = mb->mem_lower;
		rt_boot.mem_upper_kib = mb->mem_upper;
	}
	if (mb->flags & RT_MB1_FLAG_CMDLINE)
		read_cmdline(mb->cmdline);
	if (mb->flags & RT_MB1_FLAG_MMAP)
		read_mmap(mb->mmap_addr, mb->mmap_length);
}

/* ---- hypercalls ---- */

int64_t rt_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (rt_amd)
		return rt_vmmcall(nr, a0, a1, a2, a3, a4);
	return rt_vmcall(nr, a0, a1, a2, a3, a4);
}

/* Guest-physical = virtual under entry.S's map, so a pointer is its own address. */
int64_t rt_console_write(const void *buf, uint64_t len)
{
	return rt_hypercall(HC_CONSOLE_WRITE, (uintptr_t)buf, len, 0, 0, 0);
}

int64_t rt_timer_oneshot(uint64_t tsc_deadline, uint8_t vector)
{
	return rt_hypercall(HC_TIMER_ONESHOT, tsc_deadline, vector, 0, 0, 0);
}

uint64_t rt_tsc_hz(void)
{
	static uint64_t hz;
	int64_t r;

	if (!hz) {
		r = rt_hypercall(HC_TSC_HZ, 0, 0, 0, 0, 0);
		hz = r > 0 ? (uint64_t)r : 0;
	}
	return hz;
}

/* Without an answer from HC_TSC_HZ, assume 1 GHz rather than spin forever or not at all. */
void rt_delay_us(uint64_t us)
{
	uint64_t hz = rt_tsc_hz() ? rt_tsc_hz() : 1000000000u;
	uint64_t end = rt_rdtsc() + hz / 1000 * us / 1000;

	while (rt_rdtsc() < end)
		rt_pause();
}

/* ---- console: whole lines to HC_CONSOLE_WRITE (not reentrant: handlers should not print) ---- */

static char line[200];
static size_t line_len;

void rt_flush(void)
{
	if (line_len)
		(void)rt_console_write(line, line_len);
	line_len = 0;
}

static void put_char(char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == sizeof(line))
		rt_flush();
}

void rt_vprintf(const char *fmt, va_list ap)
{
	char buf[256];
	int n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);

	for (int i = 0; i < n && i < (int)sizeof(buf) - 1; i++)
		put_char(buf[i]);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
}

void rt_exit(int status)
{
	rt_flush();
	(void)rt_hypercall(HC_EXIT, (uint32_t)status, 0, 0, 0, 0);
	/* Not reached; if it were, HLT with interrupts off and no timer stops the guest. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- reports ---- */

static unsigned int n_pass, n_fail;

bool rt_report(bool pass, const char *fmt, ...)
{
	va_list ap;

	rt_printf("%s ", pass ? "PASS" : "FAIL");
	va_start(ap, fmt);
	rt_vprintf(fmt, ap);
	va_end(ap);
	rt_printf("\n");
	if (pass)
		n_pass++;
	else
		n_fail++;
	return pass;
}

unsigned int rt_summary(void)
{
	rt_printf("summary: %u passed, %u failed\n", n_pass, n_fail);
	return n_fail;
}

/* ---- exceptions and interrupts ---- */

/* A 64-bit interrupt gate (SDM vol 3A 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;		/* P, DPL, 0xe = interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd_0xc;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM vol 3A 6.14.1");

#define IDT_TYPE_INT_GATE	0x8e	/* present, DPL 0, 64-bit interrupt gate */

static struct idt_gate idt[RT_IDT_VECTORS] __attribute__((aligned(16)));
static rt_irq_fn irq_handlers[RT_IRQ_COUNT];

static const char *const exc_names[RT_IRQ_BASE] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22", "23",
	"24", "25", "26", "27", "#HV", "#VC", "#SX", "31",
};

static void idt_init(void)
{
	struct rt_desc_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned int v = 0; v < RT_IDT_VECTORS; v++) {
		uint64_t a = (uintptr_t)rt_trap_stubs + v * RT_STUB_SIZE;

		idt[v] = (struct idt_gate){
			.off_lo = (uint16_t)a, .sel = RT_SEL_CODE64, .type = IDT_TYPE_INT_GATE,
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
	rt_lidt(&p);
}

void rt_set_irq_handler(uint8_t vector, rt_irq_fn fn)
{
	if (vector >= RT_IRQ_BASE && vector < RT_IRQ_BASE + RT_IRQ_COUNT)
		irq_handlers[vector - RT_IRQ_BASE] = fn;
}

/* Inside rt_catch: record the fault and make the IRET land on rt_catch_resume. */
static void trap_exception(struct rt_frame *f)
{
	if (rt_catch_sp) {
		if (rt_catch_fault)
			*rt_catch_fault = (struct rt_fault){
				.vector = (uint8_t)f->vector, .error = (uint32_t)f->error, .rip = f->rip,
			};
		f->rip = (uintptr_t)rt_catch_resume;
		f->rsp = rt_catch_sp;
		f->rax = f->vector;
		f->rflags &= ~(uint64_t)RT_RFLAGS_DF;
		rt_catch_sp = 0;
		return;
	}
	rt_printf("\nrt: unexpected exception %s vector=%lu error=0x%lx rip=0x%lx rsp=0x%lx\n",
		  exc_names[f->vector], f->vector, f->error, f->rip, f->rsp);
	rt_exit(RT_EXIT_FAULT);
}

void rt_trap(struct rt_frame *f)
{
	rt_irq_fn fn;

	if (f->vector < RT_IRQ_BASE) {
		trap_exception(f);
		return;
	}
	fn = irq_handlers[f->vector - RT_IRQ_BASE];
	if (fn)
		fn((uint8_t)f->vector);
	else
		rt_printf("rt: interrupt vector=%lu with no handler\n", f->vector);
}

/* ---- start ---- */

/* CPUID 0's vendor string is EBX, EDX, ECX, little-endian. */
static bool vendor_is(const struct rt_cpuid *r, const char *id)
{
	const uint32_t w[3] = { r->ebx, r->edx, r->ecx };
	const uint8_t *b = (const uint8_t *)w;

	for (int i = 0; i < 12; i++)
		if (b[i] != (uint8_t)id[i])
			return false;
	return true;
}

void rt_start(uint32_t magic, uint32_t info_gpa)
{
	struct rt_cpuid r = rt_cpuid(0, 0);

	/* Hygon is AMD's design: VMMCALL too. */
	rt_amd = vendor_is(&r, "AuthenticAMD") || vendor_is(&r, "HygonGenuine");
	idt_init();
	read_boot_info(magic, info_gpa);
	rt_start_info_read();
	rt_exit(rt_main());
}

/* ---- secondary vCPUs ---- */

void rt_ap_start(uint32_t index, struct rt_vcpu_boot *b);

void rt_ap_start(uint32_t index, struct rt_vcpu_boot *b)
{
	struct rt_desc_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };

	rt_lidt(&p);
	b->fn(index, b->arg);
	for (;;)
		__asm__ volatile("sti; hlt" ::: "memory");	/* idle, interrupts on */
}

int64_t rt_vcpu_up(uint32_t index, struct rt_vcpu_boot *b)
{
	return rt_hypercall(HC_VCPU_UP, index, (uintptr_t)rt_ap_entry32, (uintptr_t)b, 0, 0);
}

/* ---- what the compiler may call for structure copies (no libc here) ---- */

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

bool rt_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}
