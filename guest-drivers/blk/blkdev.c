/* SPDX-License-Identifier: MIT */
/* Finding the partition's disks through its drivers, and a synchronous request for simple callers. */
#include "guest-drivers/blk/blkdev.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/* A driver not linked in (or not written yet) is simply not tried. */
#pragma weak virtio_blk_probe
#pragma weak ahci_probe
#pragma weak ide_probe

#define SCAN_MAX	32
#define SYNC_WAIT_S	30

typedef int (*probe_fn)(struct blkdev *d, const struct rt_pci_dev *f);

static bool try_drivers(struct blkdev *d, const struct rt_pci_dev *f)
{
	const probe_fn drivers[] = { virtio_blk_probe, ahci_probe, ide_probe };

	for (unsigned int i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		*d = (struct blkdev){ .bdf = f->bdf };
		if (drivers[i] && drivers[i](d, f) == 0)
			return true;
	}
	return false;
}

unsigned int blkdev_probe_all(struct blkdev *out, unsigned int max)
{
	struct rt_pci_dev f[SCAN_MAX];
	unsigned int n = rt_pci_scan(f, SCAN_MAX), found = 0;

	for (unsigned int i = 0; i < n && i < SCAN_MAX && found < max; i++)
		found += try_drivers(&out[found], &f[i]);
	return found;
}

int blkdev_irq_on(struct blkdev *d)
{
	int64_t port;
	int ret;

	if (!d->ops->irq_enable)
		return -HV_ENOTSUP;
	port = rt_dev_irq(d->bdf, d->irq_index);
	if (port < 0)
		return (int)port;
	ret = rt_evtchn_bind((uint32_t)port, 0, 0);
	if (!ret)
		ret = d->ops->irq_enable(d);
	if (!ret)
		d->irq_port = (uint32_t)port;
	return ret;
}

/* Until the next event of d (or a moment, polled). */
static void wait_a_little(struct blkdev *d, uint64_t end)
{
	if (!d->irq_port) {
		rt_pause();
		return;
	}
	rt_sti();
	(void)rt_wait_event_until(end);
	rt_cli();
}

static void sync_done(struct blk_req *r)
{
	*(volatile bool *)r->ctx = true;
}

int blkdev_sync(struct blkdev *d, enum blk_op op, uint64_t sector, uint32_t count, void *buf)
{
	volatile bool done = false;
	struct blk_req r = { .op = op, .sector = sector, .count = count, .buf = buf,
			     .done = sync_done, .ctx = (void *)&done };
	uint64_t end = rt_rdtsc() + SYNC_WAIT_S * rt_tsc_hz();
	int ret = d->ops->submit(d, &r);

	if (ret)
		return ret;
	while (!done && rt_rdtsc() < end) {
		if (!d->ops->poll(d))
			wait_a_little(d, end);
	}
	return done ? r.status : -HV_EIO;
}
