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
/* INIT and start-up IPIs for AP bring-up (SDM vol 3A sec. 11.6.1, 9.4.4). */
int lapic_send_init(uint32_t apic_id) __attribute__((warn_unused_result));
int lapic_send_sipi(uint32_t apic_id, uint8_t vector) __attribute__((warn_unused_result));

#endif
