/* SPDX-License-Identifier: MIT */
/* PCI configuration space from inside a partition: config mechanism #1, scan, BARs, capabilities. */
#include "guest-drivers/rt/pci.h"

#include "guest-drivers/rt/rt.h"

#define CFG_ADDR	0xcf8
#define CFG_DATA	0xcfc
#define CFG_ENABLE	(1u << 31)
#define SCAN_BUSES	4
#define CAP_MAX_HOPS	48	/* a looping list ends here */

static void select_reg(uint16_t bdf, unsigned int reg)
{
	rt_outl(CFG_ADDR, CFG_ENABLE | (uint32_t)bdf << 8 | (reg & 0xfc));
}

uint32_t rt_pci_read(uint16_t bdf, unsigned int reg, unsigned int size)
{
	uint16_t port = (uint16_t)(CFG_DATA + (reg & 3));

	select_reg(bdf, reg);
	if (size == 1)
		return rt_inb(port);
	if (size == 2)
		return rt_inw(port);
	return rt_inl(CFG_DATA);
}

void rt_pci_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v)
{
	uint16_t port = (uint16_t)(CFG_DATA + (reg & 3));

	select_reg(bdf, reg);
	if (size == 1)
		rt_outb(port, (uint8_t)v);
	else if (size == 2)
		rt_outw(port, (uint16_t)v);
	else
		rt_outl(CFG_DATA, v);
}

unsigned int rt_pci_scan(struct rt_pci_dev *out, unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int bus = 0; bus < SCAN_BUSES; bus++) {
		for (unsigned int slot = 0; slot < 32 * 8; slot++) {
			uint16_t bdf = (uint16_t)(bus << 8 | slot);
			uint32_t id = rt_pci_read(bdf, RT_PCI_VENDOR, 4);

			if ((id & 0xffff) == 0xffff)
				continue;
			if (n < max)
				out[n] = (struct rt_pci_dev){ bdf, (uint16_t)id, (uint16_t)(id >> 16),
							      rt_pci_read(bdf, RT_PCI_CLASS, 4) >> 8 };
			n++;
		}
	}
	return n;
}

uint64_t rt_pci_bar(uint16_t bdf, unsigned int i, uint64_t *size, bool *io)
{
	unsigned int reg = RT_PCI_BAR0 + 4 * i;
	uint32_t lo = rt_pci_read(bdf, reg, 4), mask;
	bool wide = !(lo & 1) && (lo & 6) == 4;
	uint64_t base, high = 0;

	*io = lo & 1;
	rt_pci_write(bdf, reg, 4, 0xffffffff);
	mask = rt_pci_read(bdf, reg, 4) & (*io ? 0xfffffffc : 0xfffffff0);
	rt_pci_write(bdf, reg, 4, lo);
	if (wide && i < 5)
		high = rt_pci_read(bdf, reg + 4, 4);
	base = (lo & (*io ? 0xfffffffc : 0xfffffff0)) | high << 32;
	*size = mask ? (uint64_t)(~mask + 1u) & (*io ? 0xffff : 0xffffffff) : 0;
	return *size ? base : 0;
}

void rt_pci_enable(uint16_t bdf, uint32_t cmd_bits)
{
	uint32_t cmd = rt_pci_read(bdf, RT_PCI_COMMAND, 2);

	rt_pci_write(bdf, RT_PCI_COMMAND, 2, cmd | cmd_bits);
}

unsigned int rt_pci_cap(uint16_t bdf, uint8_t id, unsigned int from)
{
	unsigned int at;

	if (!(rt_pci_read(bdf, RT_PCI_STATUS, 2) & RT_PCI_STATUS_CAPS))
		return 0;
	at = from ? rt_pci_read(bdf, from + 1, 1) : rt_pci_read(bdf, RT_PCI_CAP_PTR, 1);
	for (unsigned int hops = 0; at >= 0x40 && hops < CAP_MAX_HOPS; hops++) {
		at &= 0xfc;
		if (rt_pci_read(bdf, at, 1) == id)
			return at;
		at = rt_pci_read(bdf, at + 1, 1);
	}
	return 0;
}
