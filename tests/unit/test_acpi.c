/* SPDX-License-Identifier: MIT */
/* Unit tests for the ACPI parser: RSDP/RSDT/XSDT, MADT, MCFG, dump, real fixtures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "arch/x86/acpi.h"
#include "include/abi/hv_errno.h"
#include "tests/unit/acpi_fixture.h"

/* ---- a synthetic machine ---- */
#define BDA 0x400u
#define EBDA 0x9fc00u
#define ROM 0xe0000u
#define ROM_RSDP 0xf5a40u
#define RSDT_PA 0x7ffe0000u
#define XSDT_PA 0x7ffe1000u
#define FACP_PA 0x7ffe2000u
#define MADT_PA 0x7ffe3000u
#define MCFG_PA 0x7ffe4000u
#define SSDT0_PA 0x7ffe5000u
#define SSDT1_PA 0x7ffe6000u
#define NOWHERE 0x40000000u /* not backed by any region */

static const uint32_t std_tables[] = { FACP_PA, MADT_PA, MCFG_PA, SSDT0_PA, SSDT1_PA };
#define NSTD (sizeof(std_tables) / sizeof(std_tables[0]))

struct machine {
	struct fake_phys f;
	uint8_t rsdp[36];
	size_t rsdp_len;
	struct acpi a;
};

static void madt_lapic(struct tbuf *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	tb_u8(t, 0);
	tb_u8(t, 8);
	tb_u8(t, uid);
	tb_u8(t, id);
	tb_u32(t, flags);
}

static void madt_x2apic(struct tbuf *t, uint32_t id, uint32_t uid, uint32_t flags)
{
	tb_u8(t, 9);
	tb_u8(t, 16);
	tb_u16(t, 0);
	tb_u32(t, id);
	tb_u32(t, flags);
	tb_u32(t, uid);
}

static void madt_ioapic(struct tbuf *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	tb_u8(t, 1);
	tb_u8(t, 12);
	tb_u8(t, id);
	tb_u8(t, 0);
	tb_u32(t, addr);
	tb_u32(t, gsi);
}

static void madt_iso(struct tbuf *t, uint8_t src, uint32_t gsi, uint16_t flags)
{
	tb_u8(t, 2);
	tb_u8(t, 10);
	tb_u8(t, 0);
	tb_u8(t, src);
	tb_u32(t, gsi);
	tb_u16(t, flags);
}

static void madt_head(struct tbuf *t)
{
	tb_init(t, "APIC", 5);
	tb_u32(t, 0xfee00000);
	tb_u32(t, 1); /* PCAT_COMPAT */
}

/* Offset of the first sub-entry: everything after it is built by the tests. */
#define MADT_E0 44

static void madt_std(struct tbuf *t)
{
	madt_head(t);
	madt_lapic(t, 0, 0, 1);
	madt_lapic(t, 1, 1, 1);
	madt_lapic(t, 2, 2, 0);         /* disabled: not usable */
	madt_lapic(t, 3, 3, 2);         /* online capable */
	madt_x2apic(t, 0x100, 4, 1);
	madt_ioapic(t, 2, 0xfec00000, 0);
	madt_iso(t, 0, 2, 0);
	madt_iso(t, 9, 9, 0xd);
	tb_u8(t, 4);                    /* LAPIC NMI, skipped */
	tb_u8(t, 6);
	tb_u8(t, 0xff);
	tb_u16(t, 5);
	tb_u8(t, 1);
	tb_u8(t, 0x7f);                 /* unknown type, skipped by length */
	tb_u8(t, 3);
	tb_u8(t, 0);
	tb_done(t);
}

static void mcfg_entry(struct tbuf *t, uint64_t base, uint16_t seg, uint8_t b0, uint8_t b1)
{
	tb_u64(t, base);
	tb_u16(t, seg);
	tb_u8(t, b0);
	tb_u8(t, b1);
	tb_u32(t, 0);
}

static void mcfg_std(struct tbuf *t)
{
	tb_init(t, "MCFG", 1);
	tb_zero(t, 8);
	mcfg_entry(t, 0xb0000000, 0, 0, 0xff);
	tb_done(t);
}

static void add_table(struct fake_phys *f, uint64_t pa, struct tbuf *t)
{
	fake_phys_add_copy(f, pa, t->b, t->n);
}

static void add_root(struct fake_phys *f, const char *sig, uint64_t pa,
		     const uint64_t *e, unsigned n)
{
	bool x = !strcmp(sig, "XSDT");
	struct tbuf t;

	tb_init(&t, sig, 1);
	for (unsigned i = 0; i < n; i++) {
		if (x)
			tb_u64(&t, e[i]);
		else
			tb_u32(&t, (uint32_t)e[i]);
	}
	tb_done(&t);
	add_table(f, pa, &t);
}

static void add_std_roots(struct fake_phys *f, uint64_t extra)
{
	uint64_t e[NSTD + 1];
	unsigned n = 0;

	for (unsigned i = 0; i < NSTD; i++)
		e[n++] = std_tables[i];
	if (extra)
		e[n++] = extra;
	add_root(f, "RSDT", RSDT_PA, e, n);
	add_root(f, "XSDT", XSDT_PA, e, n);
}

