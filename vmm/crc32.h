/* SPDX-License-Identifier: MIT */
/* CRC-32 (IEEE 802.3, as gzip and zlib compute it), for module integrity reports. */
#ifndef VMM_CRC32_H
#define VMM_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

static inline uint32_t crc32(const void *data, size_t len)
{
	return crc32_update(0, data, len);
}

#endif
