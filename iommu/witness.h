/* SPDX-License-Identifier: MIT */
/* The DMA witness (option dma_witness=HEX): where in host RAM a test's DMA marker landed. */
#ifndef IOMMU_WITNESS_H
#define IOMMU_WITNESS_H

#include <stdbool.h>
#include <stdint.h>

/* Host memory of one partition: where a copy lies, and whether it may lie there. */
struct dma_witness_range {
	uint64_t base, size;
	const char *name;
	bool owner;	/* the marker's source and its legitimate DMA targets live here */
};

/*
 * Once every partition has ended: scans host RAM in [0, limit) (mapped RAM pages only;
 * page 0 and guard pages are not) at 16-byte steps for the 16-byte magic, given as 32 hex
 * digits, that a test guest (tests/guests/edudma.c) puts at the start of every DMA
 * marker, followed by the address the transfer was aimed at. The magic is kept inverted,
 * so the scan never finds itself. Logs "dma-witness: copy at 0xPA aimed at 0xIOVA in
 * NAME" for each copy outside the owner ranges (the first 16), then "dma-witness: N
 * copies found outside their owner, M inside". Returns N, or -HV_EINVAL for a bad magic.
 */
int dma_witness_scan(const char *hex, uint64_t limit, const struct dma_witness_range *r,
		     unsigned int nr) __attribute__((warn_unused_result));

#endif
