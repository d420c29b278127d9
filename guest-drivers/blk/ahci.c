/* SPDX-License-Identifier: MIT */
/* AHCI disk driver for the service partition: the first SATA disk of a controller, non-queued DMA commands in every slot, polled. */
#include "guest-drivers/blk/blkdev.h"

#include <stddef.h>

#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/* Serial ATA AHCI 1.3.1 (AHCI below); the FIS from SATA 3.0; the ATA commands from ACS-3 ch. 7. */
#define AHCI_CLASS		0x010601	/* mass storage, SATA, AHCI 1.0 (PCI code and ID 1.9) */
#define AHCI_ABAR		5		/* BAR5 (AHCI 2.1.11) */

#define CAP			0x00		/* AHCI 3.1.1 */
#define  CAP_NCS(v)		((((v) >> 8) & 31) + 1)
#define  CAP_SCLO		(1u << 24)
#define  CAP_SSS		(1u << 27)
#define  CAP_S64A		(1u << 31)
#define GHC			0x04		/* AHCI 3.1.2 */
#define  GHC_HR			(1u << 0)
#define  GHC_IE			(1u << 1)	/* interrupts enabled */
#define  GHC_AE			(1u << 31)
#define HBA_IS			0x08		/* AHCI 3.1.3, one bit per port */
#define PI			0x0c		/* AHCI 3.1.4 */

#define PORT(n)			(0x100 + 0x80 * (n))	/* AHCI 3.3 */
#define PxCLB			0x00		/* 3.3.1 (+PxCLBU 0x04) */
#define PxFB			0x08		/* 3.3.3 (+PxFBU 0x0c) */
#define PxIS			0x10		/* 3.3.5, write 1 to clear */
#define  PxIS_OFS		(1u << 24)
#define  PxIS_INFS		(1u << 26)
#define  PxIS_IFS		(1u << 27)
#define  PxIS_HBDS		(1u << 28)
#define  PxIS_HBFS		(1u << 29)
#define  PxIS_TFES		(1u << 30)
#define  PxIS_ERRORS		(PxIS_OFS | PxIS_INFS | PxIS_IFS | PxIS_HBDS | PxIS_HBFS | PxIS_TFES)
#define PxIE			0x14		/* 3.3.6: same bits as PxIS */
#define  PxIE_DHRE		(1u << 0)	/* a D2H register FIS: a command done */
#define  PxIE_SDBE		(1u << 3)
#define  PxIE_DPE		(1u << 5)
#define PxCMD			0x18		/* 3.3.7 */
#define  PxCMD_ST		(1u << 0)
#define  PxCMD_SUD		(1u << 1)
#define  PxCMD_POD		(1u << 2)
#define  PxCMD_CLO		(1u << 3)
#define  PxCMD_FRE		(1u << 4)
#define  PxCMD_FR		(1u << 14)
#define  PxCMD_CR		(1u << 15)
#define PxTFD			0x20		/* 3.3.8: ATA status 7:0 */
#define  TFD_ERR		(1u << 0)
#define  TFD_DRQ		(1u << 3)
#define  TFD_BSY		(1u << 7)
#define PxSIG			0x24		/* 3.3.9 */
#define  SIG_ATA		0x00000101u	/* ATAPI 0xeb140101, port multiplier 0x96690101 */
#define PxSSTS			0x28		/* 3.3.10 */
#define  SSTS_DET		0xfu		/* 3:0 */
#define  SSTS_DET_PHY		3		/* device present, Phy communication established */
#define PxSERR			0x30		/* 3.3.12, write 1 to clear */
#define PxCI			0x38		/* 3.3.14 */

#define FIS_H2D			0x27		/* SATA 3.0 10.3.4 */
#define  FIS_H2D_C		0x80		/* the command register is updated */
#define DEV_LBA			(1u << 6)
#define ATA_IDENTIFY		0xec		/* IDENTIFY DEVICE, PIO data-in */
#define ATA_READ_DMA_EXT	0x25
#define ATA_WRITE_DMA_EXT	0x35
#define ATA_FLUSH_EXT		0xea		/* FLUSH CACHE EXT, non-data */
#define ATA_DSM			0x06		/* DATA SET MANAGEMENT, DMA out */
#define  DSM_TRIM		0x01		/* features bit 0 */
/* IDENTIFY DEVICE data words (ACS-3 7.12.7). */
#define ID_CMDSET2		83
#define  ID_LBA48		(1u << 10)
#define  ID_FLUSH_EXT		(1u << 13)
#define ID_LBA48_SECTORS	100		/* words 100-103 */
#define ID_DSM			169
#define  ID_DSM_TRIM		(1u << 0)

