/* SPDX-License-Identifier: MIT */
/* Partitions: creation at boot, their CPUs, and what happens when one ends. */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include "vmm/guest.h"

/* Called once when a partition's last vCPU has stopped (exited or been stopped). */
void partition_ended(struct guest *g);

/* The GRUB module whose string is name, or NULL. */
const struct boot_module *partition_find_module(const struct boot_info *bi, const char *name);

/* The partition table: a new slot (NULL when full), one by id, how many there are. */
struct guest *partition_new(void);
struct guest *partition_get(uint64_t id);
unsigned int partition_count(void);

/* Builds every partition and channel of the manifest in module mod; 0 or an error
 * after logging each manifest error with its line. */
int partitions_from_manifest(const struct boot_info *bi, const struct boot_module *mod)
	__attribute__((warn_unused_result));

/* Hypercalls backed by the partition layer (vmm/partition_manifest.c). */
int64_t partition_evtchn_send(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_unmask(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_status(struct vcpu *v, uint64_t port);
int64_t partition_evtchn_upcall(struct vcpu *v, uint64_t vector);
int64_t partition_list(struct vcpu *v, uint64_t gpa, uint64_t max);

#endif
