/* SPDX-License-Identifier: MIT */
/* Test guest: reads a guest-physical address inside its page tables but beyond its memory; it must be stopped. */
#include "guest-drivers/rt/rt.h"

/* The last page of entry.S's 1:1 map: far above any test guest's memory. */
#define BAD_GPA		(RT_MAP_SIZE - 0x1000)

int rt_main(void)
{
	volatile const uint64_t *p = (volatile const uint64_t *)(uintptr_t)BAD_GPA;
	uint64_t v;

	rt_printf("badmem: memory ends at 0x%lx; reading gpa 0x%x: this guest must be stopped\n",
		  rt_boot.ram_end, BAD_GPA);
	if (rt_boot.ram_end > BAD_GPA) {
		rt_printf("FAIL memory reaches 0x%lx: that read would be legal\n", rt_boot.ram_end);
		return 1;
	}
	v = *p;
	rt_printf("FAIL survived: read 0x%lx\n", v);
	return 1;
}
