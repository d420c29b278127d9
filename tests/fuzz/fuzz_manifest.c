// SPDX-License-Identifier: MIT
/* libFuzzer target: the manifest parser must return cleanly on any bytes, with a
 * consistent result when it accepts them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "include/abi/hv_errno.h"
#include "vmm/manifest.h"

static struct manifest m;
static struct manifest_errors errs;

static void check_accepted(void)
{
	char line[MANIFEST_LINE_MAX];

	if (m.npart > MANIFEST_MAX_PARTITIONS || m.nchan > MANIFEST_MAX_CHANNELS)
		abort();
	for (unsigned int i = 0; i < m.nchan; i++)
		if (m.chan[i].frontend >= m.npart || m.chan[i].backend >= m.npart ||
		    m.chan[i].frontend == m.chan[i].backend)
			abort();
	for (unsigned int i = 0; i < m.npart; i++)
		manifest_format_partition(&m, i, line, sizeof(line));
	for (unsigned int i = 0; i < m.nchan; i++)
		manifest_format_channel(&m, i, line, sizeof(line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exactly sized copy, so reads past the end are caught. */
	char *text = malloc(size ? size : 1);
	struct manifest_limits lim = { 4, 1ull << 30 };
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	ret = manifest_parse(text, size, &lim, &m, &errs);
	if (ret == 0)
		check_accepted();
	else if (ret != -HV_EINVAL || errs.n == 0 || errs.n > MANIFEST_MAX_ERRORS)
		abort();
	free(text);
	return 0;
}
