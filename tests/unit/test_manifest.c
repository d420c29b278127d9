/* SPDX-License-Identifier: MIT */
/* Host tests of the manifest parser and plan formatter (vmm/manifest.c), under ASan/UBSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/manifest.h"

#define MIB	0x100000ull

static struct manifest m;
static struct manifest_errors errs;

/* A child with everything required: 4 lines. */
#define CHILD(name)	"[partition " name "]\nrole = child\nmemory = 2M\ncpus = 0\n"
/* The service partition: 4 lines. */
#define SERVICE		"[partition svc]\nrole = service\nmemory = 4M\ncpus = 0\n"

static void dump_errors(void)
{
	for (unsigned int i = 0; i < errs.n; i++)
		print_message("  line %u: %s: %s\n", errs.e[i].line, errs.e[i].field,
			      errs.e[i].reason);
}

/* Parses a copy of exactly len bytes (no NUL after it), so ASan sees any over-read. */
static int parse_n(const char *text, size_t len, unsigned int cpus, uint64_t memory)
{
	struct manifest_limits lim = { cpus, memory };
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	ret = manifest_parse(copy, len, &lim, &m, &errs);
	free(copy);
	assert_true(ret == 0 || ret == -HV_EINVAL);
	assert_true(errs.n <= MANIFEST_MAX_ERRORS);
	assert_int_equal(ret == 0, errs.n == 0);
	return ret;
}

static int parse_lim(const char *text, unsigned int cpus, uint64_t memory)
{
	return parse_n(text, strlen(text), cpus, memory);
}

static void expect_ok(const char *text)
{
	if (parse_lim(text, 4, 0)) {
		dump_errors();
		fail_msg("manifest rejected");
	}
}

/* Exactly one error, at line with field; reason contains why when given. */
static void expect_error_lim(const char *text, unsigned int cpus, uint64_t memory,
			     unsigned int line, const char *field, const char *why)
{
	int ret = parse_lim(text, cpus, memory);

	if (ret != -HV_EINVAL || errs.n != 1 || errs.e[0].line != line ||
	    strcmp(errs.e[0].field, field) || (why && !strstr(errs.e[0].reason, why))) {
		dump_errors();
		fail_msg("want one error: line %u: %s: ...%s...", line, field, why ? why : "");
	}
	assert_int_equal(m.npart, 0);
	assert_int_equal(m.nchan, 0);
}

static void expect_error(const char *text, unsigned int line, const char *field, const char *why)
{
	expect_error_lim(text, 4, 0, line, field, why);
}

/* ---- valid manifests ---- */

static void test_minimal(void **state)
{
	expect_ok("[partition a]\nrole = child\nmemory = 2M\ncpus = 0");
	assert_int_equal(m.npart, 1);
	assert_int_equal(m.nchan, 0);
	assert_int_equal(m.service, -1);
	assert_string_equal(m.part[0].name, "a");
	assert_string_equal(m.part[0].image, "a");	/* defaults to the name */
	assert_string_equal(m.part[0].cmdline, "");
	assert_int_equal(m.part[0].role, MANIFEST_ROLE_CHILD);
	assert_int_equal(m.part[0].memory, 2 * MIB);
	assert_int_equal(m.part[0].vcpus, 1);
	assert_int_equal(m.part[0].cpus, 1);
	assert_int_equal(m.part[0].restart, MANIFEST_RESTART_NEVER);
	assert_int_equal(m.part[0].ndevices, 0);
	assert_false(m.part[0].all_devices);
	assert_int_equal(m.memory_total, 2 * MIB);
}

static const char full[] =
	"# A full manifest: every key.\n"
	"[partition svc]\n"
	"role     = service\n"
	"image    = svc.elf           # the GRUB module\n"
	"memory   = 64M\n"
	"vcpus    = 2\n"
	"cpus     = 0-1\n"
	"devices  = 00:03.0, 0:1f.2,01:00.1\n"
	"restart  = never\n"
	"cmdline  = \"console=hv \\\"q\\\" \\\\ # kept\"   # comment\n"
	"\n"
	"[partition app1]\n"
	"role = child\n"
	"memory = 1G\n"
	"cpus = 2, 3\n"
	"vcpus = 1\n"
	"restart = on-failure\n"
	"[partition app2]\n"
	"\trole\t=\tchild\t\n"
	"memory = 32m\n"
	"cpus = 3\n"
	"restart = always\n"
	"cmdline = plain words here\n"
	"[channel disk0]\n"
	"type     = pvblk\n"
	"frontend = app1\n"
	"backend  = svc\n"
	"ring     = 8K\n"
	"data     = 128K\n"
	"disk     = 0\n"
	"sectors  = 2048-4095\n"
	"readonly = no\n"
	"[channel disk1]\n"
	"type = pvblk\n"
	"frontend = app2\n"
	"backend = svc\n"
	"disk = 0\n"
	"sectors = 4096+4096\n"
	"readonly = yes\n"
	"[channel net0]\n"
	"type = pvnet\n"
	"frontend = app1\n"
	"backend = svc\n"
	"mac = 52:54:00:AB:cd:01\n"
	"[ channel  msg ]   # spaces inside the brackets\n"
	"type = raw\n"
	"frontend = app1\n"
	"backend = app2\n"
	"ring = 1M\n"
	"data = 64M\n";

