/* SPDX-License-Identifier: MIT */
/* The AMD-Vi driver: device table, command buffer, event log and DMA domains (spec 48882). */
#include "iommu/amdvi/amdvi.h"
#include "iommu/iommu.h"

#include "arch/x86/cpu.h"
#include "include/abi/hv_errno.h"
#include "iommu/amdvi/amdvi_hw.h"
#include "iommu/amdvi/ivrs.h"
#include "vmm/log.h"
#include "vmm/mem.h"

#define AMDVI_PAGE		0x1000ull
#define AMDVI_DTE_BYTES		32u
#define AMDVI_DEVTAB_PAGES	(AMDVI_DEVTAB_ENTRIES * AMDVI_DTE_BYTES / AMDVI_PAGE)
/* Commands queued before each completion wait: the ring holds 256, one stays free. */
#define AMDVI_BATCH		(AMDVI_RING_BYTES / AMDVI_ENTRY_BYTES - 2)
#define AMDVI_SPIN_MAX		10000000u	/* completion wait: ~0.1 s of PAUSEs */
#define AMDVI_CTRL_COHERENT	(1ull << 10)	/* 3.4.4: device table reads are snooped */

#ifdef HOST_TEST
/* Host tests stand a fake register block in for base, and run the commands queued
 * when the tail moves (tests/unit/test_amdvi_drv.c). */
uint64_t amdvi_test_mmio(uint64_t base);
void amdvi_test_doorbell(uint64_t mmio);
#endif

struct amdvi_unit {
	const struct ivrs_ivhd *hw;
	uint64_t mmio;			/* the register block */
	uint64_t efr;
	uint64_t cmdbuf, evtlog;	/* one page each */
	uint32_t cmd_tail, evt_head;	/* byte offsets into them */
	uint64_t ctrl;			/* the control register as last written */
	uint64_t sem_pa, seq;		/* completion-wait store target and last value */
};

/*
 * One device table for the segment, shared by every unit: all 64K device ids (2 MiB),
 * so no requester id, listed in IVRS or not, falls outside it. Set up at boot; later
 * calls (map, attach) are serialised by the caller.
 */
static struct {
	const uint8_t *table;		/* IVRS, kept mapped for its device entries */
	struct ivrs_info ivrs;
	unsigned int nunits;
	struct amdvi_unit unit[IVRS_MAX_UNITS];
	uint64_t devtab, pages;		/* pages: the semaphores, then each unit's two */
	bool ready, enabled;
	struct iommu_domain *dom[IOMMU_MAX_DOMAINS + 1];
} av;

static volatile uint64_t *amdvi_va(uint64_t pa)
{
	return (volatile uint64_t *)(uintptr_t)pa;	/* the direct map is 1:1 */
}

static uint64_t amdvi_rd(const struct amdvi_unit *u, unsigned int reg)
{
	return mmio_read64(u->mmio + reg);
}

static void amdvi_wr(const struct amdvi_unit *u, unsigned int reg, uint64_t v)
{
	*amdvi_va(u->mmio + reg) = v;	/* one 64-bit access, as 3.4 allows */
}

/* ---- command buffer, 2.4 ---- */

static void amdvi_push(struct amdvi_unit *u, struct amdvi_cmd c)
{
	volatile uint64_t *slot = amdvi_va(u->cmdbuf + u->cmd_tail);

	slot[0] = c.q[0];
	slot[1] = c.q[1];
	u->cmd_tail = (u->cmd_tail + AMDVI_ENTRY_BYTES) % AMDVI_RING_BYTES;
}

/*
 * Queues a COMPLETION_WAIT behind the commands pushed, moves the tail and spins until
 * the store lands: then every command before it is done and the ring is empty again,
 * so the head register is never needed.
 */
static int amdvi_sync(struct amdvi_unit *u)
{
	volatile uint64_t *sem = amdvi_va(u->sem_pa);
	uint64_t seq = ++u->seq;

	amdvi_push(u, amdvi_cmd_completion_wait(u->sem_pa, seq));
	amdvi_wr(u, AMDVI_CMD_TAIL, u->cmd_tail);
#ifdef HOST_TEST
	amdvi_test_doorbell(u->mmio);
#endif
	for (uint32_t i = 0; i < AMDVI_SPIN_MAX; i++) {
		if (*sem == seq)
			return 0;
		cpu_relax();
	}
	pr_err("iommu: amdvi unit=%u completion wait timed out head=0x%llx tail=0x%x "
	       "status=0x%llx", (unsigned int)(u - av.unit),
	       (unsigned long long)amdvi_rd(u, AMDVI_CMD_HEAD), u->cmd_tail,
	       (unsigned long long)amdvi_rd(u, AMDVI_STATUS));
	return -HV_EIO;
}

