/* SPDX-License-Identifier: MIT */
/* IVRS parser: IOMMU units from IVHD blocks, every length checked; spec 48882 rev 3.08. */
#include "iommu/amdvi/ivrs.h"
#include "arch/x86/acpi.h"
#include "include/abi/hv_errno.h"

/* IVRS header, 5.2.1: IVinfo at 36, 8 reserved bytes, blocks from 48 */
#define IVRS_IVINFO 36
#define IVRS_BLOCKS 48

/* Block header common to IVHD and IVMD: type, flags, length (2 bytes), device id */
#define BLK_HDR 4

/* IVHD header, 5.2.2.1 tables 19 (10h) and 20 (11h/40h) */
#define IVHD_FLAGS 1
#define IVHD_LEN 2
#define IVHD_DEVID 4
#define IVHD_CAP_OFF 6
#define IVHD_BASE 8
#define IVHD_SEGMENT 16
#define IVHD_INFO 18
#define IVHD_ATTR 20
#define IVHD_EFR 24
#define IVHD10_ENTRIES 24
#define IVHD11_ENTRIES 40   /* after the EFR image and EFR2 (or reserved) */

/* IVMD, 5.2.3 table 30: type, flags, length, devid, aux data, 8 reserved, start, length */
#define IVMD_LEN 32
#define IVMD_FLAGS 1
#define IVMD_DEVID 4
#define IVMD_AUX 6
#define IVMD_START 16
#define IVMD_SIZE 24

/* IVHD device entries, 5.2.2.2 tables 21-27: length from type bits 7:6, except F0h */
#define DEV_ALL 0x01
#define DEV_SELECT 0x02
#define DEV_RANGE_START 0x03
#define DEV_RANGE_END 0x04
#define DEV_ALIAS_SELECT 0x42     /* devid at 1, alias at 5 */
#define DEV_ALIAS_RANGE 0x43
#define DEV_EXT_SELECT 0x46
#define DEV_EXT_RANGE 0x47
#define DEV_ID 1
#define DEV_ALIAS_ID 5
#define DEV_ACPI_HID 0xf0
#define DEV_ACPI_HID_UIDLEN 21
#define DEV_ACPI_HID_LEN 22

/* Length of the device entry at off in [off, end), or 0 when it does not fit. */
static uint32_t ivhd_entry_len(const uint8_t *t, uint32_t off, uint32_t end)
{
	uint8_t type = t[off];
	uint32_t n = 4u << (type >> 6);

	if (type == DEV_ACPI_HID) {
		if (end - off < DEV_ACPI_HID_LEN)
			return 0;
		n = DEV_ACPI_HID_LEN + t[off + DEV_ACPI_HID_UIDLEN];
	}
	return n <= end - off ? n : 0;
}

/* A range being collected: start entry seen, end entry awaited. */
struct ivhd_range {
	bool open;
	struct ivhd_devs d;
};

static int ivhd_emit(const struct ivhd_devs *d, ivhd_dev_fn fn, void *ctx)
{
	return fn ? fn(d, ctx) : 0;
}

/* Handles one entry e of known length; ranges are collected in r. */
static int ivhd_entry(const uint8_t *e, struct ivhd_range *r, ivhd_dev_fn fn, void *ctx)
{
	struct ivhd_devs d = { .first = acpi_get16(e + DEV_ID) };

	d.last = d.first;
	switch (e[0]) {
	case DEV_ALL:
		d = (struct ivhd_devs){ .first = 0, .last = 0xffff };
		break;
	case DEV_ALIAS_SELECT:
	case DEV_ALIAS_RANGE:
		d.aliased = true;
		d.alias = acpi_get16(e + DEV_ALIAS_ID);
		break;
	case DEV_SELECT:
	case DEV_RANGE_START:
	case DEV_EXT_SELECT:
	case DEV_EXT_RANGE:
		break;
	case DEV_RANGE_END:
		if (!r->open || d.first < r->d.first)
			return -HV_EBADMSG;
		r->open = false;
		r->d.last = d.first;
		return ivhd_emit(&r->d, fn, ctx);
	default:
		return 0;	/* padding, special (48h), ACPI HID, 16-byte entries */
	}
	if (r->open)
		return -HV_EBADMSG;	/* nothing but an end may follow a start */
	if (e[0] == DEV_RANGE_START || e[0] == DEV_ALIAS_RANGE || e[0] == DEV_EXT_RANGE) {
		*r = (struct ivhd_range){ .open = true, .d = d };
		return 0;
	}
	return ivhd_emit(&d, fn, ctx);
}

