/* SPDX-License-Identifier: MIT */
/* Host tests of the VMX back end's pure parts: exit table, decoders, encodings, bitmaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/vmx/exit.h"
#include "arch/x86/vmx/maps.h"
#include "arch/x86/vmx/vmcs.h"

/* ---- exit reasons ---- */

static void test_every_reason_listed(void **state)
{
	for (uint32_t r = 0; r < VMX_EXIT_REASON_COUNT; r++) {
		if (!vmx_exit_reason_listed(r))
			fail_msg("basic exit reason %u has no explicit entry", r);
		assert_true(vmx_exit_kind(r) < EXIT_KIND_COUNT);
		assert_non_null(vmx_exit_name(r));
	}
	assert_false(vmx_exit_reason_listed(VMX_EXIT_REASON_COUNT));
	assert_int_equal(vmx_exit_kind(VMX_EXIT_REASON_COUNT), EXIT_UNKNOWN);
	assert_int_equal(vmx_exit_kind(0xffff), EXIT_UNKNOWN);
	assert_int_equal(vmx_exit_kind(0xffffffffu), EXIT_UNKNOWN);
	assert_string_equal(vmx_exit_name(1000), "reserved");
}

static void test_reason_kinds(void **state)
{
	static const struct { uint32_t reason; enum exit_kind kind; } want[] = {
		{ 0, EXIT_EXCEPTION }, { 1, EXIT_EXTINT }, { 2, EXIT_SHUTDOWN },
		{ 3, EXIT_INIT }, { 4, EXIT_UNKNOWN }, { 7, EXIT_IRQ_WINDOW },
		{ 9, EXIT_UNKNOWN }, { 10, EXIT_CPUID }, { 12, EXIT_HLT }, { 13, EXIT_INVD },
		{ 18, EXIT_HYPERCALL }, { 28, EXIT_CR }, { 30, EXIT_IO }, { 31, EXIT_RDMSR },
		{ 32, EXIT_WRMSR }, { 33, EXIT_ENTRY_FAILED }, { 34, EXIT_ENTRY_FAILED },
		{ 35, EXIT_UNKNOWN }, { 41, EXIT_ENTRY_FAILED }, { 48, EXIT_NPF },
		{ 49, EXIT_NPF }, { 52, EXIT_TIMER }, { 54, EXIT_WBINVD }, { 55, EXIT_XSETBV },
		{ 62, EXIT_UNKNOWN }, { 74, EXIT_UNKNOWN },
	};
	/* VMCLEAR..VMXON, INVEPT, INVVPID, VMFUNC: the guest gets #UD. */
	static const uint32_t virt[] = { 19, 20, 21, 22, 23, 24, 25, 26, 27, 50, 53, 59 };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (vmx_exit_kind(want[i].reason) != want[i].kind)
			fail_msg("reason %u: kind %d, want %d", want[i].reason,
				 vmx_exit_kind(want[i].reason), want[i].kind);
	for (size_t i = 0; i < sizeof(virt) / sizeof(virt[0]); i++)
		assert_int_equal(vmx_exit_kind(virt[i]), EXIT_VIRT_INSN);
	assert_string_equal(vmx_exit_name(18), "VMCALL");
	assert_string_equal(vmx_exit_name(35), "reserved");
}

/* ---- the decoder ---- */

static struct exit_info decode(uint32_t reason, uint64_t qual, uint32_t len)
{
	struct vmx_exit_raw r = { .reason = reason, .qual = qual, .insn_len = len };
	struct exit_info ei;

	memset(&ei, 0xa5, sizeof(ei));	/* everything must be written */
	vmx_exit_decode(&r, &ei);
	return ei;
}

