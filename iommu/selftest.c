/* SPDX-License-Identifier: MIT */
/* IOMMU self-test: QEMU's edu device DMAs into mapped, unmapped and foreign addresses. */
#include "iommu/selftest.h"

#include <stdarg.h>
#include <stddef.h>

#include "arch/x86/cpu.h"
#include "arch/x86/pci.h"
#include "arch/x86/tsc.h"
#include "include/abi/hv_errno.h"
#include "iommu/iommu.h"
#include "vmm/format.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/pt.h"

/* QEMU docs/specs/edu.txt and hw/misc/edu.c (QEMU 7.2). */
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID			0x00	/* 0xRRrr00ed: version, then the magic byte */
#define  EDU_ID_MAGIC		0xed
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_START		(1u << 0)	/* clears when the transfer is done */
#define  EDU_DMA_TO_RAM		(1u << 1)	/* 1: edu buffer -> RAM, 0: RAM -> edu */
#define EDU_BUF			0x40000	/* the device's 4 KiB DMA buffer, in its own space */
/* The default dma_mask property: QEMU clamps or aborts on addresses above it. */
#define EDU_DMA_LIMIT		(1ull << 28)
/* A transfer runs from a 100 ms virtual-clock timer; allow much more. */
#define EDU_DMA_WAIT_MS		3000

#define ST_LEN			64	/* bytes per transfer */
#define ST_FILL			0xc3	/* what an untouched target holds; never in the pattern */
#define ST_PAGE			0x1000ull

struct selftest {
	const struct iommu_ops *ops;
	uint64_t mmio;		/* edu BAR0 */
	struct iommu_dev dev;
	struct iommu_domain d1, d2;
	/* iova1 = scratch: without translation, domain 1's DMA lands in scratch, not buf1. */
	uint64_t buf1, buf2, canary, scratch;	/* scratch: 2 pages, iova1 and beyond */
	unsigned int passed, total;
};

static void st_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void st_line(const char *fmt, ...)
{
	char line[160];
	int n = hv_snprintf(line, sizeof(line), "iommu-selftest: ");
	va_list ap;

	va_start(ap, fmt);
	hv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	log_raw(line);
}

static void st_check(struct selftest *st, const char *name, bool ok, const char *detail)
{
	st->total++;
	st->passed += ok;
	st_line("%s %s %s", name, ok ? "ok" : "FAIL", detail);
}

static uint8_t *va(uint64_t pa)
{
	return (uint8_t *)(uintptr_t)pa;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 1);	/* 7 is odd: 256 distinct bytes, never ST_FILL at i < 64 */
}

static void fill(uint64_t pa, size_t len, int pat)
{
	for (size_t i = 0; i < len; i++)
		va(pa)[i] = pat ? pattern(i) : ST_FILL;
}

static bool holds(uint64_t pa, size_t len, int pat)
{
	for (size_t i = 0; i < len; i++)
		if (va(pa)[i] != (pat ? pattern(i) : ST_FILL))
			return false;
	return true;
}

/* One transfer; false if the engine is busy or does not finish in time. */
static bool edu_dma(const struct selftest *st, uint64_t src, uint64_t dst, uint32_t cmd)
{
	/* Addresses stay below 4 GiB: a 32-bit write sets the whole 64-bit register. */
	if (mmio_read32(st->mmio + EDU_DMA_CMD) & EDU_DMA_START)
		return false;
	mmio_write32(st->mmio + EDU_DMA_SRC, (uint32_t)src);
	mmio_write32(st->mmio + EDU_DMA_DST, (uint32_t)dst);
	mmio_write32(st->mmio + EDU_DMA_COUNT, ST_LEN);
	mmio_write32(st->mmio + EDU_DMA_CMD, cmd | EDU_DMA_START);
	for (unsigned int ms = 0; ms < EDU_DMA_WAIT_MS; ms++) {
		if (!(mmio_read32(st->mmio + EDU_DMA_CMD) & EDU_DMA_START))
			return true;
		tsc_delay_us(1000);
	}
	return false;
}

