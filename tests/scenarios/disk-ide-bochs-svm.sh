# SPDX-License-Identifier: MIT
# The service partition's IDE driver (PIIX3, bus-master DMA, polled) on a 64 MiB raw image
# under Bochs SVM: tests/scenarios/disk-ide.inc.
DESC="disk.hvm on Bochs SVM, ATA disk on the PIIX3 IDE (00:01.1) secondary master: pattern written by bus-master DMA, flushed, read back; one request in flight; diskpat.py finds the bytes in the image; boot 2 reads them back (verify=)"
CPU=ryzen
. "$ROOT/tests/scenarios/disk-ide.inc"

check() {
	expect '^partition: disk: 00:01\.1 bar4 io 0xc000\+0x10$'
	expect_disk_run 'ide 00:01\.1'
}