static void add_std_tables(struct fake_phys *f)
{
	struct tbuf t;

	tb_init(&t, "FACP", 6);
	tb_zero(&t, 240);
	tb_done(&t);
	add_table(f, FACP_PA, &t);
	madt_std(&t);
	add_table(f, MADT_PA, &t);
	mcfg_std(&t);
	add_table(f, MCFG_PA, &t);
	tb_init(&t, "SSDT", 2);
	tb_u32(&t, 0);
	tb_done(&t);
	add_table(f, SSDT0_PA, &t);
	tb_init(&t, "SSDT", 2);
	tb_u64(&t, 1);
	tb_done(&t);
	add_table(f, SSDT1_PA, &t);
}

/* The standard machine: both roots, tables; RSDP built but placed nowhere. */
static struct machine *machine_new(bool v2)
{
	struct machine *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	fake_phys_init(&m->f);
	add_std_roots(&m->f, 0);
	add_std_tables(&m->f);
	m->rsdp_len = rsdp_build(m->rsdp, RSDT_PA, v2 ? XSDT_PA : 0);
	return m;
}

static void machine_free(struct machine *m)
{
	fake_phys_free(&m->f);
	free(m);
}

static int machine_init(struct machine *m)
{
	return acpi_init_from_rsdp_copy(&m->a, &m->f.pa, m->rsdp, m->rsdp_len);
}

/* Flip a byte of a table, fixing its checksum again when fix is set. */
static void poke(struct machine *m, uint64_t pa, unsigned off, uint8_t v, bool fix)
{
	uint8_t *t = fake_phys_bytes(&m->f, pa);

	t[off] = v;
	if (fix)
		sdt_fix(t);
}

/* ---- RSDP and root ---- */

static void test_rsdp_v1_uses_rsdt(void **state)
{
	struct machine *m = machine_new(false);

	assert_int_equal(machine_init(m), 0);
	assert_false(m->a.xsdt);
	assert_int_equal(m->a.root_addr, RSDT_PA);
	assert_int_equal(m->a.ntables, NSTD);
	assert_int_equal(m->a.nskipped, 0);
	assert_int_equal(m->a.revision, 0);
	assert_string_equal(m->a.oem_id, "HVTEST");
	assert_int_equal(m->a.rsdp_addr, 0);
	machine_free(m);
}

static void test_rsdp_v2_uses_xsdt(void **state)
{
	struct machine *m = machine_new(true);

	assert_int_equal(machine_init(m), 0);
	assert_true(m->a.xsdt);
	assert_int_equal(m->a.root_addr, XSDT_PA);
	assert_int_equal(m->a.ntables, NSTD);
	assert_int_equal(m->a.revision, 2);
	for (unsigned i = 0; i < NSTD; i++)
		assert_int_equal(acpi_table_addr(&m->a, i), std_tables[i]);
	assert_int_equal(acpi_table_addr(&m->a, NSTD), 0);
	machine_free(m);
}

static void test_rsdp_v1_checksum(void **state)
{
	struct machine *m = machine_new(false);

	m->rsdp[8] ^= 1;
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

static void test_rsdp_v2_ext_checksum(void **state)
{
	struct machine *m = machine_new(true);

	m->rsdp[32] ^= 1; /* extended checksum only: the v1 part is still good */
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

static void test_rsdp_bad_signature_and_short(void **state)
{
	struct machine *m = machine_new(true);

	assert_int_equal(acpi_init_from_rsdp_copy(&m->a, &m->f.pa, m->rsdp, 19),
			 -HV_EBADMSG);
	assert_int_equal(acpi_init_from_rsdp_copy(&m->a, &m->f.pa, NULL, 36), -HV_EBADMSG);
	m->rsdp[0] = 'X';
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

/* The length field must be at least 36 and within the copy. */
static void test_rsdp_v2_length_field(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t big[40];

	put32(m->rsdp + 20, 40);
	m->rsdp[32] = 0;
	m->rsdp[32] = (uint8_t)(0x100 - acpi_checksum(m->rsdp, 36));
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	memcpy(big, m->rsdp, 36);
	memset(big + 36, 0, 4);
	assert_int_equal(acpi_init_from_rsdp_copy(&m->a, &m->f.pa, big, 40), 0);
	put32(m->rsdp + 20, 24);
	m->rsdp[32] = 0;
	m->rsdp[32] = (uint8_t)(0x100 - acpi_checksum(m->rsdp, 24));
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

/* GRUB's old-RSDP tag holds 20 bytes even of a revision 2 RSDP: use the RSDT. */
static void test_rsdp_v2_truncated_copy(void **state)
{
	struct machine *m = machine_new(true);

	assert_int_equal(acpi_init_from_rsdp_copy(&m->a, &m->f.pa, m->rsdp, 20), 0);
	assert_false(m->a.xsdt);
	assert_int_equal(m->a.xsdt_addr, 0);
	machine_free(m);
}

static void test_xsdt_bad_falls_back_to_rsdt(void **state)
{
	struct machine *m = machine_new(true);

	poke(m, XSDT_PA, 9, (uint8_t)(fake_phys_bytes(&m->f, XSDT_PA)[9] + 1), false);
	assert_int_equal(machine_init(m), 0);
	assert_false(m->a.xsdt);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, NULL), 0);
	machine_free(m);
}

static void test_xsdt_bad_no_rsdt(void **state)
{
	struct machine *m = machine_new(true);

	put32(m->rsdp + 16, 0);
	m->rsdp[8] = 0;
	m->rsdp[8] = (uint8_t)(0x100 - acpi_checksum(m->rsdp, 20));
	m->rsdp[32] = 0;
	m->rsdp[32] = (uint8_t)(0x100 - acpi_checksum(m->rsdp, 36));
	assert_int_equal(machine_init(m), 0);
	poke(m, XSDT_PA, 9, (uint8_t)(fake_phys_bytes(&m->f, XSDT_PA)[9] + 1), false);
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

static void test_root_inaccessible(void **state)
{
	struct machine *m = machine_new(false);

	m->rsdp_len = rsdp_build(m->rsdp, NOWHERE, 0);
	assert_int_equal(machine_init(m), -HV_EFAULT);
	machine_free(m);
}

static void test_root_bad_entry_length(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t *x = fake_phys_bytes(&m->f, XSDT_PA);

	put32(x + 4, acpi_get32(x + 4) - 4); /* half an entry left over */
	sdt_fix(x);
	assert_int_equal(machine_init(m), 0); /* falls back to the RSDT */
	assert_false(m->a.xsdt);
	put32(m->rsdp + 16, 0);
	m->rsdp_len = rsdp_build(m->rsdp, 0, XSDT_PA);
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

static void test_root_wrong_signature(void **state)
{
	struct machine *m = machine_new(false);

	m->rsdp_len = rsdp_build(m->rsdp, MADT_PA, 0);
	assert_int_equal(machine_init(m), -HV_EBADMSG);
	machine_free(m);
}

/* ---- table lookup ---- */

static void test_find_tables(void **state)
{
	struct machine *m = machine_new(true);
	const void *t;
	uint32_t len;
	uint64_t pa;

	assert_int_equal(machine_init(m), 0);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, &t, &len, &pa), 0);
	assert_int_equal(pa, MADT_PA);
	assert_ptr_equal(t, fake_phys_bytes(&m->f, MADT_PA));
	assert_int_equal(len, acpi_get32((const uint8_t *)t + 4));
	assert_int_equal(acpi_find_table(&m->a, "SSDT", 1, NULL, &len, &pa), 0);
	assert_int_equal(pa, SSDT1_PA);
	assert_int_equal(len, 44);
	assert_int_equal(acpi_find_table(&m->a, "SSDT", 2, NULL, NULL, NULL), -HV_ENOENT);
	assert_int_equal(acpi_find_table(&m->a, "DMAR", 0, NULL, NULL, NULL), -HV_ENOENT);
	machine_free(m);
}

static void test_find_bad_checksum(void **state)
{
	struct machine *m = machine_new(true);

	assert_int_equal(machine_init(m), 0);
	poke(m, MADT_PA, 50, 0x55, false);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, NULL), -HV_EBADMSG);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL), 0);
	machine_free(m);
}

