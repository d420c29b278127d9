/* SPDX-License-Identifier: MIT */
/* The isolation audit's arithmetic: grants, leaves checked against them, forbidden ranges. */
#include "vmm/audit.h"

#include "include/abi/hv_errno.h"

int audit_grant(struct audit_map *m, uint64_t gpa, uint64_t hpa, uint64_t size,
		enum audit_kind kind)
{
	if (m->n == AUDIT_MAX_GRANTS)
		return -HV_E2BIG;
	if (!size || gpa + size < gpa || hpa + size < hpa)
		return -HV_EINVAL;
	m->g[m->n++] = (struct audit_grant){ gpa, hpa, size, kind };
	return 0;
}

static bool granted(const struct audit_grant *g, uint64_t gpa, uint64_t hpa, uint64_t size)
{
	return gpa >= g->gpa && gpa - g->gpa <= g->size && size <= g->size - (gpa - g->gpa) &&
	       hpa - g->hpa == gpa - g->gpa && hpa >= g->hpa;
}

int audit_leaf(uint64_t gpa, uint64_t hpa, uint64_t size, unsigned int perm, void *ctx)
{
	struct audit_map *m = ctx;

	m->leaves++;
	for (unsigned int i = 0; i < m->n; i++)
		if (granted(&m->g[i], gpa, hpa, size))
			return 0;
	if (!m->bad++) {
		m->first_bad_gpa = gpa;
		m->first_bad_hpa = hpa;
	}
	return 0;
}

bool audit_hits(const struct audit_map *m, uint64_t base, uint64_t size, unsigned int kinds)
{
	for (unsigned int i = 0; i < m->n; i++) {
		const struct audit_grant *g = &m->g[i];

		if ((kinds & (1u << g->kind)) && base < g->hpa + g->size && g->hpa < base + size)
			return true;
	}
	return false;
}
