/* SPDX-License-Identifier: MIT */
/* The VT-d driver against a fake register file (GSTS follows GCMD) and QEMU's DMAR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/pci.h"
#include "include/abi/hv_errno.h"
#include "iommu/iommu.h"
#include "iommu/vtd/vtd.h"
#include "iommu/vtd/vtd_regs.h"
#include "tests/unit/acpi_fixture.h"
#include "vmm/log.h"
#include "vmm/mem.h"

#define FIXTURE	"tests/unit/fixtures/acpi/qemu-q35-inteliommu.acpi"
#define BASE	0xfed90000ull
/* QEMU 7.2 intel-iommu, aw-bits=48, caching-mode=on: FRO 0x22, NFR 0, SLLPS 2M+1G. */
#define CAP	0x00d2008c222f0686ull
#define ECAP	0x0000000000f00f4aull	/* C = 0, IRO 0xf: IOTLB register at 0xf8 */
#define IOTLB	(0xf0 + VTD_IOTLB)
#define FRCD	0x220
#define EDGE	IOMMU_BDF(0, 0x1f, 3)	/* listed in QEMU's DRHD scopes */
#define PG	0x1000ull

/* ---- the fake unit: a register file, a log of the commands it saw ---- */
static struct {
	uint8_t r[0x1000];
	char ops[64][48];
	unsigned int nops;
	bool stuck;			/* invalidations never complete */
	uint32_t gcmd_seen[16];
	unsigned int ngcmd;
} hw;

static uint64_t *reg64(uint64_t addr)
{
	assert_true(addr >= BASE && addr + 8 <= BASE + sizeof(hw.r) && !(addr & 3));
	return (uint64_t *)(hw.r + (addr - BASE));
}

static uint32_t *reg32(uint64_t addr)
{
	return (uint32_t *)reg64(addr);
}

static void op(const char *fmt, ...)
{
	va_list ap;

	assert_true(hw.nops < 64);
	va_start(ap, fmt);
	vsnprintf(hw.ops[hw.nops++], sizeof(hw.ops[0]), fmt, ap);
	va_end(ap);
}

uint32_t vtd_test_read32(uint64_t addr)
{
	return *reg32(addr);
}

uint64_t vtd_test_read64(uint64_t addr)
{
	return *reg64(addr);
}

static void gcmd(uint32_t v)
{
	uint32_t *gsts = reg32(BASE + VTD_GSTS);

	assert_true(hw.ngcmd < 16);
	hw.gcmd_seen[hw.ngcmd++] = v;
	if (v & VTD_GCMD_SRTP) {
		op("srtp 0x%llx", (unsigned long long)*reg64(BASE + VTD_RTADDR));
		*gsts |= VTD_GCMD_SRTP;		/* RTPS */
	}
	if ((v ^ *gsts) & VTD_GCMD_TE)
		op("te %d", !!(v & VTD_GCMD_TE));
	*gsts = (*gsts & ~VTD_GCMD_TE) | (v & VTD_GCMD_TE);
}

/* A 64-bit command register: the command runs when its high dword is written. */
static void command(uint64_t at, const char *name, unsigned int gshift)
{
	uint64_t v = *reg64(BASE + at);

	if (!(v >> 63))
		return;
	op("%s g=%u sid=0x%04x did=%u", name, (unsigned int)(v >> gshift) & 3,
	   name[0] == 'c' ? (unsigned int)(v >> 16) & 0xffff : 0,
	   (unsigned int)(v >> (name[0] == 'c' ? 0 : 32)) & 0xffff);
	if (!hw.stuck)
		*reg64(BASE + at) = v & ~(1ull << 63);
}

void vtd_test_write32(uint64_t addr, uint32_t v)
{
	uint64_t off = addr - BASE;

	if (off == VTD_GCMD)
		return gcmd(v);
	if (off == VTD_FSTS) {
		*reg32(addr) &= ~(v & VTD_FSTS_PFO);	/* RW1C; PPF is read-only */
		return;
	}
	if (off == FRCD + VTD_FRCD_F_DWORD) {
		*reg32(addr) &= ~(v & VTD_FRCD_F32);
		return;
	}
	*reg32(addr) = v;
	if (off == VTD_CCMD + 4)
		command(VTD_CCMD, "ccmd", 61);
	if (off == IOTLB + 4)
		command(IOTLB, "iotlb", 60);
}

