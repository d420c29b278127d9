/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and Multiboot2 boot information parsing: every size and pointer checked first. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"
#include "include/abi/hv_errno.h"

/* Multiboot 0.6.96 sec. 3.3: boot information format (byte offsets, flag bits). */
enum mb1_info_off {
	MB1_FLAGS = 0,
	MB1_MEM_LOWER = 4,
	MB1_MEM_UPPER = 8,
	MB1_CMDLINE = 16,
	MB1_MODS_COUNT = 20,
	MB1_MODS_ADDR = 24,
	MB1_MMAP_LENGTH = 44,
	MB1_MMAP_ADDR = 48,
	MB1_LOADER_NAME = 64,
	MB1_INFO_SIZE = 116,	/* through the framebuffer fields */
};
#define MB1_F_MEM		(1u << 0)
#define MB1_F_CMDLINE		(1u << 2)
#define MB1_F_MODS		(1u << 3)
#define MB1_F_MMAP		(1u << 6)
#define MB1_F_LOADER		(1u << 9)
#define MB1_MOD_SIZE		16	/* mod_start, mod_end, string, reserved */
#define MB1_MMAP_MIN		20	/* size excludes itself: base_addr, length, type */
#define MB1_MEM_LOWER_MAX	640	/* KiB, "maximum possible value for lower memory" */
#define MB1_STR_MAX		4096	/* longest string we follow, NUL included */
#define MB1_MMAP_BYTES_MAX	0x10000

/* Multiboot2 1.6 sec. 3.6: boot information format. */
enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,		/* sec. 3.6.5 */
	MB2_TAG_LOADER_NAME = 2,	/* sec. 3.6.6 */
	MB2_TAG_MODULE = 3,		/* sec. 3.6.7 */
	MB2_TAG_BASIC_MEMINFO = 4,	/* sec. 3.6.3 */
	MB2_TAG_MMAP = 6,		/* sec. 3.6.8 */
	MB2_TAG_ACPI_OLD = 14,		/* sec. 3.6.13: RSDPv1 copy */
	MB2_TAG_ACPI_NEW = 15,		/* sec. 3.6.14: RSDPv2 copy */
	MB2_TAG_NTYPES
};
#define MB2_HDR_SIZE		8	/* total_size, reserved (sec. 3.6.1) */
#define MB2_TAG_HDR		8	/* type, size (sec. 3.6.2) */
#define MB2_TAG_ALIGN		8u
#define MB2_INFO_MIN		16	/* header plus end tag */
#define MB2_INFO_MAX		0x10000
#define MB2_MOD_HDR		16	/* type, size, mod_start, mod_end */
#define MB2_MMAP_HDR		16	/* type, size, entry_size, entry_version */
#define MB2_MMAP_ENTRY_MIN	24	/* base_addr, length, type, reserved */
#define MB2_MEMINFO_SIZE	16
#define ACPI_RSDP_V1_LEN	20	/* ACPI 6.4 sec. 5.2.5.3 */
#define ACPI_RSDP_V2_LEN	36

/* The formats are little-endian; byte reads tolerate any alignment phys_map returns. */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void bi_zero(struct boot_info *bi)
{
	uint8_t *b = (uint8_t *)bi;

	for (size_t i = 0; i < sizeof(*bi); i++)
		b[i] = 0;
}

/* Copies n bytes (no NUL among them) into dst[cap], truncating; true if truncated. */
static bool copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
	return i < n;
}

static int add_resv(struct boot_info *bi, uint64_t start, uint64_t len, uint32_t kind)
{
	if (len == 0)
		return 0;
	if (start + len < start)
		return -HV_EINVAL;
	if (bi->resv_count >= BOOT_RESV_MAX)
		return -HV_E2BIG;
	bi->resv[bi->resv_count++] = (struct boot_resv){ start, start + len, kind };
	return 0;
}

static int add_mmap(struct boot_info *bi, uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0)
		return 0;
	if (base + (len - 1) < base)	/* may end exactly at 2^64, not beyond */
		return -HV_EINVAL;
	if (bi->mmap_count >= BOOT_MMAP_MAX)
		return -HV_E2BIG;
	bi->mmap[bi->mmap_count++] = (struct boot_mmap_entry){ base, len, type };
	return 0;
}