static void test_decode_basic(void **state)
{
	struct exit_info ei = decode(10, 0, 2);	/* Bochs: CPUID, length 2 */

	assert_int_equal(ei.kind, EXIT_CPUID);
	assert_int_equal(ei.raw, 10);
	assert_int_equal(ei.insn_len, 2);
	assert_int_equal(ei.qual, 0);
	ei = decode(18, 0, 3);
	assert_int_equal(ei.kind, EXIT_HYPERCALL);
	assert_int_equal(ei.insn_len, 3);
	/* The length field means nothing for non-instruction exits, or past 15. */
	ei = decode(1, 0, 7);
	assert_int_equal(ei.kind, EXIT_EXTINT);
	assert_int_equal(ei.insn_len, 0);
	ei = decode(10, 0, 16);
	assert_int_equal(ei.insn_len, 0);
	/* Reason bits 31:16 other than 31 (e.g. enclave mode 27) do not change the kind. */
	ei = decode((1u << 27) | 12, 0, 1);
	assert_int_equal(ei.kind, EXIT_HLT);
	assert_int_equal(ei.raw, 12);
}

static void test_decode_io(void **state)
{
	/* OUT DX, AL to 0xe9: size 1, out, DX operand. */
	struct exit_info ei = decode(30, 0x00e90000, 1);

	assert_int_equal(ei.kind, EXIT_IO);
	assert_int_equal(ei.io.port, 0xe9);
	assert_int_equal(ei.io.size, 1);
	assert_false(ei.io.in || ei.io.string || ei.io.rep);
	/* IN EAX, 0x70 (immediate): size 4 (field value 3), in, operand bit 6. */
	ei = decode(30, 0x00700000 | 0x40 | 0x8 | 3, 2);
	assert_int_equal(ei.io.port, 0x70);
	assert_int_equal(ei.io.size, 4);
	assert_true(ei.io.in);
	assert_false(ei.io.string || ei.io.rep);
	/* REP OUTSW to 0xffff: size 2, string, rep. */
	ei = decode(30, 0xffff0000ull | 0x20 | 0x10 | 1, 3);
	assert_int_equal(ei.io.port, 0xffff);
	assert_int_equal(ei.io.size, 2);
	assert_true(ei.io.string && ei.io.rep);
	assert_false(ei.io.in);
	assert_int_equal(ei.insn_len, 3);
}

static void test_decode_npf(void **state)
{
	struct vmx_exit_raw r = { .reason = 48, .qual = 0x181, .gpa = 0x12345678,
				  .gla = 0xabc, .insn_len = 9 };
	struct exit_info ei;

	vmx_exit_decode(&r, &ei);	/* Bochs: a read, guest-linear address valid */
	assert_int_equal(ei.kind, EXIT_NPF);
	assert_int_equal(ei.npf.gpa, 0x12345678);
	assert_true(ei.npf.read);
	assert_false(ei.npf.write || ei.npf.exec || ei.npf.misconfig);
	assert_int_equal(ei.qual2, 0xabc);
	assert_int_equal(ei.insn_len, 0);
	r.qual = 0x182;
	vmx_exit_decode(&r, &ei);
	assert_true(ei.npf.write && !ei.npf.read && !ei.npf.exec);
	r.qual = 0x84;
	vmx_exit_decode(&r, &ei);
	assert_true(ei.npf.exec && !ei.npf.read && !ei.npf.write);
	/* Misconfiguration: no qualification, whatever the field holds. */
	r.reason = 49;
	r.qual = 7;
	vmx_exit_decode(&r, &ei);
	assert_int_equal(ei.kind, EXIT_NPF);
	assert_true(ei.npf.misconfig);
	assert_false(ei.npf.read || ei.npf.write || ei.npf.exec);
	assert_int_equal(ei.npf.gpa, 0x12345678);
}

