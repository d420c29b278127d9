/* SPDX-License-Identifier: MIT */
/* Local APIC access for both modes: xAPIC registers at base + off, x2APIC MSRs at 0x800 + off/16. */
#include "arch/x86/lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "arch/x86/tsc.h"
#include "include/abi/hv_errno.h"

#define MSR_APIC_BASE		0x1b	/* SDM 3A sec. 11.4.4 */
#define  APIC_BASE_BSP		(1ull << 8)
#define  APIC_BASE_X2APIC	(1ull << 10)
#define  APIC_BASE_ENABLE	(1ull << 11)
#define  APIC_BASE_ADDR		0x000ffffffffff000ull
#define MSR_X2APIC_FIRST	0x800

/* Register offsets (SDM 3A table 11-1). */
#define APIC_ID			0x020
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define  SVR_ENABLE		(1u << 8)
#define APIC_ICR_LO		0x300
#define  ICR_PENDING		(1u << 12)
#define  ICR_ASSERT		(1u << 14)
#define  ICR_INIT		(5u << 8)
#define  ICR_STARTUP		(6u << 8)
#define APIC_ICR_HI		0x310
#define APIC_LVT_TIMER		0x320	/* SDM 3A sec. 11.5.4: one-shot is mode 00 */
#define  LVT_MASKED		(1u << 16)
#define APIC_TIMER_INIT		0x380
#define APIC_TIMER_CUR		0x390
#define APIC_TIMER_DIV		0x3e0
#define  TIMER_DIV_16		0x3	/* SDM 3A fig. 11-10 */

#define CALIBRATE_US		10000
#define TIMER_MAX_DELTA		(1ull << 31)	/* TSC ticks: longer waits fire early, re-armed */

#define VEC_SPURIOUS		0xff
#define CPUID_1_ECX_X2APIC	(1u << 21)

static bool x2apic;
static uint64_t xapic_base;
/* Per CPU: LAPIC timer ticks per TSC tick, 32.32 fixed point (lapic_timer_calibrate). */
static uint64_t timer_mult[MAX_CPUS];

static uint32_t lapic_read(uint32_t reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_FIRST + reg / 16);
	return mmio_read32(xapic_base + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_FIRST + reg / 16, v);
	else
		mmio_write32(xapic_base + reg, v);
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* The boot CPU decides the mode; every AP follows it. */
	if (base & APIC_BASE_BSP)
		x2apic = cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC;
	xapic_base = base & APIC_BASE_ADDR;
	base |= APIC_BASE_ENABLE;
	wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_X2APIC);
	lapic_write(APIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

bool lapic_x2apic(void)
{
	return x2apic;
}

uint64_t lapic_base(void)
{
	return xapic_base;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* Callers keep interrupts off: the two xAPIC ICR writes must not be split by another IPI. */
static int send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	unsigned int spins = 1000000;

	if (x2apic) {
		wrmsr(MSR_X2APIC_FIRST + APIC_ICR_LO / 16, ((uint64_t)apic_id << 32) | icr_lo);
		return 0;
	}
	if (apic_id > 0xff)
		return -HV_EINVAL;
	lapic_write(APIC_ICR_HI, apic_id << 24);
	lapic_write(APIC_ICR_LO, icr_lo);
	while ((lapic_read(APIC_ICR_LO) & ICR_PENDING) && --spins)
		cpu_relax();
	return spins ? 0 : -HV_EIO;
}

int lapic_send_init(uint32_t apic_id)
{
	return send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
}

int lapic_send_sipi(uint32_t apic_id, uint8_t vector)
{
	return send_ipi(apic_id, ICR_STARTUP | ICR_ASSERT | vector);
}

/* Fixed delivery, physical destination, edge (SDM 3A sec. 11.6.1). */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	uint64_t flags = read_rflags();
	int ret;

	irq_disable();
	ret = send_ipi(apic_id, ICR_ASSERT | vector);
	if (flags & (1u << 9))
		irq_enable();
	return ret;
}

/* ---- the LAPIC timer, one-shot, counting in TSC ticks for its callers ---- */

/*
 * The timer's input clock is the bus or crystal clock, which nothing reports reliably
 * (and emulators make up): count it against the TSC once per CPU, masked, divide 16.
 */
void lapic_timer_calibrate(void)
{
	uint64_t t0, t1;
	uint32_t left;

	lapic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_LAPIC_TIMER);
	lapic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(APIC_TIMER_INIT, 0xffffffffu);
	t0 = rdtsc();
	tsc_delay_us(CALIBRATE_US);
	left = lapic_read(APIC_TIMER_CUR);
	t1 = rdtsc();
	lapic_write(APIC_TIMER_INIT, 0);
	lapic_write(APIC_LVT_TIMER, VEC_LAPIC_TIMER);	/* unmasked, one-shot, stopped */
	/* A timer (or TSC) that did not move: the shortest wait, as soon as possible. */
	if (t1 <= t0)
		t1 = t0 + 1;
	if (left == 0xffffffffu)
		left = 0xfffffffeu;
	timer_mult[this_cpu()->index] = ((uint64_t)(0xffffffffu - left) << 32) / (t1 - t0);
}

bool lapic_timer_calibrated(void)
{
	return timer_mult[this_cpu()->index] != 0;
}

/* Rounded up and never 0 (which would stop the timer): it fires at or after the delta. */
void lapic_timer_oneshot(uint64_t tsc_delta)
{
	uint64_t ticks;

	if (tsc_delta > TIMER_MAX_DELTA)
		tsc_delta = TIMER_MAX_DELTA;
	ticks = (uint64_t)(((unsigned __int128)tsc_delta * timer_mult[this_cpu()->index]) >> 32);
	ticks++;
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	lapic_write(APIC_TIMER_INIT, (uint32_t)ticks);	/* (re)starts the count */
}

void lapic_timer_stop(void)
{
	lapic_write(APIC_TIMER_INIT, 0);
}
