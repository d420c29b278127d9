/* SPDX-License-Identifier: MIT */
/* The pure parts of guest setup: the guests= option, the boot information, guest memory access. */
#include "include/abi/hv_errno.h"
#include "vmm/guest.h"
#include "vmm/log.h"

#define MIB		0x100000ull
#define GUEST_MAX_MIB	1024u

/* ---- guests= parsing (pure) ---- */

static int parse_uint(const char **p, unsigned int *out)
{
	unsigned int v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -HV_EINVAL;
	while (*s >= '0' && *s <= '9') {
		if (v > 100000)
			return -HV_EINVAL;
		v = v * 10 + (unsigned int)(*s++ - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

static int parse_one(const char **p, struct guest_spec *g)
{
	const char *s = *p;
	unsigned int n = 0;

	while (*s && *s != '@' && *s != ',' && *s != '/') {
		if (n + 1 >= GUEST_NAME_MAX)
			return -HV_EINVAL;
		g->name[n++] = *s++;
	}
	g->name[n] = 0;
	g->cpu = 0;
	g->mem_mib = GUEST_DEFAULT_MIB;
	g->cmdline = 0;
	g->nvcpus = 1;
	if (!n)
		return -HV_EINVAL;
	if (*s == '@' && (s++, parse_uint(&s, &g->cpu)))
		return -HV_EINVAL;
	if (*s == '/' && (s++, parse_uint(&s, &g->mem_mib)))
		return -HV_EINVAL;
	if (g->mem_mib < 2 || g->mem_mib > GUEST_MAX_MIB || (g->mem_mib & 1))
		return -HV_EINVAL;
	*p = s;
	return 0;
}

int guest_parse_specs(const char *s, struct guest_spec *out, unsigned int max)
{
	unsigned int n = 0;

	while (*s) {
		if (n == max)
			return -HV_E2BIG;
		if (parse_one(&s, &out[n]))
			return -HV_EINVAL;
		n++;
		if (*s == ',')
			s++;
		else if (*s)
			return -HV_EINVAL;
	}
	return (int)n;
}

/* ---- boot information (pure: writes into the guest's memory) ---- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void put_range(uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
	put32(e, 20);		/* size of the rest of the entry */
	put64(e + 4, base);
	put64(e + 12, len);
	put32(e + 20, type);
}

/*
 * Multiboot 0.6.96 sec. 3.3: the info structure, its mmap at +0x400, cmdline at +0x800.
 * The map leaves out [0x8000, 0x10000): the boot information, event and start-info
 * pages the hypervisor writes there (include/abi/startinfo.h).
 */
void guest_write_bootinfo(uint8_t *mem, uint64_t mem_size, const char *cmdline)
{
	uint8_t *info = mem + GUEST_BOOTINFO_GPA;
	uint8_t *mmap = info + 0x400;
	char *cl = (char *)info + 0x800;
	unsigned int i;

	put32(info + 0, 0x1 | 0x4 | 0x40);			/* flags: mem, cmdline, mmap */
	put32(info + 4, 639);					/* mem_lower, KiB */
	put32(info + 8, (uint32_t)((mem_size - MIB) / 1024));	/* mem_upper, KiB */
	put32(info + 16, (uint32_t)(GUEST_BOOTINFO_GPA + 0x800));
	put32(info + 44, 4 * 24);				/* mmap_length */
	put32(info + 48, (uint32_t)(GUEST_BOOTINFO_GPA + 0x400));
	put_range(mmap, 0, GUEST_BOOTINFO_GPA, 1);
	put_range(mmap + 24, GUEST_BOOTINFO_GPA, GUEST_RESERVED_END - GUEST_BOOTINFO_GPA, 2);
	put_range(mmap + 48, GUEST_RESERVED_END, 0x9fc00 - GUEST_RESERVED_END, 1);
	put_range(mmap + 72, MIB, mem_size - MIB, 1);
	for (i = 0; cmdline[i] && i < 255; i++)
		cl[i] = cmdline[i];
	cl[i] = 0;
}

/* ---- access to guest memory and the guest console ---- */

void *guest_ptr(const struct guest *g, uint64_t gpa, uint64_t len)
{
	if (gpa > g->mem.size || len > g->mem.size - gpa)
		return 0;
	return (void *)(uintptr_t)(g->mem_hpa + gpa);
}

void guest_console(struct guest *g, const char *s, uint64_t len)
{
	for (uint64_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\n' || g->line_len + 1 >= sizeof(g->line)) {
			g->line[g->line_len] = 0;
			pr_info("[%s] %s", g->name, g->line);
			g->line_len = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r')
			continue;
		/* Keep the log one line per record: non-printables become '?'. */
		g->line[g->line_len++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
}
