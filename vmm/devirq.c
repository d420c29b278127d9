/* SPDX-License-Identifier: MIT */
/* Device interrupts of partitions: MSI, MSI-X or a legacy IDE IRQ routed to a host vector, raised as an event. */
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pci.h"
#include "arch/x86/percpu.h"
#include "arch/x86/spinlock.h"
#include "include/abi/hv_errno.h"
#include "vmm/guest.h"
#include "vmm/log.h"
#include "vmm/partition.h"
#include "vmm/partition_dev.h"

/* PCI 3.0 6.8.1 (MSI) and 6.8.2 (MSI-X): capability IDs and registers. */
#define CAP_MSI			0x05
#define  MSI_CTRL		0x02
#define   MSI_CTRL_ENABLE	(1u << 0)
#define   MSI_CTRL_MME		(7u << 4)	/* multiple message enable: 1 message */
#define   MSI_CTRL_64BIT	(1u << 7)
#define  MSI_ADDR		0x04
#define  MSI_DATA_32		0x08
#define  MSI_ADDR_HI		0x08
#define  MSI_DATA_64		0x0c
#define CAP_MSIX		0x11
#define  MSIX_CTRL		0x02
#define   MSIX_CTRL_SIZE(c)	(((c) & 0x7ff) + 1)
#define   MSIX_CTRL_MASKALL	(1u << 14)
#define   MSIX_CTRL_ENABLE	(1u << 15)
#define  MSIX_TABLE		0x04	/* BIR bits 2:0, offset the rest */
#define  MSIX_CAP_LEN		12
#define  MSIX_ENTRY		16	/* addr lo, addr hi, data, vector control */
#define   MSIX_VEC_MASKED	(1u << 0)
/* SDM 3A 12.11.1: the message address of a fixed, physical-destination interrupt. */
#define MSI_ADDR_BASE		0xfee00000u
#define MSI_ADDR_DEST_SHIFT	12
#define PCI_CLASS_IDE		0x0101u
#define IDE_NATIVE(ch)		(1u << (2 * (ch)))	/* programming interface bits 0, 2 */
#define IDE_ISA_IRQ(ch)		(14u + (ch))		/* compatibility mode */
#define PAGE			0x1000ull

enum devirq_kind { DEVIRQ_MSIX = 1, DEVIRQ_MSI, DEVIRQ_ISA, DEVIRQ_INTX };

static const char *const kind_name[] = { "", "msi-x", "msi", "isa", "intx" };

/* One per host vector in use; written under devirq_lock, read by the interrupt handler. */
struct devirq {
	uint8_t kind;		/* 0: free */
	uint8_t part;
	uint16_t bdf;
	uint16_t index;
	uint32_t port;
};

#define NVEC	(VEC_DEV_LAST - VEC_DEV_FIRST + 1)
static struct devirq vecs[NVEC];
static struct spinlock devirq_lock;

/* The host's interrupt handler (arch/x86/idt.c): the partition's port becomes pending. */
static void devirq_fire(uint8_t vector)
{
	struct devirq d = vecs[vector - VEC_DEV_FIRST];

	if (d.kind)
		partition_raise_source(d.part, d.port);
}

static unsigned int cap_find(uint16_t bdf, uint8_t id)
{
	unsigned int at = pci_cfg_read(bdf, PCI_CAP_PTR, 1);

	if (!(pci_cfg_read(bdf, PCI_STATUS, 2) & (1u << 4)))	/* capabilities list */
		return 0;
	for (unsigned int hops = 0; at >= 0x40 && hops < 48; hops++) {
		at &= 0xfc;
		if (pci_cfg_read(bdf, at, 1) == id)
			return at;
		at = pci_cfg_read(bdf, at + 1, 1);
	}
	return 0;
}

static const struct pci_func *func_of(uint16_t bdf)
{
	for (unsigned int i = 0; i < pci_count(); i++)
		if (pci_func_at(i)->bdf == bdf)
			return pci_func_at(i);
	return 0;
}

