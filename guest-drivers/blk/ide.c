/* SPDX-License-Identifier: MIT */
/* ATA disks behind a PCI IDE controller (class 01 01): LBA48, bus-master DMA or PIO, polled. */
#include "guest-drivers/blk/blkdev.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/*
 * One request at a time, polled (device control nIEN set: no INTRQ). Where the controller
 * has a bus master (BAR4) and the buffer lies below 4 GiB, the device DMAs straight into
 * it (SFF-8038i); otherwise PIO, where the CPU copies every word through the data port,
 * so a buffer in a channel's data region is reached by a copy, never by the device.
 * Only the first ATA disk found (primary before secondary, master before slave) is used;
 * ATAPI devices (the Bochs boot CD) abort IDENTIFY DEVICE and are skipped.
 */

/* PCI IDE Controller Specification 1.0, programming interface: a set bit means the
 * channel is in native mode (its ports in BAR0/1 or BAR2/3), clear means legacy ports. */
#define IDE_CLASS		0x0101
#define IDE_PI_NATIVE(ch)	(1u << (2 * (ch)))
#define IDE_BAR_BM		4
static const uint16_t legacy_cmd[2] = { 0x1f0, 0x170 }, legacy_ctl[2] = { 0x3f6, 0x376 };
#define NATIVE_CTL_OFF		2	/* native control block BAR: the register at +2 */

/* ATA8-APT command block registers (offsets from the channel's command base). */
#define REG_DATA		0
#define REG_FEATURES		1	/* ERROR on read */
#define REG_COUNT		2
#define REG_LBA_LO		3
#define REG_LBA_MID		4
#define REG_LBA_HI		5
#define REG_DEVICE		6
#define  DEV_LBA		(1u << 6)
#define  DEV_OBS		0xa0	/* bits 7 and 5, obsolete, set for old devices */
#define  DEV_SLAVE		(1u << 4)
#define REG_STATUS		7	/* COMMAND on write */
#define  ST_ERR			(1u << 0)
#define  ST_DRQ			(1u << 3)
#define  ST_DF			(1u << 5)
#define  ST_DRDY		(1u << 6)
#define  ST_BSY			(1u << 7)
/* ATA8-APT control block: ALTERNATE STATUS on read, DEVICE CONTROL on write. */
#define  CTL_NIEN		(1u << 1)
#define  CTL_SRST		(1u << 2)

/* ATA8-ACS commands (48-bit forms). */
#define CMD_READ_PIO_EXT	0x24	/* READ SECTORS EXT */
#define CMD_READ_DMA_EXT	0x25
#define CMD_WRITE_PIO_EXT	0x34	/* WRITE SECTORS EXT */
#define CMD_WRITE_DMA_EXT	0x35
#define CMD_FLUSH_EXT		0xea	/* FLUSH CACHE EXT */
#define CMD_IDENTIFY		0xec	/* IDENTIFY DEVICE */

/* ATA8-ACS IDENTIFY DEVICE data, in 16-bit words. */
#define ID_CONFIG		0
#define  ID_CONFIG_NOT_ATA	(1u << 15)
#define ID_CAPS			49
#define  ID_CAPS_DMA		(1u << 8)
#define ID_CMDSET2		83
#define  ID_CMDSET2_LBA48	(1u << 10)
#define ID_LBA48_SECTORS	100	/* words 100-103 */

/* SFF-8038i bus master IDE registers, per channel at BAR4 + 8 * channel. */
#define BM_CMD			0
#define  BM_CMD_START		(1u << 0)
#define  BM_CMD_TO_MEM		(1u << 3)	/* the device writes memory: a read */
#define BM_STATUS		2
#define  BM_ST_ACTIVE		(1u << 0)
#define  BM_ST_ERR		(1u << 1)
#define  BM_ST_IRQ		(1u << 2)
#define BM_PRDT			4
/* SFF-8038i physical region descriptor: no region crosses a 64 KiB boundary. */
#define PRD_EOT			(1u << 31)
#define PRD_BOUNDARY		0x10000u
#define PRD_MAX			4	/* MAX_SECTORS * 512 spans at most 3 boundaries */

