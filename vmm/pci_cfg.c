/* SPDX-License-Identifier: MIT */
/* A partition's filtered view of PCI configuration space: pure logic over a callback. */
#include "vmm/pci_cfg.h"

#include "include/abi/hv_errno.h"

/* CONFIG_ADDRESS bits that hold state: enable, bus, device, function, dword register
 * (PCI 3.0, 3.2.2.3.2); 30:24 are reserved and 1:0 select type 0/1 cycles. */
#define PCI_CFG_ADDR_BITS	0x80fffffcu
#define PCI_CFG_DATA_FIRST	PCI_CFG_DATA_PORT
/* What a partition may change in the command register (PCI 3.0, 6.2.2). */
#define PCI_CFG_CMD_ALLOWED	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | \
				 PCI_COMMAND_INTX_DISABLE)

static uint32_t ones(unsigned int size)
{
	return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static bool size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4;
}

/* v's size bytes placed at byte off of old. */
static uint32_t merge(uint32_t old, uint32_t v, unsigned int off, unsigned int size)
{
	uint32_t m = ones(size) << (off * 8);

	return (old & ~m) | ((v << (off * 8)) & m);
}

/* The view's slot for the dword at reg: BAR0-5, the ROM, or -1. */
static int slot_of(unsigned int reg)
{
	if (reg >= PCI_BAR0 && reg <= PCI_BAR5)
		return (int)(reg - PCI_BAR0) / 4;
	return reg == PCI_ROM ? PCI_ROM_SLOT : -1;
}

static unsigned int slot_reg(unsigned int i)
{
	return i == PCI_ROM_SLOT ? PCI_ROM : PCI_BAR0 + 4 * i;
}

/* Writable bits of slot i: the address bits above the decoder's size (PCI 3.0, 6.2.5). */
static uint32_t slot_mask(const struct pci_func *f, unsigned int i)
{
	const struct pci_bar *b = &f->bar[i];
	uint64_t above = ~(b->size - 1);

	switch (b->kind) {
	case PCI_BAR_KIND_IO:
		return (uint32_t)above & PCI_BAR_IO_MASK;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM64:
		return (uint32_t)above & PCI_BAR_MEM_MASK;
	case PCI_BAR_ROM:
		return ((uint32_t)above & PCI_ROM_MASK) | PCI_ROM_ENABLE;
	case PCI_BAR_NONE:
		break;
	}
	/* the upper half of a 64-bit BAR */
	if (i > 0 && i < PCI_NBARS && f->bar[i - 1].kind == PCI_BAR_MEM64)
		return (uint32_t)(~(f->bar[i - 1].size - 1) >> 32);
	return 0;
}

/* Accesses the hardware in naturally aligned pieces, as pci_cfg_hw requires. */
static uint32_t hw_read(const struct pci_cfg *c, uint16_t bdf, unsigned int reg,
			unsigned int size)
{
	uint32_t v = 0;

	if (!(reg & (size - 1)))
		return c->hw.read(c->hw.ctx, bdf, reg, size);
	for (unsigned int i = 0; i < size; i++)
		v |= (c->hw.read(c->hw.ctx, bdf, reg + i, 1) & 0xff) << (i * 8);
	return v;
}

static void hw_write(const struct pci_cfg *c, uint16_t bdf, unsigned int reg,
		     unsigned int size, uint32_t v)
{
	if (!(reg & (size - 1))) {
		c->hw.write(c->hw.ctx, bdf, reg, size, v);
		return;
	}
	for (unsigned int i = 0; i < size; i++)
		c->hw.write(c->hw.ctx, bdf, reg + i, 1, (v >> (i * 8)) & 0xff);
}

void pci_cfg_init(struct pci_cfg *c, const struct pci_cfg_hw *hw)
{
	*c = (struct pci_cfg){ .hw = *hw };
}

static struct pci_cfg_dev *dev_find(struct pci_cfg *c, uint16_t bdf)
{
	for (unsigned int i = 0; i < c->ndevs; i++)
		if (c->devs[i].bdf == bdf)
			return &c->devs[i];
	return 0;
}

int pci_cfg_assign(struct pci_cfg *c, const struct pci_func *f)
{
	struct pci_cfg_dev *d;

	if (f->header != PCI_HEADER_NORMAL)
		return -HV_EINVAL;
	if (dev_find(c, f->bdf))
		return -HV_EEXIST;
	if (c->ndevs >= PCI_CFG_MAX_DEVS)
		return -HV_E2BIG;
	d = &c->devs[c->ndevs++];
	d->bdf = f->bdf;
	for (unsigned int i = 0; i < PCI_CFG_SLOTS; i++) {
		uint32_t now = c->hw.read(c->hw.ctx, f->bdf, slot_reg(i), 4);

		d->mask[i] = slot_mask(f, i);
		d->bar[i] = now & d->mask[i];
		d->fixed[i] = now & ~d->mask[i];
	}
	return 0;
}

