/* SPDX-License-Identifier: MIT */
/* The start-info page: what a partition learns about itself, its channels and ports. */
#ifndef ABI_STARTINFO_H
#define ABI_STARTINFO_H

#include <stdint.h>

/*
 * Guest-physical layout every partition shares below 1 MiB: the multiboot information
 * at 0x8000, the event-channel page at 0x9000 (EVTCHN_PAGE_GPA), this page at 0xA000.
 * The multiboot memory map marks [0x8000, 0x10000) reserved. CPUID 0x40000001 EBX
 * repeats this page's address.
 */
#define HV_START_INFO_GPA	0xa000u
#define HV_START_MAGIC		0x49535648u	/* "HVSI" */
#define HV_START_VERSION	1u
#define HV_START_MAX_CHANNELS	16u

/*
 * Channel windows are mapped into both ends above any partition's RAM (at most 64 GiB)
 * and clear of the [3 GiB, 4 GiB) hole where devices' registers sit: channel i's ring at
 * HV_CHANNEL_BASE_GPA + i * HV_CHANNEL_STRIDE, its data region right after the ring
 * (both sizes from the manifest). The same window address is used in both partitions.
 */
#define HV_CHANNEL_BASE_GPA	0x1000000000ull	/* 64 GiB */
#define HV_CHANNEL_STRIDE	0x4000000ull	/* 64 MiB: the largest ring + data */

/* hv_start_info.dma_flags */
#define HV_DMA_IOMMU		(1u << 0)	/* DMA is translated: DMA addresses = guest-physical */

enum hv_role {
	HV_ROLE_CHILD = 0,
	HV_ROLE_SERVICE = 1,
};

enum hv_channel_type {
	HV_CHAN_RAW = 0,
	HV_CHAN_PVBLK = 1,
	HV_CHAN_PVNET = 2,
};

struct hv_start_channel {
	char name[32];
	uint32_t type;		/* enum hv_channel_type */
	uint32_t backend;	/* 1: this partition is the back end; 0: the front end */
	uint32_t port;		/* local event port bound to the peer's */
	uint32_t peer;		/* peer partition id */
	uint64_t ring_gpa;
	uint64_t ring_size;
	uint64_t data_gpa;
	uint64_t data_size;
};
_Static_assert(sizeof(struct hv_start_channel) == 80, "start-info channel layout");

/*
 * A channel's type-specific settings from the manifest, the same in both ends' pages:
 * pvblk: the back end's disk number (its disks in PCI order), the exported slice and
 * whether it is read-only; pvnet: the front end's MAC address.
 */
#define HV_BLK_TO_END		UINT64_MAX	/* nsectors: up to the end of the disk */
#define HV_BLK_READONLY		(1u << 0)

struct hv_start_chan_cfg {
	union {
		struct {
			uint64_t first_sector;
			uint64_t nsectors;	/* or HV_BLK_TO_END */
			uint32_t disk;
			uint32_t flags;		/* HV_BLK_* */
		} blk;
		struct {
			uint8_t mac[6];
			uint8_t rsvd_0x06[18];
		} net;
	};
};
_Static_assert(sizeof(struct hv_start_chan_cfg) == 24, "channel settings layout");

struct hv_start_info {
	uint32_t magic;		/* HV_START_MAGIC */
	uint32_t version;	/* HV_START_VERSION */
	uint32_t partition_id;
	uint32_t role;		/* enum hv_role */
	char name[32];
	uint64_t tsc_hz;
	uint64_t mem_size;	/* RAM is [0, mem_size) */
	uint64_t evtchn_page_gpa;
	uint32_t nvcpus;
	uint32_t nchannels;
	struct hv_start_channel chan[HV_START_MAX_CHANNELS];
	/* Appended in the same version: older readers ignore it. */
	uint32_t restarts;	/* times this partition was started again: 0 on its first run */
	uint32_t dma_flags;	/* HV_DMA_* */
	/*
	 * Where the partition's memory is for the DMA of devices it owns. With an IOMMU
	 * (HV_DMA_IOMMU) these are its guest-physical addresses, translated by its domain;
	 * without one they are host-physical, and its drivers must use them instead.
	 */
	uint64_t ram_dma;				/* guest-physical 0 */
	uint64_t chan_dma[HV_START_MAX_CHANNELS];	/* chan[i].ring_gpa (data follows) */
	struct hv_start_chan_cfg chan_cfg[HV_START_MAX_CHANNELS];	/* chan[i]'s settings */
};
_Static_assert(__builtin_offsetof(struct hv_start_info, chan) == 80, "start-info layout");
_Static_assert(__builtin_offsetof(struct hv_start_info, restarts) == 80 + 16 * 80,
	       "restarts after the channels");
_Static_assert(__builtin_offsetof(struct hv_start_info, ram_dma) == 0x558, "ram_dma");
_Static_assert(__builtin_offsetof(struct hv_start_info, chan_cfg) == 0x5e0, "chan_cfg");
_Static_assert(sizeof(struct hv_start_info) == 0x5e0 + 16 * 24, "start-info layout");
_Static_assert(sizeof(struct hv_start_info) <= 4096, "start info fits its page");

#endif
