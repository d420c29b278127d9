/* SPDX-License-Identifier: MIT */
/* The modern virtio-pci transport: finding the configuration regions, negotiating features. */
#include "guest-drivers/virtio/virtio_pci.h"

#include "guest-drivers/rt/pci.h"
#include "guest-drivers/rt/rt.h"
#include "include/abi/hv_errno.h"

void vp_find_caps(struct virtio_pci *p, uint16_t bdf)
{
	for (unsigned int at = rt_pci_cap(bdf, PCI_CAP_VENDOR, 0); at;
	     at = rt_pci_cap(bdf, PCI_CAP_VENDOR, at)) {
		uint8_t t = (uint8_t)rt_pci_read(bdf, at + VCAP_TYPE, 1);
		uint8_t bar = (uint8_t)rt_pci_read(bdf, at + VCAP_BAR, 1);
		uint32_t off = rt_pci_read(bdf, at + VCAP_OFFSET, 4);
		uint32_t len = rt_pci_read(bdf, at + VCAP_LENGTH, 4);
		uint64_t size, base;
		bool io;

		if (t == 0 || t >= CFG_TYPES || p->cfg[t] || bar > 5)
			continue;
		base = rt_pci_bar(bdf, bar, &size, &io);
		if (!base || io || (uint64_t)off + len > size || base < RT_WINDOW_BASE ||
		    base + size > RT_WINDOW_END)
			continue;
		p->cfg[t] = (volatile uint8_t *)(uintptr_t)(base + off);
		p->cfg_len[t] = len;
		if (t == CFG_NOTIFY)
			p->notify_mult = rt_pci_read(bdf, at + VCAP_NOTIFY_MULT, 4);
	}
}

/* True when the partition's devices DMA through an IOMMU (guest-physical addresses). */
static bool dma_translated(void)
{
	const struct hv_start_info *si = rt_start_info();

	return si && (si->dma_flags & HV_DMA_IOMMU);
}

int vp_negotiate(struct virtio_pci *p, uint64_t wanted, const char *who)
{
	uint64_t offered;

	vp_set_status(p, 0);
	for (unsigned int us = 0; vp_status(p) != 0; us += 10) {
		if (us >= VIRTIO_RESET_WAIT_US)
			return -HV_EIO;
		rt_delay_us(10);
	}
	vp_set_status(p, ST_ACKNOWLEDGE);
	vp_set_status(p, ST_DRIVER);
	vp_wr32(p, CFG_COMMON, COM_DFSELECT, 0);
	offered = vp_rd32(p, CFG_COMMON, COM_DF);
	vp_wr32(p, CFG_COMMON, COM_DFSELECT, 1);
	offered |= (uint64_t)vp_rd32(p, CFG_COMMON, COM_DF) << 32;
	p->features = offered & wanted;
	if (!(p->features & F_VERSION_1))
		return -HV_ENOTSUP;	/* a legacy-only device */
	/*
	 * Behind an IOMMU our DMA addresses are guest-physical: a device without
	 * ACCESS_PLATFORM would bypass the translation and hit other memory (6.1).
	 */
	if (dma_translated() && !(p->features & F_ACCESS_PLATFORM)) {
		rt_printf("%s: device bypasses the IOMMU (no ACCESS_PLATFORM: QEMU needs "
			  "iommu_platform=on): refused\n", who);
		return -HV_ENOTSUP;
	}
	vp_wr32(p, CFG_COMMON, COM_GFSELECT, 0);
	vp_wr32(p, CFG_COMMON, COM_GF, (uint32_t)p->features);
	vp_wr32(p, CFG_COMMON, COM_GFSELECT, 1);
	vp_wr32(p, CFG_COMMON, COM_GF, (uint32_t)(p->features >> 32));
	vp_set_status(p, ST_FEATURES_OK);
	return vp_status(p) & ST_FEATURES_OK ? 0 : -HV_ENOTSUP;
}
