/* SPDX-License-Identifier: MIT */
/* A checked ELF loader: validate all program headers first, then copy (System V gABI ch. 4-5). */
#include "vmm/elf.h"

#include <stdbool.h>

#include "include/abi/hv_errno.h"

#define EI_CLASS	4
#define ELFCLASS32	1
#define ELFCLASS64	2
#define EI_DATA		5
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define MAX_PHDRS	64

/* A program header reduced to what loading needs, from either class. */
struct seg {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz;
};

static uint64_t get(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

struct layout {
	bool is64;
	uint64_t entry, phoff;
	uint32_t phentsize, phnum;
};

static int parse_header(const uint8_t *e, size_t len, struct layout *l)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (len < 52)
		return -HV_EBADMSG;
	for (int i = 0; i < 4; i++)
		if (e[i] != magic[i])
			return -HV_EBADMSG;
	if (e[EI_DATA] != ELFDATA2LSB || get(e + 16, 2) != ET_EXEC)
		return -HV_EBADMSG;
	l->is64 = e[EI_CLASS] == ELFCLASS64;
	if (l->is64 && len >= 64 && get(e + 18, 2) == EM_X86_64) {
		l->entry = get(e + 24, 8);
		l->phoff = get(e + 32, 8);
		l->phentsize = (uint32_t)get(e + 54, 2);
		l->phnum = (uint32_t)get(e + 56, 2);
		return l->phentsize >= 56 ? 0 : -HV_EBADMSG;
	}
	if (e[EI_CLASS] == ELFCLASS32 && get(e + 18, 2) == EM_386) {
		l->entry = get(e + 24, 4);
		l->phoff = get(e + 28, 4);
		l->phentsize = (uint32_t)get(e + 42, 2);
		l->phnum = (uint32_t)get(e + 44, 2);
		return l->phentsize >= 32 ? 0 : -HV_EBADMSG;
	}
	return -HV_EBADMSG;
}

static void read_seg(const uint8_t *p, bool is64, struct seg *s)
{
	s->type = (uint32_t)get(p, 4);
	if (is64) {
		s->offset = get(p + 8, 8);
		s->paddr = get(p + 24, 8);
		s->filesz = get(p + 32, 8);
		s->memsz = get(p + 40, 8);
	} else {
		s->offset = get(p + 4, 4);
		s->paddr = get(p + 12, 4);
		s->filesz = get(p + 16, 4);
		s->memsz = get(p + 20, 4);
	}
}

static int check_seg(const struct seg *s, size_t len, uint64_t mem_size, uint64_t rs,
		     uint64_t re)
{
	if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
		return -HV_EBADMSG;
	if (s->paddr > mem_size || s->memsz > mem_size - s->paddr)
		return -HV_ERANGE;
	if (s->memsz && s->paddr < re && rs < s->paddr + s->memsz)
		return -HV_ERANGE;
	return 0;
}

/* Validates every header; returns the number of PT_LOAD segments or an error. */
static int check_all(const uint8_t *img, size_t len, const struct layout *l, uint64_t mem_size,
		     uint64_t rs, uint64_t re)
{
	bool entry_ok = false;
	int nload = 0;

	if (l->phnum == 0 || l->phnum > MAX_PHDRS || l->phoff > len ||
	    (uint64_t)l->phnum * l->phentsize > len - l->phoff)
		return -HV_EBADMSG;
	for (uint32_t i = 0; i < l->phnum; i++) {
		struct seg s;
		int ret;

		read_seg(img + l->phoff + (uint64_t)i * l->phentsize, l->is64, &s);
		if (s.type != PT_LOAD)
			continue;
		ret = check_seg(&s, len, mem_size, rs, re);
		if (ret)
			return ret;
		entry_ok |= l->entry >= s.paddr && l->entry < s.paddr + s.memsz;
		nload++;
	}
	if (!nload)
		return -HV_ENOENT;
	return entry_ok ? nload : -HV_ERANGE;
}

int elf_load(const void *image, size_t len, uint8_t *mem, uint64_t mem_size, uint64_t resv_start,
	     uint64_t resv_end, uint64_t *entry)
{
	const uint8_t *img = image;
	struct layout l;
	int ret = parse_header(img, len, &l);

	if (!ret)
		ret = check_all(img, len, &l, mem_size, resv_start, resv_end);
	if (ret < 0)
		return ret;
	for (uint32_t i = 0; i < l.phnum; i++) {
		struct seg s;

		read_seg(img + l.phoff + (uint64_t)i * l.phentsize, l.is64, &s);
		if (s.type != PT_LOAD)
			continue;
		for (uint64_t b = 0; b < s.memsz; b++)
			mem[s.paddr + b] = b < s.filesz ? img[s.offset + b] : 0;
	}
	*entry = l.entry;
	return 0;
}
