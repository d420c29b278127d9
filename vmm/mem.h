/* SPDX-License-Identifier: MIT */
/* The hypervisor's physical memory: one locked page allocator over the boot memory map. */
#ifndef VMM_MEM_H
#define VMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"

/* Builds the allocator, keeping out the image, the first MiB and the boot ranges. */
int mem_init(const struct boot_info *bi) __attribute__((warn_unused_result));
/* A zeroed page below 4 GiB (reachable through the boot and final maps), or 0. */
uint64_t mem_alloc_zeroed_page(void);
/* n contiguous zeroed pages aligned to align pages (a power of two), or 0. */
uint64_t mem_alloc_zeroed_pages(size_t n, size_t align);
/* Returns pages from mem_alloc_zeroed_pages(); 0 or -HV_E* from pmm_free(). */
int mem_free(uint64_t pa, size_t n);
uint64_t mem_free_pages(void);
/* Highest end of RAM in the memory map, for the direct map's extent. */
uint64_t mem_top(void);
/* True when [base, base+len) overlaps RAM (available, ACPI or NVS) in the memory map. */
bool mem_is_ram(uint64_t base, uint64_t len);
void mem_report(void);

#endif
