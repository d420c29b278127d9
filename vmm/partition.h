/* SPDX-License-Identifier: MIT */
/* Partitions: creation at boot, their CPUs, and what happens when one ends. */
#ifndef VMM_PARTITION_H
#define VMM_PARTITION_H

#include "vmm/guest.h"

/* Called once when a partition's last vCPU has stopped (exited or been stopped). */
void partition_ended(struct guest *g);

#endif