static void test_find_short_length(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t *t = fake_phys_bytes(&m->f, MCFG_PA);

	assert_int_equal(machine_init(m), 0);
	put32(t + 4, 35);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL), -HV_EBADMSG);
	put32(t + 4, 0);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL), -HV_EBADMSG);
	machine_free(m);
}

static void test_find_length_past_mapping(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t *t = fake_phys_bytes(&m->f, MCFG_PA);

	assert_int_equal(machine_init(m), 0);
	put32(t + 4, acpi_get32(t + 4) + 1);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL), -HV_EBADMSG);
	put32(t + 4, 0xffffffffu);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL), -HV_EBADMSG);
	machine_free(m);
}

/* Entries that are 0 or unreachable are skipped, not errors: see acpi.h. */
static void test_root_entries_inaccessible_skipped(void **state)
{
	struct machine *m = calloc(1, sizeof(*m));
	uint64_t e[] = { NOWHERE, MADT_PA, 0, MADT_PA + 0x100000000ull, MCFG_PA };
	uint64_t pa;

	fake_phys_init(&m->f);
	add_std_tables(&m->f);
	add_root(&m->f, "XSDT", XSDT_PA, e, 5);
	m->rsdp_len = rsdp_build(m->rsdp, 0, XSDT_PA);
	assert_int_equal(machine_init(m), 0);
	assert_int_equal(m->a.ntables, 5);
	assert_int_equal(m->a.nskipped, 3);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, &pa), 0);
	assert_int_equal(pa, MADT_PA);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 1, NULL, NULL, NULL), -HV_ENOENT);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, &pa), 0);
	assert_int_equal(pa, MCFG_PA);
	machine_free(m);
}

/* ---- BIOS scan ---- */

static void bios_areas(struct machine *m, uint16_t ebda_seg)
{
	uint8_t *bda = fake_phys_add(&m->f, BDA, 0x100);

	put16(bda + 0x0e, ebda_seg);
	fake_phys_add(&m->f, EBDA, 0x400);
	fake_phys_add(&m->f, ROM, 0x20000);
}

static void test_scan_rom(void **state)
{
	struct machine *m = machine_new(true);

	bios_areas(m, EBDA >> 4);
	memcpy(fake_phys_bytes(&m->f, ROM_RSDP), m->rsdp, m->rsdp_len);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), 0);
	assert_int_equal(m->a.rsdp_addr, ROM_RSDP);
	assert_true(m->a.xsdt);
	machine_free(m);
}

static void test_scan_ebda_first(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t v1[20];

	bios_areas(m, EBDA >> 4);
	memcpy(fake_phys_bytes(&m->f, ROM_RSDP), m->rsdp, m->rsdp_len);
	rsdp_build(v1, RSDT_PA, 0);
	memcpy(fake_phys_bytes(&m->f, EBDA + 0x40), v1, 20);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), 0);
	assert_int_equal(m->a.rsdp_addr, EBDA + 0x40);
	assert_false(m->a.xsdt);
	machine_free(m);
}

