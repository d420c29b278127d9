/* SPDX-License-Identifier: MIT */
/* Partitions' PCI devices: owners, IOMMU domains, filtered config space, BARs mapped in. */
#include "vmm/partition_dev.h"

#include "include/abi/hv_errno.h"
#include "include/abi/startinfo.h"
#include "iommu/iommu.h"
#include "iommu/witness.h"
#include "vmm/audit.h"
#include "vmm/dev_policy.h"
#include "vmm/exit.h"
#include "vmm/format.h"
#include "vmm/log.h"
#include "vmm/partition.h"
#include "vmm/pt.h"

#define PAGE		0x1000ull
#define MAX_IO_RANGES	16
#define MAX_MMIO_RANGES	24

/* One partition's devices; written at boot only, then read (cfg by its vCPUs). */
struct part_dev {
	struct pci_cfg cfg;
	struct iommu_domain dom;
	unsigned int ndevs;
	unsigned int nio;
	struct { uint16_t base, size; } io[MAX_IO_RANGES];
	bool listed;	/* its manifest names its devices (not the service's "all") */
	unsigned int nmmio;
	struct { uint64_t base, size; } mmio[MAX_MMIO_RANGES];	/* mapped BARs, for the audit */
};

static struct part_dev pdev[GUEST_MAX];

static uint32_t hw_read(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size)
{
	return pci_cfg_read(bdf, reg, size);
}

static void hw_write(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v)
{
	pci_cfg_write(bdf, reg, size, v);
}

static const struct pci_cfg_hw real_cfg = { hw_read, hw_write, 0 };

static void fmt_bdf(char *b, uint16_t bdf)
{
	hv_snprintf(b, 8, "%02x:%02x.%u", PCI_BUS(bdf), PCI_DEV(bdf), PCI_FN(bdf));
}

/* [a, a+as) and [b, b+bs) overlap. */
static bool overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

/* A memory BAR at its host address: it must not hide RAM or a channel window. */
static int map_bar(struct guest *g, struct part_dev *d, const struct pci_bar *b, const char *dev)
{
	uint64_t base = b->base & ~(PAGE - 1);
	uint64_t size = ((b->base + b->size + PAGE - 1) & ~(PAGE - 1)) - base;

	if (overlap(base, size, 0, g->mem.size) || guest_gpa_used(g, base, size)) {
		pr_err("partition: %s: %s BAR 0x%llx+0x%llx overlaps its RAM, a channel window "
		       "or another BAR",
		       g->name, dev, (unsigned long long)b->base, (unsigned long long)b->size);
		return -HV_ERANGE;
	}
	if (b->size < PAGE)
		pr_warn("partition: %s: %s BAR 0x%llx is smaller than a page: the whole page is "
			"mapped", g->name, dev, (unsigned long long)b->base);
	if (d->nmmio == MAX_MMIO_RANGES)
		return -HV_E2BIG;
	d->mmio[d->nmmio].base = base;
	d->mmio[d->nmmio++].size = size;
	return guest_map_mmio(g, base, base, size);
}

static int give_bars(struct guest *g, struct part_dev *d, const struct pci_func *f,
		     const char *dev)
{
	for (unsigned int i = 0; i < PCI_NBARS; i++) {
		const struct pci_bar *b = &f->bar[i];
		int ret = 0;

		if (!b->size)
			continue;
		if (b->kind == PCI_BAR_MEM32 || b->kind == PCI_BAR_MEM64)
			ret = map_bar(g, d, b, dev);
		else if (b->kind == PCI_BAR_KIND_IO && d->nio < MAX_IO_RANGES && b->size <= 0x100)
			d->io[d->nio++] = (typeof(d->io[0])){ (uint16_t)b->base, (uint16_t)b->size };
		else if (b->kind == PCI_BAR_KIND_IO)
			ret = -HV_E2BIG;
		if (ret)
			return ret;
		pr_info("partition: %s: %s bar%u %s 0x%llx+0x%llx", g->name, dev, i,
			b->kind == PCI_BAR_KIND_IO ? "io" : "mem", (unsigned long long)b->base,
			(unsigned long long)b->size);
	}
	return 0;
}

/*
 * A PCI IDE controller whose channels are in compatibility mode decodes the legacy ISA
 * ports, not BARs (PCI IDE Controller Specification 1.0, 2.1; programming interface
 * bit 0: primary native, bit 2: secondary native): its owner gets those too.
 */
#define PCI_CLASS_IDE		0x0101u
#define IDE_PRIMARY_NATIVE	(1u << 0)
#define IDE_SECONDARY_NATIVE	(1u << 2)

