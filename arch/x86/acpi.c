/* SPDX-License-Identifier: MIT */
/* ACPI RSDP/RSDT/XSDT discovery and table lookup; section numbers are ACPI 6.5. */
#include "arch/x86/acpi.h"
#include "include/abi/hv_errno.h"

/* RSDP, 5.2.5.3 table 5.3 */
#define RSDP_CSUM_V1 20u
#define RSDP_OEM 9
#define RSDP_REV 15
#define RSDP_RSDT 16
#define RSDP_LEN 20
#define RSDP_XSDT 24

/* System description table header, 5.2.6 table 5.4 */
#define SDT_LEN 4

/* BIOS areas searched for the RSDP, 5.2.5.1 */
#define BDA_EBDA_SEG 0x40eu
#define EBDA_SCAN_LEN 1024u
#define BIOS_ROM_START 0xe0000u
#define BIOS_ROM_END 0x100000u

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

static bool acpi_sig_eq(const uint8_t *p, const char *sig, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return false;
	return true;
}

int acpi_check_sdt(const void *table, size_t avail, const char sig[4], uint32_t *len)
{
	const uint8_t *t = table;
	uint32_t l;

	if (!t || avail < ACPI_SDT_HDR_LEN)
		return -HV_EBADMSG;
	if (sig && !acpi_sig_eq(t, sig, 4))
		return -HV_EBADMSG;
	l = acpi_get32(t + SDT_LEN);
	if (l < ACPI_SDT_HDR_LEN || l > avail)
		return -HV_EBADMSG;
	if (acpi_checksum(t, l) != 0)
		return -HV_EBADMSG;
	if (len)
		*len = l;
	return 0;
}

int acpi_map_sdt(const struct phys_access *pa, uint64_t addr, const void **table,
		 uint32_t *len)
{
	const uint8_t *h = phys_map(pa, addr, ACPI_SDT_HDR_LEN);
	const void *t;
	uint32_t l;

	if (!h)
		return -HV_EFAULT;
	l = acpi_get32(h + SDT_LEN);
	if (l < ACPI_SDT_HDR_LEN)
		return -HV_EBADMSG;
	t = phys_map(pa, addr, l);
	if (!t)
		return -HV_EBADMSG; /* longer than what is mapped */
	if (acpi_checksum(t, l) != 0)
		return -HV_EBADMSG;
	*table = t;
	*len = l;
	return 0;
}

/* Length of a valid RSDP in a buffer of avail bytes, or 0 when it is not one. */
static size_t acpi_rsdp_len(const uint8_t *p, size_t avail)
{
	uint32_t l;

	if (avail < ACPI_RSDP_V1_LEN || !acpi_sig_eq(p, "RSD PTR ", 8))
		return 0;
	if (acpi_checksum(p, RSDP_CSUM_V1) != 0)
		return 0;
	if (p[RSDP_REV] < 2 || avail < ACPI_RSDP_V2_LEN)
		return ACPI_RSDP_V1_LEN;
	l = acpi_get32(p + RSDP_LEN);
	if (l < ACPI_RSDP_V2_LEN || l > avail || acpi_checksum(p, l) != 0)
		return 0;
	return l;
}

/* Check the root table at addr and record it as the one in use. */
static int acpi_use_root(struct acpi *a, uint64_t addr, bool xsdt)
{
	unsigned esz = xsdt ? 8 : 4;
	const void *t;
	uint32_t len;
	int err;

	err = acpi_map_sdt(a->pa, addr, &t, &len);
	if (err)
		return err;
	if (!acpi_sig_eq(t, xsdt ? "XSDT" : "RSDT", 4) ||
	    (len - ACPI_SDT_HDR_LEN) % esz != 0)
		return -HV_EBADMSG;
	a->xsdt = xsdt;
	a->root_addr = addr;
	a->root_len = len;
	a->ntables = (len - ACPI_SDT_HDR_LEN) / esz;
	return 0;
}

uint64_t acpi_table_addr(const struct acpi *a, unsigned i)
{
	const uint8_t *t = phys_map(a->pa, a->root_addr, a->root_len);

	if (!t || i >= a->ntables)
		return 0;
	t += ACPI_SDT_HDR_LEN;
	return a->xsdt ? acpi_get64(t + 8 * i) : acpi_get32(t + 4 * i);
}

