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

#define IVMD_LEN 32         /* 5.2.3 table 30 */

/* IVHD device entries, 5.2.2.2: length from type bits 7:6, except F0h */
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

static int ivhd_check_entries(const uint8_t *t, uint32_t off, uint32_t end)
{
	uint32_t n;

	for (; off < end; off += n) {
		n = ivhd_entry_len(t, off, end);
		if (!n)
			return -HV_EBADMSG;
	}
	return 0;
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
	err = ivhd_check_entries(t, off + hdr, off + blen);
	if (err)
		return err;
	ivhd_decode(t + off, off, hdr, &u);
	return ivrs_add_unit(out, &u);
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
		out->nivmd++;
		return *blen < IVMD_LEN ? -HV_EBADMSG : 0;
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
