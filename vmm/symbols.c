/* SPDX-License-Identifier: MIT */
/* Looks up the table generated at link time (tools/gensyms.sh) by binary search. */
#include "vmm/symbols.h"

#include <stddef.h>

/*
 * Found through a linker symbol rather than a C one so that both link passes (the
 * first with an empty table) produce identical text.
 */
extern const struct symbol _symtab_start[];
extern char _text_start[], _text_end[];

const char *symbol_lookup(uint64_t addr, uint64_t *offset)
{
	const struct symbol *t = _symtab_start;
	uint64_t count = t[0].addr;
	const char *names = (const char *)&t[count + 1];
	size_t lo = 1, hi = count + 1;

	if (!count || addr < t[1].addr || addr >= (uintptr_t)_text_end)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - t[lo].addr;
	return names + t[lo].name_off;
}
