/* SPDX-License-Identifier: MIT */
/* Unit tests for multiboot 1/2 info parsing and command-line options, on fake physical memory. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot/multiboot.h"
#include "include/abi/hv_errno.h"
#include "tests/unit/mb_build.h"

struct fx {
	struct fake_mem m;
	struct phys_access pa;
	struct boot_info bi;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	fake_mem_init(&f->m, FAKE_BASE, FAKE_SIZE);
	f->pa = fake_mem_access(&f->m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fake_mem_fini(&f->m);
	free(f);
	return 0;
}

static int parse2(struct fx *f, uint64_t info)
{
	return multiboot_parse(MB2_BOOTLOADER_MAGIC, info, &f->pa, &f->bi);
}

static int parse1(struct fx *f, uint64_t info)
{
	return multiboot_parse(MB1_BOOTLOADER_MAGIC, info, &f->pa, &f->bi);
}

static bool has_resv(const struct boot_info *bi, uint64_t s, uint64_t e, uint32_t kind)
{
	for (size_t i = 0; i < bi->resv_count; i++)
		if (bi->resv[i].start == s && bi->resv[i].end == e && bi->resv[i].kind == kind)
			return true;
	return false;
}

/* A failed parse leaves nothing behind that a caller could act on. */
static void assert_cleared(const struct boot_info *bi)
{
	assert_int_equal(bi->mmap_count, 0);
	assert_int_equal(bi->mod_count, 0);
	assert_int_equal(bi->resv_count, 0);
	assert_int_equal(bi->rsdp_len, 0);
	assert_string_equal(bi->cmdline, "");
}

static void check_q35_map(const struct boot_info *bi)
{
	assert_int_equal(bi->mmap_count, q35_map_count);
	for (size_t i = 0; i < q35_map_count; i++) {
		assert_int_equal(bi->mmap[i].base, q35_map[i].base);
		assert_int_equal(bi->mmap[i].len, q35_map[i].len);
		assert_int_equal(bi->mmap[i].type, q35_map[i].type);
	}
}

static void check_mods(const struct boot_info *bi)
{
	assert_int_equal(bi->mod_count, 2);
	assert_int_equal(bi->mods[0].start, MOD0_START);
	assert_int_equal(bi->mods[0].end, MOD0_END);
	assert_string_equal(bi->mods[0].name, MOD0_NAME);
	assert_int_equal(bi->mods[1].start, MOD1_START);
	assert_int_equal(bi->mods[1].end, MOD1_END);
	assert_string_equal(bi->mods[1].name, MOD1_NAME);
	assert_true(has_resv(bi, MOD0_START, MOD0_END, BOOT_RESV_MODULE));
	assert_true(has_resv(bi, MOD1_START, MOD1_END, BOOT_RESV_MODULE));
}

/* ---- well-formed input ---- */

static void test_mb2_grub(void **state)
{
	struct fx *f = *state;
	uint64_t info = mb2_build_grub(&f->m);
	uint32_t total = *(uint32_t *)fake_ptr(&f->m, info);

	assert_int_equal(parse2(f, info), 0);
	assert_int_equal(f->bi.protocol, BOOT_PROTO_MB2);
	assert_true(f->bi.have_cmdline);
	assert_false(f->bi.cmdline_truncated);
	assert_string_equal(f->bi.cmdline, GRUB_CMDLINE);
	assert_string_equal(f->bi.loader_name, GRUB_LOADER);
	assert_true(f->bi.have_mem);
	assert_int_equal(f->bi.mem_lower_kib, 639);
	assert_int_equal(f->bi.mem_upper_kib, 261120);
	assert_true(f->bi.have_mmap);
	check_q35_map(&f->bi);
	check_mods(&f->bi);
	assert_int_equal(f->bi.rsdp_len, 36);
	assert_memory_equal(f->bi.rsdp, test_rsdp_v2, 36);
	assert_int_equal(f->bi.resv_count, 3);
	assert_true(has_resv(&f->bi, info, info + total, BOOT_RESV_INFO));
}