/* Module [start, end) named by the n bytes at name; records the range to reserve. */
static int add_module(struct boot_info *bi, uint64_t start, uint64_t end,
		      const uint8_t *name, size_t n)
{
	struct boot_module *m;

	if (end < start)
		return -HV_EINVAL;
	if (bi->mod_count >= BOOT_MODS_MAX)
		return -HV_E2BIG;
	m = &bi->mods[bi->mod_count++];
	m->start = start;
	m->end = end;
	copy_str(m->name, sizeof(m->name), name, n);
	return add_resv(bi, start, end - start, BOOT_RESV_MODULE);
}

/* With no map from the loader, describe what mem_lower/mem_upper say is there. */
static int synth_mmap(struct boot_info *bi)
{
	int ret;

	if (bi->have_mmap || !bi->have_mem)
		return 0;
	if (bi->mem_lower_kib > MB1_MEM_LOWER_MAX)
		return -HV_EINVAL;
	ret = add_mmap(bi, 0, (uint64_t)bi->mem_lower_kib << 10, BOOT_MEM_AVAILABLE);
	if (ret)
		return ret;
	return add_mmap(bi, 0x100000, (uint64_t)bi->mem_upper_kib << 10, BOOT_MEM_AVAILABLE);
}

/* ---- Multiboot 1 ---- */

/*
 * Follows the string at addr byte by byte (it may end right before inaccessible
 * memory), copies it truncated into dst[cap] and reserves it, NUL included.
 */
static int mb1_string(struct boot_info *bi, const struct phys_access *pa, uint64_t addr,
		      char *dst, size_t cap, bool *truncated)
{
	const uint8_t *c;
	size_t i;

	for (i = 0; i < MB1_STR_MAX; i++) {
		c = phys_map(pa, addr + i, 1);
		if (!c)
			return -HV_EFAULT;
		if (*c == '\0')
			break;
		if (i + 1 < cap)
			dst[i] = (char)*c;
	}
	if (i == MB1_STR_MAX)
		return -HV_EBADMSG;
	dst[i + 1 < cap ? i : cap - 1] = '\0';
	if (truncated)
		*truncated = i + 1 > cap;
	return add_resv(bi, addr, i + 1, BOOT_RESV_INFO);
}

static int mb1_module(struct boot_info *bi, const struct phys_access *pa, const uint8_t *e)
{
	struct boot_module *m;
	uint32_t str = rd32(e + 8);
	int ret;

	ret = add_module(bi, rd32(e), rd32(e + 4), NULL, 0);
	if (ret || str == 0)	/* no string: the module stays unnamed */
		return ret;
	m = &bi->mods[bi->mod_count - 1];
	return mb1_string(bi, pa, str, m->name, sizeof(m->name), NULL);
}

static int mb1_mods(struct boot_info *bi, const struct phys_access *pa, const uint8_t *info)
{
	uint32_t count = rd32(info + MB1_MODS_COUNT), addr = rd32(info + MB1_MODS_ADDR);
	const uint8_t *list;
	int ret;

	if (count == 0)
		return 0;
	if (count > BOOT_MODS_MAX)
		return -HV_E2BIG;
	list = phys_map(pa, addr, (size_t)count * MB1_MOD_SIZE);
	if (!list)
		return -HV_EFAULT;
	ret = add_resv(bi, addr, (uint64_t)count * MB1_MOD_SIZE, BOOT_RESV_INFO);
	for (uint32_t i = 0; i < count && !ret; i++)
		ret = mb1_module(bi, pa, list + (size_t)i * MB1_MOD_SIZE);
	return ret;
}

