/* SPDX-License-Identifier: MIT */
/* Loading a guest's ELF image (ELF32 or ELF64, x86) into its own memory. */
#ifndef VMM_ELF_H
#define VMM_ELF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copies every PT_LOAD segment of the image (len bytes at img) to mem + p_paddr and
 * zeroes the rest of its p_memsz. The guest's memory is [0, mem_size) at mem; the
 * range [resv_start, resv_end) (the boot information page) must stay untouched.
 * Everything is checked before anything is copied. Returns 0 and the entry point, or
 *   -HV_EBADMSG  not an x86 ELF executable, truncated headers, bad sizes;
 *   -HV_ERANGE   a segment outside guest memory or over the reserved range, or an
 *                entry point outside every loaded segment;
 *   -HV_ENOENT   no PT_LOAD segment.
 */
int elf_load(const void *img, size_t len, uint8_t *mem, uint64_t mem_size, uint64_t resv_start,
	     uint64_t resv_end, uint64_t *entry) __attribute__((warn_unused_result));

#endif