/* Header of root entry i, or NULL when the entry is 0 or not accessible. */
static const uint8_t *acpi_entry_hdr(const struct acpi *a, unsigned i, uint64_t *addr)
{
	*addr = acpi_table_addr(a, i);
	if (*addr == 0)
		return NULL;
	return phys_map(a->pa, *addr, ACPI_SDT_HDR_LEN);
}

static void acpi_count_skipped(struct acpi *a)
{
	uint64_t addr;

	a->nskipped = 0;
	for (unsigned i = 0; i < a->ntables; i++)
		if (!acpi_entry_hdr(a, i, &addr))
			a->nskipped++;
}

/* Fill a from a checked RSDP and pick the root: XSDT first, RSDT as fallback. */
static int acpi_init_rsdp(struct acpi *a, const uint8_t *p, size_t len)
{
	int err = -HV_ENOENT;

	a->revision = p[RSDP_REV];
	for (int i = 0; i < 6; i++)
		a->oem_id[i] = (char)p[RSDP_OEM + i];
	a->oem_id[6] = 0;
	a->rsdt_addr = acpi_get32(p + RSDP_RSDT);
	a->xsdt_addr = len >= ACPI_RSDP_V2_LEN ? acpi_get64(p + RSDP_XSDT) : 0;
	if (a->xsdt_addr)
		err = acpi_use_root(a, a->xsdt_addr, true);
	if (err && a->rsdt_addr)
		err = acpi_use_root(a, a->rsdt_addr, false);
	if (!err)
		acpi_count_skipped(a);
	return err;
}

static void acpi_reset(struct acpi *a, const struct phys_access *pa)
{
	*a = (struct acpi){ .pa = pa };
}

int acpi_init_from_rsdp_copy(struct acpi *a, const struct phys_access *pa,
			     const void *rsdp, size_t len)
{
	size_t l;

	acpi_reset(a, pa);
	if (!rsdp)
		return -HV_EBADMSG;
	l = acpi_rsdp_len(rsdp, len);
	if (!l)
		return -HV_EBADMSG;
	return acpi_init_rsdp(a, rsdp, l);
}

/* Check a scan candidate at addr; its length, or 0. */
static size_t acpi_probe_rsdp(const struct phys_access *pa, uint64_t addr,
			      const uint8_t **p)
{
	size_t l;

	*p = phys_map(pa, addr, ACPI_RSDP_V1_LEN);
	if (!*p || !acpi_rsdp_len(*p, ACPI_RSDP_V1_LEN))
		return 0;
	if ((*p)[RSDP_REV] < 2)
		return ACPI_RSDP_V1_LEN;
	*p = phys_map(pa, addr, ACPI_RSDP_V2_LEN);
	if (!*p)
		return 0;
	l = acpi_get32(*p + RSDP_LEN);
	if (l < ACPI_RSDP_V2_LEN)
		return 0;
	*p = phys_map(pa, addr, l);
	return *p ? acpi_rsdp_len(*p, l) : 0;
}

/* Scan [start, end) on 16-byte boundaries; the RSDP address, or 0. */
static uint64_t acpi_scan(const struct phys_access *pa, uint64_t start, uint64_t end)
{
	const uint8_t *p;

	for (uint64_t addr = start; addr + ACPI_RSDP_V1_LEN <= end; addr += 16)
		if (acpi_probe_rsdp(pa, addr, &p))
			return addr;
	return 0;
}

static uint64_t acpi_find_rsdp(const struct phys_access *pa)
{
	const uint8_t *seg = phys_map(pa, BDA_EBDA_SEG, 2);
	uint64_t ebda = seg ? (uint64_t)acpi_get16(seg) << 4 : 0;
	uint64_t addr = 0;

	if (ebda)
		addr = acpi_scan(pa, ebda, ebda + EBDA_SCAN_LEN);
	if (!addr)
		addr = acpi_scan(pa, BIOS_ROM_START, BIOS_ROM_END);
	return addr;
}

