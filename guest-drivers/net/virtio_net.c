/* SPDX-License-Identifier: MIT */
/* virtio-net over modern virtio-pci (virtio 1.1): one receive and one transmit split virtqueue behind the netdev interface. */
#include "guest-drivers/net/netdev.h"

#include "guest-drivers/rt/rt.h"
#include "guest-drivers/virtio/virtio_pci.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/* PCI IDs: virtio 1.1 4.1.2 (modern devices are 0x1040 + device ID; network is 1). */
#define VIRTIO_DEV_NET		0x1041

/*
 * Feature bits: virtio 1.1 5.1.3 (network) and 6 (reserved). Nothing else: no
 * mergeable buffers, checksum or segmentation offloads, control queue or multiqueue.
 */
#define F_MAC			(1ull << 5)
#define F_WANTED		(F_MAC | F_VERSION_1 | F_ACCESS_PLATFORM)

/* struct virtio_net_config: virtio 1.1 5.1.4. */
#define NCFG_MAC		0	/* u8[6], F_MAC */

/*
 * struct virtio_net_hdr, 12 bytes with VERSION_1 (num_buffers always there): virtio 1.1
 * 5.1.6. All zero on transmit: no checksum or GSO asked.
 */
#define NET_HDR_LEN		12

/* Queues: virtio 1.1 5.1.2. */
#define Q_RX			0
#define Q_TX			1

/* Split virtqueues: virtio 1.1 2.6. */
#define D_NEXT			1
#define D_WRITE			2	/* device writes this buffer */
#define AVAIL_NO_INTERRUPT	1
#define USED_NO_NOTIFY		1

#define RX_QSIZE		64		/* buffers posted (at most: the device's size) */
#define TX_QSIZE		128		/* descriptors; a frame takes two */
#define TX_SLOTS		(TX_QSIZE / 2)
/* 5.1.6.3.1: without MRG_RXBUF or GUEST_TSO/UFO, buffers of at least 1526 bytes. */
#define RX_BUF			1536

_Static_assert(NET_HDR_LEN + NET_FRAME_MAX <= RX_BUF, "5.1.6.3.1: a whole frame per buffer");

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
_Static_assert(sizeof(struct vring_desc) == 16, "virtio 1.1 2.6.5");

struct vring_used_elem {
	uint32_t id, len;
};

/* One split virtqueue of up to N entries (2.6: descriptors, available ring, used ring). */
#define VQ_DMA(N)								\
	struct {								\
		struct vring_desc desc[N];					\
		uint16_t avail_flags, avail_idx, avail_ring[N];			\
		uint16_t rsvd_avail[2];						\
		uint16_t used_flags, used_idx;					\
		struct vring_used_elem used_ring[N];				\
		uint32_t rsvd_used;						\
	}

/* Everything the device reads or writes, in partition RAM. */
struct vnet_dma {
	VQ_DMA(RX_QSIZE) rx;
	VQ_DMA(TX_QSIZE) tx;
	uint8_t tx_hdr[NET_HDR_LEN];		/* shared by every frame: never written */
	uint8_t rsvd_hdr[4];
	uint8_t rx_buf[RX_QSIZE][RX_BUF];
};
_Static_assert(__builtin_offsetof(struct vnet_dma, rx.used_flags) % 4 == 0, "2.6: used ring 4-aligned");
_Static_assert(__builtin_offsetof(struct vnet_dma, tx) % 16 == 0, "2.6: descriptor table 16-aligned");
_Static_assert(__builtin_offsetof(struct vnet_dma, tx.used_flags) % 4 == 0, "2.6: used ring 4-aligned");

/* The driver's side of one queue: sizes, indices, doorbell. */
struct vq {
	uint16_t size;			/* a power of two */
	uint16_t avail, last_used;	/* our copies of avail_idx, and the used entries seen */
	volatile uint16_t *notify;
	volatile uint16_t *avail_flags, *avail_idx, *used_flags, *used_idx;
	uint16_t *avail_ring;
	volatile struct vring_used_elem *used_ring;
};

struct vnet {
	struct virtio_pci p;			/* regions, notify multiplier, features */
	struct vnet_dma *d;
	uint64_t d_dma;				/* rt_dma_addr(d) */
	struct vq rx, tx;
	uint16_t tx_free, tx_next_free[TX_SLOTS];	/* free transmit slots: a stack */
	void *tx_cookie[TX_SLOTS];
	uint32_t tx_len[TX_SLOTS];
	bool tx_busy[TX_SLOTS];
};

#define SLOT_NONE		0xffff

