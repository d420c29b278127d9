/* SPDX-License-Identifier: MIT */
/* Wraps the pure page allocator (vmm/pmm.c) with the reserved ranges and a lock. */
#include "vmm/mem.h"

#include "arch/x86/spinlock.h"
#include "include/abi/hv_errno.h"
#include "vmm/log.h"
#include "vmm/pmm.h"

#define LOW_MEMORY_END	0x100000ull	/* firmware data, EBDA, AP trampoline */
#define FOUR_GIB	0x100000000ull

extern char _image_start[], _image_end[];

/* Protects pmm. */
static struct spinlock mem_lock;
static struct pmm pmm;
static const struct boot_info *boot;

int mem_init(const struct boot_info *bi)
{
	struct boot_range resv[BOOT_RESV_MAX + 2];
	size_t n = 0;

	boot = bi;
	resv[n++] = (struct boot_range){ 0, LOW_MEMORY_END };
	resv[n++] = (struct boot_range){ (uintptr_t)_image_start, (uintptr_t)_image_end };
	for (size_t i = 0; i < bi->resv_count; i++)
		resv[n++] = (struct boot_range){ bi->resv[i].start, bi->resv[i].end };
	return pmm_init(&pmm, bi->mmap, bi->mmap_count, resv, n);
}

static void zero_pages(uint64_t pa, size_t n)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)pa;

	for (size_t i = 0; i < n * 512; i++)
		p[i] = 0;
}

uint64_t mem_alloc_zeroed_page(void)
{
	uint64_t flags = spin_lock_irqsave(&mem_lock);
	uint64_t pa = pmm_alloc_below(&pmm, 1, 1, FOUR_GIB);

	spin_unlock_irqrestore(&mem_lock, flags);
	if (pa)
		zero_pages(pa, 1);
	return pa;
}

uint64_t mem_alloc_zeroed_pages(size_t n, size_t align)
{
	uint64_t flags = spin_lock_irqsave(&mem_lock);
	uint64_t pa = pmm_alloc_below(&pmm, n, align, FOUR_GIB);

	spin_unlock_irqrestore(&mem_lock, flags);
	if (pa)
		zero_pages(pa, n);
	return pa;
}

int mem_free(uint64_t pa, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&mem_lock);
	int ret = pmm_free(&pmm, pa, n);

	spin_unlock_irqrestore(&mem_lock, flags);
	return ret;
}

uint64_t mem_free_pages(void)
{
	return pmm_free_pages(&pmm);
}

static bool is_ram_type(uint32_t type)
{
	return type == BOOT_MEM_AVAILABLE || type == BOOT_MEM_ACPI || type == BOOT_MEM_NVS;
}

uint64_t mem_top(void)
{
	uint64_t top = 0;

	for (size_t i = 0; i < boot->mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot->mmap[i];

		if (is_ram_type(e->type) && e->base + e->len > top)
			top = e->base + e->len;
	}
	return top;
}

bool mem_is_ram(uint64_t base, uint64_t len)
{
	for (size_t i = 0; i < boot->mmap_count; i++) {
		const struct boot_mmap_entry *e = &boot->mmap[i];

		if (is_ram_type(e->type) && e->base < base + len && base < e->base + e->len)
			return true;
	}
	return false;
}

void mem_report(void)
{
	struct boot_range r;

	for (size_t i = 0; i < boot->mmap_count; i++)
		pr_debug("mem: map 0x%016llx-0x%016llx type %u",
			 (unsigned long long)boot->mmap[i].base,
			 (unsigned long long)(boot->mmap[i].base + boot->mmap[i].len),
			 boot->mmap[i].type);
	for (size_t i = 0; pmm_range_get(&pmm, i, &r); i++)
		pr_debug("mem: free 0x%016llx-0x%016llx", (unsigned long long)r.start,
			 (unsigned long long)r.end);
	pr_info("mem: usable=%llu KiB in %zu ranges",
		(unsigned long long)(pmm_free_pages(&pmm) * 4), pmm_range_count(&pmm));
}
