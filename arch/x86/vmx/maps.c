/* SPDX-License-Identifier: MIT */
/* Pure VMX helpers: bitmaps, control adjustment and a replay of VM-entry guest checks. */
#include "arch/x86/vmx/maps.h"

#include <stddef.h>

#include "arch/x86/vmx/vmcs.h"
#include "vmm/format.h"

#define MSR_LOW_LAST	0x00001fffu
#define MSR_HIGH_FIRST	0xc0000000u
#define MSR_HIGH_LAST	0xc0001fffu
#define MSR_WRITE_OFF	0x800u	/* write bitmaps follow the two read bitmaps */
#define MSR_HIGH_OFF	0x400u	/* high MSRs follow the low ones, for read and write */

bool vmx_msr_bitmap_pos(uint32_t msr, bool write, uint32_t *byte, uint8_t *bit)
{
	uint32_t base = write ? MSR_WRITE_OFF : 0, index;

	if (msr <= MSR_LOW_LAST) {
		index = msr;
	} else if (msr >= MSR_HIGH_FIRST && msr <= MSR_HIGH_LAST) {
		index = msr - MSR_HIGH_FIRST;
		base += MSR_HIGH_OFF;
	} else {
		return false;
	}
	*byte = base + index / 8;
	*bit = (uint8_t)(index % 8);
	return true;
}

static void bit_assign(uint8_t *map, uint32_t byte, uint8_t bit, bool set)
{
	if (set)
		map[byte] = (uint8_t)(map[byte] | (1u << bit));
	else
		map[byte] = (uint8_t)(map[byte] & ~(1u << bit));
}

bool vmx_msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool intercept)
{
	uint32_t rbyte, wbyte;
	uint8_t rbit, wbit;

	if (!vmx_msr_bitmap_pos(msr, false, &rbyte, &rbit) ||
	    !vmx_msr_bitmap_pos(msr, true, &wbyte, &wbit))
		return false;
	bit_assign(bitmap, rbyte, rbit, intercept);
	bit_assign(bitmap, wbyte, wbit, intercept);
	return true;
}

bool vmx_msr_intercepted(const uint8_t *bitmap, uint32_t msr, bool write)
{
	uint32_t byte;
	uint8_t bit;

	if (!vmx_msr_bitmap_pos(msr, write, &byte, &bit))
		return true;
	return (bitmap[byte] >> bit) & 1;
}

void vmx_io_bitmap_pos(uint16_t port, unsigned int *which, uint32_t *byte, uint8_t *bit)
{
	*which = port >> 15;
	*byte = (port & 0x7fffu) / 8;
	*bit = (uint8_t)(port % 8);
}

void vmx_io_bitmap_set(uint8_t *a, uint8_t *b, uint16_t port, bool intercept)
{
	unsigned int which;
	uint32_t byte;
	uint8_t bit;

	vmx_io_bitmap_pos(port, &which, &byte, &bit);
	bit_assign(which ? b : a, byte, bit, intercept);
}

bool vmx_io_intercepted(const uint8_t *a, const uint8_t *b, uint16_t port)
{
	unsigned int which;
	uint32_t byte;
	uint8_t bit;

	vmx_io_bitmap_pos(port, &which, &byte, &bit);
	return ((which ? b : a)[byte] >> bit) & 1;
}

