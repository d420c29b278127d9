/* SPDX-License-Identifier: MIT */
/* Function names for addresses in the hypervisor's text, for exception traces. */
#ifndef VMM_SYMBOLS_H
#define VMM_SYMBOLS_H

#include <stdint.h>

/*
 * The table tools/gensyms.sh generates, placed last in .rodata (section .hvsyms):
 * entry 0 holds the count in addr; entries 1..count are sorted by address; the names
 * follow the table as one block of NUL-terminated strings, name_off bytes in.
 */
struct symbol {
	uint64_t addr;
	uint64_t name_off;
};

/* The function containing addr and the offset into it, or NULL. */
const char *symbol_lookup(uint64_t addr, uint64_t *offset);

#endif
