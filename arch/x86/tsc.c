/* SPDX-License-Identifier: MIT */
/* Finds the TSC frequency from CPUID where the CPU states it, else calibrates it with PIT channel 2. */
#include "arch/x86/tsc.h"

#include "arch/x86/cpu.h"

#define PIT_HZ		1193182u
#define PIT_CH2_DATA	0x42
#define PIT_MODE	0x43
#define PORT_B		0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 out */
#define CAL_MS		10u
#define CAL_ROUNDS	3

static uint64_t hz;
static const char *source = "none";
static uint64_t stated_hz;

/* CPUID 0x15: TSC = crystal * EBX / EAX; 0x16 EAX: base MHz (SDM vol 2A CPUID). */
static uint64_t from_cpuid(void)
{
	uint32_t max = cpuid(0, 0).eax;
	struct cpuid_regs r;

	if (max >= 0x15) {
		r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			source = "cpuid-0x15";
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (max >= 0x16) {
		r = cpuid(0x16, 0);
		if (r.eax & 0xffff) {
			source = "cpuid-0x16";
			return (uint64_t)(r.eax & 0xffff) * 1000000;
		}
	}
	return 0;
}

/* Counts TSC ticks over CAL_MS of PIT channel 2 in mode 0 (one-shot). */
static uint64_t pit_round(void)
{
	uint16_t count = (uint16_t)(PIT_HZ / 1000 * CAL_MS);
	uint64_t start, end;
	unsigned long spins = 0;

	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~0x02) | 0x01));
	outb(PIT_MODE, 0xb0);	/* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CH2_DATA, (uint8_t)count);
	outb(PIT_CH2_DATA, (uint8_t)(count >> 8));
	start = rdtsc();
	while (!(inb(PORT_B) & 0x20) && ++spins < 100000000ul)
		;
	end = rdtsc();
	return (end - start) * (1000 / CAL_MS);
}

static uint64_t from_pit(void)
{
	uint64_t best = ~0ull;

	/* The shortest round had the fewest interruptions by the emulator or SMIs. */
	for (int i = 0; i < CAL_ROUNDS; i++) {
		uint64_t v = pit_round();

		if (v < best)
			best = v;
	}
	source = "pit";
	return best;
}

/*
 * CPUID 0x16 gives the nominal base frequency, which emulators (Bochs ticks the TSC
 * once per instruction) and some firmware do not honour: check it against the PIT
 * and believe the measurement when the two disagree by more than a quarter.
 */
void tsc_init(void)
{
	uint64_t stated = stated_hz = from_cpuid();
	const char *stated_source = source;
	uint64_t measured = from_pit();

	hz = measured;
	if (stated && (measured == 0 || (stated > measured - measured / 4 &&
					 stated < measured + measured / 4))) {
		hz = stated;
		source = stated_source;
	} else if (stated) {
		source = "pit-over-cpuid";
	}
	if (!hz) {
		hz = 1000000000ull;	/* keep delays finite if both fail */
		source = "assumed";
	}
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_cpuid_hz(void)
{
	return stated_hz;
}

const char *tsc_source(void)
{
	return source;
}

void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + hz / 1000000 * us;

	while (rdtsc() < end)
		cpu_relax();
}
