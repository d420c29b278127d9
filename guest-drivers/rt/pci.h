/* SPDX-License-Identifier: MIT */
/* PCI configuration space from inside a partition: the functions the hypervisor shows it. */
#ifndef GUEST_DRIVERS_RT_PCI_H
#define GUEST_DRIVERS_RT_PCI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Mechanism #1 (ports 0xCF8/0xCFC, PCI 3.0 3.2.2.3.2), which the hypervisor filters: a
 * partition sees only the functions it owns, at their real bus/device/function, with
 * their BARs where the hypervisor mapped them (guest-physical = host-physical, below
 * 4 GiB, inside the runtime's [3 GiB, 4 GiB) window). One vCPU at a time.
 */
#define RT_PCI_VENDOR		0x00
#define RT_PCI_DEVICE		0x02
#define RT_PCI_COMMAND		0x04
#define  RT_PCI_CMD_IO		(1u << 0)
#define  RT_PCI_CMD_MEMORY	(1u << 1)
#define  RT_PCI_CMD_MASTER	(1u << 2)
#define  RT_PCI_CMD_INTX_OFF	(1u << 10)
#define RT_PCI_STATUS		0x06
#define  RT_PCI_STATUS_CAPS	(1u << 4)
#define RT_PCI_CLASS		0x08	/* revision 7:0, class code 31:8 */
#define RT_PCI_HEADER		0x0e
#define RT_PCI_BAR0		0x10
#define RT_PCI_CAP_PTR		0x34
#define RT_PCI_INT_LINE		0x3c

#define RT_PCI_BDF(bus, dev, fn)	((uint16_t)(((bus) << 8) | ((dev) << 3) | (fn)))

struct rt_pci_dev {
	uint16_t bdf;
	uint16_t vendor, device;
	uint32_t class_code;	/* base 23:16, subclass 15:8, interface 7:0 */
};

uint32_t rt_pci_read(uint16_t bdf, unsigned int reg, unsigned int size);
void rt_pci_write(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v);

/*
 * The functions visible on buses 0-3 (where QEMU and Bochs put endpoints), in bus order,
 * into out[0..max); how many there are (may exceed max).
 */
unsigned int rt_pci_scan(struct rt_pci_dev *out, unsigned int max);

/* BAR i (0-5): its address (64-bit BARs joined), size (by probing) and kind; 0 if none. */
uint64_t rt_pci_bar(uint16_t bdf, unsigned int i, uint64_t *size, bool *io);

/* Turns on memory and/or I/O decoding and bus mastering (never turns bits off). */
void rt_pci_enable(uint16_t bdf, uint32_t cmd_bits);

/* Offset of the first capability with this ID after the one at from (0: from the
 * start), or 0 when there is none (PCI 3.0 6.7). */
unsigned int rt_pci_cap(uint16_t bdf, uint8_t id, unsigned int from);

#endif