static void test_decode_cr(void **state)
{
	struct vmx_cr_access a;
	struct exit_info ei = decode(28, 0x0000, 3);	/* MOV CR0, RAX */

	assert_int_equal(ei.kind, EXIT_CR);
	assert_int_equal(ei.cr.cr, 0);
	assert_true(ei.cr.write);
	assert_int_equal(ei.cr.gpr, 0);
	ei = decode(28, 0x0c04, 4);			/* MOV CR4, R12 */
	assert_int_equal(ei.cr.cr, 4);
	assert_true(ei.cr.write);
	assert_int_equal(ei.cr.gpr, 12);
	ei = decode(28, 0x0113, 3);			/* MOV RCX, CR3 */
	assert_int_equal(ei.cr.cr, 3);
	assert_false(ei.cr.write);
	assert_int_equal(ei.cr.gpr, 1);
	ei = decode(28, 0x0408, 4);			/* MOV CR8, RSP */
	assert_int_equal(ei.cr.cr, 8);
	assert_int_equal(ei.cr.gpr, 4);

	vmx_cr_access_decode(0x20, &a);			/* CLTS */
	assert_int_equal(a.type, VMX_CR_CLTS);
	assert_int_equal(a.cr, 0);
	vmx_cr_access_decode(0x12340070ull, &a);	/* LMSW from memory */
	assert_int_equal(a.type, VMX_CR_LMSW);
	assert_true(a.lmsw_mem);
	assert_int_equal(a.lmsw_src, 0x1234);
	ei = decode(28, 0x30, 3);			/* LMSW is no "MOV to CR" */
	assert_false(ei.cr.write);
}

static void test_decode_exception_nmi(void **state)
{
	struct vmx_exit_raw r = { .reason = 0, .intr_info = 0x80000202 };	/* NMI, type 2 */
	struct exit_info ei;

	vmx_exit_decode(&r, &ei);
	assert_int_equal(ei.kind, EXIT_NMI);
	r.intr_info = 0x80000b0e;	/* #PF, hardware exception, error code valid */
	r.intr_error = 0x6;
	vmx_exit_decode(&r, &ei);
	assert_int_equal(ei.kind, EXIT_EXCEPTION);
	assert_int_equal(ei.exc.vector, 14);
	assert_true(ei.exc.has_error);
	assert_int_equal(ei.exc.error, 6);
	r.intr_info = 0x80000306;	/* #UD, no error code */
	vmx_exit_decode(&r, &ei);
	assert_int_equal(ei.exc.vector, 6);
	assert_false(ei.exc.has_error);
	assert_int_equal(ei.exc.error, 0);
}

