/* SPDX-License-Identifier: MIT */
/* Access to physical memory for parsers that also run in host unit tests. */
#ifndef VMM_PHYS_H
#define VMM_PHYS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns a pointer through which len bytes at physical address pa can be read, or
 * NULL when that range is not accessible. The hypervisor's implementation uses its
 * direct map; host tests back it with fixture buffers and return NULL outside them,
 * so a parser following a bad pointer fails cleanly instead of crashing.
 */
typedef const void *(*phys_map_fn)(uint64_t pa, size_t len, void *ctx);

struct phys_access {
	phys_map_fn map;
	void *ctx;
};

static inline const void *phys_map(const struct phys_access *pa, uint64_t addr, size_t len)
{
	if (len == 0 || addr + len < addr)
		return NULL;
	return pa->map(addr, len, pa->ctx);
}

#endif
