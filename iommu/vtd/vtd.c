/* SPDX-License-Identifier: MIT */
/* The VT-d driver: root, context and second-level tables, invalidation, fault records. */
#include "iommu/iommu.h"
#include "iommu/vtd/vtd.h"

#include "arch/x86/pci.h"
#include "include/abi/hv_errno.h"
#include "iommu/vtd/dmar.h"
#include "iommu/vtd/vtd_regs.h"
#include "vmm/log.h"
#include "vmm/mem.h"

#define VTD_PAGE	0x1000ull
#define VTD_ENTRIES	512u
#define VTD_LINE	64u		/* clflush granularity */
#define VTD_SPIN	1000000u	/* status polls before a unit is declared stuck */
#define VTD_AW_3LEVEL	39u
#define VTD_AW_4LEVEL	48u
#define VTD_DID_MAX	(1u << 16)

#define BDF_ARGS(bdf)	(bdf) >> 8, ((bdf) >> 3) & 0x1f, (bdf) & 7

struct vtd_unit {
	uint64_t base, cap, ecap;
	uint64_t root;		/* root table (sec. 9.1), 0 before init() */
	unsigned int levels;	/* 3 or 4: what the context entries say (AW) */
	bool enabled;
};

static struct {
	struct dmar_info dmar;
	struct vtd_unit unit[DMAR_MAX_DRHD];
	unsigned int n;
	unsigned int aw_bits;	/* iova width every unit walks */
	unsigned int ndid;	/* domain ids every unit has */
	bool flush;		/* some unit's walks do not snoop: clflush what is written */
	struct pt_format fmt;	/* vtd_format_sl less the page sizes a unit lacks */
	struct iommu_domain *dom[IOMMU_MAX_DOMAINS + 1];
} vtd;

