/* SPDX-License-Identifier: MIT */
/* Partitions' PCI devices: owners, IOMMU domains, filtered config space, BARs mapped in. */
#ifndef VMM_PARTITION_DEV_H
#define VMM_PARTITION_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest.h"
#include "vmm/manifest.h"
#include "vmm/pci_cfg.h"

/*
 * At boot, once m's partitions and channels exist (channel c's memory at chan_hpa[c]):
 * scans PCI, gives each function to its owner (vmm/dev_policy.h) with its memory BARs
 * mapped uncached at their host address, builds one IOMMU domain per partition (its
 * RAM and channel windows, at their guest-physical addresses), attaches each owned
 * device to its owner's domain and turns translation on; unowned devices stay blocked.
 * Without an IOMMU: refused (-HV_ENOTSUP) if a partition that owns devices requires
 * one. 0 or an error, logged.
 */
int partition_devices_setup(const struct manifest *m, const uint64_t *chan_hpa)
	__attribute__((warn_unused_result));

/*
 * After partition_devices_setup: walks every partition's nested tables and IOMMU
 * domain and checks each leaf against what the manifest grants it (its RAM, its
 * channels, its BARs), and that no grant holds the hypervisor image, the IOMMU's
 * tables or another partition's RAM. 0, or -HV_EFAULT (logged) on any violation.
 * test (boot option audit_inject): first maps a hypervisor page into partition 0, which
 * the audit must then refuse.
 */
int partition_audit(const struct manifest *m, const uint64_t *chan_hpa, bool test)
	__attribute__((warn_unused_result));

/* v's direct access to its partition's I/O BARs (at vCPU setup). */
void partition_devices_io_policy(struct vcpu *v);

/* An IN/OUT of g at port: true if it was the filtered PCI configuration space. */
bool partition_devices_io(struct guest *g, uint16_t port, unsigned int size, bool in,
			  uint32_t *val);

/*
 * Option dma_witness=HEX (tests): once every partition has ended, scans host RAM below
 * 256 MiB for the 16-byte magic HEX (iommu/witness.h). Copies in the memory of a
 * partition whose manifest lists its devices are its own; any other is logged.
 */
void partition_devices_witness(const struct boot_info *bi);

/* Partition part's view of configuration space (vmm/devirq.c protects registers in it). */
struct pci_cfg *partition_dev_cfg(unsigned int part);

#endif