#define SLOTS			32
#define PRD_MAX			8
#define PRD_BYTES		(4u << 20)	/* 22-bit DBC (AHCI 4.2.3) */
#define MAX_SECTORS		0xffffu		/* 16-bit count; 0 would mean 65536 */
#define WAIT_STOP_MS		500		/* CR, FR (AHCI 10.1.2) */
#define WAIT_RESET_MS		1000		/* GHC.HR (AHCI 10.4.3) */
#define WAIT_LINK_MS		100		/* DET after the reset, per port */
#define WAIT_READY_MS		2000		/* BSY, DRQ and the signature */
#define CMD_TIMEOUT_S		10		/* under blkdev_sync's 30 s */

/* Command header (AHCI 4.2.2). */
struct cmd_hdr {
	uint16_t flags;		/* CFL 4:0 (FIS dwords), W bit 6 */
	uint16_t prdtl;
	uint32_t prdbc;
	uint64_t ctba;		/* 128-byte aligned */
	uint32_t rsvd_0x10[4];
};
#define HDR_W			(1u << 6)
_Static_assert(sizeof(struct cmd_hdr) == 32, "AHCI 4.2.2");

/* Register host-to-device FIS (SATA 3.0 10.3.4). */
struct fis_h2d {
	uint8_t type, pm_c, command, feature_lo;
	uint8_t lba0, lba1, lba2, device;
	uint8_t lba3, lba4, lba5, feature_hi;
	uint8_t count_lo, count_hi, icc, control;
	uint32_t rsvd_0x10;
};
_Static_assert(sizeof(struct fis_h2d) == 20, "SATA 3.0 10.3.4: five dwords");

struct prd {
	uint64_t dba;		/* bit 0 reserved: word aligned */
	uint32_t rsvd_0x8;
	uint32_t dbc;		/* byte count - 1, 21:0 */
};

/* Command table (AHCI 4.2.3), with this driver's TRIM range after the PRDT. */
struct cmd_table {
	struct fis_h2d fis;	/* CFIS: 64 bytes for any FIS */
	uint8_t rsvd_0x14[44];
	uint8_t acmd[16];
	uint8_t rsvd_0x50[48];
	struct prd prdt[PRD_MAX];
	uint64_t trim[64];	/* one 512-byte block of DSM LBA range entries */
} __attribute__((aligned(128)));
_Static_assert(offsetof(struct cmd_table, prdt) == 0x80, "AHCI 4.2.3");

/* One controller's DMA memory: command list 1K-aligned, received FIS 256-aligned (AHCI 4.2). */
struct ahci_mem {
	struct cmd_hdr list[SLOTS];
	uint8_t rfis[256];
	struct cmd_table tables[SLOTS];
	uint16_t identify[256];
} __attribute__((aligned(1024)));
_Static_assert(offsetof(struct ahci_mem, rfis) == 0x400, "AHCI 4.2.1");

struct ahci_disk {
	volatile uint8_t *port;		/* its port registers */
	volatile uint8_t *abar;
	unsigned int port_no;
	uint32_t cap, slots;		/* CAP; the implemented slots as a mask */
	uint32_t busy;			/* slots issued, not yet completed */
	bool dead;			/* recovery failed: every request gets -HV_EIO */
	uint64_t deadline;		/* TSC: the oldest command should be done by then */
	struct blk_req *req[SLOTS];
	struct ahci_mem *mem;
};

static struct ahci_mem mem[BLK_MAX_DISKS];
static struct ahci_disk disks[BLK_MAX_DISKS];
static unsigned int ndisks;

static uint32_t rd(volatile uint8_t *base, unsigned int reg)
{
	return *(volatile uint32_t *)(base + reg);
}

static void wr(volatile uint8_t *base, unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(base + reg) = v;
}