static void test_decode_entry_failure(void **state)
{
	struct exit_info ei = decode(0x80000021u, 0, 5);	/* invalid guest state */

	assert_int_equal(ei.kind, EXIT_ENTRY_FAILED);
	assert_int_equal(ei.raw, 33);
	assert_int_equal(ei.entry_error, 33);
	assert_int_equal(ei.insn_len, 0);
	ei = decode(0x80000022u, 3, 0);			/* MSR loading, entry 3 */
	assert_int_equal(ei.kind, EXIT_ENTRY_FAILED);
	assert_int_equal(ei.entry_error, 34);
	assert_int_equal(ei.qual, 3);
	/* Bit 31 wins over whatever the basic reason would be. */
	ei = decode(0x8000000au, 0, 2);
	assert_int_equal(ei.kind, EXIT_ENTRY_FAILED);

	vmx_vmfail_decode(7, &ei);
	assert_int_equal(ei.kind, EXIT_ENTRY_FAILED);
	assert_int_equal(ei.raw, VMX_RAW_VMFAIL);
	assert_int_equal(ei.entry_error, 7);
	assert_string_equal(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	assert_string_equal(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
	assert_string_equal(vmx_insn_error_name(14), "unknown VM-instruction error");
	assert_string_equal(vmx_insn_error_name(0), "unknown VM-instruction error");
	assert_string_equal(vmx_insn_error_name(1000), "unknown VM-instruction error");
}

/* ---- VMCS encodings ---- */

struct field {
	const char *name;
	uint32_t enc;
	unsigned int width;
};

#define FIELD_ENTRY(n, e, w)	{ #n, e, w },
static const struct field fields[] = { VMCS_FIELDS(FIELD_ENTRY) };

static void test_field_widths(void **state)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];

		if (VMCS_FIELD_WIDTH(f->enc) != f->width)
			fail_msg("%s (0x%x): encoding says width %u, app. B section %u", f->name,
				 f->enc, VMCS_FIELD_WIDTH(f->enc), f->width);
		/* Bit 0 is the access type (0: full), bits 31:15 and 12 are reserved. */
		assert_int_equal(f->enc & 1, 0);
		assert_int_equal(f->enc & ~0x6fffu, 0);
		for (size_t j = 0; j < i; j++)
			if (fields[j].enc == f->enc)
				fail_msg("%s and %s share 0x%x", fields[j].name, f->name, f->enc);
	}
	assert_int_equal(VMCS_FIELD_WIDTH(VMCS_VPID), VMCS_W16);
	assert_int_equal(VMCS_FIELD_WIDTH(VMCS_EPT_POINTER), VMCS_W64);
	assert_int_equal(VMCS_FIELD_WIDTH(VMCS_INSN_ERROR), VMCS_W32);
	assert_int_equal(VMCS_INSN_ERROR, 0x4400);
	assert_int_equal(VMCS_FIELD_WIDTH(VMCS_GUEST_RIP), VMCS_WNAT);
	assert_int_equal(VMCS_HOST_RSP, VMCS_HOST_RSP_ENCODING);
	/* Segment fields are regular: selector, limit, AR and base advance by 2. */
	assert_int_equal(VMCS_GUEST_TR_SEL - VMCS_GUEST_ES_SEL, 14);
	assert_int_equal(VMCS_GUEST_TR_LIMIT - VMCS_GUEST_ES_LIMIT, 14);
	assert_int_equal(VMCS_GUEST_TR_AR - VMCS_GUEST_ES_AR, 14);
	assert_int_equal(VMCS_GUEST_TR_BASE - VMCS_GUEST_ES_BASE, 14);
}

/* ---- MSR and I/O bitmaps ---- */

static void test_msr_bitmap_pos(void **state)
{
	static const struct { uint32_t msr; bool write; uint32_t byte; uint8_t bit; } want[] = {
		{ 0x00000000, false, 0x000, 0 }, { 0x00001fff, false, 0x3ff, 7 },
		{ 0xc0000000, false, 0x400, 0 }, { 0xc0001fff, false, 0x7ff, 7 },
		{ 0x00000000, true, 0x800, 0 }, { 0x00001fff, true, 0xbff, 7 },
		{ 0xc0000000, true, 0xc00, 0 }, { 0xc0001fff, true, 0xfff, 7 },
		{ 0x00000174, true, 0x82e, 4 }, { 0xc0000100, false, 0x420, 0 },
		{ 0xc0000102, true, 0xc20, 2 }, { 0xc0000084, false, 0x410, 4 },
	};
	static const uint32_t none[] = { 0x2000, 0xbfffffff, 0xc0002000, 0xffffffff, 0x40000000 };
	uint32_t byte;
	uint8_t bit;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(vmx_msr_bitmap_pos(want[i].msr, want[i].write, &byte, &bit));
		if (byte != want[i].byte || bit != want[i].bit)
			fail_msg("msr 0x%x %s: byte 0x%x bit %u, want 0x%x bit %u", want[i].msr,
				 want[i].write ? "write" : "read", byte, bit, want[i].byte,
				 want[i].bit);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_false(vmx_msr_bitmap_pos(none[i], false, &byte, &bit));
}

