/* SPDX-License-Identifier: MIT */
/* The hypervisor's own page tables (SDM vol 3A sec. 4.5), built with the pt engine. */
#include "arch/x86/paging.h"

#include "arch/x86/cpu.h"
#include "include/abi/hv_errno.h"
#include "vmm/mem.h"
#include "vmm/pt.h"

extern char _image_start[], _text_end[], _rodata_end[], _image_end[];
extern char boot_stack_guard[];

uint64_t hv_cr3;

/*
 * 2 MiB pages at most: the direct map's cache attribute is chosen per 2 MiB, and not
 * every CPU has 1 GiB pages.
 */
static const struct pt_format *const hv_fmt = &pt_format_host_2m;

static uint64_t hv_alloc_table(void *ctx)
{
	return mem_alloc_zeroed_page();
}

/* Table pages lie below 4 GiB, identity-mapped by both the boot and the final map. */
static uint64_t *hv_table_ptr(uint64_t pa, void *ctx)
{
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem hv_mem = { hv_alloc_table, hv_table_ptr, 0 };

static bool in_image(uint64_t pa)
{
	return pa >= (uintptr_t)_image_start && pa < (uintptr_t)_image_end;
}

/* What a 4 KiB page of the regions below the image's end gets; 0: left unmapped. */
static unsigned int low_page_perm(uint64_t pa)
{
	if (pa == 0 || pa == (uintptr_t)boot_stack_guard)
		return 0;	/* catch NULL dereferences and boot stack overflows */
	if (!in_image(pa) || pa >= (uintptr_t)_rodata_end)
		return PT_R | PT_W;		/* direct map, data, bss */
	if (pa >= (uintptr_t)_text_end)
		return PT_R;			/* rodata */
	return PT_R | PT_X;			/* text */
}

static bool same_kind(uint64_t a, uint64_t b)
{
	return low_page_perm(a) == low_page_perm(b) && in_image(a) == in_image(b);
}

/* A 2 MiB region holding page 0 or part of the image: runs of like 4 KiB pages. */
static int map_low_region(uint64_t root, uint64_t base, enum pt_memtype mt)
{
	uint64_t end = base + LARGE_PAGE_SIZE, next;

	for (uint64_t pa = base; pa < end; pa = next) {
		unsigned int perm = low_page_perm(pa);
		int ret;

		for (next = pa + PAGE_SIZE; next < end && same_kind(pa, next); next += PAGE_SIZE)
			;
		if (!perm)
			continue;
		/* The image is RAM, whatever the rest of its region is. */
		ret = pt_map(hv_fmt, &hv_mem, root, pa, pa, next - pa, perm,
			     in_image(pa) ? PT_MEM_WB : mt);
		if (ret)
			return ret;
	}
	return 0;
}

static int map_region(uint64_t root, uint64_t base, enum pt_memtype mt)
{
	if (base < (uintptr_t)_image_end)
		return map_low_region(root, base, mt);
	return pt_map(hv_fmt, &hv_mem, root, base, base, LARGE_PAGE_SIZE, PT_R | PT_W, mt);
}

int paging_init(uint64_t top, paging_is_ram_fn is_ram)
{
	uint64_t root = mem_alloc_zeroed_page();
	int ret = 0;

	if (!root)
		return -HV_ENOMEM;
	for (uint64_t base = 0; base < top && !ret; base += LARGE_PAGE_SIZE)
		ret = map_region(root, base,
				 is_ram(base, LARGE_PAGE_SIZE) ? PT_MEM_WB : PT_MEM_UC);
	if (ret)
		return ret;
	hv_cr3 = root;
	write_cr3(root);
	return 0;
}

/* flags: PTE_W, PTE_NX, PTE_PCD as in a leaf entry (readable is implied). */
static unsigned int flags_perm(uint64_t flags)
{
	return PT_R | ((flags & PTE_W) ? PT_W : 0) | ((flags & PTE_NX) ? 0 : PT_X);
}

int paging_map_fresh(uint64_t va, uint64_t size, uint64_t flags)
{
	enum pt_memtype mt = (flags & PTE_PCD) ? PT_MEM_UC : PT_MEM_WB;

	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t pa = mem_alloc_zeroed_page();
		int ret;

		if (!pa)
			return -HV_ENOMEM;
		ret = pt_map(hv_fmt, &hv_mem, hv_cr3, va + off, pa, PAGE_SIZE, flags_perm(flags),
			     mt);
		if (ret)
			return ret;
		invlpg(va + off);
	}
	return 0;
}

uint64_t paging_lookup(uint64_t va, uint64_t *page_size)
{
	uint64_t e;
	int level;

	if (pt_lookup_entry(hv_fmt, &hv_mem, hv_cr3, va, &e, &level))
		return 0;
	*page_size = PT_LEVEL_SIZE(level);
	return e;
}

struct audit {
	uint64_t leaves;
	uint64_t wx;
	uint64_t first_wx;
};

static int audit_leaf(uint64_t va, uint64_t pa, uint64_t size, unsigned int perm, void *ctx)
{
	struct audit *a = ctx;

	a->leaves++;
	if ((perm & PT_W) && (perm & PT_X)) {
		if (!a->wx)
			a->first_wx = va;
		a->wx++;
	}
	return 0;
}

int paging_audit(uint64_t *leaves, uint64_t *first_wx)
{
	struct audit a = { 0 };

	(void)pt_walk(hv_fmt, &hv_mem, hv_cr3, audit_leaf, &a);	/* audit_leaf never stops */
	*leaves = a.leaves;
	*first_wx = a.first_wx;
	return (int)a.wx;
}
