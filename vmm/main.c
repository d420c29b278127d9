/* SPDX-License-Identifier: MIT */
/* Boot sequence of the boot CPU: from the multiboot hand-over to a machine fully known. */
#include <stdbool.h>

#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/pic.h"
#include "arch/x86/platform.h"
#include "arch/x86/serial.h"
#include "arch/x86/smp.h"
#include "arch/x86/tsc.h"
#include "arch/x86/virt.h"
#include "boot/multiboot.h"
#include "include/abi/hv_errno.h"
#include "arch/x86/ioapic.h"
#include "iommu/iommu.h"
#include "iommu/selftest.h"
#include "vmm/bench.h"
#include "vmm/crc32.h"
#include "vmm/log.h"
#include "vmm/mem.h"
#include "vmm/selftest.h"
#include "vmm/exit.h"
#include "vmm/partition.h"
#include "vmm/partition_dev.h"
#include "vmm/vcpu_run.h"

#define FOUR_GIB	0x100000000ull

void hv_main(uint32_t magic, uint32_t info_pa);

static struct boot_info boot;
static struct acpi acpi;
static struct acpi_madt_info madt;
/* Page 0 stays unmapped (NULL catches); its BIOS data (EBDA pointer) is read from a copy. */
static uint8_t page0_copy[4096];
static uint64_t phys_limit = FOUR_GIB;

static const void *direct_map(uint64_t pa, size_t len, void *ctx)
{
	if (pa + len > phys_limit || pa + len < pa)
		return 0;
	if (pa < sizeof(page0_copy))
		return pa + len <= sizeof(page0_copy) ? &page0_copy[pa] : 0;
	return (const void *)(uintptr_t)pa;
}

static const struct phys_access phys = { direct_map, 0 };

/* While the boot page tables still map page 0; the compiler must not see a NULL. */
static void copy_page0(void)
{
	uintptr_t base = 0;

	__asm__("" : "+r"(base));
	for (size_t i = 0; i < sizeof(page0_copy); i++)
		page0_copy[i] = ((volatile const uint8_t *)base)[i];
}

static void apply_options(void)
{
	char val[16];
	enum log_level lvl;

	exit_on_done = boot_cmdline_has(&boot, "exit");
	if (boot_cmdline_get(&boot, "loglevel", val, sizeof(val))) {
		if (log_level_parse(val, &lvl) == 0)
			log_threshold = lvl;
		else
			pr_warn("hv: unknown loglevel '%s' ignored", val);
	}
}

static void report_modules(void)
{
	for (size_t i = 0; i < boot.mod_count; i++) {
		const struct boot_module *m = &boot.mods[i];
		uint64_t size = m->end - m->start;

		pr_info("mod: name=%s start=0x%llx size=%llu crc32=0x%08x", m->name,
			(unsigned long long)m->start, (unsigned long long)size,
			crc32((const void *)(uintptr_t)m->start, (size_t)size));
	}
	if (!boot.mod_count)
		pr_info("mod: none");
}

static void acpi_print(void *ctx, const char *line)
{
	log_raw(line);
}

static int acpi_setup(void)
{
	int ret = -HV_ENOENT;

	if (boot.rsdp_len)
		ret = acpi_init_from_rsdp_copy(&acpi, &phys, boot.rsdp, boot.rsdp_len);
	if (ret)
		ret = acpi_init_from_bios_scan(&acpi, &phys);
	if (ret)
		return ret;
	pr_info("acpi: rsdp rev=%u oem=%s root=%s at 0x%llx tables=%u skipped=%u",
		acpi.revision, acpi.oem_id, acpi.xsdt ? "XSDT" : "RSDT",
		(unsigned long long)acpi.root_addr, acpi.ntables, acpi.nskipped);
	if (boot_cmdline_has(&boot, "acpidump") &&
	    acpi_dump(&acpi, boot.rsdp_len ? boot.rsdp : 0, boot.rsdp_len, acpi_print, 0))
		pr_warn("acpi: some tables could not be dumped");
	return 0;
}

static int madt_setup(void)
{
	const void *t;
	uint32_t len;
	int ret = acpi_find_table(&acpi, "APIC", 0, &t, &len, 0);

	if (!ret)
		ret = acpi_parse_madt(t, len, &madt);
	if (ret)
		return ret;
	pr_info("acpi: madt lapic=0x%llx cpus=%u unusable=%u ioapics=%u overrides=%u",
		(unsigned long long)madt.lapic_addr, madt.ncpus, madt.nunusable,
		madt.nioapics, madt.noverrides);
	for (unsigned int i = 0; i < madt.nioapics; i++)
		pr_info("acpi: ioapic id=%u addr=0x%x gsi_base=%u", madt.ioapics[i].id,
			madt.ioapics[i].addr, madt.ioapics[i].gsi_base);
	return 0;
}

static void mcfg_report(void)
{
	struct acpi_mcfg_info mcfg;
	const void *t;
	uint32_t len;
	int ret = acpi_find_table(&acpi, "MCFG", 0, &t, &len, 0);

	if (ret == -HV_ENOENT) {
		pr_info("acpi: no MCFG (no PCIe ECAM; legacy PCI configuration only)");
		return;
	}
	if (ret || (ret = acpi_parse_mcfg(t, len, &mcfg))) {
		pr_err("acpi: MCFG rejected (error %d)", ret);
		return;
	}
	for (unsigned int i = 0; i < mcfg.n; i++)
		pr_info("acpi: mcfg segment=%u base=0x%llx buses=%u-%u", mcfg.seg[i].segment,
			(unsigned long long)mcfg.seg[i].base, mcfg.seg[i].bus_start,
			mcfg.seg[i].bus_end);
}