/* ---- programming the device ---- */

/* Entry index of the MSI-X table: the hypervisor's, its page taken from the partition. */
static int program_msix(struct guest *g, uint16_t bdf, unsigned int cap, unsigned int index,
			uint8_t vector, uint32_t apic)
{
	uint32_t ctrl = pci_cfg_read(bdf, cap + MSIX_CTRL, 2);
	uint32_t tab = pci_cfg_read(bdf, cap + MSIX_TABLE, 4);
	const struct pci_func *f = func_of(bdf);
	uint64_t entry, page;
	int ret;

	if (!f || index >= MSIX_CTRL_SIZE(ctrl) || f->bar[tab & 7].kind == PCI_BAR_NONE ||
	    f->bar[tab & 7].kind == PCI_BAR_KIND_IO)
		return -HV_EINVAL;
	entry = f->bar[tab & 7].base + (tab & ~7u) + index * MSIX_ENTRY;
	page = entry & ~(PAGE - 1);
	/* Its table is the hypervisor's now: the partition loses that page of the BAR. */
	ret = guest_gpa_used(g, page, PAGE) ? guest_unmap(g, page, PAGE) : 0;
	if (ret)
		return ret;
	mmio_write32(entry + 12, MSIX_VEC_MASKED);
	mmio_write32(entry, MSI_ADDR_BASE | apic << MSI_ADDR_DEST_SHIFT);
	mmio_write32(entry + 4, 0);
	mmio_write32(entry + 8, vector);
	mmio_write32(entry + 12, 0);
	pci_cfg_write(bdf, cap + MSIX_CTRL, 2, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return pci_cfg_protect(partition_dev_cfg(g->id), bdf, cap, MSIX_CAP_LEN);
}

static int program_msi(struct guest *g, uint16_t bdf, unsigned int cap, unsigned int index,
		       uint8_t vector, uint32_t apic)
{
	uint32_t ctrl = pci_cfg_read(bdf, cap + MSI_CTRL, 2);
	bool wide = ctrl & MSI_CTRL_64BIT;

	if (index)
		return -HV_EINVAL;	/* one message */
	pci_cfg_write(bdf, cap + MSI_CTRL, 2, ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME));
	pci_cfg_write(bdf, cap + MSI_ADDR, 4, MSI_ADDR_BASE | apic << MSI_ADDR_DEST_SHIFT);
	if (wide)
		pci_cfg_write(bdf, cap + MSI_ADDR_HI, 4, 0);
	pci_cfg_write(bdf, cap + (wide ? MSI_DATA_64 : MSI_DATA_32), 2, vector);
	pci_cfg_write(bdf, cap + MSI_CTRL, 2, (ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE);
	return pci_cfg_protect(partition_dev_cfg(g->id), bdf, cap,
			       wide ? MSI_DATA_64 + 2 : MSI_DATA_32 + 2);
}

/* A compatibility-mode IDE channel (index 0 primary, 1 secondary): its ISA IRQ. */
static int program_ide(uint16_t bdf, unsigned int index, uint8_t vector, uint32_t apic)
{
	const struct pci_func *f = func_of(bdf);

	if (!f || f->class_code >> 8 != PCI_CLASS_IDE || index > 1 ||
	    (f->class_code & IDE_NATIVE(index)))
		return -HV_ENOTSUP;
	return ioapic_route_isa(IDE_ISA_IRQ(index), vector, apic);
}

/*
 * PCI INTx (index 0), where the firmware steered the function's pin to an ISA IRQ (its
 * interrupt line register, PCI 3.0 6.2.4): through the I/O APIC, edge-triggered.
 */
static int program_intx(uint16_t bdf, unsigned int index, uint8_t vector, uint32_t apic)
{
	const struct pci_func *f = func_of(bdf);

	/* The boot-time values: the partition can write the line register, not steer this. */
	if (!f || index || !f->irq_pin || f->irq_pin > 4 || !f->irq_line || f->irq_line > 15)
		return -HV_ENOTSUP;
	return ioapic_route_pci_line(f->irq_line, vector, apic);
}

static int program(struct guest *g, const struct devirq *d, uint8_t vector)
{
	uint32_t apic = percpu_area[g->cpu].apic_id;
	unsigned int cap;

	if (d->kind == DEVIRQ_MSIX && (cap = cap_find(d->bdf, CAP_MSIX)))
		return program_msix(g, d->bdf, cap, d->index, vector, apic);
	if (d->kind == DEVIRQ_MSI && (cap = cap_find(d->bdf, CAP_MSI)))
		return program_msi(g, d->bdf, cap, d->index, vector, apic);
	if (d->kind == DEVIRQ_ISA)
		return program_ide(d->bdf, d->index, vector, apic);
	return program_intx(d->bdf, d->index, vector, apic);
}

/* ---- the hypercall ---- */

static int find_vector(unsigned int part, uint16_t bdf, unsigned int index, bool *fresh)
{
	int free = -1;

	for (int v = 0; v < NVEC; v++) {
		if (vecs[v].kind && vecs[v].part == part && vecs[v].bdf == bdf &&
		    vecs[v].index == index) {
			*fresh = false;
			return v;
		}
		if (!vecs[v].kind && free < 0)
			free = v;
	}
	*fresh = true;
	return free;
}

static enum devirq_kind kind_of(uint16_t bdf)
{
	const struct pci_func *f = func_of(bdf);

	if (cap_find(bdf, CAP_MSIX))
		return DEVIRQ_MSIX;
	if (cap_find(bdf, CAP_MSI))
		return DEVIRQ_MSI;
	return f && f->class_code >> 8 == PCI_CLASS_IDE ? DEVIRQ_ISA : DEVIRQ_INTX;
}

/* Under devirq_lock: vector slot v for (part, bdf, index), programmed; its port or error. */
static int64_t bind(struct guest *g, int v, bool fresh, uint16_t bdf, unsigned int index)
{
	struct devirq d = fresh ? (struct devirq){ kind_of(bdf), (uint8_t)g->id, bdf,
						   (uint16_t)index, 0 } : vecs[v];
	int ret;

	if (fresh) {
		ret = partition_bind_source(g->id);
		if (ret < 0)
			return ret;
		d.port = (uint32_t)ret;
	}
	ret = program(g, &d, (uint8_t)(VEC_DEV_FIRST + v));
	if (ret)
		return ret;	/* a fresh port stays bound, unused: harmless */
	vecs[v] = d;
	if (fresh)
		pr_info("devirq: %s %02x:%02x.%u %s %u -> vector 0x%x cpu %u port %u", g->name,
			PCI_BUS(bdf), PCI_DEV(bdf), PCI_FN(bdf), kind_name[d.kind], index,
			VEC_DEV_FIRST + v, g->cpu, d.port);
	return d.port;
}

int64_t partition_dev_irq(struct vcpu *v, uint64_t bdf, uint64_t index)
{
	struct guest *g = v->guest;
	uint64_t flags;
	int64_t ret;
	bool fresh;
	int vec;

	if (!g->managed)
		return -HV_ENOSYS;
	if (bdf > 0xffff || index > 0x7ff)
		return -HV_EINVAL;
	if (!pci_cfg_has(partition_dev_cfg(g->id), (uint16_t)bdf))
		return -HV_EPERM;	/* not a device it owns */
	flags = spin_lock_irqsave(&devirq_lock);
	trap_irq_hook = devirq_fire;
	vec = find_vector(g->id, (uint16_t)bdf, (unsigned int)index, &fresh);
	ret = vec < 0 ? -HV_E2BIG : bind(g, vec, fresh, (uint16_t)bdf, (unsigned int)index);
	spin_unlock_irqrestore(&devirq_lock, flags);
	return ret;
}
