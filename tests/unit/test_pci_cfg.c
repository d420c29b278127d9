/* SPDX-License-Identifier: MIT */
/* Unit tests for a partition's filtered view of PCI configuration space (vmm/pci_cfg.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/pci_cfg.h"

#define DEV	PCI_BDF(0, 2, 0)	/* assigned */
#define OTHER	PCI_BDF(0, 3, 0)	/* present, not assigned */
#define BRIDGE	PCI_BDF(0, 4, 0)
#define ADDR(bdf, reg)	PCI_CFG_ADDR(bdf, reg)

/* A fake configuration space: three functions, plain memory, every access recorded. */
static uint8_t space[3][PCI_CFG_SIZE];
static unsigned int nwrites, bad_access;
static struct { uint16_t bdf; unsigned int reg, size; uint32_t v; } last;

static uint8_t *fn_space(uint16_t bdf)
{
	return bdf == DEV ? space[0] : bdf == OTHER ? space[1] : bdf == BRIDGE ? space[2] : 0;
}

static uint32_t fake_read(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size)
{
	uint8_t *s = fn_space(bdf);
	uint32_t v = 0;

	if (reg & (size - 1) || reg + size > PCI_CFG_SIZE)
		bad_access++;
	if (!s)
		return 0xffffffffu;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)s[reg + i] << (8 * i);
	return v;
}

static void fake_write(void *ctx, uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v)
{
	uint8_t *s = fn_space(bdf);

	if (reg & (size - 1) || reg + size > PCI_CFG_SIZE)
		bad_access++;
	nwrites++;
	last.bdf = bdf, last.reg = reg, last.size = size, last.v = v;
	for (unsigned int i = 0; s && i < size; i++)
		s[reg + i] = (uint8_t)(v >> (8 * i));
}

static void put32(uint16_t bdf, unsigned int reg, uint32_t v)
{
	memcpy(&fn_space(bdf)[reg], &v, 4);	/* the host is little-endian, as x86 */
}

static uint32_t get32(uint16_t bdf, unsigned int reg)
{
	uint32_t v;

	memcpy(&v, &fn_space(bdf)[reg], 4);
	return v;
}

static const struct pci_cfg_hw hw = { fake_read, fake_write, 0 };
static struct pci_cfg cfg;

/* DEV: BAR0 mem32 4 KiB, BAR1 I/O 32 bytes, BAR2-3 prefetchable mem64 16 KiB above
 * 4 GiB, BAR4-5 absent, ROM 64 KiB (disabled). */
static const struct pci_func dev_func = {
	.bdf = DEV, .vendor = 0x8086, .device = 0x10d3, .header = PCI_HEADER_NORMAL,
	.bar = {
		{ PCI_BAR_MEM32, 0xfeb00000, 0x1000 }, { PCI_BAR_KIND_IO, 0xc000, 0x20 },
		{ PCI_BAR_MEM64, 0x800000000ull, 0x4000 }, { PCI_BAR_NONE, 0, 0 },
		{ PCI_BAR_NONE, 0, 0 }, { PCI_BAR_NONE, 0, 0 }, { PCI_BAR_ROM, 0xfea00000, 0x10000 },
	},
};

static void func_setup(uint16_t bdf, uint32_t id, uint8_t header)
{
	put32(bdf, PCI_VENDOR_ID, id);
	put32(bdf, PCI_COMMAND, 0x00100000);	/* status: capability list */
	put32(bdf, PCI_CLASS_REV, 0x02000001);
	put32(bdf, 0x0c, (uint32_t)header << 16);
}

static int setup(void **state)
{
	memset(space, 0, sizeof(space));
	func_setup(DEV, 0x10d38086, PCI_HEADER_NORMAL);
	put32(DEV, PCI_BAR0, 0xfeb00000);
	put32(DEV, PCI_BAR0 + 4, 0xc000 | PCI_BAR_IO);
	put32(DEV, PCI_BAR0 + 8, 0x00000000 | PCI_BAR_MEM_64 | 0x8);
	put32(DEV, PCI_BAR0 + 12, 0x8);
	put32(DEV, PCI_ROM, 0xfea00000);
	put32(DEV, PCI_CAP_PTR, 0x50);
	put32(DEV, 0x50, 0x00800005);	/* MSI capability, ID 5 */
	func_setup(OTHER, 0x11e81234, PCI_HEADER_NORMAL);
	func_setup(BRIDGE, 0x00011b36, PCI_HEADER_BRIDGE);
	pci_cfg_init(&cfg, &hw);
	assert_int_equal(pci_cfg_assign(&cfg, &dev_func), 0);
	nwrites = 0;
	bad_access = 0;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(bad_access, 0);
	return 0;
}

