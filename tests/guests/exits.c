/* SPDX-License-Identifier: MIT */
/* Test guest: one reported check per exit kind the hypervisor handles (docs/abi.md says what to expect). */
#include "guest-drivers/rt/rt.h"

#define VEC_UD			6
#define VEC_GP			13
#define TIMER_VECTOR		0x20

#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_ECX_HV		(1u << 31)
#define CPUID_81_ECX_SVM	(1u << 2)
#define CR4_VMXE		(1u << 13)
#define EFER_SVME		(1u << 12)

#define MSR_TSC			0x10
#define MSR_APIC_BASE		0x1b
#define MSR_FEATURE_CONTROL	0x3a
#define MSR_MISC_ENABLE		0x1a0
#define MSR_FS_BASE		0xc0000100
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_LSTAR		0xc0000082
#define MSR_AMD_VM_HSAVE_PA	0xc0010117
#define MSR_AMD_VM_CR		0xc0010114

#define PORT_POST		0x80
#define PORT_CMOS		0x70
#define PORT_CONSOLE		0xe9

#define MIB			0x100000ul

/* ---- running one instruction under rt_catch ---- */

struct op {
	uint32_t idx;		/* MSR, port, XCR or CR bits */
	uint64_t val;
};

static uint8_t scratch[4096] __attribute__((aligned(4096)));

static void op_rdmsr(void *a)
{
	struct op *o = a;

	o->val = rt_rdmsr(o->idx);
}

static void op_wrmsr(void *a)
{
	const struct op *o = a;

	rt_wrmsr(o->idx, o->val);
}

static void op_xsetbv(void *a)
{
	const struct op *o = a;

	rt_xsetbv(o->idx, o->val);
}

static void op_write_cr4(void *a)
{
	const struct op *o = a;

	rt_write_cr4(o->val);
}

static void op_ud2(void *a)
{
	__asm__ volatile("ud2");
}

static void op_post_port(void *a)
{
	rt_outb(PORT_POST, 0x42);
	(void)rt_inb(PORT_POST);
}

static void op_out_denied(void *a)
{
	rt_outb(PORT_CMOS, 0x0f);
}

static void op_rep_outsb_console(void *a)
{
	static const char msg[] = "rep outsb must not print";

	__asm__ volatile("rep outsb" : : "S"(msg), "c"(sizeof(msg) - 1), "d"(PORT_CONSOLE)
			 : "memory");
}

static void op_outsb_console(void *a)
{
	static const char msg[] = "?";

	__asm__ volatile("outsb" : : "S"(msg), "d"(PORT_CONSOLE) : "memory");
}

static void op_insb_denied(void *a)
{
	__asm__ volatile("insb" : : "D"(scratch), "d"(PORT_CMOS) : "memory");
}

static void op_wbinvd(void *a)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

static void op_invd(void *a)
{
	__asm__ volatile("invd" ::: "memory");
}

/* The other vendor's hypercall instruction: #UD on either vendor. */
static void op_wrong_hypercall(void *a)
{
	if (rt_amd)
		(void)rt_vmcall(HC_VERSION, 0, 0, 0, 0, 0);
	else
		(void)rt_vmmcall(HC_VERSION, 0, 0, 0, 0, 0);
}

static void op_vmxon(void *a)
{
	uint64_t pa = (uintptr_t)scratch;

	__asm__ volatile("vmxon %0" : : "m"(pa) : "memory", "cc");
}

static void op_vmread(void *a)
{
	uint64_t field = 0x681e, val;	/* GUEST_RIP, SDM vol 3 app. B */

	__asm__ volatile("vmread %1, %0" : "=r"(val) : "r"(field) : "cc");
}

static void op_vmlaunch(void *a)
{
	__asm__ volatile("vmlaunch" ::: "memory", "cc");
}

static void op_vmrun(void *a)
{
	__asm__ volatile("vmrun" : : "a"(scratch) : "memory");
}

static void op_vmload(void *a)
{
	__asm__ volatile("vmload" : : "a"(scratch) : "memory");
}

