/* SPDX-License-Identifier: MIT */
/* Host tests of hypercall dispatch and argument checking (vmm/hypercall.c, guest_ptr). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hypercall.h"
#include "vmm/exit.h"
#include "vmm/guest.h"
#include "vmm/log.h"
#include "vmm/partition.h"

#define MEM	(1u << 20)

/* ---- the few hypervisor functions hypercall.c reaches, recorded ---- */

enum log_level log_threshold = LOG_INFO;
static char last_line[512];
static int exit_status = -1000;
static uint64_t last_port;

void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_line, sizeof(last_line), fmt, ap);
	va_end(ap);
}

uint64_t tsc_hz(void)
{
	return 2000000000ull;
}

void vcpu_exit_guest(struct vcpu *v, int status)
{
	exit_status = status;
	v->state = VCPU_STOPPED;
}

int64_t partition_evtchn_send(struct vcpu *v, uint64_t port)
{
	last_port = port;
	return 0;
}

int64_t partition_evtchn_unmask(struct vcpu *v, uint64_t port)
{
	last_port = port;
	return 0;
}

int64_t partition_evtchn_status(struct vcpu *v, uint64_t port)
{
	last_port = port;
	return 0;
}

int64_t partition_evtchn_upcall(struct vcpu *v, uint64_t vector)
{
	last_port = vector;
	return 0;
}

int64_t partition_list(struct vcpu *v, uint64_t gpa, uint64_t max)
{
	return -HV_EPERM;
}

/* The hypervisor's locked console is the plain one here: one thread. */
void guest_console_out(struct guest *gu, const char *s, uint64_t len)
{
	guest_console(gu, s, len);
}

int64_t partition_dev_irq(struct vcpu *v, uint64_t bdf, uint64_t index)
{
	return bdf == 0x1234 && index == (1ull << 40) ? 77 : -HV_EPERM;
}

static uint64_t last_up[3];

int64_t partition_vcpu_up(struct vcpu *v, uint64_t index, uint64_t rip, uint64_t arg)
{
	last_up[0] = index;
	last_up[1] = rip;
	last_up[2] = arg;
	return -HV_EINVAL;
}

/* The life-cycle calls (vmm/lifecycle.c): which one, with which id. */
static uint64_t last_life_nr, last_life_id;

static int64_t life_call(uint64_t nr, uint64_t id)
{
	last_life_nr = nr;
	last_life_id = id;
	return -HV_EPERM;
}

int64_t partition_stop(struct vcpu *v, uint64_t id)
{
	return life_call(HC_PART_STOP, id);
}

int64_t partition_start(struct vcpu *v, uint64_t id)
{
	return life_call(HC_PART_START, id);
}

int64_t partition_restart(struct vcpu *v, uint64_t id)
{
	return life_call(HC_PART_RESTART, id);
}

/* ---- a guest whose memory is a host buffer ---- */

static struct guest g;
static uint8_t *mem;

