/* SPDX-License-Identifier: MIT */
/* Bitwise CRC-32 with the reflected polynomial 0xEDB88320; small rather than fast. */
#include "vmm/crc32.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}