static void test_msr_bitmap_set(void **state)
{
	uint8_t map[VMX_MSR_BITMAP_SIZE], want[VMX_MSR_BITMAP_SIZE];

	memset(map, 0xff, sizeof(map));
	memset(want, 0xff, sizeof(want));
	assert_true(vmx_msr_bitmap_set(map, 0xc0000101, false));	/* GS_BASE */
	want[0x420] = 0xfd;
	want[0xc20] = 0xfd;
	assert_memory_equal(map, want, sizeof(map));
	assert_false(vmx_msr_intercepted(map, 0xc0000101, false));
	assert_false(vmx_msr_intercepted(map, 0xc0000101, true));
	assert_true(vmx_msr_intercepted(map, 0xc0000080, false));	/* EFER stays */
	assert_true(vmx_msr_intercepted(map, 0x40000000, false));	/* outside: always */
	assert_false(vmx_msr_bitmap_set(map, 0x40000000, false));
	assert_memory_equal(map, want, sizeof(map));
	assert_true(vmx_msr_bitmap_set(map, 0xc0000101, true));
	memset(want, 0xff, sizeof(want));
	assert_memory_equal(map, want, sizeof(map));
}

static void test_io_bitmap(void **state)
{
	static const struct {
		uint16_t port;
		unsigned int which;
		uint32_t byte;
		uint8_t bit;
	} want[] = {
		{ 0x0000, 0, 0x000, 0 }, { 0x0080, 0, 0x010, 0 }, { 0x00e9, 0, 0x01d, 1 },
		{ 0x7fff, 0, 0xfff, 7 }, { 0x8000, 1, 0x000, 0 }, { 0xffff, 1, 0xfff, 7 },
	};
	uint8_t a[VMX_IO_BITMAP_SIZE], b[VMX_IO_BITMAP_SIZE];
	unsigned int which;
	uint32_t byte;
	uint8_t bit;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		vmx_io_bitmap_pos(want[i].port, &which, &byte, &bit);
		assert_int_equal(which, want[i].which);
		assert_int_equal(byte, want[i].byte);
		assert_int_equal(bit, want[i].bit);
	}
	memset(a, 0xff, sizeof(a));
	memset(b, 0xff, sizeof(b));
	vmx_io_bitmap_set(a, b, 0x80, false);
	vmx_io_bitmap_set(a, b, 0x8001, false);
	assert_int_equal(a[0x10], 0xfe);
	assert_int_equal(b[0], 0xfd);
	assert_false(vmx_io_intercepted(a, b, 0x80));
	assert_true(vmx_io_intercepted(a, b, 0x81));
	assert_false(vmx_io_intercepted(a, b, 0x8001));
	assert_true(vmx_io_intercepted(a, b, 0x0001));
	vmx_io_bitmap_set(a, b, 0x80, true);
	assert_int_equal(a[0x10], 0xff);
}

/* ---- controls and control registers ---- */

static void test_adjust(void **state)
{
	/* Bochs 2.7 corei7_skylake_x TRUE capability MSRs (tests/unit/test_caps.c). */
	const uint64_t pin = 0x0000007f00000016ull, proc = 0xf7f9fffe04006172ull;
	const uint64_t proc2 = 0x02177fff00000000ull;
	uint32_t v;

	/* External-interrupt and NMI exiting, plus the default-1 bits 1, 2, 4. */
	assert_int_equal(vmx_adjust(0x9, pin), 0x1f);
	/* HLT, I/O bitmaps, MSR bitmaps, secondary: CR3 load/store exiting stay off. */
	v = vmx_adjust(0x92000080u, proc);
	assert_int_equal(v, 0x960061f2u);
	assert_int_equal(v & ((1u << 15) | (1u << 16) | (1u << 24) | (1u << 9)), 0);
	/* EPT, RDTSCP, VPID, unrestricted guest, INVPCID all allowed. */
	assert_int_equal(vmx_adjust(0x10aa, proc2), 0x10aa);
	/* Allowed-1 wins over the request; allowed-0 is forced in. */
	assert_int_equal(vmx_adjust(0xffffffffu, 0x0000000f00000003ull), 0xf);
	assert_int_equal(vmx_adjust(0, 0xffffffff00000100ull), 0x100);
	assert_true(vmx_ctl_allowed(0x1f, pin));
	assert_false(vmx_ctl_allowed(0x1f | (1u << 7), pin));	/* no posted interrupts */
	assert_false(vmx_ctl_allowed(0x9, pin));		/* default-1 bits missing */
}

