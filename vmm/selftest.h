/* SPDX-License-Identifier: MIT */
/* Deliberate faults, chosen on the command line, that prove the exception path works. */
#ifndef VMM_SELFTEST_H
#define VMM_SELFTEST_H

#include "boot/multiboot.h"

/* selftest=ud | pf | stack: each ends in the exception report, never returns. */
void selftest_run(const struct boot_info *bi);

#endif
