/* SPDX-License-Identifier: MIT */
/* Host tests of the SVM back end's pure parts: exit table and decoder, permission maps, VMCB layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/maps.h"
#include "arch/x86/svm/vmcb.h"	/* its _Static_asserts pin the layout on the host too */
#include "include/abi/hv_errno.h"

/* APM vol 2 app. C table C-1, written out independently of exit.c's table. */
struct expect {
	uint64_t code;
	enum exit_kind kind;
};

static const struct expect apm_codes[] = {
	{ 0x72, EXIT_CPUID }, { 0x81, EXIT_HYPERCALL }, { 0x7b, EXIT_IO },
	{ 0x400, EXIT_NPF }, { 0x78, EXIT_HLT }, { 0xa6, EXIT_HLT },
	{ 0x60, EXIT_EXTINT }, { 0x61, EXIT_NMI }, { 0x63, EXIT_INIT },
	{ 0x7f, EXIT_SHUTDOWN }, { 0x8d, EXIT_XSETBV }, { 0x76, EXIT_INVD },
	{ 0x89, EXIT_WBINVD }, { 0x64, EXIT_IRQ_WINDOW },
	{ 0x80, EXIT_VIRT_INSN }, { 0x82, EXIT_VIRT_INSN }, { 0x83, EXIT_VIRT_INSN },
	{ 0x84, EXIT_VIRT_INSN }, { 0x85, EXIT_VIRT_INSN }, { 0x86, EXIT_VIRT_INSN },
	{ 0x7a, EXIT_VIRT_INSN },
	{ 0x7c, EXIT_RDMSR },	/* EXITINFO1 = 0; the decoder makes 1 a WRMSR */
	{ 0xffffffffffffffffull, EXIT_ENTRY_FAILED },
	{ 0xfffffffffffffffeull, EXIT_ENTRY_FAILED },
	{ 0xfffffffffffffffdull, EXIT_ENTRY_FAILED },
	/* QEMU 7.2 writes the negative codes as 32-bit values. */
	{ 0xffffffffull, EXIT_ENTRY_FAILED }, { 0xfffffffeull, EXIT_ENTRY_FAILED },
	{ 0xfffffffdull, EXIT_ENTRY_FAILED },
	/* Listed but never intercepted: explicitly unknown, so the guest is stopped. */
	{ 0x62, EXIT_UNKNOWN }, { 0x65, EXIT_UNKNOWN }, { 0x66, EXIT_UNKNOWN },
	{ 0x67, EXIT_UNKNOWN }, { 0x68, EXIT_UNKNOWN }, { 0x69, EXIT_UNKNOWN },
	{ 0x6a, EXIT_UNKNOWN }, { 0x6b, EXIT_UNKNOWN }, { 0x6c, EXIT_UNKNOWN },
	{ 0x6d, EXIT_UNKNOWN }, { 0x6e, EXIT_UNKNOWN }, { 0x6f, EXIT_UNKNOWN },
	{ 0x70, EXIT_UNKNOWN }, { 0x71, EXIT_UNKNOWN }, { 0x73, EXIT_UNKNOWN },
	{ 0x74, EXIT_UNKNOWN }, { 0x75, EXIT_UNKNOWN }, { 0x77, EXIT_UNKNOWN },
	{ 0x79, EXIT_UNKNOWN }, { 0x7d, EXIT_UNKNOWN }, { 0x7e, EXIT_UNKNOWN },
	{ 0x87, EXIT_UNKNOWN }, { 0x88, EXIT_UNKNOWN }, { 0x8a, EXIT_UNKNOWN },
	{ 0x8b, EXIT_UNKNOWN }, { 0x8c, EXIT_UNKNOWN }, { 0x8e, EXIT_UNKNOWN },
	{ 0x8f, EXIT_UNKNOWN }, { 0xa0, EXIT_UNKNOWN }, { 0xa1, EXIT_UNKNOWN },
	{ 0xa2, EXIT_UNKNOWN }, { 0xa3, EXIT_UNKNOWN }, { 0xa4, EXIT_UNKNOWN },
	{ 0xa5, EXIT_UNKNOWN }, { 0x401, EXIT_UNKNOWN }, { 0x402, EXIT_UNKNOWN },
	{ 0x403, EXIT_UNKNOWN },
};

