/* SPDX-License-Identifier: MIT */
/* The AMD-Vi driver against a fake IOMMU (registers in memory, commands run on the tail
 * write) and QEMU's captured IVRS: tables, command sequences, event log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "iommu/amdvi/amdvi_hw.h"
#include "iommu/iommu.h"
#include "tests/unit/acpi_fixture.h"
#include "vmm/log.h"
#include "vmm/mem.h"

#define FIXTURE "tests/unit/fixtures/acpi/qemu-q35-amdiommu.acpi"
#define PG 0x1000ull
#define R(reg) fk.regs[(reg) / 8]
#define DEV(b, d, f) ((struct iommu_dev){ .seg = 0, .bdf = IOMMU_BDF(b, d, f) })

static struct {
	uint64_t regs[AMDVI_MMIO_SIZE / 8];
	uint64_t efr;
	bool stuck;			/* commands never run */
	unsigned int ncmds;
	struct amdvi_cmd cmds[70000];
	void *allocs[64];
	unsigned int nallocs;
	char log[64][256];
	unsigned int nlog;
} fk;

/* ---- stubs for the hypervisor's services ---- */
void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.log[fk.nlog++ % 64], 256, fmt, ap);
	va_end(ap);
}

static bool logged(const char *s)
{
	for (unsigned int i = 0; i < 64; i++)
		if (strstr(fk.log[i], s))
			return true;
	return false;
}

uint64_t mem_alloc_zeroed_pages(size_t n, size_t align)
{
	void *p = aligned_alloc(PG, n * PG);

	assert_true(fk.nallocs < 64);
	memset(p, 0, n * PG);
	fk.allocs[fk.nallocs++] = p;
	return (uint64_t)(uintptr_t)p;
}

uint64_t mem_alloc_zeroed_page(void)
{
	return mem_alloc_zeroed_pages(1, 1);
}

int mem_free(uint64_t pa, size_t n)
{
	return 0;
}

/* ---- the fake IOMMU ---- */
uint64_t amdvi_test_mmio(uint64_t base)
{
	assert_int_equal(base, 0xfed80000);
	R(AMDVI_EFR) = fk.efr;
	return (uint64_t)(uintptr_t)fk.regs;
}

/* Like QEMU: commands run only with IOMMUEN and CMDBUFEN, synchronously. */
void amdvi_test_doorbell(uint64_t mmio)
{
	const uint8_t *ring = (const uint8_t *)(uintptr_t)(R(AMDVI_CMDBUF_BASE) & AMDVI_ADDR_MASK);
	uint64_t need = AMDVI_CTRL_IOMMUEN | AMDVI_CTRL_CMDBUFEN, head = R(AMDVI_CMD_HEAD);

	assert_int_equal(mmio, (uintptr_t)fk.regs);
	assert_int_equal(R(AMDVI_CMDBUF_BASE) >> AMDVI_LEN_SHIFT, AMDVI_LEN_4K);
	if (fk.stuck || (R(AMDVI_CONTROL) & need) != need)
		return;
	while (head != R(AMDVI_CMD_TAIL)) {
		struct amdvi_cmd c;

		memcpy(&c, ring + head, sizeof(c));
		fk.cmds[fk.ncmds++] = c;
		if (c.q[0] >> AMDVI_CMD_OP_SHIFT == AMDVI_CMD_COMPLETION_WAIT &&
		    (c.q[0] & AMDVI_CW_S))
			*(uint64_t *)(uintptr_t)(c.q[0] & 0x000ffffffffffff8ull) = c.q[1];
		head = (head + 16) % AMDVI_RING_BYTES;
	}
	R(AMDVI_CMD_HEAD) = head;
}

static unsigned int op(unsigned int i)
{
	return (unsigned int)(fk.cmds[i].q[0] >> AMDVI_CMD_OP_SHIFT);
}

/* ---- set-up: the captured QEMU tables, discover, init ---- */
static struct fake_phys phys;
static const struct iommu_ops *o = &iommu_amdvi_ops;

static int setup(void **state)
{
	struct acpi a;

	memset(&fk, 0, sizeof(fk));
	fk.efr = *state ? 0 : AMDVI_EFR_IASUP;
	fake_phys_init(&phys);
	assert_int_equal(acpi_fixture_load(&phys, FIXTURE), 0);
	assert_int_equal(acpi_init_from_rsdp_copy(&a, &phys.pa, phys.rsdp, phys.rsdp_len), 0);
	assert_int_equal(o->discover(&a), 1);
	assert_true(logged("iommu: amdvi unit=0 base=0x00000000fed80000 devid=00:03.0"));
	return 0;
}

static int teardown(void **state)
{
	for (unsigned int i = 0; i < fk.nallocs; i++)
		free(fk.allocs[i]);
	fake_phys_free(&phys);
	return 0;
}

