/* SPDX-License-Identifier: MIT */
/* Ticket spinlock with interrupt save/restore; the few global locks use it. */
#ifndef ARCH_X86_SPINLOCK_H
#define ARCH_X86_SPINLOCK_H

#include <stdint.h>

#include "arch/x86/cpu.h"

struct spinlock {
	volatile uint16_t next;
	volatile uint16_t owner;
};

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();
	uint16_t me;

	irq_disable();
	me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
		cpu_relax();
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
	if (flags & (1u << 9))
		irq_enable();
}

#endif
