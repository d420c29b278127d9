/* SPDX-License-Identifier: MIT */
/* Intel 8254x (e1000) with legacy descriptors: one receive and one transmit ring behind the netdev interface. */
#include "guest-drivers/net/netdev.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/*
 * Registers: PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual (8254x SDM, 317453), section 13 (table 13-2), offsets into BAR0.
 */
#define CTRL		0x0000	/* 13.4.1 */
#define  CTRL_ASDE	(1u << 5)	/* auto-speed detection */
#define  CTRL_SLU	(1u << 6)	/* set link up */
#define  CTRL_RST	(1u << 26)	/* device reset, self-clearing */
#define  CTRL_VME	(1u << 30)
#define  CTRL_PHY_RST	(1u << 31)
#define STATUS		0x0008	/* 13.4.2 */
#define  STATUS_LU	(1u << 1)
#define EERD		0x0014	/* 13.4.4: EEPROM read (82540EM layout) */
#define  EERD_START	(1u << 0)
#define  EERD_DONE	(1u << 4)
#define  EERD_ADDR(w)	((uint32_t)(w) << 8)
#define  EERD_DATA(r)	((uint16_t)((r) >> 16))
#define ICR		0x00c0	/* 13.4.17: read to clear */
#define IMS		0x00d0	/* 13.4.20 */
#define IMC		0x00d8	/* 13.4.21 */
#define  INT_TXDW	(1u << 0)	/* transmit descriptor written back */
#define  INT_LSC	(1u << 2)
#define  INT_RXDMT0	(1u << 4)	/* receive descriptors below threshold */
#define  INT_RXO	(1u << 6)	/* receiver overrun */
#define  INT_RXT0	(1u << 7)	/* receiver timer: a frame arrived */
#define RCTL		0x0100	/* 13.4.22 */
#define  RCTL_EN	(1u << 1)
#define  RCTL_UPE	(1u << 3)	/* unicast promiscuous */
#define  RCTL_MPE	(1u << 4)	/* multicast promiscuous */
#define  RCTL_BAM	(1u << 15)	/* accept broadcast */
#define  RCTL_BSIZE_2K	(0u << 16)	/* with BSEX clear */
#define  RCTL_SECRC	(1u << 26)	/* strip the CRC */
#define TCTL		0x0400	/* 13.4.33 */
#define  TCTL_EN	(1u << 1)
#define  TCTL_PSP	(1u << 3)	/* pad short packets */
#define  TCTL_CT(x)	((uint32_t)(x) << 4)	/* collision threshold: 0x0f */
#define  TCTL_COLD(x)	((uint32_t)(x) << 12)	/* collision distance: 0x40 full duplex */
#define TIPG		0x0410	/* 13.4.34: IPGT 10, IPGR1 8, IPGR2 6 for 802.3 copper */
#define  TIPG_COPPER	(10u | 8u << 10 | 6u << 20)
#define RDBAL		0x2800	/* 13.4.27 to 13.4.30 */
#define RDBAH		0x2804
#define RDLEN		0x2808	/* a multiple of 128 bytes */
#define RDH		0x2810
#define RDT		0x2818
#define RDTR		0x2820	/* 13.4.31: receive delay timer, 0: none */
#define TDBAL		0x3800	/* 13.4.36 to 13.4.40 */
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810
#define TDT		0x3818
#define MTA		0x5200	/* 13.5.1: 128 entries */
#define MTA_ENTRIES	128
#define RAL0		0x5400	/* 13.5.2 */
#define RAH0		0x5404
#define  RAH_AV		(1u << 31)	/* address valid */

/* Legacy receive descriptor: 8254x SDM 3.2.3. */
struct e1000_rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status, errors;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "8254x SDM 3.2.3");
#define RXD_STAT_DD	(1u << 0)
#define RXD_STAT_EOP	(1u << 1)

/* Legacy transmit descriptor: 8254x SDM 3.3.3. */
struct e1000_tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso, cmd, status, css;
	uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "8254x SDM 3.3.3");
#define TXD_CMD_EOP	(1u << 0)
#define TXD_CMD_IFCS	(1u << 1)	/* insert the CRC */
#define TXD_CMD_RS	(1u << 3)	/* report status: DD when done */
#define TXD_STAT_DD	(1u << 0)

