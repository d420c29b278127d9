/* SPDX-License-Identifier: MIT */
/* INIT-SIPI-SIPI bring-up of each AP, one at a time, through the real-mode trampoline. */
#include "arch/x86/smp.h"

#include "arch/x86/asm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/tsc.h"
#include "vmm/log.h"

#define AP_START_TIMEOUT_US	500000	/* generous: emulators run APs slowly */

struct trampoline_params {
	uint64_t cr3;	/* boot page tables: identity map, so the trampoline keeps running */
	uint64_t stack;
	uint64_t entry;
};

extern char trampoline_start[], trampoline_end[], trampoline_params[];
extern char boot_pml4[];
extern void ap_entry64(void);
void ap_main(void);

/* Index of the CPU being started; read by that CPU in ap_main(). */
static volatile unsigned int ap_booting;

static void copy_trampoline(void)
{
	volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)TRAMPOLINE_PA;

	for (const char *src = trampoline_start; src < trampoline_end; src++)
		*dst++ = (uint8_t)*src;
}

static volatile struct trampoline_params *params(void)
{
	uintptr_t off = (uintptr_t)(trampoline_params - trampoline_start);

	return (volatile struct trampoline_params *)(TRAMPOLINE_PA + off);
}

static bool wait_online(unsigned int idx, uint64_t us)
{
	uint64_t end = rdtsc() + tsc_hz() / 1000000 * us;

	while (!percpu_area[idx].online) {
		if (rdtsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

/* SDM vol 3A sec. 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI if still not started. */
static bool start_ap(unsigned int idx, uint32_t apic_id)
{
	uint8_t vector = TRAMPOLINE_PA >> 12;

	params()->cr3 = (uint64_t)(uintptr_t)boot_pml4;
	params()->stack = percpu_area[idx].stack.top;
	params()->entry = (uint64_t)(uintptr_t)ap_entry64;
	ap_booting = idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (lapic_send_init(apic_id))
		return false;
	tsc_delay_us(10000);
	if (lapic_send_sipi(apic_id, vector))
		return false;
	if (wait_online(idx, 200))
		return true;
	if (lapic_send_sipi(apic_id, vector))
		return false;
	return wait_online(idx, AP_START_TIMEOUT_US);
}

unsigned int smp_boot(const struct acpi_madt_info *madt)
{
	uint32_t bsp = lapic_id();
	unsigned int usable = 0;

	cpu_count = 1;
	percpu_area[0].online = true;
	pr_info("lapic: mode=%s base=0x%llx", lapic_x2apic() ? "x2apic" : "xapic",
		(unsigned long long)lapic_base());
	pr_info("smp: cpu 0 apic=%u online (boot CPU)", bsp);
	copy_trampoline();
	for (unsigned int i = 0; i < madt->ncpus; i++) {
		uint32_t apic = madt->cpus[i].apic_id;

		usable++;
		if (apic == bsp)
			continue;
		if (percpu_prepare(cpu_count, apic)) {
			pr_err("smp: no memory for cpu apic=%u", apic);
			continue;
		}
		if (!start_ap(cpu_count, apic)) {
			pr_err("smp: cpu apic=%u did not start", apic);
			continue;
		}
		cpu_count++;
	}
	pr_info("smp: %u of %u CPUs online", cpu_count, usable ? usable : 1);
	return cpu_count;
}

/* Waits for work from the boot CPU (polling: no IPIs yet), runs it, waits again. */
__attribute__((noreturn)) void smp_idle(void)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		void (*fn)(void *) = __atomic_load_n(&pc->work, __ATOMIC_ACQUIRE);

		if (!fn) {
			cpu_relax();
			continue;
		}
		fn(pc->work_arg);
		__atomic_store_n(&pc->work, (void (*)(void *))0, __ATOMIC_RELEASE);
	}
}

/* First C code on an AP, on its own stack and the final page tables. */
void ap_main(void)
{
	unsigned int idx = ap_booting;

	percpu_activate(idx);
	lapic_init();
	pr_info("smp: cpu %u apic=%u online", idx, lapic_id());
	__atomic_store_n(&percpu_area[idx].online, true, __ATOMIC_RELEASE);
	smp_idle();
}
