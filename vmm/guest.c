/* SPDX-License-Identifier: MIT */
/* Guest construction: memory, nested page tables, the ELF image and multiboot boot info. */
#include "vmm/guest.h"

#include "include/abi/hv_errno.h"
#include "vmm/elf.h"
#include "vmm/exit.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/pt.h"

#define MIB			0x100000ull
#define LARGE_PAGES		512	/* 4 KiB pages per 2 MiB, for large nested leaves */
#define MB1_MAGIC		0x2badb002u

/* ---- construction ---- */

static uint64_t pt_alloc(void *ctx)
{
	return mem_alloc_zeroed_page();
}

static uint64_t *pt_table(uint64_t pa, void *ctx)
{
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem nested_mem = { pt_alloc, pt_table, 0 };

static int build_memory(struct guest *g, uint64_t size, const struct vcpu_ops *ops)
{
	size_t pages = (size_t)(size / 4096);

	g->mem_hpa = mem_alloc_zeroed_pages(pages, LARGE_PAGES);
	if (!g->mem_hpa)
		return -HV_ENOMEM;
	g->mem.size = size;
	g->mem.npt_root = mem_alloc_zeroed_page();
	if (!g->mem.npt_root)
		return -HV_ENOMEM;
	return pt_map(ops->npt_format, &nested_mem, g->mem.npt_root, 0, g->mem_hpa, size,
		      PT_R | PT_W | PT_X, PT_MEM_WB);
}

static void copy_name(char *dst, const char *src)
{
	unsigned int i;

	for (i = 0; src[i] && i + 1 < GUEST_NAME_MAX; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

int guest_create(struct guest *g, const struct guest_spec *spec, const struct boot_module *mod,
		 const struct vcpu_ops *ops)
{
	uint64_t size = (uint64_t)spec->mem_mib * MIB;
	uint8_t *mem;
	int ret;

	*g = (struct guest){ .state = GUEST_CREATED, .cpu = spec->cpu };
	copy_name(g->name, spec->name);
	ret = build_memory(g, size, ops);
	if (ret)
		return ret;
	mem = (uint8_t *)(uintptr_t)g->mem_hpa;
	ret = elf_load((const void *)(uintptr_t)mod->start, (size_t)(mod->end - mod->start), mem,
		       size, GUEST_BOOTINFO_GPA, GUEST_RESERVED_END, &g->entry);
	if (ret)
		return ret;
	guest_write_bootinfo(mem, size, spec->cmdline ? spec->cmdline : g->name);
	g->vcpu = (struct vcpu){ .guest = g, .cpu = spec->cpu, .rip = g->entry, .rflags = 2 };
	g->vcpu.gpr[GPR_RAX] = MB1_MAGIC;
	g->vcpu.gpr[GPR_RBX] = GUEST_BOOTINFO_GPA;
	return 0;
}

int guest_map_window(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	return pt_map(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, gpa, hpa, size,
		      PT_R | PT_W, PT_MEM_WB);
}