#define MAX_SECTORS		256
#define WAIT_MS			1000	/* probing: for BSY to clear */
#define REQ_WAIT_MS		10000	/* a request: then the channel is reset, -HV_EIO */
#define SRST_US			10	/* SRST held at least 5 us (ATA8-APT) */

enum ide_phase { IDE_IDLE, IDE_PIO_IN, IDE_PIO_OUT, IDE_NODATA, IDE_DMA };

struct ide {
	uint16_t cmd, ctl, bm;		/* ports; bm 0: no bus master */
	uint8_t dev;			/* DEV_SLAVE or 0 */
	uint8_t nien;			/* CTL_NIEN while polled, 0 once interrupts are on */
	bool dma;			/* the disk and controller do DMA */
	enum ide_phase phase;
	struct blk_req *cur;
	uint32_t left;			/* PIO sectors still to move */
	uint64_t deadline;		/* TSC */
	uint16_t *at;
	struct { uint32_t addr, len; } prd[PRD_MAX] __attribute__((aligned(32)));
};

static struct ide ides[BLK_MAX_DISKS];
static unsigned int nides;

static uint8_t rd(const struct ide *s, unsigned int reg)
{
	return rt_inb((uint16_t)(s->cmd + reg));
}

static void wr(const struct ide *s, unsigned int reg, uint8_t v)
{
	rt_outb((uint16_t)(s->cmd + reg), v);
}

/* The 400 ns a device may take to show a new status (ATA8-APT): four ALT STATUS reads. */
static uint8_t settle(const struct ide *s)
{
	for (unsigned int i = 0; i < 4; i++)
		(void)rt_inb(s->ctl);
	return rd(s, REG_STATUS);
}

/* Status once BSY is clear, or 0xff after WAIT_MS. */
static uint8_t wait_idle(const struct ide *s)
{
	uint64_t end = rt_rdtsc() + WAIT_MS * rt_tsc_hz() / 1000;
	uint8_t st = settle(s);

	while ((st & ST_BSY) && rt_rdtsc() < end)
		st = rd(s, REG_STATUS);
	return st & ST_BSY ? 0xff : st;
}

/* Device, 48-bit address and count (previous contents first), then the command. */
static void issue(const struct ide *s, uint8_t cmd, uint64_t lba, uint32_t count)
{
	wr(s, REG_DEVICE, (uint8_t)(DEV_OBS | DEV_LBA | s->dev));
	for (int hob = 1; hob >= 0; hob--) {
		wr(s, REG_FEATURES, 0);
		wr(s, REG_COUNT, (uint8_t)(count >> (8 * hob)));
		wr(s, REG_LBA_LO, (uint8_t)(lba >> (24 * hob)));
		wr(s, REG_LBA_MID, (uint8_t)(lba >> (24 * hob + 8)));
		wr(s, REG_LBA_HI, (uint8_t)(lba >> (24 * hob + 16)));
	}
	wr(s, REG_STATUS, cmd);
	(void)settle(s);
}

/* IDENTIFY DEVICE into id: true for an ATA disk with 48-bit addressing. */
static bool identify(struct ide *s, uint16_t *id)
{
	uint8_t st;

	rt_outb(s->ctl, CTL_NIEN);
	wr(s, REG_DEVICE, (uint8_t)(DEV_OBS | s->dev));
	if (settle(s) == 0xff)
		return false;		/* nothing drives the bus */
	st = wait_idle(s);
	if (st == 0xff || !(st & ST_DRDY))
		return false;		/* no device, or an ATAPI one (DRDY clear) */
	wr(s, REG_STATUS, CMD_IDENTIFY);
	st = wait_idle(s);
	if (st == 0xff || (st & (ST_ERR | ST_DF)) || !(st & ST_DRQ))
		return false;
	for (unsigned int i = 0; i < 256; i++)
		id[i] = rt_inw((uint16_t)(s->cmd + REG_DATA));
	return !(id[ID_CONFIG] & ID_CONFIG_NOT_ATA) && (id[ID_CMDSET2] & ID_CMDSET2_LBA48);
}