static int setup(void **state)
{
	mem = calloc(1, MEM);
	memset(&g, 0, sizeof(g));
	strcpy(g.name, "t");
	g.mem_hpa = (uint64_t)(uintptr_t)mem;
	g.mem.size = MEM;
	g.vcpus[0].guest = &g;
	return 0;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

static int64_t call(uint64_t nr, uint64_t a0, uint64_t a1)
{
	struct exit_info ei = { .kind = EXIT_HYPERCALL, .insn_len = 3 };
	uint64_t rip = g.vcpus[0].rip;

	g.vcpus[0].gpr[GPR_RAX] = nr;
	g.vcpus[0].gpr[GPR_RDI] = a0;
	g.vcpus[0].gpr[GPR_RSI] = a1;
	g.vcpus[0].gpr[GPR_RBX] = 0x1234;
	handle_hypercall(&g.vcpus[0], &ei);
	assert_int_equal(g.vcpus[0].rip, rip + 3);			/* always skipped */
	assert_int_equal(g.vcpus[0].gpr[GPR_RBX], 0x1234);		/* preserved */
	assert_int_equal(g.vcpus[0].gpr[GPR_RDI], a0);
	return (int64_t)g.vcpus[0].gpr[GPR_RAX];
}

static void test_numbers(void **state)
{
	assert_int_equal(call(HC_VERSION, 0, 0), HV_ABI_VERSION);
	assert_int_equal(call(HC_TSC_HZ, 0, 0), 2000000000);
	assert_int_equal(call(HC_COUNT, 0, 0), -HV_ENOSYS);
	assert_int_equal(call(7, 0, 0), -HV_ENOSYS);		/* a hole in the table */
	assert_int_equal(call(~0ull, 0, 0), -HV_ENOSYS);
	assert_int_equal(call(1ull << 32, 0, 0), -HV_ENOSYS);	/* not truncated to 0 */
}

static void test_console_pointers(void **state)
{
	memcpy(mem + 0x1000, "hello\n", 6);
	assert_int_equal(call(HC_CONSOLE_WRITE, 0x1000, 6), 0);
	assert_string_equal(last_line, "[t] hello");
	/* The last byte of memory is fine; one more is not. */
	mem[MEM - 1] = '\n';
	assert_int_equal(call(HC_CONSOLE_WRITE, MEM - 1, 1), 0);
	assert_int_equal(call(HC_CONSOLE_WRITE, MEM - 1, 2), -HV_EFAULT);
	assert_int_equal(call(HC_CONSOLE_WRITE, MEM, 1), -HV_EFAULT);
	/* Wrapping lengths and addresses. */
	assert_int_equal(call(HC_CONSOLE_WRITE, ~0ull, 2), -HV_EFAULT);
	assert_int_equal(call(HC_CONSOLE_WRITE, ~0ull - 0xfff, 0x1000), -HV_EFAULT);
	assert_int_equal(call(HC_CONSOLE_WRITE, 0x1000, ~0ull), -HV_EINVAL);
	assert_int_equal(call(HC_CONSOLE_WRITE, 0, HC_CONSOLE_MAX + 1), -HV_EINVAL);
	assert_int_equal(call(HC_CONSOLE_WRITE, 0, HC_CONSOLE_MAX), 0);
}

static void test_guest_ptr(void **state)
{
	assert_non_null(guest_ptr(&g, 0, MEM));
	assert_null(guest_ptr(&g, 1, MEM));
	assert_null(guest_ptr(&g, MEM + 1, 0));
	assert_null(guest_ptr(&g, 8, ~0ull - 4));
	assert_ptr_equal(guest_ptr(&g, 0x10, 4), mem + 0x10);
}

static void test_timer_args(void **state)
{
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 31), -HV_EINVAL);
	assert_int_equal(g.vcpus[0].timer_deadline, 0);		/* nothing changed */
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 256), -HV_EINVAL);
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 0x130), -HV_EINVAL);
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 32), 0);
	assert_int_equal(g.vcpus[0].timer_deadline, 1000);
	assert_int_equal(g.vcpus[0].timer_vector, 32);
	assert_int_equal(call(HC_TIMER_ONESHOT, 0, 7), 0);	/* cancel: vector ignored */
	assert_int_equal(g.vcpus[0].timer_deadline, 0);	/* Vector 0 is the timer event port: only with event channels (a manifest). */
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 0), -HV_ENOSYS);
	assert_int_equal(g.vcpus[0].timer_deadline, 0);
	g.managed = true;
	assert_int_equal(call(HC_TIMER_ONESHOT, 1000, 0), 0);
	assert_int_equal(g.vcpus[0].timer_deadline, 1000);
	assert_int_equal(g.vcpus[0].timer_vector, 0);
	g.managed = false;
}

static void test_vcpu_up_args_passed_whole(void **state)
{
	assert_int_equal(call(HC_DEV_IRQ, 0x1234, 1ull << 40), 77);
	assert_int_equal(call(HC_DEV_IRQ, 0x1234, 0), -HV_EPERM);
	assert_int_equal(call(HC_VCPU_UP, (1ull << 32) + 1, 0x100000), -HV_EINVAL);
	assert_int_equal(last_up[0], (1ull << 32) + 1);
	assert_int_equal(last_up[1], 0x100000);
}

static void test_event_args_passed_whole(void **state)
{
	/* The 64-bit argument reaches the event layer untruncated, so 2^32 + 64 is not 64. */
	assert_int_equal(call(HC_EVTCHN_SEND, (1ull << 32) + 64, 0), 0);
	assert_int_equal(last_port, (1ull << 32) + 64);
	assert_int_equal(call(HC_PART_LIST, 0, 1), -HV_EPERM);
	/* HC_PART_STOP/START/RESTART reach their own handler, the id whole. */
	for (uint64_t nr = HC_PART_STOP; nr <= HC_PART_RESTART; nr++) {
		assert_int_equal(call(nr, (1ull << 32) + 2, 0), -HV_EPERM);
		assert_int_equal(last_life_nr, nr);
		assert_int_equal(last_life_id, (1ull << 32) + 2);
	}
}

static void test_exit(void **state)
{
	struct exit_info ei = { .kind = EXIT_HYPERCALL, .insn_len = 3 };

	g.vcpus[0].gpr[GPR_RAX] = HC_EXIT;
	g.vcpus[0].gpr[GPR_RDI] = 7;
	assert_int_equal(handle_hypercall(&g.vcpus[0], &ei), 1);	/* stopped: leave the loop */
	assert_int_equal(exit_status, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_ptr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_up_args_passed_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_args_passed_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