/* Runs n (<= AMDVI_BATCH) commands on every unit and waits. Before enable() nothing is
 * cached (and QEMU runs no command while IOMMUEN is 0), so there is nothing to do. */
static int amdvi_flush(const struct amdvi_cmd *c, unsigned int n)
{
	int ret = 0;

	for (unsigned int i = 0; av.enabled && i < av.nunits; i++) {
		for (unsigned int k = 0; k < n; k++)
			amdvi_push(&av.unit[i], c[k]);
		ret = amdvi_sync(&av.unit[i]) ?: ret;
	}
	return ret;
}

static int amdvi_flush_domain(unsigned int id)
{
	struct amdvi_cmd c = amdvi_cmd_inv_pages_all((uint16_t)id);

	return amdvi_flush(&c, 1);
}

/* Every cached device table entry and translation; INVALIDATE_IOMMU_ALL if present. */
static int amdvi_inv_everything(struct amdvi_unit *u)
{
	int ret;

	if (u->efr & AMDVI_EFR_IASUP) {
		amdvi_push(u, amdvi_cmd_inv_all());
		return amdvi_sync(u);
	}
	for (uint32_t id = 0; id < AMDVI_DEVTAB_ENTRIES; id++) {
		amdvi_push(u, amdvi_cmd_inv_dte((uint16_t)id));
		if ((id + 1) % AMDVI_BATCH == 0 && (ret = amdvi_sync(u)))
			return ret;
	}
	for (unsigned int d = 0; d <= IOMMU_MAX_DOMAINS; d++)
		amdvi_push(u, amdvi_cmd_inv_pages_all((uint16_t)d));
	return amdvi_sync(u);
}

/* ---- device table, 2.2.2 ---- */

static volatile uint64_t *amdvi_dte(uint16_t devid)
{
	return amdvi_va(av.devtab + (uint64_t)devid * AMDVI_DTE_BYTES);
}

/*
 * Installs dte for devid so that the IOMMU never uses half an entry: a translating
 * entry is first blocked with one store of quad 0 (and its cached copy and domain's
 * translations dropped: QEMU caches by device), then quads 3..1 are written while quad
 * 0 still blocks, then quad 0 (V, TV, Mode, root, IR, IW) with one store.
 */
static int amdvi_set_dte(uint16_t devid, const uint64_t dte[AMDVI_DTE_QUADS])
{
	volatile uint64_t *e = amdvi_dte(devid);
	struct amdvi_cmd c[2] = { amdvi_cmd_inv_dte(devid),
				  amdvi_cmd_inv_pages_all((uint16_t)e[1]) };
	uint64_t blocked[AMDVI_DTE_QUADS];
	int ret = 0;

	amdvi_dte_blocked(blocked);
	if (AMDVI_DTE_MODE(e[0])) {
		e[0] = blocked[0];
		ret = amdvi_flush(c, 2);
	}
	for (int q = AMDVI_DTE_QUADS - 1; q >= 0; q--)
		e[q] = dte[q];
	return amdvi_flush(c, 1) ?: ret;
}

/* ---- units ---- */

static bool amdvi_covers(struct iommu_dev dev, uint16_t *rid)
{
	for (unsigned int i = 0; i < av.nunits; i++)
		if (av.unit[i].hw->segment == dev.seg &&
		    ivhd_covers(av.table, av.unit[i].hw, dev.bdf, rid))
			return true;
	return false;
}

static void amdvi_add_unit(const struct ivrs_ivhd *hw, unsigned int idx)
{
	struct amdvi_unit *u = &av.unit[av.nunits];

	if (av.nunits && hw->segment != av.unit[0].hw->segment) {
		pr_warn("iommu: amdvi unit=%u segment=%u ignored (one segment supported)", idx,
			hw->segment);
		return;
	}
	*u = (struct amdvi_unit){ .hw = hw, .mmio = hw->base };
#ifdef HOST_TEST
	u->mmio = amdvi_test_mmio(hw->base);
#endif
	u->efr = amdvi_rd(u, AMDVI_EFR);
	av.nunits++;
	pr_info("iommu: amdvi unit=%u base=0x%016llx devid=%02x:%02x.%u segment=%u "
		"ivhd=0x%x cap_off=0x%x efr=0x%016llx", idx, (unsigned long long)hw->base,
		hw->bus, hw->dev, hw->fn, hw->segment, hw->type, hw->cap_off,
		(unsigned long long)u->efr);
}

