/* SPDX-License-Identifier: MIT */
/* Which partition owns each PCI function: the manifest's policy, pure (unit-tested). */
#ifndef VMM_DEV_POLICY_H
#define VMM_DEV_POLICY_H

#include "arch/x86/pci.h"
#include "vmm/manifest.h"

/* PCI Code and ID Assignment 1.x: base class 06h (bridges: host, ISA, PCI-to-PCI and
 * others; their registers steer the chipset), and base 08h subclass 06h (the IOMMU). */
#define PCI_CLASS_BRIDGE	0x06u
#define PCI_CLASS_IOMMU		0x0806u

#define DEV_OWNER_NONE		(-1)

/*
 * The partition (manifest index) that owns f: the one whose devices list names it;
 * else the service partition when it takes every remaining device (no devices key),
 * unless f is a bridge of any kind (type 1 header or class 06h: the host bridge's
 * registers steer the chipset) or an IOMMU (those stay with the hypervisor); else
 * DEV_OWNER_NONE: nobody, its DMA blocked.
 */
int dev_policy_owner(const struct manifest *m, const struct pci_func *f);

/*
 * The first device a manifest names that the scan did not find (funcs[0..n)), as
 * *part and *bdf: -HV_ENOENT; or one that stays with the hypervisor (a bridge of any
 * kind, an IOMMU): -HV_EINVAL; else 0.
 */
int dev_policy_check(const struct manifest *m, const struct pci_func *funcs, unsigned int n,
		     unsigned int *part, uint16_t *bdf) __attribute__((warn_unused_result));

#endif