bool pci_cfg_has(struct pci_cfg *c, uint16_t bdf)
{
	return dev_find(c, bdf) != 0;
}

int pci_cfg_protect(struct pci_cfg *c, uint16_t bdf, unsigned int reg, unsigned int len)
{
	struct pci_cfg_dev *d = dev_find(c, bdf);

	if (!d)
		return -HV_ENOENT;
	if (!len || reg + len > PCI_CFG_SIZE || reg < PCI_CFG_SIZE / 4)
		return -HV_EINVAL;	/* only capability space, past the header */
	for (unsigned int i = 0; i < d->nprot; i++)
		if (d->prot[i].lo == reg && d->prot[i].hi == reg + len - 1)
			return 0;
	if (d->nprot == PCI_CFG_PROTECT_MAX)
		return -HV_E2BIG;
	d->prot[d->nprot].lo = (uint8_t)reg;
	d->prot[d->nprot++].hi = (uint8_t)(reg + len - 1);
	return 0;
}

static bool is_protected(const struct pci_cfg_dev *d, unsigned int reg, unsigned int size)
{
	for (unsigned int i = 0; i < d->nprot; i++)
		if (reg <= d->prot[i].hi && reg + size - 1 >= d->prot[i].lo)
			return true;
	return false;
}

bool pci_cfg_is_port(uint16_t port)
{
	return port >= PCI_CFG_PORT_FIRST && port <= PCI_CFG_PORT_LAST;
}

/* The assigned function CONFIG_ADDRESS selects, and the register of port; or NULL. */
static struct pci_cfg_dev *data_target(struct pci_cfg *c, uint16_t port, unsigned int size,
				       unsigned int *reg)
{
	if (!size_ok(size) || port < PCI_CFG_DATA_FIRST || port + size - 1 > PCI_CFG_PORT_LAST ||
	    !(c->addr & PCI_CFG_ADDR_ENABLE))
		return 0;
	*reg = (c->addr & 0xfc) + (port - PCI_CFG_DATA_FIRST);
	return dev_find(c, (uint16_t)(c->addr >> 8));
}

uint32_t pci_cfg_in(struct pci_cfg *c, uint16_t port, unsigned int size)
{
	struct pci_cfg_dev *d;
	unsigned int reg;
	int slot;

	if (!size_ok(size))
		return 0xffffffffu;
	if (port == PCI_CFG_ADDR_PORT && size == 4)
		return c->addr;
	d = data_target(c, port, size, &reg);
	if (!d)
		return ones(size);
	slot = slot_of(reg & ~3u);
	if (slot < 0)
		return hw_read(c, d->bdf, reg, size);
	return ((d->bar[slot] | d->fixed[slot]) >> ((reg & 3) * 8)) & ones(size);
}

/* Command bits a partition may not touch keep the device's value; status is dropped. */
static void command_write(const struct pci_cfg *c, uint16_t bdf, unsigned int reg,
			  unsigned int size, uint32_t v)
{
	uint32_t cur, want;

	if (reg >= PCI_STATUS)
		return;
	cur = c->hw.read(c->hw.ctx, bdf, PCI_COMMAND, 2);
	want = merge(cur, v, reg - PCI_COMMAND, size) & 0xffff;
	want = (cur & ~PCI_CFG_CMD_ALLOWED) | (want & PCI_CFG_CMD_ALLOWED);
	c->hw.write(c->hw.ctx, bdf, PCI_COMMAND, 2, want);
}

void pci_cfg_out(struct pci_cfg *c, uint16_t port, unsigned int size, uint32_t v)
{
	struct pci_cfg_dev *d;
	unsigned int reg;
	int slot;

	if (port == PCI_CFG_ADDR_PORT && size == 4) {
		c->addr = v & PCI_CFG_ADDR_BITS;
		return;
	}
	d = data_target(c, port, size, &reg);
	if (!d)
		return;
	slot = slot_of(reg & ~3u);
	if (slot >= 0) {
		uint32_t now = d->bar[slot] | d->fixed[slot];

		d->bar[slot] = merge(now, v, reg & 3, size) & d->mask[slot];
	} else if ((reg & ~3u) == PCI_COMMAND) {
		command_write(c, d->bdf, reg, size, v);
	} else if (!is_protected(d, reg, size)) {
		hw_write(c, d->bdf, reg, size, v);
	}
}
