# SPDX-License-Identifier: MIT
# -m 4608 on q35: 2 GiB below 4 GiB and 2.5 GiB above, so the map has RAM past 4 GiB.
DESC="-m 4608 (RAM above 4 GiB): mem usable within 90-100% of 4608 MiB"
PLATFORM=qemu
MEM=4608
CMDLINE="loglevel=info"

check() {
	expect_banner
	expect_mem "$MEM"
}