static void wr64(volatile uint8_t *base, unsigned int reg, uint64_t v)
{
	wr(base, reg, (uint32_t)v);
	wr(base, reg + 4, (uint32_t)(v >> 32));
}

/* Until (reg & mask) == want, at most ms milliseconds: true if it got there. */
static bool wait_reg(volatile uint8_t *base, unsigned int reg, uint32_t mask, uint32_t want,
		     unsigned int ms)
{
	for (unsigned int i = 0; i <= ms * 10; i++) {
		if ((rd(base, reg) & mask) == want)
			return true;
		rt_delay_us(100);
	}
	return false;
}

/* Both DMA engines off (AHCI 10.1.2 step 3): ST then FRE, each acknowledged. */
static bool port_stop(volatile uint8_t *p)
{
	wr(p, PxCMD, rd(p, PxCMD) & ~PxCMD_ST);
	if (!wait_reg(p, PxCMD, PxCMD_CR, 0, WAIT_STOP_MS))
		return false;
	wr(p, PxCMD, rd(p, PxCMD) & ~PxCMD_FRE);
	return wait_reg(p, PxCMD, PxCMD_FR, 0, WAIT_STOP_MS);
}

/* The device idle (BSY and DRQ clear), or forced so by CLO where the HBA has it (AHCI 10.3.2). */
static bool port_idle(struct ahci_disk *d)
{
	if (!(rd(d->port, PxTFD) & (TFD_BSY | TFD_DRQ)))
		return true;
	if (!(d->cap & CAP_SCLO))
		return false;
	wr(d->port, PxCMD, rd(d->port, PxCMD) | PxCMD_CLO);
	return wait_reg(d->port, PxCMD, PxCMD_CLO, 0, WAIT_STOP_MS);
}

/* Command processing on (AHCI 10.3.1): FRE set, device idle, then ST. */
static bool port_start(struct ahci_disk *d)
{
	wr(d->port, PxSERR, ~0u);
	wr(d->port, PxIS, ~0u);
	wr(d->abar, HBA_IS, 1u << d->port_no);
	if (!port_idle(d))
		return false;
	wr(d->port, PxCMD, rd(d->port, PxCMD) | PxCMD_ST);
	return true;
}

/* Finishes every slot in mask with status (done() may submit again: slots are freed first). */
static void complete(struct ahci_disk *d, uint32_t mask, int status)
{
	d->busy &= ~mask;
	while (mask) {
		unsigned int slot = (unsigned int)__builtin_ctz(mask);
		struct blk_req *r = d->req[slot];

		mask &= mask - 1;
		d->req[slot] = NULL;
		r->drv = NULL;
		r->status = status;
		r->done(r);
	}
}

/*
 * After an error or a timeout (AHCI 6.2.2.1): stop the port, which drops PxCI, clear
 * the errors, start it again. Every command in flight fails: non-queued commands tell
 * which slot failed only through PxCMD.CCS, which not every HBA keeps.
 */
static unsigned int port_recover(struct ahci_disk *d, const char *why, uint32_t is)
{
	uint32_t failed = d->busy;

	rt_printf("ahci: port %u: %s (is=0x%x tfd=0x%x serr=0x%x), %u request(s) failed\n",
		  d->port_no, why, is, rd(d->port, PxTFD), rd(d->port, PxSERR),
		  (unsigned int)__builtin_popcount(failed));
	wr(d->port, PxCMD, rd(d->port, PxCMD) & ~PxCMD_ST);
	if (!wait_reg(d->port, PxCMD, PxCMD_CR, 0, WAIT_STOP_MS) || !port_start(d)) {
		rt_printf("ahci: port %u: recovery failed, disk disabled\n", d->port_no);
		d->dead = true;
	}
	complete(d, failed, -HV_EIO);
	return (unsigned int)__builtin_popcount(failed);
}

