/* SPDX-License-Identifier: MIT */
/* Application processor bring-up from the MADT's CPU list. */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "arch/x86/acpi.h"

/* Starts every usable CPU in the MADT; returns how many CPUs are online in total. */
unsigned int smp_boot(const struct acpi_madt_info *madt);
/* An AP's life after bring-up: run what the boot CPU hands it in percpu.work. */
__attribute__((noreturn)) void smp_idle(void);

#endif