#define PCI_CAP_MSI	0x05
#define INTEL_VENDOR	0x8086
#define RX_DESCS	64		/* RDLEN = 1 KiB, a multiple of 128 */
#define TX_DESCS	64
#define RX_BUF		2048		/* RCTL_BSIZE_2K */
#define RESET_WAIT_US	10000
#define EERD_WAIT_US	10000

/* The 8254x functions QEMU (e1000, e1000-82544gc, e1000-82545em) and Bochs (82540EM)
 * emulate, and the rest of the family with the same legacy interface (8254x SDM 1.1). */
static const uint16_t e1000_ids[] = {
	0x1000, 0x1001, 0x1004, 0x1008, 0x1009, 0x100c, 0x100d, 0x100e, 0x100f, 0x1010,
	0x1011, 0x1012, 0x1013, 0x1015, 0x1016, 0x1017, 0x1018, 0x1019, 0x101a, 0x101d,
	0x101e, 0x1026, 0x1027, 0x1028, 0x1075, 0x1076, 0x1077, 0x1078, 0x1079, 0x107a,
	0x107b, 0x107c, 0x108a, 0x1099, 0x10b5,
};

struct e1000_dma {
	struct e1000_rx_desc rx[RX_DESCS];
	struct e1000_tx_desc tx[TX_DESCS];
	uint8_t rx_buf[RX_DESCS][RX_BUF];
};
_Static_assert(__builtin_offsetof(struct e1000_dma, tx) % 16 == 0, "8254x SDM 3.3.1: 16-byte aligned");

struct e1000 {
	volatile uint8_t *regs;
	struct e1000_dma *d;
	uint64_t d_dma;
	uint16_t rx_next;		/* the next descriptor the device fills */
	uint16_t tx_tail, tx_clean;	/* our TDT; the oldest descriptor in flight */
	void *tx_cookie[TX_DESCS];
	bool has_msi;
};

static struct e1000_dma e1000_dma[NET_MAX_NICS] __attribute__((aligned(4096)));
static struct e1000 e1000[NET_MAX_NICS];
static unsigned int e1000_count;

