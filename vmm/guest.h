/* SPDX-License-Identifier: MIT */
/* A guest: its memory, nested page tables, its vCPUs, and how it ended. */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/spinlock.h"
#include "boot/multiboot.h"
#include "vmm/pt.h"
#include "vmm/vcpu.h"

#define GUEST_NAME_MAX		32
#define GUEST_MAX		8
#define GUEST_VCPUS_MAX		8	/* MANIFEST_MAX_VCPUS */
#define GUEST_DEFAULT_MIB	16
#define GUEST_CONSOLE_LINE	160
/* Guest-physical page holding the multiboot information the guest starts with. */
#define GUEST_BOOTINFO_GPA	0x8000ull
/* [GUEST_BOOTINFO_GPA, GUEST_RESERVED_END): boot info, event page, start info. */
#define GUEST_RESERVED_END	0x10000ull

enum guest_state {
	GUEST_CREATED,
	GUEST_RUNNING,
	GUEST_EXITED,	/* it called HC_EXIT */
	GUEST_STOPPED,	/* the hypervisor stopped it */
};

/* What happens when a partition ends on its own (the manifest's `restart`). */
enum guest_restart {
	GUEST_RESTART_NEVER,
	GUEST_RESTART_ALWAYS,
	GUEST_RESTART_ON_FAILURE,	/* unless it exited with status 0 */
};

#define GUEST_WHY_MAX	96

struct guest {
	char name[GUEST_NAME_MAX];
	unsigned int id;		/* partition number: manifest order */
	unsigned int role;		/* enum hv_role */
	enum guest_state state;
	int exit_status;
	unsigned int restarts;		/* times started again, by its policy or the service */
	unsigned int auto_restarts;	/* of those, by its policy: capped (vmm/lifecycle.c) */
	enum guest_restart restart;
	bool managed;			/* from the manifest: start info, event channels */
	/*
	 * Life cycle (vmm/lifecycle.c). life: LIFE_* requests for its CPU, set by any CPU,
	 * taken by its own. live: counted among the partitions that keep the system up.
	 * queued: its vCPU is in its CPU's scheduler queue. why: why it last stopped.
	 */
	uint32_t life;
	uint32_t life_flags;		/* its CPU's own: a restart delayed until restart_at */
	uint64_t restart_at;		/* TSC */
	bool live;
	bool queued;
	char why[GUEST_WHY_MAX];
	/* Its ELF image (a GRUB module, kept for the whole run) and boot command line. */
	uint64_t image_start, image_end;
	const char *cmdline;		/* must outlive the guest: NULL means its name */
	unsigned int cpu;		/* home CPU: vCPU 0's, where its life cycle runs */
	uint64_t mem_hpa;		/* host-physical base of its contiguous memory */
	struct guest_mem mem;		/* size and nested table root */
	uint64_t entry;
	/*
	 * vcpus[0] starts at the multiboot entry; the others are down (VCPU_STOPPED, not
	 * queued) until vCPU 0 brings them up with HC_VCPU_UP, each on its own CPU.
	 * stopping: set when any vCPU ends the partition; every other vCPU stops at its
	 * next entry (vmm/lifecycle.c).
	 */
	unsigned int nvcpus;
	bool stopping;
	struct vcpu vcpus[GUEST_VCPUS_MAX];
	/* Console output collected until a newline (HC_CONSOLE_WRITE, port 0xE9), from
	 * any of its vCPUs: console_lock serialises them (guest_console_out). */
	struct spinlock console_lock;
	char line[GUEST_CONSOLE_LINE];
	unsigned int line_len;
	uint64_t io_denied;		/* denied port accesses, for the exit report */
};

/* One guest request from the command line: guests=NAME@CPU[/MIB],... */
struct guest_spec {
	char name[GUEST_NAME_MAX];
	unsigned int cpu;
	unsigned int mem_mib;
	const char *cmdline;	/* NULL: the guest's name */
	/* From a manifest: vCPUs (0 means 1) and the CPU of each vCPU after the first. */
	unsigned int nvcpus;
	unsigned int vcpu_cpu[GUEST_VCPUS_MAX];
};

/* Parses the guests= option; returns the count or -HV_EINVAL / -HV_E2BIG. */
int guest_parse_specs(const char *s, struct guest_spec *out, unsigned int max)
	__attribute__((warn_unused_result));

/* Builds a guest from module mod (an ELF image): memory, nested tables, boot info. */
int guest_create(struct guest *g, const struct guest_spec *spec, const struct boot_module *mod,
		 const struct vcpu_ops *ops) __attribute__((warn_unused_result));

/*
 * Puts g back to its state before its first instruction, for a restart: memory zeroed,
 * the ELF image loaded again, fresh boot information and vCPU registers (its vendor
 * words and FPU area are kept for the back end to reuse). g's vCPU must not be running.
 */
int guest_reload(struct guest *g) __attribute__((warn_unused_result));

/*
 * vCPU i of g in a start state: 32-bit protected mode at rip with rax, rbx, rcx (the
 * back end's vcpu_init does the rest); its CPU, scheduler state, bring-up request,
 * back-end words and FPU area are kept. It must not be running.
 */
void guest_vcpu_reset(struct guest *g, unsigned int i, uint64_t rip, uint64_t rax,
		      uint64_t rbx, uint64_t rcx);

/* Writes the multiboot(1) information for a guest of mem_size bytes into its memory. */
void guest_write_bootinfo(uint8_t *mem, uint64_t mem_size, const char *cmdline);

/* Maps host memory [hpa, hpa+size) at gpa in g's nested tables, read/write, no execute. */
int guest_map_window(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t size)
	__attribute__((warn_unused_result));

/* Each leaf of g's nested tables (gpa, hpa, size, perm), for audits (vmm/pt.h). */
int guest_walk(const struct guest *g, pt_leaf_fn fn, void *ctx);

/* Unmaps [gpa, gpa+size) from g's nested tables; each vCPU of g flushes its cached
 * translations before its next entry. -HV_EINVAL if it would split a large page. */
int guest_unmap(struct guest *g, uint64_t gpa, uint64_t size) __attribute__((warn_unused_result));

/* Whether any page of [gpa, gpa+size) is mapped in g's nested tables. */
bool guest_gpa_used(const struct guest *g, uint64_t gpa, uint64_t size);

/* The same for a device's registers: uncached, never executable. */
int guest_map_mmio(struct guest *g, uint64_t gpa, uint64_t hpa, uint64_t size)
	__attribute__((warn_unused_result));

/* Host pointer to [gpa, gpa+len) of g's memory, or NULL if outside it. */
void *guest_ptr(const struct guest *g, uint64_t gpa, uint64_t len);

/* Appends console bytes; complete lines are logged as "[name] text". */
void guest_console(struct guest *g, const char *s, uint64_t len);
/* The same under g's console lock, for the hypervisor (any vCPU of g may write). */
void guest_console_out(struct guest *g, const char *s, uint64_t len);

#endif