/* Every 16-byte entry as it was at each clflush: hardware's view at that moment. */
static struct {
	const uint64_t *at[256];
	uint64_t lo[256], hi[256];
	unsigned int n;
} fl;

void vtd_test_clflush(const void *p)
{
	const uint64_t *e = (const uint64_t *)((uintptr_t)p & ~(uintptr_t)15);

	if (fl.n < 256) {
		fl.at[fl.n] = e;
		fl.lo[fl.n] = e[0];
		fl.hi[fl.n++] = e[1];
	}
}

/* ---- what the driver needs of the rest of the hypervisor ---- */
static void *pages[256];
static unsigned int npages;
static int allocs_left = -1;
static char last_log[8][200];
static unsigned int nlog;

uint64_t mem_alloc_zeroed_page(void)
{
	void *p;

	if (allocs_left == 0 || npages == 256)
		return 0;
	allocs_left -= allocs_left > 0;
	p = aligned_alloc(PG, PG);
	assert_non_null(p);
	memset(p, 0, PG);
	pages[npages++] = p;
	return (uintptr_t)p;
}

int mem_free(uint64_t pa, size_t n)
{
	for (unsigned int i = 0; i < npages; i++)
		if ((uintptr_t)pages[i] == pa) {
			free(pages[i]);
			pages[i] = pages[--npages];
			return 0;
		}
	fail_msg("mem_free of a page never allocated");
	return -1;
}

uint32_t pci_cfg_read(uint16_t bdf, unsigned int reg, unsigned int size)
{
	return reg == PCI_HEADER_TYPE ? PCI_HEADER_NORMAL : 0xffffffffu;
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log[nlog++ % 8], sizeof(last_log[0]), fmt, ap);
	va_end(ap);
}

static bool logged(const char *prefix)
{
	for (unsigned int i = 0; i < 8; i++)
		if (!strncmp(last_log[i], prefix, strlen(prefix)))
			return true;
	return false;
}

static void ops_expect(const char *const *want, unsigned int n)
{
	assert_int_equal(hw.nops, n);
	for (unsigned int i = 0; i < n; i++)
		assert_string_equal(hw.ops[i], want[i]);
	hw.nops = 0;
}

/* ---- the driver, in the order the hypervisor uses it ---- */
static struct fake_phys phys;
static struct acpi acpi;
static const struct iommu_ops *o = &iommu_vtd_ops;
static struct iommu_domain d1, d2;

static void test_discover(void **state)
{
	fake_phys_init(&phys);
	assert_int_equal(acpi_fixture_load(&phys, FIXTURE), 0);
	assert_int_equal(acpi_init_from_rsdp_copy(&acpi, &phys.pa, phys.rsdp, phys.rsdp_len), 0);
	*reg64(BASE + VTD_CAP) = CAP;
	*reg64(BASE + VTD_ECAP) = ECAP;
	*reg32(BASE + VTD_VER) = 0x10;
	assert_int_equal(o->discover(&acpi), 1);
	assert_true(logged("iommu: vtd unit=0 base=0x00000000fed90000 "));
	assert_non_null(strstr(last_log[0], " sagaw=0x6 levels=4 cm=1 rwbf=0 coherent=0 nfr=1"));
	/* No translation and no table before init(). */
	assert_int_equal(o->domain_init(&d1, 0), -HV_EINVAL);
	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 0, EDGE }), -HV_EINVAL);
}

static void test_init_domains(void **state)
{
	assert_int_equal(o->init(), 0);
	assert_int_equal(o->domain_init(&d1, 1), 0);
	assert_int_equal(d1.id, 1);
	assert_int_equal(d1.aw_bits, 48);
	assert_true(d1.used && d1.root);
	assert_int_equal(o->domain_init(&d2, 1), -HV_EEXIST);
	assert_int_equal(o->domain_init(&d2, IOMMU_MAX_DOMAINS + 1), -HV_EINVAL);
	assert_int_equal(o->domain_init(&d2, 2), 0);
	assert_int_equal(hw.nops, 0);	/* translation off: no command yet */
}

static const uint64_t *context_of(uint16_t bdf)
{
	const uint64_t *root = (const uint64_t *)(uintptr_t)(*reg64(BASE + VTD_RTADDR));
	uint64_t re = root[2 * (bdf >> 8)];

	if (!root || !(re & VTD_ENTRY_P))
		return 0;
	return (const uint64_t *)(uintptr_t)(re & VTD_ENTRY_ADDR) + 2 * (bdf & 0xff);
}