/* A 32-bit CONFIG_ADDRESS write, then one data access at reg (any byte). */
static uint32_t rd(uint16_t bdf, unsigned int reg, unsigned int size)
{
	pci_cfg_out(&cfg, PCI_CFG_ADDR_PORT, 4, ADDR(bdf, reg));
	return pci_cfg_in(&cfg, (uint16_t)(PCI_CFG_DATA_PORT + (reg & 3)), size);
}

static void wr(uint16_t bdf, unsigned int reg, unsigned int size, uint32_t v)
{
	pci_cfg_out(&cfg, PCI_CFG_ADDR_PORT, 4, ADDR(bdf, reg));
	pci_cfg_out(&cfg, (uint16_t)(PCI_CFG_DATA_PORT + (reg & 3)), size, v);
}

static void test_address_latch(void **state)
{
	pci_cfg_out(&cfg, 0xcf8, 4, 0xffffffffu);
	assert_int_equal(pci_cfg_in(&cfg, 0xcf8, 4), 0x80fffffc);	/* reserved bits drop */
	/* Only 32-bit accesses reach CONFIG_ADDRESS; the rest (0xCF9 reset!) go nowhere. */
	pci_cfg_out(&cfg, 0xcf8, 2, 0);
	pci_cfg_out(&cfg, 0xcf9, 1, 0x06);
	pci_cfg_out(&cfg, 0xcfa, 2, 0);
	assert_int_equal(pci_cfg_in(&cfg, 0xcf8, 4), 0x80fffffc);
	assert_int_equal(pci_cfg_in(&cfg, 0xcf8, 1), 0xff);
	assert_int_equal(pci_cfg_in(&cfg, 0xcf9, 1), 0xff);
	assert_int_equal(pci_cfg_in(&cfg, 0xcfa, 2), 0xffff);
	assert_int_equal(nwrites, 0);
	assert_true(pci_cfg_is_port(0xcf8) && pci_cfg_is_port(0xcff));
	assert_false(pci_cfg_is_port(0xcf7) || pci_cfg_is_port(0xd00));
}

static void test_enable_bit_clear(void **state)
{
	pci_cfg_out(&cfg, 0xcf8, 4, ADDR(DEV, 0) & ~PCI_CFG_ADDR_ENABLE);
	assert_int_equal(pci_cfg_in(&cfg, 0xcfc, 4), 0xffffffffu);
	pci_cfg_out(&cfg, 0xcfc, 4, 0);
	assert_int_equal(nwrites, 0);
}

static void test_passthrough_reads_at_each_byte(void **state)
{
	assert_int_equal(rd(DEV, 0x00, 4), 0x10d38086);
	assert_int_equal(rd(DEV, 0x00, 2), 0x8086);
	assert_int_equal(rd(DEV, 0x02, 2), 0x10d3);	/* port 0xCFE */
	assert_int_equal(rd(DEV, 0x01, 1), 0x80);	/* port 0xCFD */
	assert_int_equal(rd(DEV, 0x03, 1), 0x10);	/* port 0xCFF */
	assert_int_equal(rd(DEV, 0x01, 2), 0xd380);	/* unaligned: two byte reads */
	assert_int_equal(rd(DEV, 0x0b, 1), 0x02);	/* class */
	/* An access crossing 0xCFF is no access. */
	assert_int_equal(rd(DEV, 0x02, 4), 0xffffffffu);
	assert_int_equal(rd(DEV, 0x03, 2), 0xffff);
}

static void test_unassigned_absent(void **state)
{
	for (unsigned int s = 1; s <= 4; s *= 2) {
		assert_int_equal(rd(OTHER, 0, s), s == 4 ? 0xffffffffu : (1u << (8 * s)) - 1);
		wr(OTHER, PCI_COMMAND, s, 0x7);
	}
	assert_int_equal(rd(PCI_BDF(5, 0, 0), 0, 4), 0xffffffffu);
	assert_int_equal(nwrites, 0);
	assert_int_equal(get32(OTHER, PCI_COMMAND), 0x00100000);
}

