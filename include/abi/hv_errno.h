/* SPDX-License-Identifier: MIT */
/* Error codes shared by the hypervisor, its ABI and tools: functions return 0 or -HV_E*. */
#ifndef ABI_HV_ERRNO_H
#define ABI_HV_ERRNO_H

enum hv_errno {
	HV_EOK = 0,
	HV_EPERM = 1,    /* caller may not do this */
	HV_ENOENT = 2,   /* no such object */
	HV_EIO = 5,      /* device or firmware failure */
	HV_E2BIG = 7,    /* more entries than a fixed table holds */
	HV_ENOMEM = 12,  /* out of memory */
	HV_EFAULT = 14,  /* address outside the allowed range */
	HV_EBUSY = 16,   /* object in use */
	HV_EEXIST = 17,  /* duplicate */
	HV_EINVAL = 22,  /* malformed argument */
	HV_ERANGE = 34,  /* value out of range, overlapping ranges */
	HV_ENOSYS = 38,  /* no such call */
	HV_EBADMSG = 74, /* corrupted structure: bad checksum, bad length */
	HV_ENOTSUP = 95, /* feature absent */
};

#endif
