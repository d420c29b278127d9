# SPDX-License-Identifier: MIT
# The VT-d self-test again with caching mode on (CAP.CM = 1, as virtual IOMMUs report it)
# and a 39-bit, 3-level address width: every map, unmap and attach must be followed by its
# invalidation, and the tables are handed over through root[0].
. "$ROOT/tests/scenarios/iommu-selftest-vtd.sh"	# its settings and expect_iommu_selftest
DESC="iommu_selftest on VT-d with caching-mode=on and aw-bits=39 (3-level tables): same checks, cm=1 levels=3"
IOMMU=intel,caching-mode=on,aw-bits=39

check() {
	expect '^iommu: vtd unit=0 .* sagaw=0x2 levels=3 cm=1 '
	expect '^iommu: vtd init unit=0 root=0x[0-9a-f]+ levels=3 aw_bits=39 '
	expect_iommu_selftest vtd
	expect_range '^iommu-selftest: faults=' faults 1 1000
}
