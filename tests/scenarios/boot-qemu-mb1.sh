# SPDX-License-Identifier: MIT
# QEMU -kernel build/hv32.elf: QEMU's own multiboot(1) loader, with one module by -initrd
# (its string is its name: the runner starts QEMU where the module lies under that name).
DESC="multiboot1 path (QEMU -kernel hv32.elf): banner, cmdline, memory, one module with host-computed size and crc32"
PLATFORM=qemu
BOOT=kernel
CMDLINE="loglevel=info"
MODULES=(blob="$OUT/blob.bin")

prepare() {
	# 12345 bytes: not a multiple of 4 or of a page.
	perl -e 'print pack("C*", map { ($_ * 197 + 11) & 255 } 0 .. 12344)' >"$OUT/blob.bin"
}

check() {
	expect_banner
	expect_mem "$MEM"
	expect_count '^mod: ' 1
	expect_module blob "$OUT/blob.bin"
	expect_smp 1
}