/* Bad candidates (v1 or v2 checksum, misaligned) are passed over. */
static void test_scan_skips_bad(void **state)
{
	struct machine *m = machine_new(true);
	uint8_t *rom;

	bios_areas(m, EBDA >> 4);
	rom = fake_phys_bytes(&m->f, ROM);
	memcpy(rom + 0x100, m->rsdp, 36);
	rom[0x100 + 8] ^= 1;
	memcpy(rom + 0x200, m->rsdp, 36);
	rom[0x200 + 32] ^= 1;
	memcpy(rom + 0x308, m->rsdp, 36);
	memcpy(rom + 0x1fff0, m->rsdp, 16); /* cut by the end of the area */
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), -HV_ENOENT);
	memcpy(rom + 0x400, m->rsdp, 36);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), 0);
	assert_int_equal(m->a.rsdp_addr, ROM + 0x400);
	machine_free(m);
}

/* No BDA mapped, EBDA pointer at unmapped memory: the ROM scan still runs. */
static void test_scan_without_bda(void **state)
{
	struct machine *m = machine_new(false);

	fake_phys_add(&m->f, ROM, 0x20000);
	memcpy(fake_phys_bytes(&m->f, ROM + 0x1ffe0), m->rsdp, 20);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), 0);
	assert_int_equal(m->a.rsdp_addr, ROM + 0x1ffe0);
	fake_phys_free(&m->f);
	bios_areas(m, 0x8000);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), -HV_ENOENT);
	machine_free(m);
}

/* ---- MADT ---- */

static int parse_madt(struct tbuf *t, struct acpi_madt_info *mi)
{
	return acpi_parse_madt(t->b, t->n, mi);
}

static void test_madt_parse(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct tbuf t;

	madt_std(&t);
	assert_int_equal(parse_madt(&t, mi), 0);
	assert_int_equal(mi->lapic_addr, 0xfee00000);
	assert_true(mi->pcat_compat);
	assert_int_equal(mi->ncpus, 4);
	assert_int_equal(mi->nunusable, 1);
	assert_int_equal(mi->cpus[0].apic_id, 0);
	assert_true(mi->cpus[0].enabled);
	assert_int_equal(mi->cpus[1].apic_id, 1);
	assert_int_equal(mi->cpus[2].apic_id, 3);
	assert_false(mi->cpus[2].enabled);
	assert_true(mi->cpus[2].online_capable);
	assert_int_equal(mi->cpus[3].apic_id, 0x100);
	assert_int_equal(mi->cpus[3].uid, 4);
	assert_true(mi->cpus[3].x2apic_entry);
	assert_false(mi->cpus[0].x2apic_entry);
	assert_int_equal(mi->nioapics, 1);
	assert_int_equal(mi->ioapics[0].id, 2);
	assert_int_equal(mi->ioapics[0].addr, 0xfec00000);
	assert_int_equal(mi->ioapics[0].gsi_base, 0);
	assert_int_equal(mi->noverrides, 2);
	assert_int_equal(mi->overrides[1].source, 9);
	assert_int_equal(mi->overrides[1].gsi, 9);
	assert_int_equal(mi->overrides[1].flags, 0xd);
	free(mi);
}

static void test_madt_lapic_addr_override(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct tbuf t;

	madt_head(&t);
	madt_lapic(&t, 0, 0, 1);
	tb_u8(&t, 5);
	tb_u8(&t, 12);
	tb_u16(&t, 0);
	tb_u64(&t, 0x1234fee00000ull);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), 0);
	assert_int_equal(mi->lapic_addr, 0x1234fee00000ull);
	free(mi);
}

/* A MADT holding one entry given as raw bytes. */
static int madt_one(const uint8_t *e, unsigned n, struct acpi_madt_info *mi)
{
	struct tbuf t;

	madt_head(&t);
	for (unsigned i = 0; i < n; i++)
		tb_u8(&t, e[i]);
	tb_done(&t);
	return parse_madt(&t, mi);
}

