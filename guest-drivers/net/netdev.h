/* SPDX-License-Identifier: MIT */
/* NICs as the service partition's drivers present them: frames out, frames in, completion by poll. */
#ifndef GUEST_DRIVERS_NET_NETDEV_H
#define GUEST_DRIVERS_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "guest-drivers/rt/pci.h"

#define NET_FRAME_MAX		1514u	/* Ethernet without FCS, no VLAN tag */
#define NET_FRAME_MIN		14u	/* a header; the NIC pads short frames */
#define NET_MAX_NICS		2

struct netdev;

/*
 * A frame handed to the stack by poll(): data is the driver's receive buffer, valid
 * until rx() returns (copy what must outlive it). Transmit takes a buffer in partition
 * memory (the device DMAs from rt_dma_addr(buf)), which the caller keeps untouched until
 * tx_done() reports it. The switch sends its own copy of a child's frame, never the
 * channel's data region: a child could rewrite a frame there after the source check.
 */
struct netdev_ops {
	/*
	 * Queues one frame of len bytes (NET_FRAME_MIN..NET_FRAME_MAX). 0; -HV_EBUSY when
	 * the transmit queue is full (retry after a tx_done); -HV_EINVAL for a bad length
	 * or a buffer the device cannot reach. Never blocks. cookie comes back in tx_done.
	 */
	int (*tx)(struct netdev *n, const void *buf, uint32_t len, void *cookie);
	/*
	 * Completes what the device finished: calls n->tx_done(n, cookie) for each frame
	 * sent and n->rx(n, data, len) for each frame received (then recycles the buffer);
	 * how many of both. Never at the same time as tx on the same NIC (an event handler
	 * should only wake the loop that calls them).
	 */
	unsigned int (*poll)(struct netdev *n);
	/* Optional: makes the device interrupt on receive and transmit completion (the
	 * hypervisor has routed irq_index already: netdev_irq_on). */
	int (*irq_enable)(struct netdev *n);
};

struct netdev {
	char name[16];			/* "virtio-net 00:03.0" would not fit: "vnet 00:03.0" */
	uint16_t bdf;
	uint8_t mac[6];
	uint32_t tx_depth;		/* frames in flight at most */
	uint32_t irq_port;		/* the event port of its interrupt; 0: polled only */
	uint32_t irq_index;		/* HC_DEV_IRQ's index: MSI-X entry, or 0 for MSI */
	const struct netdev_ops *ops;
	void *priv;
	/* Set by the user before the first poll. */
	void (*rx)(struct netdev *n, const void *data, uint32_t len);
	void (*tx_done)(struct netdev *n, void *cookie);
	void *user;
	/* Counters, kept by the drivers. */
	uint64_t rx_frames, rx_bytes, rx_dropped, tx_frames, tx_bytes, tx_errors;
};

/* Drivers: each takes a PCI function it recognises; 0, -HV_ENOENT (not its kind), or
 * another error (logged). Static DMA memory, at most NET_MAX_NICS of each kind. */
int virtio_net_probe(struct netdev *n, const struct rt_pci_dev *f);	/* modern virtio-pci */
int e1000_probe(struct netdev *n, const struct rt_pci_dev *f);	/* 8086:100e and kin */

/* Every NIC behind the partition's PCI functions, in PCI order, into out; the count. */
unsigned int netdev_probe_all(struct netdev *out, unsigned int max);

/* HC_DEV_IRQ for irq_index, the port bound to wake rt_wait_event, then irq_enable; 0 or
 * an error (the NIC stays polled). */
int netdev_irq_on(struct netdev *n);

#endif