static void test_full(void **state)
{
	const struct manifest_partition *p;
	const struct manifest_channel *c;

	expect_ok(full);
	assert_int_equal(m.npart, 3);
	assert_int_equal(m.nchan, 4);
	assert_int_equal(m.service, 0);
	p = &m.part[0];
	assert_string_equal(p->image, "svc.elf");
	assert_int_equal(p->role, MANIFEST_ROLE_SERVICE);
	assert_int_equal(p->memory, 64 * MIB);
	assert_int_equal(p->vcpus, 2);
	assert_int_equal(p->cpus, 3);
	assert_false(p->all_devices);
	assert_int_equal(p->ndevices, 3);
	assert_int_equal(p->devices[0], 0x0018);
	assert_int_equal(p->devices[1], 0x00fa);
	assert_int_equal(p->devices[2], 0x0101);
	assert_string_equal(p->cmdline, "console=hv \"q\" \\ # kept");
	p = &m.part[1];
	assert_int_equal(p->memory, 1024 * MIB);
	assert_int_equal(p->cpus, 0xc);
	assert_int_equal(p->vcpus, 1);
	assert_int_equal(p->restart, MANIFEST_RESTART_ON_FAILURE);
	p = &m.part[2];
	assert_int_equal(p->memory, 32 * MIB);
	assert_int_equal(p->restart, MANIFEST_RESTART_ALWAYS);
	assert_string_equal(p->cmdline, "plain words here");
	c = &m.chan[0];
	assert_string_equal(c->name, "disk0");
	assert_int_equal(c->type, MANIFEST_CHAN_PVBLK);
	assert_int_equal(c->frontend, 1);
	assert_int_equal(c->backend, 0);
	assert_int_equal(c->ring, 8192);
	assert_int_equal(c->data, 128 * 1024);
	assert_int_equal(c->sector_first, 2048);
	assert_int_equal(c->sector_last, 4095);
	assert_false(c->readonly);
	c = &m.chan[1];
	assert_int_equal(c->sector_first, 4096);
	assert_int_equal(c->sector_last, 8191);
	assert_true(c->readonly);
	assert_int_equal(c->ring, MANIFEST_RING_PVBLK_DEFAULT);	/* 32 in flight */
	assert_int_equal(c->data, MANIFEST_DATA_DEFAULT);
	c = &m.chan[2];
	assert_int_equal(c->type, MANIFEST_CHAN_PVNET);
	assert_memory_equal(c->mac, ((uint8_t[]){ 0x52, 0x54, 0, 0xab, 0xcd, 1 }), 6);
	c = &m.chan[3];
	assert_string_equal(c->name, "msg");
	assert_int_equal(c->type, MANIFEST_CHAN_RAW);
	assert_int_equal(c->frontend, 1);
	assert_int_equal(c->backend, 2);
	assert_int_equal(c->ring, MIB);
	assert_int_equal(c->data, 64 * MIB);
	assert_int_equal(m.memory_total, (64 + 1024 + 32 + 1 + 64) * MIB +
			 (8 + 128 + (8 + 64) + (4 + 64)) * 1024);
}

static void test_defaults(void **state)
{
	assert_int_equal(parse_lim(SERVICE CHILD("a")
				   "[partition b]\nrole = child\nmemory = 2M\ncpus = 0-11\n"
				   "[channel d]\ntype = pvblk\nfrontend = a\nbackend = svc\n"
				   "disk = 3\n", 12, 0), 0);
	assert_true(m.part[0].all_devices);	/* service with no devices key */
	assert_int_equal(m.part[2].vcpus, MANIFEST_MAX_VCPUS);	/* capped */
	assert_int_equal(m.chan[0].disk, 3);
	assert_int_equal(m.chan[0].sector_first, 0);
	assert_int_equal(m.chan[0].sector_last, MANIFEST_SECTORS_ALL);
	assert_false(m.chan[0].readonly);
}

static void test_line_endings(void **state)
{
	/* CRLF, no final newline, comments, tabs, blank lines with spaces. */
	expect_ok("\r\n  # c\r\n\t\r\n[partition a] # x\r\nrole=child\r\nmemory=2M\r\ncpus=0\r\n"
		  "   \r\ncmdline = \"a b\"\r");
	assert_string_equal(m.part[0].cmdline, "a b");
	expect_ok("[partition a]\nrole=child\nmemory=2M\ncpus=0\ncmdline=\"\"\n");
	assert_string_equal(m.part[0].cmdline, "");
}

static void test_any_order(void **state)
{
	/* Channels may name partitions declared after them; keys come in any order. */
	expect_ok("[channel c]\nbackend = b\nfrontend = a\ntype = raw\n"
		  CHILD("a") "[partition b]\ncpus=1\nmemory=2M\nrole=child\n");
	assert_int_equal(m.chan[0].frontend, 0);
	assert_int_equal(m.chan[0].backend, 1);
}

static void test_service_raw_frontend(void **state)
{
	/* Raw channels may go either way, the service partition included. */
	expect_ok(SERVICE CHILD("a") "[channel c]\ntype = raw\nfrontend = svc\nbackend = a\n");
}

static void test_limits_exact(void **state)
{
	char text[8192];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, SERVICE);
	for (int i = 1; i < MANIFEST_MAX_PARTITIONS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[partition p%d]\nrole=child\nmemory=2M\ncpus=%d\n", i, i);
	for (int i = 0; i < MANIFEST_MAX_CHANNELS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[channel c%d]\ntype=pvnet\nfrontend=p%d\nbackend=svc\n"
				      "mac=02:00:00:00:00:%02x\n", i, 1 + i % 7, i);
	assert_true(n < sizeof(text));
	assert_int_equal(parse_lim(text, 8, 0), 0);
	assert_int_equal(m.npart, MANIFEST_MAX_PARTITIONS);
	assert_int_equal(m.nchan, MANIFEST_MAX_CHANNELS);
	assert_int_equal(m.part[7].cpus, 1u << 7);
	assert_int_equal(m.chan[15].mac[5], 15);
}

