/* SPDX-License-Identifier: MIT */
/* hvcheck: checks a partition manifest before boot, with the hypervisor's own parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/abi/hv_errno.h"
#include "vmm/manifest.h"

static const char usage[] =
	"usage: hvcheck [--cpus N] [--memory SIZE] FILE\n"
	"  Checks a partition manifest (docs/manifest.md). Prints the plan and exits 0, or\n"
	"  prints each error as FILE:LINE: FIELD: REASON and exits 1 (2: bad usage).\n"
	"  --cpus N       the machine has CPUs 0..N-1 (default: any of 0..63)\n"
	"  --memory SIZE  memory for partitions and channels, like 256M (default: unchecked)\n"
	"  FILE           the manifest; - reads standard input\n";

static void print_line(void *ctx, const char *line)
{
	fprintf((FILE *)ctx, "%s\n", line);
}

/* Reads at most MANIFEST_TEXT_MAX + 1 bytes: one more tells the parser it is too large. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = MANIFEST_TEXT_MAX + 1, n = 0, got;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && n < cap && (got = fread(buf + n, 1, cap - n, f)) > 0)
		n += got;
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static int parse_args(int argc, char **argv, struct manifest_limits *lim, const char **file)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (!strcmp(a, "--cpus") && i + 1 < argc) {
			unsigned long n = strtoul(argv[++i], &end, 10);

			if (*end || !argv[i][0] || n < 1 || n > MANIFEST_MAX_CPUS)
				return -1;
			lim->cpus = (unsigned int)n;
		} else if (!strcmp(a, "--memory") && i + 1 < argc) {
			if (manifest_parse_size(argv[++i], &lim->memory) || !lim->memory)
				return -1;
		} else if (!*file && (a[0] != '-' || !strcmp(a, "-"))) {
			*file = a;
		} else {
			return -1;
		}
	}
	return *file ? 0 : -1;
}

static void print_errors(const char *file, const struct manifest_errors *errs)
{
	for (unsigned int i = 0; i < errs->n; i++) {
		const struct manifest_error *e = &errs->e[i];

		if (e->line)
			fprintf(stderr, "%s:%u: %s: %s\n", file, e->line, e->field, e->reason);
		else
			fprintf(stderr, "%s: %s: %s\n", file, e->field, e->reason);
	}
	if (errs->dropped)
		fprintf(stderr, "%s: %u more errors not shown\n", file, errs->dropped);
}

int main(int argc, char **argv)
{
	struct manifest_limits lim = { 0, 0 };
	static struct manifest m;
	static struct manifest_errors errs;
	const char *file = NULL;
	size_t len;
	char *text;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (parse_args(argc, argv, &lim, &file)) {
		fputs(usage, stderr);
		return 2;
	}
	text = read_all(file, &len);
	if (!text) {
		fprintf(stderr, "%s: cannot read: %s\n", file, strerror(errno));
		return 1;
	}
	if (manifest_parse(text, len, &lim, &m, &errs)) {
		print_errors(file, &errs);
		free(text);
		return 1;
	}
	free(text);
	manifest_plan(&m, print_line, stdout);
	return 0;
}