static void test_cr_helpers(void **state)
{
	const uint64_t cr0_f0 = 0x80000021, cr0_f1 = 0xffffffff;
	const uint64_t cr4_f0 = 0x2000, cr4_f1 = 0x3767ff;
	const uint64_t pe_pg = 0x80000001;
	uint64_t mask0 = vmx_cr_fixed_mask(cr0_f0, cr0_f1, pe_pg);
	uint64_t mask4 = vmx_cr_fixed_mask(cr4_f0, cr4_f1, 0) | 0x2000;

	/* Multiboot entry: PE|ET|NE in CR0 (NE fixed), the guest believes PE|ET. */
	assert_int_equal(vmx_cr_fixed(0x31, cr0_f0 & ~pe_pg, cr0_f1), 0x31);
	assert_int_equal(vmx_cr_fixed(0x11, cr0_f0 & ~pe_pg, cr0_f1), 0x31);
	assert_int_equal(mask0, 0xffffffff00000020ull);
	assert_int_equal(vmx_cr_visible(0x31, 0x11, mask0), 0x11);
	/* The guest sets PG itself (guest-owned), NE still from the shadow. */
	assert_int_equal(vmx_cr_visible(0x80000031, 0x11, mask0), 0x80000011);
	/* CR4: VMXE is forced on, shown as clear; bits FIXED1 forbids are host-owned. */
	assert_int_equal(vmx_cr_fixed(0x20, cr4_f0, cr4_f1), 0x2020);
	assert_true(mask4 & 0x2000);
	assert_true(mask4 & (1ull << 23));
	assert_false(mask4 & 0x20);
	assert_int_equal(vmx_cr_visible(0x2020, 0, mask4), 0x20);
	assert_int_equal(vmx_cr_fixed(1ull << 23, cr4_f0, cr4_f1), 0x2000);
}

/* ---- VM-entry guest-state replay ---- */

static struct vmx_guest_state entry_state(void)
{
	struct vmx_guest_state s = {
		.cr0 = 0x31, .cr4 = 0x2000, .dr7 = 0x400, .rflags = 2, .efer = 0,
		.link = ~0ull, .cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff,
		.entry_ctls = (1u << 14) | (1u << 15) | 0x11ff, .proc2_ctls = 0xa2,
	};

	for (int i = 0; i < VMX_SEG_COUNT; i++)
		s.seg[i] = (struct vmx_seg){ 0x10, 0, 0xffffffff, 0xc093 };
	s.seg[VMX_SEG_CS] = (struct vmx_seg){ 0x08, 0, 0xffffffff, 0xc09b };
	s.seg[VMX_SEG_LDTR] = (struct vmx_seg){ 0, 0, 0, 0x10000 };
	s.seg[VMX_SEG_TR] = (struct vmx_seg){ 0, 0, 0x67, 0x8b };
	return s;
}

static void check_state(const struct vmx_guest_state *s, const char *prefix)
{
	char buf[120];
	const char *why = vmx_guest_state_check(s, buf, sizeof(buf));

	if (!prefix) {
		if (why)
			fail_msg("unexpected: %s", why);
		return;
	}
	if (!why)
		fail_msg("no failure found, want \"%s...\"", prefix);
	if (strncmp(why, prefix, strlen(prefix)))
		fail_msg("got \"%s\", want \"%s...\"", why, prefix);
}

static void test_guest_state_good(void **state)
{
	struct vmx_guest_state s = entry_state();

	check_state(&s, NULL);
	/* The same guest in 64-bit mode: paging, PAE, LME/LMA, CS.L, IA-32e entry. */
	s.cr0 = 0x80000031;
	s.cr4 = 0x2020;
	s.efer = 0x500;
	s.entry_ctls |= 1u << 9;
	s.seg[VMX_SEG_CS].ar = 0xa09b;
	check_state(&s, NULL);
}

