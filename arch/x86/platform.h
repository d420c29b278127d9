/* SPDX-License-Identifier: MIT */
/* Ending a run: the emulators' exit ports for tests, else halting. */
#ifndef ARCH_X86_PLATFORM_H
#define ARCH_X86_PLATFORM_H

#include <stdbool.h>

/* Exit statuses the test harness reads from the log (and QEMU's exit code). */
enum hv_exit_status {
	HV_EXIT_OK = 0,
	HV_EXIT_NO_VIRT = 2,
	HV_EXIT_BOOT_FAILED = 3,
	HV_EXIT_EXCEPTION = 4,
};

/* With exit_on_done, hv_exit() leaves the emulator; otherwise it halts. */
extern bool exit_on_done;

__attribute__((noreturn)) void hv_exit(enum hv_exit_status status);

#endif
