# SPDX-License-Identifier: MIT
# The memory map is read, not assumed: an unusual size (-m 384).
DESC="-m 384: mem usable within 90-100% of 384 MiB"
PLATFORM=qemu
MEM=384
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_mem "$MEM"
}
