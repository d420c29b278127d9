/* SPDX-License-Identifier: MIT */
/* ACPI table discovery (RSDP, RSDT/XSDT), MADT and MCFG parsing, and a table dump. */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/phys.h"

/*
 * Everything here is pure: physical memory is reached only through a struct
 * phys_access, tables may be unaligned and are read byte by byte, and every length
 * is checked before the bytes it covers are read. Functions return 0 or -HV_E*
 * (include/abi/hv_errno.h):
 *   -HV_EBADMSG  bad signature, checksum or length (a table shorter than its header,
 *                longer than what is mapped, a sub-entry of length 0, shorter than
 *                its type needs, or running past the table end);
 *   -HV_EFAULT   the RSDT/XSDT itself is not accessible;
 *   -HV_EEXIST   a duplicate (APIC ID);
 *   -HV_ERANGE   overlapping or inverted ranges (MCFG bus ranges);
 *   -HV_E2BIG    more entries than a fixed array below holds;
 *   -HV_ENOENT   not found.
 *
 * RSDT/XSDT entries that are 0 or point at memory phys_map() refuses are skipped
 * (counted in nskipped), never followed: firmware ships stale entries, and one bad
 * entry must not hide the MADT. The root table is walked on each lookup rather than
 * copied into a fixed array, so a machine with a hundred SSDTs needs no limit.
 */

#define ACPI_SDT_HDR_LEN 36u /* ACPI 6.5 5.2.6 table 5.4 */
#define ACPI_RSDP_V1_LEN 20u /* ACPI 6.5 5.2.5.3: fields covered by the v1 checksum */
#define ACPI_RSDP_V2_LEN 36u

/* Little-endian reads from possibly unaligned table bytes. */
static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)acpi_get16(p) | (uint32_t)acpi_get16(p + 2) << 16;
}

static inline uint64_t acpi_get64(const uint8_t *p)
{
	return (uint64_t)acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

/* Sum of len bytes modulo 256: 0 for a table with a correct checksum. */
uint8_t acpi_checksum(const void *p, size_t len);

/*
 * Checks a system description table header in a buffer of avail bytes: signature
 * sig (NULL: any), header length at least 36 and at most avail, checksum over that
 * length. On success *len (may be NULL) receives the header's length.
 */
__attribute__((warn_unused_result))
int acpi_check_sdt(const void *table, size_t avail, const char sig[4], uint32_t *len);

/* Maps and checks (as above, any signature) the whole table at physical addr. */
__attribute__((warn_unused_result))
int acpi_map_sdt(const struct phys_access *pa, uint64_t addr, const void **table,
		 uint32_t *len);

struct acpi {
	const struct phys_access *pa;
	uint64_t rsdp_addr;  /* 0 when initialised from a copy */
	uint8_t revision;    /* RSDP revision: 0 for ACPI 1.0, 2 for 2.0+ */
	char oem_id[7];      /* NUL-terminated */
	uint64_t rsdt_addr;  /* as in the RSDP (0: none) */
	uint64_t xsdt_addr;  /* as in a v2 RSDP (0: none) */
	bool xsdt;           /* the root in use is the XSDT (else the RSDT) */
	uint64_t root_addr;  /* root table in use, checked at init */
	uint32_t root_len;
	unsigned ntables;    /* entries in the root table */
	unsigned nskipped;   /* of which 0 or inaccessible, skipped by every lookup */
};

/*
 * Initialise from a byte copy of the RSDP (multiboot2 ACPI old/new tags), len bytes.
 * A revision >= 2 RSDP copied with fewer than 36 bytes (the old tag holds only the
 * v1 part) is used as v1: RSDT only. The XSDT is preferred; if it fails its checks
 * and an RSDT exists, the RSDT is used instead (as Linux does).
 */
__attribute__((warn_unused_result))
int acpi_init_from_rsdp_copy(struct acpi *a, const struct phys_access *pa,
			     const void *rsdp, size_t len);

/*
 * Initialise by scanning for the RSDP as ACPI 6.5 5.2.5.1 says: the first KiB of the
 * EBDA (segment at phys 0x40E), then 0xE0000-0xFFFFF, on 16-byte boundaries.
 * Candidates with a bad checksum are skipped; -HV_ENOENT when none is valid.
 */
__attribute__((warn_unused_result))
int acpi_init_from_bios_scan(struct acpi *a, const struct phys_access *pa);

/*
 * Find the instance-th (from 0) table with signature sig in the root table; its
 * length and checksum are checked. Outputs may be NULL. -HV_ENOENT when there are
 * fewer such tables, -HV_EBADMSG when the one found is corrupt.
 */
__attribute__((warn_unused_result))
int acpi_find_table(const struct acpi *a, const char sig[4], unsigned instance,
		    const void **table, uint32_t *len, uint64_t *addr);

/* Physical address of root entry i (0 for i >= ntables). */
uint64_t acpi_table_addr(const struct acpi *a, unsigned i);

/* ---- MADT, signature "APIC": ACPI 6.5 5.2.12 ---- */
#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_madt_cpu {
	uint32_t apic_id;
	uint32_t uid;        /* ACPI processor UID */
	bool enabled;        /* flags bit 0 */
	bool online_capable; /* flags bit 1 (MADT revision >= 5) */
	bool x2apic_entry;   /* from a type 9 entry */
};