static void test_mb2_rsdp_order(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_bytes(&b, 15, test_rsdp_v2, 36);
	mb2_tag_bytes(&b, 14, test_rsdp_v1, 20);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.rsdp_len, 36);
	assert_memory_equal(f->bi.rsdp, test_rsdp_v2, 36);

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_bytes(&b, 14, test_rsdp_v1, 20);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.rsdp_len, 20);
	assert_memory_equal(f->bi.rsdp, test_rsdp_v1, 20);
	assert_false(f->bi.have_cmdline);
	assert_false(f->bi.have_mmap);
	assert_int_equal(f->bi.mmap_count, 0);
}

static void test_mb2_minimal(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	assert_int_equal(mb2_end(&b), 16);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.resv_count, 1);
	assert_true(has_resv(&f->bi, MB2_INFO_PA, MB2_INFO_PA + 16, BOOT_RESV_INFO));
}

/* Entries bigger than the 24 bytes we know are fine (sec. 3.6.8: use entry_size). */
static void test_mb2_mmap_big_entries(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_mmap(&b, q35_map, q35_map_count, 40);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	check_q35_map(&f->bi);
}

/* Basic meminfo without a map: the map is synthesized from it. */
static void test_mb2_meminfo_only(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;
	uint64_t tag;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	tag = mb2_tag(&b, 4, 16);
	fake_put32(&f->m, tag + 8, 639);
	fake_put32(&f->m, tag + 12, 130048);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_false(f->bi.have_mmap);
	assert_int_equal(f->bi.mmap_count, 2);
	assert_int_equal(f->bi.mmap[0].base, 0);
	assert_int_equal(f->bi.mmap[0].len, 639 * 1024);
	assert_int_equal(f->bi.mmap[1].base, 0x100000);
	assert_int_equal(f->bi.mmap[1].len, 130048ull * 1024);
}

static void test_mb1_grub(void **state)
{
	struct fx *f = *state;
	struct boot_info *bi = &f->bi;

	assert_int_equal(parse1(f, mb1_build_grub(&f->m)), 0);
	assert_int_equal(bi->protocol, BOOT_PROTO_MB1);
	assert_string_equal(bi->cmdline, GRUB_CMDLINE);
	assert_string_equal(bi->loader_name, GRUB_LOADER);
	assert_true(bi->have_mem);
	assert_int_equal(bi->mem_lower_kib, 639);
	assert_int_equal(bi->mem_upper_kib, 261120);
	assert_true(bi->have_mmap);
	check_q35_map(bi);
	check_mods(bi);
	assert_int_equal(bi->rsdp_len, 0);
	assert_int_equal(bi->resv_count, 9);
	assert_true(has_resv(bi, MB1_INFO_PA, MB1_INFO_PA + 116, BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_CMDLINE_PA, MB1_CMDLINE_PA + sizeof(GRUB_CMDLINE),
			     BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_LOADER_PA, MB1_LOADER_PA + sizeof(GRUB_LOADER),
			     BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_MODS_PA, MB1_MODS_PA + 32, BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_MODSTR_PA, MB1_MODSTR_PA + sizeof(MOD0_NAME),
			     BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_MODSTR_PA + 0x100,
			     MB1_MODSTR_PA + 0x100 + sizeof(MOD1_NAME), BOOT_RESV_INFO));
	assert_true(has_resv(bi, MB1_MMAP_PA, MB1_MMAP_PA + 7 * 24, BOOT_RESV_INFO));
}

/* QEMU -kernel style: only mem_lower/mem_upper, the map is synthesized. */
static void test_mb1_mem_only(void **state)
{
	struct fx *f = *state;

	fake_put32(&f->m, MB1_INFO_PA, 1u << 0);
	fake_put32(&f->m, MB1_INFO_PA + 4, 639);
	fake_put32(&f->m, MB1_INFO_PA + 8, 261120);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_false(f->bi.have_mmap);
	assert_false(f->bi.have_cmdline);
	assert_int_equal(f->bi.mmap_count, 2);
	assert_int_equal(f->bi.mmap[1].base, 0x100000);
	assert_int_equal(f->bi.mmap[1].len, 261120ull * 1024);
	assert_int_equal(f->bi.mmap[1].type, BOOT_MEM_AVAILABLE);

	fake_put32(&f->m, MB1_INFO_PA + 4, 641);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EINVAL);
	assert_cleared(&f->bi);
}

