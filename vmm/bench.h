/* SPDX-License-Identifier: MIT */
/* Root-mode reference figures for `make bench`, printed with the `bench` option. */
#ifndef VMM_BENCH_H
#define VMM_BENCH_H

/* Logs the median TSC ticks of a bare CPUID (and of an empty rdtsc pair) in root mode. */
void bench_host(void);

#endif