static bool edu_to_ram(const struct selftest *st, uint64_t iova)
{
	return edu_dma(st, EDU_BUF, iova, EDU_DMA_TO_RAM);
}

/* (a) iova -> edu -> iova + 0x100; the edu buffer then holds the pattern for the rest. */
static bool roundtrip(struct selftest *st, uint64_t iova, uint64_t host, const char *name)
{
	char d[96];
	bool done, ok;

	fill(host, ST_LEN, 1);
	fill(host + 0x100, ST_LEN, 0);
	done = edu_dma(st, iova, EDU_BUF, 0) && edu_to_ram(st, iova + 0x100);
	ok = done && holds(host + 0x100, ST_LEN, 1);
	hv_snprintf(d, sizeof(d), "iova=0x%llx host=0x%llx%s", (unsigned long long)iova,
		    (unsigned long long)host, done ? "" : " dma timeout");
	st_check(st, name, ok, d);
	return ok;
}

/* A transfer that must not land: every page in would[] (at off) keeps ST_FILL. */
static void blocked(struct selftest *st, const char *name, uint64_t iova,
		    const uint64_t *would, size_t n)
{
	char d[96];
	bool done, ok = true;
	uint64_t off = iova & (ST_PAGE - 1);

	for (size_t i = 0; i < n; i++)
		fill(would[i] + off, ST_LEN, 0);
	done = edu_to_ram(st, iova);
	for (size_t i = 0; i < n; i++)
		ok = ok && holds(would[i] + off, ST_LEN, 0);
	hv_snprintf(d, sizeof(d), "iova=0x%llx%s%s", (unsigned long long)iova,
		    ok ? " untouched" : " WRITTEN", done ? "" : " dma timeout");
	st_check(st, name, ok && done, d);
}

static bool pages_alloc(struct selftest *st)
{
	st->buf1 = mem_alloc_zeroed_page();
	st->buf2 = mem_alloc_zeroed_page();
	st->canary = mem_alloc_zeroed_page();
	st->scratch = mem_alloc_zeroed_pages(2, 1);
	if (!st->buf1 || !st->buf2 || !st->canary || !st->scratch) {
		st_line("setup FAIL out of memory");
		return false;
	}
	if (st->buf1 >= EDU_DMA_LIMIT || st->buf2 >= EDU_DMA_LIMIT ||
	    st->canary >= EDU_DMA_LIMIT || st->scratch + 2 * ST_PAGE > EDU_DMA_LIMIT) {
		st_line("setup FAIL pages above edu's dma_mask (use less memory)");
		return false;
	}
	return true;
}

