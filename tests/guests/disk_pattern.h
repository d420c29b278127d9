/* SPDX-License-Identifier: MIT */
/* The disk tests' data pattern, a function of (sector, seed): tools/diskpat.py computes the same on the host. */
#ifndef TESTS_GUESTS_DISK_PATTERN_H
#define TESTS_GUESTS_DISK_PATTERN_H

#include <stdint.h>

#define DISK_PAT_WORDS		128	/* 32-bit little-endian words per 512-byte sector */

/*
 * Word k of the sector numbered sector (as the writer addressed it): word 0 is the
 * sector's low 32 bits, word 1 the seed (a misplaced sector names where it belongs),
 * the others a mix of all three, so no two sectors or seeds look alike.
 */
static inline uint32_t disk_pat_word(uint64_t sector, uint32_t seed, uint32_t k)
{
	uint32_t x;

	if (k == 0)
		return (uint32_t)sector;
	if (k == 1)
		return seed;
	x = (uint32_t)sector * 0x9e3779b1u ^ (uint32_t)(sector >> 32) * 0x85ebca77u ^
	    seed * 0xc2b2ae3du ^ k * 0x27d4eb2fu;
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	x *= 0x297a2d39u;
	x ^= x >> 15;
	return x;
}

static inline void disk_pat_fill(void *buf, uint64_t sector, uint32_t count, uint32_t seed)
{
	uint32_t *w = buf;

	for (uint32_t s = 0; s < count; s++)
		for (uint32_t k = 0; k < DISK_PAT_WORDS; k++)
			*w++ = disk_pat_word(sector + s, seed, k);
}

/* The index of the first sector of buf that does not hold the pattern, or count. */
static inline uint32_t disk_pat_check(const void *buf, uint64_t sector, uint32_t count,
				      uint32_t seed)
{
	const uint32_t *w = buf;

	for (uint32_t s = 0; s < count; s++)
		for (uint32_t k = 0; k < DISK_PAT_WORDS; k++)
			if (*w++ != disk_pat_word(sector + s, seed, k))
				return s;
	return count;
}

#endif
