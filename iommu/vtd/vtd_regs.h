/* SPDX-License-Identifier: MIT */
/* VT-d remapping unit registers (Intel VT-d spec rev 4.1, chapter 11) and their access. */
#ifndef IOMMU_VTD_VTD_REGS_H
#define IOMMU_VTD_VTD_REGS_H

#include <stdint.h>

#include "arch/x86/cpu.h"

/* Register offsets, sec. 11.4 table 11-4; bits indented below their register. */
#define VTD_VER		0x00	/* 11.4.1: 32-bit */
#define VTD_CAP		0x08	/* 11.4.2 */
#define  VTD_CAP_ND(c)		((unsigned int)(c) & 7)		/* 2^(4+2*ND) domain ids */
#define  VTD_CAP_RWBF		(1ull << 4)	/* write-buffer flush required */
#define  VTD_CAP_CM		(1ull << 7)	/* caching mode: not-present entries cached */
#define  VTD_CAP_SAGAW(c)	((unsigned int)((c) >> 8) & 0x1f)
#define   VTD_SAGAW_39		(1u << 1)	/* 3-level tables */
#define   VTD_SAGAW_48		(1u << 2)	/* 4-level tables */
#define  VTD_CAP_MGAW(c)	((unsigned int)((c) >> 16) & 0x3f)	/* width - 1 */
#define  VTD_CAP_FRO(c)		((unsigned int)((c) >> 24) & 0x3ff)	/* x16 bytes */
#define  VTD_CAP_SLLPS(c)	((unsigned int)((c) >> 34) & 0xf)
#define   VTD_SLLPS_2M		(1u << 0)
#define   VTD_SLLPS_1G		(1u << 1)
#define  VTD_CAP_NFR(c)		((unsigned int)((c) >> 40) & 0xff)	/* records - 1 */
#define VTD_ECAP	0x10	/* 11.4.3 */
#define  VTD_ECAP_C		(1ull << 0)	/* page-walk coherency: no clflush needed */
#define  VTD_ECAP_IRO(e)	((unsigned int)((e) >> 8) & 0x3ff)	/* x16 bytes */
#define VTD_GCMD	0x18	/* 11.4.4: 32-bit, write-only */
#define VTD_GSTS	0x1c	/* 11.4.5: 32-bit; status bits at the command bits */
#define  VTD_GCMD_TE		(1u << 31)	/* translation enable / TES */
#define  VTD_GCMD_SRTP		(1u << 30)	/* set root table pointer / RTPS */
#define  VTD_GCMD_WBF		(1u << 27)	/* write buffer flush / WBFS */
/* 11.4.4 note: GSTS & 0x96ffffff drops the one-shot bits (SRTP, SFL, WBF, SIRTP). */
#define  VTD_GSTS_ONESHOT	0x69000000u
#define VTD_RTADDR	0x20	/* 11.4.6: bits 63:12 root table, 11:10 TTM = 00 legacy */
#define VTD_CCMD	0x28	/* 11.4.7.1 */
#define  VTD_CCMD_ICC		(1ull << 63)	/* invalidate; hardware clears when done */
#define  VTD_CCMD_CIRG(g)	((uint64_t)(g) << 61)
#define  VTD_CCMD_SID(s)	((uint64_t)(s) << 16)
#define  VTD_CCMD_DID(d)	((uint64_t)(d) & 0xffff)
#define VTD_HI32(bit)		((uint32_t)((bit) >> 32))	/* ICC, IVT in the high dword */
#define VTD_FSTS	0x34	/* 11.4.9.1: 32-bit */
#define  VTD_FSTS_PFO		(1u << 0)	/* primary fault overflow, RW1C */
#define  VTD_FSTS_PPF		(1u << 1)	/* primary pending fault, RO */
#define VTD_FECTL	0x38	/* 11.4.9.2: 32-bit */
#define  VTD_FECTL_IM		(1u << 31)	/* fault interrupts masked: faults are polled */

/* IOTLB registers at ECAP.IRO * 16, sec. 11.4.8: IVA at +0, IOTLB at +8. */
#define VTD_IOTLB	0x08
#define  VTD_IOTLB_IVT		(1ull << 63)	/* invalidate; hardware clears when done */
#define  VTD_IOTLB_IIRG(g)	((uint64_t)(g) << 60)
#define  VTD_IOTLB_DID(d)	((uint64_t)((d) & 0xffff) << 32)

/* Invalidation granularities: CCMD.CIRG and IOTLB.IIRG, 11.4.7.1 and 11.4.8.1. */
enum vtd_inv {
	VTD_INV_GLOBAL = 1,
	VTD_INV_DOMAIN = 2,
	VTD_INV_DEVICE = 3,	/* context cache only */
};

/*
 * Fault recording registers: CAP.NFR + 1 records of 16 bytes at CAP.FRO * 16 (11.4.10.1).
 * The F bit (127) is bit 31 of the record's last dword, cleared by writing 1 there.
 */
#define VTD_FRCD_SIZE		16
#define VTD_FRCD_F_DWORD	12
#define  VTD_FRCD_F32		(1u << 31)

#ifdef HOST_TEST
/* Host tests supply a fake register file (tests/unit/test_vtd_driver.c). */
uint32_t vtd_test_read32(uint64_t addr);
uint64_t vtd_test_read64(uint64_t addr);
void vtd_test_write32(uint64_t addr, uint32_t v);
void vtd_test_clflush(const void *p);
#define vtd_read32	vtd_test_read32
#define vtd_read64	vtd_test_read64
#define vtd_write32	vtd_test_write32
#define vtd_clflush	vtd_test_clflush
#else
#define vtd_read32	mmio_read32
#define vtd_read64	mmio_read64
#define vtd_write32	mmio_write32
#define vtd_clflush	clflush
#endif

/*
 * 64-bit registers written as two dwords, low then high (VT-d 10.2 allows it): the
 * command bits (ICC, IVT) are in the high dword, so the command starts complete.
 */
static inline void vtd_write64(uint64_t addr, uint64_t v)
{
	vtd_write32(addr, (uint32_t)v);
	vtd_write32(addr + 4, (uint32_t)(v >> 32));
}

#endif