static void op_vmsave(void *a)
{
	__asm__ volatile("vmsave" : : "a"(scratch) : "memory");
}

static void op_stgi(void *a)
{
	__asm__ volatile("stgi" ::: "memory");
}

static void op_clgi(void *a)
{
	__asm__ volatile("clgi" ::: "memory");
}

static const char *vec_name(int v)
{
	switch (v) {
	case RT_NO_FAULT: return "no fault";
	case VEC_UD: return "#UD";
	case VEC_GP: return "#GP";
	default: return "an exception";
	}
}

/* Reports whether fn(arg) raised `vector` (with error code 0 for #GP). */
static bool expect_fault(int vector, void (*fn)(void *), void *arg, const char *what)
{
	struct rt_fault f = { 0 };
	int got = rt_catch(fn, arg, &f);

	if (got == vector && (vector != VEC_GP || f.error == 0))
		return rt_report(true, "%s -> %s%s", what, vec_name(vector), vector == VEC_GP ? "(0)" : "");
	if (got == RT_NO_FAULT)
		return rt_report(false, "%s -> %s: no fault", what, vec_name(vector));
	return rt_report(false, "%s -> %s: got vector %d error 0x%x at rip 0x%lx", what,
			 vec_name(vector), got, f.error, f.rip);
}

/* Runs fn(arg); true if it did not fault, else reports the fault as a failure of `what`. */
static bool no_fault(void (*fn)(void *), void *arg, const char *what)
{
	struct rt_fault f = { 0 };
	int got = rt_catch(fn, arg, &f);

	if (got == RT_NO_FAULT)
		return true;
	rt_report(false, "%s: vector %d error 0x%x at rip 0x%lx", what, got, f.error, f.rip);
	return false;
}

/* Reports whether fn(arg) completed without a fault. */
static bool expect_ok(void (*fn)(void *), void *arg, const char *what)
{
	struct rt_fault f = { 0 };
	int got = rt_catch(fn, arg, &f);

	if (got == RT_NO_FAULT)
		return rt_report(true, "%s", what);
	return rt_report(false, "%s: vector %d error 0x%x at rip 0x%lx", what, got, f.error, f.rip);
}

/* ---- the checks ---- */

static void check_runtime(void)
{
	struct rt_fault f = { 0 };
	int got = rt_catch(op_ud2, 0, &f);

	rt_report(got == VEC_UD && f.rip >= (uintptr_t)op_ud2 && f.rip < (uintptr_t)op_ud2 + 16,
		  "runtime: UD2 caught as #UD at its own rip (got vector %d rip 0x%lx)", got, f.rip);
}

static void check_cpuid(void)
{
	struct rt_cpuid b = rt_cpuid(HV_CPUID_BASE, 0), v = rt_cpuid(HV_CPUID_VERSION, 0);
	struct rt_cpuid l1 = rt_cpuid(1, 0), l81 = rt_cpuid(0x80000001, 0);
	struct rt_cpuid l0 = rt_cpuid(0, 0), l80 = rt_cpuid(0x80000000, 0);
	struct rt_cpuid extra = rt_cpuid(HV_CPUID_BASE + 2, 0);

	rt_report(b.eax == HV_CPUID_MAX && b.ebx == HV_SIGNATURE_EBX && b.ecx == HV_SIGNATURE_ECX &&
		  b.edx == HV_SIGNATURE_EDX,
		  "cpuid 0x40000000: max 0x%x signature %.4s%.4s%.4s", b.eax, (const char *)&b.ebx,
		  (const char *)&b.ecx, (const char *)&b.edx);
	rt_report(v.eax == HV_ABI_VERSION, "cpuid 0x40000001: ABI version %u", v.eax);
	rt_report(!extra.eax && !extra.ebx && !extra.ecx && !extra.edx, "cpuid 0x40000002: zero");
	rt_report(l1.ecx & CPUID_1_ECX_HV, "cpuid 1: hypervisor bit set (ecx=0x%x)", l1.ecx);
	rt_report(!(l1.ecx & CPUID_1_ECX_VMX), "cpuid 1: VMX clear (ecx=0x%x)", l1.ecx);
	rt_report(l1.ebx >> 24 == 0, "cpuid 1: initial APIC ID = vCPU 0 (ebx=0x%x)", l1.ebx);
	rt_report(!(l81.ecx & CPUID_81_ECX_SVM), "cpuid 0x80000001: SVM clear (ecx=0x%x)", l81.ecx);
	rt_report((l0.eax < 0xa || !rt_cpuid(0xa, 0).eax) &&
		  (l80.eax < 0x8000000a || !rt_cpuid(0x8000000a, 0).eax),
		  "cpuid 0xa (perfmon) and 0x8000000a (SVM) zero where present");
}