/* Ranges of the same table: CR/DR accesses, exceptions, CR write traps. */
static const struct {
	uint64_t first, last;
	enum exit_kind kind;
} apm_ranges[] = {
	{ 0x00, 0x1f, EXIT_CR },
	{ 0x20, 0x3f, EXIT_UNKNOWN },
	{ 0x40, 0x47, EXIT_EXCEPTION },
	{ 0x48, 0x48, EXIT_EXCEPTION },	/* #DF: stopped before shutdown (see exit.c) */
	{ 0x49, 0x5f, EXIT_EXCEPTION },
	{ 0x90, 0x9f, EXIT_UNKNOWN },
};

static bool in_apm_list(uint64_t code)
{
	for (size_t i = 0; i < sizeof(apm_codes) / sizeof(apm_codes[0]); i++)
		if (apm_codes[i].code == code)
			return true;
	for (size_t i = 0; i < sizeof(apm_ranges) / sizeof(apm_ranges[0]); i++)
		if (code >= apm_ranges[i].first && code <= apm_ranges[i].last)
			return true;
	return false;
}

static void test_every_apm_code_maps(void **state)
{
	for (size_t i = 0; i < sizeof(apm_codes) / sizeof(apm_codes[0]); i++) {
		assert_int_equal(svm_exit_kind(apm_codes[i].code), apm_codes[i].kind);
		assert_non_null(svm_exit_name(apm_codes[i].code));
	}
	for (size_t i = 0; i < sizeof(apm_ranges) / sizeof(apm_ranges[0]); i++)
		for (uint64_t c = apm_ranges[i].first; c <= apm_ranges[i].last; c++) {
			assert_int_equal(svm_exit_kind(c), apm_ranges[i].kind);
			assert_non_null(svm_exit_name(c));
		}
}

static void test_unlisted_codes_are_unknown(void **state)
{
	static const uint64_t odd[] = { 0xa7, 0xff, 0x100, 0x3ff, 0x404, 0x1000, 0xf0000000,
					0x80000001, 0xfffffffcull, 0xfffffffffffffffcull,
					1ull << 32, 0x100000072ull, 0xffffffff00000072ull };
	static struct vmcb vmcb;
	struct exit_info ei;

	for (uint64_t c = 0; c < 0x1000; c++) {
		if (in_apm_list(c))
			continue;
		assert_int_equal(svm_exit_kind(c), EXIT_UNKNOWN);
		assert_null(svm_exit_name(c));
	}
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		vmcb.control.exitcode = odd[i];
		svm_decode_exit(&vmcb, false, &ei);
		assert_int_equal(ei.kind, EXIT_UNKNOWN);
		assert_int_equal(ei.raw, (uint32_t)odd[i]);
		assert_int_equal(ei.insn_len, 0);
	}
}

static struct exit_info decode(uint64_t code, uint64_t info1, uint64_t info2, uint64_t rip,
			       uint64_t nrip, bool has_nrip)
{
	static struct vmcb vmcb;
	struct exit_info ei;

	vmcb.control.exitcode = code;
	vmcb.control.exitinfo1 = info1;
	vmcb.control.exitinfo2 = info2;
	vmcb.control.nrip = nrip;
	vmcb.save.rip = rip;
	memset(&ei, 0xa5, sizeof(ei));	/* the decoder must fill everything it reports */
	svm_decode_exit(&vmcb, has_nrip, &ei);
	return ei;
}