static int give_legacy_ide(struct part_dev *d, const struct pci_func *f)
{
	static const struct { uint16_t base, size; } legacy[2][2] = {
		{ { 0x1f0, 8 }, { 0x3f6, 1 } },	/* primary: command block, control */
		{ { 0x170, 8 }, { 0x376, 1 } },	/* secondary */
	};
	uint32_t progif = f->class_code & 0xff;

	if (f->class_code >> 8 != PCI_CLASS_IDE)
		return 0;
	for (unsigned int ch = 0; ch < 2; ch++) {
		if (progif & (ch ? IDE_SECONDARY_NATIVE : IDE_PRIMARY_NATIVE))
			continue;
		for (unsigned int k = 0; k < 2; k++) {
			if (d->nio == MAX_IO_RANGES)
				return -HV_E2BIG;
			d->io[d->nio++] = (typeof(d->io[0])){ legacy[ch][k].base, legacy[ch][k].size };
		}
	}
	return 0;
}

static int assign(const struct manifest *m, const struct pci_func *f)
{
	int owner = dev_policy_owner(m, f);
	struct guest *g;
	char dev[8];
	int ret;

	fmt_bdf(dev, f->bdf);
	if (owner == DEV_OWNER_NONE) {
		pr_info("pci: %s %04x:%04x owned by nobody: hidden, DMA blocked", dev, f->vendor,
			f->device);
		return 0;
	}
	g = partition_get((unsigned int)owner);
	ret = pci_cfg_assign(&pdev[owner].cfg, f);
	if (!ret)
		ret = give_bars(g, &pdev[owner], f, dev);
	if (!ret)
		ret = give_legacy_ide(&pdev[owner], f);
	if (ret) {
		pr_err("partition: %s: cannot take %s (error %d)", g->name, dev, ret);
		return ret;
	}
	pdev[owner].ndevs++;
	pr_info("pci: %s %04x:%04x owned by %s", dev, f->vendor, f->device, g->name);
	return 0;
}

/* ---- IOMMU domains ---- */

struct map_ctx {
	const struct iommu_ops *ops;
	struct iommu_domain *dom;
	const struct guest *g;
};

/* A reserved region (RMRR) mapped 1:1 for a device that needs it, if it fits. */
static int map_reserved(uint64_t base, uint64_t size, void *arg)
{
	struct map_ctx *c = arg;

	if (overlap(base, size, 0, c->g->mem.size))
		return -HV_ERANGE;
	return c->ops->map(c->dom, base, base, size, PT_R | PT_W);
}

static int domain_for(const struct iommu_ops *ops, const struct manifest *m,
		      const uint64_t *chan_hpa, unsigned int i)
{
	struct guest *g = partition_get(i);
	struct iommu_domain *dom = &pdev[i].dom;
	unsigned int windows = 0;
	int ret = ops->domain_init(dom, i + 1);

	if (!ret)
		ret = ops->map(dom, 0, g->mem_hpa, g->mem.size, PT_R | PT_W);
	for (unsigned int c = 0; !ret && c < m->nchan; c++) {
		if (m->chan[c].frontend != i && m->chan[c].backend != i)
			continue;
		ret = ops->map(dom, HV_CHANNEL_BASE_GPA + c * HV_CHANNEL_STRIDE, chan_hpa[c],
			       m->chan[c].ring + m->chan[c].data, PT_R | PT_W);
		windows++;
	}
	if (ret)
		return ret;
	pr_info("iommu: domain %u %s: ram 0x0+0x%llx -> 0x%llx, %u channel window(s), "
		"%u device(s)", dom->id, g->name, (unsigned long long)g->mem.size,
		(unsigned long long)g->mem_hpa, windows, pdev[i].ndevs);
	return 0;
}

static int attach_all(const struct iommu_ops *ops, const struct manifest *m)
{
	for (unsigned int k = 0; k < pci_count(); k++) {
		const struct pci_func *f = pci_func_at(k);
		int owner = dev_policy_owner(m, f);
		struct iommu_dev dev = { 0, f->bdf };
		struct map_ctx c;
		int ret;

		if (owner == DEV_OWNER_NONE)
			continue;	/* the driver left it blocked */
		c = (struct map_ctx){ ops, &pdev[owner].dom, partition_get((unsigned int)owner) };
		ret = ops->attach(c.dom, dev);
		if (!ret)
			ret = ops->reserved(dev, map_reserved, &c);
		if (ret) {
			pr_err("iommu: %02x:%02x.%u cannot join domain %u (error %d)",
			       PCI_BUS(f->bdf), PCI_DEV(f->bdf), PCI_FN(f->bdf), c.dom->id, ret);
			return ret;
		}
	}
	return 0;
}

