/* SPDX-License-Identifier: MIT */
/* The isolation audit: every leaf of a partition's nested or IOMMU tables lies in what it was granted. */
#ifndef VMM_AUDIT_H
#define VMM_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#define AUDIT_MAX_GRANTS	48

enum audit_kind {
	AUDIT_RAM,	/* its own memory */
	AUDIT_CHANNEL,	/* a channel it is an end of */
	AUDIT_MMIO,	/* a BAR of a device it owns (nested tables only) */
};

/* What one partition may see: guest-physical [gpa, gpa+size) -> host [hpa, hpa+size). */
struct audit_grant {
	uint64_t gpa, hpa, size;
	enum audit_kind kind;
};

struct audit_map {
	unsigned int n;
	struct audit_grant g[AUDIT_MAX_GRANTS];
	/* Filled by audit_leaf. */
	uint64_t leaves, bad, first_bad_gpa, first_bad_hpa;
};

/* 0, or -HV_E2BIG when the map is full, -HV_EINVAL when a range wraps. */
int audit_grant(struct audit_map *m, uint64_t gpa, uint64_t hpa, uint64_t size,
		enum audit_kind kind) __attribute__((warn_unused_result));

/*
 * A pt_leaf_fn (vmm/pt.h) with ctx = struct audit_map: counts the leaf, and counts it
 * bad unless one grant holds all of it at the granted offset. Always returns 0.
 */
int audit_leaf(uint64_t gpa, uint64_t hpa, uint64_t size, unsigned int perm, void *ctx);

/* Whether host [base, base+size) meets the host side of any grant of the kinds (bit
 * 1 << kind) in m. */
bool audit_hits(const struct audit_map *m, uint64_t base, uint64_t size, unsigned int kinds);

#endif