/* Fills slot's header and table for one command; the caller issues it. */
static void build(struct ahci_disk *d, unsigned int slot, uint8_t command, uint16_t feature,
		  uint64_t lba, uint32_t count, uint64_t dma, uint32_t bytes, bool write)
{
	struct cmd_table *t = &d->mem->tables[slot];
	struct cmd_hdr *h = &d->mem->list[slot];
	uint16_t n = 0;

	t->fis = (struct fis_h2d){
		.type = FIS_H2D, .pm_c = FIS_H2D_C, .command = command,
		.feature_lo = (uint8_t)feature, .feature_hi = (uint8_t)(feature >> 8),
		.lba0 = (uint8_t)lba, .lba1 = (uint8_t)(lba >> 8), .lba2 = (uint8_t)(lba >> 16),
		.lba3 = (uint8_t)(lba >> 24), .lba4 = (uint8_t)(lba >> 32),
		.lba5 = (uint8_t)(lba >> 40), .device = DEV_LBA,
		.count_lo = (uint8_t)count, .count_hi = (uint8_t)(count >> 8),
	};
	for (; bytes; n++) {
		uint32_t chunk = bytes < PRD_BYTES ? bytes : PRD_BYTES;

		t->prdt[n] = (struct prd){ .dba = dma, .dbc = chunk - 1 };
		dma += chunk;
		bytes -= chunk;
	}
	*h = (struct cmd_hdr){
		.flags = (uint16_t)(sizeof(struct fis_h2d) / 4 | (write ? HDR_W : 0)),
		.prdtl = n, .ctba = rt_dma_addr(t),
	};
}

static void issue(struct ahci_disk *d, unsigned int slot)
{
	if (!d->busy)
		d->deadline = rt_rdtsc() + CMD_TIMEOUT_S * rt_tsc_hz();
	d->busy |= 1u << slot;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* the table before PxCI (x86: stores in order) */
	wr(d->port, PxCI, 1u << slot);
}

static unsigned int ahci_poll(struct blkdev *bd)
{
	struct ahci_disk *d = bd->priv;
	uint32_t is, ci, done;

	is = rd(d->port, PxIS);			/* acknowledged first: no event lost */
	wr(d->port, PxIS, is);
	wr(d->abar, HBA_IS, 1u << d->port_no);
	if (!d->busy)
		return 0;
	ci = rd(d->port, PxCI);
	/* An error after the first read fails the commands too: never a wrong success. */
	is |= rd(d->port, PxIS);
	if (is & PxIS_ERRORS)
		return port_recover(d, "device error", is);
	done = d->busy & ~ci;
	if (!done && rt_rdtsc() > d->deadline)
		return port_recover(d, "timeout", is);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);	/* PxCI before the data is read */
	if (done)
		d->deadline = rt_rdtsc() + CMD_TIMEOUT_S * rt_tsc_hz();
	complete(d, done, 0);
	return (unsigned int)__builtin_popcount(done);
}

/* The DMA address of [buf, buf + len) if the device can reach it in one piece, else RT_DMA_NONE. */
static uint64_t dma_range(const struct ahci_disk *d, const void *buf, uint32_t len)
{
	uint64_t a = rt_dma_addr(buf);

	if (a == RT_DMA_NONE || rt_dma_addr((const uint8_t *)buf + len - 1) != a + len - 1 ||
	    (!(d->cap & CAP_S64A) && a + len > (1ull << 32)))
		return RT_DMA_NONE;
	return a;
}

static int ahci_submit(struct blkdev *bd, struct blk_req *r)
{
	struct ahci_disk *d = bd->priv;
	uint32_t free = d->slots & ~d->busy, bytes = r->count * BLK_SECTOR;
	bool rw = r->op == BLK_READ || r->op == BLK_WRITE;
	uint64_t dma = 0;
	unsigned int slot;

	if ((rw || r->op == BLK_DISCARD) &&
	    (!r->count || r->count > MAX_SECTORS || r->sector >= bd->sectors ||
	     r->count > bd->sectors - r->sector))
		return -HV_EINVAL;
	if ((r->op == BLK_FLUSH && !bd->can_flush) || (r->op == BLK_DISCARD && !bd->can_discard) ||
	    (!rw && r->op != BLK_FLUSH && r->op != BLK_DISCARD))
		return -HV_EINVAL;
	if (rw && ((uintptr_t)r->buf % bd->dma_align ||
		   (dma = dma_range(d, r->buf, bytes)) == RT_DMA_NONE))
		return -HV_EINVAL;
	if (d->dead)
		return -HV_EIO;
	if (!free)
		return -HV_EBUSY;
	slot = (unsigned int)__builtin_ctz(free);
	if (r->op == BLK_READ || r->op == BLK_WRITE)
		build(d, slot, r->op == BLK_READ ? ATA_READ_DMA_EXT : ATA_WRITE_DMA_EXT, 0,
		      r->sector, r->count, dma, bytes, r->op == BLK_WRITE);
	else if (r->op == BLK_FLUSH)
		build(d, slot, ATA_FLUSH_EXT, 0, 0, 0, 0, 0, false);
	else {
		uint64_t *range = d->mem->tables[slot].trim;

		memset(range, 0, sizeof(d->mem->tables[slot].trim));
		range[0] = r->sector | (uint64_t)r->count << 48;	/* LBA 47:0, length 63:48 */
		build(d, slot, ATA_DSM, DSM_TRIM, 0, 1, rt_dma_addr(range), BLK_SECTOR, true);
	}
	d->req[slot] = r;
	r->drv = d;
	issue(d, slot);
	return 0;
}

