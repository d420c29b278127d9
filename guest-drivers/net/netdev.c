/* SPDX-License-Identifier: MIT */
/* Finding the partition's NICs through its drivers, and switching them to interrupts. */
#include "guest-drivers/net/netdev.h"

#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

/* A driver not linked in (or not written yet) is simply not tried. */
#pragma weak virtio_net_probe
#pragma weak e1000_probe

#define SCAN_MAX	32

typedef int (*probe_fn)(struct netdev *n, const struct rt_pci_dev *f);

unsigned int netdev_probe_all(struct netdev *out, unsigned int max)
{
	const probe_fn drivers[] = { virtio_net_probe, e1000_probe };
	struct rt_pci_dev f[SCAN_MAX];
	unsigned int n = rt_pci_scan(f, SCAN_MAX), found = 0;

	for (unsigned int i = 0; i < n && i < SCAN_MAX && found < max; i++) {
		for (unsigned int k = 0; k < sizeof(drivers) / sizeof(drivers[0]); k++) {
			out[found] = (struct netdev){ .bdf = f[i].bdf };
			if (drivers[k] && drivers[k](&out[found], &f[i]) == 0) {
				found++;
				break;
			}
		}
	}
	return found;
}

int netdev_irq_on(struct netdev *n)
{
	int64_t port;
	int ret;

	if (!n->ops->irq_enable)
		return -HV_ENOTSUP;
	port = rt_dev_irq(n->bdf, n->irq_index);
	if (port < 0)
		return (int)port;
	ret = rt_evtchn_bind((uint32_t)port, 0, 0);
	if (!ret)
		ret = n->ops->irq_enable(n);
	if (!ret)
		n->irq_port = (uint32_t)port;
	return ret;
}