/* Flags clear: the pointers behind them are never followed. */
static void test_mb1_flags_gate(void **state)
{
	struct fx *f = *state;

	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 16, 0xdead0000);
	fake_put32(&f->m, MB1_INFO_PA + 24, 0xdead0000);
	fake_put32(&f->m, MB1_INFO_PA + 48, 0xdead0000);
	fake_put32(&f->m, MB1_INFO_PA + 64, 0xdead0000);
	fake_put32(&f->m, MB1_INFO_PA, 0);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_int_equal(f->bi.mmap_count, 0);
	assert_int_equal(f->bi.resv_count, 1);
}

/* Module string 0: unnamed module, nothing read at address 0. */
static void test_mb1_module_no_string(void **state)
{
	struct fx *f = *state;

	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MODS_PA + 8, 0);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_string_equal(f->bi.mods[0].name, "");
	assert_string_equal(f->bi.mods[1].name, MOD1_NAME);
}

static void test_truncation(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;
	char longs[400];

	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_string(&b, 1, longs);
	mb2_tag_string(&b, 2, longs);
	mb2_tag_module(&b, 0x1000, 0x2000, longs);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_true(f->bi.cmdline_truncated);
	assert_int_equal(strlen(f->bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(f->bi.loader_name), BOOT_LOADER_NAME_MAX - 1);
	assert_int_equal(strlen(f->bi.mods[0].name), BOOT_MOD_NAME_MAX - 1);

	mb1_build_grub(&f->m);
	fake_puts(&f->m, MB1_CMDLINE_PA + 0x4000, longs);
	fake_put32(&f->m, MB1_INFO_PA + 16, (uint32_t)MB1_CMDLINE_PA + 0x4000);
	fake_put32(&f->m, MB1_MODS_PA + 8, (uint32_t)MB1_CMDLINE_PA + 0x4000);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_true(f->bi.cmdline_truncated);
	assert_int_equal(strlen(f->bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(f->bi.mods[0].name), BOOT_MOD_NAME_MAX - 1);
	/* The whole string is reserved, not just what was copied. */
	assert_true(has_resv(&f->bi, MB1_CMDLINE_PA + 0x4000,
			     MB1_CMDLINE_PA + 0x4000 + sizeof(longs), BOOT_RESV_INFO));

	/* Exactly BOOT_CMDLINE_MAX - 1 characters fit. */
	longs[BOOT_CMDLINE_MAX - 1] = '\0';
	fake_puts(&f->m, MB1_CMDLINE_PA + 0x4000, longs);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_false(f->bi.cmdline_truncated);
	assert_string_equal(f->bi.cmdline, longs);
}

/* Limits: exactly BOOT_MODS_MAX modules and BOOT_MMAP_MAX entries are accepted. */
static void build_mb2_counts(struct fx *f, size_t nmods, size_t nmap)
{
	struct boot_mmap_entry e[BOOT_MMAP_MAX + 1];
	struct mb2_builder b;

	for (size_t i = 0; i < nmap; i++)
		e[i] = (struct boot_mmap_entry){ i << 20, 1 << 20, 1 + (i & 1) };
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	for (size_t i = 0; i < nmods; i++)
		mb2_tag_module(&b, (uint32_t)(i << 12), (uint32_t)((i + 1) << 12), "m");
	mb2_tag_mmap(&b, e, nmap, 24);
	mb2_end(&b);
}

static void test_mb2_limits(void **state)
{
	struct fx *f = *state;

	build_mb2_counts(f, BOOT_MODS_MAX, BOOT_MMAP_MAX);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.mod_count, BOOT_MODS_MAX);
	assert_int_equal(f->bi.mmap_count, BOOT_MMAP_MAX);
	assert_int_equal(f->bi.resv_count, BOOT_MODS_MAX + 1);
	build_mb2_counts(f, BOOT_MODS_MAX + 1, 1);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_E2BIG);
	assert_cleared(&f->bi);
	build_mb2_counts(f, 1, BOOT_MMAP_MAX + 1);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_E2BIG);
	assert_cleared(&f->bi);
}

