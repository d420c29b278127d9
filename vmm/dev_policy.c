/* SPDX-License-Identifier: MIT */
/* Which partition owns each PCI function: named by a partition, else the service's, else nobody's. */
#include "vmm/dev_policy.h"

#include "include/abi/hv_errno.h"

static int named_by(const struct manifest *m, uint16_t bdf)
{
	for (unsigned int i = 0; i < m->npart; i++)
		for (unsigned int d = 0; d < m->part[i].ndevices; d++)
			if (m->part[i].devices[d] == bdf)
				return (int)i;
	return DEV_OWNER_NONE;
}

int dev_policy_owner(const struct manifest *m, const struct pci_func *f)
{
	int owner = named_by(m, f->bdf);

	if (owner != DEV_OWNER_NONE)
		return owner;
	if (m->service < 0 || !m->part[m->service].all_devices)
		return DEV_OWNER_NONE;
	if (f->header != PCI_HEADER_NORMAL || (f->class_code >> 16) == PCI_CLASS_BRIDGE ||
	    (f->class_code >> 8) == PCI_CLASS_IOMMU)
		return DEV_OWNER_NONE;
	return m->service;
}

static const struct pci_func *find(const struct pci_func *funcs, unsigned int n, uint16_t bdf)
{
	for (unsigned int i = 0; i < n; i++)
		if (funcs[i].bdf == bdf)
			return &funcs[i];
	return 0;
}

int dev_policy_check(const struct manifest *m, const struct pci_func *funcs, unsigned int n,
		     unsigned int *part, uint16_t *bdf)
{
	for (unsigned int i = 0; i < m->npart; i++) {
		for (unsigned int d = 0; d < m->part[i].ndevices; d++) {
			const struct pci_func *f = find(funcs, n, m->part[i].devices[d]);

			*part = i;
			*bdf = m->part[i].devices[d];
			if (!f)
				return -HV_ENOENT;
			if (f->header != PCI_HEADER_NORMAL || (f->class_code >> 16) == PCI_CLASS_BRIDGE ||
			    (f->class_code >> 8) == PCI_CLASS_IOMMU)
				return -HV_EINVAL;
		}
	}
	return 0;
}