/* Table pages lie below 4 GiB, identity-mapped (vmm/mem.h). */
static uint64_t *vtd_ptr(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

static void vtd_flush(const void *p, uint64_t len)
{
	for (uint64_t off = 0; vtd.flush && off < len; off += VTD_LINE)
		vtd_clflush((const uint8_t *)p + off);
}

static uint64_t vtd_alloc(void *ctx)
{
	uint64_t pa = mem_alloc_zeroed_page();

	if (pa)
		vtd_flush(vtd_ptr(pa), VTD_PAGE);
	return pa;
}

static uint64_t *vtd_table_ptr(uint64_t pa, void *ctx)
{
	return vtd_ptr(pa);
}

static const struct pt_mem vtd_mem = { vtd_alloc, vtd_table_ptr, 0 };

/* A 128-bit entry changes so that hardware never uses half of it: P goes last on, first off. */
static void vtd_write_entry(uint64_t *slot, struct vtd_entry e)
{
	volatile uint64_t *v = slot;
	int first = (e.lo & VTD_ENTRY_P) ? 1 : 0;

	v[first] = first ? e.hi : e.lo;
	vtd_flush(slot, 16);
	v[!first] = first ? e.lo : e.hi;
	vtd_flush(slot, 16);
}

/* ---- registers ---- */

static int vtd_wait(const struct vtd_unit *u, uint64_t reg, uint32_t mask, uint32_t want)
{
	for (unsigned int i = 0; i < VTD_SPIN; i++) {
		if ((vtd_read32(u->base + reg) & mask) == want)
			return 0;
		cpu_relax();
	}
	pr_err("iommu: vtd at 0x%llx stuck: register 0x%llx & 0x%x never 0x%x",
	       (unsigned long long)u->base, (unsigned long long)reg, mask, want);
	return -HV_EIO;
}

/* GCMD is write-only: the current state comes from GSTS, one-shot bits dropped (11.4.4). */
static int vtd_gcmd(const struct vtd_unit *u, uint32_t cmd, uint32_t want)
{
	uint32_t sts = vtd_read32(u->base + VTD_GSTS) & ~VTD_GSTS_ONESHOT;

	vtd_write32(u->base + VTD_GCMD, sts | cmd);
	return vtd_wait(u, VTD_GSTS, cmd, want);
}

/* Register-based context-cache invalidation (6.5.1.1, 11.4.7.1). */
static int vtd_inv_context(const struct vtd_unit *u, enum vtd_inv g, uint16_t sid,
			   unsigned int did)
{
	vtd_write64(u->base + VTD_CCMD, VTD_CCMD_ICC | VTD_CCMD_CIRG(g) | VTD_CCMD_SID(sid) |
						VTD_CCMD_DID(did));
	return vtd_wait(u, VTD_CCMD + 4, VTD_HI32(VTD_CCMD_ICC), 0);
}

/* Register-based IOTLB invalidation, global or domain-selective (6.5.1.2, 11.4.8.1). */
static int vtd_inv_iotlb(const struct vtd_unit *u, enum vtd_inv g, unsigned int did)
{
	uint64_t reg = VTD_ECAP_IRO(u->ecap) * 16ull + VTD_IOTLB;

	vtd_write64(u->base + reg, VTD_IOTLB_IVT | VTD_IOTLB_IIRG(g) | VTD_IOTLB_DID(did));
	return vtd_wait(u, reg + 4, VTD_HI32(VTD_IOTLB_IVT), 0);
}

/* Write buffers hold table updates until flushed where CAP.RWBF says so (6.8). */
static int vtd_wbf(const struct vtd_unit *u)
{
	return (u->cap & VTD_CAP_RWBF) ? vtd_gcmd(u, VTD_GCMD_WBF, 0) : 0;
}

/* After a context entry changed: the context cache, then the IOTLB (6.5.3.3). */
static int vtd_sync_context(const struct vtd_unit *u, enum vtd_inv g, uint16_t sid,
			    unsigned int ctx_did, unsigned int tlb_did)
{
	int ret;

	if (!u->enabled)
		return 0;	/* enable() invalidates everything */
	ret = vtd_wbf(u);
	if (!ret)
		ret = vtd_inv_context(u, g, sid, ctx_did);
	return ret ? ret : vtd_inv_iotlb(u, VTD_INV_DOMAIN, tlb_did);
}

/* After second-level entries changed; always, so CM's cached not-present entries go too. */
static int vtd_sync_domain(const struct vtd_unit *u, unsigned int did)
{
	int ret;

	if (!u->enabled)
		return 0;
	ret = vtd_wbf(u);
	return ret ? ret : vtd_inv_iotlb(u, VTD_INV_DOMAIN, did);
}

/* ---- discovery ---- */

static void vtd_note_unit(const struct vtd_unit *u)
{
	unsigned int sllps = VTD_CAP_SLLPS(u->cap), aw = VTD_CAP_MGAW(u->cap) + 1;
	unsigned int ndid = 1u << (4 + 2 * VTD_CAP_ND(u->cap));

	if (u->levels == 3 && vtd.aw_bits > VTD_AW_3LEVEL)
		vtd.aw_bits = VTD_AW_3LEVEL;
	if (aw < vtd.aw_bits)
		vtd.aw_bits = aw;
	if (ndid < vtd.ndid)
		vtd.ndid = ndid;
	if (!(sllps & VTD_SLLPS_2M))
		vtd.fmt.large_levels &= ~PT_LARGE(1);
	if (!(sllps & VTD_SLLPS_1G))
		vtd.fmt.large_levels &= ~PT_LARGE(2);
	if (!(u->ecap & VTD_ECAP_C))
		vtd.flush = true;
}

static int vtd_probe(unsigned int i)
{
	const struct dmar_drhd *h = &vtd.dmar.drhd[i];
	struct vtd_unit *u = &vtd.unit[i];
	uint32_t ver = vtd_read32(h->reg_base + VTD_VER);

	*u = (struct vtd_unit){ .base = h->reg_base, .cap = vtd_read64(h->reg_base + VTD_CAP),
				.ecap = vtd_read64(h->reg_base + VTD_ECAP) };
	u->levels = vtd_levels(u->cap);
	pr_info("iommu: vtd unit=%u base=0x%016llx segment=%u include_pci_all=%d haw=%u "
		"ver=%u.%u cap=0x%016llx ecap=0x%016llx sagaw=0x%x levels=%u cm=%d rwbf=%d "
		"coherent=%d nfr=%u", i, (unsigned long long)u->base, h->segment,
		!!(h->flags & DMAR_DRHD_INCLUDE_PCI_ALL), vtd.dmar.haw, (ver >> 4) & 0xf,
		ver & 0xf, (unsigned long long)u->cap, (unsigned long long)u->ecap,
		VTD_CAP_SAGAW(u->cap), u->levels, !!(u->cap & VTD_CAP_CM),
		!!(u->cap & VTD_CAP_RWBF), !!(u->ecap & VTD_ECAP_C), VTD_CAP_NFR(u->cap) + 1);
	if (!u->levels) {
		pr_err("iommu: vtd unit=%u walks neither 3 nor 4 levels (sagaw=0x%x)", i,
		       VTD_CAP_SAGAW(u->cap));
		return -HV_ENOTSUP;
	}
	vtd_note_unit(u);
	return 0;
}

static unsigned int vtd_discover(const struct acpi *a)
{
	const void *table;
	uint32_t len;
	int ret = acpi_find_table(a, "DMAR", 0, &table, &len, 0);

	if (ret == -HV_ENOENT)
		return 0;
	if (ret || (ret = dmar_parse(table, len, &vtd.dmar))) {
		pr_err("iommu: DMAR table rejected (error %d)", ret);
		return 0;
	}
	vtd.aw_bits = VTD_AW_4LEVEL;
	vtd.ndid = VTD_DID_MAX;
	vtd.fmt = vtd_format_sl;
	for (unsigned int i = 0; i < vtd.dmar.ndrhd; i++)
		if (vtd_probe(i))
			return 0;
	vtd.n = vtd.dmar.ndrhd;
	return vtd.n;
}

static int vtd_init(void)
{
	for (unsigned int i = 0; i < vtd.n; i++) {
		struct vtd_unit *u = &vtd.unit[i];

		if (!u->root && !(u->root = vtd_alloc(0)))
			return -HV_ENOMEM;
		pr_info("iommu: vtd init unit=%u root=0x%llx levels=%u aw_bits=%u flush=%d", i,
			(unsigned long long)u->root, u->levels, vtd.aw_bits, vtd.flush);
	}
	return vtd.n ? 0 : -HV_ENOENT;
}

/* ---- domains: second-level tables, shared by every unit ---- */

static bool vtd_domain_ok(const struct iommu_domain *d)
{
	return d && d->id && d->id <= IOMMU_MAX_DOMAINS && vtd.dom[d->id] == d;
}

/* A 3-level unit walks from root[0]'s table, made now so that it never moves. */
static int vtd_domain_init(struct iommu_domain *d, unsigned int id)
{
	uint64_t root, low = 0;

	if (!vtd.n || !id || id > IOMMU_MAX_DOMAINS || id >= vtd.ndid)
		return -HV_EINVAL;
	if (vtd.dom[id])
		return -HV_EEXIST;
	root = vtd_alloc(0);
	if (!root)
		return -HV_ENOMEM;
	if (vtd.aw_bits <= VTD_AW_3LEVEL) {
		low = vtd_alloc(0);
		if (!low) {
			(void)mem_free(root, 1);
			return -HV_ENOMEM;
		}
		vtd_ptr(root)[0] = vtd.fmt.table_entry(low, PT_LEVELS - 1);
		vtd_flush(vtd_ptr(root), 8);
	}
	*d = (struct iommu_domain){ .id = id, .root = root, .aw_bits = vtd.aw_bits,
				    .used = true };
	vtd.dom[id] = d;
	return 0;
}

/* Writes back the entries of the walk to [va, last] for units that do not snoop. */
static void vtd_flush_walk(uint64_t table, int level, uint64_t va, uint64_t last)
{
	uint64_t *t = vtd_ptr(table);

	for (;;) {
		uint64_t end = va | (PT_LEVEL_SIZE(level) - 1), stop = end < last ? end : last;
		uint64_t *slot = &t[(va >> (12 + 9 * level)) & (VTD_ENTRIES - 1)], e = *slot;

		vtd_clflush(slot);
		if (vtd.fmt.present(e) && !vtd.fmt.is_leaf(e, level))
			vtd_flush_walk(e & vtd.fmt.addr_mask, level - 1, va, stop);
		if (stop == last)
			return;
		va = stop + 1;
	}
}

/* After pt_map/pt_unmap returned ret: hardware sees the tables as they now are. */
static int vtd_changed(const struct iommu_domain *d, uint64_t iova, uint64_t size, int ret)
{
	if (ret == -HV_EINVAL || ret == -HV_EEXIST || !size)
		return ret;	/* nothing was written */
	if (vtd.flush)
		vtd_flush_walk(d->root, PT_LEVELS - 1, iova, iova + size - 1);
	for (unsigned int i = 0; i < vtd.n; i++) {
		int r = vtd_sync_domain(&vtd.unit[i], d->id);

		ret = ret ? ret : r;
	}
	return ret;
}

static bool vtd_range_ok(const struct iommu_domain *d, uint64_t iova, uint64_t size)
{
	return vtd_domain_ok(d) && iova + size >= iova && iova + size <= (1ull << d->aw_bits);
}

static int vtd_map(struct iommu_domain *d, uint64_t iova, uint64_t hpa, uint64_t size,
		   unsigned int perm)
{
	if (!vtd_range_ok(d, iova, size) || (perm & ~(unsigned int)(PT_R | PT_W)))
		return -HV_EINVAL;
	return vtd_changed(d, iova, size, pt_map(&vtd.fmt, &vtd_mem, d->root, iova, hpa, size,
						 perm, PT_MEM_WB));
}

static int vtd_unmap(struct iommu_domain *d, uint64_t iova, uint64_t size)
{
	if (!vtd_range_ok(d, iova, size))
		return -HV_EINVAL;
	return vtd_changed(d, iova, size, pt_unmap(&vtd.fmt, &vtd_mem, d->root, iova, size));
}

/* ---- devices: context entries ---- */

/* Bus numbers behind a bridge of a scope path; mechanism #1 reaches segment 0 only. */
static int vtd_bridge(uint16_t seg, uint16_t bdf, uint8_t *sec, uint8_t *sub, void *ctx)
{
	if (seg || (pci_cfg_read(bdf, PCI_HEADER_TYPE, 1) & PCI_HEADER_LAYOUT) !=
			   PCI_HEADER_BRIDGE)
		return -HV_ENOENT;
	*sec = (uint8_t)pci_cfg_read(bdf, PCI_BRIDGE_SECONDARY, 1);
	*sub = (uint8_t)pci_cfg_read(bdf, PCI_BRIDGE_SUBORDINATE, 1);
	return 0;
}

static const struct dmar_bus vtd_bus = { vtd_bridge, 0 };

static struct vtd_unit *vtd_unit_of(struct iommu_dev dev)
{
	int i = dmar_unit_for(&vtd.dmar, dev.seg, dev.bdf, &vtd_bus);

	return i < 0 || (unsigned int)i >= vtd.n || !vtd.unit[i].root ? 0 : &vtd.unit[i];
}

/* The context table of bus, made and linked from the root table if there is none. */
static int vtd_context_table(struct vtd_unit *u, uint8_t bus, uint64_t **ctx, bool *fresh)
{
	uint64_t *slot = vtd_ptr(u->root) + 2 * bus, table;

	*fresh = !(slot[0] & VTD_ENTRY_P);
	if (*fresh) {
		table = vtd_alloc(0);
		if (!table)
			return -HV_ENOMEM;
		vtd_write_entry(slot, vtd_root_entry(table));
	}
	*ctx = vtd_ptr(slot[0] & VTD_ENTRY_ADDR);
	return 0;
}

static int vtd_clear_context(const struct vtd_unit *u, uint64_t *ctx, uint16_t bdf)
{
	uint64_t *slot = ctx + 2 * (bdf & 0xff);
	unsigned int did = VTD_CTX_DID(slot[1]);

	if (!(slot[0] & VTD_ENTRY_P))
		return 0;
	vtd_write_entry(slot, (struct vtd_entry){ 0, 0 });
	pr_info("iommu: detach dev=%02x:%02x.%x domain=%u", BDF_ARGS(bdf), did);
	return vtd_sync_context(u, VTD_INV_DEVICE, bdf, did, did);
}

static int vtd_attach(struct iommu_domain *d, struct iommu_dev dev)
{
	struct vtd_unit *u = vtd_unit_of(dev);
	uint64_t *ctx, sl;
	bool fresh;
	int ret;

	if (!vtd_domain_ok(d))
		return -HV_EINVAL;
	if (!u)
		return -HV_ENOENT;
	ret = vtd_context_table(u, (uint8_t)(dev.bdf >> 8), &ctx, &fresh);
	if (!ret)
		ret = vtd_clear_context(u, ctx, dev.bdf);
	if (ret)
		return ret;
	sl = u->levels == 4 ? d->root : vtd_ptr(d->root)[0] & VTD_ENTRY_ADDR;
	vtd_write_entry(ctx + 2 * (dev.bdf & 0xff), vtd_context_entry(sl, d->id, u->levels));
	pr_info("iommu: attach dev=%02x:%02x.%x domain=%u", BDF_ARGS(dev.bdf), d->id);
	/* Not-present entries are cached with domain id 0 under CM (6.2.2). */
	return vtd_sync_context(u, fresh ? VTD_INV_GLOBAL : VTD_INV_DEVICE, dev.bdf, 0, d->id);
}

static int vtd_detach(struct iommu_dev dev)
{
	struct vtd_unit *u = vtd_unit_of(dev);
	uint64_t root;

	if (!u)
		return -HV_ENOENT;
	root = vtd_ptr(u->root)[2 * (dev.bdf >> 8)];
	if (!(root & VTD_ENTRY_P))
		return 0;
	return vtd_clear_context(u, vtd_ptr(root & VTD_ENTRY_ADDR), dev.bdf);
}

/* ---- turning translation on, faults ---- */

static int vtd_enable_unit(unsigned int i)
{
	struct vtd_unit *u = &vtd.unit[i];
	int ret;

	if (!u->root)
		return -HV_EINVAL;
	vtd_write32(u->base + VTD_FECTL, VTD_FECTL_IM);
	vtd_write64(u->base + VTD_RTADDR, u->root);	/* TTM = 00: legacy mode */
	ret = vtd_wbf(u);
	ret = ret ? ret : vtd_gcmd(u, VTD_GCMD_SRTP, VTD_GCMD_SRTP);
	ret = ret ? ret : vtd_inv_context(u, VTD_INV_GLOBAL, 0, 0);
	ret = ret ? ret : vtd_inv_iotlb(u, VTD_INV_GLOBAL, 0);
	ret = ret ? ret : vtd_gcmd(u, VTD_GCMD_TE, VTD_GCMD_TE);
	if (ret)
		return ret;
	u->enabled = true;
	pr_info("iommu: vtd enabled unit=%u gsts=0x%08x fsts=0x%08x", i,
		vtd_read32(u->base + VTD_GSTS), vtd_read32(u->base + VTD_FSTS));
	return 0;
}

static int vtd_enable(void)
{
	for (unsigned int i = 0; i < vtd.n; i++) {
		int ret = vtd_enable_unit(i);

		if (ret)
			return ret;
	}
	return vtd.n ? 0 : -HV_ENOENT;
}

static unsigned int vtd_unit_faults(unsigned int i)
{
	const struct vtd_unit *u = &vtd.unit[i];
	uint64_t rec = u->base + VTD_CAP_FRO(u->cap) * 16ull;
	uint32_t fsts = vtd_read32(u->base + VTD_FSTS);
	unsigned int n = 0;
	struct vtd_fault f;

	for (unsigned int r = 0; r <= VTD_CAP_NFR(u->cap); r++, rec += VTD_FRCD_SIZE) {
		if (!vtd_fault_decode(vtd_read64(rec), vtd_read64(rec + 8), &f))
			continue;
		pr_warn("iommu: fault vtd unit=%u source=%02x:%02x.%x addr=0x%llx reason=0x%02x "
			"type=%s", i, BDF_ARGS(f.sid), (unsigned long long)f.addr, f.reason,
			f.read ? "read" : "write");
		vtd_write32(rec + VTD_FRCD_F_DWORD, VTD_FRCD_F32);
		n++;
	}
	if (fsts & VTD_FSTS_PFO)
		pr_warn("iommu: fault-overflow vtd unit=%u (faults were lost)", i);
	vtd_write32(u->base + VTD_FSTS, fsts & (VTD_FSTS_PFO | VTD_FSTS_PPF));
	return n;
}

static unsigned int vtd_faults(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < vtd.n; i++)
		n += vtd_unit_faults(i);
	return n;
}

