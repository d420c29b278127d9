/* SPDX-License-Identifier: MIT */
/* The hypercall table: check every argument, then act with code that cannot fail. */
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "include/abi/hypercall.h"
#include "vmm/exit.h"
#include "vmm/guest.h"
#include "vmm/partition.h"

#define FIRST_EXTERNAL_VECTOR	32

typedef int64_t (*hypercall_fn)(struct vcpu *v);

/* Argument n of a call, read in place from the guest's registers (docs/abi.md). */
static inline uint64_t arg(const struct vcpu *v, unsigned int n)
{
	static const uint8_t reg[] = { GPR_RDI, GPR_RSI, GPR_RDX, GPR_R10, GPR_R8 };

	return v->gpr[reg[n]];
}

static int64_t hc_version(struct vcpu *v)
{
	return HV_ABI_VERSION;
}

static int64_t hc_console_write(struct vcpu *v)
{
	const char *buf;

	if (arg(v, 1) > HC_CONSOLE_MAX)
		return -HV_EINVAL;
	buf = guest_ptr(v->guest, arg(v, 0), arg(v, 1));
	if (!buf)
		return -HV_EFAULT;
	guest_console_out(v->guest, buf, arg(v, 1));
	return 0;
}

static int64_t hc_exit(struct vcpu *v)
{
	vcpu_exit_guest(v, (int)arg(v, 0));
	return 0;
}

/* Vector 0: the deadline raises this vCPU's timer event port instead (docs/abi.md). */
static int64_t hc_timer_oneshot(struct vcpu *v)
{
	uint64_t vector = arg(v, 1);

	if (arg(v, 0) && vector && (vector < FIRST_EXTERNAL_VECTOR || vector > 255))
		return -HV_EINVAL;
	if (arg(v, 0) && !vector && !v->guest->managed)
		return -HV_ENOSYS;	/* no event channels without a manifest */
	v->timer_deadline = arg(v, 0);
	v->timer_vector = (uint8_t)arg(v, 1);
	return 0;
}

static int64_t hc_tsc_hz(struct vcpu *v)
{
	return (int64_t)tsc_hz();
}

static int64_t hc_vcpu_up(struct vcpu *v)
{
	return partition_vcpu_up(v, arg(v, 0), arg(v, 1), arg(v, 2));
}

static int64_t hc_dev_irq(struct vcpu *v)
{
	return partition_dev_irq(v, arg(v, 0), arg(v, 1));
}

static int64_t hc_evtchn_send(struct vcpu *v)
{
	return partition_evtchn_send(v, arg(v, 0));
}

static int64_t hc_evtchn_unmask(struct vcpu *v)
{
	return partition_evtchn_unmask(v, arg(v, 0));
}

static int64_t hc_evtchn_status(struct vcpu *v)
{
	return partition_evtchn_status(v, arg(v, 0));
}

static int64_t hc_evtchn_upcall(struct vcpu *v)
{
	return partition_evtchn_upcall(v, arg(v, 0));
}

static int64_t hc_part_list(struct vcpu *v)
{
	return partition_list(v, arg(v, 0), arg(v, 1));
}

static int64_t hc_part_stop(struct vcpu *v)
{
	return partition_stop(v, arg(v, 0));
}

static int64_t hc_part_start(struct vcpu *v)
{
	return partition_start(v, arg(v, 0));
}

static int64_t hc_part_restart(struct vcpu *v)
{
	return partition_restart(v, arg(v, 0));
}

static const hypercall_fn hypercalls[HC_COUNT] = {
	[HC_VERSION] = hc_version,
	[HC_CONSOLE_WRITE] = hc_console_write,
	[HC_EXIT] = hc_exit,
	[HC_TIMER_ONESHOT] = hc_timer_oneshot,
	[HC_TSC_HZ] = hc_tsc_hz,
	[HC_VCPU_UP] = hc_vcpu_up,
	[HC_DEV_IRQ] = hc_dev_irq,
	[HC_EVTCHN_SEND] = hc_evtchn_send,
	[HC_EVTCHN_UNMASK] = hc_evtchn_unmask,
	[HC_EVTCHN_STATUS] = hc_evtchn_status,
	[HC_EVTCHN_UPCALL] = hc_evtchn_upcall,
	[HC_PART_LIST] = hc_part_list,
	[HC_PART_STOP] = hc_part_stop,
	[HC_PART_START] = hc_part_start,
	[HC_PART_RESTART] = hc_part_restart,
};

int handle_hypercall(struct vcpu *v, const struct exit_info *ei)
{
	uint64_t nr = v->gpr[GPR_RAX];
	int64_t ret = -HV_ENOSYS;

	v->rip += ei->insn_len;
	if (__builtin_expect(nr < HC_COUNT && hypercalls[nr], 1))
		ret = hypercalls[nr](v);
	v->gpr[GPR_RAX] = (uint64_t)ret;
	return v->state == VCPU_STOPPED;
}