static void test_madt_entry_lengths(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	static const uint8_t zero_len[] = { 0, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t unknown_zero[] = { 0x7f, 0 };
	static const uint8_t lapic_short[] = { 0, 6, 0, 0, 1, 0 };
	static const uint8_t ioapic_short[] = { 1, 10, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0 };
	static const uint8_t iso_short[] = { 2, 8, 0, 0, 2, 0, 0, 0 };
	static const uint8_t nmi_short[] = { 4, 5, 0, 0, 0 };
	static const uint8_t lovr_short[] = { 5, 8, 0, 0, 0, 0, 0xe0, 0xfe };
	static const uint8_t x2_short[] = { 9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t past_end[] = { 0, 10, 0, 0, 1, 0, 0, 0 };
	static const uint8_t one_byte[] = { 0 };
	static const uint8_t ok[] = { 0, 8, 0, 0, 1, 0, 0, 0 };

	assert_int_equal(madt_one(ok, sizeof(ok), mi), 0);
	assert_int_equal(madt_one(zero_len, sizeof(zero_len), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(unknown_zero, sizeof(unknown_zero), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(lapic_short, sizeof(lapic_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(ioapic_short, sizeof(ioapic_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(iso_short, sizeof(iso_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(nmi_short, sizeof(nmi_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(lovr_short, sizeof(lovr_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(x2_short, sizeof(x2_short), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(past_end, sizeof(past_end), mi), -HV_EBADMSG);
	assert_int_equal(madt_one(one_byte, sizeof(one_byte), mi), -HV_EBADMSG);
	free(mi);
}

static void test_madt_header(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct tbuf t;

	madt_std(&t);
	assert_int_equal(acpi_parse_madt(t.b, t.n - 1, mi), -HV_EBADMSG); /* past avail */
	assert_int_equal(acpi_parse_madt(t.b, t.n + 100, mi), 0);       /* header rules */
	t.b[20] ^= 1;
	assert_int_equal(parse_madt(&t, mi), -HV_EBADMSG);               /* checksum */
	madt_std(&t);
	memcpy(t.b, "APIX", 4);
	sdt_fix(t.b);
	assert_int_equal(parse_madt(&t, mi), -HV_EBADMSG);               /* signature */
	tb_init(&t, "APIC", 5);
	tb_u32(&t, 0xfee00000);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_EBADMSG);               /* no flags */
	assert_int_equal(acpi_parse_madt(t.b, 20, mi), -HV_EBADMSG);     /* < header */
	free(mi);
}

static void test_madt_duplicate_apic_id(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct tbuf t;

	madt_head(&t);
	madt_lapic(&t, 0, 7, 1);
	madt_lapic(&t, 1, 7, 1);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_EEXIST);
	madt_head(&t);
	madt_lapic(&t, 0, 7, 1);
	madt_x2apic(&t, 7, 1, 1);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_EEXIST);
	madt_head(&t);                  /* unusable entries may repeat (0xff fillers) */
	madt_lapic(&t, 0, 0xff, 0);
	madt_lapic(&t, 1, 0xff, 0);
	madt_lapic(&t, 2, 0, 1);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), 0);
	assert_int_equal(mi->ncpus, 1);
	assert_int_equal(mi->nunusable, 2);
	free(mi);
}

static void test_madt_full_arrays(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct tbuf t;

	madt_head(&t);
	for (unsigned i = 0; i <= ACPI_MAX_CPUS; i++)
		madt_x2apic(&t, i, i, 1);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_E2BIG);
	madt_head(&t);
	for (unsigned i = 0; i <= ACPI_MAX_IOAPICS; i++)
		madt_ioapic(&t, (uint8_t)i, 0xfec00000 + 0x1000 * i, 24 * i);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_E2BIG);
	madt_head(&t);
	for (unsigned i = 0; i <= ACPI_MAX_OVERRIDES; i++)
		madt_iso(&t, (uint8_t)i, i, 0);
	tb_done(&t);
	assert_int_equal(parse_madt(&t, mi), -HV_E2BIG);
	free(mi);
}

/* ---- MCFG ---- */

static void test_mcfg(void **state)
{
	struct acpi_mcfg_info mc;
	struct tbuf t;

	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 8);
	mcfg_entry(&t, 0xb0000000, 0, 0, 0x7f);
	mcfg_entry(&t, 0xc0000000, 0, 0x80, 0xff);
	mcfg_entry(&t, 0xd0000000, 1, 0, 0xff);  /* other segment: no overlap */
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), 0);
	assert_int_equal(mc.n, 3);
	assert_int_equal(mc.seg[1].base, 0xc0000000);
	assert_int_equal(mc.seg[1].bus_start, 0x80);
	assert_int_equal(mc.seg[2].segment, 1);
	assert_int_equal(mc.seg[2].bus_end, 0xff);
	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 8);
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), 0);
	assert_int_equal(mc.n, 0);
}

static void test_mcfg_overlap(void **state)
{
	struct acpi_mcfg_info mc;
	struct tbuf t;

	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 8);
	mcfg_entry(&t, 0xb0000000, 0, 0, 0x80);
	mcfg_entry(&t, 0xc0000000, 0, 0x80, 0xff);
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), -HV_ERANGE);
	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 8);
	mcfg_entry(&t, 0xb0000000, 0, 0x10, 0x0f); /* inverted */
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), -HV_ERANGE);
}

static void test_mcfg_lengths(void **state)
{
	struct acpi_mcfg_info mc;
	struct tbuf t;

	mcfg_std(&t);
	t.n -= 1;
	tb_done(&t);                    /* 15-byte entry */
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), -HV_EBADMSG);
	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 4);                 /* shorter than the reserved field */
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), -HV_EBADMSG);
	tb_init(&t, "MCFG", 1);
	tb_zero(&t, 8);
	for (unsigned i = 0; i <= ACPI_MAX_MCFG; i++)
		mcfg_entry(&t, 0xb0000000, (uint16_t)i, 0, 0xff);
	tb_done(&t);
	assert_int_equal(acpi_parse_mcfg(t.b, t.n, &mc), -HV_E2BIG);
}

/* ---- dump ---- */

struct lines {
	char *buf;
	size_t len, cap;
	unsigned n;
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;
	size_t n = strlen(line);

	assert_true(n <= 80);
	assert_null(strchr(line, '\n'));
	if (l->len + n + 2 > l->cap) {
		l->cap = (l->len + n + 2) * 2;
		l->buf = realloc(l->buf, l->cap);
		assert_non_null(l->buf);
	}
	memcpy(l->buf + l->len, line, n);
	l->len += n;
	l->buf[l->len++] = '\n';
	l->buf[l->len] = 0;
	l->n++;
}

/* Write the dump to a file and load it as a fixture. */
static void reload(struct lines *l, struct fake_phys *f)
{
	char path[] = "/tmp/test_acpi_dumpXXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, l->buf, l->len), (ssize_t)l->len);
	close(fd);
	fake_phys_init(f);
	assert_int_equal(acpi_fixture_load(f, path), 0);
	unlink(path);
}