/* Sec. 3.3: each entry starts with a size that does not count itself. */
static int mb1_mmap(struct boot_info *bi, const struct phys_access *pa, const uint8_t *info)
{
	uint32_t len = rd32(info + MB1_MMAP_LENGTH), addr = rd32(info + MB1_MMAP_ADDR);
	const uint8_t *map, *e;
	uint64_t off, size;
	int ret;

	if (len == 0)
		return 0;
	if (len > MB1_MMAP_BYTES_MAX)
		return -HV_EBADMSG;
	map = phys_map(pa, addr, len);
	if (!map)
		return -HV_EFAULT;
	for (off = 0; off < len; off += 4 + size) {
		if (len - off < 4)
			return -HV_EBADMSG;
		e = map + off;
		size = rd32(e);
		if (size < MB1_MMAP_MIN || size > len - off - 4)
			return -HV_EBADMSG;
		ret = add_mmap(bi, rd64(e + 4), rd64(e + 12), rd32(e + 20));
		if (ret)
			return ret;
	}
	bi->have_mmap = bi->mmap_count > 0;
	return add_resv(bi, addr, len, BOOT_RESV_INFO);
}

/* Bytes of the info structure that the fields named by flags need. */
static size_t mb1_info_len(uint32_t flags)
{
	if (flags & MB1_F_LOADER)
		return MB1_LOADER_NAME + 4;
	if (flags & MB1_F_MMAP)
		return MB1_MMAP_ADDR + 4;
	if (flags & MB1_F_MODS)
		return MB1_MODS_ADDR + 4;
	if (flags & MB1_F_CMDLINE)
		return MB1_CMDLINE + 4;
	return MB1_MEM_UPPER + 4;
}

static int mb1_strings(struct boot_info *bi, const struct phys_access *pa,
		       const uint8_t *info, uint32_t flags)
{
	int ret = 0;

	if (flags & MB1_F_CMDLINE) {
		ret = mb1_string(bi, pa, rd32(info + MB1_CMDLINE), bi->cmdline,
				 sizeof(bi->cmdline), &bi->cmdline_truncated);
		bi->have_cmdline = ret == 0;
	}
	if (!ret && (flags & MB1_F_LOADER)) {
		ret = mb1_string(bi, pa, rd32(info + MB1_LOADER_NAME), bi->loader_name,
				 sizeof(bi->loader_name), NULL);
		bi->have_loader_name = ret == 0;
	}
	return ret;
}

static int mb1_parse(struct boot_info *bi, const struct phys_access *pa, uint64_t info_pa)
{
	const uint8_t *info = phys_map(pa, info_pa, 4);
	uint32_t flags;
	int ret;

	if (!info)
		return -HV_EFAULT;
	flags = rd32(info + MB1_FLAGS);
	info = phys_map(pa, info_pa, mb1_info_len(flags));
	if (!info)
		return -HV_EFAULT;
	ret = add_resv(bi, info_pa, MB1_INFO_SIZE, BOOT_RESV_INFO);
	if (!ret && (flags & MB1_F_MEM)) {
		bi->have_mem = true;
		bi->mem_lower_kib = rd32(info + MB1_MEM_LOWER);
		bi->mem_upper_kib = rd32(info + MB1_MEM_UPPER);
	}
	if (!ret)
		ret = mb1_strings(bi, pa, info, flags);
	if (!ret && (flags & MB1_F_MODS))
		ret = mb1_mods(bi, pa, info);
	if (!ret && (flags & MB1_F_MMAP))
		ret = mb1_mmap(bi, pa, info);
	return ret;
}

/* ---- Multiboot2 ---- */

/* The n-byte string at s must hold its NUL; copies it truncated into dst[cap]. */
static int mb2_string(const uint8_t *s, size_t n, char *dst, size_t cap, bool *truncated)
{
	size_t len;
	bool t;

	for (len = 0; len < n && s[len] != '\0'; len++)
		;
	if (len == n)
		return -HV_EBADMSG;
	t = copy_str(dst, cap, s, len);
	if (truncated)
		*truncated = t;
	return 0;
}

static int mb2_cmdline(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	bi->have_cmdline = true;
	return mb2_string(tag + MB2_TAG_HDR, size - MB2_TAG_HDR, bi->cmdline,
			  sizeof(bi->cmdline), &bi->cmdline_truncated);
}