/* The HBA's MSI (index 0, routed by the hypervisor): completions and errors. */
static int ahci_irq_enable(struct blkdev *bd)
{
	struct ahci_disk *d = bd->priv;

	wr(d->port, PxIE, PxIE_DHRE | PxIE_SDBE | PxIE_DPE | PxIS_ERRORS);
	wr(d->abar, GHC, rd(d->abar, GHC) | GHC_IE);
	return 0;
}

static const struct blkdev_ops ahci_ops = { .submit = ahci_submit, .poll = ahci_poll,
					    .irq_enable = ahci_irq_enable };

/* HBA reset, then AHCI mode (AHCI 10.4.3): every port stopped, interrupts off. */
static bool hba_reset(volatile uint8_t *abar)
{
	wr(abar, GHC, GHC_AE);
	wr(abar, GHC, GHC_AE | GHC_HR);
	if (!wait_reg(abar, GHC, GHC_HR, 0, WAIT_RESET_MS))
		return false;
	wr(abar, GHC, GHC_AE);
	return true;
}

/*
 * Brings port n's FIS receive up on this controller's memory and waits for a device:
 * its signature, or 0 (nothing there, or not ready). FRE stays on only for a disk.
 */
static uint32_t port_probe(struct ahci_disk *d, unsigned int n)
{
	volatile uint8_t *p = d->abar + PORT(n);
	uint32_t sig;

	d->port = p;
	d->port_no = n;
	if (!port_stop(p))
		return 0;
	wr64(p, PxCLB, rt_dma_addr(d->mem->list));
	wr64(p, PxFB, rt_dma_addr(d->mem->rfis));
	wr(p, PxSERR, ~0u);
	wr(p, PxCMD, rd(p, PxCMD) | PxCMD_FRE | ((d->cap & CAP_SSS) ? PxCMD_SUD | PxCMD_POD : 0));
	if (!wait_reg(p, PxSSTS, SSTS_DET, SSTS_DET_PHY, WAIT_LINK_MS) ||
	    !wait_reg(p, PxTFD, TFD_BSY | TFD_DRQ, 0, WAIT_READY_MS)) {
		port_stop(p);
		return 0;
	}
	for (unsigned int ms = 0; (sig = rd(p, PxSIG)) == ~0u && ms < WAIT_READY_MS; ms++)
		rt_delay_us(1000);
	if (sig != SIG_ATA)
		port_stop(p);
	return sig;
}

/* IDENTIFY DEVICE into d->mem->identify (PIO data-in, through the PRDT like DMA). */
static bool identify(struct ahci_disk *d)
{
	bool ok;

	build(d, 0, ATA_IDENTIFY, 0, 0, 0, rt_dma_addr(d->mem->identify), 512, false);
	issue(d, 0);
	ok = wait_reg(d->port, PxCI, 1, 0, WAIT_READY_MS) &&
	     !(rd(d->port, PxIS) & PxIS_ERRORS) && !(rd(d->port, PxTFD) & TFD_ERR);
	d->busy = 0;
	wr(d->port, PxIS, ~0u);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return ok;
}