static unsigned int amdvi_discover(const struct acpi *a)
{
	const void *table;
	uint32_t len;
	int ret = acpi_find_table(a, "IVRS", 0, &table, &len, 0);

	av = (typeof(av)){ .table = NULL };
	if (ret == -HV_ENOENT)
		return 0;
	if (ret || (ret = ivrs_parse(table, len, &av.ivrs))) {
		pr_err("iommu: IVRS table rejected (error %d)", ret);
		return 0;
	}
	av.table = table;
	for (unsigned int i = 0; i < av.ivrs.nunits; i++)
		amdvi_add_unit(&av.ivrs.units[i], i);
	return av.nunits;
}

/* The device table with every entry blocked, one semaphore page, two pages per unit. */
static int amdvi_init(void)
{
	uint64_t blocked[AMDVI_DTE_QUADS];

	if (av.ready || !av.nunits)
		return av.ready ? 0 : -HV_ENOENT;
	av.pages = mem_alloc_zeroed_pages(1 + 2 * av.nunits, 1);
	av.devtab = mem_alloc_zeroed_pages(AMDVI_DEVTAB_PAGES, 1);
	if (!av.pages || !av.devtab) {
		if (av.pages && mem_free(av.pages, 1 + 2 * av.nunits))
			pr_err("iommu: amdvi could not free its pages");
		return -HV_ENOMEM;
	}
	amdvi_dte_blocked(blocked);
	for (uint32_t id = 0; id < AMDVI_DEVTAB_ENTRIES; id++)
		*amdvi_dte((uint16_t)id) = blocked[0];	/* the other quads are 0 */
	for (unsigned int i = 0; i < av.nunits; i++) {
		struct amdvi_unit *u = &av.unit[i];

		u->sem_pa = av.pages + 8 * i;
		u->cmdbuf = av.pages + AMDVI_PAGE * (1 + 2 * i);
		u->evtlog = u->cmdbuf + AMDVI_PAGE;
		pr_info("iommu: amdvi init unit=%u devtab=0x%llx entries=%u cmdbuf=0x%llx "
			"evtlog=0x%llx", i, (unsigned long long)av.devtab, AMDVI_DEVTAB_ENTRIES,
			(unsigned long long)u->cmdbuf, (unsigned long long)u->evtlog);
	}
	av.ready = true;
	return 0;
}