int ivhd_walk_devices(const uint8_t *ent, uint32_t len, ivhd_dev_fn fn, void *ctx)
{
	struct ivhd_range r = { .open = false };
	uint32_t n;
	int ret;

	for (uint32_t off = 0; off < len; off += n) {
		n = ivhd_entry_len(ent, off, len);
		if (!n)
			return -HV_EBADMSG;
		ret = ivhd_entry(ent + off, &r, fn, ctx);
		if (ret)
			return ret;
	}
	return r.open ? -HV_EBADMSG : 0;
}

struct ivhd_find {
	uint16_t devid, rid;
	bool found;
};

static int ivhd_find_one(const struct ivhd_devs *d, void *ctx)
{
	struct ivhd_find *f = ctx;

	if (f->devid >= d->first && f->devid <= d->last) {
		f->found = true;
		f->rid = d->aliased ? d->alias : f->devid;
	}
	return 0;
}

bool ivhd_covers(const uint8_t *table, const struct ivrs_ivhd *u, uint16_t devid,
		 uint16_t *rid)
{
	struct ivhd_find f = { .devid = devid };

	/* Checked by ivrs_parse(), so the walk cannot fail. */
	if (ivhd_walk_devices(table + u->entries_off, u->entries_len, ivhd_find_one, &f) ||
	    !f.found)
		return false;
	*rid = f.rid;
	return true;
}

static void ivhd_decode(const uint8_t *b, uint32_t off, uint32_t hdr,
			struct ivrs_ivhd *u)
{
	uint16_t devid = acpi_get16(b + IVHD_DEVID);

	*u = (struct ivrs_ivhd){
		.type = b[0],
		.flags = b[IVHD_FLAGS],
		.devid = devid,
		.bus = (uint8_t)(devid >> 8),  /* PCI requester id: bus 15:8, dev 7:3, fn 2:0 */
		.dev = (devid >> 3) & 0x1f,
		.fn = devid & 0x7,
		.cap_off = acpi_get16(b + IVHD_CAP_OFF),
		.base = acpi_get64(b + IVHD_BASE),
		.segment = acpi_get16(b + IVHD_SEGMENT),
		.info = acpi_get16(b + IVHD_INFO),
		.attr = acpi_get32(b + IVHD_ATTR),
		.efr_valid = b[0] != IVRS_TYPE_IVHD_10,
		.efr = b[0] != IVRS_TYPE_IVHD_10 ? acpi_get64(b + IVHD_EFR) : 0,
		.entries_off = off + hdr,
		.entries_len = acpi_get16(b + IVHD_LEN) - hdr,
	};
}

/*
 * Firmware describes each IOMMU once per IVHD type it supports: a 10h block for old
 * OSes and 11h and/or 40h blocks with the EFR image and ACPI HID entries. A unit is
 * identified by segment and device id; among its blocks the highest type is kept,
 * as each newer type is a superset of the older. (Linux picks one type for the whole
 * table from the first IVHD's device; per unit gives the same answer on consistent
 * tables and never drops a unit only one type describes.) The same type twice for
 * one device, one device with two bases, or one base for two devices is a conflict.
 */