static void build_mb1_counts(struct fx *f, uint32_t nmods, uint32_t nmap)
{
	uint64_t list = FAKE_BASE + 0x8000, map = FAKE_BASE + 0xa000;

	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 20, nmods);
	fake_put32(&f->m, MB1_INFO_PA + 24, (uint32_t)list);
	for (uint32_t i = 0; i < nmods && i <= BOOT_MODS_MAX; i++) {
		fake_put32(&f->m, list + 16 * i, i << 12);
		fake_put32(&f->m, list + 16 * i + 4, (i + 1) << 12);
		fake_put32(&f->m, list + 16 * i + 8, (uint32_t)MB1_MODSTR_PA);
	}
	fake_put32(&f->m, MB1_INFO_PA + 44, nmap * 24);
	fake_put32(&f->m, MB1_INFO_PA + 48, (uint32_t)map);
	for (uint32_t i = 0; i < nmap && i <= BOOT_MMAP_MAX; i++) {
		fake_put32(&f->m, map + 24 * i, 20);
		fake_put64(&f->m, map + 24 * i + 4, (uint64_t)i << 20);
		fake_put64(&f->m, map + 24 * i + 12, 1 << 20);
		fake_put32(&f->m, map + 24 * i + 20, 1);
	}
}

static void test_mb1_limits(void **state)
{
	struct fx *f = *state;

	build_mb1_counts(f, BOOT_MODS_MAX, BOOT_MMAP_MAX);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_int_equal(f->bi.mod_count, BOOT_MODS_MAX);
	assert_int_equal(f->bi.mmap_count, BOOT_MMAP_MAX);
	assert_int_equal(f->bi.resv_count, BOOT_RESV_MAX);
	build_mb1_counts(f, BOOT_MODS_MAX + 1, 1);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_E2BIG);
	assert_cleared(&f->bi);
	build_mb1_counts(f, 1, BOOT_MMAP_MAX + 1);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_E2BIG);
	build_mb1_counts(f, 0xffffffffu, 1);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_E2BIG);
}

/* A map entry may end exactly at 2^64 but not wrap past it. */
static void test_mmap_wrap(void **state)
{
	struct fx *f = *state;
	struct boot_mmap_entry e = { 0xfffffffffffff000ull, 0x1000, 2 };
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_mmap(&b, &e, 1, 24);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.mmap_count, 1);
	e.len = 0x1001;
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_mmap(&b, &e, 1, 24);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EINVAL);
	assert_cleared(&f->bi);
}

/* ---- malformed input ---- */

static void test_bad_magic(void **state)
{
	struct fx *f = *state;
	uint64_t info = mb2_build_grub(&f->m);

	assert_int_equal(multiboot_parse(0, info, &f->pa, &f->bi), -HV_EINVAL);
	assert_int_equal(multiboot_parse(0x1BADB002, info, &f->pa, &f->bi), -HV_EINVAL);
	assert_int_equal(multiboot_parse(0xE85250D6, info, &f->pa, &f->bi), -HV_EINVAL);
	assert_int_equal(multiboot_parse(MB2_BOOTLOADER_MAGIC, info, NULL, &f->bi),
			 -HV_EINVAL);
	assert_int_equal(multiboot_parse(MB2_BOOTLOADER_MAGIC, info, &f->pa, NULL),
			 -HV_EINVAL);
	assert_cleared(&f->bi);
}

static void test_mb2_info_placement(void **state)
{
	struct fx *f = *state;

	mb2_build_grub(&f->m);
	assert_int_equal(parse2(f, MB2_INFO_PA + 4), -HV_EINVAL);
	assert_int_equal(parse2(f, 0), -HV_EFAULT);
	assert_int_equal(parse2(f, FAKE_BASE + FAKE_SIZE), -HV_EFAULT);
	assert_int_equal(parse2(f, 0xfffffffffffffff8ull), -HV_EFAULT);
	/* Blob declared to run past accessible memory. */
	fake_put32(&f->m, FAKE_BASE + FAKE_SIZE - 0x100, 0x1000);
	assert_int_equal(parse2(f, FAKE_BASE + FAKE_SIZE - 0x100), -HV_EFAULT);
}

