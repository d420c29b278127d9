/* SPDX-License-Identifier: MIT */
/* virtio-blk over modern virtio-pci (virtio 1.1): one split virtqueue, polled, behind the blkdev interface. */
#include "guest-drivers/blk/blkdev.h"

#include "guest-drivers/rt/rt.h"
#include "guest-drivers/virtio/virtio_pci.h"
#include "include/abi/hv_errno.h"
#include "vmm/format.h"

/* PCI IDs: virtio 1.1 4.1.2 (modern devices are 0x1040 + device ID; block is 2). */
#define VIRTIO_DEV_BLK		0x1042

/* Feature bits: virtio 1.1 5.2.3 (block) and 6 (reserved). */
#define F_SIZE_MAX		(1ull << 1)
#define F_SEG_MAX		(1ull << 2)
#define F_FLUSH			(1ull << 9)
#define F_DISCARD		(1ull << 13)
/* SEG_MAX needs nothing: a request has one data segment, and seg_max >= 1. */
#define F_WANTED		(F_SIZE_MAX | F_SEG_MAX | F_FLUSH | F_DISCARD | F_VERSION_1 | \
				 F_ACCESS_PLATFORM)

/* struct virtio_blk_config: virtio 1.1 5.2.4. */
#define BCFG_CAPACITY		0	/* le64, 512-byte sectors */
#define BCFG_SIZE_MAX		8	/* le32, F_SIZE_MAX */
#define BCFG_SEG_MAX		12	/* le32, F_SEG_MAX */
#define BCFG_MAX_DISCARD	36	/* le32, F_DISCARD */
#define BCFG_LEN_DISCARD	40

/* Requests: virtio 1.1 5.2.6. */
#define T_IN			0
#define T_OUT			1
#define T_FLUSH			4
#define T_DISCARD		11
#define S_OK			0
#define S_NONE			0xff	/* not a device status: "not written yet" */

/* Split virtqueues: virtio 1.1 2.6. */
#define D_NEXT			1
#define D_WRITE			2	/* device writes this buffer */
#define AVAIL_NO_INTERRUPT	1
#define USED_NO_NOTIFY		1

#define QSIZE_MAX		256
#define SLOTS_MAX		(QSIZE_MAX / 3)	/* header, data, status: 3 descriptors each */
#define SLOT_NONE		0xffff
#define MAX_XFER_SECTORS	2048		/* 1 MiB per request */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
_Static_assert(sizeof(struct vring_desc) == 16, "virtio 1.1 2.6.5");

struct vring_used_elem {
	uint32_t id, len;
};

/* Per request slot, device-readable header and discard segment, device-written status. */
struct slot_dma {
	uint32_t type, reserved;
	uint64_t sector;
	uint64_t dsc_sector;	/* struct virtio_blk_discard_write_zeroes, 5.2.6 */
	uint32_t dsc_count, dsc_flags;
	uint8_t status;
	uint8_t rsvd_0x21[15];
};
_Static_assert(sizeof(struct slot_dma) == 48, "slot layout");

/* Everything the device reads or writes, in partition RAM; arrays sized for QSIZE_MAX. */
struct vq_dma {
	struct vring_desc desc[QSIZE_MAX];
	uint16_t avail_flags, avail_idx, avail_ring[QSIZE_MAX];
	uint16_t rsvd_avail[2];
	uint16_t used_flags, used_idx;
	struct vring_used_elem used_ring[QSIZE_MAX];
	uint32_t rsvd_used;
	struct slot_dma slot[SLOTS_MAX];
};
_Static_assert(__builtin_offsetof(struct vq_dma, used_flags) % 4 == 0, "2.6: used ring 4-aligned");
_Static_assert(sizeof(struct vq_dma) % 16 == 0, "2.6: each device's descriptor table 16-aligned");

struct vblk {
	struct virtio_pci p;			/* regions, notify multiplier, features */
	volatile uint16_t *notify;		/* queue 0's doorbell */
	struct vq_dma *q;
	uint64_t q_dma;				/* rt_dma_addr(q) */
	uint32_t max_discard;
	uint16_t qsize, nslots, avail, last_used;
	uint16_t free, next_free[SLOTS_MAX];	/* free slots: a stack */
	struct blk_req *req[SLOTS_MAX];
};