static void check_multiboot(void)
{
	const uint32_t want = RT_MB1_FLAG_MEM | RT_MB1_FLAG_CMDLINE | RT_MB1_FLAG_MMAP;
	uint64_t mem = MIB + (uint64_t)rt_boot.mem_upper_kib * 1024;
	volatile uint64_t *last = (volatile uint64_t *)(uintptr_t)(rt_boot.ram_end - 8);
	uint64_t old;

	rt_report(rt_boot.magic == RT_MB1_MAGIC, "multiboot: magic 0x%x, info at 0x%x",
		  rt_boot.magic, rt_boot.info_gpa);
	rt_report((rt_boot.flags & want) == want, "multiboot: flags 0x%x have mem, cmdline, mmap",
		  rt_boot.flags);
	rt_report(rt_str_eq(rt_boot.cmdline, "exits"), "multiboot: cmdline \"%s\" is the guest's name",
		  rt_boot.cmdline);
	rt_report(rt_boot.mmap_entries > 0 && rt_boot.ram_end > MIB,
		  "multiboot: mmap of %u entries, RAM up to 0x%lx", rt_boot.mmap_entries,
		  rt_boot.ram_end);
	rt_report(mem == rt_boot.ram_end, "multiboot: mem_upper=%u KiB memory=%lu MiB, as the mmap says",
		  rt_boot.mem_upper_kib, mem / MIB);
	if (rt_boot.ram_end <= MIB || rt_boot.ram_end > RT_MAP_SIZE) {
		rt_report(false, "memory: last word writable (no usable end of RAM)");
		return;
	}
	old = *last;
	*last = 0x5a5aa5a5c3c33c3cull;
	rt_report(*last == 0x5a5aa5a5c3c33c3cull, "memory: last word (gpa 0x%lx) writable",
		  rt_boot.ram_end - 8);
	*last = old;
}

static void check_msrs(void)
{
	uint64_t efer = rt_rdmsr(RT_MSR_EFER), a, b;
	struct op o = { RT_MSR_EFER, efer | RT_EFER_SCE };

	rt_report((efer & (RT_EFER_LME | RT_EFER_LMA)) == (RT_EFER_LME | RT_EFER_LMA) &&
		  !(efer & EFER_SVME), "rdmsr EFER=0x%lx: LME and LMA set, SVME clear", efer);
	if (no_fault(op_wrmsr, &o, "wrmsr EFER.SCE")) {
		a = rt_rdmsr(RT_MSR_EFER);
		rt_wrmsr(RT_MSR_EFER, efer);
		b = rt_rdmsr(RT_MSR_EFER);
		rt_report((a & RT_EFER_SCE) && b == efer,
			  "wrmsr EFER.SCE set then cleared reads back (0x%lx, 0x%lx)", a, b);
	}
	o.val = efer | (1u << 2);
	expect_fault(VEC_GP, op_wrmsr, &o, "wrmsr EFER reserved bit 2");
	o.val = efer & ~(uint64_t)RT_EFER_LME;
	expect_fault(VEC_GP, op_wrmsr, &o, "wrmsr EFER clearing LME with paging on");
	rt_report(rt_rdmsr(RT_MSR_EFER) == efer, "EFER unchanged by the refused writes");

	a = rt_rdmsr(MSR_TSC);
	b = rt_rdmsr(MSR_TSC);
	rt_report(b > a, "rdmsr TSC twice increases (%lu, %lu)", a, b);
	o.idx = MSR_APIC_BASE;
	if (no_fault(op_rdmsr, &o, "rdmsr APIC_BASE"))
		rt_report(o.val == 0xfee00900, "rdmsr APIC_BASE=0x%lx", o.val);
	o.idx = MSR_MISC_ENABLE;
	if (no_fault(op_rdmsr, &o, "rdmsr MISC_ENABLE"))
		rt_report(o.val == 1, "rdmsr MISC_ENABLE=0x%lx", o.val);

	o.idx = MSR_FEATURE_CONTROL;
	expect_fault(VEC_GP, op_rdmsr, &o, "rdmsr 0x3a (FEATURE_CONTROL, denied)");
	o.val = 0;
	expect_fault(VEC_GP, op_wrmsr, &o, "wrmsr 0x3a (FEATURE_CONTROL, denied)");
	o.idx = MSR_AMD_VM_CR;
	expect_fault(VEC_GP, op_rdmsr, &o, "rdmsr 0xc0010114 (VM_CR, denied)");
	o.idx = MSR_AMD_VM_HSAVE_PA;
	o.val = (uintptr_t)scratch;
	expect_fault(VEC_GP, op_wrmsr, &o, "wrmsr 0xc0010117 (VM_HSAVE_PA, denied)");
}