static void test_mb2_total_size(void **state)
{
	struct fx *f = *state;
	static const uint32_t bad[] = { 0, 7, 8, 15, 0x10008, 0xffffffffu };
	uint64_t info = mb2_build_grub(&f->m);
	uint32_t total = *(uint32_t *)fake_ptr(&f->m, info);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_put32(&f->m, info, bad[i]);
		assert_int_equal(parse2(f, info), -HV_EBADMSG);
		assert_cleared(&f->bi);
	}
	/* Shorter than its tags: the end tag (or a tag) falls outside. */
	for (uint32_t t = 16; t < total; t += 4) {
		fake_put32(&f->m, info, t);
		assert_int_equal(parse2(f, info), -HV_EBADMSG);
	}
	/* Longer is fine: bytes after the end tag are ignored. */
	fake_put32(&f->m, info, total + 64);
	assert_int_equal(parse2(f, info), 0);
	assert_true(has_resv(&f->bi, info, info + total + 64, BOOT_RESV_INFO));
}

static void test_mb2_tag_size(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;
	uint64_t tag;

	for (uint32_t sz = 0; sz < 8; sz++) {
		mb2_begin(&b, &f->m, MB2_INFO_PA);
		tag = mb2_tag(&b, 9, 16);
		mb2_end(&b);
		fake_put32(&f->m, tag + 4, sz);
		assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	}
	/* A tag running past total_size. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	tag = mb2_tag(&b, 9, 16);
	mb2_end(&b);
	fake_put32(&f->m, tag + 4, 17);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	fake_put32(&f->m, tag + 4, 0xfffffff8u);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	/* Exactly up to the end, leaving no room for the end tag. */
	fake_put32(&f->m, tag + 4, 24);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
}

static void test_mb2_end_tag(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	/* No end tag: the blob ends after an ordinary tag. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_string(&b, 1, "x");
	fake_put32(&f->m, MB2_INFO_PA, b.off);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	/* End tag with the wrong size. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag(&b, 0, 16);
	fake_put32(&f->m, MB2_INFO_PA, b.off);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	/* Tags after the end tag are never looked at. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag(&b, 0, 8);
	mb2_tag(&b, 6, 8);
	fake_put32(&f->m, MB2_INFO_PA, b.off);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
}

static void test_mb2_mmap_entry_size(void **state)
{
	struct fx *f = *state;
	static const uint32_t bad[] = { 0, 8, 16, 20, 25, 28, 0x80000000u };
	struct mb2_builder b;
	uint64_t tag;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mb2_begin(&b, &f->m, MB2_INFO_PA);
		tag = mb2_tag(&b, 6, 16 + 48);
		mb2_end(&b);
		fake_put32(&f->m, tag + 8, bad[i]);
		assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	}
	/* A trailing partial entry. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	tag = mb2_tag(&b, 6, 16 + 24 + 8);
	mb2_end(&b);
	fake_put32(&f->m, tag + 8, 24);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	/* Tag too short for its own header. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag(&b, 6, 12);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	/* An empty map is legal. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	tag = mb2_tag(&b, 6, 16);
	mb2_end(&b);
	fake_put32(&f->m, tag + 8, 24);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_false(f->bi.have_mmap);
}

static void test_mb2_strings_unterminated(void **state)
{
	struct fx *f = *state;
	static const uint8_t abc[3] = { 'a', 'b', 'c' };
	struct mb2_builder b;
	uint64_t tag;

	for (uint32_t type = 1; type <= 2; type++) {
		mb2_begin(&b, &f->m, MB2_INFO_PA);
		mb2_tag_bytes(&b, type, abc, sizeof(abc));
		mb2_tag_string(&b, 9, "");	/* a NUL right after, outside the tag */
		mb2_end(&b);
		assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
		mb2_begin(&b, &f->m, MB2_INFO_PA);
		mb2_tag(&b, type, 8);	/* no room even for the NUL */
		mb2_end(&b);
		assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	}
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	tag = mb2_tag(&b, 3, 16 + 3);
	memcpy(fake_ptr(&f->m, tag + 16), abc, 3);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag(&b, 3, 16);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
}