int acpi_init_from_bios_scan(struct acpi *a, const struct phys_access *pa)
{
	uint64_t addr;
	const uint8_t *p;
	size_t l;
	int err;

	acpi_reset(a, pa);
	addr = acpi_find_rsdp(pa);
	if (!addr)
		return -HV_ENOENT;
	l = acpi_probe_rsdp(pa, addr, &p);
	err = acpi_init_rsdp(a, p, l);
	a->rsdp_addr = addr;
	return err;
}

int acpi_find_table(const struct acpi *a, const char sig[4], unsigned instance,
		    const void **table, uint32_t *len, uint64_t *addr)
{
	const uint8_t *h;
	const void *t;
	uint64_t pa;
	uint32_t l;
	int err;

	for (unsigned i = 0; i < a->ntables; i++) {
		h = acpi_entry_hdr(a, i, &pa);
		if (!h || !acpi_sig_eq(h, sig, 4) || instance-- > 0)
			continue;
		err = acpi_map_sdt(a->pa, pa, &t, &l);
		if (err)
			return err == -HV_EFAULT ? -HV_EBADMSG : err;
		if (table)
			*table = t;
		if (len)
			*len = l;
		if (addr)
			*addr = pa;
		return 0;
	}
	return -HV_ENOENT;
}

/* ---- MADT, 5.2.12 ---- */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_PCAT_COMPAT 0x1u  /* table 5.20 */
#define MADT_CPU_ENABLED 0x1u  /* table 5.23 */
#define MADT_CPU_ONLINE_CAP 0x2u

static int madt_add_cpu(struct acpi_madt_info *out, uint32_t apic_id, uint32_t uid,
			uint32_t flags, bool x2apic)
{
	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAP))) {
		out->nunusable++;
		return 0;
	}
	for (unsigned i = 0; i < out->ncpus; i++)
		if (out->cpus[i].apic_id == apic_id)
			return -HV_EEXIST;
	if (out->ncpus == ACPI_MAX_CPUS)
		return -HV_E2BIG;
	out->cpus[out->ncpus++] = (struct acpi_madt_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & MADT_CPU_ENABLED,
		.online_capable = flags & MADT_CPU_ONLINE_CAP,
		.x2apic_entry = x2apic,
	};
	return 0;
}

/* Type 0, Processor Local APIC, 5.2.12.2 */
static int madt_lapic(const uint8_t *e, struct acpi_madt_info *out)
{
	return madt_add_cpu(out, e[3], e[2], acpi_get32(e + 4), false);
}

/* Type 9, Processor Local x2APIC, 5.2.12.12 */
static int madt_x2apic(const uint8_t *e, struct acpi_madt_info *out)
{
	return madt_add_cpu(out, acpi_get32(e + 4), acpi_get32(e + 12),
			    acpi_get32(e + 8), true);
}

/* Type 1, I/O APIC, 5.2.12.3 */
static int madt_ioapic(const uint8_t *e, struct acpi_madt_info *out)
{
	if (out->nioapics == ACPI_MAX_IOAPICS)
		return -HV_E2BIG;
	out->ioapics[out->nioapics++] = (struct acpi_madt_ioapic){
		.id = e[2],
		.addr = acpi_get32(e + 4),
		.gsi_base = acpi_get32(e + 8),
	};
	return 0;
}

/* Type 2, Interrupt Source Override, 5.2.12.5 */
static int madt_override(const uint8_t *e, struct acpi_madt_info *out)
{
	if (out->noverrides == ACPI_MAX_OVERRIDES)
		return -HV_E2BIG;
	out->overrides[out->noverrides++] = (struct acpi_madt_override){
		.bus = e[2],
		.source = e[3],
		.gsi = acpi_get32(e + 4),
		.flags = acpi_get16(e + 8),
	};
	return 0;
}

/* Type 5, Local APIC Address Override, 5.2.12.8 */
static int madt_lapic_override(const uint8_t *e, struct acpi_madt_info *out)
{
	out->lapic_addr = acpi_get64(e + 4);
	return 0;
}

static int madt_skip(const uint8_t *e, struct acpi_madt_info *out)
{
	(void)e;
	(void)out;
	return 0;
}