static struct vnet_dma vnet_dma[NET_MAX_NICS] __attribute__((aligned(4096)));
static struct vnet vnet[NET_MAX_NICS];
static unsigned int vnet_count;

/* ---- probe ---- */

/* The MAC from the configuration (stable generation, 4.1.4.3.1), else a local one. */
static void read_mac(struct vnet *v, struct netdev *n)
{
	uint8_t gen;

	if (!(v->p.features & F_MAC)) {
		/* Locally administered, unicast (IEEE 802 8.2): 02:00:00:00:bus:devfn. */
		const uint8_t local[6] = { 0x02, 0, 0, 0, (uint8_t)(n->bdf >> 8), (uint8_t)n->bdf };

		memcpy(n->mac, local, 6);
		return;
	}
	do {
		gen = v->p.cfg[CFG_COMMON][COM_GENERATION];
		for (unsigned int i = 0; i < 6; i++)
			n->mac[i] = v->p.cfg[CFG_DEVICE][NCFG_MAC + i];
	} while (gen != v->p.cfg[CFG_COMMON][COM_GENERATION]);
}

/* Where VQ_DMA(N)'s rings start: after the descriptors, and after the available ring. */
#define AVAIL_OFF(N)		(16u * (N))
#define USED_OFF(N)		(18u * (N) + 8)
#define VQ_LAYOUT(q, N)									\
	_Static_assert(__builtin_offsetof(struct vnet_dma, q.avail_flags) -			\
			       __builtin_offsetof(struct vnet_dma, q) == AVAIL_OFF(N) &&	\
		       __builtin_offsetof(struct vnet_dma, q.used_flags) -			\
			       __builtin_offsetof(struct vnet_dma, q) == USED_OFF(N), "VQ_DMA layout")
VQ_LAYOUT(rx, RX_QSIZE);
VQ_LAYOUT(tx, TX_QSIZE);

/*
 * Queue idx on VQ_DMA(max) at base (DMA address dma): the largest power of two up to max
 * that the device takes. Polled: the device is asked not to interrupt.
 */
__attribute__((warn_unused_result))
static int setup_queue(struct vnet *v, struct vq *q, uint16_t idx, uint16_t max, void *ring)
{
	uint8_t *base = ring;
	uint64_t dma = v->d_dma + (uint64_t)(base - (uint8_t *)v->d);
	size_t avail_off = AVAIL_OFF(max), used_off = USED_OFF(max);
	uint16_t dev_max;
	uint64_t noff;

	vp_wr16(&v->p, COM_Q_SELECT, idx);
	dev_max = vp_rd16(&v->p, COM_Q_SIZE);
	for (q->size = max; q->size > dev_max; q->size >>= 1)
		;
	if (q->size < 2)
		return -HV_ENOTSUP;
	q->avail_flags = (uint16_t *)(base + avail_off);
	q->avail_idx = q->avail_flags + 1;
	q->avail_ring = (uint16_t *)(base + avail_off + 4);
	q->used_flags = (uint16_t *)(base + used_off);
	q->used_idx = q->used_flags + 1;
	q->used_ring = (struct vring_used_elem *)(base + used_off + 4);
	*q->avail_flags = AVAIL_NO_INTERRUPT;	/* polled: irq_port 0 */
	vp_wr16(&v->p, COM_Q_SIZE, q->size);
	vp_wr64(&v->p, COM_Q_DESC, dma);
	vp_wr64(&v->p, COM_Q_DRIVER, dma + avail_off);
	vp_wr64(&v->p, COM_Q_DEVICE, dma + used_off);
	noff = (uint64_t)vp_rd16(&v->p, COM_Q_NOFF) * v->p.notify_mult;
	if (noff + 2 > v->p.cfg_len[CFG_NOTIFY])
		return -HV_EINVAL;
	q->notify = (volatile uint16_t *)(v->p.cfg[CFG_NOTIFY] + noff);
	vp_wr16(&v->p, COM_Q_ENABLE, 1);
	return 0;
}

/* Rings the doorbell of queue idx unless the device said it does not need it (2.6.10). */
static void kick(struct vq *q, uint16_t idx)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(q->used_flags, __ATOMIC_ACQUIRE) & USED_NO_NOTIFY))
		*q->notify = idx;	/* the queue index: 4.1.4.4 */
}