static const volatile uint64_t *dte(uint16_t devid)
{
	return (const uint64_t *)(uintptr_t)((R(AMDVI_DEVTAB_BASE) & AMDVI_ADDR_MASK) +
					    32ull * devid);
}

static int count_pages(uint64_t pa, uint64_t size, void *ctx)
{
	assert_int_equal(pa & (PG - 1), 0);
	*(uint64_t *)ctx += size / PG;
	return 0;
}

static int never(uint64_t base, uint64_t size, void *ctx)
{
	fail();
	return 0;
}

static void test_blocked_until_attached(void **state)
{
	struct iommu_domain d1, d2;
	uint64_t pages = 0, want[4];

	assert_int_equal(o->attach(&d1, DEV(0, 1, 0)), -HV_EINVAL);	/* no init yet */
	assert_int_equal(o->init(), 0);
	assert_int_equal(o->domain_init(&d1, 1), 0);
	assert_int_equal(o->domain_init(&d2, 1), -HV_EEXIST);
	assert_int_equal(o->domain_init(&d2, 0), -HV_EINVAL);
	assert_int_equal(o->domain_init(&d2, IOMMU_MAX_DOMAINS + 1), -HV_EINVAL);
	assert_int_equal(o->domain_init(&d2, 2), 0);
	assert_int_equal(o->map(&d1, 0x10000, 0x200000, 3 * PG, PT_R | PT_W), 0);
	assert_int_equal(o->map(&d1, 0x10000, 0x200000, PG, PT_X), -HV_EINVAL);
	assert_int_equal(o->attach(&d1, DEV(0, 4, 0)), -HV_ENOENT);	/* not in IVRS */
	assert_int_equal(o->attach(&d1, DEV(0, 1, 0)), 0);
	assert_true(logged("iommu: attach dev=00:01.0 domain=1"));
	assert_int_equal(fk.ncmds, 0);		/* translation off: nothing to flush */
	assert_int_equal(o->enable(), 0);
	/* Tables in place, rings enabled, then translation (3.4). */
	assert_int_equal(R(AMDVI_DEVTAB_BASE) & 0xfff, AMDVI_DEVTAB_SIZE_MAX);
	assert_int_equal(R(AMDVI_CONTROL) & 0x1005, 0x1005);
	assert_int_equal(fk.ncmds, 2);
	assert_int_equal(op(0), AMDVI_CMD_INV_IOMMU_ALL);
	assert_int_equal(op(1), AMDVI_CMD_COMPLETION_WAIT);
	for (uint32_t id = 0; id < 0x10000; id++)
		if (id != 0x08)
			assert_int_equal(dte((uint16_t)id)[0], AMDVI_DTE_V | AMDVI_DTE_TV);
	amdvi_dte_translated(want, d1.root, 1);
	for (int q = 0; q < 4; q++)
		assert_int_equal(dte(0x08)[q], want[q]);
	assert_true(logged("iommu: amdvi init unit=0 devtab=0x"));
	assert_int_equal(o->own_pages(count_pages, &pages), 0);
	assert_int_equal(pages, 512 + 3 + 4 + 1);	/* devtab, rings, d1 walk, d2 root */
	assert_int_equal(o->reserved(DEV(0, 1, 0), never, NULL), 0);	/* no IVMD */
}

static void test_changes_flushed(void **state)
{
	struct iommu_domain d1, d2;
	uint64_t want[4];

	assert_int_equal(o->init(), 0);
	assert_int_equal(o->domain_init(&d1, 1), 0);
	assert_int_equal(o->domain_init(&d2, 2), 0);
	assert_int_equal(o->enable(), 0);
	fk.ncmds = 0;
	assert_int_equal(o->map(&d1, 0, 0x400000, 0x200000, PT_R), 0);
	assert_int_equal(fk.ncmds, 2);
	assert_int_equal(op(0), AMDVI_CMD_INV_IOMMU_PAGES);
	assert_int_equal(fk.cmds[0].q[0], 0x3000000100000000ull);
	assert_int_equal(op(1), AMDVI_CMD_COMPLETION_WAIT);
	fk.ncmds = 0;
	assert_int_equal(o->attach(&d1, DEV(0, 0x1f, 2)), 0);	/* blocked -> d1 */
	assert_int_equal(fk.ncmds, 2);
	assert_int_equal(fk.cmds[0].q[0], 0x20000000000000faull);	/* INV_DTE 00:1f.2 */
	fk.ncmds = 0;
	assert_int_equal(o->attach(&d2, DEV(0, 0x1f, 2)), 0);	/* d1 -> blocked -> d2 */
	assert_int_equal(fk.ncmds, 5);
	assert_int_equal(op(0), AMDVI_CMD_INV_DEVTAB_ENTRY);
	assert_int_equal(fk.cmds[1].q[0], 0x3000000100000000ull);	/* d1's pages */
	assert_int_equal(op(2), AMDVI_CMD_COMPLETION_WAIT);
	assert_int_equal(op(3), AMDVI_CMD_INV_DEVTAB_ENTRY);
	amdvi_dte_translated(want, d2.root, 2);
	assert_int_equal(dte(0xfa)[0], want[0]);
	assert_int_equal(dte(0xfa)[1], 2);
	assert_int_equal(o->unmap(&d1, 0, 0x200000), 0);
	fk.ncmds = 0;
	assert_int_equal(o->detach(DEV(0, 0x1f, 2)), 0);
	assert_int_equal(dte(0xfa)[0], AMDVI_DTE_V | AMDVI_DTE_TV);
	assert_int_equal(fk.cmds[1].q[0], 0x3000000200000000ull);	/* d2's pages */
	assert_int_equal(o->detach(DEV(0, 4, 0)), -HV_ENOENT);
	/* A unit that never completes: an error, not a hang. */
	fk.stuck = true;
	assert_int_equal(o->map(&d1, 0, 0x400000, PG, PT_R), -HV_EIO);
	assert_true(logged("completion wait timed out"));
}