static void test_bridge_never_shown(void **state)
{
	struct pci_func br = { .bdf = BRIDGE, .header = PCI_HEADER_BRIDGE };
	struct pci_func cardbus = { .bdf = OTHER, .header = 2 };

	assert_int_equal(pci_cfg_assign(&cfg, &br), -HV_EINVAL);
	assert_int_equal(pci_cfg_assign(&cfg, &cardbus), -HV_EINVAL);
	assert_int_equal(rd(BRIDGE, 0, 4), 0xffffffffu);
	assert_int_equal(rd(BRIDGE, PCI_HEADER_TYPE, 1), 0xff);
}

static void test_assign_errors(void **state)
{
	struct pci_func f = dev_func;

	assert_int_equal(pci_cfg_assign(&cfg, &dev_func), -HV_EEXIST);
	for (unsigned int i = 1; i < PCI_CFG_MAX_DEVS; i++) {
		f.bdf = PCI_BDF(1, i, 0);
		assert_int_equal(pci_cfg_assign(&cfg, &f), 0);
	}
	f.bdf = PCI_BDF(2, 0, 0);
	assert_int_equal(pci_cfg_assign(&cfg, &f), -HV_E2BIG);
}

static void test_bars_read_identity(void **state)
{
	assert_int_equal(rd(DEV, PCI_BAR0, 4), 0xfeb00000);
	assert_int_equal(rd(DEV, PCI_BAR0 + 4, 4), 0xc001);
	assert_int_equal(rd(DEV, PCI_BAR0 + 8, 4), 0x0000000c);
	assert_int_equal(rd(DEV, PCI_BAR0 + 12, 4), 0x8);
	assert_int_equal(rd(DEV, PCI_BAR0 + 16, 4), 0);
	assert_int_equal(rd(DEV, PCI_ROM, 4), 0xfea00000);
	assert_int_equal(rd(DEV, PCI_BAR0 + 2, 2), 0xfeb0);
}

/* Writes all-ones to the BAR at reg, returns what reads back, writes back old. */
static uint32_t probe(unsigned int reg)
{
	uint32_t old = rd(DEV, reg, 4), sz;

	wr(DEV, reg, 4, 0xffffffffu);
	sz = rd(DEV, reg, 4);
	wr(DEV, reg, 4, old);
	assert_int_equal(rd(DEV, reg, 4), old);
	return sz;
}

static void test_bar_size_probe(void **state)
{
	assert_int_equal(probe(PCI_BAR0), 0xfffff000);
	assert_int_equal(probe(PCI_BAR0 + 4), 0xffffffe1);
	assert_int_equal(probe(PCI_BAR0 + 8), 0xffffc00c);	/* type and prefetch stay */
	assert_int_equal(probe(PCI_BAR0 + 12), 0xffffffff);
	assert_int_equal(probe(PCI_BAR0 + 16), 0);		/* not implemented */
	assert_int_equal(probe(PCI_ROM), 0xffff0001);
	/* Byte-wise probing too. */
	for (unsigned int i = 0; i < 4; i++)
		wr(DEV, PCI_BAR0 + i, 1, 0xff);
	assert_int_equal(rd(DEV, PCI_BAR0, 4), 0xfffff000);
	assert_int_equal(nwrites, 0);
}

static void test_bar_writes_stay_virtual(void **state)
{
	wr(DEV, PCI_BAR0, 4, 0xc0001234);
	assert_int_equal(rd(DEV, PCI_BAR0, 4), 0xc0001000);
	wr(DEV, PCI_BAR0 + 12, 2, 0x0001);
	assert_int_equal(rd(DEV, PCI_BAR0 + 12, 4), 0x1);
	wr(DEV, PCI_ROM, 1, PCI_ROM_ENABLE);
	assert_int_equal(rd(DEV, PCI_ROM, 4), 0xfea00001);
	wr(DEV, PCI_BAR0 + 20, 4, 0x12345678);
	assert_int_equal(rd(DEV, PCI_BAR0 + 20, 4), 0);
	assert_int_equal(nwrites, 0);
	assert_int_equal(get32(DEV, PCI_BAR0), 0xfeb00000);
	assert_int_equal(get32(DEV, PCI_BAR0 + 12), 0x8);
	assert_int_equal(get32(DEV, PCI_ROM), 0xfea00000);
}

