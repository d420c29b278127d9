/* SPDX-License-Identifier: MIT */
/* The isolation audit's arithmetic (vmm/audit.c): leaves inside grants, at the right offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/audit.h"

#define MIB	0x100000ull

static struct audit_map m;

static int setup(void **state)
{
	m = (struct audit_map){ 0 };
	assert_int_equal(audit_grant(&m, 0, 0x4000000, 16 * MIB, AUDIT_RAM), 0);
	assert_int_equal(audit_grant(&m, 0xc0000000, 0x900000, 0x5000, AUDIT_CHANNEL), 0);
	return 0;
}

static void test_inside(void **state)
{
	assert_int_equal(audit_leaf(0, 0x4000000, 2 * MIB, 7, &m), 0);
	assert_int_equal(audit_leaf(14 * MIB, 0x4000000 + 14 * MIB, 2 * MIB, 7, &m), 0);
	assert_int_equal(audit_leaf(0xc0004000, 0x904000, 0x1000, 3, &m), 0);
	assert_int_equal(m.leaves, 3);
	assert_int_equal(m.bad, 0);
}

static void test_outside_or_shifted(void **state)
{
	/* One page past the RAM, a leaf straddling its end, the wrong host page, a page
	 * past the channel, the channel at another guest address, wrapping values. */
	(void)audit_leaf(16 * MIB, 0x5000000, 0x1000, 3, &m);
	(void)audit_leaf(14 * MIB, 0x4000000 + 14 * MIB, 4 * MIB, 3, &m);
	(void)audit_leaf(0x1000, 0x4002000, 0x1000, 3, &m);
	(void)audit_leaf(0xc0005000, 0x905000, 0x1000, 3, &m);
	(void)audit_leaf(0xc4000000, 0x900000, 0x1000, 3, &m);
	(void)audit_leaf(~0ull - 0xfff, 0x4000000, 0x1000, 3, &m);
	(void)audit_leaf(0x1000, 0x4001000 - (1ull << 63), 0x1000, 3, &m);
	assert_int_equal(m.leaves, 7);
	assert_int_equal(m.bad, 7);
	assert_int_equal(m.first_bad_gpa, 16 * MIB);
	assert_int_equal(m.first_bad_hpa, 0x5000000);
}

static void test_hits(void **state)
{
	assert_true(audit_hits(&m, 0x4000000 + 16 * MIB - 1, 1, 1u << AUDIT_RAM));
	assert_false(audit_hits(&m, 0x4000000 + 16 * MIB, 0x1000, 1u << AUDIT_RAM));
	assert_false(audit_hits(&m, 0x900000, 0x1000, 1u << AUDIT_RAM));
	assert_true(audit_hits(&m, 0x900000, 0x1000, 1u << AUDIT_CHANNEL));
	assert_false(audit_hits(&m, 0, 0x900000, ~0u));
}

static void test_grant_limits(void **state)
{
	assert_int_equal(audit_grant(&m, ~0ull - 0xfff, 0, 0x2000, AUDIT_MMIO), -HV_EINVAL);
	assert_int_equal(audit_grant(&m, 0, 0, 0, AUDIT_MMIO), -HV_EINVAL);
	while (m.n < AUDIT_MAX_GRANTS)
		assert_int_equal(audit_grant(&m, 0, 0, 0x1000, AUDIT_MMIO), 0);
	assert_int_equal(audit_grant(&m, 0, 0, 0x1000, AUDIT_MMIO), -HV_E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_inside, setup),
		cmocka_unit_test_setup(test_outside_or_shifted, setup),
		cmocka_unit_test_setup(test_hits, setup),
		cmocka_unit_test_setup(test_grant_limits, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