static const struct {
	uint8_t min_len;
	int (*parse)(const uint8_t *e, struct acpi_madt_info *out);
} madt_types[] = {
	[0] = { 8, madt_lapic },
	[1] = { 12, madt_ioapic },
	[2] = { 10, madt_override },
	[4] = { 6, madt_skip },  /* Local APIC NMI, 5.2.12.7 */
	[5] = { 12, madt_lapic_override },
	[9] = { 16, madt_x2apic },
};

/* Check the sub-entry at off and dispatch it; *elen receives its length. */
static int madt_entry(const uint8_t *t, uint32_t off, uint32_t len, uint8_t *elen,
		      struct acpi_madt_info *out)
{
	const uint8_t *e = t + off;
	int (*parse)(const uint8_t *e, struct acpi_madt_info *out) = madt_skip;
	uint8_t min = 2; /* other types: skipped by their length */

	if (len - off < 2)
		return -HV_EBADMSG;
	*elen = e[1];
	if (e[0] < sizeof(madt_types) / sizeof(madt_types[0]) && madt_types[e[0]].parse) {
		min = madt_types[e[0]].min_len;
		parse = madt_types[e[0]].parse;
	}
	if (*elen < min || *elen > len - off)
		return -HV_EBADMSG;
	return parse(e, out);
}

int acpi_parse_madt(const void *madt, uint32_t avail, struct acpi_madt_info *out)
{
	const uint8_t *t = madt;
	uint32_t len;
	uint8_t elen;
	int err;

	*out = (struct acpi_madt_info){ 0 };
	err = acpi_check_sdt(t, avail, "APIC", &len);
	if (err)
		return err;
	if (len < MADT_ENTRIES)
		return -HV_EBADMSG;
	out->lapic_addr = acpi_get32(t + MADT_LAPIC_ADDR);
	out->pcat_compat = acpi_get32(t + MADT_FLAGS) & MADT_PCAT_COMPAT;
	for (uint32_t off = MADT_ENTRIES; off < len; off += elen) {
		err = madt_entry(t, off, len, &elen, out);
		if (err)
			return err;
	}
	return 0;
}

/* ---- MCFG, PCI Firmware Specification 3.2, 4.1.2 table 4-3 ---- */
#define MCFG_ENTRIES 44 /* after 8 reserved bytes */
#define MCFG_ENTRY_LEN 16
#define MCFG_BASE 0
#define MCFG_SEGMENT 8
#define MCFG_BUS_START 10
#define MCFG_BUS_END 11

static int mcfg_add(struct acpi_mcfg_info *out, const uint8_t *e)
{
	struct acpi_mcfg_seg s = {
		.base = acpi_get64(e + MCFG_BASE),
		.segment = acpi_get16(e + MCFG_SEGMENT),
		.bus_start = e[MCFG_BUS_START],
		.bus_end = e[MCFG_BUS_END],
	};

	if (s.bus_start > s.bus_end)
		return -HV_ERANGE;
	for (unsigned i = 0; i < out->n; i++) {
		const struct acpi_mcfg_seg *o = &out->seg[i];

		if (o->segment == s.segment && s.bus_start <= o->bus_end &&
		    o->bus_start <= s.bus_end)
			return -HV_ERANGE;
	}
	if (out->n == ACPI_MAX_MCFG)
		return -HV_E2BIG;
	out->seg[out->n++] = s;
	return 0;
}

int acpi_parse_mcfg(const void *mcfg, uint32_t avail, struct acpi_mcfg_info *out)
{
	const uint8_t *t = mcfg;
	uint32_t len;
	int err;

	*out = (struct acpi_mcfg_info){ 0 };
	err = acpi_check_sdt(t, avail, "MCFG", &len);
	if (err)
		return err;
	if (len < MCFG_ENTRIES || (len - MCFG_ENTRIES) % MCFG_ENTRY_LEN != 0)
		return -HV_EBADMSG;
	for (uint32_t off = MCFG_ENTRIES; off < len; off += MCFG_ENTRY_LEN) {
		err = mcfg_add(out, t + off);
		if (err)
			return err;
	}
	return 0;
}

/* ---- dump ---- */
#define DUMP_BYTES_PER_LINE 32

struct acpi_line {
	char buf[96];
	unsigned n;
};

static void line_str(struct acpi_line *l, const char *s)
{
	while (*s && l->n < sizeof(l->buf) - 1)
		l->buf[l->n++] = *s++;
	l->buf[l->n] = 0;
}

