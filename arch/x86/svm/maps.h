/* SPDX-License-Identifier: MIT */
/* The MSR and I/O permission maps: which guest MSR and port accesses exit (pure bit math). */
#ifndef ARCH_X86_SVM_MAPS_H
#define ARCH_X86_SVM_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#define SVM_MSRPM_SIZE	0x2000	/* 8 KiB, APM vol 2 sec. 15.11 */
#define SVM_IOPM_SIZE	0x3000	/* 12 KiB, APM vol 2 sec. 15.10.1 */

/*
 * Where msr's read-intercept bit lies in the MSRPM: byte offset and bit (the write bit
 * is the next one). 0, or -HV_ERANGE for an MSR outside the three mapped ranges (those
 * always exit).
 */
int svm_msrpm_pos(uint32_t msr, uint32_t *byte, unsigned int *bit)
	__attribute__((warn_unused_result));
/* Sets or clears the read and write intercepts of msr; -HV_ERANGE as above. */
int svm_msrpm_set(uint8_t *map, uint32_t msr, bool intercept_read, bool intercept_write)
	__attribute__((warn_unused_result));
/* True when an access (write or read) to msr exits. */
bool svm_msrpm_intercepts(const uint8_t *map, uint32_t msr, bool write);

/* One bit per port (APM vol 2 sec. 15.10.1). */
void svm_iopm_set(uint8_t *map, uint16_t port, bool intercept);
bool svm_iopm_intercepts(const uint8_t *map, uint16_t port);

#endif