static void test_mb2_short_tags(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_bytes(&b, 14, test_rsdp_v1, 19);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_bytes(&b, 15, test_rsdp_v2, 35);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag(&b, 4, 12);
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EBADMSG);
}

static void test_module_end_before_start(void **state)
{
	struct fx *f = *state;
	struct mb2_builder b;

	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_module(&b, 0x200000, 0x1fffff, "bad");
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), -HV_EINVAL);
	assert_cleared(&f->bi);
	/* Empty module: legal, nothing to reserve. */
	mb2_begin(&b, &f->m, MB2_INFO_PA);
	mb2_tag_module(&b, 0x200000, 0x200000, "empty");
	mb2_end(&b);
	assert_int_equal(parse2(f, MB2_INFO_PA), 0);
	assert_int_equal(f->bi.mod_count, 1);
	assert_int_equal(f->bi.resv_count, 1);

	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MODS_PA + 20, MOD1_START - 1);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EINVAL);
	assert_cleared(&f->bi);
}

/* Every mb1 pointer, aimed at memory the phys_access cannot map. */
static void test_mb1_pointers_outside(void **state)
{
	struct fx *f = *state;
	static const uint32_t offs[] = { 16, 24, 48, 64 };
	static const uint32_t where[] = { 0, 0x1000, FAKE_BASE + FAKE_SIZE,
					  FAKE_BASE + FAKE_SIZE - 8, 0xfffffff0u };

	assert_int_equal(parse1(f, 0), -HV_EFAULT);
	assert_int_equal(parse1(f, FAKE_BASE + FAKE_SIZE - 2), -HV_EFAULT);
	/* Flags readable, the rest of the structure not. */
	fake_put32(&f->m, FAKE_BASE + FAKE_SIZE - 4, 1u << 9);
	assert_int_equal(parse1(f, FAKE_BASE + FAKE_SIZE - 4), -HV_EFAULT);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (size_t j = 0; j < sizeof(where) / sizeof(where[0]); j++) {
			mb1_build_grub(&f->m);
			memset(fake_ptr(&f->m, FAKE_BASE + FAKE_SIZE - 8), 'z', 8);
			fake_put32(&f->m, MB1_INFO_PA + offs[i], where[j]);
			assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
			assert_cleared(&f->bi);
		}
	}
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MODS_PA + 24, 0x1000);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
	/* Module list partly outside. */
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 24, FAKE_BASE + FAKE_SIZE - 16);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
	/* Map partly outside. */
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 48, FAKE_BASE + FAKE_SIZE - 24);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
}

static void test_mb1_unterminated(void **state)
{
	struct fx *f = *state;
	uint64_t end = FAKE_BASE + FAKE_SIZE;

	/* Runs into the end of accessible memory. */
	mb1_build_grub(&f->m);
	memset(fake_ptr(&f->m, end - 64), 'x', 64);
	fake_put32(&f->m, MB1_INFO_PA + 16, (uint32_t)(end - 64));
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 64, (uint32_t)(end - 64));
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MODS_PA + 8, (uint32_t)(end - 64));
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EFAULT);
	/* A NUL in the last accessible byte is fine. */
	*fake_ptr(&f->m, end - 1) = '\0';
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_int_equal(strlen(f->bi.mods[0].name), 63);
	/* Longer than anything a loader passes, though accessible. */
	mb1_build_grub(&f->m);
	memset(fake_ptr(&f->m, FAKE_BASE + 0x8000), 'y', 0x2000);
	fake_put32(&f->m, MB1_INFO_PA + 16, (uint32_t)(FAKE_BASE + 0x8000));
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
}

