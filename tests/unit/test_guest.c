/* SPDX-License-Identifier: MIT */
/* Host tests of guest setup: the ELF loader, the guests= option and the boot information. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/elf.h"
#include "vmm/guest.h"
#include "vmm/log.h"

#define MEM_SIZE	(4u << 20)

/* guest_boot.c's console logs through this; these tests do not look at it. */
void log_printf(enum log_level lvl, const char *fmt, ...)
{
}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An ELF64 x86-64 executable: one PT_LOAD of 16 file bytes and 32 memory bytes at paddr. */
static size_t make_elf64(uint8_t *e, uint64_t paddr, uint64_t entry)
{
	memset(e, 0, 256);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 2;			/* ELFCLASS64 */
	e[5] = 1;			/* little endian */
	e[6] = 1;
	put(e + 16, 2, 2);		/* ET_EXEC */
	put(e + 18, 62, 2);		/* EM_X86_64 */
	put(e + 24, entry, 8);
	put(e + 32, 64, 8);		/* phoff */
	put(e + 54, 56, 2);		/* phentsize */
	put(e + 56, 1, 2);		/* phnum */
	put(e + 64, 1, 4);		/* PT_LOAD */
	put(e + 64 + 8, 128, 8);	/* offset */
	put(e + 64 + 16, paddr, 8);	/* vaddr */
	put(e + 64 + 24, paddr, 8);	/* paddr */
	put(e + 64 + 32, 16, 8);	/* filesz */
	put(e + 64 + 40, 32, 8);	/* memsz */
	for (int i = 0; i < 16; i++)
		e[128 + i] = (uint8_t)(0xa0 + i);
	return 144;
}

/* The same as ELF32 i386. */
static size_t make_elf32(uint8_t *e, uint32_t paddr, uint32_t entry)
{
	memset(e, 0, 256);
	memcpy(e, "\x7f" "ELF", 4);
	e[4] = 1;
	e[5] = 1;
	e[6] = 1;
	put(e + 16, 2, 2);
	put(e + 18, 3, 2);		/* EM_386 */
	put(e + 24, entry, 4);
	put(e + 28, 52, 4);		/* phoff */
	put(e + 42, 32, 2);
	put(e + 44, 1, 2);
	put(e + 52, 1, 4);
	put(e + 52 + 4, 128, 4);
	put(e + 52 + 8, paddr, 4);
	put(e + 52 + 12, paddr, 4);
	put(e + 52 + 16, 16, 4);
	put(e + 52 + 20, 32, 4);
	for (int i = 0; i < 16; i++)
		e[128 + i] = (uint8_t)(0xa0 + i);
	return 144;
}

static void test_elf_loads(void **state)
{
	uint8_t e[256];
	uint8_t *mem = calloc(1, MEM_SIZE);
	uint64_t entry = 0;
	size_t len = make_elf64(e, 0x100000, 0x100004);

	memset(mem + 0x100000, 0x55, 64);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), 0);
	assert_int_equal(entry, 0x100004);
	for (int i = 0; i < 16; i++)
		assert_int_equal(mem[0x100000 + i], 0xa0 + i);
	for (int i = 16; i < 32; i++)
		assert_int_equal(mem[0x100000 + i], 0);	/* .bss zeroed */
	assert_int_equal(mem[0x100000 + 32], 0x55);	/* nothing past memsz */
	len = make_elf32(e, 0x200000, 0x200000);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), 0);
	assert_int_equal(entry, 0x200000);
	assert_int_equal(mem[0x200000 + 15], 0xaf);
	free(mem);
}