/* FS_BASE, KERNEL_GS_BASE and LSTAR are the guest's own: written and read back. */
static void check_msr_passthrough(void)
{
	static const uint32_t msrs[] = { MSR_FS_BASE, MSR_KERNEL_GS_BASE, MSR_LSTAR };
	bool ok = true;

	for (unsigned int i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		uint64_t old = rt_rdmsr(msrs[i]), want = 0xffff800012345000ull + i * 0x1000;

		rt_wrmsr(msrs[i], want);
		if (rt_rdmsr(msrs[i]) != want) {
			rt_printf("msr 0x%x: wrote 0x%lx, read 0x%lx\n", msrs[i], want,
				  rt_rdmsr(msrs[i]));
			ok = false;
		}
		rt_wrmsr(msrs[i], old);
	}
	rt_report(ok, "wrmsr/rdmsr FS_BASE, KERNEL_GS_BASE, LSTAR read back");
}

static void check_io(void)
{
	static const char e9[] = "e9: hello through port 0xe9\n";
	uint8_t b;
	uint32_t l;

	expect_ok(op_post_port, 0, "out/in port 0x80 (passed through)");
	b = rt_inb(PORT_CMOS);
	l = rt_inl(PORT_CMOS);
	rt_report(b == 0xff && l == 0xffffffff, "in port 0x70 (denied) reads all ones (0x%x, 0x%x)",
		  b, l);
	expect_ok(op_out_denied, 0, "out port 0x70 (denied) dropped");
	rt_report(rt_inb(PORT_CONSOLE) == PORT_CONSOLE, "in port 0xe9 reads 0xe9");
	expect_fault(VEC_GP, op_rep_outsb_console, 0, "rep outsb to port 0xe9");
	expect_fault(VEC_GP, op_outsb_console, 0, "outsb to port 0xe9");
	expect_fault(VEC_GP, op_insb_denied, 0, "insb from port 0x70");
	rt_flush();
	for (const char *p = e9; *p; p++)
		rt_outb(PORT_CONSOLE, (uint8_t)*p);
	rt_report(true, "out port 0xe9: %u bytes written (the scenario looks for the line)",
		  (unsigned int)sizeof(e9) - 1);
}