static uint32_t rd(struct e1000 *e, unsigned int reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void wr(struct e1000 *e, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

/* ---- frames ---- */

static int e1000_tx(struct netdev *n, const void *buf, uint32_t len, void *cookie)
{
	struct e1000 *e = n->priv;
	uint64_t dma = rt_dma_addr(buf);
	uint16_t t = e->tx_tail, next = (uint16_t)((t + 1) % TX_DESCS);

	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX || dma == RT_DMA_NONE ||
	    rt_dma_addr((const uint8_t *)buf + len - 1) != dma + len - 1)
		return -HV_EINVAL;	/* one descriptor: contiguous in DMA space too */
	if (next == e->tx_clean)
		return -HV_EBUSY;	/* one descriptor stays empty: TDT == TDH means idle */
	e->tx_cookie[t] = cookie;
	e->d->tx[t] = (struct e1000_tx_desc){ .addr = dma, .length = (uint16_t)len,
					      .cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS };
	e->tx_tail = next;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* the descriptor before the tail */
	wr(e, TDT, next);
	return 0;
}

static unsigned int tx_complete(struct netdev *n, struct e1000 *e)
{
	unsigned int done = 0;

	while (e->tx_clean != e->tx_tail &&
	       (__atomic_load_n(&e->d->tx[e->tx_clean].status, __ATOMIC_ACQUIRE) & TXD_STAT_DD)) {
		uint16_t c = e->tx_clean;

		e->tx_clean = (uint16_t)((c + 1) % TX_DESCS);
		n->tx_frames++;
		n->tx_bytes += e->d->tx[c].length;
		done++;
		if (n->tx_done)
			n->tx_done(n, e->tx_cookie[c]);	/* last: it may send again */
	}
	return done;
}

/* Each written-back descriptor: handed up (whole, error-free frames), then returned. */
static unsigned int rx_complete(struct netdev *n, struct e1000 *e)
{
	unsigned int done = 0;

	for (;;) {
		uint16_t i = e->rx_next;
		struct e1000_rx_desc *r = &e->d->rx[i];
		uint8_t st = __atomic_load_n(&r->status, __ATOMIC_ACQUIRE);
		uint32_t len = r->length;

		if (!(st & RXD_STAT_DD))
			break;
		/* A frame spread over buffers (cannot be: 2 KiB, no long packets) or bad. */
		if (!(st & RXD_STAT_EOP) || r->errors || len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
			n->rx_dropped++;
		} else {
			n->rx_frames++;
			n->rx_bytes += len;
			if (n->rx)
				n->rx(n, e->d->rx_buf[i], len);
		}
		r->status = 0;
		e->rx_next = (uint16_t)((i + 1) % RX_DESCS);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr(e, RDT, i);	/* the device owns [RDH, RDT): i is the one held back */
		done++;
	}
	return done;
}

static unsigned int e1000_poll(struct netdev *n)
{
	struct e1000 *e = n->priv;
	unsigned int done;

	if (n->irq_port)
		(void)rd(e, ICR);	/* acknowledges: the next cause is a new MSI or INTx edge */
	done = tx_complete(n, e);
	return done + rx_complete(n, e);
}

/* The MSI the hypervisor programmed (index 0): frames in and out, overruns, link. */
static int e1000_irq_enable(struct netdev *n)
{
	struct e1000 *e = n->priv;
	uint32_t cmd = rt_pci_read(n->bdf, RT_PCI_COMMAND, 2);

	/* Without MSI: INTx, which the hypervisor routes through the I/O APIC. */
	if (!e->has_msi)
		rt_pci_write(n->bdf, RT_PCI_COMMAND, 2, cmd & ~RT_PCI_CMD_INTX_OFF);
	(void)rd(e, ICR);
	wr(e, IMS, INT_TXDW | INT_LSC | INT_RXDMT0 | INT_RXO | INT_RXT0);
	return 0;
}

static const struct netdev_ops e1000_ops = { .tx = e1000_tx, .poll = e1000_poll,
					     .irq_enable = e1000_irq_enable };

/* ---- probe ---- */

/* EEPROM word w through EERD, or -1 (8254x SDM 5.3.1; the 82540EM's bit positions). */
static int32_t eeprom_word(struct e1000 *e, unsigned int w)
{
	wr(e, EERD, EERD_START | EERD_ADDR(w));
	for (unsigned int us = 0; us < EERD_WAIT_US; us += 10) {
		uint32_t r = rd(e, EERD);

		if (r & EERD_DONE)
			return EERD_DATA(r);
		rt_delay_us(10);
	}
	return -1;
}

/* Receive address 0 (loaded from the EEPROM at reset), or the EEPROM's words 0-2. */
static bool read_mac(struct e1000 *e, uint8_t mac[6])
{
	uint32_t lo = rd(e, RAL0), hi = rd(e, RAH0);

	if (!(hi & RAH_AV) || (!lo && !(hi & 0xffff))) {
		for (unsigned int w = 0; w < 3; w++) {
			int32_t x = eeprom_word(e, w);

			if (x < 0)
				return false;
			mac[2 * w] = (uint8_t)x;
			mac[2 * w + 1] = (uint8_t)(x >> 8);
		}
		lo = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
		     (uint32_t)mac[3] << 24;
		hi = (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | RAH_AV;
		wr(e, RAL0, lo);
		wr(e, RAH0, hi);
	}
	for (unsigned int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
	return !(mac[0] & 1);	/* a unicast address */
}

/* Rings: every receive buffer posted, nothing to send (8254x SDM 14.4 and 14.5). */
static void setup_rings(struct e1000 *e)
{
	memset(e->d, 0, sizeof(*e->d));
	for (unsigned int i = 0; i < RX_DESCS; i++)
		e->d->rx[i].addr = e->d_dma + __builtin_offsetof(struct e1000_dma, rx_buf[i]);
	wr(e, RDBAL, (uint32_t)e->d_dma);
	wr(e, RDBAH, (uint32_t)(e->d_dma >> 32));
	wr(e, RDLEN, sizeof(e->d->rx));
	wr(e, RDH, 0);
	wr(e, RDT, RX_DESCS - 1);
	wr(e, RDTR, 0);
	wr(e, TDBAL, (uint32_t)(e->d_dma + __builtin_offsetof(struct e1000_dma, tx)));
	wr(e, TDBAH, (uint32_t)((e->d_dma + __builtin_offsetof(struct e1000_dma, tx)) >> 32));
	wr(e, TDLEN, sizeof(e->d->tx));
	wr(e, TDH, 0);
	wr(e, TDT, 0);
	e->rx_next = e->tx_tail = e->tx_clean = 0;
}

/*
 * Reset, interrupts masked, link up, rings, then receive and transmit on (8254x SDM
 * 14.3 to 14.5). Promiscuous: the NIC is a port of the partitions' switch, whose
 * children have MAC addresses of their own. QEMU's e1000 holds received frames back for
 * one second of virtual time after each RCTL write, so RCTL is written once, here.
 */
__attribute__((warn_unused_result))
static int e1000_init(struct e1000 *e, struct netdev *n)
{
	unsigned int us;

	wr(e, IMC, ~0u);
	wr(e, CTRL, rd(e, CTRL) | CTRL_RST);
	rt_delay_us(10);	/* 14.3: wait before touching the device again */
	for (us = 0; rd(e, CTRL) & CTRL_RST; us += 10) {
		if (us >= RESET_WAIT_US)
			return -HV_EIO;
		rt_delay_us(10);
	}
	wr(e, IMC, ~0u);
	(void)rd(e, ICR);
	wr(e, CTRL, (rd(e, CTRL) | CTRL_SLU | CTRL_ASDE) & ~(CTRL_PHY_RST | CTRL_VME));
	if (!read_mac(e, n->mac))
		return -HV_EIO;
	for (unsigned int i = 0; i < MTA_ENTRIES; i++)
		wr(e, MTA + 4 * i, 0);
	setup_rings(e);
	wr(e, TIPG, TIPG_COPPER);
	wr(e, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT(0x0f) | TCTL_COLD(0x40));
	wr(e, RCTL, RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM | RCTL_BSIZE_2K | RCTL_SECRC);
	return 0;
}

static bool is_e1000(const struct rt_pci_dev *f)
{
	if (f->vendor != INTEL_VENDOR)
		return false;
	for (unsigned int i = 0; i < sizeof(e1000_ids) / sizeof(e1000_ids[0]); i++)
		if (f->device == e1000_ids[i])
			return true;
	return false;
}

int e1000_probe(struct netdev *n, const struct rt_pci_dev *f)
{
	uint64_t size, base;
	struct e1000 *e;
	bool io;
	int ret;

	if (!is_e1000(f))
		return -HV_ENOENT;
	hv_snprintf(n->name, sizeof(n->name), "e1000 %02x:%02x.%u", f->bdf >> 8, (f->bdf >> 3) & 31,
		    f->bdf & 7);
	if (e1000_count >= NET_MAX_NICS) {
		rt_printf("e1000: %s: more than %u NICs, ignored\n", n->name, NET_MAX_NICS);
		return -HV_ENOMEM;
	}
	base = rt_pci_bar(f->bdf, 0, &size, &io);
	if (!base || io || size < 0x10000 || base < RT_WINDOW_BASE || base + size > RT_WINDOW_END) {
		rt_printf("e1000: %s: BAR0 not a mapped memory BAR\n", n->name);
		return -HV_ENOENT;
	}
	e = &e1000[e1000_count];
	*e = (struct e1000){ .regs = (volatile uint8_t *)(uintptr_t)base, .d = &e1000_dma[e1000_count],
			     .d_dma = rt_dma_addr(&e1000_dma[e1000_count]),
			     .has_msi = rt_pci_cap(f->bdf, PCI_CAP_MSI, 0) != 0 };
	if (e->d_dma == RT_DMA_NONE)
		return -HV_ENOMEM;
	/* INTx off until irq_enable: an interrupt nobody takes must not assert. */
	rt_pci_enable(f->bdf, RT_PCI_CMD_MEMORY | RT_PCI_CMD_MASTER | RT_PCI_CMD_INTX_OFF);
	ret = e1000_init(e, n);
	if (ret) {
		rt_printf("e1000: %s: not started (error %d)\n", n->name, ret);
		return ret;
	}
	n->tx_depth = TX_DESCS - 1;
	n->irq_port = 0;
	n->irq_index = 0;
	n->ops = &e1000_ops;
	n->priv = e;
	e1000_count++;
	rt_printf("e1000: %s: %04x, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s, rx %u, tx %u frames, "
		  "%s\n", n->name, f->device, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
		  n->mac[5], rd(e, STATUS) & STATUS_LU ? "up" : "down", RX_DESCS, n->tx_depth,
		  e->has_msi ? "msi" : "intx");
	return 0;
}
