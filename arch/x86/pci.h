/* SPDX-License-Identifier: MIT */
/* PCI configuration space by mechanism #1 (ports 0xCF8/0xCFC) and a boot-time bus scan. */
#ifndef ARCH_X86_PCI_H
#define ARCH_X86_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* PCI Local Bus Specification 3.0, 3.2.2.3.2: the CONFIG_ADDRESS / CONFIG_DATA ports. */
#define PCI_CFG_ADDR_PORT	0xcf8
#define PCI_CFG_DATA_PORT	0xcfc
#define  PCI_CFG_ADDR_ENABLE	(1u << 31)
/* bits 23:8 hold bus, device and function (the BDF); bits 7:2 the dword register */
#define  PCI_CFG_ADDR(bdf, reg)	(PCI_CFG_ADDR_ENABLE | ((uint32_t)(bdf) << 8) | ((reg) & 0xfc))
#define PCI_CFG_SIZE		256	/* conventional configuration space */

#define PCI_BDF(bus, dev, fn)	((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))
#define PCI_BUS(bdf)		((unsigned int)(bdf) >> 8)
#define PCI_DEV(bdf)		(((unsigned int)(bdf) >> 3) & 0x1f)
#define PCI_FN(bdf)		((unsigned int)(bdf) & 7)

/* PCI 3.0, 6.1: the configuration header, common part. */
#define PCI_VENDOR_ID		0x00	/* 0xffff: no function here */
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04	/* PCI 3.0, 6.2.2 */
#define  PCI_COMMAND_IO		(1u << 0)
#define  PCI_COMMAND_MEMORY	(1u << 1)
#define  PCI_COMMAND_MASTER	(1u << 2)
#define  PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS		0x06
#define PCI_CLASS_REV		0x08	/* revision 7:0, class code 31:8 */
#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_MULTI_FN	0x80
#define  PCI_HEADER_LAYOUT	0x7f
#define  PCI_HEADER_NORMAL	0x00
#define  PCI_HEADER_BRIDGE	0x01	/* PCI-to-PCI Bridge Architecture 1.2, 3.2 */
#define PCI_BAR0		0x10	/* PCI 3.0, 6.2.5.1 */
#define  PCI_BAR_IO		(1u << 0)
#define  PCI_BAR_MEM_TYPE	(3u << 1)
#define  PCI_BAR_MEM_64		(2u << 1)
#define  PCI_BAR_IO_MASK	0xfffffffcu
#define  PCI_BAR_MEM_MASK	0xfffffff0u
#define PCI_BAR5		0x24
#define PCI_ROM			0x30	/* type 0 header; PCI 3.0, 6.2.5.2 */
#define  PCI_ROM_ENABLE		(1u << 0)
#define  PCI_ROM_MASK		0xfffff800u
#define PCI_CAP_PTR		0x34
#define PCI_INT_LINE		0x3c	/* the firmware's ISA IRQ for the pin (PCI 3.0 6.2.4) */
#define PCI_INT_PIN		0x3d	/* 1-4: INTA#-INTD#, 0: none */
#define PCI_BRIDGE_SECONDARY	0x19	/* type 1 header: bus number behind the bridge */
#define PCI_BRIDGE_SUBORDINATE	0x1a	/* type 1 header: highest bus number below it */

#define PCI_NBARS		6	/* type 0; a bridge has 2 */
#define PCI_ROM_SLOT		PCI_NBARS	/* bar[] index of the expansion ROM */
#define PCI_MAX_FUNCS		64

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_KIND_IO, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_ROM };

/* One decoder. The upper half of a 64-bit BAR is in the next slot, kind NONE. */
struct pci_bar {
	enum pci_bar_kind kind;
	uint64_t base;
	uint64_t size;	/* a power of two; 0: not implemented */
};

struct pci_func {
	uint16_t bdf;
	uint16_t vendor;
	uint16_t device;
	uint8_t header;	/* PCI_HEADER_LAYOUT bits */
	uint8_t irq_line, irq_pin;	/* at boot: the firmware's ISA IRQ and INTx pin */
	uint32_t class_code;	/* base class 23:16, subclass 15:8, interface 7:0 */
	struct pci_bar bar[PCI_NBARS + 1];	/* + the expansion ROM */
};

/* Any offset < 256; size 1, 2 or 4 and naturally aligned. Serialised by one lock. */
uint32_t pci_cfg_read(uint16_t bdf, unsigned int reg, unsigned int size);
void pci_cfg_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v);

/* Scans bus 0 and every bus behind a bridge once (later calls do nothing), logging each
 * function; returns how many were found (at most PCI_MAX_FUNCS are kept). */
unsigned int pci_scan(void);
unsigned int pci_count(void);
const struct pci_func *pci_func_at(unsigned int i);
/* The first function with this vendor and device ID, or NULL. */
const struct pci_func *pci_find(uint16_t vendor, uint16_t device);

#endif