/* Finds edu, turns on its memory decode and bus mastering; false if absent. */
static bool edu_find(struct selftest *st)
{
	const struct pci_func *f;
	uint32_t cmd;

	pci_scan();
	f = pci_find(EDU_VENDOR, EDU_DEVICE);
	if (!f || (f->bar[0].kind != PCI_BAR_MEM32 && f->bar[0].kind != PCI_BAR_MEM64) ||
	    !f->bar[0].base) {
		st_line("no edu device");
		return false;
	}
	st->mmio = f->bar[0].base;
	st->dev = (struct iommu_dev){ .seg = 0, .bdf = f->bdf };
	cmd = pci_cfg_read(f->bdf, PCI_COMMAND, 2);
	pci_cfg_write(f->bdf, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if ((mmio_read32(st->mmio + EDU_ID) & 0xff) != EDU_ID_MAGIC) {
		st_line("no edu device (id 0x%x at 0x%llx)", mmio_read32(st->mmio + EDU_ID),
			(unsigned long long)st->mmio);
		return false;
	}
	st_line("edu %02x:%02x.%u mmio=0x%llx", PCI_BUS(f->bdf), PCI_DEV(f->bdf),
		PCI_FN(f->bdf), (unsigned long long)st->mmio);
	return true;
}

/* The first op the driver lacks, or NULL when it has all the self-test needs. */
static const char *ops_missing(const struct iommu_ops *o)
{
	if (!o->init)
		return "init";
	if (!o->domain_init)
		return "domain_init";
	if (!o->map)
		return "map";
	if (!o->attach)
		return "attach";
	if (!o->detach)
		return "detach";
	if (!o->enable)
		return "enable";
	return o->faults ? 0 : "faults";
}

static bool step(const char *what, int err)
{
	if (err)
		st_line("setup FAIL %s error %d", what, err);
	return !err;
}

/* Domain 1: iova1 (= scratch) -> buf1. Domain 2: buf2 1:1. edu in domain 1. */
static bool iommu_setup(struct selftest *st)
{
	const struct iommu_ops *o = st->ops;

	return step("init", o->init()) && step("domain_init 1", o->domain_init(&st->d1, 1)) &&
	       step("domain_init 2", o->domain_init(&st->d2, 2)) &&
	       step("map 1", o->map(&st->d1, st->scratch, st->buf1, ST_PAGE, PT_R | PT_W)) &&
	       step("map 2", o->map(&st->d2, st->buf2, st->buf2, ST_PAGE, PT_R | PT_W)) &&
	       step("attach", o->attach(&st->d1, st->dev)) && step("enable", o->enable());
}

static void iommu_checks(struct selftest *st)
{
	uint64_t iova1 = st->scratch;
	const uint64_t at_iova1[] = { st->buf1, st->scratch };
	bool ok;
	int err;

	fill(st->scratch + 0x100, ST_LEN, 0);	/* scratch[0] stays 0: a 1:1 copy shows */
	roundtrip(st, iova1, st->buf1, "mapped-roundtrip");
	ok = holds(st->scratch + 0x100, ST_LEN, 0);
	st_check(st, "mapped-translated", ok, ok ? "1:1 page untouched" : "1:1 page WRITTEN");
	blocked(st, "unmapped-canary", st->canary, &st->canary, 1);
	blocked(st, "other-domain", st->buf2, &st->buf2, 1);
	blocked(st, "beyond-map", iova1 + ST_PAGE, &(uint64_t){ st->scratch + ST_PAGE }, 1);
	err = st->ops->detach(st->dev);
	if (err)
		st_check(st, "detached", false, "detach failed");
	else
		blocked(st, "detached", iova1 + 0x200, at_iova1, 2);
	st_line("faults=%u", st->ops->faults());
}

static int summary(const struct selftest *st, const char *why)
{
	if (!why && st->passed == st->total) {
		st_line("passed %u/%u", st->passed, st->total);
		return 0;
	}
	st_line("failed %u/%u%s%s", st->passed, st->total, why ? " " : "", why ? why : "");
	return -HV_EIO;
}

int iommu_selftest(void)
{
	struct selftest st = { .ops = iommu_get() };
	const char *missing;

	if (!edu_find(&st))
		return -HV_ENOENT;
	if (!pages_alloc(&st))
		return summary(&st, "(setup)");
	if (!st.ops) {
		st_line("no IOMMU");
		roundtrip(&st, st.buf1, st.buf1, "plain-dma");
		return summary(&st, 0);
	}
	missing = ops_missing(st.ops);
	if (missing) {
		/* Translation is off: DMA still reaches memory untranslated. */
		st_line("%s driver incomplete: no %s", st.ops->name, missing);
		roundtrip(&st, st.buf1, st.buf1, "plain-dma");
		return summary(&st, "(driver incomplete)");
	}
	st_line("driver %s", st.ops->name);
	if (!iommu_setup(&st))
		return summary(&st, "(setup)");
	iommu_checks(&st);
	return summary(&st, 0);
}