/* Builds the PRD table for buf; false if the device cannot reach it (above 4 GiB). */
static bool build_prd(struct ide *s, void *buf, uint32_t bytes)
{
	uint64_t a = rt_dma_addr(buf), table = rt_dma_addr(s->prd);
	unsigned int n = 0;

	if (a == RT_DMA_NONE || table == RT_DMA_NONE || a + bytes > 1ull << 32 || table >> 32)
		return false;
	while (bytes) {
		uint32_t len = PRD_BOUNDARY - (uint32_t)(a & (PRD_BOUNDARY - 1));

		len = len < bytes ? len : bytes;
		s->prd[n].addr = (uint32_t)a;
		s->prd[n++].len = len & 0xffff;	/* 0 is 64 KiB */
		a += len;
		bytes -= len;
	}
	s->prd[n - 1].len |= PRD_EOT;
	rt_outl((uint16_t)(s->bm + BM_PRDT), (uint32_t)table);
	return true;
}

static unsigned int finish(struct ide *s, int status)
{
	struct blk_req *r = s->cur;

	if (s->phase == IDE_DMA)
		rt_outb((uint16_t)(s->bm + BM_CMD), 0);
	s->phase = IDE_IDLE;
	s->cur = 0;
	r->drv = 0;
	r->status = status;
	r->done(r);
	return 1;
}

static int ide_submit(struct blkdev *d, struct blk_req *r)
{
	struct ide *s = d->priv;
	bool rw = r->op == BLK_READ || r->op == BLK_WRITE, in = r->op == BLK_READ;

	if (s->cur)
		return -HV_EBUSY;
	if ((!rw && r->op != BLK_FLUSH) ||
	    (rw && (!r->count || r->count > MAX_SECTORS || r->sector >= d->sectors ||
		    r->count > d->sectors - r->sector || ((uintptr_t)r->buf & (BLK_SECTOR - 1)))))
		return -HV_EINVAL;
	s->cur = r;
	s->deadline = rt_rdtsc() + REQ_WAIT_MS * rt_tsc_hz() / 1000;
	r->drv = s;
	if (!rw) {
		s->phase = IDE_NODATA;
		issue(s, CMD_FLUSH_EXT, 0, 0);
	} else if (s->dma && build_prd(s, r->buf, r->count * BLK_SECTOR)) {
		s->phase = IDE_DMA;
		rt_outb((uint16_t)(s->bm + BM_STATUS), BM_ST_ERR | BM_ST_IRQ);	/* write 1 to clear */
		rt_outb((uint16_t)(s->bm + BM_CMD), in ? BM_CMD_TO_MEM : 0);
		issue(s, in ? CMD_READ_DMA_EXT : CMD_WRITE_DMA_EXT, r->sector, r->count);
		rt_outb((uint16_t)(s->bm + BM_CMD), (uint8_t)((in ? BM_CMD_TO_MEM : 0) | BM_CMD_START));
	} else {
		s->phase = in ? IDE_PIO_IN : IDE_PIO_OUT;
		s->left = r->count;
		s->at = r->buf;
		issue(s, in ? CMD_READ_PIO_EXT : CMD_WRITE_PIO_EXT, r->sector, r->count);
	}
	return 0;
}

/* One sector through the data port, in the direction of the phase. */
static void pio_sector(struct ide *s)
{
	uint16_t port = (uint16_t)(s->cmd + REG_DATA);

	for (unsigned int i = 0; i < BLK_SECTOR / 2; i++, s->at++) {
		if (s->phase == IDE_PIO_IN)
			*s->at = rt_inw(port);
		else
			rt_outw(port, *s->at);
	}
	s->left--;
}

/* A request the device never finished: reset the channel (both its devices), fail it. */
static unsigned int give_up(struct ide *s)
{
	rt_outb(s->ctl, CTL_NIEN | CTL_SRST);
	rt_delay_us(SRST_US);
	rt_outb(s->ctl, s->nien);
	return finish(s, -HV_EIO);
}