/* 3.4: bases, head and tail pointers first; then the rings; then translation. */
static void amdvi_start_unit(struct amdvi_unit *u)
{
	static const unsigned int ptrs[] = { AMDVI_CMD_HEAD, AMDVI_CMD_TAIL, AMDVI_EVT_HEAD,
					     AMDVI_EVT_TAIL };

	amdvi_wr(u, AMDVI_CONTROL, 0);	/* bases may change only while disabled */
	amdvi_wr(u, AMDVI_DEVTAB_BASE, av.devtab | AMDVI_DEVTAB_SIZE_MAX);
	amdvi_wr(u, AMDVI_CMDBUF_BASE, u->cmdbuf | AMDVI_LEN_4K << AMDVI_LEN_SHIFT);
	amdvi_wr(u, AMDVI_EVTLOG_BASE, u->evtlog | AMDVI_LEN_4K << AMDVI_LEN_SHIFT);
	amdvi_wr(u, AMDVI_EXCL_BASE, 0);
	for (unsigned int i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		amdvi_wr(u, ptrs[i], 0);
	u->cmd_tail = u->evt_head = 0;
	amdvi_wr(u, AMDVI_STATUS, AMDVI_ST_EVTOVERFLOW | AMDVI_ST_EVTLOGINT |
		 AMDVI_ST_COMWAITINT);
	u->ctrl = AMDVI_CTRL_COHERENT | AMDVI_CTRL_CMDBUFEN | AMDVI_CTRL_EVENTLOGEN;
	amdvi_wr(u, AMDVI_CONTROL, u->ctrl);
	u->ctrl |= AMDVI_CTRL_IOMMUEN;
	amdvi_wr(u, AMDVI_CONTROL, u->ctrl);
}

static int amdvi_enable(void)
{
	int ret = 0;

	if (!av.ready)
		return -HV_EINVAL;
	for (unsigned int i = 0; i < av.nunits; i++)
		amdvi_start_unit(&av.unit[i]);
	av.enabled = true;
	for (unsigned int i = 0; i < av.nunits; i++) {
		struct amdvi_unit *u = &av.unit[i];

		ret = amdvi_inv_everything(u) ?: ret;
		pr_info("iommu: amdvi enabled unit=%u control=0x%llx status=0x%llx", i,
			(unsigned long long)u->ctrl,
			(unsigned long long)amdvi_rd(u, AMDVI_STATUS));
	}
	return ret;
}

/* ---- domains ---- */

static uint64_t amdvi_alloc_table(void *ctx)
{
	(void)ctx;
	return mem_alloc_zeroed_page();
}

static uint64_t *amdvi_table_ptr(uint64_t pa, void *ctx)
{
	(void)ctx;
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem amdvi_mem = { .alloc_table = amdvi_alloc_table,
					 .table_ptr = amdvi_table_ptr };

static bool amdvi_domain_ok(const struct iommu_domain *d)
{
	return d && d->id >= 1 && d->id <= IOMMU_MAX_DOMAINS && av.dom[d->id] == d;
}

static int amdvi_domain_init(struct iommu_domain *d, unsigned int id)
{
	uint64_t root;

	if (!d || id < 1 || id > IOMMU_MAX_DOMAINS)
		return -HV_EINVAL;
	if (av.dom[id])
		return -HV_EEXIST;
	root = mem_alloc_zeroed_page();
	if (!root)
		return -HV_ENOMEM;
	*d = (struct iommu_domain){ .id = id, .root = root, .aw_bits = 48, .used = true };
	av.dom[id] = d;
	return 0;
}

static int amdvi_map(struct iommu_domain *d, uint64_t iova, uint64_t hpa, uint64_t size,
		     unsigned int perm)
{
	int ret;

	if (!amdvi_domain_ok(d) || !perm || (perm & ~(unsigned int)(PT_R | PT_W)))
		return -HV_EINVAL;
	ret = pt_map(&pt_format_amdvi, &amdvi_mem, d->root, iova, hpa, size, perm,
		     PT_MEM_WB);
	/* -HV_ENOMEM may have replaced leaves: flush whenever anything may have changed. */
	if (ret == -HV_EINVAL || ret == -HV_EEXIST)
		return ret;
	return amdvi_flush_domain(d->id) ?: ret;
}

static int amdvi_unmap(struct iommu_domain *d, uint64_t iova, uint64_t size)
{
	int ret;

	if (!amdvi_domain_ok(d))
		return -HV_EINVAL;
	ret = pt_unmap(&pt_format_amdvi, &amdvi_mem, d->root, iova, size);
	return ret ? ret : amdvi_flush_domain(d->id);
}

/* dev and the requester id its DMA arrives with (IVHD alias) get the same entry. */
static int amdvi_set_dev(struct iommu_dev dev, const uint64_t dte[AMDVI_DTE_QUADS])
{
	uint16_t rid;
	int ret;

	if (!av.ready)
		return -HV_EINVAL;
	if (!amdvi_covers(dev, &rid))
		return -HV_ENOENT;
	ret = amdvi_set_dte(dev.bdf, dte);
	if (rid != dev.bdf)
		ret = amdvi_set_dte(rid, dte) ?: ret;
	return ret;
}

static int amdvi_attach(struct iommu_domain *d, struct iommu_dev dev)
{
	uint64_t dte[AMDVI_DTE_QUADS];
	int ret;

	if (!amdvi_domain_ok(d))
		return -HV_EINVAL;
	amdvi_dte_translated(dte, d->root, (uint16_t)d->id);
	ret = amdvi_set_dev(dev, dte);
	if (!ret)
		pr_info("iommu: attach dev=%02x:%02x.%u domain=%u", dev.bdf >> 8,
			(dev.bdf >> 3) & 0x1f, dev.bdf & 7, d->id);
	return ret;
}

static int amdvi_detach(struct iommu_dev dev)
{
	uint64_t dte[AMDVI_DTE_QUADS];

	amdvi_dte_blocked(dte);
	return amdvi_set_dev(dev, dte);
}

/* ---- event log, 2.5 ---- */

static void amdvi_log_event(unsigned int unit, const uint64_t raw[2])
{
	struct amdvi_event ev = amdvi_event_decode(raw);

	pr_err("iommu: fault amdvi unit=%u dev=%02x:%02x.%u domain=%u addr=0x%llx type=%s "
	       "flags=0x%x", unit, ev.devid >> 8, (ev.devid >> 3) & 0x1f, ev.devid & 7,
	       ev.domid, (unsigned long long)ev.addr, amdvi_event_name(ev.code), ev.flags);
}

/* 3.4.13: after an overflow the log stops; it restarts from empty once re-enabled. */
static void amdvi_evtlog_restart(struct amdvi_unit *u)
{
	pr_warn("iommu: amdvi unit=%u event log overflow: events lost",
		(unsigned int)(u - av.unit));
	amdvi_wr(u, AMDVI_CONTROL, u->ctrl & ~AMDVI_CTRL_EVENTLOGEN);
	for (uint32_t i = 0; i < AMDVI_SPIN_MAX; i++)
		if (!(amdvi_rd(u, AMDVI_STATUS) & AMDVI_ST_EVTLOGRUN))
			break;
	amdvi_wr(u, AMDVI_EVT_HEAD, 0);
	amdvi_wr(u, AMDVI_EVT_TAIL, 0);
	u->evt_head = 0;
	amdvi_wr(u, AMDVI_STATUS, AMDVI_ST_EVTOVERFLOW);
	amdvi_wr(u, AMDVI_CONTROL, u->ctrl);
}

static unsigned int amdvi_unit_faults(struct amdvi_unit *u)
{
	uint32_t tail = (uint32_t)(amdvi_rd(u, AMDVI_EVT_TAIL) & AMDVI_PTR_MASK) %
			AMDVI_RING_BYTES;
	unsigned int n = 0;

	while (u->evt_head != tail) {
		volatile uint64_t *e = amdvi_va(u->evtlog + u->evt_head);
		uint64_t raw[2] = { e[0], e[1] };

		amdvi_log_event((unsigned int)(u - av.unit), raw);
		u->evt_head = (u->evt_head + AMDVI_ENTRY_BYTES) % AMDVI_RING_BYTES;
		n++;
	}
	if (n)
		amdvi_wr(u, AMDVI_EVT_HEAD, u->evt_head);
	if (amdvi_rd(u, AMDVI_STATUS) & AMDVI_ST_EVTOVERFLOW)
		amdvi_evtlog_restart(u);
	return n;
}

static unsigned int amdvi_faults(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; av.enabled && i < av.nunits; i++)
		n += amdvi_unit_faults(&av.unit[i]);
	return n;
}

/* ---- reserved ranges and audits ---- */

/* IVMD unity and exclusion ranges naming dev (5.2.3). */
static int amdvi_reserved(struct iommu_dev dev, int (*fn)(uint64_t base, uint64_t size,
							  void *ctx), void *ctx)
{
	for (unsigned int i = 0; i < av.ivrs.nivmd; i++) {
		const struct ivrs_ivmd *m = &av.ivrs.ivmd[i];
		int ret;

		if (dev.bdf < m->first || dev.bdf > m->last ||
		    !(m->flags & (IVMD_FLAG_UNITY | IVMD_FLAG_EXCL)))
			continue;
		ret = fn(m->start, m->len, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

static int amdvi_own_table(uint64_t table, int level,
			   int (*fn)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
	const volatile uint64_t *t = amdvi_va(table);
	int ret = fn(table, AMDVI_PAGE, ctx);

	for (unsigned int i = 0; !ret && level > 0 && i < 512; i++) {
		uint64_t e = t[i];

		if (pt_format_amdvi.present(e) && !pt_format_amdvi.is_leaf(e, level))
			ret = amdvi_own_table(e & AMDVI_ADDR_MASK, level - 1, fn, ctx);
	}
	return ret;
}

static int amdvi_walk(struct iommu_domain *d, pt_leaf_fn fn, void *ctx)
{
	return pt_walk(&pt_format_amdvi, &amdvi_mem, d->root, fn, ctx);
}

static int amdvi_own_pages(int (*fn)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
	int ret = 0;

	if (av.ready)
		ret = fn(av.devtab, AMDVI_DEVTAB_PAGES * AMDVI_PAGE, ctx) ?:
		      fn(av.pages, (1 + 2 * av.nunits) * AMDVI_PAGE, ctx);
	for (unsigned int id = 1; !ret && id <= IOMMU_MAX_DOMAINS; id++)
		if (av.dom[id])
			ret = amdvi_own_table(av.dom[id]->root, PT_LEVELS - 1, fn, ctx);
	return ret;
}

const struct iommu_ops iommu_amdvi_ops = {
	.name = "amdvi",
	.discover = amdvi_discover,
	.init = amdvi_init,
	.domain_init = amdvi_domain_init,
	.map = amdvi_map,
	.unmap = amdvi_unmap,
	.attach = amdvi_attach,
	.detach = amdvi_detach,
	.enable = amdvi_enable,
	.faults = amdvi_faults,
	.reserved = amdvi_reserved,
	.own_pages = amdvi_own_pages,
	.walk = amdvi_walk,
};