static int domains(const struct manifest *m, const uint64_t *chan_hpa)
{
	const struct iommu_ops *ops = iommu_get();
	int ret = ops->init();

	for (unsigned int i = 0; !ret && i < m->npart; i++)
		ret = domain_for(ops, m, chan_hpa, i);
	if (!ret)
		ret = attach_all(ops, m);
	if (!ret)
		ret = ops->enable();
	if (ret)
		pr_err("iommu: %s: domains not set up (error %d)", ops->name, ret);
	else
		pr_info("iommu: %s translating: %u domain(s), unowned devices blocked", ops->name,
			m->npart);
	return ret;
}

/* No IOMMU: refused if a partition that owns devices requires one, else a warning. */
static int without_iommu(const struct manifest *m)
{
	for (unsigned int i = 0; i < m->npart; i++) {
		if (!pdev[i].ndevs)
			continue;
		if (m->part[i].iommu_required) {
			pr_err("hv: partition %s owns devices and requires an IOMMU; none found: "
			       "nothing started", m->part[i].name);
			return -HV_ENOTSUP;
		}
		pr_warn("iommu: none: DMA isolation unavailable: the devices of %s can reach "
			"all memory", m->part[i].name);
	}
	return 0;
}

int partition_devices_setup(const struct manifest *m, const uint64_t *chan_hpa)
{
	unsigned int n = pci_scan(), part;
	uint16_t bdf;
	char dev[8];
	int ret = dev_policy_check(m, pci_func_at(0), n, &part, &bdf);

	if (ret) {
		fmt_bdf(dev, bdf);
		pr_err("partition: %s: device %s %s", m->part[part].name, dev,
		       ret == -HV_ENOENT ? "is not on the PCI bus" :
		       "is a bridge or an IOMMU (the hypervisor's)");
		return ret;
	}
	for (unsigned int i = 0; i < m->npart; i++) {
		pci_cfg_init(&pdev[i].cfg, &real_cfg);
		pdev[i].listed = m->part[i].ndevices && !m->part[i].all_devices;
	}
	for (unsigned int k = 0; k < n; k++)
		if ((ret = assign(m, pci_func_at(k))))
			return ret;
	return iommu_get() ? domains(m, chan_hpa) : without_iommu(m);
}

void partition_devices_io_policy(struct vcpu *v)
{
	const struct part_dev *d = &pdev[v->guest->id];

	for (unsigned int r = 0; r < d->nio; r++)
		for (unsigned int p = 0; p < d->io[r].size; p++)
			vcpu_vendor->io_passthrough(v, (uint16_t)(d->io[r].base + p), true);
}

bool partition_devices_io(struct guest *g, uint16_t port, unsigned int size, bool in,
			  uint32_t *val)
{
	if (!g->managed || !pci_cfg_is_port(port))
		return false;
	if (in)
		*val = pci_cfg_in(&pdev[g->id].cfg, port, size);
	else
		pci_cfg_out(&pdev[g->id].cfg, port, size, *val);
	return true;
}

/* ---- the isolation audit: every mapping a partition has is one the manifest grants ---- */

extern char _image_start[], _image_end[];

static struct audit_map amap[GUEST_MAX];

/* What partition i may see: its RAM, its channels, and (nested only) its BARs. */
static int grants(const struct manifest *m, const uint64_t *chan_hpa, unsigned int i,
		  bool mmio, struct audit_map *a)
{
	const struct guest *g = partition_get(i);
	int ret = audit_grant(a, 0, g->mem_hpa, g->mem.size, AUDIT_RAM);

	for (unsigned int c = 0; !ret && c < m->nchan; c++)
		if (m->chan[c].frontend == i || m->chan[c].backend == i)
			ret = audit_grant(a, HV_CHANNEL_BASE_GPA + c * HV_CHANNEL_STRIDE,
					  chan_hpa[c], m->chan[c].ring + m->chan[c].data,
					  AUDIT_CHANNEL);
	for (unsigned int k = 0; !ret && mmio && k < pdev[i].nmmio; k++)
		ret = audit_grant(a, pdev[i].mmio[k].base, pdev[i].mmio[k].base,
				  pdev[i].mmio[k].size, AUDIT_MMIO);
	return ret;
}

/* Host memory no partition may reach: found in a grant of any partition, counted. */
static unsigned int forbidden_in_grants(uint64_t base, uint64_t size, unsigned int npart,
					unsigned int except)
{
	unsigned int hits = 0;

	for (unsigned int i = 0; i < npart; i++)
		hits += i != except && audit_hits(&amap[i], base, size, ~0u);
	return hits;
}