static void test_mb1_mmap_malformed(void **state)
{
	struct fx *f = *state;

	/* Entry size below the 20 bytes of base, length, type. */
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MMAP_PA + 24, 16);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
	/* Entry running past mmap_length. */
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MMAP_PA + 6 * 24, 21);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_MMAP_PA, 0xffffffffu);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
	/* A length that leaves a stub too short for a size field. */
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 44, 7 * 24 + 3);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
	mb1_build_grub(&f->m);
	fake_put32(&f->m, MB1_INFO_PA + 44, 0x10001);
	assert_int_equal(parse1(f, MB1_INFO_PA), -HV_EBADMSG);
	/* Bigger entries (size 28) are stepped over correctly. */
	mb1_build_grub(&f->m);
	for (size_t i = 0; i < 3; i++) {
		uint64_t e = MB1_MMAP_PA + i * 32;

		fake_put32(&f->m, e, 28);
		fake_put64(&f->m, e + 4, q35_map[i].base);
		fake_put64(&f->m, e + 12, q35_map[i].len);
		fake_put32(&f->m, e + 20, q35_map[i].type);
		fake_put64(&f->m, e + 24, 0xdeadbeefdeadbeefull);
	}
	fake_put32(&f->m, MB1_INFO_PA + 44, 3 * 32);
	assert_int_equal(parse1(f, MB1_INFO_PA), 0);
	assert_int_equal(f->bi.mmap_count, 3);
	assert_int_equal(f->bi.mmap[2].base, q35_map[2].base);
	assert_int_equal(f->bi.mmap[2].type, q35_map[2].type);
}

/* Random corruption: every result is 0 or an error, never an invalid access (ASan). */
static void fuzz_one(struct fx *f, uint32_t magic, uint64_t info, uint64_t len,
		     unsigned int seed)
{
	uint8_t *orig = malloc(FAKE_SIZE);
	int ret;

	memcpy(orig, f->m.buf, FAKE_SIZE);
	srand(seed);
	for (int iter = 0; iter < 3000; iter++) {
		int flips = 1 + rand() % 4;

		memcpy(f->m.buf, orig, FAKE_SIZE);
		for (int k = 0; k < flips; k++) {
			uint64_t at = info + (uint64_t)rand() % len;

			*fake_ptr(&f->m, at) = (uint8_t)(rand() % 3 ? rand() : 0xff);
		}
		ret = multiboot_parse(magic, info, &f->pa, &f->bi);
		assert_true(ret == 0 || (ret < 0 && ret >= -HV_ENOTSUP));
		if (ret == 0) {
			assert_true(f->bi.mmap_count <= BOOT_MMAP_MAX);
			assert_true(f->bi.mod_count <= BOOT_MODS_MAX);
			assert_true(memchr(f->bi.cmdline, 0, BOOT_CMDLINE_MAX) != NULL);
		}
		for (size_t i = 0; i < f->m.ncopies; i++)
			free(f->m.copies[i]);
		f->m.ncopies = 0;
	}
	free(orig);
}

static void test_fuzz(void **state)
{
	struct fx *f = *state;
	uint64_t info = mb2_build_grub(&f->m);

	fuzz_one(f, MB2_BOOTLOADER_MAGIC, info, *(uint32_t *)fake_ptr(&f->m, info), 1);
	memset(f->m.buf, 0, FAKE_SIZE);
	mb1_build_grub(&f->m);
	fuzz_one(f, MB1_BOOTLOADER_MAGIC, MB1_INFO_PA, 0x900, 2);
}

/* ---- command line ---- */