static void test_dump_format(void **state)
{
	struct machine *m = machine_new(true);
	struct lines l = { 0 };

	assert_int_equal(machine_init(m), 0);
	assert_int_equal(acpi_dump(&m->a, m->rsdp, m->rsdp_len, collect, &l), 0);
	assert_non_null(strstr(l.buf, "ACPIDUMP RSDP 0x0000000000000000 36\n"
				      "ACPIHEX 5253442050545220"));
	assert_non_null(strstr(l.buf, "ACPIEND RSDP\nACPIDUMP XSDT 0x000000007ffe1000 76\n"));
	assert_non_null(strstr(l.buf, "ACPIDUMP RSDT 0x000000007ffe0000 56\n"));
	assert_non_null(strstr(l.buf, "ACPIDUMP SSDT 0x000000007ffe6000 44\n"
				      "ACPIHEX 5353445"));
	/* FACP: 276 bytes = 8 full lines and one of 20 bytes */
	assert_non_null(strstr(l.buf, "ACPIDUMP FACP 0x000000007ffe2000 276\n"));
	assert_non_null(strstr(l.buf, "\nACPIHEX 0000000000000000000000000000000000000000\n"
				      "ACPIEND FACP\n"));
	/* RSDP 36, XSDT 76, RSDT 56, FACP 276, APIC 133, MCFG 60, SSDTs 40 and 44 bytes */
	assert_int_equal(l.n, 4 + 5 + 4 + 11 + 7 + 4 + 4 + 4);
	free(l.buf);
	machine_free(m);
}

static void test_dump_round_trip(void **state)
{
	struct machine *m = machine_new(true);
	struct lines l = { 0 };
	struct fake_phys g;
	struct acpi b;
	const void *t1, *t2;
	uint32_t n1, n2;

	assert_int_equal(machine_init(m), 0);
	assert_int_equal(acpi_dump(&m->a, m->rsdp, m->rsdp_len, collect, &l), 0);
	reload(&l, &g);
	assert_int_equal(g.rsdp_len, 36);
	assert_int_equal(g.rsdp_addr, 0);
	assert_int_equal(acpi_init_from_rsdp_copy(&b, &g.pa, g.rsdp, g.rsdp_len), 0);
	assert_int_equal(b.ntables, NSTD);
	for (unsigned i = 0; i < NSTD; i++) {
		assert_int_equal(acpi_map_sdt(&m->f.pa, std_tables[i], &t1, &n1), 0);
		assert_int_equal(acpi_map_sdt(&g.pa, std_tables[i], &t2, &n2), 0);
		assert_int_equal(n1, n2);
		assert_memory_equal(t1, t2, n1);
	}
	fake_phys_free(&g);
	free(l.buf);
	machine_free(m);
}

/* From a BIOS scan the RSDP is dumped from memory, with its address. */
static void test_dump_scanned_rsdp(void **state)
{
	struct machine *m = machine_new(false);
	struct lines l = { 0 };

	bios_areas(m, EBDA >> 4);
	memcpy(fake_phys_bytes(&m->f, ROM_RSDP), m->rsdp, m->rsdp_len);
	assert_int_equal(acpi_init_from_bios_scan(&m->a, &m->f.pa), 0);
	assert_int_equal(acpi_dump(&m->a, NULL, 0, collect, &l), 0);
	assert_non_null(strstr(l.buf, "ACPIDUMP RSDP 0x00000000000f5a40 20\n"));
	assert_null(strstr(l.buf, "XSDT"));
	free(l.buf);
	machine_free(m);
}

/* Unreachable entries are left out; a table longer than its mapping is an error. */
static void test_dump_bad_tables(void **state)
{
	struct machine *m = calloc(1, sizeof(*m));
	uint64_t e[] = { NOWHERE, MADT_PA, MCFG_PA };
	struct lines l = { 0 };
	uint8_t *t;

	fake_phys_init(&m->f);
	add_std_tables(&m->f);
	add_root(&m->f, "XSDT", XSDT_PA, e, 3);
	m->rsdp_len = rsdp_build(m->rsdp, 0, XSDT_PA);
	assert_int_equal(machine_init(m), 0);
	assert_int_equal(acpi_dump(&m->a, m->rsdp, m->rsdp_len, collect, &l), 0);
	assert_int_equal(l.n, 4 + 4 + 7 + 4); /* RSDP, XSDT, APIC, MCFG */
	t = fake_phys_bytes(&m->f, MADT_PA);
	put32(t + 4, acpi_get32(t + 4) + 1);
	free(l.buf);
	memset(&l, 0, sizeof(l));
	assert_int_equal(acpi_dump(&m->a, m->rsdp, m->rsdp_len, collect, &l), -HV_EBADMSG);
	assert_null(strstr(l.buf, "APIC"));
	assert_non_null(strstr(l.buf, "ACPIEND MCFG"));
	free(l.buf);
	machine_free(m);
}

static void test_fixture_loader_rejects(void **state)
{
	static const char *bad[] = {
		"ACPIDUMP APIC 0x0000000000001000 4\nACPIHEX 0102\nACPIEND APIC\n",
		"ACPIDUMP APIC 0x0000000000001000 1\nACPIHEX 0102\nACPIEND APIC\n",
		"ACPIDUMP APIC 0x0000000000001000 1\nACPIHEX 0g\nACPIEND APIC\n",
		"ACPIHEX 00\n",
		"ACPIDUMP APIC 0x0000000000001000 1\nACPIHEX 01\n",
		"garbage\n",
	};
	struct fake_phys f;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lines l = { .buf = strdup(bad[i]), .len = strlen(bad[i]) };
		char path[] = "/tmp/test_acpi_badXXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, l.buf, l.len), (ssize_t)l.len);
		close(fd);
		fake_phys_init(&f);
		assert_int_equal(acpi_fixture_load(&f, path), -1);
		fake_phys_free(&f);
		unlink(path);
		free(l.buf);
	}
}

