/* SPDX-License-Identifier: MIT */
/* Test guest: an IDT of limit 0 and an INT3, i.e. #GP, #DF, then a triple fault that must stop it. */
#include "guest-drivers/rt/rt.h"

int rt_main(void)
{
	static const struct rt_desc_ptr empty = { 0, 0 };

	rt_printf("triple: empty IDT, then int3: this guest must be stopped\n");
	rt_lidt(&empty);
	__asm__ volatile("int3");
	rt_printf("FAIL survived a triple fault\n");
	return 1;
}