/* IOIO EXITINFO1: port 31:16, SZ32/16/8 6:4, REP 3, STR 2, IN 0 (APM 15.10.2). */
static uint64_t ioio(uint16_t port, unsigned int size, bool in, bool str, bool rep)
{
	uint64_t sz = size == 4 ? IOIO_SZ32 : size == 2 ? IOIO_SZ16 : IOIO_SZ8;

	return ((uint64_t)port << 16) | sz | (rep ? IOIO_REP : 0) | (str ? IOIO_STR : 0) |
	       (in ? IOIO_TYPE_IN : 0) | (1ull << 8);	/* A32 */
}

static void test_ioio_out(void **state)
{
	/* out %al, $0xe9 at 0x100000: EXITINFO2 = next RIP even without nRIP save. */
	struct exit_info ei = decode(0x7b, ioio(0xe9, 1, false, false, false), 0x100002,
				     0x100000, 0, false);

	assert_int_equal(ei.kind, EXIT_IO);
	assert_int_equal(ei.io.port, 0xe9);
	assert_int_equal(ei.io.size, 1);
	assert_false(ei.io.in || ei.io.string || ei.io.rep);
	assert_int_equal(ei.insn_len, 2);
	assert_int_equal(ei.qual, ioio(0xe9, 1, false, false, false));
}

static void test_ioio_in_sizes(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 4 };

	for (size_t i = 0; i < 3; i++) {
		/* in (%dx), %al/%ax/%eax: 1 byte, 2 with the 66 prefix. */
		uint8_t len = sizes[i] == 2 ? 2 : 1;
		struct exit_info ei = decode(0x7b, ioio(0xcfc, sizes[i], true, false, false),
					     0x2000 + len, 0x2000, 0, false);

		assert_int_equal(ei.kind, EXIT_IO);
		assert_int_equal(ei.io.port, 0xcfc);
		assert_int_equal(ei.io.size, sizes[i]);
		assert_true(ei.io.in);
		assert_false(ei.io.string);
		assert_int_equal(ei.insn_len, len);
	}
}

static void test_ioio_string_rep(void **state)
{
	struct exit_info ins = decode(0x7b, ioio(0x1f0, 2, true, true, true), 0x3003, 0x3000,
				      0, false);
	struct exit_info outs = decode(0x7b, ioio(0x3f8, 1, false, true, false), 0x4001,
				       0x4000, 0, false);

	/* rep insw: F3 66 6D */
	assert_true(ins.io.in && ins.io.string && ins.io.rep);
	assert_int_equal(ins.io.size, 2);
	assert_int_equal(ins.io.port, 0x1f0);
	assert_int_equal(ins.insn_len, 3);
	/* outsb: 6E */
	assert_true(outs.io.string);
	assert_false(outs.io.in || outs.io.rep);
	assert_int_equal(outs.io.port, 0x3f8);
	assert_int_equal(outs.insn_len, 1);
}

static void test_ioio_high_port(void **state)
{
	struct exit_info ei = decode(0x7b, ioio(0xffff, 4, false, false, false), 0x11, 0x10,
				     0x11, true);

	assert_int_equal(ei.io.port, 0xffff);
	assert_int_equal(ei.io.size, 4);
	assert_int_equal(ei.insn_len, 1);
}

static void test_npf(void **state)
{
	/* Read of an unmapped page during the final translation (Bochs, QEMU: 0x100000004). */
	struct exit_info rd = decode(0x400, NPF_FINAL | NPF_USER, 0x7fff000, 0x101000, 0, false);
	struct exit_info wr = decode(0x400, NPF_FINAL | NPF_WRITE | NPF_P | NPF_USER, 0xb8000,
				     0x101000, 0, false);
	struct exit_info ex = decode(0x400, NPF_FINAL | NPF_FETCH | NPF_USER, 0x40000000, 0x40000000,
				     0, true);
	struct exit_info rsv = decode(0x400, NPF_WALK | NPF_RSV | NPF_P, 0x1000, 0, 0, false);

	assert_int_equal(rd.kind, EXIT_NPF);
	assert_int_equal(rd.npf.gpa, 0x7fff000);
	assert_true(rd.npf.read);
	assert_false(rd.npf.write || rd.npf.exec || rd.npf.misconfig);
	assert_int_equal(rd.insn_len, 0);
	assert_true(wr.npf.write);
	assert_false(wr.npf.read || wr.npf.exec);
	assert_int_equal(wr.npf.gpa, 0xb8000);
	assert_true(ex.npf.exec);
	assert_false(ex.npf.read || ex.npf.write);
	assert_int_equal(ex.insn_len, 0);	/* not an instruction exit, even with nRIP */
	assert_true(rsv.npf.misconfig);
	assert_int_equal(rsv.qual, NPF_WALK | NPF_RSV | NPF_P);
}