static void test_cpu_limits(void **state)
{
	const char *t = "[partition a]\nrole=child\nmemory=2M\ncpus=0,63\nvcpus=2\n";

	assert_int_equal(parse_lim(t, 0, 0), 0);	/* 0: unknown, any of 0..63 */
	assert_int_equal(m.part[0].cpus, 1ull | 1ull << 63);
	assert_int_equal(manifest_vcpu_cpu(&m.part[0], 0), 0);
	assert_int_equal(manifest_vcpu_cpu(&m.part[0], 1), 63);
	assert_int_equal(parse_lim(t, 1000, 0), 0);	/* clamped to 64 */
	expect_error_lim(t, 63, 0, 4, "cpus", "cpu 63 does not exist (CPUs 0 to 62)");
	expect_error_lim("[partition a]\nrole=child\nmemory=2M\ncpus=64\n", 0, 0, 4, "cpus",
			 "cpu 64 does not exist");
	expect_error_lim("[partition a]\nrole=child\nmemory=2M\ncpus=1-2\n", 2, 0, 4, "cpus",
			 "cpu 2 does not exist (CPUs 0 to 1)");
}

static void test_memory_fits(void **state)
{
	const char *t = SERVICE CHILD("a") "[channel c]\ntype=raw\nfrontend=a\nbackend=svc\n"
			"ring=4K\ndata=60K\n";

	assert_int_equal(parse_lim(t, 1, 6 * MIB + 64 * 1024), 0);
	assert_int_equal(m.memory_total, 6 * MIB + 64 * 1024);
	/* One byte short: the channel, last in the file, goes over. */
	expect_error_lim(t, 1, 6 * MIB + 64 * 1024 - 1, 9, "memory", "more than the");
	/* The child goes over: its memory line. */
	expect_error_lim(t, 1, 5 * MIB, 7, "memory", "6M needed up to here");
}

/* ---- each error class: its line and field ---- */

static void test_syntax_errors(void **state)
{
	expect_error("role = child\n" CHILD("a"), 1, "role", "outside a section");
	expect_error(CHILD("a") "memory\n", 5, "memory", "expected 'key = value'");
	expect_error(CHILD("a") "= 3\n", 5, "line", "expected 'key = value'");
	expect_error(CHILD("a") "mem ory = 3\n", 5, "mem", "expected 'key = value'");
	expect_error(CHILD("a") "colour = red\n", 5, "colour", "unknown key in a partition");
	expect_error(CHILD("a") "memory = 2M\n", 5, "memory", "set twice (first at line 3)");
	expect_error(CHILD("a") "image =   # nothing\n", 5, "image", "missing value");
	expect_error(CHILD("a") "cmdline = \"abc\n", 5, "cmdline", "missing closing quote");
	expect_error(CHILD("a") "cmdline = \"a\\nb\"\n", 5, "cmdline", "escapes");
	expect_error(CHILD("a") "cmdline = \"a\" b\n", 5, "cmdline", "text after the closing");
	expect_error("\n[partition a\nrole=child\n" CHILD("b"), 2, "section", "missing ']'");
	expect_error("[partition a] x\n" CHILD("b"), 1, "section", "text after ']'");
	expect_error(CHILD("b") "[partition a b]\n", 5, "section", "expected [partition NAME]");
	expect_error(CHILD("b") "[domain a]\nrole=child\n", 5, "section", "unknown section 'domain'");
	expect_error(CHILD("b") "[]\n", 5, "section", "unknown section ''");
}

static void test_names(void **state)
{
	expect_error("[partition]\nrole=child\nmemory=2M\ncpus=0\n", 1, "name", "missing name");
	expect_error("[partition 1a]\nrole=child\nmemory=2M\ncpus=0\n", 1, "name",
		     "starts with a letter");
	expect_error("[partition a.b]\nrole=child\nmemory=2M\ncpus=0\n", 1, "name",
		     "only letters");
	expect_error("[partition abcdefghijklmnopqrstuvwxyz012345]\nrole=child\nmemory=2M\n"
		     "cpus=0\n", 1, "name", "at most 31");
	expect_ok("[partition abcdefghijklmnopqrstuvwxyz01234]\nrole=child\nmemory=2M\ncpus=0\n");
	expect_error(CHILD("a") CHILD("a"), 5, "name", "a second partition with this name (first at line 1)");
	expect_error(CHILD("a") "[channel c]\ntype=raw\nfrontend=a\nbackend=b\n" CHILD("b")
		     "[channel c]\ntype=raw\nfrontend=b\nbackend=a\n", 13, "name",
		     "a second channel");
	/* A partition and a channel may share a name. */
	expect_ok(CHILD("a") CHILD("b") "[channel a]\ntype=raw\nfrontend=a\nbackend=b\n");
}

static void test_missing(void **state)
{
	expect_error("[partition a]\nmemory=2M\ncpus=0\n", 1, "role", "missing (required)");
	expect_error("[partition a]\nrole=child\ncpus=0\n", 1, "memory", "missing (required)");
	expect_error("[partition a]\nrole=child\nmemory=2M\n", 1, "cpus", "missing (required)");
	expect_error(CHILD("a") CHILD("b") "[channel c]\nfrontend=a\nbackend=b\n", 9, "type",
		     "missing");
	expect_error(CHILD("a") CHILD("b") "[channel c]\ntype=raw\nbackend=b\n", 9, "frontend",
		     "missing");
	expect_error(CHILD("a") CHILD("b") "[channel c]\ntype=raw\nfrontend=a\n", 9, "backend",
		     "missing");
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=pvblk\nfrontend=a\nbackend=svc\n", 9,
		     "disk", "missing");
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=pvnet\nfrontend=a\nbackend=svc\n", 9,
		     "mac", "missing");
	expect_error_lim("", 4, 0, 0, "partition", "no partitions");
	expect_error_lim("# only a comment\n\n", 4, 0, 0, "partition", "no partitions");
}

