/* SPDX-License-Identifier: MIT */
/* I/O APICs: routing an ISA interrupt to a host vector on one CPU. */
#ifndef ARCH_X86_IOAPIC_H
#define ARCH_X86_IOAPIC_H

#include <stdint.h>

#include "arch/x86/acpi.h"

/* Keeps the MADT's I/O APICs and interrupt source overrides (at boot). */
void ioapic_init(const struct acpi_madt_info *madt);

/*
 * Routes ISA IRQ irq (0-15; through the MADT's overrides to its GSI, with their
 * polarity and trigger, else edge and active high) to vector on the CPU apic_id, and
 * unmasks it. 0, or -HV_ENOENT when no I/O APIC has that GSI.
 */
int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t apic_id)
	__attribute__((warn_unused_result));
/*
 * The same for a PCI INTx line the firmware steered to ISA IRQ irq, programmed edge-
 * triggered and active-high whatever the overrides say: a level-triggered entry would
 * interrupt the host again and again until the partition acknowledged its device, and the
 * device's line falls when it is acknowledged, so each new cause is a new edge.
 */
int ioapic_route_pci_line(unsigned int irq, uint8_t vector, uint32_t apic_id)
	__attribute__((warn_unused_result));

#endif