static int mb2_loader_name(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	bi->have_loader_name = true;
	return mb2_string(tag + MB2_TAG_HDR, size - MB2_TAG_HDR, bi->loader_name,
			  sizeof(bi->loader_name), NULL);
}

static int mb2_module(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	int ret;

	if (size < MB2_MOD_HDR + 1)
		return -HV_EBADMSG;
	ret = add_module(bi, rd32(tag + 8), rd32(tag + 12), NULL, 0);
	if (ret)
		return ret;
	return mb2_string(tag + MB2_MOD_HDR, size - MB2_MOD_HDR,
			  bi->mods[bi->mod_count - 1].name, BOOT_MOD_NAME_MAX, NULL);
}

static int mb2_meminfo(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	if (size < MB2_MEMINFO_SIZE)
		return -HV_EBADMSG;
	bi->have_mem = true;
	bi->mem_lower_kib = rd32(tag + 8);
	bi->mem_upper_kib = rd32(tag + 12);
	return 0;
}

static int mb2_mmap(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	uint32_t esize, off;
	const uint8_t *e;
	int ret;

	if (size < MB2_MMAP_HDR)
		return -HV_EBADMSG;
	esize = rd32(tag + 8);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % 8 || (size - MB2_MMAP_HDR) % esize)
		return -HV_EBADMSG;
	for (off = MB2_MMAP_HDR; off < size; off += esize) {
		e = tag + off;
		ret = add_mmap(bi, rd64(e), rd64(e + 8), rd32(e + 16));
		if (ret)
			return ret;
	}
	bi->have_mmap = bi->mmap_count > 0;
	return 0;
}

static void rsdp_copy(struct boot_info *bi, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bi->rsdp[i] = src[i];
	bi->rsdp_len = n;
}

static int mb2_acpi_old(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	if (size - MB2_TAG_HDR < ACPI_RSDP_V1_LEN)
		return -HV_EBADMSG;
	if (bi->rsdp_len != ACPI_RSDP_V2_LEN)	/* the new RSDP wins in any order */
		rsdp_copy(bi, tag + MB2_TAG_HDR, ACPI_RSDP_V1_LEN);
	return 0;
}

static int mb2_acpi_new(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
	if (size - MB2_TAG_HDR < ACPI_RSDP_V2_LEN)
		return -HV_EBADMSG;
	rsdp_copy(bi, tag + MB2_TAG_HDR, ACPI_RSDP_V2_LEN);
	return 0;
}

typedef int (*mb2_tag_fn)(struct boot_info *bi, const uint8_t *tag, uint32_t size);

static const mb2_tag_fn mb2_tag_handlers[MB2_TAG_NTYPES] = {
	[MB2_TAG_CMDLINE] = mb2_cmdline,
	[MB2_TAG_LOADER_NAME] = mb2_loader_name,
	[MB2_TAG_MODULE] = mb2_module,
	[MB2_TAG_BASIC_MEMINFO] = mb2_meminfo,
	[MB2_TAG_MMAP] = mb2_mmap,
	[MB2_TAG_ACPI_OLD] = mb2_acpi_old,
	[MB2_TAG_ACPI_NEW] = mb2_acpi_new,
};

/* Walks the tags of the total-byte blob; each lies inside it, the last is the end tag. */
static int mb2_tags(struct boot_info *bi, const uint8_t *blob, uint32_t total)
{
	uint32_t off = MB2_HDR_SIZE, type, size;
	int ret;

	for (;;) {
		if (total - off < MB2_TAG_HDR)
			return -HV_EBADMSG;	/* no end tag */
		type = rd32(blob + off);
		size = rd32(blob + off + 4);
		if (size < MB2_TAG_HDR || size > total - off)
			return -HV_EBADMSG;
		if (type == MB2_TAG_END)
			return size == MB2_TAG_HDR ? 0 : -HV_EBADMSG;
		if (type < MB2_TAG_NTYPES && mb2_tag_handlers[type]) {
			ret = mb2_tag_handlers[type](bi, blob + off, size);
			if (ret)
				return ret;
		}
		size = (size + MB2_TAG_ALIGN - 1) & ~(MB2_TAG_ALIGN - 1);
		if (total - off < size)
			return -HV_EBADMSG;	/* padding past the end: no end tag */
		off += size;
	}
}