static void test_msr_direction(void **state)
{
	struct exit_info rd = decode(0x7c, 0, 0, 0x5000, 0, false);
	struct exit_info wr = decode(0x7c, 1, 0, 0x5000, 0, false);

	assert_int_equal(rd.kind, EXIT_RDMSR);
	assert_int_equal(wr.kind, EXIT_WRMSR);
	assert_int_equal(rd.insn_len, 2);
	assert_int_equal(wr.insn_len, 2);
}

/* Without nRIP save (QEMU TCG) the unprefixed encodings' lengths. */
static void test_fixed_lengths(void **state)
{
	static const struct { uint64_t code; uint8_t len; } t[] = {
		{ 0x72, 2 }, { 0x81, 3 }, { 0x78, 1 }, { 0x8d, 3 }, { 0x76, 2 }, { 0x89, 2 },
		{ 0x7c, 2 }, { 0x80, 3 }, { 0x7a, 3 }, { 0xa6, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct exit_info ei = decode(t[i].code, 0, 0, 0x100000, 0, false);

		assert_int_equal(ei.insn_len, t[i].len);
		assert_int_equal(svm_exit_fixed_len(t[i].code), t[i].len);
	}
	/* Not instructions, or of variable length: unknown (0). */
	assert_int_equal(decode(0x60, 0, 0, 0x1000, 0, false).insn_len, 0);
	assert_int_equal(decode(0x7f, 0, 0, 0x1000, 0, false).insn_len, 0);
	assert_int_equal(svm_exit_fixed_len(0x7b), 0);
	assert_int_equal(svm_exit_fixed_len(0x400), 0);
}

/* With nRIP save (Bochs ryzen) NRIP - RIP, which also covers prefixed forms. */
static void test_nrip_lengths(void **state)
{
	/* 66 0F A2: a prefixed CPUID, 3 bytes. */
	assert_int_equal(decode(0x72, 0, 0, 0x100000, 0x100003, true).insn_len, 3);
	assert_int_equal(decode(0x81, 0, 0, 0xfff0, 0xfff3, true).insn_len, 3);
	/* An implausible NRIP (0, behind RIP, or > 15 bytes on) falls back to the fixed length. */
	assert_int_equal(decode(0x72, 0, 0, 0x100000, 0, true).insn_len, 2);
	assert_int_equal(decode(0x72, 0, 0, 0x100000, 0xfffff, true).insn_len, 2);
	assert_int_equal(decode(0x72, 0, 0, 0x100000, 0x100010, true).insn_len, 2);
	/* IOIO with a bad EXITINFO2 and no nRIP: unknown. */
	assert_int_equal(decode(0x7b, ioio(0x80, 1, false, false, false), 0, 0x1000, 0,
				false).insn_len, 0);
	/* nRIP wins over EXITINFO2 when present. */
	assert_int_equal(decode(0x7b, ioio(0x80, 1, false, false, false), 0x1009, 0x1000,
				0x1002, true).insn_len, 2);
}

static void test_exceptions(void **state)
{
	struct exit_info gp = decode(0x40 + 13, 0x18, 0, 0x1000, 0, false);
	struct exit_info pf = decode(0x40 + 14, 0x6, 0xdead000, 0x1000, 0, false);
	struct exit_info ud = decode(0x40 + 6, 0x1234, 0, 0x1000, 0, false);
	struct exit_info df = decode(0x40 + 8, 0, 0, 0x1000, 0, false);
	struct exit_info ac = decode(0x40 + 17, 0, 0, 0x1000, 0, false);

	assert_int_equal(gp.kind, EXIT_EXCEPTION);
	assert_int_equal(gp.exc.vector, 13);
	assert_true(gp.exc.has_error);
	assert_int_equal(gp.exc.error, 0x18);
	assert_int_equal(pf.exc.vector, 14);
	assert_int_equal(pf.exc.error, 0x6);
	assert_int_equal(pf.qual2, 0xdead000);
	assert_int_equal(ud.exc.vector, 6);
	assert_false(ud.exc.has_error);
	assert_int_equal(ud.exc.error, 0);
	assert_int_equal(df.kind, EXIT_EXCEPTION);
	assert_int_equal(df.exc.vector, 8);
	assert_true(df.exc.has_error);
	assert_int_equal(ac.kind, EXIT_EXCEPTION);
	assert_true(ac.exc.has_error);
}

static void test_cr_access(void **state)
{
	/* Decode assists: EXITINFO1 bit 63 valid, GPR in 3:0 (APM 15.33.1). */
	struct exit_info w = decode(0x10 + 3, (1ull << 63) | 5, 0, 0, 0, false);
	struct exit_info r = decode(0x08, 0, 0, 0, 0, false);

	assert_int_equal(w.kind, EXIT_CR);
	assert_int_equal(w.cr.cr, 3);
	assert_true(w.cr.write);
	assert_int_equal(w.cr.gpr, 5);
	assert_int_equal(r.cr.cr, 8);
	assert_false(r.cr.write);
	assert_int_equal(r.cr.gpr, 0);
}

static void test_entry_failed(void **state)
{
	struct exit_info ei = decode(0xffffffffffffffffull, 0, 0, 0x100000, 0, false);
	struct exit_info qemu = decode(0xffffffffull, 0, 0, 0x100000, 0, false);

	assert_int_equal(ei.kind, EXIT_ENTRY_FAILED);
	assert_int_equal(ei.raw, 0xffffffffu);
	assert_int_equal(ei.entry_error, 0);
	assert_int_equal(ei.insn_len, 0);
	assert_int_equal(qemu.kind, EXIT_ENTRY_FAILED);
	assert_string_equal(svm_exit_name(0xffffffffull), "invalid");
}

/* APM 15.11: 2 bits per MSR (read, write) in three 2 KiB ranges. */
static void test_msrpm_positions(void **state)
{
	static const struct { uint32_t msr, byte; unsigned int bit; } t[] = {
		{ 0x00000000, 0x000, 0 }, { 0x00000001, 0x000, 2 }, { 0x00000003, 0x000, 6 },
		{ 0x00000004, 0x001, 0 }, { 0x00000174, 0x05d, 0 }, { 0x00000176, 0x05d, 4 },
		{ 0x00001fff, 0x7ff, 6 },
		{ 0xc0000000, 0x800, 0 }, { 0xc0000080, 0x820, 0 }, { 0xc0000081, 0x820, 2 },
		{ 0xc0000102, 0x840, 4 }, { 0xc0001fff, 0xfff, 6 },
		{ 0xc0010000, 0x1000, 0 }, { 0xc0010117, 0x1045, 6 }, { 0xc0011fff, 0x17ff, 6 },
	};
	static const uint32_t outside[] = { 0x2000, 0x40000000, 0xbfffffff, 0xc0002000,
					    0xc000ffff, 0xc0012000, 0xffffffff };
	uint32_t byte;
	unsigned int bit;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(svm_msrpm_pos(t[i].msr, &byte, &bit), 0);
		assert_int_equal(byte, t[i].byte);
		assert_int_equal(bit, t[i].bit);
	}
	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		assert_int_equal(svm_msrpm_pos(outside[i], &byte, &bit), -HV_ERANGE);
}

