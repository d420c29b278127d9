/* SPDX-License-Identifier: MIT */
/* DMAR parser: remapping hardware units, with every structure's length checked. */
#include "iommu/vtd/dmar.h"
#include "arch/x86/acpi.h"
#include "include/abi/hv_errno.h"

/* DMAR header, VT-d 8.1 table 8-1: HAW at 36, flags at 37, 10 reserved bytes. */
#define DMAR_HAW 36
#define DMAR_FLAGS 37
#define DMAR_STRUCTS 48

/* Remapping structure header, VT-d 8.2: type (2 bytes), length (2 bytes). */
#define DMAR_STRUCT_HDR 4

/* DRHD, VT-d 8.3 */
#define DRHD_FLAGS 4
#define DRHD_SIZE 5     /* bits 3:0 */
#define DRHD_SEGMENT 6
#define DRHD_BASE 8
#define DRHD_SCOPES 16

/* Device scope, VT-d 8.3.1: type, length, flags, rsvd, enum id, bus, path (2 each) */
#define SCOPE_HDR 6
#define SCOPE_PATH_LEN 2

/* RMRR, VT-d 8.4: segment at 6, base at 8, limit at 16 */
#define RMRR_SEGMENT 6
#define RMRR_BASE 8
#define RMRR_LIMIT 16
#define RMRR_SCOPES 24

#define SCOPE_TYPE 0
#define SCOPE_LEN 1
#define SCOPE_BUS 5

#define DMAR_PAGE_SHIFT 12
#define DMAR_PAGE_MASK 0xfffull

/*
 * Minimum length of each structure type and where its device scopes start (0: it
 * has none). Unknown types only need their 4-byte header (VT-d 8.2: skip by length).
 */
static const struct {
	uint8_t min_len;
	uint8_t scopes;
} dmar_types[] = {
	[DMAR_TYPE_DRHD] = { 16, 16 },  /* 8.3 */
	[DMAR_TYPE_RMRR] = { 24, 24 },  /* 8.4: base at 8, limit at 16 */
	[DMAR_TYPE_ATSR] = { 8, 8 },    /* 8.5 */
	[DMAR_TYPE_RHSA] = { 20, 0 },   /* 8.6 */
	[DMAR_TYPE_ANDD] = { 8, 0 },    /* 8.7: name follows at 8 */
	[DMAR_TYPE_SATC] = { 8, 8 },    /* 8.8 */
	[DMAR_TYPE_SIDP] = { 8, 8 },    /* 8.9 */
};

/* Device scopes in [off, end) of the table: each 6 + 2n bytes, n >= 1, inside. */
static int dmar_check_scopes(const uint8_t *t, uint32_t off, uint32_t end)
{
	uint8_t slen;

	for (; off < end; off += slen) {
		if (end - off < SCOPE_HDR)
			return -HV_EBADMSG;
		slen = t[off + 1];
		if (slen < SCOPE_HDR + SCOPE_PATH_LEN || slen % SCOPE_PATH_LEN ||
		    slen > end - off)
			return -HV_EBADMSG;
	}
	return 0;
}

static uint64_t drhd_end(const struct dmar_drhd *d)
{
	return d->reg_base + ((uint64_t)1 << (DMAR_PAGE_SHIFT + d->size));
}

/* A new unit must not repeat or overlap a register set, nor a segment's catch-all. */
static int dmar_check_drhd(const struct dmar_info *out, const struct dmar_drhd *d)
{
	if (drhd_end(d) <= d->reg_base)
		return -HV_ERANGE;  /* register set wraps past 2^64 */
	for (unsigned i = 0; i < out->ndrhd; i++) {
		const struct dmar_drhd *o = &out->drhd[i];

		if (o->reg_base == d->reg_base)
			return -HV_EEXIST;
		if (d->reg_base < drhd_end(o) && o->reg_base < drhd_end(d))
			return -HV_ERANGE;
		if (o->segment == d->segment && (o->flags & d->flags &
						 DMAR_DRHD_INCLUDE_PCI_ALL))
			return -HV_EEXIST;
	}
	return out->ndrhd == DMAR_MAX_DRHD ? -HV_E2BIG : 0;
}

static int dmar_add_drhd(const uint8_t *t, uint32_t off, uint16_t len,
			 struct dmar_info *out)
{
	const uint8_t *s = t + off;
	struct dmar_drhd d = {
		.reg_base = acpi_get64(s + DRHD_BASE),
		.segment = acpi_get16(s + DRHD_SEGMENT),
		.flags = s[DRHD_FLAGS],
		.size = s[DRHD_SIZE] & 0xf,
		.scope_off = off + DRHD_SCOPES,
		.scope_len = len - DRHD_SCOPES,
	};
	int err = dmar_check_drhd(out, &d);

	if (err)
		return err;
	out->drhd[out->ndrhd++] = d;
	return 0;
}

static int dmar_add_rmrr(const uint8_t *t, uint32_t off, uint16_t len,
			 struct dmar_info *out)
{
	const uint8_t *s = t + off;
	struct dmar_rmrr r = {
		.base = acpi_get64(s + RMRR_BASE),
		.limit = acpi_get64(s + RMRR_LIMIT),
		.segment = acpi_get16(s + RMRR_SEGMENT),
		.scope_off = off + RMRR_SCOPES,
		.scope_len = len - RMRR_SCOPES,
	};