static struct vq_dma vq_dma[BLK_MAX_DISKS] __attribute__((aligned(4096)));
static struct vblk vblk[BLK_MAX_DISKS];
static unsigned int vblk_count;

/* ---- probe ---- */

/* Device configuration, read until the generation is stable (4.1.4.3.1). */
static void read_config(struct vblk *v, struct blkdev *d)
{
	uint8_t gen;
	uint32_t size_max;

	do {
		gen = v->p.cfg[CFG_COMMON][COM_GENERATION];
		d->sectors = vp_rd32(&v->p, CFG_DEVICE, BCFG_CAPACITY) |
			     (uint64_t)vp_rd32(&v->p, CFG_DEVICE, BCFG_CAPACITY + 4) << 32;
		size_max = v->p.features & F_SIZE_MAX ? vp_rd32(&v->p, CFG_DEVICE, BCFG_SIZE_MAX) : 0;
		v->max_discard = v->p.features & F_DISCARD && v->p.cfg_len[CFG_DEVICE] >= BCFG_LEN_DISCARD ?
				 vp_rd32(&v->p, CFG_DEVICE, BCFG_MAX_DISCARD) : 0;
	} while (gen != v->p.cfg[CFG_COMMON][COM_GENERATION]);
	d->max_sectors = MAX_XFER_SECTORS;
	if (size_max && size_max / BLK_SECTOR < d->max_sectors)
		d->max_sectors = size_max / BLK_SECTOR ? size_max / BLK_SECTOR : 1;
	d->can_flush = v->p.features & F_FLUSH;
	d->can_discard = v->max_discard != 0;
}

/* Queue 0: the largest power of two up to QSIZE_MAX, descriptor chains fixed per slot. */
__attribute__((warn_unused_result))
static int setup_queue(struct vblk *v)
{
	uint64_t noff;
	uint16_t max;

	vp_wr16(&v->p, COM_Q_SELECT, 0);
	max = vp_rd16(&v->p, COM_Q_SIZE);
	for (v->qsize = QSIZE_MAX; v->qsize > max; v->qsize >>= 1)
		;
	v->nslots = v->qsize / 3;
	if (!v->nslots || v->q_dma == RT_DMA_NONE)
		return -HV_ENOTSUP;
	memset(v->q, 0, sizeof(*v->q));
	v->q->avail_flags = AVAIL_NO_INTERRUPT;	/* polled: irq_port 0 */
	for (uint16_t s = 0; s < v->nslots; s++) {
		struct vring_desc *dsc = &v->q->desc[3 * s];

		dsc[0] = (struct vring_desc){ v->q_dma + __builtin_offsetof(struct vq_dma, slot[s]),
					      16, D_NEXT, (uint16_t)(3 * s + 1) };
		dsc[1].next = (uint16_t)(3 * s + 2);
		dsc[2] = (struct vring_desc){ v->q_dma + __builtin_offsetof(struct vq_dma, slot[s].status),
					      1, D_WRITE, 0 };
		v->next_free[s] = (uint16_t)(s + 1 < v->nslots ? s + 1 : SLOT_NONE);
	}
	v->free = 0;
	vp_wr16(&v->p, COM_Q_SIZE, v->qsize);
	vp_wr64(&v->p, COM_Q_DESC, v->q_dma);
	vp_wr64(&v->p, COM_Q_DRIVER, v->q_dma + __builtin_offsetof(struct vq_dma, avail_flags));
	vp_wr64(&v->p, COM_Q_DEVICE, v->q_dma + __builtin_offsetof(struct vq_dma, used_flags));
	noff = (uint64_t)vp_rd16(&v->p, COM_Q_NOFF) * v->p.notify_mult;
	if (noff + 2 > v->p.cfg_len[CFG_NOTIFY])
		return -HV_EINVAL;
	v->notify = (volatile uint16_t *)(v->p.cfg[CFG_NOTIFY] + noff);
	vp_wr16(&v->p, COM_Q_ENABLE, 1);
	return 0;
}

/* ---- requests ---- */

/* Interrupts off around ring updates: poll() may run from the device's event handler. */
static uint64_t irq_save(void)
{
	uint64_t f = rt_save_flags();

	rt_cli();
	return f;
}

