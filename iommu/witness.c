/* SPDX-License-Identifier: MIT */
/* The DMA witness: scans host RAM for a test's DMA marker after the partitions have ended. */
#include "iommu/witness.h"

#include "arch/x86/paging.h"
#include "include/abi/hv_errno.h"
#include "vmm/log.h"
#include "vmm/mem.h"

#define WITNESS_SHOWN	16

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* 32 hex digits, byte 0 first, into two little-endian words with every bit inverted. */
static int magic_parse(const char *hex, uint64_t inv[2])
{
	inv[0] = inv[1] = 0;
	for (unsigned int i = 0; i < 32; i++) {
		int d = hex_val(hex[i]);

		if (d < 0)
			return -HV_EINVAL;
		inv[i / 16] |= (uint64_t)(~d & 0xf) << (8 * (i % 16 / 2) + (i % 2 ? 0 : 4));
	}
	return hex[32] ? -HV_EINVAL : 0;
}

static const struct dma_witness_range *range_of(uint64_t pa, const struct dma_witness_range *r,
						unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		if (pa >= r[i].base && pa - r[i].base < r[i].size)
			return &r[i];
	return 0;
}

int dma_witness_scan(const char *hex, uint64_t limit, const struct dma_witness_range *r,
		     unsigned int nr)
{
	unsigned int outside = 0, inside = 0, skipped = 0;
	uint64_t inv[2], size;

	if (magic_parse(hex, inv))
		return -HV_EINVAL;
	for (uint64_t pa = 0; pa < limit; pa += PAGE_SIZE) {
		const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)pa;

		if (!mem_is_ram(pa, PAGE_SIZE) || !paging_lookup(pa, &size)) {
			skipped++;
			continue;
		}
		for (unsigned int i = 0; i < PAGE_SIZE / 8; i += 2) {
			const struct dma_witness_range *in;

			if (~w[i] != inv[0] || ~w[i + 1] != inv[1])
				continue;
			in = range_of(pa + 8 * i, r, nr);
			if (in && in->owner) {
				inside++;
			} else if (outside++ < WITNESS_SHOWN) {
				pr_warn("dma-witness: copy at 0x%llx aimed at 0x%llx in %s",
					(unsigned long long)(pa + 8 * i),
					i + 2 < PAGE_SIZE / 8 ? (unsigned long long)w[i + 2] : 0ull,
					in ? in->name : "no partition (hypervisor or free memory)");
			}
		}
	}
	pr_info("dma-witness: %u copies found outside their owner, %u inside (RAM below 0x%llx, "
		"%u pages not scanned)", outside, inside, (unsigned long long)limit, skipped);
	return (int)outside;
}