static uint64_t *ident_ptr(uint64_t pa, void *ctx)
{
	return (uint64_t *)(uintptr_t)pa;
}

static const struct pt_mem ident = { 0, ident_ptr, 0 };

static void test_attach_map_before_enable(void **state)
{
	uint64_t pa, size;
	unsigned int perm;

	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 0, IOMMU_BDF(0, 3, 0) }),
			 -HV_ENOENT);	/* not in any scope */
	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 1, EDGE }), -HV_ENOENT);
	fl.n = 0;
	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 0, EDGE }), 0);
	assert_true(logged("iommu: attach dev=00:1f.3 domain=1"));
	/* Non-coherent unit: hi was written back (P still 0) before lo made it live. */
	assert_true(fl.n >= 2);
	assert_int_equal(fl.lo[fl.n - 2] & VTD_ENTRY_P, 0);
	assert_int_equal(fl.hi[fl.n - 2], 0x102);	/* DID 1, AW 48-bit */
	assert_int_equal(fl.lo[fl.n - 1], d1.root | VTD_ENTRY_P);
	assert_int_equal(o->map(&d1, 0x200000, 0x7000000, 2 * 0x100000, PT_R | PT_W), 0);
	assert_int_equal(o->map(&d1, 0x1000, 0x5000, PG, PT_R | PT_X), -HV_EINVAL);
	assert_int_equal(o->map(&d1, 1ull << 48, 0x5000, PG, PT_R), -HV_EINVAL);
	assert_int_equal(o->map(&d1, ~0ull << 12, 0x5000, PG * 2, PT_R), -HV_EINVAL);
	assert_int_equal(o->map(&d2, 0x1000, 0x5000, PG, PT_R), 0);
	assert_int_equal(pt_lookup(&vtd_format_sl, &ident, d1.root, 0x200000 + 0x1234, &pa,
				   &perm, &size), 0);
	assert_int_equal(pa, 0x7001234);
	assert_int_equal(perm, PT_R | PT_W);
	assert_int_equal(size, 2 * 0x100000);	/* CAP.SLLPS has 2 MiB */
	assert_int_equal(hw.nops, 0);
}

static void test_enable(void **state)
{
	static const char *const want[] = {
		"srtp 0x%llx", "ccmd g=1 sid=0x0000 did=0", "iotlb g=1 sid=0x0000 did=0", "te 1",
	};
	char srtp[48];
	const uint64_t *ce;

	*reg32(BASE + VTD_GSTS) = VTD_GCMD_SRTP;	/* a stale RTPS must not be sent back */
	assert_int_equal(o->enable(), 0);
	snprintf(srtp, sizeof(srtp), want[0], (unsigned long long)*reg64(BASE + VTD_RTADDR));
	ops_expect((const char *const[]){ srtp, want[1], want[2], want[3] }, 4);
	for (unsigned int i = 0; i < hw.ngcmd; i++)
		if (hw.gcmd_seen[i] & VTD_GCMD_TE)
			assert_int_equal(hw.gcmd_seen[i] & VTD_GSTS_ONESHOT, 0);
	assert_int_equal(*reg32(BASE + VTD_FECTL), VTD_FECTL_IM);
	ce = context_of(EDGE);
	assert_non_null(ce);
	assert_int_equal(ce[0], d1.root | VTD_ENTRY_P);
	assert_true(logged("iommu: vtd enabled unit=0 gsts=0xc0000000"));
}

