/* SPDX-License-Identifier: MIT */
/* I/O APICs (82093AA datasheet, 3.2): redirection entries for the ISA interrupts partitions own. */
#include "arch/x86/ioapic.h"

#include <stdbool.h>

#include "arch/x86/cpu.h"
#include "arch/x86/spinlock.h"
#include "include/abi/hv_errno.h"
#include "vmm/log.h"

#define IOREGSEL		0x00	/* index register */
#define IOWIN			0x10	/* data window */
#define IOAPICVER		0x01
#define  VER_MAX_REDIR(v)	(((v) >> 16) & 0xff)	/* entries - 1 */
#define IOREDTBL(n)		(0x10 + 2 * (n))	/* low dword; high at +1 */
#define  REDIR_POLARITY_LOW	(1u << 13)
#define  REDIR_TRIGGER_LEVEL	(1u << 15)
#define  REDIR_MASKED		(1u << 16)
#define  REDIR_DEST_SHIFT	24	/* in the high dword: physical APIC ID, bits 63:56 */

/* MPS INTI flags of an override (ACPI 6.5, 5.2.12.5 table 5.26). */
#define INTI_POLARITY(f)	((f) & 3)
#define  INTI_ACTIVE_LOW	3
#define INTI_TRIGGER(f)		(((f) >> 2) & 3)
#define  INTI_LEVEL		3

static const struct acpi_madt_info *madt;
/* IOREGSEL then IOWIN is two accesses: one CPU at a time. */
static struct spinlock ioapic_lock;

void ioapic_init(const struct acpi_madt_info *m)
{
	madt = m;
}

static uint32_t reg_read(uint64_t base, uint32_t reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static void reg_write(uint64_t base, uint32_t reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

/* The ISA IRQ's GSI and redirection flags, through the overrides. */
static uint32_t isa_gsi(unsigned int irq, uint32_t *flags)
{
	*flags = 0;	/* ISA: edge, active high */
	for (unsigned int i = 0; i < madt->noverrides; i++) {
		const struct acpi_madt_override *o = &madt->overrides[i];

		if (o->bus != 0 || o->source != irq)
			continue;
		*flags = (INTI_POLARITY(o->flags) == INTI_ACTIVE_LOW ? REDIR_POLARITY_LOW : 0) |
			 (INTI_TRIGGER(o->flags) == INTI_LEVEL ? REDIR_TRIGGER_LEVEL : 0);
		return o->gsi;
	}
	return irq;
}

static int route(unsigned int irq, uint8_t vector, uint32_t apic_id, bool edge_high)
{
	uint32_t flags, gsi;
	uint64_t f;

	if (!madt || irq > 15)
		return -HV_ENOENT;
	gsi = isa_gsi(irq, &flags);
	if (edge_high)
		flags = 0;
	for (unsigned int i = 0; i < madt->nioapics; i++) {
		uint64_t base = madt->ioapics[i].addr;
		uint32_t pin = gsi - madt->ioapics[i].gsi_base;

		f = spin_lock_irqsave(&ioapic_lock);
		if (gsi < madt->ioapics[i].gsi_base ||
		    pin > VER_MAX_REDIR(reg_read(base, IOAPICVER))) {
			spin_unlock_irqrestore(&ioapic_lock, f);
			continue;
		}
		reg_write(base, IOREDTBL(pin), REDIR_MASKED);
		reg_write(base, IOREDTBL(pin) + 1, apic_id << REDIR_DEST_SHIFT);
		reg_write(base, IOREDTBL(pin), vector | flags);
		spin_unlock_irqrestore(&ioapic_lock, f);
		pr_info("ioapic: isa irq %u (gsi %u, pin %u of ioapic %u) -> vector 0x%x apic %u",
			irq, gsi, pin, madt->ioapics[i].id, vector, apic_id);
		return 0;
	}
	return -HV_ENOENT;
}

int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t apic_id)
{
	return route(irq, vector, apic_id, false);
}

int ioapic_route_pci_line(unsigned int irq, uint8_t vector, uint32_t apic_id)
{
	return route(irq, vector, apic_id, true);
}