static void irq_restore(uint64_t f)
{
	if (f & RT_RFLAGS_IF)
		rt_sti();
}

/* Checks r; its data buffer's DMA address (0 for flush and discard). */
__attribute__((warn_unused_result))
static int check_req(const struct blkdev *d, const struct vblk *v, const struct blk_req *r,
		     uint64_t *dma)
{
	uint64_t len = (uint64_t)r->count * BLK_SECTOR;

	*dma = 0;
	switch (r->op) {
	case BLK_FLUSH:
		return d->can_flush && !r->count ? 0 : -HV_EINVAL;
	case BLK_DISCARD:
		return d->can_discard && r->count && r->count <= v->max_discard &&
		       r->sector <= d->sectors && r->count <= d->sectors - r->sector ? 0 : -HV_EINVAL;
	case BLK_READ:
	case BLK_WRITE:
		break;
	default:
		return -HV_EINVAL;
	}
	if (!r->count || r->count > d->max_sectors || r->sector > d->sectors ||
	    r->count > d->sectors - r->sector || (uintptr_t)r->buf % d->dma_align)
		return -HV_EINVAL;
	*dma = rt_dma_addr(r->buf);
	/* One descriptor: the buffer must be contiguous in DMA space too. */
	if (*dma == RT_DMA_NONE || rt_dma_addr((const uint8_t *)r->buf + len - 1) != *dma + len - 1)
		return -HV_EINVAL;
	return 0;
}

static int vblk_submit(struct blkdev *d, struct blk_req *r)
{
	static const uint32_t type[] = { [BLK_READ] = T_IN, [BLK_WRITE] = T_OUT,
					 [BLK_FLUSH] = T_FLUSH, [BLK_DISCARD] = T_DISCARD };
	struct vblk *v = d->priv;
	struct vq_dma *q = v->q;
	uint64_t dma, f;
	int ret = check_req(d, v, r, &dma);
	uint16_t s;

	if (ret)
		return ret;
	f = irq_save();
	s = v->free;
	if (s == SLOT_NONE) {
		irq_restore(f);
		return -HV_EBUSY;
	}
	v->free = v->next_free[s];
	v->req[s] = r;
	r->drv = v;
	/* The header's sector is 0 for anything but reads and writes (5.2.6). */
	q->slot[s] = (struct slot_dma){ .type = type[r->op], .status = S_NONE,
					.sector = r->op <= BLK_WRITE ? r->sector : 0,
					.dsc_sector = r->sector, .dsc_count = r->count };
	q->desc[3 * s].next = (uint16_t)(3 * s + (r->op == BLK_FLUSH ? 2 : 1));
	if (r->op == BLK_DISCARD)
		q->desc[3 * s + 1] = (struct vring_desc){
			v->q_dma + __builtin_offsetof(struct vq_dma, slot[s].dsc_sector), 16, D_NEXT,
			(uint16_t)(3 * s + 2) };
	else if (r->op != BLK_FLUSH)
		q->desc[3 * s + 1] = (struct vring_desc){
			dma, r->count * BLK_SECTOR,
			(uint16_t)(D_NEXT | (r->op == BLK_READ ? D_WRITE : 0)), (uint16_t)(3 * s + 2) };
	q->avail_ring[v->avail & (v->qsize - 1)] = (uint16_t)(3 * s);
	/* The entry before the index (2.6.13); the index before the used flags are read. */
	__atomic_store_n(&q->avail_idx, ++v->avail, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&q->used_flags, __ATOMIC_ACQUIRE) & USED_NO_NOTIFY))
		*v->notify = 0;	/* the queue index: 4.1.4.4 */
	irq_restore(f);
	return 0;
}

/* Completes the used entries: each id is a slot's head descriptor (3 * slot). */
static unsigned int vblk_poll(struct blkdev *d)
{
	struct vblk *v = d->priv;
	struct vq_dma *q = v->q;
	unsigned int n = 0;
	uint64_t f = irq_save();

	while (v->last_used != __atomic_load_n(&q->used_idx, __ATOMIC_ACQUIRE)) {
		uint32_t id = q->used_ring[v->last_used++ & (v->qsize - 1)].id;
		uint16_t s = (uint16_t)(id / 3);
		struct blk_req *r;

		if (id % 3 || s >= v->nslots || !v->req[s])
			continue;	/* not a request in flight: a device bug, ignored */
		r = v->req[s];
		v->req[s] = NULL;
		v->next_free[s] = v->free;
		v->free = s;
		r->status = q->slot[s].status == S_OK ? 0 : -HV_EIO;
		r->drv = NULL;
		n++;
		r->done(r);	/* last: it may submit again */
	}
	irq_restore(f);
	return n;
}