static void test_msrpm_set(void **state)
{
	static uint8_t map[SVM_MSRPM_SIZE];

	memset(map, 0xff, sizeof(map));
	assert_int_equal(svm_msrpm_set(map, 0xc0000100, false, false), 0);	/* FS_BASE */
	assert_false(svm_msrpm_intercepts(map, 0xc0000100, false));
	assert_false(svm_msrpm_intercepts(map, 0xc0000100, true));
	assert_true(svm_msrpm_intercepts(map, 0xc0000080, false));		/* EFER */
	assert_true(svm_msrpm_intercepts(map, 0xc0000101, true));
	assert_int_equal(map[0x840], 0xfc);
	/* Read only passes; the write bit is the upper one of the pair. */
	assert_int_equal(svm_msrpm_set(map, 0x10, false, true), 0);
	assert_false(svm_msrpm_intercepts(map, 0x10, false));
	assert_true(svm_msrpm_intercepts(map, 0x10, true));
	assert_int_equal(map[4], 0xfe);
	assert_int_equal(svm_msrpm_set(map, 0x10, true, true), 0);
	assert_int_equal(map[4], 0xff);
	/* Outside the ranges: refused, and reported as always intercepted. */
	assert_int_equal(svm_msrpm_set(map, 0x40000000, false, false), -HV_ERANGE);
	assert_true(svm_msrpm_intercepts(map, 0x40000000, false));
	for (size_t i = 0; i < sizeof(map); i++)
		if (i != 0x840)
			assert_int_equal(map[i], 0xff);
}