static void test_partition_values(void **state)
{
	expect_error(CHILD("a") "role = root\n", 5, "role", "set twice");
	expect_error("[partition a]\nrole = root\nmemory=2M\ncpus=0\n", 2, "role",
		     "expected service or child, not 'root'");
	expect_error(CHILD("a") "image = a/b\n", 5, "image", "module name");
	expect_error(CHILD("a") "image = \"\"\n", 5, "image", "1 to 63");
	expect_error(CHILD("a") "image = a123456789012345678901234567890123456789012345678901234567890123\n",
		     5, "image", "1 to 63");
	expect_error("[partition a]\nrole=child\nmemory=3M\ncpus=0\n", 3, "memory",
		     "3M is not a positive multiple of 2M");
	expect_error("[partition a]\nrole=child\nmemory=0\ncpus=0\n", 3, "memory", "not a positive");
	expect_error("[partition a]\nrole=child\nmemory=4097K\ncpus=0\n", 3, "memory",
		     "4097K is not");
	expect_error("[partition a]\nrole=child\nmemory=128G\ncpus=0\n", 3, "memory",
		     "128G is more than the 64G");
	expect_error("[partition a]\nrole=child\nmemory=2MB\ncpus=0\n", 3, "memory",
		     "expected a size like 64M");
	expect_error("[partition a]\nrole=child\nmemory=-2M\ncpus=0\n", 3, "memory",
		     "expected a size");
	expect_error("[partition a]\nrole=child\nmemory=99999999999999999999999999G\ncpus=0\n", 3,
		     "memory", "too large");
	expect_error("[partition a]\nrole=child\nmemory=1048577M\ncpus=0\n", 3, "memory",
		     "too large");
	expect_error(CHILD("a") "vcpus = 0\n", 5, "vcpus", "out of range (1 to 8)");
	expect_error(CHILD("a") "vcpus = 9\n", 5, "vcpus", "out of range");
	expect_error(CHILD("a") "vcpus = 18446744073709551617\n", 5, "vcpus", "out of range");
	expect_error(CHILD("a") "vcpus = two\n", 5, "vcpus", "expected a number");
	expect_error(CHILD("a") "vcpus = 2\n", 5, "vcpus", "2 vCPUs but cpus lists 1 CPUs");
	expect_error(CHILD("a") "restart = sometimes\n", 5, "restart", "expected never");
	expect_error(CHILD("a") "cmdline = \"caf\xc3\xa9\"\n", 5, "cmdline", "printable ASCII");
}

static void test_cpus(void **state)
{
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=3-1\n", 4, "cpus",
		     "range 3-1 is backwards");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=0-2,1\n", 4, "cpus",
		     "cpu 1 is listed twice");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=0,,1\n", 4, "cpus",
		     "expected CPU numbers");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=0,\n", 4, "cpus", "expected CPU");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=0 1\n", 4, "cpus", "expected CPU");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=99999999999\n", 4, "cpus",
		     "expected CPU");
	expect_error("[partition a]\nrole=child\nmemory=2M\ncpus=x\n", 4, "cpus", "expected CPU");
	expect_ok("[partition a]\nrole=child\nmemory=2M\ncpus= 0 , 2-3 \n");
	assert_int_equal(m.part[0].cpus, 0xd);
	assert_int_equal(m.part[0].vcpus, 3);
	assert_int_equal(manifest_vcpu_cpu(&m.part[0], 1), 2);
}

static void test_devices(void **state)
{
	/* Any partition may own devices, each device one partition. */
	expect_ok(CHILD("a") "devices = 00:03.0\n");
	expect_error(SERVICE "devices = 00:04.0, 00:03.0\n" CHILD("a") "devices = 00:03.0\n", 10,
		     "devices", "00:03.0 already belongs to the partition of line 1");
	expect_error(CHILD("a") "iommu = optional\n", 5, "iommu", "no DMA to isolate");
	expect_error(CHILD("a") "devices = 00:03.0\niommu = maybe\n", 6, "iommu",
		     "expected required or optional");
	expect_error(SERVICE "devices = 00:20.0\n", 5, "devices", "bus:device.function");
	expect_error(SERVICE "devices = 00:03.8\n", 5, "devices", "bus:device.function");
	expect_error(SERVICE "devices = 100:03.0\n", 5, "devices", "bus:device.function");
	expect_error(SERVICE "devices = 00:03\n", 5, "devices", "bus:device.function");
	expect_error(SERVICE "devices = 00:03.0;00:04.0\n", 5, "devices", "bus:device.function");
	expect_error(SERVICE "devices = 00:03.0, 00:1f.2, 0:3.0\n", 5, "devices",
		     "00:03.0 is listed twice");
	expect_error(SERVICE "devices = 0:1.0,0:2.0,0:3.0,0:4.0,0:5.0,0:6.0,0:7.0,0:8.0,0:9.0,"
		     "0:a.0,0:b.0,0:c.0,0:d.0,0:e.0,0:f.0,0:10.0,0:11.0\n", 5, "devices",
		     "more than 16 devices");
}

/* iommu: required by default for a child with devices, optional for the service. */
static void test_iommu_default(void **state)
{
	assert_int_equal(parse_lim(SERVICE CHILD("a") "devices = 00:03.0\n" CHILD("b")
				   "devices = 00:05.0\niommu = optional\n", 4, 0), 0);
	assert_false(m.part[0].iommu_required);
	assert_true(m.part[0].all_devices);
	assert_true(m.part[1].iommu_required);
	assert_false(m.part[1].all_devices);
	assert_false(m.part[2].iommu_required);
	assert_int_equal(parse_lim(SERVICE "iommu = required\n", 4, 0), 0);
	assert_true(m.part[0].iommu_required);
}

static void test_roles(void **state)
{
	expect_error(SERVICE "[partition s2]\nrole = service\nmemory=2M\ncpus=0\n", 6, "role",
		     "a second service partition (first: line 1)");
	expect_error(SERVICE "restart = always\n", 5, "restart", "never restarted");
	expect_error(SERVICE "restart = on-failure\n", 5, "restart", "never restarted");
	expect_ok(SERVICE "restart = never\n");
}