static int vtd_reserved(struct iommu_dev dev, int (*fn)(uint64_t base, uint64_t size,
							void *ctx), void *ctx)
{
	for (unsigned int i = 0; i < vtd.dmar.nrmrr; i++) {
		const struct dmar_rmrr *r = &vtd.dmar.rmrr[i];
		int ret = dmar_rmrr_names(&vtd.dmar, r, dev.seg, dev.bdf, &vtd_bus) ?
				  fn(r->base, r->limit - r->base + 1, ctx) : 0;

		if (ret)
			return ret;
	}
	return 0;
}

static int vtd_own_tables(uint64_t table, int level,
			  int (*fn)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
	const uint64_t *t = vtd_ptr(table);
	int ret = fn(table, VTD_PAGE, ctx);

	for (unsigned int i = 0; !ret && level > 0 && i < VTD_ENTRIES; i++)
		if (vtd.fmt.present(t[i]) && !vtd.fmt.is_leaf(t[i], level))
			ret = vtd_own_tables(t[i] & vtd.fmt.addr_mask, level - 1, fn, ctx);
	return ret;
}

static int vtd_walk(struct iommu_domain *d, pt_leaf_fn fn, void *ctx)
{
	return pt_walk(&vtd.fmt, &vtd_mem, d->root, fn, ctx);
}

