#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Check a built hypervisor image before anyone boots it.
#
# usage: tools/check-image.sh HV.ELF
#   - ELF64, x86-64;
#   - a multiboot(1) header: magic 0x1BADB002, 4-byte aligned, within the first 8192
#     bytes of the file, magic + flags + checksum = 0 (Multiboot 0.6.96 section 3.1.1);
#   - a multiboot2 header: magic 0xE85250D6, 8-byte aligned, within the first 32768
#     bytes, architecture 0 (i386), magic + architecture + header_length + checksum = 0,
#     tags 8-byte aligned inside header_length and ending with an end tag (type 0, size 8)
#     (Multiboot2 1.6 section 3.1);
#   - no PT_LOAD segment both writable and executable.
# Prints one line per problem and exits 1 if there is any; silent on success.
set -euo pipefail

err=0
fail() { echo "check-image: $img: $*" >&2; err=1; }

[[ $# -eq 1 ]] || { echo "usage: $0 HV.ELF" >&2; exit 2; }
img=$1
[[ -f $img ]] || { echo "check-image: no such file: $img" >&2; exit 1; }

# ELF identification: bytes 0-3 magic, 4 class (2 = ELF64), 5 data (1 = little endian);
# e_machine at 18 (0x3e = x86-64).
ident=$(od -An -v -tx1 -N20 "$img" | tr -d ' \n')
if [[ ${ident:0:8} != 7f454c46 ]]; then
	fail "not an ELF file"
	exit 1
fi
[[ ${ident:8:2} == 02 ]] || fail "not ELF64 (class byte 0x${ident:8:2})"
[[ ${ident:10:2} == 01 ]] || fail "not little-endian"
[[ ${ident:36:4} == 3e00 ]] || fail "machine is not x86-64 (e_machine 0x${ident:38:2}${ident:36:2})"

# Multiboot headers: scan the first 32 KiB as little-endian 32-bit words.
mb=$(od -An -v -tu4 -w4 -N32768 "$img" | awk '
	{ w[NR - 1] = $1 + 0 }
	END {
		n = NR; mb1 = ""; mb2 = ""
		for (i = 0; i < n && i <= 2045; i++) {   # whole 12-byte header in 8 KiB
			if (w[i] != 464367618) continue             # 0x1BADB002
			if ((w[i] + w[i+1] + w[i+2]) % 4294967296 == 0) { mb1 = "ok " i*4; break }
			if (mb1 == "") mb1 = "badsum " i*4
		}
		for (i = 0; i < n; i += 2) {
			if (w[i] != 3897708758) continue            # 0xE85250D6
			off = i*4; arch = w[i+1]; len = w[i+2]
			if ((w[i] + arch + len + w[i+3]) % 4294967296 != 0) {
				if (mb2 == "") mb2 = "badsum " off
				continue
			}
			if (arch != 0) { mb2 = "badarch " off " " arch; break }
			if (len < 24 || len % 8 != 0 || off + len > n*4) { mb2 = "badlen " off " " len; break }
			# Tags: u16 type, u16 flags, u32 size, padded to 8 bytes.
			t = 16; end = 0
			while (t + 8 <= len) {
				ty = w[(off + t)/4] % 65536; sz = w[(off + t)/4 + 1]
				if (sz < 8 || t + sz > len) { mb2 = "badtag " off " " t; break }
				if (ty == 0) { end = (sz == 8); break }
				t += int((sz + 7) / 8) * 8
			}
			if (mb2 ~ /^badtag/) break
			mb2 = end ? "ok " off : "noend " off
			break
		}
		print (mb1 == "" ? "none" : mb1)
		print (mb2 == "" ? "none" : mb2)
	}')
{ read -r mb1 mb1off _; read -r mb2 mb2off mb2x; } <<<"$mb"

case $mb1 in
ok) ;;
none) fail "no multiboot1 header (magic 0x1BADB002, 4-byte aligned) in the first 8192 bytes" ;;
badsum) fail "multiboot1 header at offset $mb1off: checksum wrong (magic + flags + checksum != 0)" ;;
esac
case $mb2 in
ok) ;;
none) fail "no multiboot2 header (magic 0xE85250D6, 8-byte aligned) in the first 32768 bytes" ;;
badsum) fail "multiboot2 header at offset $mb2off: checksum wrong (magic + arch + length + checksum != 0)" ;;
badarch) fail "multiboot2 header at offset $mb2off: architecture $mb2x, want 0 (i386)" ;;
badlen) fail "multiboot2 header at offset $mb2off: header_length $mb2x not a multiple of 8 >= 24 or past 32 KiB" ;;
badtag) fail "multiboot2 header at offset $mb2off: tag at +$mb2x has a bad size" ;;
noend) fail "multiboot2 header at offset $mb2off: tags do not end with an end tag (type 0, size 8)" ;;
esac

# W^X: program headers, "Type Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align".
if ! phdrs=$(LC_ALL=C readelf -lW "$img" 2>&1); then
	fail "readelf -l failed: $phdrs"
else
	while read -r _ _ vaddr _ _ _ rest; do
		flags=${rest% *}
		if [[ $flags == *W* && $flags == *E* ]]; then
			fail "PT_LOAD segment at $vaddr is writable and executable (flags '$flags')"
		fi
	done < <(grep -E '^ +LOAD ' <<<"$phdrs")
	grep -qE '^ +LOAD ' <<<"$phdrs" || fail "no PT_LOAD segment"
fi

exit "$err"
