/* SPDX-License-Identifier: MIT */
/* Triggers an invalid opcode, a NULL dereference or a stack overflow on request. */
#include "vmm/selftest.h"

#include <stdint.h>

#include "vmm/log.h"
#include "vmm/string.h"

/* Each frame keeps 1 KiB live so the 16 KiB stack overflows after a few calls. */
__attribute__((noinline)) static uint64_t recurse(volatile uint64_t depth)
{
	volatile uint8_t pad[1024];

	if (depth > (1ull << 40))	/* never: the guard page stops us first */
		return 0;
	pad[0] = (uint8_t)depth;
	pad[sizeof(pad) - 1] = pad[0];
	return recurse(depth + 1) + pad[sizeof(pad) - 1];
}

__attribute__((noinline)) static void null_read(void)
{
	uintptr_t addr = 0;

	__asm__("" : "+r"(addr));
	pr_info("selftest: read 0x%x", *(volatile uint32_t *)addr);
}

void selftest_run(const struct boot_info *bi)
{
	char what[16];

	if (!boot_cmdline_get(bi, "selftest", what, sizeof(what)))
		return;
	pr_info("selftest: %s", what);
	if (str_eq(what, "ud"))
		__asm__ volatile("ud2");
	else if (str_eq(what, "pf"))
		null_read();
	else if (str_eq(what, "stack"))
		pr_info("selftest: %llu", (unsigned long long)recurse(0));
	else
		pr_warn("selftest: unknown test '%s'", what);
}