static void test_channel_values(void **state)
{
#define ENDS	SERVICE CHILD("a") "[channel c]\nfrontend=a\nbackend=svc\n"	/* 11 lines */
	expect_error(ENDS "type = pipe\n", 12, "type", "expected pvblk, pvnet or raw");
	expect_error(ENDS "type = raw\nring = 3K\n", 13, "ring", "3K is not a power of two");
	expect_error(ENDS "type = raw\nring = 2K\n", 13, "ring", "power of two");
	expect_error(ENDS "type = raw\nring = 2M\n", 13, "ring", "power of two");
	expect_error(ENDS "type = raw\ndata = 0\n", 13, "data", "multiple of 4K");
	expect_error(ENDS "type = raw\ndata = 6K\n", 13, "data", "multiple of 4K");
	expect_error(ENDS "type = raw\ndata = 128M\n", 13, "data", "to 64M");
	expect_error(ENDS "type = pvblk\ndisk = 256\n", 13, "disk", "out of range (0 to 255)");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 10\n", 14, "sectors", "FIRST-LAST");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 10-\n", 14, "sectors", "FIRST-LAST");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 10-5\n", 14, "sectors", "backwards");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 10+0\n", 14, "sectors", "0 sectors");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 281474976710656-281474976710657\n", 14,
		     "sectors", "FIRST-LAST");
	expect_error(ENDS "type = pvblk\ndisk=0\nsectors = 281474976710655+2\n", 14, "sectors",
		     "past sector 2^48-1");
	expect_ok(ENDS "type = pvblk\ndisk=0\nsectors = 281474976710655+1\n");
	expect_error(ENDS "type = pvblk\ndisk=0\nreadonly = maybe\n", 14, "readonly",
		     "expected yes or no");
	expect_error(ENDS "type = pvnet\nmac = 52:54:00:12:34\n", 13, "mac", "expected a MAC");
	expect_error(ENDS "type = pvnet\nmac = 52:54:00:12:34:567\n", 13, "mac", "expected a MAC");
	expect_error(ENDS "type = pvnet\nmac = 52:54:00:12:3:56\n", 13, "mac", "expected a MAC");
	expect_error(ENDS "type = pvnet\nmac = 52-54-00-12-34-56\n", 13, "mac", "expected a MAC");
	expect_error(ENDS "type = pvnet\nmac = 01:00:5e:00:00:01\n", 13, "mac", "multicast");
	expect_error(ENDS "type = pvnet\nmac = 00:00:00:00:00:00\n", 13, "mac", "all-zero");
	expect_error(ENDS "type = raw\ndisk = 0\n", 13, "disk", "only for pvblk channels");
	expect_error(ENDS "type = pvnet\nmac=02:00:00:00:00:01\nsectors = 0-1\n", 14, "sectors",
		     "only for pvblk");
	expect_error(ENDS "type = pvblk\ndisk=0\nmac = 02:00:00:00:00:01\n", 14, "mac",
		     "only for pvnet channels");
	expect_error(ENDS "type = raw\nreadonly = yes\n", 13, "readonly", "only for pvblk");
	expect_error(ENDS "type = raw\nfrontend = a\n", 13, "frontend", "set twice");
#undef ENDS
}

static void test_channel_ends(void **state)
{
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=raw\nfrontend=a\nbackend=nobody\n", 12,
		     "backend", "no partition named 'nobody'");
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=raw\nfrontend=x-y\nbackend=a\n", 11,
		     "frontend", "no partition named 'x-y'");
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=raw\nfrontend=a b\nbackend=a\n", 11,
		     "frontend", "only letters");
	expect_error(SERVICE CHILD("a") "[channel c]\ntype=raw\nfrontend=a\nbackend=a\n", 12,
		     "backend", "the same partition as the front end");
	expect_error(SERVICE CHILD("a") CHILD("b")
		     "[channel c]\ntype=pvblk\nfrontend=a\nbackend=b\ndisk=0\n", 16, "backend",
		     "back end of a pvblk channel is the service partition");
	/* The service partition as a pvnet front end: both ends are wrong, both reported. */
	assert_int_equal(parse_lim(SERVICE CHILD("a")
				   "[channel c]\ntype=pvnet\nfrontend=svc\nbackend=a\n"
				   "mac=02:00:00:00:00:01\n", 1, 0), -HV_EINVAL);
	assert_int_equal(errs.n, 2);
	assert_int_equal(errs.e[0].line, 11);
	assert_non_null(strstr(errs.e[0].reason, "cannot be a pvnet front end"));
	assert_int_equal(errs.e[1].line, 12);
	assert_string_equal(errs.e[1].field, "backend");
}

#define DISK(name, front, slice, ro)							\
	"[channel " name "]\ntype=pvblk\nfrontend=" front "\nbackend=svc\ndisk=0\n"	\
	"sectors=" slice "\nreadonly=" ro "\n"	/* 7 lines */

static void test_slices(void **state)
{
	/* Adjacent: fine. Overlapping: the later one is reported at its sectors line. */
	expect_ok(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "0-99", "no")
		  DISK("d1", "b", "100+100", "no"));
	expect_error(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "0-99", "no")
		     DISK("d1", "b", "99+100", "no"), 25, "sectors",
		     "overlaps channel 'd0' (line 13) on disk 0");
	/* Shared read-only: fine; read-only against writable: not. */
	expect_ok(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "0-99", "yes")
		  DISK("d1", "b", "50-149", "yes"));
	expect_error(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "0-99", "yes")
		     DISK("d1", "b", "50-149", "no"), 25, "sectors", "overlaps");
	/* Other disk: fine. */
	expect_ok(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "0-99", "no")
		  "[channel d1]\ntype=pvblk\nfrontend=b\nbackend=svc\ndisk=1\nsectors=0-99\n");
	/* A whole disk overlaps any slice of it: reported at the header. */
	expect_error(SERVICE CHILD("a") CHILD("b") DISK("d0", "a", "1000-1999", "no")
		     "[channel d1]\ntype=pvblk\nfrontend=b\nbackend=svc\ndisk=0\n", 20,
		     "sectors", "overlaps channel 'd0'");
}