/* Without INVALIDATE_IOMMU_ALL: every device id, then every domain, in batches. */
static void test_enable_without_ia(void **state)
{
	unsigned int dtes = 0, waits = 0, pages = 0;

	assert_int_equal(o->init(), 0);
	assert_int_equal(o->enable(), 0);
	for (unsigned int i = 0; i < fk.ncmds; i++) {
		dtes += op(i) == AMDVI_CMD_INV_DEVTAB_ENTRY;
		waits += op(i) == AMDVI_CMD_COMPLETION_WAIT;
		pages += op(i) == AMDVI_CMD_INV_IOMMU_PAGES;
	}
	assert_int_equal(dtes, 0x10000);
	assert_int_equal(pages, IOMMU_MAX_DOMAINS + 1);
	assert_int_equal(waits, 0x10000 / 254 + 1);
}

static void test_faults(void **state)
{
	uint64_t *log;

	assert_int_equal(o->faults(), 0);		/* not enabled */
	assert_int_equal(o->init(), 0);
	assert_int_equal(o->enable(), 0);
	R(AMDVI_STATUS) = 0;	/* the fake has no write-1-to-clear bits */
	log = (uint64_t *)(uintptr_t)(R(AMDVI_EVTLOG_BASE) & AMDVI_ADDR_MASK);
	assert_int_equal(R(AMDVI_EVTLOG_BASE) >> AMDVI_LEN_SHIFT, AMDVI_LEN_4K);
	assert_int_equal(o->faults(), 0);
	log[0] = 0x2030000300000020ull;			/* IO_PAGE_FAULT 00:04.0 */
	log[1] = 0xdead000;
	log[2] = 0x1000000000000018ull;			/* ILLEGAL_DEV_TABLE_ENTRY */
	log[3] = 0x7000;
	R(AMDVI_EVT_TAIL) = 32;
	assert_int_equal(o->faults(), 2);
	assert_true(logged("iommu: fault amdvi unit=0 dev=00:04.0 domain=3 addr=0xdead000 "
			   "type=IO_PAGE_FAULT flags=0x30"));
	assert_true(logged("dev=00:03.0 domain=0 addr=0x7000 type=ILLEGAL_DEV_TABLE_ENTRY"));
	assert_int_equal(R(AMDVI_EVT_HEAD), 32);
	assert_int_equal(o->faults(), 0);
	/* Wrap: an event in the last slot, the tail back at 0. */
	for (unsigned int i = 2; i < 256; i++) {
		log[2 * i] = 0x2000000000000020ull;
		R(AMDVI_EVT_TAIL) = (16 * (i + 1)) % AMDVI_RING_BYTES;
		assert_int_equal(o->faults(), 1);
	}
	assert_int_equal(R(AMDVI_EVT_HEAD), 0);
	R(AMDVI_STATUS) = AMDVI_ST_EVTOVERFLOW;		/* the log stopped: restarted */
	R(AMDVI_EVT_TAIL) = 16;
	assert_int_equal(o->faults(), 1);
	assert_true(logged("event log overflow"));
	assert_int_equal(R(AMDVI_EVT_HEAD), 0);
	assert_int_equal(R(AMDVI_EVT_TAIL), 0);
	assert_int_equal(R(AMDVI_CONTROL) & AMDVI_CTRL_EVENTLOGEN, AMDVI_CTRL_EVENTLOGEN);
}

int main(void)
{
	static int no_ia = 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_blocked_until_attached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_flushed, setup, teardown),
		cmocka_unit_test_prestate_setup_teardown(test_enable_without_ia, setup, teardown,
							 &no_ia),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