static void test_elf_rejects(void **state)
{
	uint8_t e[256];
	uint8_t *mem = calloc(1, MEM_SIZE);
	uint64_t entry;
	size_t len;

	len = make_elf64(e, 0x100000, 0x100000);
	assert_int_equal(elf_load(e, 40, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	e[0] = 0;
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	/* Segment beyond guest memory, and straddling its end. */
	len = make_elf64(e, MEM_SIZE, MEM_SIZE);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ERANGE);
	len = make_elf64(e, MEM_SIZE - 16, MEM_SIZE - 16);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ERANGE);
	/* paddr + memsz wrapping around 2^64. */
	len = make_elf64(e, ~0ull - 8, ~0ull - 8);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ERANGE);
	/* Over the boot information page. */
	len = make_elf64(e, 0x8ff0, 0x8ff0);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ERANGE);
	/* Entry outside every segment. */
	len = make_elf64(e, 0x100000, 0x300000);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ERANGE);
	/* File bytes beyond the image, filesz > memsz. */
	len = make_elf64(e, 0x100000, 0x100000);
	assert_int_equal(elf_load(e, 100, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	put(e + 64 + 32, 64, 8);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	/* Program headers past the end, too many, none loadable. */
	len = make_elf64(e, 0x100000, 0x100000);
	put(e + 32, 250, 8);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	len = make_elf64(e, 0x100000, 0x100000);
	put(e + 56, 1000, 2);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	len = make_elf64(e, 0x100000, 0x100000);
	put(e + 64, 4, 4);	/* PT_NOTE */
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_ENOENT);
	/* Wrong machine for the class. */
	len = make_elf64(e, 0x100000, 0x100000);
	put(e + 18, 3, 2);
	assert_int_equal(elf_load(e, len, mem, MEM_SIZE, 0x8000, 0x9000, &entry), -HV_EBADMSG);
	/* Nothing was written by any rejected image. */
	for (size_t i = 0; i < MEM_SIZE; i++)
		if (mem[i])
			fail_msg("byte 0x%zx written by a rejected image", i);
	free(mem);
}

static void test_specs(void **state)
{
	struct guest_spec s[GUEST_MAX];

	assert_int_equal(guest_parse_specs("exits", s, GUEST_MAX), 1);
	assert_string_equal(s[0].name, "exits");
	assert_int_equal(s[0].cpu, 0);
	assert_int_equal(s[0].mem_mib, GUEST_DEFAULT_MIB);
	assert_null(s[0].cmdline);
	assert_int_equal(guest_parse_specs("a@1/32,b@0", s, GUEST_MAX), 2);
	assert_string_equal(s[0].name, "a");
	assert_int_equal(s[0].cpu, 1);
	assert_int_equal(s[0].mem_mib, 32);
	assert_string_equal(s[1].name, "b");
	assert_int_equal(guest_parse_specs("", s, GUEST_MAX), 0);
	assert_int_equal(guest_parse_specs("a@", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a@x", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a/3", s, GUEST_MAX), -HV_EINVAL);	/* odd MiB */
	assert_int_equal(guest_parse_specs("a/0", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a/4096", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a/99999999999", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs(",a", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a@1x", s, GUEST_MAX), -HV_EINVAL);
	assert_int_equal(guest_parse_specs("a,b,c", s, 2), -HV_E2BIG);
	assert_int_equal(guest_parse_specs("averyveryveryveryverylongguestname", s, 2), -HV_EINVAL);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_bootinfo(void **state)
{
	uint8_t *mem = calloc(1, MEM_SIZE);
	const uint8_t *info = mem + GUEST_BOOTINFO_GPA;
	const uint8_t *mmap;

	guest_write_bootinfo(mem, MEM_SIZE, "exits");
	assert_int_equal(get32(info), 0x45);			/* mem, cmdline, mmap */
	assert_int_equal(get32(info + 4), 639);
	assert_int_equal(get32(info + 8), (MEM_SIZE >> 10) - 1024);
	assert_string_equal((const char *)mem + get32(info + 16), "exits");
	assert_int_equal(get32(info + 44), 96);
	mmap = mem + get32(info + 48);
	assert_int_equal(get32(mmap), 20);
	assert_int_equal(get32(mmap + 12), 0x8000);		/* low memory up to the */
	assert_int_equal(get32(mmap + 20), 1);			/* hypervisor's pages */
	assert_int_equal(get32(mmap + 28), 0x8000);
	assert_int_equal(get32(mmap + 36), 0x8000);
	assert_int_equal(get32(mmap + 44), 2);			/* reserved */
	assert_int_equal(get32(mmap + 52), 0x10000);
	assert_int_equal(get32(mmap + 60), 0x9fc00 - 0x10000);
	assert_int_equal(get32(mmap + 76), 0x100000);		/* base of high memory */
	assert_int_equal(get32(mmap + 84), MEM_SIZE - 0x100000);
	assert_int_equal(get32(mmap + 92), 1);
	/* Everything stays inside the reserved boot-information page. */
	for (size_t i = 0; i < MEM_SIZE; i++)
		if (mem[i] && (i < GUEST_BOOTINFO_GPA || i >= GUEST_BOOTINFO_GPA + 0x1000))
			fail_msg("byte 0x%zx written outside the boot information page", i);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_loads),
		cmocka_unit_test(test_elf_rejects),
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_bootinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
