/* SPDX-License-Identifier: MIT */
/* Which hardware virtualization this CPU offers, found once at boot. */
#ifndef ARCH_X86_VIRT_H
#define ARCH_X86_VIRT_H

enum virt_kind {
	VIRT_NONE = 0,
	VIRT_VMX,
	VIRT_SVM,
};

/* Prints the CPU identity and its virtualization features; returns what is usable. */
enum virt_kind virt_probe(void);
const char *virt_kind_name(enum virt_kind k);

#endif
