/* SPDX-License-Identifier: MIT */
/* Local APIC in xAPIC (MMIO) or x2APIC (MSR) mode, chosen once on the boot CPU. */
#ifndef ARCH_X86_LAPIC_H
#define ARCH_X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Enables the LAPIC on this CPU (x2APIC when the CPU has it). */
void lapic_init(void);
bool lapic_x2apic(void);
uint64_t lapic_base(void);
uint32_t lapic_id(void);
void lapic_eoi(void);

/*
 * Host vectors of the scheduler's interrupts (vmm/sched.c), above every external
 * interrupt a device gets: their handlers only EOI (arch/x86/idt.c), since the VM exit
 * or the wake-up from HLT they cause is the whole point.
 */
#define VEC_LAPIC_TIMER		0xf0	/* one-shot: time slice end, a vCPU timer deadline */
#define VEC_KICK		0xf1	/* IPI: an event for a vCPU of the receiving CPU */
/* Host vectors for partitions' device interrupts (vmm/devirq.c), one per source. */
#define VEC_DEV_FIRST		0x40
#define VEC_DEV_LAST		0xdf

/* A fixed IPI with vector to the CPU apic_id (interrupts as the caller has them). */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector) __attribute__((warn_unused_result));
/* Measures this CPU's LAPIC timer against the TSC (10 ms, once per CPU). */
void lapic_timer_calibrate(void);
bool lapic_timer_calibrated(void);
/* VEC_LAPIC_TIMER once, at least tsc_delta TSC ticks from now (may be early for waits
 * over 2^31 ticks: the caller re-arms); replaces what was armed. */
void lapic_timer_oneshot(uint64_t tsc_delta);
void lapic_timer_stop(void);
/* INIT and start-up IPIs for AP bring-up (SDM vol 3A sec. 11.6.1, 9.4.4). */
int lapic_send_init(uint32_t apic_id) __attribute__((warn_unused_result));
int lapic_send_sipi(uint32_t apic_id, uint8_t vector) __attribute__((warn_unused_result));

#endif
