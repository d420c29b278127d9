/* SPDX-License-Identifier: MIT */
/* Host-test fake physical memory, table builders and dump-file fixture loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "tests/unit/acpi_fixture.h"

static const void *fake_map(uint64_t pa, size_t len, void *ctx)
{
	struct fake_phys *f = ctx;

	f->nmaps++;
	for (unsigned i = 0; i < f->n; i++) {
		struct fake_region *r = &f->r[i];

		if (pa >= r->addr && pa - r->addr <= r->len && len <= r->len - (pa - r->addr))
			return r->bytes + (pa - r->addr);
	}
	return NULL;
}

void fake_phys_init(struct fake_phys *f)
{
	memset(f, 0, sizeof(*f));
	f->pa.map = fake_map;
	f->pa.ctx = f;
}

void fake_phys_free(struct fake_phys *f)
{
	for (unsigned i = 0; i < f->n; i++)
		free(f->r[i].bytes);
	free(f->rsdp);
	fake_phys_init(f);
}

uint8_t *fake_phys_add(struct fake_phys *f, uint64_t addr, size_t len)
{
	struct fake_region *r;

	if (f->n == FAKE_PHYS_MAX_REGIONS)
		abort();
	r = &f->r[f->n++];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	if (!r->bytes)
		abort();
	return r->bytes;
}

uint8_t *fake_phys_add_copy(struct fake_phys *f, uint64_t addr, const void *src, size_t len)
{
	uint8_t *p = fake_phys_add(f, addr, len);

	memcpy(p, src, len);
	return p;
}

static struct fake_region *fake_region_at(struct fake_phys *f, uint64_t addr)
{
	for (unsigned i = 0; i < f->n; i++)
		if (addr >= f->r[i].addr && addr - f->r[i].addr < f->r[i].len)
			return &f->r[i];
	return NULL;
}

uint8_t *fake_phys_bytes(struct fake_phys *f, uint64_t addr)
{
	struct fake_region *r = fake_region_at(f, addr);

	return r ? r->bytes + (addr - r->addr) : NULL;
}

uint8_t *fake_phys_replace(struct fake_phys *f, uint64_t addr, const void *src, size_t len)
{
	struct fake_region *r = fake_region_at(f, addr);
	uint8_t *p = malloc(len ? len : 1);

	if (!r || r->addr != addr || !p)
		abort();
	memcpy(p, src, len);
	free(r->bytes);
	r->bytes = p;
	r->len = len;
	return p;
}

/* ---- fixture loader ---- */

struct fixture_rec {
	char sig[5];
	uint64_t addr;
	size_t len, got;
	uint8_t *bytes;
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int fixture_hex(struct fixture_rec *rec, const char *s)
{
	for (; s[0] && s[0] != '\n' && s[0] != '\r'; s += 2) {
		int hi = hexval(s[0]), lo = s[1] ? hexval(s[1]) : -1;

		if (hi < 0 || lo < 0 || rec->got >= rec->len)
			return -1;
		rec->bytes[rec->got++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int fixture_end(struct fake_phys *f, struct fixture_rec *rec)
{
	if (rec->got != rec->len)
		return -1;
	if (!strcmp(rec->sig, "RSDP")) {
		free(f->rsdp);
		f->rsdp = rec->bytes;
		f->rsdp_len = rec->len;
		f->rsdp_addr = rec->addr;
		if (rec->addr)
			fake_phys_add_copy(f, rec->addr, rec->bytes, rec->len);
	} else {
		fake_phys_add_copy(f, rec->addr, rec->bytes, rec->len);
		memcpy(f->r[f->n - 1].sig, rec->sig, 5);
		free(rec->bytes);
	}
	rec->bytes = NULL;
	return 0;
}

static int fixture_line(struct fake_phys *f, struct fixture_rec *rec, const char *line)
{
	unsigned long long addr;
	size_t len;
	char sig[5];

	if (sscanf(line, "ACPIDUMP %4s 0x%llx %zu", sig, &addr, &len) == 3) {
		if (rec->bytes)
			return -1;
		memcpy(rec->sig, sig, 5);
		rec->addr = addr;
		rec->len = len;
		rec->got = 0;
		rec->bytes = calloc(1, len ? len : 1);
		return rec->bytes ? 0 : -1;
	}
	if (!strncmp(line, "ACPIHEX ", 8))
		return rec->bytes ? fixture_hex(rec, line + 8) : -1;
	if (!strncmp(line, "ACPIEND ", 8))
		return rec->bytes ? fixture_end(f, rec) : -1;
	return line[0] == '#' || line[0] == '\n' || line[0] == '\r' || !line[0] ? 0 : -1;
}

int acpi_fixture_load(struct fake_phys *f, const char *path)
{
	struct fixture_rec rec = { .bytes = NULL };
	FILE *fp = fopen(path, "r");
	char line[512];
	int lineno = 0, err = 0;

	if (!fp) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	while (!err && fgets(line, sizeof(line), fp)) {
		lineno++;
		err = fixture_line(f, &rec, line);
	}
	fclose(fp);
	if (!err && rec.bytes)
		err = -1;
	if (err)
		fprintf(stderr, "%s:%d: malformed fixture\n", path, lineno);
	free(rec.bytes);
	return err;
}

/* ---- builders ---- */

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

void sdt_fix(uint8_t *t)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100 - acpi_checksum(t, acpi_get32(t + 4)));
}

void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "HVTEST", 6);
	memcpy(t + 16, "HVTABLES", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "HVTC", 4);
	put32(t + 32, 1);
	sdt_fix(t);
}

size_t rsdp_build(uint8_t *p, uint32_t rsdt, uint64_t xsdt)
{
	size_t len = xsdt ? 36 : 20;

	memset(p, 0, len);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "HVTEST", 6);
	p[15] = xsdt ? 2 : 0;
	put32(p + 16, rsdt);
	if (xsdt) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
	}
	p[8] = (uint8_t)(0x100 - acpi_checksum(p, 20));
	if (xsdt)
		p[32] = (uint8_t)(0x100 - acpi_checksum(p, 36));
	return len;
}

void tb_init(struct tbuf *t, const char *sig, uint8_t rev)
{
	memset(t, 0, sizeof(*t));
	sdt_header(t->b, sig, ACPI_SDT_HDR_LEN, rev);
	t->n = ACPI_SDT_HDR_LEN;
}

static uint8_t *tb_room(struct tbuf *t, uint32_t n)
{
	uint8_t *p = t->b + t->n;

	if (t->n + n > sizeof(t->b))
		abort();
	t->n += n;
	return p;
}

void tb_u8(struct tbuf *t, uint8_t v)
{
	*tb_room(t, 1) = v;
}

void tb_u16(struct tbuf *t, uint16_t v)
{
	put16(tb_room(t, 2), v);
}

void tb_u32(struct tbuf *t, uint32_t v)
{
	put32(tb_room(t, 4), v);
}

void tb_u64(struct tbuf *t, uint64_t v)
{
	put64(tb_room(t, 8), v);
}

void tb_zero(struct tbuf *t, uint32_t n)
{
	memset(tb_room(t, n), 0, n);
}

uint8_t *tb_done(struct tbuf *t)
{
	put32(t->b + 4, t->n);
	sdt_fix(t->b);
	return t->b;
}
