/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and Multiboot2 boot information parsing into one protocol-neutral summary. */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/phys.h"

/* EAX at entry: Multiboot 0.6.96 sec. 3.2, Multiboot2 1.6 sec. 3.3. */
#define MB1_BOOTLOADER_MAGIC	0x2BADB002u
#define MB2_BOOTLOADER_MAGIC	0x36D76289u

#define BOOT_PROTO_MB1		1
#define BOOT_PROTO_MB2		2

#define BOOT_CMDLINE_MAX	256	/* bytes, NUL included; longer lines are truncated */
#define BOOT_LOADER_NAME_MAX	64
#define BOOT_MOD_NAME_MAX	128
#define BOOT_MMAP_MAX		128	/* more entries: -HV_E2BIG */
#define BOOT_MODS_MAX		16	/* more modules: -HV_E2BIG */
#define BOOT_RSDP_MAX		36	/* ACPI 6.x sec. 5.2.5.3: XSDT-era RSDP length */
/* mb1: info, cmdline, mmap, module list, loader name, one string per module; plus modules. */
#define BOOT_RESV_MAX		(5 + 2 * BOOT_MODS_MAX)

/* Memory map types, shared by both protocols (Multiboot 0.6.96 sec. 3.3, Multiboot2 sec. 3.6.8). */
enum boot_mem_type {
	BOOT_MEM_AVAILABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,	/* ACPI reclaimable */
	BOOT_MEM_NVS = 4,	/* must be preserved across hibernation */
	BOOT_MEM_BAD = 5,
};

/* A half-open physical range [start, end). */
struct boot_range {
	uint64_t start;
	uint64_t end;
};

struct boot_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum boot_mem_type, or any other firmware value */
};

struct boot_module {
	uint64_t start;		/* [start, end) */
	uint64_t end;
	char name[BOOT_MOD_NAME_MAX];	/* the loader's module string, truncated, NUL-terminated */
};

enum boot_resv_kind {
	BOOT_RESV_INFO = 1,	/* boot information the parser read (info blob, strings, tables) */
	BOOT_RESV_MODULE = 2,	/* a module's contents */
};

struct boot_resv {
	uint64_t start;		/* [start, end), byte granular: round outwards to pages */
	uint64_t end;
	uint32_t kind;		/* enum boot_resv_kind */
};

struct boot_info {
	uint32_t protocol;		/* BOOT_PROTO_MB1 or BOOT_PROTO_MB2 */
	bool have_cmdline;
	bool cmdline_truncated;
	bool have_loader_name;
	bool have_mem;			/* mem_lower/mem_upper valid */
	bool have_mmap;			/* loader gave a map; false: synthesized from mem_* */
	uint32_t mem_lower_kib;		/* memory below 1 MiB, from 0 */
	uint32_t mem_upper_kib;		/* memory from 1 MiB to the first hole */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[BOOT_LOADER_NAME_MAX];
	size_t mmap_count;
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	size_t mod_count;
	struct boot_module mods[BOOT_MODS_MAX];
	size_t rsdp_len;		/* 0: no RSDP tag; 20: ACPI 1.0 RSDP; 36: ACPI 2.0+ */
	uint8_t rsdp[BOOT_RSDP_MAX];
	/*
	 * Everything the page allocator must never hand out because of the boot: the
	 * info structures (BOOT_RESV_INFO) and the modules (BOOT_RESV_MODULE). Empty
	 * ranges are not recorded.
	 */
	size_t resv_count;
	struct boot_resv resv[BOOT_RESV_MAX];
};

/*
 * Parses the boot information at physical address info_pa, handed over with magic in
 * EAX, reading memory only through pa. Returns 0, or:
 *   -HV_EINVAL   unknown magic, misaligned info, a module with end < start, a map
 *                entry that wraps past 2^64;
 *   -HV_EFAULT   a pointer (info, string, table) to memory pa cannot map, or a string
 *                with no NUL in the accessible memory (mb1);
 *   -HV_EBADMSG  a malformed structure: bad total_size, tag size, missing end tag,
 *                bad mmap entry size, unterminated string in a tag;
 *   -HV_E2BIG    more than BOOT_MMAP_MAX map entries or BOOT_MODS_MAX modules.
 * On error *bi is left zeroed except for protocol.
 */
__attribute__((warn_unused_result))
int multiboot_parse(uint32_t magic, uint64_t info_pa, const struct phys_access *pa,
		    struct boot_info *bi);

/*
 * Command-line options are space-separated words, "key=value" or a bare "key"; the
 * last occurrence wins. Returns buf holding the value ("" for a bare key), or NULL
 * when key is absent or its value does not fit in len bytes (buf then holds "").
 */
const char *boot_cmdline_find(const char *cmdline, const char *key, char *buf, size_t len);
const char *boot_cmdline_get(const struct boot_info *bi, const char *key, char *buf,
			     size_t len);
/* True when key appears as a bare word or as "key=...". */
bool boot_cmdline_has(const struct boot_info *bi, const char *key);

#endif
