/* SPDX-License-Identifier: MIT */
/* Test helpers: fake physical memory and builders for GRUB-shaped multiboot info. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/mb_build.h"

const struct boot_mmap_entry q35_map[] = {
	{ 0x0, 0x9fc00, BOOT_MEM_AVAILABLE },
	{ 0x9fc00, 0x400, BOOT_MEM_RESERVED },
	{ 0xf0000, 0x10000, BOOT_MEM_RESERVED },
	{ 0x100000, 0xfee0000, BOOT_MEM_AVAILABLE },
	{ 0xffe0000, 0x20000, BOOT_MEM_RESERVED },
	{ 0xfeffc000, 0x4000, BOOT_MEM_RESERVED },
	{ 0xfffc0000, 0x40000, BOOT_MEM_RESERVED },
};
const size_t q35_map_count = sizeof(q35_map) / sizeof(q35_map[0]);

/* SeaBIOS-style "RSD PTR " with OEM "BOCHS ". */
const uint8_t test_rsdp_v1[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x4a,
				   'B', 'O', 'C', 'H', 'S', ' ', 0, 0x40, 0xf1, 0xfe, 0x0f };
const uint8_t test_rsdp_v2[36] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x4b,
				   'B', 'O', 'C', 'H', 'S', ' ', 2, 0x40, 0xf1, 0xfe, 0x0f,
				   36, 0, 0, 0, 0x80, 0xf1, 0xfe, 0x0f, 0, 0, 0, 0,
				   0x77, 0, 0, 0 };

static const void *fake_map(uint64_t pa, size_t len, void *ctx)
{
	struct fake_mem *m = ctx;
	void *copy;

	if (pa < m->base || pa - m->base > m->size || len > m->size - (pa - m->base))
		return NULL;
	if (m->ncopies == m->capcopies) {
		m->capcopies = m->capcopies ? 2 * m->capcopies : 256;
		m->copies = realloc(m->copies, m->capcopies * sizeof(void *));
		assert_non_null(m->copies);
	}
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, m->buf + (pa - m->base), len);
	m->copies[m->ncopies++] = copy;
	return copy;
}

void fake_mem_init(struct fake_mem *m, uint64_t base, size_t size)
{
	memset(m, 0, sizeof(*m));
	m->base = base;
	m->size = size;
	m->buf = calloc(1, size);
	assert_non_null(m->buf);
}

void fake_mem_fini(struct fake_mem *m)
{
	for (size_t i = 0; i < m->ncopies; i++)
		free(m->copies[i]);
	free(m->copies);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

struct phys_access fake_mem_access(struct fake_mem *m)
{
	return (struct phys_access){ fake_map, m };
}

uint8_t *fake_ptr(struct fake_mem *m, uint64_t pa)
{
	assert_true(pa >= m->base && pa < m->base + m->size);
	return m->buf + (pa - m->base);
}

void fake_put32(struct fake_mem *m, uint64_t pa, uint32_t v)
{
	assert_true(pa + 4 <= m->base + m->size);
	memcpy(fake_ptr(m, pa), &v, 4);
}

void fake_put64(struct fake_mem *m, uint64_t pa, uint64_t v)
{
	assert_true(pa + 8 <= m->base + m->size);
	memcpy(fake_ptr(m, pa), &v, 8);
}

uint64_t fake_puts(struct fake_mem *m, uint64_t pa, const char *s)
{
	assert_true(pa + strlen(s) + 1 <= m->base + m->size);
	memcpy(fake_ptr(m, pa), s, strlen(s) + 1);
	return pa;
}

void mb2_begin(struct mb2_builder *b, struct fake_mem *m, uint64_t pa)
{
	b->m = m;
	b->pa = pa;
	b->off = 8;
	fake_put32(m, pa + 4, 0);
}

uint64_t mb2_tag(struct mb2_builder *b, uint32_t type, uint32_t size)
{
	uint64_t tag = b->pa + b->off;

	assert_true(tag + size <= b->m->base + b->m->size);
	memset(fake_ptr(b->m, tag), 0, (size + 7) & ~7u);
	fake_put32(b->m, tag, type);
	fake_put32(b->m, tag + 4, size);
	b->off += (size + 7) & ~7u;
	return tag;
}

void mb2_tag_string(struct mb2_builder *b, uint32_t type, const char *s)
{
	uint64_t tag = mb2_tag(b, type, 8 + (uint32_t)strlen(s) + 1);

	fake_puts(b->m, tag + 8, s);
}

void mb2_tag_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *name)
{
	uint64_t tag = mb2_tag(b, 3, 16 + (uint32_t)strlen(name) + 1);

	fake_put32(b->m, tag + 8, start);
	fake_put32(b->m, tag + 12, end);
	fake_puts(b->m, tag + 16, name);
}

