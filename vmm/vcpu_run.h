/* SPDX-License-Identifier: MIT */
/* Creating the guests named on the command line and running them on their CPUs. */
#ifndef VMM_VCPU_RUN_H
#define VMM_VCPU_RUN_H

#include "boot/multiboot.h"
#include "vmm/vcpu.h"

/* Builds every guest of guests=NAME@CPU[/MIB],...; returns the count or an error. */
int guests_create(const struct boot_info *bi, const struct vcpu_ops *ops)
	__attribute__((warn_unused_result));
/* Starts each CPU's guests (APs through their work slot), waits for all to end. */
void guests_run(void);

#endif
