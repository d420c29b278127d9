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

/* v's direct access to its partition's I/O BARs (at vCPU setup). */
void partition_devices_io_policy(struct vcpu *v);

/* An IN/OUT of g at port: true if it was the filtered PCI configuration space. */
bool partition_devices_io(struct guest *g, uint16_t port, unsigned int size, bool in,
			  uint32_t *val);

#endif