	if ((r.base & DMAR_PAGE_MASK) || (~r.limit & DMAR_PAGE_MASK) || r.limit < r.base)
		return -HV_ERANGE;
	if (out->nrmrr == DMAR_MAX_RMRR)
		return -HV_E2BIG;
	out->rmrr[out->nrmrr++] = r;
	return 0;
}

/* Check the structure at off; *slen receives its length. */
static int dmar_struct(const uint8_t *t, uint32_t off, uint32_t len, uint16_t *slen,
		       struct dmar_info *out)
{
	uint16_t type, min = DMAR_STRUCT_HDR, scopes = 0;
	int err;

	if (len - off < DMAR_STRUCT_HDR)
		return -HV_EBADMSG;
	type = acpi_get16(t + off);
	*slen = acpi_get16(t + off + 2);
	if (type < sizeof(dmar_types) / sizeof(dmar_types[0])) {
		min = dmar_types[type].min_len;
		scopes = dmar_types[type].scopes;
	}
	if (*slen < min || *slen > len - off)
		return -HV_EBADMSG;
	if (scopes) {
		err = dmar_check_scopes(t, off + scopes, off + *slen);
		if (err)
			return err;
	}
	if (type == DMAR_TYPE_DRHD)
		return dmar_add_drhd(t, off, *slen, out);
	if (type == DMAR_TYPE_RMRR)
		return dmar_add_rmrr(t, off, *slen, out);
	out->nother++;
	return 0;
}

int dmar_parse(const void *dmar, uint32_t avail, struct dmar_info *out)
{
	const uint8_t *t = dmar;
	uint32_t len;
	uint16_t slen;
	int err;

	*out = (struct dmar_info){ 0 };
	err = acpi_check_sdt(t, avail, "DMAR", &len);
	if (err)
		return err;
	if (len < DMAR_STRUCTS)
		return -HV_EBADMSG;
	out->table = t;
	out->haw = (uint8_t)(t[DMAR_HAW] + 1);
	out->flags = t[DMAR_FLAGS];
	for (uint32_t off = DMAR_STRUCTS; off < len; off += slen) {
		err = dmar_struct(t, off, len, &slen, out);
		if (err)
			return err;
	}
	return 0;
}

/* The bridge's buses below it, through bus->bridge; false without one. */
static bool dmar_below(const struct dmar_bus *bus, uint16_t seg, uint16_t bdf,
		       uint8_t *sec, uint8_t *sub)
{
	return bus && bus->bridge && bus->bridge(seg, bdf, sec, sub, bus->ctx) == 0;
}

/* Follows a scope's path (VT-d 8.3.2) to the device it names; false if it cannot. */
static bool dmar_scope_target(const uint8_t *s, uint16_t seg, const struct dmar_bus *bus,
			      uint16_t *bdf)
{
	unsigned int hops = (s[SCOPE_LEN] - SCOPE_HDR) / SCOPE_PATH_LEN;
	uint8_t b = s[SCOPE_BUS], sub;

	for (unsigned int i = 0; i < hops; i++) {
		uint8_t dev = s[SCOPE_HDR + 2 * i], fn = s[SCOPE_HDR + 2 * i + 1];

		if (dev > 31 || fn > 7)
			return false;
		*bdf = (uint16_t)(b << 8 | dev << 3 | fn);
		if (i + 1 < hops && !dmar_below(bus, seg, *bdf, &b, &sub))
			return false;
	}
	return true;
}

/* One endpoint or bridge scope names (seg, bdf); other types never do. */
static bool dmar_scope_names(const uint8_t *s, uint16_t seg, uint16_t bdf,
			     const struct dmar_bus *bus)
{
	uint16_t target;
	uint8_t sec, sub, b = (uint8_t)(bdf >> 8);

	if ((s[SCOPE_TYPE] != DMAR_SCOPE_ENDPOINT && s[SCOPE_TYPE] != DMAR_SCOPE_BRIDGE) ||
	    !dmar_scope_target(s, seg, bus, &target))
		return false;
	if (target == bdf)
		return true;
	return s[SCOPE_TYPE] == DMAR_SCOPE_BRIDGE && dmar_below(bus, seg, target, &sec, &sub) &&
	       b >= sec && b <= sub;
}

/* Any scope in [off, off + len) of the table names (seg, bdf); lengths were checked. */
static bool dmar_scopes_name(const uint8_t *t, uint32_t off, uint32_t len, uint16_t seg,
			     uint16_t bdf, const struct dmar_bus *bus)
{
	for (uint32_t end = off + len; off < end; off += t[off + SCOPE_LEN])
		if (dmar_scope_names(t + off, seg, bdf, bus))
			return true;
	return false;
}

int dmar_unit_for(const struct dmar_info *d, uint16_t seg, uint16_t bdf,
		  const struct dmar_bus *bus)
{
	int all = -1;

	for (unsigned int i = 0; i < d->ndrhd; i++) {
		const struct dmar_drhd *u = &d->drhd[i];

		if (u->segment != seg)
			continue;
		if (u->flags & DMAR_DRHD_INCLUDE_PCI_ALL)
			all = (int)i;
		else if (dmar_scopes_name(d->table, u->scope_off, u->scope_len, seg, bdf, bus))
			return (int)i;
	}
	return all;
}

bool dmar_rmrr_names(const struct dmar_info *d, const struct dmar_rmrr *r, uint16_t seg,
		     uint16_t bdf, const struct dmar_bus *bus)
{
	return r->segment == seg &&
	       dmar_scopes_name(d->table, r->scope_off, r->scope_len, seg, bdf, bus);
}