static void test_cmdline(void **state)
{
	struct fx *f = *state;
	char buf[16];

	strcpy(f->bi.cmdline, "/boot/hv.elf  loglevel=debug\texit selftest=ud "
			      "exitnow=1 log=x acpidump empty= loglevel=info a=b=c");
	assert_ptr_equal(boot_cmdline_get(&f->bi, "loglevel", buf, sizeof(buf)), buf);
	assert_string_equal(buf, "info");	/* the last one wins */
	assert_non_null(boot_cmdline_get(&f->bi, "selftest", buf, sizeof(buf)));
	assert_string_equal(buf, "ud");
	assert_non_null(boot_cmdline_get(&f->bi, "exit", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_non_null(boot_cmdline_get(&f->bi, "empty", buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_non_null(boot_cmdline_get(&f->bi, "a", buf, sizeof(buf)));
	assert_string_equal(buf, "b=c");
	assert_null(boot_cmdline_get(&f->bi, "log", buf, 1));	/* "x" needs 2 bytes */
	assert_string_equal(buf, "");
	assert_non_null(boot_cmdline_get(&f->bi, "log", buf, 2));
	assert_string_equal(buf, "x");
	assert_null(boot_cmdline_get(&f->bi, "logl", buf, sizeof(buf)));
	assert_null(boot_cmdline_get(&f->bi, "missing", buf, sizeof(buf)));
	assert_null(boot_cmdline_get(&f->bi, "", buf, sizeof(buf)));
	assert_null(boot_cmdline_get(&f->bi, "exit", NULL, 4));
	assert_null(boot_cmdline_get(&f->bi, "exit", buf, 0));
	assert_null(boot_cmdline_get(NULL, "exit", buf, sizeof(buf)));
	assert_true(boot_cmdline_has(&f->bi, "exit"));
	assert_true(boot_cmdline_has(&f->bi, "exitnow"));
	assert_true(boot_cmdline_has(&f->bi, "acpidump"));
	assert_true(boot_cmdline_has(&f->bi, "/boot/hv.elf"));
	assert_false(boot_cmdline_has(&f->bi, "acpi"));
	assert_false(boot_cmdline_has(&f->bi, "debug"));
	assert_false(boot_cmdline_has(NULL, "exit"));

	assert_null(boot_cmdline_find("", "exit", buf, sizeof(buf)));
	assert_null(boot_cmdline_find("   ", "exit", buf, sizeof(buf)));
	assert_null(boot_cmdline_find(NULL, "exit", buf, sizeof(buf)));
	assert_non_null(boot_cmdline_find("exit", "exit", buf, sizeof(buf)));
	assert_non_null(boot_cmdline_find("x=1 ", "x", buf, sizeof(buf)));
	assert_string_equal(buf, "1");
	assert_null(boot_cmdline_find("x=0123456789abcdef", "x", buf, sizeof(buf)));
	assert_non_null(boot_cmdline_find("x=0123456789abcde", "x", buf, sizeof(buf)));
	assert_string_equal(buf, "0123456789abcde");
}

/* The parsed GRUB command line answers the kernel's options. */
static void test_cmdline_from_grub(void **state)
{
	struct fx *f = *state;
	char buf[16];

	assert_int_equal(parse2(f, mb2_build_grub(&f->m)), 0);
	assert_non_null(boot_cmdline_get(&f->bi, "loglevel", buf, sizeof(buf)));
	assert_string_equal(buf, "debug");
	assert_true(boot_cmdline_has(&f->bi, "acpidump"));
	assert_false(boot_cmdline_has(&f->bi, "exit"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mb2_grub),
		T(test_mb2_rsdp_order),
		T(test_mb2_minimal),
		T(test_mb2_mmap_big_entries),
		T(test_mb2_meminfo_only),
		T(test_mb1_grub),
		T(test_mb1_mem_only),
		T(test_mb1_flags_gate),
		T(test_mb1_module_no_string),
		T(test_truncation),
		T(test_mb2_limits),
		T(test_mb1_limits),
		T(test_mmap_wrap),
		T(test_bad_magic),
		T(test_mb2_info_placement),
		T(test_mb2_total_size),
		T(test_mb2_tag_size),
		T(test_mb2_end_tag),
		T(test_mb2_mmap_entry_size),
		T(test_mb2_strings_unterminated),
		T(test_mb2_short_tags),
		T(test_module_end_before_start),
		T(test_mb1_pointers_outside),
		T(test_mb1_unterminated),
		T(test_mb1_mmap_malformed),
		T(test_fuzz),
		T(test_cmdline),
		T(test_cmdline_from_grub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