static unsigned int ide_poll(struct blkdev *d)
{
	struct ide *s = d->priv;
	uint8_t st;

	if (!s->cur)
		return 0;
	for (;;) {
		st = rd(s, REG_STATUS);
		if ((st & ST_BSY) && rt_rdtsc() > s->deadline)
			return give_up(s);
		if (st & ST_BSY)
			return 0;
		if (st & (ST_ERR | ST_DF))
			return finish(s, -HV_EIO);
		if (s->phase == IDE_DMA) {
			uint8_t bm = rt_inb((uint16_t)(s->bm + BM_STATUS));

			if ((st & ST_DRQ) || ((bm & BM_ST_ACTIVE) && !(bm & BM_ST_IRQ)))
				return rt_rdtsc() > s->deadline ? give_up(s) : 0;
			return finish(s, bm & BM_ST_ERR ? -HV_EIO : 0);
		}
		if (s->phase == IDE_NODATA || !s->left)
			return finish(s, st & ST_DRQ ? -HV_EIO : 0);
		if (!(st & ST_DRQ))
			return finish(s, -HV_EIO);	/* data owed, none offered */
		pio_sector(s);
		(void)settle(s);
	}
}

/* INTRQ on (nIEN clear): the channel's ISA IRQ, which the hypervisor routed (index). */
static int ide_irq_enable(struct blkdev *d)
{
	struct ide *s = d->priv;

	s->nien = 0;
	rt_outb(s->ctl, s->nien);
	return 0;
}

static const struct blkdev_ops ide_ops = { ide_submit, ide_poll, ide_irq_enable };

/* The channel's ports: legacy or native (BARs); false if a native BAR is missing. */
static bool channel_ports(struct ide *s, const struct rt_pci_dev *f, unsigned int ch)
{
	uint64_t size, cmd, ctl;
	bool cmd_io, ctl_io;

	if (!(f->class_code & IDE_PI_NATIVE(ch))) {
		s->cmd = legacy_cmd[ch];
		s->ctl = legacy_ctl[ch];
		return true;
	}
	cmd = rt_pci_bar(f->bdf, 2 * ch, &size, &cmd_io);
	ctl = rt_pci_bar(f->bdf, 2 * ch + 1, &size, &ctl_io);
	s->cmd = (uint16_t)cmd;
	s->ctl = (uint16_t)(ctl + NATIVE_CTL_OFF);
	return cmd && ctl && cmd_io && ctl_io;
}

int ide_probe(struct blkdev *d, const struct rt_pci_dev *f)
{
	static uint16_t id[256];
	struct ide *s = &ides[nides];
	uint64_t size;
	bool io;

	if ((f->class_code >> 8) != IDE_CLASS)
		return -HV_ENOENT;
	if (nides == BLK_MAX_DISKS)
		return -HV_E2BIG;
	*s = (struct ide){ .nien = CTL_NIEN };
	rt_pci_enable(f->bdf, RT_PCI_CMD_IO | RT_PCI_CMD_MASTER);
	s->bm = (uint16_t)rt_pci_bar(f->bdf, IDE_BAR_BM, &size, &io);
	s->bm = io && size >= 16 ? s->bm : 0;
	for (unsigned int k = 0; k < 4; k++) {
		unsigned int ch = k / 2;

		s->dev = k & 1 ? DEV_SLAVE : 0;
		if (!channel_ports(s, f, ch) || !identify(s, id))
			continue;
		s->bm = s->bm ? (uint16_t)(s->bm + 8 * ch) : 0;
		s->dma = s->bm && (id[ID_CAPS] & ID_CAPS_DMA);
		d->sectors = 0;
		for (unsigned int w = 4; w--;)
			d->sectors = d->sectors << 16 | id[ID_LBA48_SECTORS + w];
		d->max_sectors = MAX_SECTORS;
		d->queue_depth = 1;
		d->dma_align = BLK_SECTOR;
		d->can_flush = true;
		d->ops = &ide_ops;
		d->priv = s;
		d->irq_index = ch;
		hv_snprintf(d->name, sizeof(d->name), "ide %02x:%02x.%u", f->bdf >> 8,
			    (f->bdf >> 3) & 31, f->bdf & 7);
		rt_printf("ide: %s %s %s: %lu sectors, %s\n", d->name, ch ? "secondary" : "primary",
			  k & 1 ? "slave" : "master", d->sectors, s->dma ? "bus-master dma" : "pio");
		nides++;
		return 0;
	}
	return -HV_ENOENT;
}
