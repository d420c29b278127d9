/* SPDX-License-Identifier: MIT */
/* PCI configuration access by mechanism #1 and a boot-time scan of every bus and BAR. */
#include "arch/x86/pci.h"

#include "arch/x86/cpu.h"
#include "arch/x86/spinlock.h"
#include "vmm/format.h"
#include "vmm/log.h"

/* Protects the CONFIG_ADDRESS latch: an access is a write to 0xCF8 then one to 0xCFC. */
static struct spinlock pci_lock;

static struct pci_func funcs[PCI_MAX_FUNCS];
static unsigned int nfuncs;
static bool scanned;

static bool pci_access_ok(unsigned int reg, unsigned int size)
{
	return (size == 1 || size == 2 || size == 4) && reg < PCI_CFG_SIZE && !(reg & (size - 1));
}

/*
 * 8- and 16-bit accesses use the data port's byte lanes 0xCFC + (reg & 3) (PCI 3.0,
 * 3.2.2.3.2). Reads take the whole dword (arch/x86/cpu.h has no inw): configuration
 * reads have no side effects, so the other lanes do not matter.
 */
uint32_t pci_cfg_read(uint16_t bdf, unsigned int reg, unsigned int size)
{
	uint64_t flags;
	uint32_t v;

	if (!pci_access_ok(reg, size))
		return 0xffffffffu;
	flags = spin_lock_irqsave(&pci_lock);
	outl(PCI_CFG_ADDR_PORT, PCI_CFG_ADDR(bdf, reg));
	v = inl(PCI_CFG_DATA_PORT);
	spin_unlock_irqrestore(&pci_lock, flags);
	v >>= (reg & 3) * 8;
	return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

void pci_cfg_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v)
{
	uint16_t port = (uint16_t)(PCI_CFG_DATA_PORT + (reg & 3));
	uint64_t flags;

	if (!pci_access_ok(reg, size))
		return;
	flags = spin_lock_irqsave(&pci_lock);
	outl(PCI_CFG_ADDR_PORT, PCI_CFG_ADDR(bdf, reg));
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
	spin_unlock_irqrestore(&pci_lock, flags);
}

/* Writes all-ones to a BAR dword and returns what sticks, restoring the old value. */
static uint32_t bar_probe(uint16_t bdf, unsigned int reg, uint32_t *old)
{
	uint32_t mask;

	*old = pci_cfg_read(bdf, reg, 4);
	pci_cfg_write(bdf, reg, 4, 0xffffffffu);
	mask = pci_cfg_read(bdf, reg, 4);
	pci_cfg_write(bdf, reg, 4, *old);
	return mask;
}

