/* SPDX-License-Identifier: MIT */
/* Disks as the service partition's drivers present them: asynchronous requests, completion by poll. */
#ifndef GUEST_DRIVERS_BLK_BLKDEV_H
#define GUEST_DRIVERS_BLK_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/rt/pci.h"

#define BLK_SECTOR		512u
#define BLK_MAX_DISKS		4

enum blk_op {
	BLK_READ,
	BLK_WRITE,
	BLK_FLUSH,	/* everything written so far is on stable storage; sector, count 0 */
	BLK_DISCARD,	/* only where blkdev.discard */
};

/*
 * One request. buf is partition memory or a channel window (the driver gives the device
 * rt_dma_addr(buf): the device DMAs straight into it, no copy), physically contiguous
 * for count * 512 bytes, 512-byte aligned at least (drivers may ask more: dma_align). The
 * caller owns r until done(r) is called, from the driver's poll(), with status 0 or a
 * negative HV_E* (-HV_EIO: the device reported an error).
 */
struct blk_req {
	enum blk_op op;
	uint64_t sector;
	uint32_t count;
	void *buf;
	int status;
	void (*done)(struct blk_req *r);
	void *ctx;		/* the caller's */
	void *drv;		/* the driver's, while queued */
};

struct blkdev;

struct blkdev_ops {
	/*
	 * Starts r. 0; -HV_EBUSY when queue_depth requests are in flight (retry after a
	 * completion); -HV_EINVAL for a request the disk cannot take (beyond its end, more
	 * than max_sectors, unaligned buf, an operation it lacks). Never blocks.
	 */
	int (*submit)(struct blkdev *d, struct blk_req *r);
	/* Completes the finished requests (calling their done()); how many. Call it from
	 * the caller's loop (after an event on irq_port, or polling): never at the same time
	 * as submit on the same disk, so an event handler should only wake the loop. */
	unsigned int (*poll)(struct blkdev *d);
	/* Optional: makes the device raise interrupt irq_index on completions (the
	 * hypervisor has routed it already: blkdev_irq_on). 0 or an error. */
	int (*irq_enable)(struct blkdev *d);
};

struct blkdev {
	char name[16];			/* "virtio 00:04.0", short */
	uint16_t bdf;
	uint64_t sectors;		/* capacity */
	uint32_t max_sectors;		/* per request */
	uint32_t queue_depth;		/* requests in flight at most */
	uint32_t dma_align;		/* buf alignment, bytes (>= 512) */
	bool can_flush, can_discard;
	uint32_t irq_port;		/* the event port of its interrupt; 0: polled only */
	uint32_t irq_index;		/* HC_DEV_IRQ's index: MSI-X entry, 0 for MSI, IDE channel */
	const struct blkdev_ops *ops;
	void *priv;
};

/*
 * Drivers, one per kind of controller: each takes a PCI function it recognises and
 * fills *d (the first disk behind it). 0, -HV_ENOENT (not its kind, or no disk), or
 * another error (logged). Each keeps its DMA structures in static memory: at most
 * BLK_MAX_DISKS of each kind.
 */
int virtio_blk_probe(struct blkdev *d, const struct rt_pci_dev *f);	/* modern virtio-pci */
int ahci_probe(struct blkdev *d, const struct rt_pci_dev *f);	/* class 01 06 01 */
int ide_probe(struct blkdev *d, const struct rt_pci_dev *f);		/* class 01 01 xx */

/* Every disk behind the partition's PCI functions, in PCI order, into out; the count. */
unsigned int blkdev_probe_all(struct blkdev *out, unsigned int max);

/*
 * Switches d to interrupts: HC_DEV_IRQ routes its interrupt to an event port, bound to
 * wake rt_wait_event (no handler), then the driver enables it; d->irq_port is set. 0, or
 * an error (d stays polled: -HV_ENOTSUP when the driver cannot).
 */
int blkdev_irq_on(struct blkdev *d);

/* Submits one request and waits until it is done (tests, simple callers): its status.
 * With irq_port it sleeps between events; without, it polls. */
int blkdev_sync(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf);

#endif
