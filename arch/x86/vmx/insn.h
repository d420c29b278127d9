/* SPDX-License-Identifier: MIT */
/* The VMX back end's inline assembly: VMX instructions with their error returns. */
#ifndef ARCH_X86_VMX_INSN_H
#define ARCH_X86_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/vmx/vmcs.h"

/*
 * VMX instructions report through RFLAGS (SDM 3C 31.2): CF=1 VMfailInvalid (no current
 * VMCS), ZF=1 VMfailValid (reason in the VM-instruction error field 0x4400).
 */
enum vmx_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID = 1,
	VMX_FAIL_VALID = 2,
};

static inline int vmx_status(bool cf, bool zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

__attribute__((warn_unused_result)) static inline int vmxon(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

__attribute__((warn_unused_result)) static inline int vmclear(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

__attribute__((warn_unused_result)) static inline int vmptrld(uint64_t pa)
{
	bool cf, zf;

	__asm__ volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return vmx_status(cf, zf);
}

__attribute__((warn_unused_result)) static inline int vmread_safe(uint64_t field, uint64_t *val)
{
	bool cf, zf;
	uint64_t v;

	__asm__ volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=r"(v) : "r"(field));
	*val = v;
	return vmx_status(cf, zf);
}

/* Not warn_unused_result: on the exit path the VMCS is known good and errors are
 * dropped; vcpu_init collects them. */
static inline int vmwrite_raw(uint64_t field, uint64_t val)
{
	bool cf, zf;

	__asm__ volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf) : "r"(field), "r"(val)
			 : "memory");
	return vmx_status(cf, zf);
}

/*
 * For fields the current VMCS is known to have, on the exit path: no status decoding
 * (a failed VMREAD leaves its destination alone, so the result is then 0).
 */
static inline uint64_t vmread_raw(uint64_t field)
{
	uint64_t v = 0;

	__asm__ volatile("vmread %1, %0" : "+r"(v) : "r"(field) : "cc");
	return v;
}

/*
 * Right after an exit the VMCS is current and every field the back end reads exists:
 * neither a status nor a default is needed (vmread_raw() keeps 0 for dumps).
 */
static inline uint64_t vmread_live(uint64_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

/*
 * VM entry (entry.S): VMLAUNCH, or VMRESUME once launched, with every guest GPR but RSP
 * from gpr[]; at the next exit they are saved there and HOST_RIP, vmx_exit_landing,
 * returns 0. VMX_FAIL_INVALID / VMX_FAIL_VALID when the instruction itself failed.
 *
 * Of the callee-saved registers the entry code keeps RBX, R12 and RBP; R13-R15 are
 * clobbered, as the compiler is told here, so that they are saved once, in the
 * caller's prologue, not twice (no red zone in this kernel: a call from inline
 * assembly is safe).
 */
void vmx_exit_landing(void);

static inline int vmx_enter(uint64_t *gpr, bool launched)
{
	uint64_t resume = launched;
	int status;

	__asm__ volatile("call vmx_enter_asm"
			 : "=a"(status), "+D"(gpr), "+S"(resume)
			 :
			 : "rcx", "rdx", "r8", "r9", "r10", "r11", "r13", "r14", "r15", "cc",
			   "memory");
	return status;
}

/* INVEPT/INVVPID types, SDM 3C 31.3. */
#define INVEPT_SINGLE		1
#define INVEPT_ALL		2
#define INVVPID_SINGLE		1
#define INVVPID_ALL		2

__attribute__((warn_unused_result)) static inline int invept(uint64_t type, uint64_t eptp)
{
	struct { uint64_t eptp, rsvd; } desc = { eptp, 0 };
	bool cf, zf;

	__asm__ volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(desc), "r"(type)
			 : "memory");
	return vmx_status(cf, zf);
}

__attribute__((warn_unused_result)) static inline int invvpid(uint64_t type, uint16_t vpid)
{
	struct { uint64_t vpid, gla; } desc = { vpid, 0 };
	bool cf, zf;

	__asm__ volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(desc), "r"(type)
			 : "memory");
	return vmx_status(cf, zf);
}

/*
 * Width-checked VMCS accessors: the field's width comes from its encoding (SDM 3D
 * app. B), so a 32-bit access to a natural-width field fails to compile.
 */
#define VMCS_CHECK_WIDTH(f, w) \
	_Static_assert(VMCS_FIELD_WIDTH(f) == (w), #f ": accessor width differs from encoding")

#define vmcs_write16(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_W16); vmwrite_raw((f), (uint16_t)(v)); })
#define vmcs_write32(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_W32); vmwrite_raw((f), (uint32_t)(v)); })
#define vmcs_write64(f, v)  ({ VMCS_CHECK_WIDTH(f, VMCS_W64); vmwrite_raw((f), (uint64_t)(v)); })
#define vmcs_writenat(f, v) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); vmwrite_raw((f), (uint64_t)(v)); })

#define vmcs_read16(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_W16); (uint16_t)vmread_raw(f); })
#define vmcs_read32(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_W32); (uint32_t)vmread_raw(f); })
#define vmcs_read64(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_W64); vmread_raw(f); })
#define vmcs_readnat(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); vmread_raw(f); })

#define vmcs_live32(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_W32); (uint32_t)vmread_live(f); })
#define vmcs_live64(f)  ({ VMCS_CHECK_WIDTH(f, VMCS_W64); vmread_live(f); })
#define vmcs_livenat(f) ({ VMCS_CHECK_WIDTH(f, VMCS_WNAT); vmread_live(f); })

/* Descriptor-table registers and XCR0, for host state and the guest's XCR0. */
struct vmx_dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static inline uint64_t vmx_sgdt_base(void)
{
	struct vmx_dtr d;

	__asm__ volatile("sgdt %0" : "=m"(d));
	return d.base;
}

static inline uint64_t vmx_sidt_base(void)
{
	struct vmx_dtr d;

	__asm__ volatile("sidt %0" : "=m"(d));
	return d.base;
}

static inline uint64_t vmx_xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void vmx_xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#endif
