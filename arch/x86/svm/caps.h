/* SPDX-License-Identifier: MIT */
/* SVM capability discovery: CPUID 0x8000000A and VM_CR decoded. */
#ifndef ARCH_X86_SVM_CAPS_H
#define ARCH_X86_SVM_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_VM_CR		0xc0010114	/* APM vol 2 sec. 15.30.1 */
#define  VM_CR_LOCK		(1ull << 3)
#define  VM_CR_SVMDIS		(1ull << 4)

struct svm_raw {
	uint32_t eax, ebx, edx;	/* CPUID 0x8000000A */
	uint64_t vm_cr;
};

struct svm_caps {
	uint32_t revision;
	uint32_t asids;
	bool disabled_by_firmware;
	bool npt, lbrv, svm_lock, nrip, tsc_rate, vmcb_clean, flush_by_asid;
	bool decode_assists, pause_filter, avic, vmsave_virt, vgif;
};

void svm_caps_decode(const struct svm_raw *r, struct svm_caps *c);
int svm_caps_format(const struct svm_caps *c, char *buf, size_t len);
void svm_caps_read(struct svm_raw *r);

#endif