/* ---- real fixtures, captured by tools/acpi-capture.sh ---- */

struct platform {
	const char *file;
	unsigned ncpus;         /* the emulator's CPU count */
	uint8_t ioapic_id;
	uint32_t ioapic_addr;
	bool mcfg;              /* q35 has ECAM at 0xb0000000, i440fx none */
};

static const struct platform platforms[] = {
	{ "qemu-q35-amdiommu.acpi", 2, 0, 0xfec00000, true },
	{ "qemu-q35-inteliommu.acpi", 2, 0, 0xfec00000, true },
	{ "qemu-q35-smp4.acpi", 4, 0, 0xfec00000, true },
	{ "bochs-skylake.acpi", 2, 2, 0xfec00000, false },  /* Bochs numbers it after the CPUs */
	{ "bochs-ryzen.acpi", 2, 2, 0xfec00000, false },
};

static bool fixture_present(const char *file, char *path, size_t size)
{
	snprintf(path, size, "tests/unit/fixtures/acpi/%s", file);
	return access(path, R_OK) == 0;
}

/* Fail the test (call before allocating) when a committed fixture is missing. */
static void fixture_need(const char *file)
{
	char path[256];

	if (!fixture_present(file, path, sizeof(path))) {
		fail_msg("fixture %s missing: run make acpi-capture", path);
	}
}

static void fixture_open(struct machine *m, const char *file)
{
	char path[256];

	assert_true(fixture_present(file, path, sizeof(path)));
	fake_phys_init(&m->f);
	assert_int_equal(acpi_fixture_load(&m->f, path), 0);
	assert_non_null(m->f.rsdp);
	assert_int_equal(acpi_init_from_rsdp_copy(&m->a, &m->f.pa, m->f.rsdp,
						  m->f.rsdp_len), 0);
	assert_int_equal(m->a.nskipped, 0);
}

static void check_platform(const struct platform *p)
{
	struct machine *m;
	struct acpi_madt_info *mi;
	struct acpi_mcfg_info mc;
	const void *t;
	uint32_t len;

	fixture_need(p->file);
	m = calloc(1, sizeof(*m));
	mi = malloc(sizeof(*mi));
	fixture_open(m, p->file);
	assert_int_equal(acpi_find_table(&m->a, "FACP", 0, NULL, NULL, NULL), 0);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, &t, &len, NULL), 0);
	assert_int_equal(acpi_parse_madt(t, len, mi), 0);
	assert_int_equal(mi->ncpus, p->ncpus);
	assert_int_equal(mi->lapic_addr, 0xfee00000);
	for (unsigned i = 0; i < mi->ncpus; i++)
		assert_int_equal(mi->cpus[i].apic_id, i);
	assert_int_equal(mi->nioapics, 1);
	assert_int_equal(mi->ioapics[0].id, p->ioapic_id);
	assert_int_equal(mi->ioapics[0].addr, p->ioapic_addr);
	assert_int_equal(mi->ioapics[0].gsi_base, 0);
	if (p->mcfg) {
		assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, &t, &len, NULL), 0);
		assert_int_equal(acpi_parse_mcfg(t, len, &mc), 0);
		assert_int_equal(mc.n, 1);
		assert_int_equal(mc.seg[0].base, 0xb0000000);
		assert_int_equal(mc.seg[0].segment, 0);
		assert_int_equal(mc.seg[0].bus_start, 0);
	} else {
		assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, NULL, NULL, NULL),
				 -HV_ENOENT);
	}
	fake_phys_free(&m->f);
	free(m);
	free(mi);
}

static void test_real_qemu_amdiommu(void **state) { check_platform(&platforms[0]); }
static void test_real_qemu_inteliommu(void **state) { check_platform(&platforms[1]); }
static void test_real_qemu_smp4(void **state) { check_platform(&platforms[2]); }
static void test_real_bochs_skylake(void **state) { check_platform(&platforms[3]); }
static void test_real_bochs_ryzen(void **state) { check_platform(&platforms[4]); }

/* Every real fixture dumps back to the same bytes. */
static void test_real_dump_round_trip(void **state)
{
	for (unsigned i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++) {
		struct lines l = { 0 };
		struct fake_phys g;
		struct machine *m;
		char path[256];

		if (!fixture_present(platforms[i].file, path, sizeof(path)))
			continue;
		m = calloc(1, sizeof(*m));
		fixture_open(m, platforms[i].file);
		assert_int_equal(acpi_dump(&m->a, m->f.rsdp, m->f.rsdp_len, collect, &l), 0);
		reload(&l, &g);
		assert_int_equal(g.n, m->f.n);
		for (unsigned r = 0; r < g.n; r++) {
			assert_int_equal(g.r[r].addr, m->f.r[r].addr);
			assert_int_equal(g.r[r].len, m->f.r[r].len);
			assert_memory_equal(g.r[r].bytes, m->f.r[r].bytes, g.r[r].len);
		}
		fake_phys_free(&g);
		fake_phys_free(&m->f);
		free(l.buf);
		free(m);
	}
}

