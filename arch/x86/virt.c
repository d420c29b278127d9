/* SPDX-License-Identifier: MIT */
/* CPU identification and the choice between the VMX and SVM back ends. */
#include "arch/x86/virt.h"

#include <stdbool.h>

#include "arch/x86/cpu.h"
#include "arch/x86/svm/caps.h"
#include "arch/x86/vmx/caps.h"
#include "vmm/log.h"

#define CPUID_1_ECX_VMX		(1u << 5)	/* SDM vol 2A table 3-10 */
#define CPUID_81_ECX_SVM	(1u << 2)	/* APM vol 3 app. E.4.2 */

static void print_identity(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];
	uint32_t sig = cpuid(1, 0).eax;
	uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;

	*(uint32_t *)&vendor[0] = r.ebx;
	*(uint32_t *)&vendor[4] = r.edx;
	*(uint32_t *)&vendor[8] = r.ecx;
	vendor[12] = 0;
	/* Extended family and model, SDM vol 2A CPUID leaf 1 EAX. */
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model |= ((sig >> 16) & 0xf) << 4;
	pr_info("cpu: vendor=%s family=0x%x model=0x%x stepping=%u max_leaf=0x%x", vendor,
		family, model, sig & 0xf, r.eax);
}

static bool has_ext_leaf(uint32_t leaf)
{
	return cpuid(0x80000000, 0).eax >= leaf;
}

static enum virt_kind probe_vmx(void)
{
	struct vmx_msrs m;
	struct vmx_caps c;
	char line[400];

	vmx_caps_read(&m);
	pr_debug("virt: vmx msrs feature_control=0x%llx basic=0x%llx pin=0x%llx proc=0x%llx "
		 "proc2=0x%llx misc=0x%llx ept_vpid=0x%llx",
		 (unsigned long long)m.feature_control, (unsigned long long)m.basic,
		 (unsigned long long)m.pinbased, (unsigned long long)m.procbased,
		 (unsigned long long)m.procbased2, (unsigned long long)m.misc,
		 (unsigned long long)m.ept_vpid_cap);
	vmx_caps_decode(&m, &c);
	vmx_caps_format(&c, line, sizeof(line));
	pr_info("virt: %s", line);
	if (c.disabled_by_firmware) {
		pr_err("virt: none: VMX present but disabled by firmware "
		       "(IA32_FEATURE_CONTROL locked without VMX outside SMX)");
		return VIRT_NONE;
	}
	return VIRT_VMX;
}

static enum virt_kind probe_svm(void)
{
	struct svm_raw r;
	struct svm_caps c;
	char line[300];

	if (!has_ext_leaf(0x8000000a)) {
		pr_err("virt: none: SVM flag set but CPUID 0x8000000A missing");
		return VIRT_NONE;
	}
	svm_caps_read(&r);
	pr_debug("virt: svm cpuid 0x8000000a eax=0x%x ebx=0x%x edx=0x%x vm_cr=0x%llx", r.eax,
		 r.ebx, r.edx, (unsigned long long)r.vm_cr);
	svm_caps_decode(&r, &c);
	svm_caps_format(&c, line, sizeof(line));
	pr_info("virt: %s", line);
	if (c.disabled_by_firmware) {
		pr_err("virt: none: SVM present but disabled by firmware (VM_CR.SVMDIS)");
		return VIRT_NONE;
	}
	return VIRT_SVM;
}

enum virt_kind virt_probe(void)
{
	print_identity();
	if (cpuid(1, 0).ecx & CPUID_1_ECX_VMX)
		return probe_vmx();
	if (has_ext_leaf(0x80000001) && (cpuid(0x80000001, 0).ecx & CPUID_81_ECX_SVM))
		return probe_svm();
	pr_err("virt: none: no virtualization support (CPU has neither VMX nor SVM)");
	return VIRT_NONE;
}

const char *virt_kind_name(enum virt_kind k)
{
	switch (k) {
	case VIRT_VMX: return "vmx";
	case VIRT_SVM: return "svm";
	default: return "none";
	}
}