uint32_t vmx_adjust(uint32_t value, uint64_t cap)
{
	return (value | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

bool vmx_ctl_allowed(uint32_t value, uint64_t cap)
{
	return vmx_adjust(value, cap) == value;
}

/* ---- VM-entry guest-state checks, SDM 3C 27.3.1 ---- */

#define CR0_PE		(1ull << 0)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_PCIDE	(1ull << 17)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_ALLOWED	0xd01ull	/* SCE, LME, LMA, NXE */
#define RFLAGS_FIXED1	(1ull << 1)
#define RFLAGS_IF	(1ull << 9)
#define RFLAGS_VM	(1ull << 17)
#define RFLAGS_RSVD	(~0x3fffffull | (1ull << 15) | (1ull << 5) | (1ull << 3))

static const char *const seg_names[VMX_SEG_COUNT] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR",
};

static bool unrestricted(const struct vmx_guest_state *s)
{
	return s->proc2_ctls & PROC2_UNRESTRICTED;
}

static bool ia32e(const struct vmx_guest_state *s)
{
	return s->entry_ctls & ENTRYCTL_IA32E_GUEST;
}

static bool canonical(uint64_t a)
{
	uint64_t top = a >> 47;

	return top == 0 || top == 0x1ffff;
}

static const char *check_cr0(const struct vmx_guest_state *s)
{
	uint64_t fixed0 = s->cr0_fixed0;

	if (unrestricted(s))
		fixed0 &= ~(CR0_PE | CR0_PG);
	if ((s->cr0 & fixed0) != fixed0)
		return "CR0: a bit IA32_VMX_CR0_FIXED0 requires is clear";
	if (s->cr0 & ~s->cr0_fixed1)
		return "CR0: a bit IA32_VMX_CR0_FIXED1 forbids is set";
	if ((s->cr0 & CR0_PG) && !(s->cr0 & CR0_PE))
		return "CR0: PG set without PE";
	return NULL;
}

static const char *check_cr4(const struct vmx_guest_state *s)
{
	if ((s->cr4 & s->cr4_fixed0) != s->cr4_fixed0)
		return "CR4: a bit IA32_VMX_CR4_FIXED0 requires is clear (VMXE?)";
	if (s->cr4 & ~s->cr4_fixed1)
		return "CR4: a bit IA32_VMX_CR4_FIXED1 forbids is set";
	if (ia32e(s) && !(s->cr0 & CR0_PG))
		return "entry controls: IA-32e mode guest with CR0.PG clear";
	if (ia32e(s) && !(s->cr4 & CR4_PAE))
		return "entry controls: IA-32e mode guest with CR4.PAE clear";
	if (!ia32e(s) && (s->cr4 & CR4_PCIDE))
		return "CR4: PCIDE set outside IA-32e mode";
	if (s->dr7 >> 32)
		return "DR7: bits 63:32 set";
	return NULL;
}

static const char *check_efer(const struct vmx_guest_state *s)
{
	if (!(s->entry_ctls & ENTRYCTL_LOAD_EFER))
		return NULL;
	if (s->efer & ~EFER_ALLOWED)
		return "EFER: reserved bits set";
	if (!!(s->efer & EFER_LMA) != ia32e(s))
		return "EFER: LMA differs from the IA-32e-mode-guest entry control";
	if ((s->cr0 & CR0_PG) && !!(s->efer & EFER_LMA) != !!(s->efer & EFER_LME))
		return "EFER: LME differs from LMA while CR0.PG is set";
	return NULL;
}

static const char *check_rflags(const struct vmx_guest_state *s)
{
	if (!(s->rflags & RFLAGS_FIXED1))
		return "RFLAGS: bit 1 is clear";
	if (s->rflags & RFLAGS_RSVD)
		return "RFLAGS: reserved bit set";
	if ((s->rflags & RFLAGS_VM) && (ia32e(s) || !(s->cr0 & CR0_PE)))
		return "RFLAGS: VM set in IA-32e mode or with CR0.PE clear";
	return NULL;
}

static const char *check_misc(const struct vmx_guest_state *s)
{
	uint32_t irq = s->interruptibility;

	if (s->activity > 3)
		return "activity state: not 0-3";
	if (irq & ~0x1fu)
		return "interruptibility state: reserved bits set";
	if ((irq & INTERRUPTIBILITY_STI) && (irq & INTERRUPTIBILITY_MOVSS))
		return "interruptibility state: STI and MOV-SS blocking both set";
	if ((irq & INTERRUPTIBILITY_STI) && !(s->rflags & RFLAGS_IF))
		return "interruptibility state: STI blocking with RFLAGS.IF clear";
	if (s->link != ~0ull)
		return "VMCS link pointer: not ~0";
	if (s->entry_ctls & ((1u << 10) | (1u << 11)))
		return "entry controls: entry to SMM or deactivate dual-monitor set outside SMM";
	return NULL;
}

/* Limit and granularity agree (SDM 27.3.1.2): G=0 caps the limit at 1 MiB - 1, G=1
 * means the low 12 bits are all ones. */
static const char *check_limit(const struct vmx_seg *g)
{
	if ((g->limit & 0xfff) != 0xfff && (g->ar & AR_G))
		return "limit bits 11:0 not all ones but G set";
	if ((g->limit >> 20) && !(g->ar & AR_G))
		return "limit above 1 MiB but G clear";
	return NULL;
}

/* Rules every usable code/data segment shares. */
static const char *check_usable(const struct vmx_seg *g)
{
	if (g->ar & AR_RESERVED)
		return "access rights: reserved bits 11:8 or 31:17 set";
	if (!(g->ar & AR_S))
		return "access rights: S (code/data) clear";
	if (!(g->ar & AR_P))
		return "access rights: not present";
	return check_limit(g);
}

static const char *check_cs(const struct vmx_guest_state *s)
{
	const struct vmx_seg *cs = &s->seg[VMX_SEG_CS], *ss = &s->seg[VMX_SEG_SS];
	uint32_t type = AR_TYPE(cs->ar);

	if (cs->ar & AR_UNUSABLE)
		return "unusable";
	if (!(type == 9 || type == 11 || type == 13 || type == 15 ||
	      (type == 3 && unrestricted(s))))
		return "type not an accessed code segment (or 3 with unrestricted guest)";
	if (type == 3 && AR_DPL(cs->ar) != 0)
		return "type 3 with DPL not 0";
	if ((type == 9 || type == 11) && AR_DPL(cs->ar) != AR_DPL(ss->ar))
		return "non-conforming code with DPL different from SS.DPL";
	if ((type == 13 || type == 15) && AR_DPL(cs->ar) > AR_DPL(ss->ar))
		return "conforming code with DPL above SS.DPL";
	if (ia32e(s) && (cs->ar & AR_L) && (cs->ar & AR_DB))
		return "L and D/B both set in IA-32e mode";
	if (cs->base >> 32)
		return "base bits 63:32 set";
	return check_usable(cs);
}

static const char *check_ss(const struct vmx_guest_state *s)
{
	const struct vmx_seg *ss = &s->seg[VMX_SEG_SS];
	uint32_t type = AR_TYPE(ss->ar);

	if (!unrestricted(s) && (ss->sel & 3) != (s->seg[VMX_SEG_CS].sel & 3))
		return "selector RPL differs from CS.RPL";
	if (ss->ar & AR_UNUSABLE)
		return NULL;
	if (type != 3 && type != 7)
		return "type not a read/write accessed data segment (3 or 7)";
	if (!unrestricted(s) && AR_DPL(ss->ar) != (ss->sel & 3u))
		return "DPL differs from the selector's RPL";
	if ((AR_TYPE(s->seg[VMX_SEG_CS].ar) == 3 || !(s->cr0 & CR0_PE)) && AR_DPL(ss->ar))
		return "DPL not 0 with CS type 3 or CR0.PE clear";
	if (ss->base >> 32)
		return "base bits 63:32 set";
	return check_usable(ss);
}

static const char *check_data(const struct vmx_guest_state *s, int i)
{
	const struct vmx_seg *g = &s->seg[i];
	uint32_t type = AR_TYPE(g->ar);

	if (g->ar & AR_UNUSABLE)
		return NULL;
	if (!(type & 1))
		return "type not accessed";
	if ((type & 8) && !(type & 2))
		return "code segment not readable";
	if ((i == VMX_SEG_FS || i == VMX_SEG_GS) && !canonical(g->base))
		return "base not canonical";
	if ((i == VMX_SEG_DS || i == VMX_SEG_ES) && (g->base >> 32))
		return "base bits 63:32 set";
	return check_usable(g);
}

static const char *check_tr(const struct vmx_guest_state *s)
{
	const struct vmx_seg *tr = &s->seg[VMX_SEG_TR];
	uint32_t type = AR_TYPE(tr->ar);

	if (tr->sel & 4)
		return "selector TI flag set";
	if (tr->ar & AR_UNUSABLE)
		return "unusable";
	if (type != 11 && (ia32e(s) || type != 3))
		return "type not a busy TSS (11, or 3 outside IA-32e mode)";
	if (tr->ar & (AR_S | AR_RESERVED))
		return "access rights: S or reserved bits set";
	if (!(tr->ar & AR_P))
		return "access rights: not present";
	if (!canonical(tr->base))
		return "base not canonical";
	return check_limit(tr);
}

static const char *check_ldtr(const struct vmx_guest_state *s)
{
	const struct vmx_seg *ldtr = &s->seg[VMX_SEG_LDTR];

	if (ldtr->ar & AR_UNUSABLE)
		return NULL;
	if (ldtr->sel & 4)
		return "selector TI flag set";
	if (AR_TYPE(ldtr->ar) != 2)
		return "type not LDT (2)";
	if (ldtr->ar & (AR_S | AR_RESERVED))
		return "access rights: S or reserved bits set";
	if (!(ldtr->ar & AR_P))
		return "access rights: not present";
	if (!canonical(ldtr->base))
		return "base not canonical";
	return check_limit(ldtr);
}

static const char *check_seg(const struct vmx_guest_state *s, int i)
{
	switch (i) {
	case VMX_SEG_CS: return check_cs(s);
	case VMX_SEG_SS: return check_ss(s);
	case VMX_SEG_TR: return check_tr(s);
	case VMX_SEG_LDTR: return check_ldtr(s);
	default: return check_data(s, i);
	}
}

typedef const char *(*state_check_fn)(const struct vmx_guest_state *s);

static const state_check_fn state_checks[] = {
	check_cr0, check_cr4, check_efer, check_rflags, check_misc,
};

const char *vmx_guest_state_check(const struct vmx_guest_state *s, char *buf, unsigned int len)
{
	const char *why;

	for (size_t i = 0; i < sizeof(state_checks) / sizeof(state_checks[0]); i++) {
		why = state_checks[i](s);
		if (why) {
			hv_snprintf(buf, len, "%s", why);
			return buf;
		}
	}
	for (int i = 0; i < VMX_SEG_COUNT; i++) {
		why = check_seg(s, i);
		if (why) {
			hv_snprintf(buf, len, "%s: %s", seg_names[i], why);
			return buf;
		}
	}
	return NULL;
}
