/* SPDX-License-Identifier: MIT */
/* MSR and I/O permission map bit math (APM vol 2 sec. 15.10.1, 15.11); pure. */
#include "arch/x86/svm/maps.h"

#include "include/abi/hv_errno.h"

/* The three MSR ranges the MSRPM covers, 2 bits per MSR, APM vol 2 table 15-8. */
static const struct {
	uint32_t first;
	uint32_t byte;		/* offset of the range's first byte */
} msrpm_ranges[] = {
	{ 0x00000000, 0x0000 },
	{ 0xc0000000, 0x0800 },
	{ 0xc0010000, 0x1000 },
};

#define MSRPM_RANGE_MSRS	0x2000	/* MSRs per range: 2 KiB of 2-bit entries */

int svm_msrpm_pos(uint32_t msr, uint32_t *byte, unsigned int *bit)
{
	for (unsigned int i = 0; i < sizeof(msrpm_ranges) / sizeof(msrpm_ranges[0]); i++) {
		uint32_t idx = msr - msrpm_ranges[i].first;

		if (idx < MSRPM_RANGE_MSRS) {
			*byte = msrpm_ranges[i].byte + idx / 4;
			*bit = (idx % 4) * 2;
			return 0;
		}
	}
	return -HV_ERANGE;
}

static void set_bit(uint8_t *map, uint32_t byte, unsigned int bit, bool on)
{
	if (on)
		map[byte] = (uint8_t)(map[byte] | (1u << bit));
	else
		map[byte] = (uint8_t)(map[byte] & ~(1u << bit));
}

int svm_msrpm_set(uint8_t *map, uint32_t msr, bool intercept_read, bool intercept_write)
{
	uint32_t byte;
	unsigned int bit;

	if (svm_msrpm_pos(msr, &byte, &bit))
		return -HV_ERANGE;
	set_bit(map, byte, bit, intercept_read);
	set_bit(map, byte, bit + 1, intercept_write);
	return 0;
}

bool svm_msrpm_intercepts(const uint8_t *map, uint32_t msr, bool write)
{
	uint32_t byte;
	unsigned int bit;

	if (svm_msrpm_pos(msr, &byte, &bit))
		return true;
	return (map[byte] >> (bit + write)) & 1;
}

void svm_iopm_set(uint8_t *map, uint16_t port, bool intercept)
{
	set_bit(map, port / 8u, port % 8u, intercept);
}

bool svm_iopm_intercepts(const uint8_t *map, uint16_t port)
{
	return (map[port / 8u] >> (port % 8u)) & 1;
}
