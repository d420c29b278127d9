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
	HC_TIMER_ONESHOT = 3,	/* (tsc_deadline, vector): inject vector at the deadline; 0 cancels */
	HC_TSC_HZ = 4,		/* () -> TSC frequency in Hz (positive) */
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
