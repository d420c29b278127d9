/* SPDX-License-Identifier: MIT */
/* Guest construction: memory, nested page tables, the ELF image and multiboot boot info. */
#include "vmm/guest.h"

#include "include/abi/hv_errno.h"
#include "vmm/elf.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/pt.h"

#define MIB			0x100000ull
#define GUEST_MAX_MIB		1024u
#define LARGE_PAGES		512	/* 4 KiB pages per 2 MiB, for large nested leaves */
#define MB1_MAGIC		0x2badb002u

/* ---- guests= parsing (pure) ---- */

static int parse_uint(const char **p, unsigned int *out)
{
	unsigned int v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -HV_EINVAL;
	while (*s >= '0' && *s <= '9') {
		if (v > 100000)
			return -HV_EINVAL;
		v = v * 10 + (unsigned int)(*s++ - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

static int parse_one(const char **p, struct guest_spec *g)
{
	const char *s = *p;
	unsigned int n = 0;

	while (*s && *s != '@' && *s != ',' && *s != '/') {
		if (n + 1 >= GUEST_NAME_MAX)
			return -HV_EINVAL;
		g->name[n++] = *s++;
	}
	g->name[n] = 0;
	g->cpu = 0;
	g->mem_mib = GUEST_DEFAULT_MIB;
	if (!n)
		return -HV_EINVAL;
	if (*s == '@' && (s++, parse_uint(&s, &g->cpu)))
		return -HV_EINVAL;
	if (*s == '/' && (s++, parse_uint(&s, &g->mem_mib)))
		return -HV_EINVAL;
	if (g->mem_mib < 2 || g->mem_mib > GUEST_MAX_MIB || (g->mem_mib & 1))
		return -HV_EINVAL;
	*p = s;
	return 0;
}

int guest_parse_specs(const char *s, struct guest_spec *out, unsigned int max)
{
	unsigned int n = 0;

	while (*s) {
		if (n == max)
			return -HV_E2BIG;
		if (parse_one(&s, &out[n]))
			return -HV_EINVAL;
		n++;
		if (*s == ',')
			s++;
		else if (*s)
			return -HV_EINVAL;
	}
	return (int)n;
}

/* ---- boot information (pure: writes into the guest's memory) ---- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Multiboot 0.6.96 sec. 3.3: the info structure, its mmap at +0x400, cmdline at +0x800. */
void guest_write_bootinfo(uint8_t *mem, uint64_t mem_size, const char *cmdline)
{
	uint8_t *info = mem + GUEST_BOOTINFO_GPA;
	uint8_t *mmap = info + 0x400;
	char *cl = (char *)info + 0x800;
	unsigned int i;

	put32(info + 0, 0x1 | 0x4 | 0x40);			/* flags: mem, cmdline, mmap */
	put32(info + 4, 639);					/* mem_lower, KiB */
	put32(info + 8, (uint32_t)((mem_size - MIB) / 1024));	/* mem_upper, KiB */
	put32(info + 16, (uint32_t)(GUEST_BOOTINFO_GPA + 0x800));
	put32(info + 44, 2 * 24);				/* mmap_length */
	put32(info + 48, (uint32_t)(GUEST_BOOTINFO_GPA + 0x400));
	put32(mmap + 0, 20);
	put64(mmap + 4, 0);
	put64(mmap + 12, 0x9fc00);
	put32(mmap + 20, 1);
	put32(mmap + 24, 20);
	put64(mmap + 28, MIB);
	put64(mmap + 36, mem_size - MIB);
	put32(mmap + 44, 1);
	for (i = 0; cmdline[i] && i < 255; i++)
		cl[i] = cmdline[i];
	cl[i] = 0;
}

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
		       size, GUEST_BOOTINFO_GPA, GUEST_BOOTINFO_GPA + 0x1000, &g->entry);
	if (ret)
		return ret;
	guest_write_bootinfo(mem, size, g->name);
	g->vcpu = (struct vcpu){ .guest = g, .cpu = spec->cpu, .rip = g->entry, .rflags = 2 };
	g->vcpu.gpr[GPR_RAX] = MB1_MAGIC;
	g->vcpu.gpr[GPR_RBX] = GUEST_BOOTINFO_GPA;
	return 0;
}

void *guest_ptr(const struct guest *g, uint64_t gpa, uint64_t len)
{
	if (gpa > g->mem.size || len > g->mem.size - gpa)
		return 0;
	return (void *)(uintptr_t)(g->mem_hpa + gpa);
}

void guest_console(struct guest *g, const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n' || g->line_len + 1 >= sizeof(g->line)) {
			g->line[g->line_len] = 0;
			pr_info("[%s] %s", g->name, g->line);
			g->line_len = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r')
			continue;
		/* Keep the log one line per record: non-printables become '?'. */
		g->line[g->line_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
}
