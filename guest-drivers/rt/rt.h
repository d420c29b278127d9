/* SPDX-License-Identifier: MIT */
/* The partition runtime: entry, console, hypercalls, traps, reports, start info and event channels. */
#ifndef GUEST_DRIVERS_RT_RT_H
#define GUEST_DRIVERS_RT_RT_H

/* Architectural constants, shared with entry.S (SDM vol 3A ch. 2 and 4, vol 4 ch. 2). */
#define RT_CR0_PE		(1 << 0)
#define RT_CR0_PG		(1 << 31)
#define RT_CR4_PAE		(1 << 5)
#define RT_CR4_PGE		(1 << 7)
#define RT_CR4_OSXSAVE		(1 << 18)
#define RT_MSR_EFER		0xc0000080
#define RT_EFER_SCE		(1 << 0)
#define RT_EFER_LME		(1 << 8)
#define RT_EFER_LMA		(1 << 10)
#define RT_PTE_P		0x001
#define RT_PTE_W		0x002
#define RT_PTE_PS		0x080
#define RT_RFLAGS_IF		(1 << 9)
#define RT_RFLAGS_DF		(1 << 10)

/* entry.S's GDT: null, 64-bit code, data. */
#define RT_SEL_CODE64		0x08
#define RT_SEL_DATA		0x10

/* entry.S maps guest-physical [0, RT_MAP_SIZE) 1:1 with 2 MiB pages. */
#define RT_MAP_SIZE		0x40000000
/*
 * ... the device hole [RT_WINDOW_BASE, RT_WINDOW_END) = [3 GiB, 4 GiB), where the
 * hypervisor maps the BARs of the partition's own devices at their host addresses, 1:1
 * too; and the channel windows [RT_CHAN_BASE, RT_CHAN_END) = [64 GiB, 65 GiB)
 * (HV_CHANNEL_BASE_GPA + 16 * HV_CHANNEL_STRIDE in include/abi/startinfo.h).
 */
#define RT_WINDOW_BASE		0xc0000000
#define RT_WINDOW_END		0x100000000
#define RT_CHAN_BASE		0x1000000000
#define RT_CHAN_END		0x1040000000
#define RT_CHAN_BASE_HI		0x10	/* RT_CHAN_BASE >> 32, for 32-bit entry code */

/* The IDT: the 32 exceptions, then RT_IRQ_COUNT interrupt vectors from RT_IRQ_BASE. */
#define RT_IRQ_BASE		32
#define RT_IRQ_COUNT		16
#define RT_IDT_VECTORS		(RT_IRQ_BASE + RT_IRQ_COUNT)
#define RT_STUB_SIZE		16

/*
 * The vectors the runtime takes for itself once asked to (rt_evtchn_init,
 * rt_wait_event_until); the others in the range are the guest's.
 */
#define RT_VEC_WAKE_TIMER	(RT_IRQ_BASE + RT_IRQ_COUNT - 2)
#define RT_VEC_EVTCHN		(RT_IRQ_BASE + RT_IRQ_COUNT - 1)

/* rt_catch's result when the function returned without a fault. */
#define RT_NO_FAULT		(-1)

#ifndef __ASSEMBLY__

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "include/abi/hypercall.h"
#include "include/abi/startinfo.h"

/* Each guest defines this; its return value becomes the HC_EXIT status. */
int rt_main(void);

/* ---- what the loader said (multiboot 1, as the hypervisor starts a partition) ---- */

#define RT_MB1_MAGIC		0x2badb002u	/* EAX at entry (multiboot spec 3.2) */
#define RT_MB1_FLAG_MEM		(1u << 0)
#define RT_MB1_FLAG_CMDLINE	(1u << 2)
#define RT_MB1_FLAG_MMAP	(1u << 6)
#define RT_CMDLINE_MAX		128

struct rt_boot_info {
	uint32_t magic;			/* EAX at entry */
	uint32_t info_gpa;		/* EBX at entry: the multiboot info structure */
	uint32_t flags;			/* its flags, 0 if info_gpa is unreadable */
	uint32_t mem_lower_kib;		/* RT_MB1_FLAG_MEM */
	uint32_t mem_upper_kib;
	char cmdline[RT_CMDLINE_MAX];	/* RT_MB1_FLAG_CMDLINE, else "" */
	uint32_t mmap_entries;		/* RT_MB1_FLAG_MMAP */
	uint64_t ram_end;		/* end of the highest available (type 1) range */
	uint64_t ram_bytes;		/* sum of the available ranges */
};

extern struct rt_boot_info rt_boot;

/*
 * The value of KEY=VALUE in the command line (words separated by spaces) as a decimal
 * number: true and *val set if present and well formed.
 */
bool rt_cmdline_u64(const char *key, uint64_t *val);

