/* SPDX-License-Identifier: MIT */
/* The hypercall ABI: how a partition calls the hypervisor (docs/abi.md). */
#ifndef ABI_HYPERCALL_H
#define ABI_HYPERCALL_H

#include <stdint.h>

#include "include/abi/hv_errno.h"

/*
 * CPUID leaf 0x40000000 returns the highest hypervisor leaf in EAX and the signature
 * in EBX, ECX, EDX; leaf 0x40000001 returns the ABI version in EAX, the guest-physical
 * address of the start-info page in EBX (0 when the partition has none) and that of
 * the event-channel page in ECX (include/abi/startinfo.h, evtchn.h).
 */
#define HV_CPUID_BASE		0x40000000u
#define HV_CPUID_VERSION	0x40000001u
#define HV_CPUID_MAX		HV_CPUID_VERSION
#define HV_SIGNATURE_EBX	0x74726150u	/* "Part" */
#define HV_SIGNATURE_ECX	0x6f697469u	/* "itio" */
#define HV_SIGNATURE_EDX	0x7079486eu	/* "nHyp": "PartitionHyp" */
#define HV_ABI_VERSION		1u

/*
 * Calling convention: VMCALL on Intel, VMMCALL on AMD (the other one raises #UD, as on
 * bare hardware). RAX = call number, arguments in RDI, RSI, RDX, R10, R8; the result
 * (0 or a negative enum hv_errno) comes back in RAX; every other register is preserved.
 * Guest pointers are guest-physical addresses inside the caller's own memory.
 */
enum hv_hypercall {
	HC_VERSION = 0,		/* () -> HV_ABI_VERSION */
	HC_CONSOLE_WRITE = 1,	/* (gpa, len): len <= HC_CONSOLE_MAX bytes to the console */
	HC_EXIT = 2,		/* (status): this partition stops; does not return */
	/*
	 * (tsc_deadline, vector): at the deadline, inject vector (32-255), or with vector 0
	 * raise this vCPU's timer event port EVTCHN_PORT_TIMER(vcpu) (include/abi/evtchn.h;
	 * -HV_ENOSYS without event channels). Deadline 0 cancels. One timer per vCPU: a new
	 * call replaces the last.
	 */
	HC_TIMER_ONESHOT = 3,
	HC_TSC_HZ = 4,		/* () -> TSC frequency in Hz (positive) */
	/*
	 * (vcpu, rip, arg): start secondary vCPU vcpu (1 .. nvcpus-1 of the start info) like
	 * vCPU 0 starts, in 32-bit protected mode with paging off, at guest-physical rip,
	 * with EAX = HV_VCPU_UP_MAGIC, EBX = arg (< 2^32), ECX = vcpu. It runs on its own
	 * CPU from the manifest, shortly after. -HV_EINVAL (vcpu 0 or out of range, rip
	 * outside memory, arg too wide), -HV_EEXIST (already up or starting), -HV_EBUSY (the
	 * partition is stopping), -HV_ENOSYS (no manifest). Any vCPU's HC_EXIT or crash
	 * ends the whole partition; a restart brings only vCPU 0 back.
	 */
	HC_VCPU_UP = 5,
	/*
	 * (bdf, index): routes interrupt index of a PCI function this partition owns to a new
	 * event port of its own (EVTCHN_PORT_DEV_FIRST..LAST, notifying vCPU 0) -> the port.
	 * The hypervisor picks the host vector and CPU and programs the device itself: MSI-X
	 * entry index (the table's page is taken out of the partition's BAR mapping), else
	 * MSI (index 0), else a compatibility-mode IDE channel's ISA IRQ (index 0 primary,
	 * 1 secondary); the MSI/MSI-X capability then reads but ignores the partition's
	 * writes. Calling again for the same interrupt programs it again and returns the
	 * same port. -HV_EPERM (not its device), -HV_EINVAL (index), -HV_E2BIG (no port or
	 * vector left), -HV_ENOTSUP (no way to route it), -HV_ENOSYS (no manifest).
	 */
	HC_DEV_IRQ = 6,
	/* Event channels (include/abi/evtchn.h, docs/evtchn.md). */
	HC_EVTCHN_SEND = 16,	/* (port): notify the peer of a channel port -> 0 */
	HC_EVTCHN_UNMASK = 17,	/* (port): clear the mask bit; upcall if pending -> 0 */
	HC_EVTCHN_STATUS = 18,	/* (port) -> EVTCHN_STATUS_* encoding (>= 0) */
	HC_EVTCHN_UPCALL = 19,	/* (vector): this vCPU's upcall vector, 0 = none -> 0 */
	/*
	 * Service partition only: -HV_EPERM from anyone else. STOP/START/RESTART ask the
	 * child's CPU, which carries the change out shortly (HC_PART_LIST shows it done);
	 * errors: -HV_EINVAL (itself, no such id), -HV_EBUSY (a change under way),
	 * -HV_EEXIST (already stopped / already running), -HV_EIO (never set up).
	 */
	HC_PART_LIST = 32,	/* (gpa, max): up to max struct hv_part_status -> count */
	HC_PART_STOP = 33,	/* (id): stop a running child -> 0 */
	HC_PART_START = 34,	/* (id): start a stopped or exited child from its image -> 0 */
	HC_PART_RESTART = 35,	/* (id): stop it if running, then start -> 0 */
	HC_COUNT
};

#define HV_VCPU_UP_MAGIC	0x50435648u	/* "HVCP": EAX of a secondary vCPU's entry */

/* HC_PART_LIST entries. */
enum hv_part_state {
	HV_PART_RUNNING = 1,
	HV_PART_EXITED = 2,	/* it called HC_EXIT */
	HV_PART_STOPPED = 3,	/* stopped by the hypervisor or the service partition */
};

struct hv_part_status {
	uint32_t id;
	uint32_t state;		/* enum hv_part_state */
	uint32_t role;		/* HV_ROLE_* (include/abi/startinfo.h) */
	uint32_t restarts;	/* times started again, by its policy or the service */
	int32_t exit_status;
	uint32_t rsvd_0x14;
	char name[32];
};
_Static_assert(sizeof(struct hv_part_status) == 56, "HC_PART_LIST entry layout");

#define HC_CONSOLE_MAX		4096u

#endif