static void test_command_filtered(void **state)
{
	unsigned int n;

	put32(DEV, PCI_COMMAND, 0x00100040);	/* parity response on (firmware's choice) */
	wr(DEV, PCI_COMMAND, 4, 0xffff0107);	/* + SERR, and write-1-to-clear status */
	assert_int_equal(get32(DEV, PCI_COMMAND), 0x00100047);
	wr(DEV, PCI_COMMAND, 2, 0x0400);	/* INTx disable; I/O, memory, master off */
	assert_int_equal(get32(DEV, PCI_COMMAND), 0x00100440);
	wr(DEV, PCI_COMMAND, 1, 0x06);		/* port 0xCFC, a byte */
	assert_int_equal(get32(DEV, PCI_COMMAND), 0x00100446);
	wr(DEV, PCI_COMMAND + 1, 1, 0x00);	/* port 0xCFD: the high command byte */
	assert_int_equal(get32(DEV, PCI_COMMAND), 0x00100046);
	n = nwrites;
	wr(DEV, PCI_STATUS, 2, 0xffff);		/* status alone: dropped */
	assert_int_equal(nwrites, n);
	assert_int_equal(get32(DEV, PCI_COMMAND), 0x00100046);
	assert_int_equal(last.reg, PCI_COMMAND);
	assert_int_equal(last.size, 2);
	assert_int_equal(rd(DEV, PCI_COMMAND, 2), 0x0046);
}

static void test_other_writes_pass_through(void **state)
{
	wr(DEV, 0x3c, 1, 0x0b);			/* interrupt line */
	assert_int_equal(fn_space(DEV)[0x3c], 0x0b);
	assert_int_equal(last.bdf, DEV);
	assert_int_equal(last.reg, 0x3c);
	assert_int_equal(last.size, 1);
	/* MSI capability: passed through for now (message control at 0x52). */
	wr(DEV, 0x52, 2, 0x0001);
	assert_int_equal(get32(DEV, 0x50), 0x00010005);
	assert_int_equal(rd(DEV, 0x50, 4), 0x00010005);
	/* An unaligned 16-bit write (port 0xCFD) reaches the device as two bytes. */
	wr(DEV, 0x45, 2, 0xbeef);
	assert_int_equal(fn_space(DEV)[0x45], 0xef);
	assert_int_equal(fn_space(DEV)[0x46], 0xbe);
	assert_int_equal(last.size, 1);
	assert_int_equal(nwrites, 4);
}

/* Once the hypervisor routed its MSI, the capability reads but ignores the partition. */
static void test_protected_capability(void **state)
{
	assert_int_equal(pci_cfg_protect(&cfg, OTHER, 0x50, 8), -HV_ENOENT);	/* not its */
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x10, 4), -HV_EINVAL);	/* the header */
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0xfc, 8), -HV_EINVAL);	/* past 256 */
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x50, 0), -HV_EINVAL);
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x50, 14), 0);
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x50, 14), 0);		/* again: fine */
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x70, 12), 0);
	assert_int_equal(pci_cfg_protect(&cfg, DEV, 0x90, 4), -HV_E2BIG);
	nwrites = 0;
	wr(DEV, 0x52, 2, 0x0001);		/* message control */
	wr(DEV, 0x54, 4, 0xfee0f000);		/* address */
	wr(DEV, 0x5c, 4, 0xdead);		/* the last byte of the range, overlapped */
	wr(DEV, 0x7b, 1, 0xff);			/* the second range's last byte */
	assert_int_equal(nwrites, 0);
	assert_int_equal(rd(DEV, 0x50, 4), 0x00800005);
	assert_true(pci_cfg_has(&cfg, DEV));
	assert_false(pci_cfg_has(&cfg, OTHER));
	wr(DEV, 0x60, 1, 0x12);			/* just past: passed through */
	assert_int_equal(nwrites, 1);
}

static void test_bad_sizes(void **state)
{
	pci_cfg_out(&cfg, 0xcf8, 4, ADDR(DEV, 0));
	assert_int_equal(pci_cfg_in(&cfg, 0xcfc, 3), 0xffffffffu);
	assert_int_equal(pci_cfg_in(&cfg, 0xcfc, 8), 0xffffffffu);
	pci_cfg_out(&cfg, 0xcfc, 3, 0);
	assert_int_equal(pci_cfg_in(&cfg, 0xd00, 1), 0xff);
	assert_int_equal(nwrites, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_address_latch),
		T(test_enable_bit_clear),
		T(test_passthrough_reads_at_each_byte),
		T(test_unassigned_absent),
		T(test_bridge_never_shown),
		T(test_assign_errors),
		T(test_bars_read_identity),
		T(test_bar_size_probe),
		T(test_bar_writes_stay_virtual),
		T(test_command_filtered),
		T(test_other_writes_pass_through),
		T(test_protected_capability),
	T(test_bad_sizes),
#undef T
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
