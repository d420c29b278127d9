/* SPDX-License-Identifier: MIT */
/* Pure VMX helpers: MSR and I/O bitmaps, control adjustment, CR masks, guest-state checks. */
#ifndef ARCH_X86_VMX_MAPS_H
#define ARCH_X86_VMX_MAPS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * MSR bitmap, SDM 3C 25.6.9: one 4 KiB page, four 1 KiB quarters (read-low 0x000,
 * read-high 0x400, write-low 0x800, write-high 0xc00), one bit per MSR for
 * 0..0x1fff (low) and 0xc0000000..0xc0001fff (high). A set bit makes the access exit;
 * MSRs outside both ranges always exit.
 */
#define VMX_MSR_BITMAP_SIZE	4096u

/* Byte offset and bit of msr's read (or write) bit; false when msr has none. */
bool vmx_msr_bitmap_pos(uint32_t msr, bool write, uint32_t *byte, uint8_t *bit);
/* Sets (intercept) or clears (pass through) both the read and write bits of msr. */
bool vmx_msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool intercept);
/* True when the bitmap makes a read (or write) of msr exit. */
bool vmx_msr_intercepted(const uint8_t *bitmap, uint32_t msr, bool write);

/*
 * I/O bitmaps A (ports 0..0x7fff) and B (0x8000..0xffff), SDM 3C 25.6.4: one 4 KiB
 * page each, one bit per port; a set bit makes the access exit.
 */
#define VMX_IO_BITMAP_SIZE	4096u

/* Which bitmap (0 = A, 1 = B), byte offset in it, and bit of port. */
void vmx_io_bitmap_pos(uint16_t port, unsigned int *which, uint32_t *byte, uint8_t *bit);
void vmx_io_bitmap_set(uint8_t *a, uint8_t *b, uint16_t port, bool intercept);
bool vmx_io_intercepted(const uint8_t *a, const uint8_t *b, uint16_t port);

/*
 * A control value made legal for a capability MSR whose low half is the allowed-0
 * settings (bits that must be 1) and high half the allowed-1 settings (bits that may
 * be 1), SDM 3D app. A.3: (value | allowed0) & allowed1.
 */
uint32_t vmx_adjust(uint32_t value, uint64_t cap);
/* True when value is one the capability MSR allows (the check behind VM-instruction
 * error 7, SDM 3C 27.2.1.1). */
bool vmx_ctl_allowed(uint32_t value, uint64_t cap);

/* CR0/CR4 forced to IA32_VMX_CRn_FIXED0 (must be 1) and FIXED1 (may be 1), app. A.7/A.8. */
static inline uint64_t vmx_cr_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1)
{
	return (value | fixed0) & fixed1;
}

/* Bits the host must own: those fixed to 1 or to 0, less those the guest may own. */
static inline uint64_t vmx_cr_fixed_mask(uint64_t fixed0, uint64_t fixed1, uint64_t guest_owned)
{
	return (fixed0 | ~fixed1) & ~guest_owned;
}

/* What the guest reads from a CR: its own bits, and the shadow where the host owns it. */
static inline uint64_t vmx_cr_visible(uint64_t cr, uint64_t shadow, uint64_t mask)
{
	return (cr & ~mask) | (shadow & mask);
}

/* One segment register as the VMCS holds it. */
struct vmx_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

enum vmx_seg_index {
	VMX_SEG_ES, VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_FS, VMX_SEG_GS,
	VMX_SEG_LDTR, VMX_SEG_TR, VMX_SEG_COUNT
};

/* The guest state and controls that VM entry checks most often trip on. */
struct vmx_guest_state {
	uint64_t cr0, cr4, dr7, rflags, efer, link;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t entry_ctls, proc2_ctls;	/* proc2 as in effect (0 without secondary) */
	uint32_t activity, interruptibility;
	struct vmx_seg seg[VMX_SEG_COUNT];
};

/*
 * Software replay of the usual VM-entry guest-state checks (SDM 3C 27.3.1): returns
 * NULL if none fails, else a line naming the offending field and the rule (static text
 * plus the segment name).
 */
const char *vmx_guest_state_check(const struct vmx_guest_state *s, char *buf, unsigned int len);

#endif