static void audit_paging(void)
{
	uint64_t leaves, first_wx, size;
	unsigned int guards = 0, unmapped = 0;
	int wx = paging_audit(&leaves, &first_wx);

	for (unsigned int c = 0; c < cpu_count; c++) {
		const struct percpu *pc = &percpu_area[c];

		guards += 1 + IST_COUNT;
		unmapped += !paging_lookup(pc->stack.bottom - PAGE_SIZE, &size);
		for (int i = 1; i <= IST_COUNT; i++)
			unmapped += !paging_lookup(pc->ist[i].bottom - PAGE_SIZE, &size);
	}
	pr_info("paging: audit leaves=%llu wx=%d guard_pages=%u/%u unmapped null_page=%s",
		(unsigned long long)leaves, wx, unmapped, guards,
		paging_lookup(0, &size) ? "mapped" : "unmapped");
	if (wx)
		pr_err("paging: first writable+executable page at 0x%llx",
		       (unsigned long long)first_wx);
}

static void run_guests(enum virt_kind vk)
{
	const struct boot_module *mod = partition_find_module(&boot, "manifest");
	int n;

	/* The self-test leaves the IOMMU on with its own domains: no partitions after it. */
	if (boot_cmdline_has(&boot, "iommu_selftest")) {
		pr_info("hv: iommu_selftest ran: partitions are not started");
		return;
	}

	if (mod) {
		vcpu_vendor = vk == VIRT_VMX ? &vmx_ops : &svm_ops;
		if (partitions_from_manifest(&boot, mod))
			hv_exit(HV_EXIT_BOOT_FAILED);
		guests_run();
		(void)iommu_faults();
		partition_devices_witness(&boot);
		return;
	}
	n = guests_create(&boot, vk == VIRT_VMX ? &vmx_ops : &svm_ops);

	if (n < 0) {
		pr_err("hv: guests not started: bad guests= option or module");
		hv_exit(HV_EXIT_BOOT_FAILED);
	}
	if (n > 0)
		guests_run();
}

/* Runs on the boot CPU's own guarded stack. */
__attribute__((noreturn)) static void boot_continue(void)
{
	enum virt_kind vk;

	report_modules();
	vk = virt_probe();
	tsc_init();
	pr_info("tsc: khz=%llu source=%s cpuid_khz=%llu", (unsigned long long)(tsc_hz() / 1000),
		tsc_source(), (unsigned long long)(tsc_cpuid_hz() / 1000));
	if (acpi_setup()) {
		pr_err("acpi: no valid RSDP found; cannot find CPUs or IOMMUs");
		hv_exit(HV_EXIT_BOOT_FAILED);
	}
	if (madt_setup()) {
		pr_err("acpi: no valid MADT; running on the boot CPU only");
		madt.ncpus = 0;
	}
	mcfg_report();
	ioapic_init(&madt);
	iommu_discover(&acpi);
	if (boot_cmdline_has(&boot, "iommu_selftest"))
		(void)iommu_selftest();
	smp_boot(&madt);
	audit_paging();
	selftest_run(&boot);
	if (vk == VIRT_NONE) {
		pr_err("hv: stopping: no virtualization support, partitions cannot run");
		hv_exit(HV_EXIT_NO_VIRT);
	}
	pr_info("hv: boot complete: %u CPUs, %s, %llu KiB free", cpu_count,
		virt_kind_name(vk), (unsigned long long)(mem_free_pages() * 4));
	if (boot_cmdline_has(&boot, "bench"))
		bench_host();
	run_guests(vk);
	hv_exit(HV_EXIT_OK);
}

static void fatal_exception_exit(void)
{
	hv_exit(HV_EXIT_EXCEPTION);
}

static void boot_fail(const char *what, int err)
{
	pr_err("hv: boot failed: %s (error %d)", what, err);
	hv_exit(HV_EXIT_BOOT_FAILED);
}

void hv_main(uint32_t magic, uint32_t info_pa)
{
	uint64_t top;
	int ret;

	serial_init();
	pr_info("hv: starting");
	copy_page0();
	pic_disable();
	idt_init();
	idt_load();
	ret = multiboot_parse(magic, info_pa, &phys, &boot);
	if (ret)
		boot_fail("multiboot information rejected", ret);
	apply_options();
	trap_fatal_hook = fatal_exception_exit;
	pr_info("hv: multiboot%u loader=\"%s\" cmdline=\"%s\"", boot.protocol,
		boot.have_loader_name ? boot.loader_name : "?", boot.cmdline);
	ret = mem_init(&boot);
	if (ret)
		boot_fail("memory map rejected", ret);
	mem_report();
	top = mem_top() > FOUR_GIB ? mem_top() : FOUR_GIB;
	top = (top + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);
	ret = paging_init(top, mem_is_ram);
	if (ret)
		boot_fail("page tables", ret);
	phys_limit = top;
	lapic_init();
	ret = percpu_prepare(0, lapic_id());
	if (ret)
		boot_fail("boot CPU stacks", ret);
	percpu_activate(0);
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%1"
			 : : "r"(percpu_area[0].stack.top), "r"(boot_continue) : "memory");
	__builtin_unreachable();
}