static void test_changes_after_enable(void **state)
{
	assert_int_equal(o->map(&d1, 0x400000, 0x9000000, PG, PT_R), 0);
	ops_expect((const char *const[]){ "iotlb g=2 sid=0x0000 did=1" }, 1);
	assert_int_equal(o->unmap(&d1, 0x400000, PG), 0);
	ops_expect((const char *const[]){ "iotlb g=2 sid=0x0000 did=1" }, 1);
	/* Moving a device: the old entry goes (its domain flushed), the new one comes. */
	assert_int_equal(o->attach(&d2, (struct iommu_dev){ 0, EDGE }), 0);
	ops_expect((const char *const[]){ "ccmd g=3 sid=0x00fb did=1", "iotlb g=2 sid=0x0000 did=1",
					  "ccmd g=3 sid=0x00fb did=0", "iotlb g=2 sid=0x0000 did=2" },
		   4);
	assert_int_equal(o->detach((struct iommu_dev){ 0, EDGE }), 0);
	ops_expect((const char *const[]){ "ccmd g=3 sid=0x00fb did=2", "iotlb g=2 sid=0x0000 did=2" },
		   2);
	assert_int_equal(context_of(EDGE)[0], 0);
	assert_int_equal(context_of(EDGE)[1], 0);
	assert_int_equal(o->detach((struct iommu_dev){ 0, EDGE }), 0);	/* already blocked */
	assert_int_equal(hw.nops, 0);
	/* Another device of the same bus; detaching one never attached changes nothing. */
	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 0, IOMMU_BDF(0, 2, 0) }), 0);
	ops_expect((const char *const[]){ "ccmd g=3 sid=0x0010 did=0", "iotlb g=2 sid=0x0000 did=1" },
		   2);
	assert_int_equal(o->detach((struct iommu_dev){ 0, IOMMU_BDF(0, 1, 0) }), 0);
	assert_int_equal(hw.nops, 0);
}

static void test_faults(void **state)
{
	uint64_t *rec = reg64(BASE + FRCD);

	assert_int_equal(o->faults(), 0);
	rec[0] = 0x178000;
	rec[1] = (1ull << 63) | (0x05ull << 32) | IOMMU_BDF(0, 3, 0);
	*reg32(BASE + VTD_FSTS) = VTD_FSTS_PFO | VTD_FSTS_PPF;
	assert_int_equal(o->faults(), 1);
	assert_true(logged("iommu: fault vtd unit=0 source=00:03.0 addr=0x178000 reason=0x05 "
			   "type=write"));
	assert_true(logged("iommu: fault-overflow vtd unit=0"));
	assert_int_equal(rec[1] >> 63, 0);	/* F cleared */
	assert_int_equal(*reg32(BASE + VTD_FSTS) & VTD_FSTS_PFO, 0);
	assert_int_equal(o->faults(), 0);
}

static int count_page(uint64_t pa, uint64_t size, void *ctx)
{
	assert_int_equal(size, PG);
	for (unsigned int i = 0; i < npages; i++)
		if ((uintptr_t)pages[i] == pa)
			return ++*(unsigned int *)ctx, 0;
	fail_msg("own_pages reported 0x%llx, not a page of the driver", (unsigned long long)pa);
	return -1;
}

static int stop_at_first(uint64_t pa, uint64_t size, void *ctx)
{
	return 7;
}

static void test_own_pages_and_reserved(void **state)
{
	unsigned int n = 0;

	/* Every page the driver took: two roots, two context tables, d1 and d2 tables. */
	assert_int_equal(o->own_pages(count_page, &n), 0);
	assert_int_equal(n, npages);
	assert_int_equal(o->own_pages(stop_at_first, 0), 7);
	/* QEMU's DMAR has no RMRR. */
	assert_int_equal(o->reserved((struct iommu_dev){ 0, EDGE }, stop_at_first, 0), 0);
}

static void test_stuck_and_no_memory(void **state)
{
	hw.stuck = true;
	assert_int_equal(o->unmap(&d1, 0x200000, 0x200000), -HV_EIO);
	assert_true(logged("iommu: vtd at 0xfed90000 stuck"));
	hw.stuck = false;
	*reg64(BASE + IOTLB) = 0;
	allocs_left = 0;
	assert_int_equal(o->domain_init(&(struct iommu_domain){ 0 }, 3), -HV_ENOMEM);
	assert_int_equal(o->map(&d1, 0x80000000, 0x5000, PG, PT_R), -HV_ENOMEM);
	assert_int_equal(o->attach(&d1, (struct iommu_dev){ 0, IOMMU_BDF(0, 0x1f, 0) }), 0);
	allocs_left = -1;
}

static int teardown(void **state)
{
	while (npages)
		free(pages[--npages]);
	fake_phys_free(&phys);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover),
		cmocka_unit_test(test_init_domains),
		cmocka_unit_test(test_attach_map_before_enable),
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_changes_after_enable),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_own_pages_and_reserved),
		cmocka_unit_test(test_stuck_and_no_memory),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