static void check_hypercalls(void)
{
	uint64_t end = rt_boot.ram_end;
	int64_t r;

	r = rt_hypercall(HC_VERSION, 0, 0, 0, 0, 0);
	rt_report(r == HV_ABI_VERSION, "HC_VERSION = %ld", r);
	r = rt_hypercall(HC_COUNT, 0, 0, 0, 0, 0);
	rt_report(r == -HV_ENOSYS && rt_hypercall(~0ull, 0, 0, 0, 0, 0) == -HV_ENOSYS,
		  "unknown hypercalls %u and 2^64-1 -> -HV_ENOSYS (%ld)", HC_COUNT, r);
	r = rt_hypercall(HC_CONSOLE_WRITE, end, 8, 0, 0, 0);
	rt_report(r == -HV_EFAULT, "HC_CONSOLE_WRITE at the end of memory -> -HV_EFAULT (%ld)", r);
	r = rt_hypercall(HC_CONSOLE_WRITE, end - 4, 8, 0, 0, 0);
	rt_report(r == -HV_EFAULT, "HC_CONSOLE_WRITE across the end of memory -> -HV_EFAULT (%ld)", r);
	r = rt_hypercall(HC_CONSOLE_WRITE, ~0ull - 7, 16, 0, 0, 0);
	rt_report(r == -HV_EFAULT, "HC_CONSOLE_WRITE wrapping around 2^64 -> -HV_EFAULT (%ld)", r);
	r = rt_hypercall(HC_CONSOLE_WRITE, (uintptr_t)scratch, HC_CONSOLE_MAX + 1, 0, 0, 0);
	rt_report(r == -HV_EINVAL, "HC_CONSOLE_WRITE of %u bytes -> -HV_EINVAL (%ld)",
		  HC_CONSOLE_MAX + 1, r);
	r = rt_hypercall(HC_TIMER_ONESHOT, rt_rdtsc() + 1000000, 31, 0, 0, 0);
	rt_report(r == -HV_EINVAL, "HC_TIMER_ONESHOT vector 31 -> -HV_EINVAL (%ld)", r);
	r = rt_hypercall(HC_TSC_HZ, 0, 0, 0, 0, 0);
	rt_report(r > 0, "HC_TSC_HZ = %ld", r);
}

/* ---- HLT and the one-shot timer ---- */

static volatile unsigned int timer_hits;
static volatile uint64_t timer_tsc;

static void on_timer(uint8_t vector)
{
	timer_hits++;
	timer_tsc = rt_rdtsc();
}

/*
 * Waits until the TSC passes `until` or the timer fires. The deadline is checked at exits
 * (docs/abi.md), so the loop makes some: CPUID.
 */
static void wait_exits(uint64_t until)
{
	unsigned int hits = timer_hits;

	while (rt_rdtsc() < until && timer_hits == hits)
		(void)rt_cpuid(0, 0);
}

static void check_timer(void)
{
	uint64_t ms = rt_tsc_hz() / 1000, deadline, now;
	int64_t r;

	rt_set_irq_handler(TIMER_VECTOR, on_timer);

	/* HLT sleeps until the deadline; the interrupt arrives once, not before it. */
	timer_hits = 0;
	deadline = rt_rdtsc() + 2 * ms;
	r = rt_timer_oneshot(deadline, TIMER_VECTOR);
	rt_sti_hlt();
	rt_cli();
	now = rt_rdtsc();
	rt_report(r == 0 && timer_hits == 1 && timer_tsc >= deadline && now >= deadline,
		  "hlt woken by HC_TIMER_ONESHOT: ret %ld, %u interrupt(s), at deadline+%ld ticks",
		  r, timer_hits, (int64_t)(timer_tsc - deadline));
	rt_sti();
	wait_exits(rt_rdtsc() + 3 * ms);
	rt_cli();
	rt_report(timer_hits == 1, "one-shot timer fired once (%u)", timer_hits);

	/* With IF clear the interrupt waits past the deadline, then comes with STI. */
	timer_hits = 0;
	deadline = rt_rdtsc() + ms;
	r = rt_timer_oneshot(deadline, TIMER_VECTOR);
	wait_exits(deadline + 2 * ms);
	now = timer_hits;
	rt_sti();
	wait_exits(rt_rdtsc() + 20 * ms);
	rt_cli();
	rt_report(r == 0 && now == 0 && timer_hits == 1,
		  "timer with IF clear: held past the deadline (%lu), delivered after STI (%u)", now,
		  timer_hits);

	/* Deadline 0 cancels. */
	timer_hits = 0;
	r = rt_timer_oneshot(rt_rdtsc() + ms, TIMER_VECTOR);
	r |= rt_timer_oneshot(0, 0);
	rt_sti();
	wait_exits(rt_rdtsc() + 3 * ms);
	rt_cli();
	rt_report(r == 0 && timer_hits == 0, "timer cancelled with deadline 0: no interrupt (%u)",
		  timer_hits);
}