static void test_iopm(void **state)
{
	static uint8_t map[SVM_IOPM_SIZE];

	memset(map, 0xff, sizeof(map));
	svm_iopm_set(map, 0x80, false);
	assert_false(svm_iopm_intercepts(map, 0x80));
	assert_true(svm_iopm_intercepts(map, 0x81));
	assert_true(svm_iopm_intercepts(map, 0x7f));
	assert_int_equal(map[0x10], 0xfe);
	svm_iopm_set(map, 0xffff, false);
	assert_int_equal(map[0x1fff], 0x7f);
	svm_iopm_set(map, 0xffff, true);
	svm_iopm_set(map, 0x80, true);
	for (size_t i = 0; i < sizeof(map); i++)
		assert_int_equal(map[i], 0xff);
}

/* Spot checks at run time too, in case the asserts were ever compiled out. */
static void test_vmcb_layout(void **state)
{
	assert_int_equal(sizeof(struct vmcb), 4096);
	assert_int_equal(offsetof(struct vmcb, control.exitcode), 0x70);
	assert_int_equal(offsetof(struct vmcb, control.n_cr3), 0xb0);
	assert_int_equal(offsetof(struct vmcb, control.nrip), 0xc8);
	assert_int_equal(offsetof(struct vmcb, save), 0x400);
	assert_int_equal(offsetof(struct vmcb, save.efer), 0x4d0);
	assert_int_equal(offsetof(struct vmcb, save.rax), 0x5f8);
	assert_int_equal(offsetof(struct vmcb, save.g_pat), 0x668);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_apm_code_maps),
		cmocka_unit_test(test_unlisted_codes_are_unknown),
		cmocka_unit_test(test_ioio_out),
		cmocka_unit_test(test_ioio_in_sizes),
		cmocka_unit_test(test_ioio_string_rep),
		cmocka_unit_test(test_ioio_high_port),
		cmocka_unit_test(test_npf),
		cmocka_unit_test(test_msr_direction),
		cmocka_unit_test(test_fixed_lengths),
		cmocka_unit_test(test_nrip_lengths),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_cr_access),
		cmocka_unit_test(test_entry_failed),
		cmocka_unit_test(test_msrpm_positions),
		cmocka_unit_test(test_msrpm_set),
		cmocka_unit_test(test_iopm),
		cmocka_unit_test(test_vmcb_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
