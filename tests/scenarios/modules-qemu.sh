# SPDX-License-Identifier: MIT
# GRUB module2 modules arrive intact: the image's crc32 and size of each equal the host's.
DESC="two GRUB modules (70000-byte pattern, short text): names, sizes and crc32 equal the host's, in order"
PLATFORM=qemu
CMDLINE="loglevel=info"
MODULES=(pattern="$OUT/pattern.bin" hello.txt="$OUT/hello.txt")

prepare() {
	perl -e 'print pack("C*", map { ($_ * 131 + 7 + ($_ >> 8)) & 255 } 0 .. 69999)' >"$OUT/pattern.bin"
	printf 'hello from the scenario runner\n' >"$OUT/hello.txt"
}

check() {
	expect_banner
	expect_count '^mod: ' 2
	expect_module pattern "$OUT/pattern.bin"
	expect_module hello.txt "$OUT/hello.txt"
	expect_order '^mod: name=pattern ' '^mod: name=hello\.txt '
}
