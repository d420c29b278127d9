/* SPDX-License-Identifier: MIT */
/* Leaves the emulator with a status (QEMU isa-debug-exit, Bochs shutdown port) or halts. */
#include "arch/x86/platform.h"

#include "arch/x86/cpu.h"
#include "vmm/log.h"

#define QEMU_DEBUG_EXIT_PORT	0xf4	/* -device isa-debug-exit,iobase=0xf4,iosize=4 */
#define BOCHS_SHUTDOWN_PORT	0x8900

bool exit_on_done;

void hv_exit(enum hv_exit_status status)
{
	static const char shutdown[] = "Shutdown";

	pr_info("hv: exit status=%d", (int)status);
	if (!exit_on_done) {
		pr_info("hv: halted");
		cpu_halt_forever();
	}
	/* QEMU exits with (status << 1) | 1; Bochs ignores the port. */
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)status);
	for (const char *p = shutdown; *p; p++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
	pr_info("hv: halted");
	cpu_halt_forever();
}