void mb2_tag_mmap(struct mb2_builder *b, const struct boot_mmap_entry *e, size_t n,
		  uint32_t entry_size)
{
	uint64_t tag = mb2_tag(b, 6, 16 + (uint32_t)n * entry_size);

	fake_put32(b->m, tag + 8, entry_size);
	fake_put32(b->m, tag + 12, 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t pe = tag + 16 + i * entry_size;

		fake_put64(b->m, pe, e[i].base);
		fake_put64(b->m, pe + 8, e[i].len);
		fake_put32(b->m, pe + 16, e[i].type);
	}
}

void mb2_tag_bytes(struct mb2_builder *b, uint32_t type, const uint8_t *p, size_t n)
{
	uint64_t tag = mb2_tag(b, type, 8 + (uint32_t)n);

	memcpy(fake_ptr(b->m, tag + 8), p, n);
}

uint32_t mb2_end(struct mb2_builder *b)
{
	mb2_tag(b, 0, 8);
	fake_put32(b->m, b->pa, b->off);
	return b->off;
}

/* The tag order GRUB 2.06 uses (grub-core/loader/multiboot_mbi2.c). */
uint64_t mb2_build_grub(struct fake_mem *m)
{
	static const uint8_t bootdev[12] = { 0x80, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t elf_sections[40] = { 5, 0, 0, 0, 64, 0, 0, 0, 4, 0, 0, 0 };
	static const uint8_t load_base[4] = { 0, 0, 0x10, 0 };
	struct mb2_builder b;
	uint64_t tag;

	mb2_begin(&b, m, MB2_INFO_PA);
	mb2_tag_string(&b, 1, GRUB_CMDLINE);
	mb2_tag_string(&b, 2, GRUB_LOADER);
	mb2_tag_module(&b, MOD0_START, MOD0_END, MOD0_NAME);
	mb2_tag_module(&b, MOD1_START, MOD1_END, MOD1_NAME);
	tag = mb2_tag(&b, 4, 16);
	fake_put32(m, tag + 8, 639);
	fake_put32(m, tag + 12, 261120);
	mb2_tag_bytes(&b, 5, bootdev, sizeof(bootdev));
	mb2_tag_mmap(&b, q35_map, q35_map_count, 24);
	mb2_tag_bytes(&b, 9, elf_sections, sizeof(elf_sections));
	mb2_tag_bytes(&b, 14, test_rsdp_v1, sizeof(test_rsdp_v1));
	mb2_tag_bytes(&b, 15, test_rsdp_v2, sizeof(test_rsdp_v2));
	mb2_tag_bytes(&b, 21, load_base, sizeof(load_base));
	mb2_end(&b);
	return MB2_INFO_PA;
}

/* Multiboot 0.6.96 sec. 3.3 layout, as GRUB 2.06's multiboot_mbi.c fills it. */
uint64_t mb1_build_grub(struct fake_mem *m)
{
	uint64_t e;

	memset(fake_ptr(m, MB1_INFO_PA), 0, 116);
	fake_put32(m, MB1_INFO_PA, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) |
		   (1u << 6) | (1u << 9));
	fake_put32(m, MB1_INFO_PA + 4, 639);
	fake_put32(m, MB1_INFO_PA + 8, 261120);
	fake_put32(m, MB1_INFO_PA + 12, 0x8000ffff);
	fake_put32(m, MB1_INFO_PA + 16, (uint32_t)fake_puts(m, MB1_CMDLINE_PA, GRUB_CMDLINE));
	fake_put32(m, MB1_INFO_PA + 20, 2);
	fake_put32(m, MB1_INFO_PA + 24, (uint32_t)MB1_MODS_PA);
	fake_put32(m, MB1_INFO_PA + 44, (uint32_t)(q35_map_count * 24));
	fake_put32(m, MB1_INFO_PA + 48, (uint32_t)MB1_MMAP_PA);
	fake_put32(m, MB1_INFO_PA + 64, (uint32_t)fake_puts(m, MB1_LOADER_PA, GRUB_LOADER));
	fake_put32(m, MB1_MODS_PA, MOD0_START);
	fake_put32(m, MB1_MODS_PA + 4, MOD0_END);
	fake_put32(m, MB1_MODS_PA + 8, (uint32_t)fake_puts(m, MB1_MODSTR_PA, MOD0_NAME));
	fake_put32(m, MB1_MODS_PA + 12, 0);
	fake_put32(m, MB1_MODS_PA + 16, MOD1_START);
	fake_put32(m, MB1_MODS_PA + 20, MOD1_END);
	fake_put32(m, MB1_MODS_PA + 24,
		   (uint32_t)fake_puts(m, MB1_MODSTR_PA + 0x100, MOD1_NAME));
	fake_put32(m, MB1_MODS_PA + 28, 0);
	for (size_t i = 0; i < q35_map_count; i++) {
		e = MB1_MMAP_PA + i * 24;
		fake_put32(m, e, 20);
		fake_put64(m, e + 4, q35_map[i].base);
		fake_put64(m, e + 12, q35_map[i].len);
		fake_put32(m, e + 20, q35_map[i].type);
	}
	return MB1_INFO_PA;
}
