/* SPDX-License-Identifier: MIT */
/* The partition manifest: what runs, parsed and checked whole (hypervisor and host tool). */
#ifndef VMM_MANIFEST_H
#define VMM_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed limits: the manifest lives in fixed tables, never allocated (docs/manifest.md). */
#define MANIFEST_MAX_PARTITIONS	8
#define MANIFEST_MAX_CHANNELS	16
#define MANIFEST_MAX_ERRORS	16
#define MANIFEST_MAX_DEVICES	16		/* PCI functions per partition */
#define MANIFEST_MAX_CPUS	64		/* CPU numbers 0..63: affinity is a 64-bit mask */
#define MANIFEST_MAX_VCPUS	8		/* per partition */
#define MANIFEST_MAX_DISK	255		/* disks are numbered 0..255 by the service partition */
#define MANIFEST_TEXT_MAX	(64u * 1024)	/* bytes of manifest text */
#define MANIFEST_NAME_MAX	32		/* partition and channel names, NUL included */
#define MANIFEST_IMAGE_MAX	64		/* module names, NUL included */
#define MANIFEST_CMDLINE_MAX	128		/* NUL included */
#define MANIFEST_VALUE_MAX	256		/* any value as written, NUL included */
#define MANIFEST_FIELD_MAX	24
#define MANIFEST_REASON_MAX	96
#define MANIFEST_LINE_MAX	768		/* one plan line, NUL included: fits the longest */

/* Sizes: partition memory in 2 MiB units so it can be mapped with large nested pages. */
#define MANIFEST_MEM_ALIGN	0x200000ull
#define MANIFEST_MEM_MAX	(64ull << 30)
#define MANIFEST_RING_MIN	0x1000ull	/* rings: a power of two in [4K, 1M] */
#define MANIFEST_RING_MAX	0x100000ull
#define MANIFEST_DATA_MAX	(64ull << 20)	/* data: 4K multiples in [4K, 64M] */
#define MANIFEST_RING_DEFAULT	0x1000ull
#define MANIFEST_RING_PVBLK_DEFAULT	0x2000ull	/* PVBLK_RING_QD32 */
#define MANIFEST_DATA_DEFAULT	0x10000ull
#define MANIFEST_SECTOR_MAX	((1ull << 48) - 1)	/* LBA48 */
/* sector_last of a pvblk channel that gives the whole disk (no sectors key). */
#define MANIFEST_SECTORS_ALL	UINT64_MAX

enum manifest_role {
	MANIFEST_ROLE_CHILD,
	MANIFEST_ROLE_SERVICE,
};

enum manifest_restart {
	MANIFEST_RESTART_NEVER,
	MANIFEST_RESTART_ALWAYS,
	MANIFEST_RESTART_ON_FAILURE,	/* restart unless it exited with status 0 */
};

enum manifest_chan_type {
	MANIFEST_CHAN_PVBLK,
	MANIFEST_CHAN_PVNET,
	MANIFEST_CHAN_RAW,
};

struct manifest_partition {
	char name[MANIFEST_NAME_MAX];
	char image[MANIFEST_IMAGE_MAX];		/* GRUB module string; default: the name */
	char cmdline[MANIFEST_CMDLINE_MAX];	/* default: empty */
	enum manifest_role role;
	enum manifest_restart restart;
	uint64_t memory;			/* bytes, a multiple of MANIFEST_MEM_ALIGN */
	uint64_t cpus;				/* affinity: bit N = CPU N */
	unsigned int vcpus;			/* vCPU i runs on the i-th CPU of cpus */
	bool all_devices;			/* service without a devices key: every device */
	unsigned int ndevices;
	uint16_t devices[MANIFEST_MAX_DEVICES];	/* PCI bus << 8 | device << 3 | function */
	/* Refuse to boot without an IOMMU (default: a child that has devices). */
	bool iommu_required;
};

struct manifest_channel {
	char name[MANIFEST_NAME_MAX];
	enum manifest_chan_type type;
	unsigned int frontend;			/* partition indices, never equal */
	unsigned int backend;
	uint64_t ring;				/* bytes */
	uint64_t data;				/* bytes */
	/* pvblk only */
	unsigned int disk;
	uint64_t sector_first;			/* inclusive range */
	uint64_t sector_last;			/* MANIFEST_SECTORS_ALL: to the end of the disk */
	bool readonly;
	/* pvnet only */
	uint8_t mac[6];
};

struct manifest {
	unsigned int npart;
	struct manifest_partition part[MANIFEST_MAX_PARTITIONS];
	unsigned int nchan;
	struct manifest_channel chan[MANIFEST_MAX_CHANNELS];
	int service;				/* index of the service partition, -1: none */
	uint64_t memory_total;			/* partitions + channels, bytes */
};

/* What the machine has; a manifest asking for more is rejected. */
struct manifest_limits {
	unsigned int cpus;	/* CPUs 0..cpus-1 exist; 0: unknown, any of 0..63 */
	uint64_t memory;	/* bytes for partitions and channels; 0: not checked */
};

struct manifest_error {
	unsigned int line;	/* 1-based; 0: the manifest as a whole */
	char field[MANIFEST_FIELD_MAX];
	char reason[MANIFEST_REASON_MAX];
};

struct manifest_errors {
	unsigned int n;
	unsigned int dropped;	/* errors found beyond the first MANIFEST_MAX_ERRORS */
	struct manifest_error e[MANIFEST_MAX_ERRORS];
};

/*
 * Parses and checks text[0..len) (any bytes; no NUL terminator needed) against lim.
 * Returns 0 with *out filled, or -HV_EINVAL with the errors in *errs and *out emptied
 * (npart = nchan = 0): a manifest with any error is rejected whole. Errors come sorted
 * by line; past MANIFEST_MAX_ERRORS they are only counted. NULL arguments (text may be
 * NULL when len is 0): -HV_EINVAL, nothing written. Uses about 4 KiB of stack.
 */
int manifest_parse(const char *text, size_t len, const struct manifest_limits *lim,
		   struct manifest *out, struct manifest_errors *errs)
	__attribute__((warn_unused_result));

/* A size as the manifest writes it ("64M", "4K", "1G", "4096"); 0 or -HV_EINVAL/-HV_ERANGE. */
int manifest_parse_size(const char *s, uint64_t *out) __attribute__((warn_unused_result));

/* Index of the partition called name, or -HV_ENOENT. */
int manifest_find_partition(const struct manifest *m, const char *name)
	__attribute__((warn_unused_result));

/* The physical CPU vCPU number vcpu of p runs on (vcpu < p->vcpus). */
unsigned int manifest_vcpu_cpu(const struct manifest_partition *p, unsigned int vcpu);

/*
 * One plan line per partition or channel, into buf (always NUL-terminated when
 * len > 0, cut if too short: MANIFEST_LINE_MAX always suffices). Return the length of
 * the full line.
 */
size_t manifest_format_summary(const struct manifest *m, char *buf, size_t len);
size_t manifest_format_partition(const struct manifest *m, unsigned int i, char *buf, size_t len);
size_t manifest_format_channel(const struct manifest *m, unsigned int i, char *buf, size_t len);

/* Renders the whole plan (summary, partitions, channels), one line per emit call. */
typedef void manifest_emit_fn(void *ctx, const char *line);
void manifest_plan(const struct manifest *m, manifest_emit_fn *emit, void *ctx);

#endif
