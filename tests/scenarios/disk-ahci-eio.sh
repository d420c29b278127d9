# SPDX-License-Identifier: MIT
# A device error on AHCI: QEMU's blkdebug fails reads of sector 100 with EIO, which the
# ATA device reports as an aborted command (PxIS.TFES, PxTFD.ERR); the driver completes
# the request with -HV_EIO, stops and restarts the port, and the next read works. One
# boot, no image check (tests/scenarios/disk.inc, disk-ahci-qemu.sh).
DISK_DEVICE="-device ahci,id=ahci,addr=0x4 -device ide-hd,drive=d0,bus=ahci.0"
. "$ROOT/tests/scenarios/disk.inc"
DESC="disk.hvm with eio=100, ide-hd on an ahci at 00:04.0 over blkdebug failing reads of sector 100: task file error logged, that read completes with -HV_EIO (-5), the port recovers and the next read works"
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
	expect '^\[disk\] disk: ahci 00:04\.0/0 sectors=131072 '
	# TFES (bit 30) in PxIS, ERR in the task file; exactly the one request in flight failed.
	expect '^\[disk\] ahci: port 0: device error \(is=0x4[0-9a-f]{7} tfd=0x[0-9a-f]*[13579bdf] serr=0x[0-9a-f]+\), 1 request\(s\) failed$'
	expect_count '^\[disk\] ahci: port [0-9]+: device error ' 1
	reject '^\[disk\] ahci: port [0-9]+: (timeout|recovery failed)'
	expect '^\[disk\] PASS read of sector 100 fails with the device.s error \(-5\)$'
	expect '^\[disk\] PASS read of sector 0 after the error works \(0\)$'
	reject '^\[disk\] (FAIL|rt: )'
	expect '^\[disk\] summary: [1-9][0-9]* passed, 0 failed$'
	expect '^guest: disk exited status=0 '
	expect_all_finished
}
