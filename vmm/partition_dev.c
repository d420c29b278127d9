/* SPDX-License-Identifier: MIT */
/* Partitions' PCI devices: owners, IOMMU domains, filtered config space, BARs mapped in. */
#include "vmm/partition_dev.h"

#include "include/abi/hv_errno.h"
#include "include/abi/startinfo.h"
#include "iommu/iommu.h"
#include "vmm/dev_policy.h"
#include "vmm/exit.h"
#include "vmm/format.h"
#include "vmm/log.h"
#include "vmm/partition.h"
#include "vmm/pt.h"

#define PAGE		0x1000ull
#define MAX_IO_RANGES	8

/* One partition's devices; written at boot only, then read (cfg by its vCPUs). */
struct part_dev {
	struct pci_cfg cfg;
	struct iommu_domain dom;
	unsigned int ndevs;
	unsigned int nio;
	struct { uint16_t base, size; } io[MAX_IO_RANGES];
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
static int map_bar(struct guest *g, const struct pci_bar *b, const char *dev)
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
			ret = map_bar(g, b, dev);
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
		       ret == -HV_ENOENT ? "is not on the PCI bus" : "is a bridge (not assignable)");
		return ret;
	}
	for (unsigned int i = 0; i < m->npart; i++)
		pci_cfg_init(&pdev[i].cfg, &real_cfg);
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
