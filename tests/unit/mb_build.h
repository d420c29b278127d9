/* SPDX-License-Identifier: MIT */
/* Test helpers: fake physical memory and builders for GRUB-shaped multiboot info. */
#ifndef TESTS_UNIT_MB_BUILD_H
#define TESTS_UNIT_MB_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"
#include "vmm/phys.h"

/*
 * Physical memory [base, base + size), backed by buf. Each successful map hands out a
 * fresh heap copy of exactly the bytes asked for, so ASan flags any read past what
 * the parser mapped; copies are freed by fake_mem_fini().
 */
struct fake_mem {
	uint64_t base;
	size_t size;
	uint8_t *buf;
	void **copies;
	size_t ncopies, capcopies;
};

void fake_mem_init(struct fake_mem *m, uint64_t base, size_t size);
void fake_mem_fini(struct fake_mem *m);
struct phys_access fake_mem_access(struct fake_mem *m);
uint8_t *fake_ptr(struct fake_mem *m, uint64_t pa);
void fake_put32(struct fake_mem *m, uint64_t pa, uint32_t v);
void fake_put64(struct fake_mem *m, uint64_t pa, uint64_t v);
/* Writes s with its NUL; returns pa. */
uint64_t fake_puts(struct fake_mem *m, uint64_t pa, const char *s);

/* Multiboot2 builder: tags appended at 8-byte boundaries after the 8-byte header. */
struct mb2_builder {
	struct fake_mem *m;
	uint64_t pa;
	uint32_t off;
};

void mb2_begin(struct mb2_builder *b, struct fake_mem *m, uint64_t pa);
uint64_t mb2_tag(struct mb2_builder *b, uint32_t type, uint32_t size); /* returns tag pa */
void mb2_tag_string(struct mb2_builder *b, uint32_t type, const char *s);
void mb2_tag_module(struct mb2_builder *b, uint32_t start, uint32_t end, const char *name);
void mb2_tag_mmap(struct mb2_builder *b, const struct boot_mmap_entry *e, size_t n,
		  uint32_t entry_size);
void mb2_tag_bytes(struct mb2_builder *b, uint32_t type, const uint8_t *p, size_t n);
uint32_t mb2_end(struct mb2_builder *b); /* adds the end tag, sets total_size */

/* A BIOS e820 map of a 256 MiB QEMU q35 machine, as GRUB 2.06 passes it. */
extern const struct boot_mmap_entry q35_map[];
extern const size_t q35_map_count;

#define FAKE_BASE	0x10000ull
#define FAKE_SIZE	0x20000u
#define GRUB_CMDLINE	"/boot/hv.elf loglevel=debug acpidump selftest=ud"
#define GRUB_LOADER	"GRUB 2.06-13+deb12u1"
#define MOD0_START	0x400000u
#define MOD0_END	0x4a3c15u
#define MOD0_NAME	"/boot/manifest.txt role=policy"
#define MOD1_START	0x4a4000u
#define MOD1_END	0x9b1000u
#define MOD1_NAME	"/boot/service.elf"

extern const uint8_t test_rsdp_v1[20];
extern const uint8_t test_rsdp_v2[36];

/* Builds GRUB-like info in m; returns its physical address. */
uint64_t mb2_build_grub(struct fake_mem *m);
uint64_t mb1_build_grub(struct fake_mem *m);

/* Where mb1_build_grub puts its pieces (tests corrupt them). */
#define MB1_INFO_PA	(FAKE_BASE + 0x1000)
#define MB1_CMDLINE_PA	(FAKE_BASE + 0x1100)
#define MB1_LOADER_PA	(FAKE_BASE + 0x1200)
#define MB1_MODS_PA	(FAKE_BASE + 0x1300)
#define MB1_MODSTR_PA	(FAKE_BASE + 0x1400)
#define MB1_MMAP_PA	(FAKE_BASE + 0x1800)
#define MB2_INFO_PA	(FAKE_BASE + 0x4000)

#endif
