# SPDX-License-Identifier: MIT
# A device error reaches the caller: QEMU's blkdebug fails reads of sector 100 with EIO,
# which virtio-blk reports as VIRTIO_BLK_S_IOERR; the driver completes the request with
# -HV_EIO and the next request works. One boot, no image check (tests/scenarios/disk.inc).
DESC="disk.hvm with eio=100, virtio-blk-pci over blkdebug failing reads of sector 100: that read completes with -HV_EIO (-5), the next read works"
DISK_DEVICE="-device virtio-blk-pci,drive=d0,disable-legacy=on,addr=0x4"
. "$ROOT/tests/scenarios/disk.inc"
EXTRA="-drive file=blkdebug:$OUT/blkdebug.conf:$DISK_IMG,if=none,id=d0,format=raw $DISK_DEVICE"
MODULES=(manifest="$OUT/eio.hvm" "$(guest_module disk)")

prepare() {
	rm -f "$DISK_IMG"
	truncate -s "${DISK_MIB}M" "$DISK_IMG"
	printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "100"\n' >"$OUT/blkdebug.conf"
	sed 's/^cmdline .*/cmdline  = "eio=100"/' "$DISK_MANIFEST" >"$OUT/eio.hvm"
	grep -q 'eio=100' "$OUT/eio.hvm"
}

check() {
	expect '^\[disk\] disk: virtio 00:04\.0 sectors=131072 '
	expect '^\[disk\] PASS read of sector 100 fails with the device.s error \(-5\)$'
	expect '^\[disk\] PASS read of sector 0 after the error works \(0\)$'
	reject '^\[disk\] (FAIL|rt: )'
	expect '^\[disk\] summary: [1-9][0-9]* passed, 0 failed$'
	expect '^guest: disk exited status=0 '
	expect_all_finished
}