static void line_hex(struct acpi_line *l, uint64_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	char s[17];

	s[digits] = 0;
	while (digits--) {
		s[digits] = hex[v & 0xf];
		v >>= 4;
	}
	line_str(l, s);
}

static void line_dec(struct acpi_line *l, uint32_t v)
{
	char s[11];
	unsigned i = sizeof(s) - 1;

	s[i] = 0;
	do {
		s[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	line_str(l, s + i);
}

/* Signature as 4 printable characters ('?' for others). */
static void line_sig(struct acpi_line *l, const uint8_t *sig)
{
	char s[5];

	for (int i = 0; i < 4; i++)
		s[i] = sig[i] > 0x20 && sig[i] < 0x7f ? (char)sig[i] : '?';
	s[4] = 0;
	line_str(l, s);
}

static void acpi_dump_bytes(const uint8_t *sig, uint64_t addr, const uint8_t *p,
			    uint32_t len, acpi_print_fn print, void *ctx)
{
	struct acpi_line l = { .n = 0 };

	line_str(&l, "ACPIDUMP ");
	line_sig(&l, sig);
	line_str(&l, " 0x");
	line_hex(&l, addr, 16);
	line_str(&l, " ");
	line_dec(&l, len);
	print(ctx, l.buf);
	for (uint32_t off = 0; off < len; off += DUMP_BYTES_PER_LINE) {
		l.n = 0;
		line_str(&l, "ACPIHEX ");
		for (uint32_t i = off; i < len && i < off + DUMP_BYTES_PER_LINE; i++)
			line_hex(&l, p[i], 2);
		print(ctx, l.buf);
	}
	l.n = 0;
	line_str(&l, "ACPIEND ");
	line_sig(&l, sig);
	print(ctx, l.buf);
}

/*
 * Dump the table at physical addr, whole, if the length in its header is mapped;
 * -HV_EFAULT when not even the header is (a skipped entry).
 */
static int acpi_dump_sdt(const struct phys_access *pa, uint64_t addr,
			 acpi_print_fn print, void *ctx)
{
	const uint8_t *h = addr ? phys_map(pa, addr, ACPI_SDT_HDR_LEN) : NULL;
	const uint8_t *t;
	uint32_t len;

	if (!h)
		return -HV_EFAULT;
	len = acpi_get32(h + SDT_LEN);
	t = len >= ACPI_SDT_HDR_LEN ? phys_map(pa, addr, len) : NULL;
	if (!t)
		return -HV_EBADMSG;
	acpi_dump_bytes(t, addr, t, len, print, ctx);
	return 0;
}

static int acpi_dump_rsdp(const struct acpi *a, const void *copy, size_t copy_len,
			  acpi_print_fn print, void *ctx)
{
	const uint8_t *p = copy;
	uint64_t addr = 0;
	size_t len;

	if (p) {
		len = acpi_rsdp_len(p, copy_len);
	} else {
		addr = a->rsdp_addr;
		len = addr ? acpi_probe_rsdp(a->pa, addr, &p) : 0;
	}
	if (!len)
		return -HV_EBADMSG;
	acpi_dump_bytes((const uint8_t *)"RSDP", addr, p, (uint32_t)len, print, ctx);
	return 0;
}

/*
 * The root not in use (an RSDT beside the XSDT) is dumped when it can be, without
 * complaint when it cannot; skipped root entries are left out silently.
 */
int acpi_dump(const struct acpi *a, const void *rsdp_copy, size_t rsdp_len,
	      acpi_print_fn print, void *ctx)
{
	int err = acpi_dump_rsdp(a, rsdp_copy, rsdp_len, print, ctx);

	if (acpi_dump_sdt(a->pa, a->xsdt_addr, print, ctx) && a->xsdt)
		err = -HV_EBADMSG;
	if (acpi_dump_sdt(a->pa, a->rsdt_addr, print, ctx) && !a->xsdt)
		err = -HV_EBADMSG;
	for (unsigned i = 0; i < a->ntables; i++)
		if (acpi_dump_sdt(a->pa, acpi_table_addr(a, i), print, ctx) == -HV_EBADMSG)
			err = -HV_EBADMSG;
	return err;
}