static int count_iommu_page(uint64_t pa, uint64_t size, void *ctx)
{
	*(unsigned int *)ctx += forbidden_in_grants(pa, size, GUEST_MAX, GUEST_MAX);
	return 0;
}

/* The hypervisor image, the IOMMU's tables and another partition's RAM: in no grant. */
static unsigned int forbidden_hits(const struct manifest *m)
{
	uint64_t img = (uintptr_t)_image_start, img_size = (uintptr_t)_image_end - img;
	unsigned int hits = forbidden_in_grants(img, img_size, m->npart, GUEST_MAX);
	const struct iommu_ops *ops = iommu_get();

	for (unsigned int i = 0; i < m->npart; i++) {
		const struct guest *g = partition_get(i);

		hits += forbidden_in_grants(g->mem_hpa, g->mem.size, m->npart, i);
	}
	if (ops)
		(void)ops->own_pages(count_iommu_page, &hits);
	return hits;
}

/* One table (nested or IOMMU) of partition i against its grants; its bad leaves. */
static uint64_t audit_table(const char *what, unsigned int i, struct audit_map *a, int walked)
{
	const struct guest *g = partition_get(i);

	if (walked)
		a->bad++;	/* a walk that failed proves nothing */
	pr_info("audit: %s %s leaves=%llu outside its grants=%llu", g->name, what,
		(unsigned long long)a->leaves, (unsigned long long)a->bad);
	if (a->bad)
		pr_err("audit: %s %s maps gpa 0x%llx to hpa 0x%llx: not granted", g->name, what,
		       (unsigned long long)a->first_bad_gpa, (unsigned long long)a->first_bad_hpa);
	return a->bad;
}

/* The audit's own test (option audit_inject): a hypervisor page the audit must find. */
#define INJECT_GPA	0xbff00000ull

static void inject(void)
{
	struct guest *g = partition_get(0);
	uint64_t page = (uintptr_t)_image_start;

	if (!guest_map_window(g, INJECT_GPA, page, PAGE))
		pr_warn("audit: test: hypervisor page 0x%llx mapped into %s at gpa 0x%llx",
			(unsigned long long)page, g->name, INJECT_GPA);
}

int partition_audit(const struct manifest *m, const uint64_t *chan_hpa, bool test)
{
	const struct iommu_ops *ops = iommu_get();
	uint64_t bad = 0;
	unsigned int hits;

	if (test)
		inject();

	for (unsigned int i = 0; i < m->npart; i++) {
		struct audit_map dom = { 0 };

		amap[i] = (struct audit_map){ 0 };
		if (grants(m, chan_hpa, i, true, &amap[i]) || grants(m, chan_hpa, i, false, &dom))
			return -HV_E2BIG;
		bad += audit_table("nested", i, &amap[i],
				   guest_walk(partition_get(i), audit_leaf, &amap[i]));
		if (ops)
			bad += audit_table("iommu", i, &dom, ops->walk(&pdev[i].dom, audit_leaf, &dom));
	}
	hits = forbidden_hits(m);
	if (bad || hits) {
		pr_err("audit: isolation policy violated: %llu mappings outside the grants, %u "
		       "forbidden ranges granted: nothing started", (unsigned long long)bad, hits);
		return -HV_EFAULT;
	}
	pr_info("audit: isolation holds: %u partitions, every nested%s mapping granted by the "
		"manifest; hypervisor image, IOMMU tables and other partitions' RAM in none",
		m->npart, ops ? " and IOMMU" : "");
	return 0;
}

/* edu's 28-bit DMA mask: nothing a test device can reach lies above. */
#define WITNESS_LIMIT	(256ull << 20)

void partition_devices_witness(const struct boot_info *bi)
{
	struct dma_witness_range r[GUEST_MAX];
	unsigned int n = partition_count();
	char hex[40];

	if (!boot_cmdline_get(bi, "dma_witness", hex, sizeof(hex)))
		return;
	for (unsigned int i = 0; i < n; i++) {
		const struct guest *g = partition_get(i);

		r[i] = (struct dma_witness_range){ g->mem_hpa, g->mem.size, g->name,
						   pdev[i].listed };
	}
	if (dma_witness_scan(hex, WITNESS_LIMIT, r, n) < 0)
		pr_err("dma-witness: dma_witness= wants 32 hex digits, not '%s'", hex);
}

struct pci_cfg *partition_dev_cfg(unsigned int part)
{
	return part < GUEST_MAX ? &pdev[part].cfg : 0;
}