/* Corrupted copies of the real QEMU MADT, made at run time. */
static void test_real_corrupt_madt(void **state)
{
	struct acpi_madt_info *mi;
	struct machine *m;
	uint8_t *orig, *c;
	const void *t;
	uint32_t len;
	uint64_t pa;

	fixture_need(platforms[2].file);
	m = calloc(1, sizeof(*m));
	mi = malloc(sizeof(*mi));
	fixture_open(m, platforms[2].file);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, &t, &len, &pa), 0);
	orig = malloc(len + 8);
	memcpy(orig, t, len);
	c = fake_phys_bytes(&m->f, pa);

	c[len - 1] ^= 0x40;               /* flipped byte: checksum */
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, NULL), -HV_EBADMSG);
	memcpy(c, orig, len);

	put32(c + 4, len + 1);             /* longer than mapped */
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, NULL), -HV_EBADMSG);
	memcpy(c, orig, len);

	put32(c + 4, 30);                  /* shorter than its header */
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, NULL, NULL, NULL), -HV_EBADMSG);
	memcpy(c, orig, len);

	assert_int_equal(c[MADT_E0], 0);   /* first entry: CPU 0's LAPIC */
	c[MADT_E0 + 1] = 0;                /* length 0 */
	sdt_fix(c);
	assert_int_equal(acpi_parse_madt(c, len, mi), -HV_EBADMSG);
	c[MADT_E0 + 1] = 7;                /* shorter than a LAPIC entry */
	sdt_fix(c);
	assert_int_equal(acpi_parse_madt(c, len, mi), -HV_EBADMSG);
	memcpy(c, orig, len);

	put32(c + 4, len - 2);             /* last entry runs past the end */
	sdt_fix(c);
	assert_int_equal(acpi_parse_madt(c, len, mi), -HV_EBADMSG);

	memcpy(orig + len, orig + MADT_E0, 8); /* CPU 0's LAPIC entry twice */
	put32(orig + 4, len + 8);
	sdt_fix(orig);
	c = fake_phys_replace(&m->f, pa, orig, len + 8);
	assert_int_equal(acpi_find_table(&m->a, "APIC", 0, &t, &len, NULL), 0);
	assert_int_equal(acpi_parse_madt(t, len, mi), -HV_EEXIST);

	fake_phys_free(&m->f);
	free(orig);
	free(mi);
	free(m);
}

static void test_real_corrupt_mcfg(void **state)
{
	struct acpi_mcfg_info mc;
	struct machine *m;
	const void *t;
	uint32_t len;
	uint64_t pa;
	uint8_t *c;

	fixture_need(platforms[2].file);
	m = calloc(1, sizeof(*m));
	fixture_open(m, platforms[2].file);
	assert_int_equal(acpi_find_table(&m->a, "MCFG", 0, &t, &len, &pa), 0);
	assert_int_equal(len, 60);
	c = malloc(len + 16);
	memcpy(c, t, len);
	memcpy(c + len, c + 44, 16);       /* the segment 0 range twice */
	put32(c + 4, len + 16);
	sdt_fix(c);
	assert_int_equal(acpi_parse_mcfg(c, len + 16, &mc), -HV_ERANGE);
	put32(c + 4, len - 1);
	sdt_fix(c);
	assert_int_equal(acpi_parse_mcfg(c, len, &mc), -HV_EBADMSG);
	free(c);
	fake_phys_free(&m->f);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp_v1_uses_rsdt),
		cmocka_unit_test(test_rsdp_v2_uses_xsdt),
		cmocka_unit_test(test_rsdp_v1_checksum),
		cmocka_unit_test(test_rsdp_v2_ext_checksum),
		cmocka_unit_test(test_rsdp_bad_signature_and_short),
		cmocka_unit_test(test_rsdp_v2_length_field),
		cmocka_unit_test(test_rsdp_v2_truncated_copy),
		cmocka_unit_test(test_xsdt_bad_falls_back_to_rsdt),
		cmocka_unit_test(test_xsdt_bad_no_rsdt),
		cmocka_unit_test(test_root_inaccessible),
		cmocka_unit_test(test_root_bad_entry_length),
		cmocka_unit_test(test_root_wrong_signature),
		cmocka_unit_test(test_find_tables),
		cmocka_unit_test(test_find_bad_checksum),
		cmocka_unit_test(test_find_short_length),
		cmocka_unit_test(test_find_length_past_mapping),
		cmocka_unit_test(test_root_entries_inaccessible_skipped),
		cmocka_unit_test(test_scan_rom),
		cmocka_unit_test(test_scan_ebda_first),
		cmocka_unit_test(test_scan_skips_bad),
		cmocka_unit_test(test_scan_without_bda),
		cmocka_unit_test(test_madt_parse),
		cmocka_unit_test(test_madt_lapic_addr_override),
		cmocka_unit_test(test_madt_entry_lengths),
		cmocka_unit_test(test_madt_header),
		cmocka_unit_test(test_madt_duplicate_apic_id),
		cmocka_unit_test(test_madt_full_arrays),
		cmocka_unit_test(test_mcfg),
		cmocka_unit_test(test_mcfg_overlap),
		cmocka_unit_test(test_mcfg_lengths),
		cmocka_unit_test(test_dump_format),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_dump_scanned_rsdp),
		cmocka_unit_test(test_dump_bad_tables),
		cmocka_unit_test(test_fixture_loader_rejects),
		cmocka_unit_test(test_real_qemu_amdiommu),
		cmocka_unit_test(test_real_qemu_inteliommu),
		cmocka_unit_test(test_real_qemu_smp4),
		cmocka_unit_test(test_real_bochs_skylake),
		cmocka_unit_test(test_real_bochs_ryzen),
		cmocka_unit_test(test_real_dump_round_trip),
		cmocka_unit_test(test_real_corrupt_madt),
		cmocka_unit_test(test_real_corrupt_mcfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
