/* SPDX-License-Identifier: MIT */
/* Generic exit handling: the dispatch table, hypercalls, and how a guest is stopped. */
#ifndef VMM_EXIT_H
#define VMM_EXIT_H

#include "vmm/vcpu.h"

/* The back end in use, chosen at boot (vmm/vcpu.c). */
extern const struct vcpu_ops *vcpu_vendor;

/* A handler returns 0 to re-enter the guest; non-zero once the guest has been stopped. */
typedef int (*exit_handler_fn)(struct vcpu *v, const struct exit_info *ei);

int exit_dispatch(struct vcpu *v, const struct exit_info *ei);
const char *exit_kind_name(enum exit_kind k);
int handle_hypercall(struct vcpu *v, const struct exit_info *ei);

/* Stops v's guest with a reason and a register dump; returns 1 for handlers to return. */
int vcpu_fail(struct vcpu *v, const struct exit_info *ei, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Ends v's guest after HC_EXIT. */
void vcpu_exit_guest(struct vcpu *v, int status);

#endif