/* Root tables with the context tables they link, then each domain's tables. */
static int vtd_own_pages(int (*fn)(uint64_t pa, uint64_t size, void *ctx), void *ctx)
{
	int ret = 0;

	for (unsigned int i = 0; !ret && i < vtd.n; i++) {
		const uint64_t *root = vtd_ptr(vtd.unit[i].root);

		ret = root ? fn(vtd.unit[i].root, VTD_PAGE, ctx) : 0;
		for (unsigned int bus = 0; !ret && root && bus < 256; bus++)
			if (root[2 * bus] & VTD_ENTRY_P)
				ret = fn(root[2 * bus] & VTD_ENTRY_ADDR, VTD_PAGE, ctx);
	}
	for (unsigned int id = 1; !ret && id <= IOMMU_MAX_DOMAINS; id++)
		if (vtd.dom[id])
			ret = vtd_own_tables(vtd.dom[id]->root, PT_LEVELS - 1, fn, ctx);
	return ret;
}

const struct iommu_ops iommu_vtd_ops = {
	.name = "vtd",
	.discover = vtd_discover,
	.init = vtd_init,
	.domain_init = vtd_domain_init,
	.map = vtd_map,
	.unmap = vtd_unmap,
	.attach = vtd_attach,
	.detach = vtd_detach,
	.enable = vtd_enable,
	.faults = vtd_faults,
	.reserved = vtd_reserved,
	.own_pages = vtd_own_pages,
	.walk = vtd_walk,
};