static void test_macs(void **state)
{
	expect_error(SERVICE CHILD("a") CHILD("b")
		     "[channel n0]\ntype=pvnet\nfrontend=a\nbackend=svc\nmac=02:00:00:00:00:01\n"
		     "[channel n1]\ntype=pvnet\nfrontend=b\nbackend=svc\nmac=02:00:00:00:00:01\n",
		     22, "mac", "the MAC of channel 'n0' (line 13)");
}

static void test_too_many(void **state)
{
	char text[8192];
	size_t n = 0;

	for (int i = 0; i <= MANIFEST_MAX_PARTITIONS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[partition p%d]\nrole=child\nmemory=2M\ncpus=0\n", i);
	expect_error(text, 33, "partition", "more than 8 partitions");
	n = (size_t)snprintf(text, sizeof(text), CHILD("a") CHILD("b"));
	for (int i = 0; i <= MANIFEST_MAX_CHANNELS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[channel c%d]\ntype=raw\nfrontend=a\nbackend=b\n", i);
	expect_error(text, 9 + 4 * MANIFEST_MAX_CHANNELS, "channel", "more than 16 channels");
	/* The dropped section's keys are still checked. */
	n += (size_t)snprintf(text + n, sizeof(text) - n, "colour = red\n");
	assert_int_equal(parse_lim(text, 1, 0), -HV_EINVAL);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.e[1].field, "colour");
}

static void test_control_bytes(void **state)
{
	static const char nul[] = "[partition a]\nrole=child\nmemory=2M\0\ncpus=0\n";

	assert_int_equal(parse_n(nul, sizeof(nul) - 1, 1, 0), -HV_EINVAL);
	assert_int_equal(errs.n, 2);	/* the NUL line, then memory missing */
	assert_int_equal(errs.e[0].line, 1);
	assert_string_equal(errs.e[0].field, "memory");
	assert_int_equal(errs.e[1].line, 3);
	assert_string_equal(errs.e[1].field, "line");
	assert_non_null(strstr(errs.e[1].reason, "0x00"));
	expect_error(CHILD("a") "image = a\rb\n", 5, "line", "control character 0x0d");
	expect_error(CHILD("a") "image = a\x1b[0m\n", 5, "line", "0x1b");
	expect_error(CHILD("a") "image = a\x7f\n", 5, "line", "0x7f");
	/* Bytes above 0x7f only where a value's own check refuses them. */
	expect_ok(CHILD("a") "# caf\xc3\xa9\n");
	expect_error(CHILD("a") "image = caf\xc3\xa9\n", 5, "image", "module name");
	expect_error(CHILD("\xc3\xa9"), 1, "name", "starts with a letter");
}

static void test_long_input(void **state)
{
	static char t[MANIFEST_TEXT_MAX + 2];
	size_t big = MANIFEST_TEXT_MAX - 100;
	int n;

	/* One very long value, name and key. */
	n = snprintf(t, 64, CHILD("a") "cmdline = ");
	memset(t + n, 'x', big);
	strcpy(t + n + big, "\n");
	expect_error(t, 5, "cmdline", "value longer than 255");
	n = snprintf(t, 64, "[partition ");
	memset(t + n, 'x', big);
	strcpy(t + n + big, "]\nrole=child\nmemory=2M\ncpus=0\n");
	expect_error(t, 1, "name", "at most 31");
	n = snprintf(t, 64, CHILD("a"));
	memset(t + n, 'k', big);
	strcpy(t + n + big, " = 1\n");
	expect_error(t, 5, "kkkkkkkkkkkkkkkkkkkkkkk", "unknown key");
	n = snprintf(t, 64, CHILD("a") "cmdline = \"");
	memset(t + n, 'x', big);
	strcpy(t + n + big, "\"\n");
	expect_error(t, 5, "cmdline", "value longer than 255");
	/* A 255-character value is taken; the cmdline check then says 127. */
	n = snprintf(t, 64, CHILD("a") "cmdline = ");
	memset(t + n, 'x', 255);
	strcpy(t + n + 255, "\n");
	expect_error(t, 5, "cmdline", "longer than 127");
	n = snprintf(t, 64, CHILD("a") "cmdline = ");
	memset(t + n, 'x', 127);
	strcpy(t + n + 127, "\n");
	expect_ok(t);
	assert_int_equal(strlen(m.part[0].cmdline), 127);
	/* Too large as a whole. */
	memset(t, '#', MANIFEST_TEXT_MAX + 1);
	assert_int_equal(parse_n(t, MANIFEST_TEXT_MAX + 1, 1, 0), -HV_EINVAL);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.e[0].line, 0);
	assert_string_equal(errs.e[0].field, "manifest");
}

static void test_many_errors(void **state)
{
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), CHILD("a"));

	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bad%d = 1\n", i);
	assert_int_equal(parse_lim(text, 1, 0), -HV_EINVAL);
	assert_int_equal(errs.n, MANIFEST_MAX_ERRORS);
	assert_int_equal(errs.dropped, 40 - MANIFEST_MAX_ERRORS);
	assert_int_equal(errs.e[0].line, 5);
	assert_int_equal(errs.e[15].line, 20);
	assert_string_equal(errs.e[15].field, "bad15");
}

static void test_sorted(void **state)
{
	/* Errors found at a section's end or across sections come back in line order. */
	assert_int_equal(parse_lim("[partition a]\nmemory=2M\ncpus=0\nvcpus=0\n"
				   "[channel c]\ntype=raw\nfrontend=a\nbackend=zz\nbogus=1\n", 1, 0),
			 -HV_EINVAL);
	assert_int_equal(errs.n, 4);
	assert_int_equal(errs.e[0].line, 1);	/* role missing */
	assert_int_equal(errs.e[1].line, 4);	/* vcpus */
	assert_int_equal(errs.e[2].line, 8);	/* backend unknown */
	assert_int_equal(errs.e[3].line, 9);	/* bogus */
}

