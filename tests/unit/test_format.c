/* SPDX-License-Identifier: MIT */
/* Host tests of the hypervisor's snprintf (vmm/format.c) and CRC-32 (vmm/crc32.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/crc32.h"
#include "vmm/format.h"

static void check(const char *expect, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_string_equal(buf, expect);
	assert_int_equal(n, (int)strlen(expect));
}

static void test_integers(void **state)
{
	check("0", "%d", 0);
	check("-42 42", "%d %u", -42, 42u);
	check("-2147483648", "%d", (int)-2147483647 - 1);
	check("-9223372036854775808", "%lld", (long long)INT64_MIN);
	check("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	check("ff FF", "%x %X", 255u, 255u);
	check("00000000fed90000", "%016llx", 0xfed90000ull);
	check("  7|7  |007", "%3d|%-3d|%03d", 7, 7, 7);
	check("-07", "%03d", -7);
	check("12 34", "%zu %lu", (size_t)12, 34ul);
	check("255 65535", "%hhu %hu", 0xffffu, 0xffffffu);
}

static void test_strings(void **state)
{
	check("abc", "%s", "abc");
	check("(null)", "%s", (const char *)NULL);
	check("ab", "%.2s", "abcdef");
	check("  ab|ab  ", "%4s|%-4s", "ab", "ab");
	check("x%y", "x%%y");
	check("c", "%c", 'c');
	check("0x0000000000001000", "%p", (void *)0x1000);
	check("%q", "%q");
}

static void test_truncation(void **state)
{
	char buf[8];
	int n = hv_snprintf(buf, sizeof(buf), "%s", "0123456789");

	assert_int_equal(n, 10);
	assert_string_equal(buf, "0123456");
	n = hv_snprintf(buf, 1, "%d", 12345);
	assert_int_equal(n, 5);
	assert_string_equal(buf, "");
	/* len 0: nothing written at all */
	buf[0] = 'z';
	n = hv_snprintf(buf, 0, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(buf[0], 'z');
}

static void test_crc32(void **state)
{
	/* Check values of CRC-32/ISO-HDLC (the one gzip and zlib use). */
	assert_int_equal(crc32("", 0), 0x00000000u);
	assert_int_equal(crc32("123456789", 9), 0xcbf43926u);
	assert_int_equal(crc32("The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
	/* Incremental updates give the same result as one pass. */
	assert_int_equal(crc32_update(crc32("1234", 4), "56789", 5), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_crc32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