/* Sizes the BAR at slot i (PCI 3.0, 6.2.5.1); returns how many slots it takes. */
static unsigned int bar_size(struct pci_func *f, unsigned int i)
{
	unsigned int reg = PCI_BAR0 + 4 * i;
	struct pci_bar *b = &f->bar[i];
	uint32_t old, mask = bar_probe(f->bdf, reg, &old), old_hi, mask_hi = 0xffffffffu;

	if (old & PCI_BAR_IO) {
		b->kind = PCI_BAR_KIND_IO;
		b->base = old & PCI_BAR_IO_MASK;
		/* the upper 16 bits of an I/O BAR may read back 0 (PCI 3.0, 6.2.5.1) */
		mask = (mask & PCI_BAR_IO_MASK) | 0xffff0000u;
		b->size = mask == 0xffff0000u ? 0 : (uint32_t)~mask + 1;
		return 1;
	}
	b->kind = (old & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
	b->base = old & PCI_BAR_MEM_MASK;
	if (b->kind == PCI_BAR_MEM64 && i + 1 < PCI_NBARS) {
		mask_hi = bar_probe(f->bdf, reg + 4, &old_hi);
		b->base |= (uint64_t)old_hi << 32;
	}
	mask &= PCI_BAR_MEM_MASK;
	b->size = mask ? ~(((uint64_t)mask_hi << 32) | mask) + 1 : 0;
	if (!b->size)
		b->kind = PCI_BAR_NONE;
	return b->kind == PCI_BAR_MEM64 ? 2 : 1;
}

static void rom_size(struct pci_func *f)
{
	struct pci_bar *b = &f->bar[PCI_ROM_SLOT];
	uint32_t old, mask = bar_probe(f->bdf, PCI_ROM, &old) & PCI_ROM_MASK;

	b->base = old & PCI_ROM_MASK;
	b->size = mask ? (uint32_t)~mask + 1 : 0;
	b->kind = mask ? PCI_BAR_ROM : PCI_BAR_NONE;
}

/* Sizes every BAR with I/O and memory decode off, so no half-written BAR decodes. */
static void bars_size(struct pci_func *f)
{
	unsigned int n = f->header == PCI_HEADER_BRIDGE ? 2 : PCI_NBARS;
	uint32_t cmd = pci_cfg_read(f->bdf, PCI_COMMAND, 2);

	pci_cfg_write(f->bdf, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned int i = 0; i < n;)
		i += bar_size(f, i);
	if (f->header == PCI_HEADER_NORMAL)
		rom_size(f);
	pci_cfg_write(f->bdf, PCI_COMMAND, 2, cmd);
}

static void func_log(const struct pci_func *f)
{
	static const char *const kind[] = { "", "io", "mem32", "mem64", "rom" };
	char line[256];
	int n = hv_snprintf(line, sizeof(line), "pci: %02x:%02x.%u vendor=%04x device=%04x "
			    "class=%06x%s", PCI_BUS(f->bdf), PCI_DEV(f->bdf), PCI_FN(f->bdf),
			    f->vendor, f->device, f->class_code,
			    f->header == PCI_HEADER_BRIDGE ? " bridge" : "");

	for (unsigned int i = 0; i <= PCI_ROM_SLOT && n > 0 && (size_t)n < sizeof(line); i++) {
		const struct pci_bar *b = &f->bar[i];

		if (b->kind != PCI_BAR_NONE)
			n += hv_snprintf(line + n, sizeof(line) - (size_t)n, " bar%u=%s:0x%llx+0x%llx",
					 i, kind[b->kind], (unsigned long long)b->base,
					 (unsigned long long)b->size);
	}
	pr_info("%s", line);
}

static void scan_bus(unsigned int bus, uint8_t *seen);

static void scan_func(uint16_t bdf, uint8_t *seen)
{
	struct pci_func f = { .bdf = bdf };
	unsigned int secondary;

	f.vendor = (uint16_t)pci_cfg_read(bdf, PCI_VENDOR_ID, 2);
	f.device = (uint16_t)pci_cfg_read(bdf, PCI_DEVICE_ID, 2);
	f.class_code = pci_cfg_read(bdf, PCI_CLASS_REV, 4) >> 8;
	f.header = (uint8_t)(pci_cfg_read(bdf, PCI_HEADER_TYPE, 1) & PCI_HEADER_LAYOUT);
	/* As the firmware left them: a partition may rewrite the register later. */
	f.irq_line = (uint8_t)pci_cfg_read(bdf, PCI_INT_LINE, 1);
	f.irq_pin = (uint8_t)pci_cfg_read(bdf, PCI_INT_PIN, 1);
	if (f.header == PCI_HEADER_NORMAL || f.header == PCI_HEADER_BRIDGE)
		bars_size(&f);
	func_log(&f);
	if (nfuncs < PCI_MAX_FUNCS)
		funcs[nfuncs] = f;
	nfuncs++;
	secondary = pci_cfg_read(bdf, PCI_BRIDGE_SECONDARY, 1);
	if (f.header == PCI_HEADER_BRIDGE && secondary)
		scan_bus(secondary, seen);
}

/* seen: one bit per bus, so a misprogrammed bridge cannot make the scan loop. */
static void scan_bus(unsigned int bus, uint8_t *seen)
{
	if (seen[bus / 8] & (1u << (bus % 8)))
		return;
	seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
	for (unsigned int dev = 0; dev < 32; dev++) {
		unsigned int nfn = 1;

		for (unsigned int fn = 0; fn < nfn; fn++) {
			uint16_t bdf = PCI_BDF(bus, dev, fn);

			if (pci_cfg_read(bdf, PCI_VENDOR_ID, 2) == 0xffff)
				continue;
			if (fn == 0 && (pci_cfg_read(bdf, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTI_FN))
				nfn = 8;
			scan_func(bdf, seen);
		}
	}
}

unsigned int pci_scan(void)
{
	uint8_t seen[256 / 8] = { 0 };

	if (scanned)
		return pci_count();
	scanned = true;
	scan_bus(0, seen);
	if (nfuncs > PCI_MAX_FUNCS)
		pr_warn("pci: %u functions, only the first %u kept", nfuncs, PCI_MAX_FUNCS);
	pr_info("pci: %u functions", nfuncs);
	return pci_count();
}

unsigned int pci_count(void)
{
	return nfuncs < PCI_MAX_FUNCS ? nfuncs : PCI_MAX_FUNCS;
}

const struct pci_func *pci_func_at(unsigned int i)
{
	return i < pci_count() ? &funcs[i] : 0;
}

const struct pci_func *pci_find(uint16_t vendor, uint16_t device)
{
	for (unsigned int i = 0; i < pci_count(); i++)
		if (funcs[i].vendor == vendor && funcs[i].device == device)
			return &funcs[i];
	return 0;
}