static void test_guest_state_bad(void **state)
{
	struct vmx_guest_state s;

#define BAD(mutation, prefix) do { s = entry_state(); mutation; check_state(&s, prefix); } while (0)
	BAD(s.cr0 = 0x11, "CR0: a bit IA32_VMX_CR0_FIXED0");
	BAD(s.cr0 = 0x80000030, "CR0: PG set without PE");
	BAD(s.proc2_ctls = 0x2, "CR0: a bit IA32_VMX_CR0_FIXED0");	/* no UG: PE, PG */
	BAD(s.cr4 = 0, "CR4: a bit IA32_VMX_CR4_FIXED0");
	BAD(s.cr4 = 0x2000 | (1ull << 23), "CR4: a bit IA32_VMX_CR4_FIXED1");
	BAD(s.entry_ctls |= 1u << 9, "entry controls: IA-32e mode guest with CR0.PG clear");
	BAD(s.efer = 0x400, "EFER: LMA differs");
	BAD(s.efer = 0x1000, "EFER: reserved bits");
	BAD((s.cr0 = 0x80000031, s.efer = 0x100), "EFER: LME differs");
	BAD(s.rflags = 0, "RFLAGS: bit 1");
	BAD(s.rflags = 0x8002, "RFLAGS: reserved");
	BAD(s.link = 0, "VMCS link pointer");
	BAD(s.interruptibility = 1, "interruptibility state: STI blocking with RFLAGS.IF clear");
	BAD(s.activity = 4, "activity state");
	BAD(s.entry_ctls |= 1u << 10, "entry controls: entry to SMM");
	BAD(s.seg[VMX_SEG_CS].ar = 0xc09a, "CS: type");
	BAD(s.seg[VMX_SEG_SS].ar = 0xc0f3, "CS: non-conforming code with DPL different");
	BAD(s.seg[VMX_SEG_SS].ar = 0xc09b, "SS: type");
	BAD(s.seg[VMX_SEG_DS].ar = 0xc092, "DS: type not accessed");
	BAD(s.seg[VMX_SEG_ES].ar = 0x4093, "ES: limit above 1 MiB but G clear");
	BAD(s.seg[VMX_SEG_FS].limit = 0x1000, "FS: limit bits 11:0");
	BAD(s.seg[VMX_SEG_GS].base = 0x0000800000000000ull, "GS: base not canonical");
	BAD(s.seg[VMX_SEG_TR].ar = 0x10000, "TR: unusable");
	BAD(s.seg[VMX_SEG_TR].ar = 0x89, "TR: type");
	BAD(s.seg[VMX_SEG_LDTR].ar = 0x02, "LDTR: access rights: not present");
	BAD((s.cr0 = 0x80000031, s.cr4 = 0x2020, s.efer = 0x500, s.entry_ctls |= 1u << 9,
	     s.seg[VMX_SEG_CS].ar = 0xe09b), "CS: L and D/B");
	BAD((s.cr0 = 0x80000031, s.cr4 = 0x2020, s.efer = 0x500, s.entry_ctls |= 1u << 9,
	     s.seg[VMX_SEG_TR].ar = 0x83), "TR: type");
#undef BAD
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason_listed),
		cmocka_unit_test(test_reason_kinds),
		cmocka_unit_test(test_decode_basic),
		cmocka_unit_test(test_decode_io),
		cmocka_unit_test(test_decode_npf),
		cmocka_unit_test(test_decode_cr),
		cmocka_unit_test(test_decode_exception_nmi),
		cmocka_unit_test(test_decode_entry_failure),
		cmocka_unit_test(test_field_widths),
		cmocka_unit_test(test_msr_bitmap_pos),
		cmocka_unit_test(test_msr_bitmap_set),
		cmocka_unit_test(test_io_bitmap),
		cmocka_unit_test(test_adjust),
		cmocka_unit_test(test_cr_helpers),
		cmocka_unit_test(test_guest_state_good),
		cmocka_unit_test(test_guest_state_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
