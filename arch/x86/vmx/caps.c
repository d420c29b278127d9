/* SPDX-License-Identifier: MIT */
/* Decodes the VMX capability MSRs (SDM vol 3D app. A) into plain flags. */
#include "arch/x86/vmx/caps.h"

#include "vmm/format.h"

/* Allowed-1 settings are the high 32 bits of a control MSR (SDM 3D app. A.3). */
#define ALLOWED1(msr, bit)	(((msr) >> (32 + (bit))) & 1)

#define BASIC_TRUE_CTLS		55
#define PIN_PREEMPTION_TIMER	6
#define PIN_POSTED_INTR		7
#define PROC_IO_BITMAP		25
#define PROC_MSR_BITMAP		28
#define PROC_SECONDARY		31
#define PROC2_VIRT_APIC		0
#define PROC2_EPT		1
#define PROC2_VPID		5
#define PROC2_UNRESTRICTED	7
#define PROC2_VMCS_SHADOW	14
#define PROC2_PML		17

/* IA32_VMX_EPT_VPID_CAP bits, SDM 3D app. A.10. */
#define EPT_CAP_4LEVEL		(1ull << 6)
#define EPT_CAP_WB		(1ull << 14)
#define EPT_CAP_2M		(1ull << 16)
#define EPT_CAP_1G		(1ull << 17)
#define EPT_CAP_INVEPT		(1ull << 20)
#define EPT_CAP_AD		(1ull << 21)
#define VPID_CAP_INVVPID	(1ull << 32)

void vmx_caps_decode(const struct vmx_msrs *m, struct vmx_caps *c)
{
	uint64_t p2 = 0;

	*c = (struct vmx_caps){ 0 };
	c->revision = (uint32_t)(m->basic & 0x7fffffff);
	c->true_ctls = (m->basic >> BASIC_TRUE_CTLS) & 1;
	c->disabled_by_firmware = (m->feature_control & FEATURE_CONTROL_LOCK) &&
				  !(m->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	c->preemption_timer = ALLOWED1(m->pinbased, PIN_PREEMPTION_TIMER);
	c->posted_intr = ALLOWED1(m->pinbased, PIN_POSTED_INTR);
	c->preemption_rate = (unsigned int)(m->misc & 0x1f);
	c->io_bitmap = ALLOWED1(m->procbased, PROC_IO_BITMAP);
	c->msr_bitmap = ALLOWED1(m->procbased, PROC_MSR_BITMAP);
	c->secondary = ALLOWED1(m->procbased, PROC_SECONDARY);
	if (c->secondary)
		p2 = m->procbased2;
	c->apic_virt = ALLOWED1(p2, PROC2_VIRT_APIC);
	c->ept = ALLOWED1(p2, PROC2_EPT);
	c->vpid = ALLOWED1(p2, PROC2_VPID);
	c->unrestricted = ALLOWED1(p2, PROC2_UNRESTRICTED);
	c->vmcs_shadow = ALLOWED1(p2, PROC2_VMCS_SHADOW);
	c->pml = ALLOWED1(p2, PROC2_PML);
	if (c->ept) {
		c->ept_4level = m->ept_vpid_cap & EPT_CAP_4LEVEL;
		c->ept_wb = m->ept_vpid_cap & EPT_CAP_WB;
		c->ept_2m = m->ept_vpid_cap & EPT_CAP_2M;
		c->ept_1g = m->ept_vpid_cap & EPT_CAP_1G;
		c->ept_ad = m->ept_vpid_cap & EPT_CAP_AD;
		c->invept = m->ept_vpid_cap & EPT_CAP_INVEPT;
	}
	if (c->vpid)
		c->invvpid = m->ept_vpid_cap & VPID_CAP_INVVPID;
}

int vmx_caps_format(const struct vmx_caps *c, char *buf, size_t len)
{
	return hv_snprintf(buf, len,
			   "vmx rev=0x%x ept=%d vpid=%d unrestricted=%d preemption_timer=%d "
			   "ept_4level=%d ept_wb=%d ept_2m=%d ept_1g=%d ept_ad=%d invept=%d "
			   "invvpid=%d msr_bitmap=%d io_bitmap=%d true_ctls=%d posted_intr=%d "
			   "vmcs_shadow=%d pml=%d",
			   c->revision, c->ept, c->vpid, c->unrestricted, c->preemption_timer,
			   c->ept_4level, c->ept_wb, c->ept_2m, c->ept_1g, c->ept_ad, c->invept,
			   c->invvpid, c->msr_bitmap, c->io_bitmap, c->true_ctls,
			   c->posted_intr, c->vmcs_shadow, c->pml);
}
