/* SPDX-License-Identifier: MIT */
/* Demo child: writes a pattern to its disk slice through pvblk, flushes, reads it back and checks every byte. */
#include "guest-drivers/blk/blkfront.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"
#include "tests/guests/disk_pattern.h"

/*
 * The pattern is disk_pattern.h's, sectors numbered as the channel sees them (0 is the
 * slice's first sector), so that tools/diskpat.py STORE_SECTOR:STORE_COUNT:STORE_SEED
 * --offset (slice start + STORE_SECTOR) * 512 finds it in the disk image afterwards.
 * The seed's bytes read "STOR" in a hex dump of the image, after each sector's number.
 * Exit status 0 when the pattern came back intact, 1 on any failure.
 */

#define STORE_SECTOR	0u
#define STORE_COUNT	64u
#define STORE_SEED	0x524f5453u	/* "STOR", little-endian */

static uint8_t iobuf[STORE_COUNT * PVBLK_SECTOR_SIZE] __attribute__((aligned(4096)));
static struct blkfront dev;

static int fail(const char *what, int status)
{
	rt_printf("store: %s %u sectors at slice sector %u: status %d: FAILED\n", what,
		  STORE_COUNT, STORE_SECTOR, status);
	return 1;
}

/* Reads the sectors back into a cleared buffer and compares them with the pattern. */
static int read_back(void)
{
	uint32_t good;
	int r;

	memset(iobuf, 0, sizeof(iobuf));
	r = blkfront_read(&dev, STORE_SECTOR, STORE_COUNT, iobuf);
	if (r)
		return fail("read of", r);
	good = disk_pat_check(iobuf, STORE_SECTOR, STORE_COUNT, STORE_SEED);
	if (good != STORE_COUNT) {
		const uint32_t *w = (const uint32_t *)iobuf + good * DISK_PAT_WORDS;

		rt_printf("store: read back: slice sector %u differs (holds sector=%u seed=0x%x): "
			  "FAILED\n", STORE_SECTOR + good, w[0], w[1]);
		return 1;
	}
	return 0;
}

int rt_main(void)
{
	bool flush;
	int r = blkfront_open(&dev, NULL);

	if (r) {
		rt_printf("store: no pvblk channel answered (%d): FAILED\n", r);
		return 1;
	}
	flush = dev.info_flags & PVBLK_INFO_FLUSH;
	rt_printf("store: channel %s: %lu sectors, %u per request, flush=%u readonly=%u\n",
		  dev.chan->name, dev.sectors, dev.max_sectors, flush,
		  !!(dev.info_flags & PVBLK_INFO_READONLY));
	if (dev.sectors < STORE_SECTOR + STORE_COUNT)
		return fail("slice too small for", 0);
	disk_pat_fill(iobuf, STORE_SECTOR, STORE_COUNT, STORE_SEED);
	r = blkfront_write(&dev, STORE_SECTOR, STORE_COUNT, iobuf);
	if (r)
		return fail("write of", r);
	/* Without FLUSH the back end says a completed write is already on the medium. */
	if (flush && (r = blkfront_flush(&dev)) != 0)
		return fail("flush after", r);
	if (read_back())
		return 1;
	rt_printf("store: wrote %u sectors at slice sector %u, %s, read back: pattern intact\n",
		  STORE_COUNT, STORE_SECTOR, flush ? "flushed" : "no flush needed");
	rt_printf("store: %lu requests, %lu events sent, %lu received\n", dev.st.submitted,
		  dev.st.kicks, dev.st.events);
	return 0;
}