/* ---- the start-info page (include/abi/startinfo.h): manifest partitions only ---- */

/*
 * A checked copy of the start-info page, read before rt_main: NULL when there is none
 * (a partition from the guests= option) or when it is malformed (magic, version,
 * counts; the reason is printed).
 */
const struct hv_start_info *rt_start_info(void);

/*
 * Channel i of the start info, or NULL if there is no such channel or its entry does not
 * hold together (ring size a power of two from 4K to 1M, data a multiple of 4K, both
 * inside the mapped channel windows, a channel port); such entries are reported at start.
 */
const struct hv_start_channel *rt_channel(uint32_t i);
/* The valid channel with this name, or NULL. */
const struct hv_start_channel *rt_channel_find(const char *name);
/*
 * The address a device this partition owns must use to reach p (its RAM or a channel
 * window): p itself behind an IOMMU, the host-physical address without one
 * (hv_start_info.ram_dma, chan_dma). RT_DMA_NONE for anything else.
 */
#define RT_DMA_NONE	(~0ull)
uint64_t rt_dma_addr(const void *p);

/* Where a channel's regions are: guest-physical = virtual under entry.S's map. */
static inline void *rt_channel_ring(const struct hv_start_channel *c)
{
	return (void *)(uintptr_t)c->ring_gpa;
}

static inline void *rt_channel_data(const struct hv_start_channel *c)
{
	return (void *)(uintptr_t)c->data_gpa;
}

/* ---- event channels (docs/evtchn.md), on vCPU 0 ---- */

/* A port's handler: runs in the upcall, interrupts off; it should not print. */
typedef void (*rt_event_fn)(void *arg, uint32_t port);

/*
 * Sets up event channels: the event page from the start info (or CPUID), the upcall
 * handler on RT_VEC_EVTCHN, and HC_EVTCHN_UPCALL. 0, or -HV_ENOENT without an event
 * page, or the hypercall's error. Calling it again does nothing.
 */
int rt_evtchn_init(void) __attribute__((warn_unused_result));
/*
 * Runs fn(arg, port) when port is pending (fn NULL: the event only wakes rt_wait_event).
 * Every upcall wakes rt_wait_event, whatever its ports. Calls rt_evtchn_init if needed.
 */
int rt_evtchn_bind(uint32_t port, rt_event_fn fn, void *arg) __attribute__((warn_unused_result));
/* HC_EVTCHN_SEND: makes the peer's end of a channel port pending. 0 or -HV_E*. */
int64_t rt_evtchn_send(uint32_t port);
/* HC_EVTCHN_STATUS: the EVTCHN_STATUS_* encoding, or -HV_E*. */
int64_t rt_evtchn_status(uint32_t port);
/* Events dispatched so far on ports without a handler. */
uint64_t rt_evtchn_unhandled(void);

/*
 * Waiting. rt_wake() (from any handler) makes the next or current rt_wait_event return.
 * rt_wait_event() sleeps (STI; HLT) until woken, and returns at once if woken since its
 * last return: the flag is tested with interrupts off and STI's shadow covers HLT, so a
 * wake-up between the test and the HLT is never lost. It also scans the event page
 * itself before sleeping and after each interrupt, so an upcall the hypervisor could not
 * inject is not lost either. Returns with interrupts as the caller had them. Spurious
 * returns happen: the caller looks at its rings, never counts wake-ups.
 */
void rt_wake(void);
void rt_wait_event(void);
/*
 * The same, but also woken at tsc_deadline (HC_TIMER_ONESHOT on RT_VEC_WAKE_TIMER, only
 * re-armed when the deadline changes). True if the deadline has passed.
 */
bool rt_wait_event_until(uint64_t tsc_deadline);

/* ---- secondary vCPUs (HC_VCPU_UP) ---- */

/*
 * How vCPU index starts: on stack (its top, 16-byte aligned), running fn(index, arg)
 * with vCPU 0's page tables and IDT, then idling in HLT. Nothing else of the runtime is
 * safe on it (rt_printf, events, rt_catch are vCPU 0's): it talks through its own
 * buffers and the hypercalls. b must stay valid until fn has started.
 */
struct rt_vcpu_boot {
	uint64_t stack;				/* first: entry.S loads it */
	void (*fn)(uint32_t index, void *arg);
	void *arg;
};
/* HC_VCPU_UP of vCPU index at rt_ap_entry32: 0 or -HV_E* (include/abi/hypercall.h). */
int64_t rt_vcpu_up(uint32_t index, struct rt_vcpu_boot *b);
void rt_ap_entry32(void);

/* ---- console, exit, reports ---- */

/* Formats with hv_vsnprintf; sent to the hypervisor console one line at a time. */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_vprintf(const char *fmt, va_list ap);
/* Sends a partial line now. */
void rt_flush(void);
/* Flushes the console and ends this partition with HC_EXIT(status). */
__attribute__((noreturn)) void rt_exit(int status);