/* ---- XSETBV, caches, control registers, virtualization instructions ---- */

static void check_xsetbv(void)
{
	uint64_t cr4 = rt_read_cr4();
	struct op o = { 0, 0 };
	uint64_t x;

	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		rt_printf("xsetbv: no XSAVE on this CPU: not tested\n");
		return;
	}
	o.val = cr4 | RT_CR4_OSXSAVE;
	if (!no_fault(op_write_cr4, &o, "mov cr4 with OSXSAVE"))
		return;
	rt_report((rt_read_cr4() & RT_CR4_OSXSAVE) && (rt_cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE),
		  "CR4.OSXSAVE set: cpuid 1 OSXSAVE reads 1");
	o.val = 3;
	if (no_fault(op_xsetbv, &o, "xsetbv XCR0=3")) {
		x = rt_xgetbv(0);
		rt_report(x == 3, "xsetbv XCR0=3, xgetbv reads 0x%lx", x);
	}
	o.val = 2;
	expect_fault(VEC_GP, op_xsetbv, &o, "xsetbv XCR0=2 (x87 clear)");
	o.val = 1ull << 63 | 3;
	expect_fault(VEC_GP, op_xsetbv, &o, "xsetbv XCR0 bit 63 (unsupported)");
	o.idx = 1;
	o.val = 3;
	expect_fault(VEC_GP, op_xsetbv, &o, "xsetbv ECX=1");
	rt_report(rt_xgetbv(0) == 3, "XCR0 unchanged by the refused writes");
}

static void check_misc(void)
{
	uint64_t cr4 = rt_read_cr4(), got;
	struct op o = { 0, cr4 ^ RT_CR4_PGE };

	expect_ok(op_wbinvd, 0, "wbinvd completes");
	expect_ok(op_invd, 0, "invd completes");
	if (no_fault(op_write_cr4, &o, "mov cr4 toggling PGE")) {
		got = rt_read_cr4();
		rt_write_cr4(cr4);
		rt_report(got == (cr4 ^ RT_CR4_PGE) && rt_read_cr4() == cr4,
			  "CR4.PGE toggled and restored reads back (0x%lx, 0x%lx)", got, cr4);
	}
	rt_report(!(cr4 & CR4_VMXE), "CR4=0x%lx: VMXE clear", cr4);

	expect_fault(VEC_UD, op_wrong_hypercall, 0,
		     rt_amd ? "vmcall (Intel's hypercall) on AMD" : "vmmcall (AMD's hypercall) on Intel");
	expect_fault(VEC_UD, op_vmxon, 0, "vmxon");
	expect_fault(VEC_UD, op_vmread, 0, "vmread");
	expect_fault(VEC_UD, op_vmlaunch, 0, "vmlaunch");
	expect_fault(VEC_UD, op_vmrun, 0, "vmrun");
	expect_fault(VEC_UD, op_vmload, 0, "vmload");
	expect_fault(VEC_UD, op_vmsave, 0, "vmsave");
	expect_fault(VEC_UD, op_clgi, 0, "clgi");
	expect_fault(VEC_UD, op_stgi, 0, "stgi");
}

int rt_main(void)
{
	rt_printf("exits: %s, %s hypercalls\n", rt_boot.cmdline, rt_amd ? "vmmcall" : "vmcall");
	check_runtime();
	check_cpuid();
	check_multiboot();
	check_msrs();
	check_msr_passthrough();
	check_io();
	check_hypercalls();
	check_timer();
	check_xsetbv();
	check_misc();
	return rt_summary() ? 1 : 0;
}