/* Receive descriptor i is rx_buf[i], device-writable; all of them posted. */
static void fill_rx(struct vnet *v)
{
	for (uint16_t i = 0; i < v->rx.size; i++) {
		v->d->rx.desc[i] = (struct vring_desc){
			v->d_dma + __builtin_offsetof(struct vnet_dma, rx_buf[i]), RX_BUF, D_WRITE, 0 };
		v->rx.avail_ring[i] = i;
	}
	v->rx.avail = v->rx.size;
	__atomic_store_n(v->rx.avail_idx, v->rx.avail, __ATOMIC_RELEASE);
}

/* Transmit slot s: descriptors 2s (the shared zero header) and 2s + 1 (the frame). */
static void init_tx(struct vnet *v)
{
	unsigned int slots = v->tx.size / 2;

	for (uint16_t s = 0; s < slots; s++) {
		v->d->tx.desc[2 * s] = (struct vring_desc){
			v->d_dma + __builtin_offsetof(struct vnet_dma, tx_hdr), NET_HDR_LEN, D_NEXT,
			(uint16_t)(2 * s + 1) };
		v->tx_next_free[s] = (uint16_t)(s + 1u < slots ? s + 1u : SLOT_NONE);
	}
	v->tx_free = 0;
}

/* ---- frames ---- */

static int vnet_tx(struct netdev *n, const void *buf, uint32_t len, void *cookie)
{
	struct vnet *v = n->priv;
	uint64_t dma = rt_dma_addr(buf);
	uint16_t s = v->tx_free;

	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX || dma == RT_DMA_NONE ||
	    rt_dma_addr((const uint8_t *)buf + len - 1) != dma + len - 1)
		return -HV_EINVAL;	/* one descriptor: contiguous in DMA space too */
	if (s == SLOT_NONE)
		return -HV_EBUSY;
	v->tx_free = v->tx_next_free[s];
	v->tx_cookie[s] = cookie;
	v->tx_len[s] = len;
	v->tx_busy[s] = true;
	v->d->tx.desc[2 * s + 1] = (struct vring_desc){ dma, len, 0, 0 };
	v->tx.avail_ring[v->tx.avail & (v->tx.size - 1)] = (uint16_t)(2 * s);
	/* The entry before the index (2.6.13). */
	__atomic_store_n(v->tx.avail_idx, ++v->tx.avail, __ATOMIC_RELEASE);
	kick(&v->tx, Q_TX);
	return 0;
}

/* Sent frames: each used id is a slot's head descriptor (2 * slot). */
static unsigned int tx_complete(struct netdev *n, struct vnet *v)
{
	unsigned int done = 0;

	while (v->tx.last_used != __atomic_load_n(v->tx.used_idx, __ATOMIC_ACQUIRE)) {
		uint32_t id = v->tx.used_ring[v->tx.last_used++ & (v->tx.size - 1)].id;
		uint16_t s = (uint16_t)(id / 2);
		void *cookie;

		if (id % 2 || s >= v->tx.size / 2 || !v->tx_busy[s])
			continue;	/* not a frame in flight: a device bug, ignored */
		cookie = v->tx_cookie[s];
		v->tx_busy[s] = false;
		v->tx_next_free[s] = v->tx_free;
		v->tx_free = s;
		n->tx_frames++;
		n->tx_bytes += v->tx_len[s];
		done++;
		if (n->tx_done)
			n->tx_done(n, cookie);	/* last: it may send again */
	}
	return done;
}

/* Received frames: handed up without the header, then the buffer is posted again. */
static unsigned int rx_complete(struct netdev *n, struct vnet *v)
{
	unsigned int done = 0;

	while (v->rx.last_used != __atomic_load_n(v->rx.used_idx, __ATOMIC_ACQUIRE)) {
		volatile struct vring_used_elem *u = &v->rx.used_ring[v->rx.last_used++ & (v->rx.size - 1)];
		uint32_t id = u->id, len = u->len;

		if (id >= v->rx.size)
			continue;	/* not one of ours: a device bug, ignored */
		if (len < NET_HDR_LEN + NET_FRAME_MIN || len > NET_HDR_LEN + NET_FRAME_MAX) {
			n->rx_dropped++;
		} else {
			n->rx_frames++;
			n->rx_bytes += len - NET_HDR_LEN;
			if (n->rx)
				n->rx(n, v->d->rx_buf[id] + NET_HDR_LEN, len - NET_HDR_LEN);
		}
		v->rx.avail_ring[v->rx.avail & (v->rx.size - 1)] = (uint16_t)id;
		__atomic_store_n(v->rx.avail_idx, ++v->rx.avail, __ATOMIC_RELEASE);
		done++;
	}
	if (done)
		kick(&v->rx, Q_RX);
	return done;
}

