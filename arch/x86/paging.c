/* SPDX-License-Identifier: MIT */
/* Builds and edits the hypervisor's 4-level page tables (SDM vol 3A sec. 4.5). */
#include "arch/x86/paging.h"

#include "arch/x86/cpu.h"
#include "include/abi/hv_errno.h"
#include "vmm/mem.h"

extern char _image_start[], _text_end[], _rodata_end[], _image_end[];
extern char boot_stack_guard[];

uint64_t hv_cr3;

static uint64_t *table_va(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static unsigned int index_at(uint64_t va, int level)
{
	return (unsigned int)((va >> (12 + 9 * level)) & 511);
}

/* Walks to the table at `level` (0 = PT, 1 = PD), creating missing tables. */
static uint64_t *walk_create(uint64_t root, uint64_t va, int level)
{
	uint64_t *table = table_va(root);

	for (int l = 3; l > level; l--) {
		uint64_t *e = &table[index_at(va, l)];

		if (!(*e & PTE_P)) {
			uint64_t pa = mem_alloc_zeroed_page();

			if (!pa)
				return 0;
			/* Permissions are enforced at the leaf; inner levels allow all. */
			*e = pa | PTE_P | PTE_W;
		}
		if (*e & PTE_PS)
			return 0;
		table = table_va(*e);
	}
	return table;
}

static int map_page(uint64_t root, uint64_t va, uint64_t entry, int level)
{
	uint64_t *table = walk_create(root, va, level);

	if (!table)
		return -HV_ENOMEM;
	table[index_at(va, level)] = entry;
	return 0;
}

static uint64_t image_page_flags(uint64_t pa)
{
	if (pa < (uintptr_t)_text_end)
		return PTE_P;				/* text: read, execute */
	if (pa < (uintptr_t)_rodata_end)
		return PTE_P | PTE_NX;			/* rodata: read only */
	return PTE_P | PTE_W | PTE_NX;			/* data, bss */
}

static uint64_t small_page_flags(uint64_t pa, uint64_t cache)
{
	if (pa == 0 || pa == (uintptr_t)boot_stack_guard)
		return 0;	/* catch NULL dereferences and boot stack overflows */
	if (pa >= (uintptr_t)_image_start && pa < (uintptr_t)_image_end)
		return image_page_flags(pa);
	return PTE_P | PTE_W | PTE_NX | cache;
}

static int map_region(uint64_t root, uint64_t base, uint64_t cache)
{
	int ret = 0;

	/* 2 MiB regions holding page 0 or the image are split into 4 KiB pages. */
	if (base >= (uintptr_t)_image_end)
		return map_page(root, base, base | PTE_P | PTE_W | PTE_NX | PTE_PS | cache, 1);
	for (uint64_t pa = base; pa < base + LARGE_PAGE_SIZE && !ret; pa += PAGE_SIZE) {
		uint64_t flags = small_page_flags(pa, cache);

		ret = map_page(root, pa, flags ? (pa | flags) : 0, 0);
	}
	return ret;
}

int paging_init(uint64_t top, paging_is_ram_fn is_ram)
{
	uint64_t root = mem_alloc_zeroed_page();
	int ret = 0;

	if (!root)
		return -HV_ENOMEM;
	for (uint64_t base = 0; base < top && !ret; base += LARGE_PAGE_SIZE) {
		uint64_t cache = is_ram(base, LARGE_PAGE_SIZE) ? 0 : (PTE_PCD | PTE_PWT);

		ret = map_region(root, base, cache);
	}
	if (ret)
		return ret;
	hv_cr3 = root;
	write_cr3(root);
	return 0;
}

int paging_map_fresh(uint64_t va, uint64_t size, uint64_t flags)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t pa = mem_alloc_zeroed_page();
		int ret;

		if (!pa)
			return -HV_ENOMEM;
		ret = map_page(hv_cr3, va + off, pa | PTE_P | flags, 0);
		if (ret)
			return ret;
		invlpg(va + off);
	}
	return 0;
}

uint64_t paging_lookup(uint64_t va, uint64_t *page_size)
{
	uint64_t *table = table_va(hv_cr3);

	for (int l = 3; l >= 0; l--) {
		uint64_t e = table[index_at(va, l)];

		if (!(e & PTE_P))
			return 0;
		if (l == 0 || (e & PTE_PS)) {
			*page_size = PAGE_SIZE << (9 * l);
			return e;
		}
		table = table_va(e);
	}
	return 0;
}

struct audit {
	uint64_t leaves;
	uint64_t wx;
	uint64_t first_wx;
};

static void audit_table(const uint64_t *table, int level, uint64_t va, struct audit *a)
{
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t e = table[i];
		uint64_t eva = va | ((uint64_t)i << (12 + 9 * level));

		if (level == 3 && (eva & (1ull << 47)))
			eva |= 0xffff000000000000ull;	/* canonical form */
		if (!(e & PTE_P))
			continue;
		if (level > 0 && !(e & PTE_PS)) {
			audit_table(table_va(e), level - 1, eva, a);
			continue;
		}
		a->leaves++;
		if ((e & PTE_W) && !(e & PTE_NX)) {
			if (!a->wx)
				a->first_wx = eva;
			a->wx++;
		}
	}
}

int paging_audit(uint64_t *leaves, uint64_t *first_wx)
{
	struct audit a = { 0 };

	audit_table(table_va(hv_cr3), 3, 0, &a);
	*leaves = a.leaves;
	*first_wx = a.first_wx;
	return (int)a.wx;
}
