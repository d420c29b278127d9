/* SPDX-License-Identifier: MIT */
/* Decodes CPUID Fn8000_000A and VM_CR (APM vol 2 sec. 15.4, vol 3 app. E.4.9). */
#include "arch/x86/svm/caps.h"

#include "vmm/format.h"

/* CPUID Fn8000_000A_EDX feature bits, APM vol 3 app. E.4.9. */
#define SVM_NPT			0
#define SVM_LBRV		1
#define SVM_LOCK		2
#define SVM_NRIPS		3
#define SVM_TSC_RATE		4
#define SVM_VMCB_CLEAN		5
#define SVM_FLUSH_BY_ASID	6
#define SVM_DECODE_ASSISTS	7
#define SVM_PAUSE_FILTER	10
#define SVM_AVIC		13
#define SVM_VMSAVE_VIRT		15
#define SVM_VGIF		16

#define BIT(v, n)	(((v) >> (n)) & 1)

void svm_caps_decode(const struct svm_raw *r, struct svm_caps *c)
{
	*c = (struct svm_caps){ 0 };
	c->revision = r->eax & 0xff;
	c->asids = r->ebx;
	c->disabled_by_firmware = (r->vm_cr & VM_CR_SVMDIS) != 0;
	c->npt = BIT(r->edx, SVM_NPT);
	c->lbrv = BIT(r->edx, SVM_LBRV);
	c->svm_lock = BIT(r->edx, SVM_LOCK);
	c->nrip = BIT(r->edx, SVM_NRIPS);
	c->tsc_rate = BIT(r->edx, SVM_TSC_RATE);
	c->vmcb_clean = BIT(r->edx, SVM_VMCB_CLEAN);
	c->flush_by_asid = BIT(r->edx, SVM_FLUSH_BY_ASID);
	c->decode_assists = BIT(r->edx, SVM_DECODE_ASSISTS);
	c->pause_filter = BIT(r->edx, SVM_PAUSE_FILTER);
	c->avic = BIT(r->edx, SVM_AVIC);
	c->vmsave_virt = BIT(r->edx, SVM_VMSAVE_VIRT);
	c->vgif = BIT(r->edx, SVM_VGIF);
}

int svm_caps_format(const struct svm_caps *c, char *buf, size_t len)
{
	return hv_snprintf(buf, len,
			   "svm rev=%u npt=%d nrip=%d asids=%u lbrv=%d vmcb_clean=%d "
			   "flush_by_asid=%d decode_assists=%d pause_filter=%d avic=%d "
			   "vgif=%d",
			   c->revision, c->npt, c->nrip, c->asids, c->lbrv, c->vmcb_clean,
			   c->flush_by_asid, c->decode_assists, c->pause_filter, c->avic,
			   c->vgif);
}
