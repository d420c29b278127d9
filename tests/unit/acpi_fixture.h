/* SPDX-License-Identifier: MIT */
/* Host-test fake physical memory and ACPI table builders, and the dump-file fixture loader. */
#ifndef TESTS_UNIT_ACPI_FIXTURE_H
#define TESTS_UNIT_ACPI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/phys.h"

#define FAKE_PHYS_MAX_REGIONS 96

/*
 * Physical memory made of separately allocated regions: phys_map() succeeds only
 * for a range inside one region, so ASan catches any read past what was mapped.
 */
struct fake_region {
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
	char sig[5];         /* from a fixture: the signature it was dumped under */
};

struct fake_phys {
	struct phys_access pa;
	unsigned n;
	struct fake_region r[FAKE_PHYS_MAX_REGIONS];
	uint8_t *rsdp;       /* from a fixture: the RSDP record's bytes */
	size_t rsdp_len;
	uint64_t rsdp_addr;
	unsigned nmaps;      /* phys_map() calls seen */
};

void fake_phys_init(struct fake_phys *f);
void fake_phys_free(struct fake_phys *f);
/* A zeroed region of len bytes at addr; returns its bytes. */
uint8_t *fake_phys_add(struct fake_phys *f, uint64_t addr, size_t len);
uint8_t *fake_phys_add_copy(struct fake_phys *f, uint64_t addr, const void *src, size_t len);
/* Writable bytes at addr (inside a region), or NULL. */
uint8_t *fake_phys_bytes(struct fake_phys *f, uint64_t addr);
/* Replace the region at addr with a copy of len bytes (to grow or shrink a table). */
uint8_t *fake_phys_replace(struct fake_phys *f, uint64_t addr, const void *src, size_t len);

/*
 * Load a dump file (the ACPIDUMP/ACPIHEX/ACPIEND lines of acpi_dump(), '#' comments
 * and blank lines ignored): every table becomes a region at its address, the RSDP
 * record goes to f->rsdp. Returns 0, or -1 with a message on stderr.
 */
int acpi_fixture_load(struct fake_phys *f, const char *path);

/* ---- builders for synthetic tables ---- */
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
void put64(uint8_t *p, uint64_t v);
/* Fill a 36-byte SDT header (OEM "HVTEST") and set its checksum over len bytes. */
void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev);
/* Recompute the checksum byte of an SDT from its length field. */
void sdt_fix(uint8_t *t);
/* Build an RSDP (v1 when xsdt is 0, else v2 36 bytes) into p, checksums set. */
size_t rsdp_build(uint8_t *p, uint32_t rsdt, uint64_t xsdt);


/* A table under construction: append fields, then close it as an SDT. */
struct tbuf {
	uint8_t b[8192];
	uint32_t n;
};

void tb_init(struct tbuf *t, const char *sig, uint8_t rev); /* 36-byte header */
void tb_u8(struct tbuf *t, uint8_t v);
void tb_u16(struct tbuf *t, uint16_t v);
void tb_u32(struct tbuf *t, uint32_t v);
void tb_u64(struct tbuf *t, uint64_t v);
void tb_zero(struct tbuf *t, uint32_t n);
/* Set the header's length to t->n and its checksum; returns t->b. */
uint8_t *tb_done(struct tbuf *t);

#endif