struct acpi_madt_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base;
};

struct acpi_madt_override {
	uint8_t bus;    /* 0: ISA */
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

/*
 * Only usable CPUs (enabled or online-capable) are listed in cpus[]; unusable LAPIC
 * entries are counted in nunusable. Their APIC IDs must be unique (-HV_EEXIST),
 * across type 0 and type 9 entries alike.
 */
struct acpi_madt_info {
	uint64_t lapic_addr; /* type 5 override applied */
	bool pcat_compat;    /* flags bit 0: dual 8259s present */
	unsigned ncpus;
	unsigned nunusable;
	struct acpi_madt_cpu cpus[ACPI_MAX_CPUS];
	unsigned nioapics;
	struct acpi_madt_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned noverrides;
	struct acpi_madt_override overrides[ACPI_MAX_OVERRIDES];
};

/* Parse a MADT of avail bytes (header and checksum checked too). */
__attribute__((warn_unused_result))
int acpi_parse_madt(const void *madt, uint32_t avail, struct acpi_madt_info *out);

/* ---- MCFG: PCI Firmware Specification 3.2, 4.1.2 ---- */
#define ACPI_MAX_MCFG 8

struct acpi_mcfg_seg {
	uint64_t base; /* ECAM base of bus 0 of the segment, even if bus_start > 0 */
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;
};

struct acpi_mcfg_info {
	unsigned n;
	struct acpi_mcfg_seg seg[ACPI_MAX_MCFG];
};

/* Parse an MCFG; -HV_ERANGE for an inverted bus range or overlapping ranges in a segment. */
__attribute__((warn_unused_result))
int acpi_parse_mcfg(const void *mcfg, uint32_t avail, struct acpi_mcfg_info *out);

/* ---- dump ---- */
typedef void (*acpi_print_fn)(void *ctx, const char *line);

/*
 * Print the RSDP (from rsdp_copy when not NULL, as address 0; else from a->rsdp_addr),
 * the XSDT and RSDT, then every table of the root, as lines without newline:
 *   ACPIDUMP <SIG> 0x<16 hex digits address> <decimal length>
 *   ACPIHEX <up to 32 bytes as lowercase hex>
 *   ACPIEND <SIG>
 * with the RSDP's signature written RSDP. Tables that cannot be mapped whole are
 * left out and make the result -HV_EBADMSG; the others are still printed.
 */
__attribute__((warn_unused_result))
int acpi_dump(const struct acpi *a, const void *rsdp_copy, size_t rsdp_len,
	      acpi_print_fn print, void *ctx);

#endif