static int ivrs_add_unit(struct ivrs_info *out, const struct ivrs_ivhd *u)
{
	for (unsigned i = 0; i < out->nunits; i++) {
		struct ivrs_ivhd *o = &out->units[i];
		bool same_dev = o->segment == u->segment && o->devid == u->devid;

		if (same_dev != (o->base == u->base) || (same_dev && o->type == u->type))
			return -HV_EEXIST;
		if (!same_dev)
			continue;
		if (u->type > o->type)
			*o = *u;
		return 0;
	}
	if (out->nunits == IVRS_MAX_UNITS)
		return -HV_E2BIG;
	out->units[out->nunits++] = *u;
	return 0;
}

static int ivrs_ivhd(const uint8_t *t, uint32_t off, uint16_t blen, struct ivrs_info *out)
{
	uint32_t hdr = t[off] == IVRS_TYPE_IVHD_10 ? IVHD10_ENTRIES : IVHD11_ENTRIES;
	struct ivrs_ivhd u;
	int err;

	if (blen < hdr)
		return -HV_EBADMSG;
	err = ivhd_walk_devices(t + off + hdr, blen - hdr, NULL, NULL);
	if (err)
		return err;
	ivhd_decode(t + off, off, hdr, &u);
	return ivrs_add_unit(out, &u);
}

static int ivrs_ivmd(const uint8_t *b, uint16_t blen, struct ivrs_info *out)
{
	struct ivrs_ivmd *m = &out->ivmd[out->nivmd];
	uint16_t devid = acpi_get16(b + IVMD_DEVID);

	if (blen < IVMD_LEN)
		return -HV_EBADMSG;
	if (out->nivmd == IVRS_MAX_IVMD)
		return -HV_E2BIG;
	*m = (struct ivrs_ivmd){
		.type = b[0], .flags = b[IVMD_FLAGS], .first = devid, .last = devid,
		.start = acpi_get64(b + IVMD_START), .len = acpi_get64(b + IVMD_SIZE),
	};
	if (b[0] == IVRS_TYPE_IVMD_ALL) {
		m->first = 0;
		m->last = 0xffff;
	} else if (b[0] == IVRS_TYPE_IVMD_RANGE) {
		m->last = acpi_get16(b + IVMD_AUX);
	}
	if (m->last < m->first || m->start + m->len < m->start)
		return -HV_EBADMSG;
	out->nivmd++;
	return 0;
}

/* Check the block at off; *blen receives its length. */
static int ivrs_block(const uint8_t *t, uint32_t off, uint32_t len, uint16_t *blen,
		      struct ivrs_info *out)
{
	uint8_t type;

	if (len - off < BLK_HDR)
		return -HV_EBADMSG;
	type = t[off];
	*blen = acpi_get16(t + off + IVHD_LEN);
	if (*blen < BLK_HDR || *blen > len - off)
		return -HV_EBADMSG;
	switch (type) {
	case IVRS_TYPE_IVHD_10:
	case IVRS_TYPE_IVHD_11:
	case IVRS_TYPE_IVHD_40:
		return ivrs_ivhd(t, off, *blen, out);
	case IVRS_TYPE_IVMD_ALL:
	case IVRS_TYPE_IVMD_ONE:
	case IVRS_TYPE_IVMD_RANGE:
		return ivrs_ivmd(t + off, *blen, out);
	default:
		return 0;  /* unknown: skipped by its length (5.2) */
	}
}

int ivrs_parse(const void *ivrs, uint32_t avail, struct ivrs_info *out)
{
	const uint8_t *t = ivrs;
	uint32_t len;
	uint16_t blen;
	int err;

	*out = (struct ivrs_info){ 0 };
	err = acpi_check_sdt(t, avail, "IVRS", &len);
	if (err)
		return err;
	if (len < IVRS_BLOCKS)
		return -HV_EBADMSG;
	out->ivinfo = acpi_get32(t + IVRS_IVINFO);
	for (uint32_t off = IVRS_BLOCKS; off < len; off += blen) {
		err = ivrs_block(t, off, len, &blen, out);
		if (err)
			return err;
	}
	return 0;
}
