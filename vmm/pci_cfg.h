/* SPDX-License-Identifier: MIT */
/* A partition's filtered view of PCI configuration space through ports 0xCF8-0xCFF. */
#ifndef VMM_PCI_CFG_H
#define VMM_PCI_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/pci.h"

/*
 * The view, pure logic over a callback to the real configuration space (in the
 * hypervisor: pci_cfg_read/pci_cfg_write of arch/x86/pci.h; in tests: a fake).
 *
 * - CONFIG_ADDRESS (0xCF8) is latched per partition: only 32-bit accesses reach it;
 *   other accesses to 0xCF8-0xCFB read all-ones and are dropped (0xCF9 is the chipset
 *   reset register on many boards: a partition never reaches it).
 * - CONFIG_DATA (0xCFC-0xCFF), 1, 2 or 4 bytes not crossing 0xCFF: a function the
 *   partition was not assigned reads all-ones and ignores writes. Bridges (and any
 *   header type other than 0) cannot be assigned, so a partition never sees one.
 * - An assigned function is passed through (same BDF), except:
 *   - BARs (0x10-0x24) and the expansion ROM (0x30) are virtual: they read the
 *     addresses the hypervisor chose (identity: the real ones), size probing works
 *     (all-ones reads back the size mask and the type bits), and writes change only
 *     the view, never the device (the ROM enable bit too);
 *   - the command register takes only I/O, memory, bus-master and INTx-disable bits;
 *     the status register's write-1-to-clear bits are dropped.
 *   The MSI and MSI-X capabilities become read-only once the hypervisor routes them
 *   (pci_cfg_protect, HC_DEV_IRQ); until then they, the PCIe control registers (FLR
 *   included) and the device-specific space are passed through.
 */

/* The real configuration space; reg naturally aligned to size (1, 2, 4). */
struct pci_cfg_hw {
	uint32_t (*read)(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size);
	void (*write)(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v);
	void *ctx;
};

#define PCI_CFG_MAX_DEVS	16	/* MANIFEST_MAX_DEVICES */
#define PCI_CFG_SLOTS		(PCI_NBARS + 1)	/* BAR0-5 and the ROM */

#define PCI_CFG_PROTECT_MAX	2

struct pci_cfg_dev {
	uint16_t bdf;
	/* Registers the partition may read but not write (pci_cfg_protect), lo..hi. */
	unsigned int nprot;
	struct { uint8_t lo, hi; } prot[PCI_CFG_PROTECT_MAX];
	uint32_t bar[PCI_CFG_SLOTS];	/* the view: writable bits only */
	uint32_t mask[PCI_CFG_SLOTS];	/* writable bits (address above the size) */
	uint32_t fixed[PCI_CFG_SLOTS];	/* the rest, as the device had them */
};

/* Not locked: one partition's vCPUs race on the latch as CPUs do on real hardware. */
struct pci_cfg {
	struct pci_cfg_hw hw;
	uint32_t addr;		/* the partition's CONFIG_ADDRESS */
	unsigned int ndevs;
	struct pci_cfg_dev devs[PCI_CFG_MAX_DEVS];
};

#define PCI_CFG_PORT_FIRST	0xcf8
#define PCI_CFG_PORT_LAST	0xcff

void pci_cfg_init(struct pci_cfg *c, const struct pci_cfg_hw *hw);
/*
 * Shows f (a scan result, for its BAR sizes) to the partition, its BARs as the device
 * has them now. -HV_EINVAL: not a type 0 header (a bridge); -HV_EEXIST: already
 * assigned; -HV_E2BIG: PCI_CFG_MAX_DEVS already.
 */
int pci_cfg_assign(struct pci_cfg *c, const struct pci_func *f)
	__attribute__((warn_unused_result));
/*
 * From now on the partition's writes to registers [reg, reg+len) of bdf are dropped
 * (the hypervisor programs them: an MSI or MSI-X capability it routed). -HV_ENOENT: bdf
 * not assigned; -HV_E2BIG: PCI_CFG_PROTECT_MAX ranges already; -HV_EINVAL: bad range.
 */
int pci_cfg_protect(struct pci_cfg *c, uint16_t bdf, unsigned int reg, unsigned int len)
	__attribute__((warn_unused_result));
/* Whether bdf is assigned (shown) to this partition. */
bool pci_cfg_has(struct pci_cfg *c, uint16_t bdf);
bool pci_cfg_is_port(uint16_t port);
/* An IN / OUT of size 1, 2 or 4 at port (0xCF8-0xCFF) by the partition. */
uint32_t pci_cfg_in(struct pci_cfg *c, uint16_t port, unsigned int size);
void pci_cfg_out(struct pci_cfg *c, uint16_t port, unsigned int size, uint32_t v);

#endif