static unsigned int vnet_poll(struct netdev *n)
{
	struct vnet *v = n->priv;
	unsigned int done = tx_complete(n, v);

	return done + rx_complete(n, v);
}

/* MSI-X entry irq_index (the hypervisor programmed it) for both queues; none for config. */
static int vnet_irq_enable(struct netdev *n)
{
	struct vnet *v = n->priv;

	vp_wr16(&v->p, COM_MSIX_CONFIG, NO_VECTOR);
	for (uint16_t q = Q_RX; q <= Q_TX; q++) {
		vp_wr16(&v->p, COM_Q_SELECT, q);
		vp_wr16(&v->p, COM_Q_MSIX, (uint16_t)n->irq_index);
		if (vp_rd16(&v->p, COM_Q_MSIX) != n->irq_index)
			return -HV_ENOTSUP;	/* the device refused the vector (4.1.5.1.2) */
	}
	__atomic_store_n(v->rx.avail_flags, 0, __ATOMIC_RELEASE);
	__atomic_store_n(v->tx.avail_flags, 0, __ATOMIC_RELEASE);
	return 0;
}

static const struct netdev_ops vnet_ops = { .tx = vnet_tx, .poll = vnet_poll,
					    .irq_enable = vnet_irq_enable };

__attribute__((warn_unused_result))
static int vnet_init(struct vnet *v, struct netdev *n)
{
	int ret;

	vp_find_caps(&v->p, n->bdf);
	if (!v->p.cfg[CFG_COMMON] || v->p.cfg_len[CFG_COMMON] < COM_LEN || !v->p.cfg[CFG_NOTIFY] ||
	    !v->p.cfg[CFG_DEVICE] || v->p.cfg_len[CFG_DEVICE] < NCFG_MAC + 6)
		return -HV_ENOENT;
	if (v->d_dma == RT_DMA_NONE)
		return -HV_ENOMEM;
	/* INTx off while polled: an interrupt the partition cannot take must not assert. */
	rt_pci_enable(n->bdf, RT_PCI_CMD_MEMORY | RT_PCI_CMD_MASTER | RT_PCI_CMD_INTX_OFF);
	ret = vp_negotiate(&v->p, F_WANTED, "virtio-net");
	if (!ret) {
		read_mac(v, n);
		memset(v->d, 0, sizeof(*v->d));
		ret = setup_queue(v, &v->rx, Q_RX, RX_QSIZE, &v->d->rx);
	}
	if (!ret)
		ret = setup_queue(v, &v->tx, Q_TX, TX_QSIZE, &v->d->tx);
	if (ret) {
		vp_set_status(&v->p, ST_FAILED);
		return ret;
	}
	fill_rx(v);
	init_tx(v);
	/* 3.1.1 step 8, then the buffers already posted are the device's (5.1.5). */
	vp_set_status(&v->p, ST_DRIVER_OK);
	kick(&v->rx, Q_RX);
	return 0;
}

int virtio_net_probe(struct netdev *n, const struct rt_pci_dev *f)
{
	struct vnet *v;
	int ret;

	if (f->vendor != VIRTIO_VENDOR || f->device != VIRTIO_DEV_NET)
		return -HV_ENOENT;
	hv_snprintf(n->name, sizeof(n->name), "vnet %02x:%02x.%u", f->bdf >> 8, (f->bdf >> 3) & 31,
		    f->bdf & 7);
	if (vnet_count >= NET_MAX_NICS) {
		rt_printf("virtio-net: %s: more than %u NICs, ignored\n", n->name, NET_MAX_NICS);
		return -HV_ENOMEM;
	}
	v = &vnet[vnet_count];
	*v = (struct vnet){ .d = &vnet_dma[vnet_count], .d_dma = rt_dma_addr(&vnet_dma[vnet_count]) };
	ret = vnet_init(v, n);
	if (ret) {
		rt_printf("virtio-net: %s: not started (error %d)\n", n->name, ret);
		return ret;
	}
	n->tx_depth = v->tx.size / 2;
	n->irq_port = 0;
	n->irq_index = 0;
	n->ops = &vnet_ops;
	n->priv = v;
	vnet_count++;
	rt_printf("virtio-net: %s: mac %02x:%02x:%02x:%02x:%02x:%02x%s, features 0x%lx, rx %u, tx %u "
		  "frames%s\n", n->name, n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
		  n->mac[5], v->p.features & F_MAC ? "" : " (local)", v->p.features, v->rx.size,
		  n->tx_depth, v->p.features & F_ACCESS_PLATFORM ? ", iommu" : "");
	return 0;
}