/* The HC_EXIT status when an exception nobody caught ended the guest. */
#define RT_EXIT_FAULT		3

/* Prints "PASS what" or "FAIL what" and counts it; returns pass. */
bool rt_report(bool pass, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "summary: N passed, M failed"; returns M. */
unsigned int rt_summary(void);

/* ---- hypercalls (include/abi/hypercall.h) ---- */

/* True on AuthenticAMD (VMMCALL), false on GenuineIntel and others (VMCALL). */
extern bool rt_amd;

/* The hypercall with this CPU's instruction: 0 or -HV_E*, or a positive result. */
int64_t rt_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
/* HC_DEV_IRQ: interrupt index of owned PCI function bdf as an event port (> 0), or -HV_E*. */
static inline int64_t rt_dev_irq(uint16_t bdf, uint32_t index)
{
	return rt_hypercall(HC_DEV_IRQ, bdf, index, 0, 0, 0);
}
int64_t rt_console_write(const void *buf, uint64_t len);
int64_t rt_timer_oneshot(uint64_t tsc_deadline, uint8_t vector);
/* HC_TSC_HZ, asked once. */
uint64_t rt_tsc_hz(void);
/* Busy-waits (interrupts as they are) for about us microseconds of TSC time. */
void rt_delay_us(uint64_t us);

/* ---- exceptions and interrupts ---- */

/* The frame entry.S's stubs build: pushed registers, vector, error code, CPU frame. */
struct rt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct rt_fault {
	uint8_t vector;
	uint32_t error;		/* 0 for vectors without one */
	uint64_t rip;		/* the faulting instruction */
};

/*
 * Calls fn(arg). If it raises an exception, the handler records it in *f (if not
 * NULL) and resumes here: returns the vector, or RT_NO_FAULT when fn returned.
 * Callee-saved registers come back as they were; fn's other effects stay.
 */
int rt_catch(void (*fn)(void *), void *arg, struct rt_fault *f);

/* Handler for an interrupt vector in [RT_IRQ_BASE, RT_IRQ_BASE + RT_IRQ_COUNT). */
typedef void (*rt_irq_fn)(uint8_t vector);
void rt_set_irq_handler(uint8_t vector, rt_irq_fn fn);

/* Called by entry.S only. */
__attribute__((noreturn)) void rt_start(uint32_t magic, uint32_t info_gpa);
void rt_trap(struct rt_frame *f);
/* Called by rt_start only: reads and checks the start-info page. */
void rt_start_info_read(void);

/* ---- the little of libc a guest needs (the compiler may call memset and memcpy) ---- */

bool rt_str_eq(const char *a, const char *b);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- instructions: the runtime's only inline assembly ---- */

struct rt_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct rt_cpuid rt_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct rt_cpuid r;

	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rt_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t rt_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void rt_wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
}

static inline uint8_t rt_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t rt_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void rt_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t rt_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void rt_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void rt_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rt_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t rt_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void rt_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t rt_xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return (uint64_t)hi << 32 | lo;
}

static inline void rt_xsetbv(uint32_t xcr, uint64_t val)
{
	__asm__ volatile("xsetbv" : : "c"(xcr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
}

/* Both hypercall instructions, whatever the vendor: the wrong one raises #UD. */
#define RT_HYPERCALL_ASM(insn, nr, a0, a1, a2, a3, a4)					\
	({										\
		register uint64_t r10_ __asm__("r10") = (a3);				\
		register uint64_t r8_ __asm__("r8") = (a4);				\
		uint64_t rax_ = (nr);							\
		__asm__ volatile(insn : "+a"(rax_)					\
				 : "D"(a0), "S"(a1), "d"(a2), "r"(r10_), "r"(r8_)	\
				 : "memory");						\
		(int64_t)rax_;								\
	})

static inline int64_t rt_vmcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				uint64_t a3, uint64_t a4)
{
	return RT_HYPERCALL_ASM("vmcall", nr, a0, a1, a2, a3, a4);
}

static inline int64_t rt_vmmcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				 uint64_t a3, uint64_t a4)
{
	return RT_HYPERCALL_ASM("vmmcall", nr, a0, a1, a2, a3, a4);
}

static inline void rt_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void rt_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* STI's one-instruction shadow makes the pair atomic: no wake-up is lost in between. */
static inline void rt_sti_hlt(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static inline uint64_t rt_save_flags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline void rt_pause(void)
{
	__asm__ volatile("pause" : : : "memory");
}

struct rt_desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline void rt_lidt(const struct rt_desc_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p) : "memory");
}

#endif /* __ASSEMBLY__ */
#endif
