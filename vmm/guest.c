/* SPDX-License-Identifier: MIT */
/* Guest construction: memory, nested page tables, the ELF image and multiboot boot info. */
#include "vmm/guest.h"
#include "vmm/sched.h"

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

/* The image into memory that is all zeroes, the boot information, the entry point. */
static int load_image(struct guest *g)
{
	uint8_t *mem = (uint8_t *)(uintptr_t)g->mem_hpa;
	int ret = elf_load((const void *)(uintptr_t)g->image_start,
			   (size_t)(g->image_end - g->image_start), mem, g->mem.size,
			   GUEST_BOOTINFO_GPA, GUEST_RESERVED_END, &g->entry);

	if (ret)
		return ret;
	guest_write_bootinfo(mem, g->mem.size, g->cmdline ? g->cmdline : g->name);
	return 0;
}

void guest_vcpu_reset(struct guest *g, unsigned int i, uint64_t rip, uint64_t rax,
		      uint64_t rbx, uint64_t rcx)
{
	struct vcpu *v = &g->vcpus[i];
	struct vcpu keep = *v;	/* the scheduler's and the back end's parts */

	*v = (struct vcpu){ .guest = g, .id = i, .cpu = keep.cpu, .rip = rip, .rflags = 2,
			    .state = keep.state, .queued = keep.queued, .up_req = keep.up_req,
			    .fpu_area = keep.fpu_area };
	for (unsigned int k = 0; k < VCPU_VENDOR_WORDS; k++)
		v->vendor[k] = keep.vendor[k];
	v->gpr[GPR_RAX] = rax;
	v->gpr[GPR_RBX] = rbx;
	v->gpr[GPR_RCX] = rcx;
}

/* vCPU 0 at the multiboot entry; the others down until HC_VCPU_UP. */
static void reset_vcpus(struct guest *g)
{
	guest_vcpu_reset(g, 0, g->entry, MB1_MAGIC, GUEST_BOOTINFO_GPA, 0);
	for (unsigned int i = 1; i < g->nvcpus; i++) {
		guest_vcpu_reset(g, i, 0, 0, 0, 0);
		g->vcpus[i].state = VCPU_STOPPED;
	}
	g->stopping = false;
}

int guest_create(struct guest *g, const struct guest_spec *spec, const struct boot_module *mod,
		 const struct vcpu_ops *ops)
{
	uint64_t size = (uint64_t)spec->mem_mib * MIB;
	int ret;

	*g = (struct guest){ .state = GUEST_CREATED, .cpu = spec->cpu, .cmdline = spec->cmdline,
			     .image_start = mod->start, .image_end = mod->end,
			     .nvcpus = spec->nvcpus ? spec->nvcpus : 1 };
	g->vcpus[0].cpu = spec->cpu;
	for (unsigned int i = 1; i < g->nvcpus; i++)
		g->vcpus[i].cpu = spec->vcpu_cpu[i];
	copy_name(g->name, spec->name);
	ret = build_memory(g, size, ops);
	if (!ret)
		ret = load_image(g);
	if (ret)
		return ret;
	reset_vcpus(g);
	return 0;
}

/* rep stosq: a restart zeroes the whole of the guest's memory, megabytes at a time. */
static void zero_memory(uint64_t hpa, uint64_t size)
{
	void *dst = (void *)(uintptr_t)hpa;
	uint64_t n = size / 8;

	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(0ull) : "memory");
}

int guest_reload(struct guest *g)
{
	int ret;

	zero_memory(g->mem_hpa, g->mem.size);
	ret = load_image(g);
	if (ret)
		return ret;
	reset_vcpus(g);
	g->line_len = 0;
	g->io_denied = 0;
	return 0;
}

int guest_map_window(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	return pt_map(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, gpa, hpa, size,
		      PT_R | PT_W, PT_MEM_WB);
}

bool guest_gpa_used(const struct guest *g, uint64_t gpa, uint64_t size)
{
	for (uint64_t a = gpa; a - gpa < size; a += 0x1000) {
		uint64_t pa;

		if (!pt_lookup(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, a, &pa, 0, 0))
			return true;
	}
	return false;
}

int guest_map_mmio(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	return pt_map(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, gpa, hpa, size,
		      PT_R | PT_W, PT_MEM_UC);
}

void guest_console_out(struct guest *g, const char *s, uint64_t len)
{
	uint64_t flags = spin_lock_irqsave(&g->console_lock);

	guest_console(g, s, len);
	spin_unlock_irqrestore(&g->console_lock, flags);
}

int guest_walk(const struct guest *g, pt_leaf_fn fn, void *ctx)
{
	return pt_walk(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, fn, ctx);
}

int guest_unmap(struct guest *g, uint64_t gpa, uint64_t size)
{
	int ret = pt_unmap(vcpu_vendor->npt_format, &nested_mem, g->mem.npt_root, gpa, size);

	if (ret)
		return ret;
	/* Every vCPU flushes before it enters again; one in the guest is kicked out. */
	for (unsigned int i = 0; i < g->nvcpus; i++) {
		__atomic_fetch_or(&g->vcpus[i].attn, VCPU_ATTN_FLUSH, __ATOMIC_SEQ_CST);
		if (g->vcpus[i].queued)
			sched_wake(&g->vcpus[i]);
	}
	return 0;
}