static void test_bad_args(void **state)
{
	struct manifest_limits lim = { 1, 0 };

	assert_int_equal(manifest_parse(NULL, 1, &lim, &m, &errs), -HV_EINVAL);
	assert_int_equal(manifest_parse("", 0, NULL, &m, &errs), -HV_EINVAL);
	assert_int_equal(manifest_parse("", 0, &lim, NULL, &errs), -HV_EINVAL);
	assert_int_equal(manifest_parse("", 0, &lim, &m, NULL), -HV_EINVAL);
	assert_int_equal(manifest_parse(NULL, 0, &lim, &m, &errs), -HV_EINVAL);	/* no partitions */
	assert_int_equal(errs.n, 1);
}

static void test_parse_size(void **state)
{
	uint64_t v;

	assert_int_equal(manifest_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(manifest_parse_size("4k", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(manifest_parse_size("64M", &v), 0);
	assert_int_equal(v, 64 * MIB);
	assert_int_equal(manifest_parse_size("1024G", &v), 0);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(manifest_parse_size("1025G", &v), -HV_ERANGE);
	assert_int_equal(manifest_parse_size("99999999999999999999999", &v), -HV_ERANGE);
	assert_int_equal(manifest_parse_size("", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("M", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4 M", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4MM", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4Kk", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4KM", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4kK", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("4T", &v), -HV_EINVAL);
	assert_int_equal(manifest_parse_size("0x10", &v), -HV_EINVAL);
}

/* ---- the plan ---- */

struct lines {
	int n;
	char text[16][MANIFEST_LINE_MAX];
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	assert_true(l->n < 16);
	assert_true(strlen(line) < MANIFEST_LINE_MAX);
	strcpy(l->text[l->n++], line);
}

static void test_plan(void **state)
{
	static struct lines l;

	expect_ok(full);
	manifest_plan(&m, collect, &l);
	assert_int_equal(l.n, 1 + 3 + 4);
	assert_string_equal(l.text[0], "manifest: 3 partitions, 4 channels, service svc, "
			    "memory 1213716K");
	assert_string_equal(l.text[1], "partition svc: service image=svc.elf memory=64M vcpus=2 "
			    "cpus=0-1 devices=00:03.0,00:1f.2,01:00.1 restart=never "
			    "cmdline=\"console=hv \\\"q\\\" \\\\ # kept\"");
	assert_string_equal(l.text[2], "partition app1: child image=app1 memory=1G vcpus=1 "
			    "cpus=2-3 restart=on-failure");
	assert_string_equal(l.text[3], "partition app2: child image=app2 memory=32M vcpus=1 "
			    "cpus=3 restart=always cmdline=\"plain words here\"");
	assert_string_equal(l.text[4], "channel disk0: pvblk app1 -> svc ring=8K data=128K "
			    "disk=0 sectors=2048-4095 rw");
	assert_string_equal(l.text[5], "channel disk1: pvblk app2 -> svc ring=8K data=64K "
			    "disk=0 sectors=4096-8191 ro");
	assert_string_equal(l.text[6], "channel net0: pvnet app1 -> svc ring=4K data=64K "
			    "mac=52:54:00:ab:cd:01");
	assert_string_equal(l.text[7], "channel msg: raw app1 -> app2 ring=1M data=64M");
	expect_ok(SERVICE CHILD("a") "[channel d]\ntype=pvblk\nfrontend=a\nbackend=svc\ndisk=2\n");
	l.n = 0;
	manifest_plan(&m, collect, &l);
	assert_string_equal(l.text[0], "manifest: 2 partitions, 1 channel, service svc, "
			    "memory 6216K");
	assert_string_equal(l.text[1], "partition svc: service image=svc memory=4M vcpus=1 "
			    "cpus=0 devices=all restart=never");
	assert_string_equal(l.text[3], "channel d: pvblk a -> svc ring=8K data=64K disk=2 "
			    "sectors=all rw");
	expect_ok(CHILD("a"));
	l.n = 0;
	manifest_plan(&m, collect, &l);
	assert_string_equal(l.text[0], "manifest: 1 partition, 0 channels, no service, "
			    "memory 2M");
}

static void test_format_bounds(void **state)
{
	char buf[16];
	size_t n;

	expect_ok(full);
	memset(buf, 'z', sizeof(buf));
	n = manifest_format_channel(&m, 3, buf, 10);
	assert_int_equal(n, strlen("channel msg: raw app1 -> app2 ring=1M data=64M"));
	assert_string_equal(buf, "channel m");
	assert_int_equal(buf[10], 'z');
	assert_int_equal(manifest_format_channel(&m, 3, buf, 0), n);
	assert_int_equal(buf[0], 'c');
	assert_int_equal(manifest_format_channel(&m, 4, buf, sizeof(buf)), 0);	/* no such */
	assert_string_equal(buf, "");
	assert_int_equal(manifest_format_partition(&m, 1000, buf, sizeof(buf)), 0);
	assert_int_equal(manifest_find_partition(&m, "app2"), 2);
	assert_int_equal(manifest_find_partition(&m, "app"), -HV_ENOENT);
}

/* The longest plan line there can be still fits MANIFEST_LINE_MAX. */
static void test_longest_line(void **state)
{
	static char text[4096], line[MANIFEST_LINE_MAX + 64];
	size_t n = 0, len;

	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "[partition abcdefghijklmnopqrstuvwxyz01234]\nrole=service\n"
			      "memory=65534M\ncpus=0,2,4,6,8,10,12,14,16,18,20,22,24,26,28,30,32,"
			      "34,36,38,40,42,44,46,48,50,52,54,56,58,60,62\nrestart=never\n"
			      "image=");
	for (int i = 0; i < 63; i++)
		text[n++] = 'i';
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\ndevices=");
	for (int i = 0; i < MANIFEST_MAX_DEVICES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sff:%02x.7", i ? "," : "",
				      0x10 + i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\ncmdline=\"");
	for (int i = 0; i < 127; i++) {
		text[n++] = '\\';
		text[n++] = '"';
	}
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\"\n");
	assert_int_equal(parse_lim(text, 64, 0), 0);
	len = manifest_format_partition(&m, 0, line, sizeof(line));
	print_message("longest partition line: %zu characters\n", len);
	assert_true(len < MANIFEST_LINE_MAX);
	assert_int_equal(strlen(line), len);
}

/* ---- robustness: random mutations of a valid manifest must return cleanly ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static size_t mutate(char *t, size_t len, size_t cap)
{
	static const char interesting[] = "[]=#\"\\\n\r\t ,-+:.0123456789KMG\0\x80\xff";
	size_t at = len ? rnd() % len : 0;
	char c = (rnd() & 1) ? (char)rnd() : interesting[rnd() % (sizeof(interesting) - 1)];

	switch (rnd() % 5) {
	case 0:		/* replace a byte */
		if (len)
			t[at] = c;
		return len;
	case 1:		/* insert a byte */
		if (len + 1 > cap)
			return len;
		memmove(t + at + 1, t + at, len - at);
		t[at] = c;
		return len + 1;
	case 2:		/* delete a run */
		if (!len)
			return len;
		{
			size_t k = 1 + rnd() % 8;

			k = k > len - at ? len - at : k;
			memmove(t + at, t + at + k, len - at - k);
			return len - k;
		}
	case 3:		/* duplicate a run (a line, a section) */
		{
			size_t k = 1 + rnd() % 64;

			k = k > len - at ? len - at : k;
			if (len + k > cap)
				return len;
			memmove(t + at + k, t + at, len - at);
			return len + k;
		}
	default:	/* cut */
		return at;
	}
}

static void check_clean(void)
{
	char line[MANIFEST_LINE_MAX];

	for (unsigned int i = 0; i < errs.n; i++) {
		assert_true(memchr(errs.e[i].field, 0, sizeof(errs.e[i].field)) != NULL);
		assert_true(memchr(errs.e[i].reason, 0, sizeof(errs.e[i].reason)) != NULL);
		assert_true(errs.e[i].field[0] != 0);
		assert_true(errs.e[i].reason[0] != 0);
		if (i)
			assert_true(errs.e[i - 1].line <= errs.e[i].line);
	}
	if (errs.n)
		return;
	assert_true(m.npart >= 1 && m.npart <= MANIFEST_MAX_PARTITIONS);
	assert_true(m.nchan <= MANIFEST_MAX_CHANNELS);
	for (unsigned int i = 0; i < m.nchan; i++) {
		assert_true(m.chan[i].frontend < m.npart && m.chan[i].backend < m.npart);
		assert_true(m.chan[i].frontend != m.chan[i].backend);
		assert_true(manifest_format_channel(&m, i, line, sizeof(line)) < sizeof(line));
	}
	for (unsigned int i = 0; i < m.npart; i++) {
		assert_true(m.part[i].vcpus >= 1 && m.part[i].vcpus <= MANIFEST_MAX_VCPUS);
		assert_true(m.part[i].memory && m.part[i].memory % MANIFEST_MEM_ALIGN == 0);
		assert_true(manifest_format_partition(&m, i, line, sizeof(line)) < sizeof(line));
	}
}

static void test_fuzz(void **state)
{
	static char t[8192];
	int accepted = 0;

	for (int round = 0; round < 20000; round++) {
		size_t len = sizeof(full) - 1;
		int nmut = 1 + (int)(rnd() % 6);

		memcpy(t, full, len);
		for (int k = 0; k < nmut; k++)
			len = mutate(t, len, sizeof(t));
		accepted += parse_n(t, len, 1 + rnd() % 8, (rnd() & 1) ? 0 : (uint64_t)rnd() << 8) == 0;
		check_clean();
	}
	print_message("fuzz: %d of 20000 mutants accepted\n", accepted);
}

/* Lines built from the manifest's own words: more of them get past the syntax. */
static void test_token_soup(void **state)
{
	static const char *const tok[] = {
		"[partition ", "[channel ", "]", "\n", "\n", "\n", " = ", "=", "a", "b", "svc",
		"role", "service", "child", "memory", "2M", "64M", "cpus", "0", "0-3", ",",
		"vcpus", "2", "devices", "00:03.0", "restart", "always", "cmdline", "\"x y\"",
		"image", "type", "pvblk", "pvnet", "raw", "frontend", "backend", "ring", "4K",
		"data", "disk", "sectors", "0-99", "10+5", "readonly", "yes", "mac",
		"02:00:00:00:00:01", "# c", "\r\n", "\t", "\"", "\\",
	};
	static char t[4096];
	int accepted = 0;

	for (int round = 0; round < 20000; round++) {
		size_t len = 0;
		int ntok = (int)(rnd() % 200);

		for (int k = 0; k < ntok; k++) {
			const char *w = tok[rnd() % (sizeof(tok) / sizeof(tok[0]))];
			size_t n = strlen(w);

			if (len + n > sizeof(t))
				break;
			memcpy(t + len, w, n);
			len += n;
		}
		accepted += parse_n(t, len, 1 + rnd() % 8, (rnd() & 1) ? 0 : (uint64_t)rnd() << 8) == 0;
		check_clean();
	}
	print_message("token soup: %d of 20000 accepted\n", accepted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_service_raw_frontend),
		cmocka_unit_test(test_limits_exact),
		cmocka_unit_test(test_cpu_limits),
		cmocka_unit_test(test_memory_fits),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_partition_values),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_iommu_default),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_channel_values),
		cmocka_unit_test(test_channel_ends),
		cmocka_unit_test(test_slices),
		cmocka_unit_test(test_macs),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_control_bytes),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_format_bounds),
		cmocka_unit_test(test_longest_line),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_token_soup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
