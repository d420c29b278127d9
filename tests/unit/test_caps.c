/* SPDX-License-Identifier: MIT */
/* Host tests of the VMX and SVM capability decoders against the emulators' real values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/svm/caps.h"
#include "arch/x86/vmx/caps.h"

/* Bochs 2.7 corei7_skylake_x, as the hypervisor read them at boot (loglevel=debug). */
static const struct vmx_msrs bochs_skylake = {
	.feature_control = 0x5,			/* locked, VMX outside SMX */
	.basic = 0x00d810000000002bull,
	.pinbased = 0x0000007f00000016ull,	/* TRUE_PINBASED */
	.procbased = 0xf7f9fffe04006172ull,	/* TRUE_PROCBASED */
	.procbased2 = 0x02177fff00000000ull,
	.misc = 0x00000000600401e0ull,
	.ept_vpid_cap = 0x00000f0106334141ull,
};

static void test_vmx_bochs(void **state)
{
	struct vmx_caps c;

	vmx_caps_decode(&bochs_skylake, &c);
	assert_int_equal(c.revision, 0x2b);
	assert_true(c.true_ctls);
	assert_false(c.disabled_by_firmware);
	assert_true(c.secondary && c.ept && c.vpid && c.unrestricted);
	assert_true(c.preemption_timer);
	assert_false(c.posted_intr);	/* bit 7 allowed-1 clear: Bochs has none */
	assert_int_equal(c.preemption_rate, 0);
	assert_true(c.ept_4level && c.ept_wb && c.ept_2m && c.ept_1g && c.ept_ad);
	assert_true(c.invept && c.invvpid && c.msr_bitmap && c.io_bitmap);
	assert_true(c.vmcs_shadow);
}

static void test_vmx_no_secondary(void **state)
{
	struct vmx_msrs m = bochs_skylake;
	struct vmx_caps c;

	/* Without the "activate secondary controls" allowed-1 bit, EPT and VPID are absent
	 * whatever the (then meaningless) secondary MSR says. */
	m.procbased &= ~(1ull << 63);
	vmx_caps_decode(&m, &c);
	assert_false(c.secondary || c.ept || c.vpid || c.unrestricted);
	assert_false(c.ept_2m || c.invept || c.invvpid);
}

static void test_vmx_firmware_lock(void **state)
{
	struct vmx_msrs m = bochs_skylake;
	struct vmx_caps c;

	m.feature_control = 0x1;	/* locked, VMXON not allowed */
	vmx_caps_decode(&m, &c);
	assert_true(c.disabled_by_firmware);
	m.feature_control = 0x0;	/* unlocked: the hypervisor may set it */
	vmx_caps_decode(&m, &c);
	assert_false(c.disabled_by_firmware);
}

static void test_vmx_format(void **state)
{
	struct vmx_caps c;
	char line[400];

	vmx_caps_decode(&bochs_skylake, &c);
	vmx_caps_format(&c, line, sizeof(line));
	assert_non_null(strstr(line, "vmx rev=0x2b ept=1 vpid=1 unrestricted=1 preemption_timer=1"));
	assert_non_null(strstr(line, "posted_intr=0"));
}

static void test_svm_qemu_and_bochs(void **state)
{
	/* QEMU 7.2 TCG -cpu EPYC: NPT, no nRIP save, 16 ASIDs. */
	struct svm_raw qemu = { .eax = 1, .ebx = 16, .edx = 0x1, .vm_cr = 0 };
	/* Bochs ryzen: NPT, LBRV, SVM lock, nRIP, flush by ASID, pause filter. */
	struct svm_raw bochs = { .eax = 1, .ebx = 0x8000, .edx = 0x44f, .vm_cr = 0 };
	struct svm_caps c;
	char line[300];

	svm_caps_decode(&qemu, &c);
	assert_true(c.npt);
	assert_false(c.nrip);
	assert_int_equal(c.asids, 16);
	svm_caps_format(&c, line, sizeof(line));
	assert_non_null(strstr(line, "svm rev=1 npt=1 nrip=0 asids=16"));
	svm_caps_decode(&bochs, &c);
	assert_true(c.npt && c.lbrv && c.svm_lock && c.nrip && c.flush_by_asid);
	assert_true(c.pause_filter);
	assert_false(c.vmcb_clean || c.decode_assists || c.avic);
}

static void test_svm_disabled(void **state)
{
	struct svm_raw r = { .eax = 1, .ebx = 16, .edx = 1, .vm_cr = VM_CR_SVMDIS | VM_CR_LOCK };
	struct svm_caps c;

	svm_caps_decode(&r, &c);
	assert_true(c.disabled_by_firmware);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_bochs),
		cmocka_unit_test(test_vmx_no_secondary),
		cmocka_unit_test(test_vmx_firmware_lock),
		cmocka_unit_test(test_vmx_format),
		cmocka_unit_test(test_svm_qemu_and_bochs),
		cmocka_unit_test(test_svm_disabled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