/* MSI-X entry 0 (the hypervisor programmed it) for queue 0; none for config changes. */
static int vblk_irq_enable(struct blkdev *d)
{
	struct vblk *v = d->priv;

	vp_wr16(&v->p, COM_MSIX_CONFIG, NO_VECTOR);
	vp_wr16(&v->p, COM_Q_SELECT, 0);
	vp_wr16(&v->p, COM_Q_MSIX, (uint16_t)d->irq_index);
	if (vp_rd16(&v->p, COM_Q_MSIX) != d->irq_index)
		return -HV_ENOTSUP;	/* the device refused the vector (4.1.5.1.2) */
	__atomic_store_n(&v->q->avail_flags, 0, __ATOMIC_RELEASE);
	return 0;
}

static const struct blkdev_ops vblk_ops = { .submit = vblk_submit, .poll = vblk_poll,
					    .irq_enable = vblk_irq_enable };

__attribute__((warn_unused_result))
static int vblk_init(struct vblk *v, struct blkdev *d, uint16_t bdf)
{
	int ret;

	vp_find_caps(&v->p, bdf);
	if (!v->p.cfg[CFG_COMMON] || v->p.cfg_len[CFG_COMMON] < COM_LEN || !v->p.cfg[CFG_NOTIFY] ||
	    !v->p.cfg[CFG_DEVICE] || v->p.cfg_len[CFG_DEVICE] < BCFG_SEG_MAX + 4)
		return -HV_ENOENT;
	/* INTx off while polled: an interrupt the partition cannot take must not assert. */
	rt_pci_enable(bdf, RT_PCI_CMD_MEMORY | RT_PCI_CMD_MASTER | RT_PCI_CMD_INTX_OFF);
	ret = vp_negotiate(&v->p, F_WANTED, "virtio-blk");
	if (!ret) {
		read_config(v, d);
		ret = setup_queue(v);
	}
	if (ret) {
		vp_set_status(&v->p, ST_FAILED);
		return ret;
	}
	vp_set_status(&v->p, ST_DRIVER_OK);
	return 0;
}

int virtio_blk_probe(struct blkdev *d, const struct rt_pci_dev *f)
{
	struct vblk *v;
	int ret;

	if (f->vendor != VIRTIO_VENDOR || f->device != VIRTIO_DEV_BLK)
		return -HV_ENOENT;
	if (vblk_count >= BLK_MAX_DISKS) {
		rt_printf("virtio-blk: %02x:%02x.%u: more than %u disks, ignored\n", f->bdf >> 8,
			  (f->bdf >> 3) & 31, f->bdf & 7, BLK_MAX_DISKS);
		return -HV_ENOMEM;
	}
	v = &vblk[vblk_count];
	*v = (struct vblk){ .q = &vq_dma[vblk_count], .q_dma = rt_dma_addr(&vq_dma[vblk_count]) };
	ret = vblk_init(v, d, f->bdf);
	hv_snprintf(d->name, sizeof(d->name), "virtio %02x:%02x.%u", f->bdf >> 8, (f->bdf >> 3) & 31,
		    f->bdf & 7);
	if (ret) {
		rt_printf("virtio-blk: %s: not started (error %d)\n", d->name, ret);
		return ret;
	}
	d->queue_depth = v->nslots;
	d->dma_align = BLK_SECTOR;
	d->irq_port = 0;
	d->ops = &vblk_ops;
	d->priv = v;
	vblk_count++;
	rt_printf("virtio-blk: %s: %lu sectors, features 0x%lx, queue %u (%u requests), max %u "
		  "sectors%s%s%s\n", d->name, d->sectors, v->p.features, v->qsize, v->nslots,
		  d->max_sectors, d->can_flush ? ", flush" : "", d->can_discard ? ", discard" : "",
		  v->p.features & F_ACCESS_PLATFORM ? ", iommu" : "");
	return 0;
}