static int disk_setup(struct blkdev *bd, struct ahci_disk *d)
{
	const uint16_t *id = d->mem->identify;
	uint64_t sectors = 0;

	if (!port_start(d) || !identify(d)) {
		rt_printf("ahci %s: port %u: IDENTIFY failed (tfd=0x%x)\n", bd->name, d->port_no,
			  rd(d->port, PxTFD));
		port_stop(d->port);
		return -HV_EIO;
	}
	for (int i = 3; i >= 0; i--)
		sectors = sectors << 16 | id[ID_LBA48_SECTORS + i];
	if (!(id[ID_CMDSET2] & ID_LBA48) || !sectors) {
		rt_printf("ahci %s: port %u: no 48-bit addressing\n", bd->name, d->port_no);
		port_stop(d->port);
		return -HV_ENOENT;
	}
	bd->sectors = sectors;
	bd->max_sectors = MAX_SECTORS;
	bd->queue_depth = (uint32_t)__builtin_popcount(d->slots);
	bd->dma_align = BLK_SECTOR;
	bd->can_flush = id[ID_CMDSET2] & ID_FLUSH_EXT;
	bd->can_discard = id[ID_DSM] & ID_DSM_TRIM;
	bd->irq_port = 0;
	bd->ops = &ahci_ops;
	bd->priv = d;
	return 0;
}

int ahci_probe(struct blkdev *bd, const struct rt_pci_dev *f)
{
	struct ahci_disk *d = &disks[ndisks];
	uint64_t size;
	uint64_t base;
	bool io;
	uint32_t pi;

	if (f->class_code != AHCI_CLASS)
		return -HV_ENOENT;
	hv_snprintf(bd->name, sizeof(bd->name), "ahci %02x:%02x.%u", f->bdf >> 8,
		    (f->bdf >> 3) & 31, f->bdf & 7);
	base = rt_pci_bar(f->bdf, AHCI_ABAR, &size, &io);
	if (ndisks == BLK_MAX_DISKS || io || base < RT_WINDOW_BASE || size < PORT(1) ||
	    base + size > RT_WINDOW_END) {
		rt_printf("%s: not usable (abar 0x%lx+0x%lx, %u disks already)\n", bd->name, base,
			  size, ndisks);
		return -HV_EINVAL;
	}
	rt_pci_enable(f->bdf, RT_PCI_CMD_MEMORY | RT_PCI_CMD_MASTER);
	*d = (struct ahci_disk){ .abar = (volatile uint8_t *)(uintptr_t)base, .mem = &mem[ndisks] };
	if (!hba_reset(d->abar)) {
		rt_printf("%s: HBA reset did not finish\n", bd->name);
		return -HV_EIO;
	}
	d->cap = rd(d->abar, CAP);
	d->slots = CAP_NCS(d->cap) == 32 ? ~0u : (1u << CAP_NCS(d->cap)) - 1;
	if (!(d->cap & CAP_S64A) && rt_dma_addr(d->mem + 1) > (1ull << 32)) {
		rt_printf("%s: 32-bit DMA only, and its memory is above 4 GiB\n", bd->name);
		return -HV_EINVAL;
	}
	pi = rd(d->abar, PI);
	for (unsigned int n = 0; n < 32; n++)
		pi &= PORT(n + 1) <= size ? ~0u : ~(1u << n);	/* ports inside the BAR only */
	for (unsigned int n = 0; n < 32; n++) {
		uint32_t sig = (pi >> n & 1) ? port_probe(d, n) : 0;

		if (sig && sig != SIG_ATA)
			rt_printf("%s: port %u: signature 0x%08x, not a disk\n", bd->name, n, sig);
		if (sig != SIG_ATA)
			continue;
		if (disk_setup(bd, d))
			continue;
		hv_snprintf(bd->name, sizeof(bd->name), "ahci %02x:%02x.%u/%u", f->bdf >> 8,
			    (f->bdf >> 3) & 31, f->bdf & 7, n);
		rt_printf("%s: %lu sectors, %u slots%s%s%s\n", bd->name, bd->sectors,
			  bd->queue_depth, bd->can_flush ? ", flush" : "",
			  bd->can_discard ? ", trim" : "", d->cap & CAP_S64A ? ", 64-bit" : "");
		ndisks++;
		return 0;
	}
	return -HV_ENOENT;
}