static int mb2_parse(struct boot_info *bi, const struct phys_access *pa, uint64_t info_pa)
{
	const uint8_t *blob;
	uint32_t total;
	int ret;

	if (info_pa % MB2_TAG_ALIGN)	/* sec. 3.6.1: 8-byte aligned */
		return -HV_EINVAL;
	blob = phys_map(pa, info_pa, MB2_HDR_SIZE);
	if (!blob)
		return -HV_EFAULT;
	total = rd32(blob);
	if (total < MB2_INFO_MIN || total > MB2_INFO_MAX)
		return -HV_EBADMSG;
	blob = phys_map(pa, info_pa, total);
	if (!blob)
		return -HV_EFAULT;
	ret = mb2_tags(bi, blob, total);
	if (ret)
		return ret;
	return add_resv(bi, info_pa, total, BOOT_RESV_INFO);
}

int multiboot_parse(uint32_t magic, uint64_t info_pa, const struct phys_access *pa,
		    struct boot_info *bi)
{
	int ret;

	if (!bi)
		return -HV_EINVAL;
	bi_zero(bi);
	if (!pa || !pa->map)
		return -HV_EINVAL;
	if (magic == MB1_BOOTLOADER_MAGIC) {
		bi->protocol = BOOT_PROTO_MB1;
		ret = mb1_parse(bi, pa, info_pa);
	} else if (magic == MB2_BOOTLOADER_MAGIC) {
		bi->protocol = BOOT_PROTO_MB2;
		ret = mb2_parse(bi, pa, info_pa);
	} else {
		return -HV_EINVAL;
	}
	if (!ret)
		ret = synth_mmap(bi);
	if (ret) {
		bi_zero(bi);
		bi->protocol = magic == MB1_BOOTLOADER_MAGIC ? BOOT_PROTO_MB1 : BOOT_PROTO_MB2;
	}
	return ret;
}

/* ---- command line ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Does the word w[0..n) name key, bare or as key=...? Sets the value if so. */
static bool word_match(const char *w, size_t n, const char *key, const char **val,
		       size_t *vlen)
{
	size_t k;

	for (k = 0; key[k] != '\0'; k++)
		if (k >= n || w[k] != key[k])
			return false;
	if (k == n) {
		*val = w + n;
		*vlen = 0;
		return true;
	}
	if (w[k] != '=')
		return false;
	*val = w + k + 1;
	*vlen = n - k - 1;
	return true;
}

/* Finds the last occurrence of key; its value is val[0..vlen). */
static bool cmdline_lookup(const char *cmdline, const char *key, const char **val,
			   size_t *vlen)
{
	bool found = false;
	const char *w;
	size_t n;

	if (!cmdline || !key || key[0] == '\0')
		return false;
	while (*cmdline != '\0') {
		while (is_space(*cmdline))
			cmdline++;
		for (w = cmdline, n = 0; w[n] != '\0' && !is_space(w[n]); n++)
			;
		if (n && word_match(w, n, key, val, vlen))
			found = true;
		cmdline = w + n;
	}
	return found;
}

const char *boot_cmdline_find(const char *cmdline, const char *key, char *buf, size_t len)
{
	const char *val;
	size_t vlen, i;

	if (!buf || len == 0)
		return NULL;
	buf[0] = '\0';
	if (!cmdline_lookup(cmdline, key, &val, &vlen) || vlen >= len)
		return NULL;
	for (i = 0; i < vlen; i++)
		buf[i] = val[i];
	buf[vlen] = '\0';
	return buf;
}

const char *boot_cmdline_get(const struct boot_info *bi, const char *key, char *buf,
			     size_t len)
{
	return boot_cmdline_find(bi ? bi->cmdline : NULL, key, buf, len);
}

bool boot_cmdline_has(const struct boot_info *bi, const char *key)
{
	const char *val;
	size_t vlen;

	return bi && cmdline_lookup(bi->cmdline, key, &val, &vlen);
}
