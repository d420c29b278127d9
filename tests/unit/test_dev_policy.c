/* SPDX-License-Identifier: MIT */
/* Which partition owns each PCI function (vmm/dev_policy.c), on manifests parsed for real. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "include/abi/hv_errno.h"
#include "vmm/dev_policy.h"

static struct manifest m;
static struct manifest_errors errs;

static void parse(const char *text)
{
	struct manifest_limits lim = { 4, 0 };

	assert_int_equal(manifest_parse(text, strlen(text), &lim, &m, &errs), 0);
}

static struct pci_func fn(uint16_t bdf, uint8_t header, uint32_t class_code)
{
	return (struct pci_func){ .bdf = bdf, .vendor = 0x1234, .device = 0x11e8,
				  .header = header, .class_code = class_code };
}

#define SVC	"[partition svc]\nrole = service\nmemory = 4M\ncpus = 0\n"
#define CHILD	"[partition a]\nrole = child\nmemory = 2M\ncpus = 0\n"

/* The service takes every endpoint nobody names, never bridges or the IOMMU. */
static void test_service_takes_the_rest(void **state)
{
	struct pci_func edu = fn(PCI_BDF(0, 4, 0), PCI_HEADER_NORMAL, 0x00ff00);
	struct pci_func nic = fn(PCI_BDF(0, 2, 0), PCI_HEADER_NORMAL, 0x020000);
	struct pci_func bridge = fn(PCI_BDF(0, 0x1e, 0), PCI_HEADER_BRIDGE, 0x060400);
	struct pci_func iommu = fn(PCI_BDF(0, 3, 0), PCI_HEADER_NORMAL, 0x080600);

	parse(SVC CHILD "devices = 00:04.0\n");
	assert_int_equal(dev_policy_owner(&m, &edu), 1);
	assert_int_equal(dev_policy_owner(&m, &nic), 0);
	assert_int_equal(dev_policy_owner(&m, &bridge), DEV_OWNER_NONE);
	assert_int_equal(dev_policy_owner(&m, &iommu), DEV_OWNER_NONE);
	/* Host and ISA bridges have type 0 headers but steer the chipset: nobody's. */
	struct pci_func host = fn(PCI_BDF(0, 0, 0), PCI_HEADER_NORMAL, 0x060000);
	struct pci_func isa = fn(PCI_BDF(0, 0x1f, 0), PCI_HEADER_NORMAL, 0x060100);

	assert_int_equal(dev_policy_owner(&m, &host), DEV_OWNER_NONE);
	assert_int_equal(dev_policy_owner(&m, &isa), DEV_OWNER_NONE);
}

/* A service with a devices list takes only those; the rest belong to nobody. */
static void test_listed_only(void **state)
{
	struct pci_func disk = fn(PCI_BDF(0, 5, 0), PCI_HEADER_NORMAL, 0x010802);
	struct pci_func nic = fn(PCI_BDF(0, 2, 0), PCI_HEADER_NORMAL, 0x020000);

	parse(SVC "devices = 00:05.0\n" CHILD);
	assert_int_equal(dev_policy_owner(&m, &disk), 0);
	assert_int_equal(dev_policy_owner(&m, &nic), DEV_OWNER_NONE);
	/* No service at all: only what children name. */
	parse(CHILD "devices = 00:02.0\n");
	assert_int_equal(dev_policy_owner(&m, &nic), 0);
	assert_int_equal(dev_policy_owner(&m, &disk), DEV_OWNER_NONE);
}

static void test_check_against_the_bus(void **state)
{
	struct pci_func bus[] = { fn(PCI_BDF(0, 4, 0), PCI_HEADER_NORMAL, 0x00ff00),
				  fn(PCI_BDF(0, 0x1e, 0), PCI_HEADER_BRIDGE, 0x060400) };
	unsigned int part = 99;
	uint16_t bdf = 0;

	parse(SVC CHILD "devices = 00:04.0\n");
	assert_int_equal(dev_policy_check(&m, bus, 2, &part, &bdf), 0);
	parse(SVC CHILD "devices = 00:04.0, 00:07.0\n");
	assert_int_equal(dev_policy_check(&m, bus, 2, &part, &bdf), -HV_ENOENT);
	assert_int_equal(part, 1);
	assert_int_equal(bdf, PCI_BDF(0, 7, 0));
	parse(SVC "devices = 00:1e.0\n");
	assert_int_equal(dev_policy_check(&m, bus, 2, &part, &bdf), -HV_EINVAL);
	assert_int_equal(part, 0);
	assert_int_equal(bdf, PCI_BDF(0, 0x1e, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_takes_the_rest),
		cmocka_unit_test(test_listed_only),
		cmocka_unit_test(test_check_against_the_bus),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
