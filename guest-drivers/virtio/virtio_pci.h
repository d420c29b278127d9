/* SPDX-License-Identifier: MIT */
/* The modern virtio-pci transport (virtio 1.1 4.1) shared by the block and network drivers. */
#ifndef GUEST_DRIVERS_VIRTIO_VIRTIO_PCI_H
#define GUEST_DRIVERS_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* PCI IDs: virtio 1.1 4.1.2 (modern devices are 0x1040 + the device ID). */
#define VIRTIO_VENDOR		0x1af4

/* struct virtio_pci_cap in a vendor-specific capability: virtio 1.1 4.1.4. */
#define PCI_CAP_VENDOR		0x09
#define VCAP_TYPE		3	/* cfg_type (u8) */
#define VCAP_BAR		4	/* u8 */
#define VCAP_OFFSET		8	/* le32 */
#define VCAP_LENGTH		12	/* le32 */
#define VCAP_NOTIFY_MULT	16	/* le32, notify capability only (4.1.4.4) */
enum { CFG_COMMON = 1, CFG_NOTIFY = 2, CFG_ISR = 3, CFG_DEVICE = 4, CFG_TYPES = 5 };

/* struct virtio_pci_common_cfg: virtio 1.1 4.1.4.3. */
#define COM_DFSELECT		0x00	/* le32 device_feature_select */
#define COM_DF			0x04	/* le32 device_feature */
#define COM_GFSELECT		0x08	/* le32 driver_feature_select */
#define COM_GF			0x0c	/* le32 driver_feature */
#define COM_MSIX_CONFIG		0x10	/* le16 config_msix_vector */
#define COM_STATUS		0x14	/* u8 device_status */
#define COM_GENERATION		0x15	/* u8 config_generation */
#define COM_Q_SELECT		0x16	/* le16 */
#define COM_Q_SIZE		0x18	/* le16 */
#define COM_Q_MSIX		0x1a	/* le16 queue_msix_vector */
#define COM_Q_ENABLE		0x1c	/* le16 */
#define NO_VECTOR		0xffff	/* VIRTIO_MSI_NO_VECTOR, 4.1.4.3 */
#define COM_Q_NOFF		0x1e	/* le16 queue_notify_off */
#define COM_Q_DESC		0x20	/* le64 */
#define COM_Q_DRIVER		0x28	/* le64: the available ring */
#define COM_Q_DEVICE		0x30	/* le64: the used ring */
#define COM_LEN			0x38

/* Device status bits: virtio 1.1 2.1. */
#define ST_ACKNOWLEDGE		1
#define ST_DRIVER		2
#define ST_DRIVER_OK		4
#define ST_FEATURES_OK		8
#define ST_FAILED		128

/* Reserved feature bits: virtio 1.1 6. */
#define F_VERSION_1		(1ull << 32)
#define F_ACCESS_PLATFORM	(1ull << 33)	/* DMA goes through the platform's IOMMU */

#define VIRTIO_RESET_WAIT_US	100000

/* A device's mapped configuration regions and what was negotiated. */
struct virtio_pci {
	volatile uint8_t *cfg[CFG_TYPES];	/* mapped capability regions */
	uint32_t cfg_len[CFG_TYPES];
	uint32_t notify_mult;
	uint64_t features;
};

/* Register access at natural widths (4.1.3.1). */
static inline uint32_t vp_rd32(struct virtio_pci *p, int t, unsigned int off)
{
	return *(volatile uint32_t *)(p->cfg[t] + off);
}

static inline void vp_wr32(struct virtio_pci *p, int t, unsigned int off, uint32_t x)
{
	*(volatile uint32_t *)(p->cfg[t] + off) = x;
}

static inline uint16_t vp_rd16(struct virtio_pci *p, unsigned int off)
{
	return *(volatile uint16_t *)(p->cfg[CFG_COMMON] + off);
}

static inline void vp_wr16(struct virtio_pci *p, unsigned int off, uint16_t x)
{
	*(volatile uint16_t *)(p->cfg[CFG_COMMON] + off) = x;
}

static inline uint8_t vp_status(struct virtio_pci *p)
{
	return p->cfg[CFG_COMMON][COM_STATUS];
}

/* Adds status bits; 0 resets the device. */
static inline void vp_set_status(struct virtio_pci *p, uint8_t bits)
{
	p->cfg[CFG_COMMON][COM_STATUS] = bits ? (uint8_t)(vp_status(p) | bits) : 0;
}

/* A 64-bit field as two 32-bit halves, low first (allowed by 4.1.3.1). */
static inline void vp_wr64(struct virtio_pci *p, unsigned int off, uint64_t x)
{
	vp_wr32(p, CFG_COMMON, off, (uint32_t)x);
	vp_wr32(p, CFG_COMMON, off + 4, (uint32_t)(x >> 32));
}

/* The first capability of each type whose region lies inside a mapped memory BAR. */
void vp_find_caps(struct virtio_pci *p, uint16_t bdf);

/*
 * Reset, then ACKNOWLEDGE | DRIVER and the features of wanted the device offers, then
 * FEATURES_OK (3.1.1 steps 1-6): 0, or -HV_EIO (no reset), -HV_ENOTSUP (a legacy-only
 * device, one that would bypass the IOMMU, or features refused). who names the driver.
 */
int vp_negotiate(struct virtio_pci *p, uint64_t wanted, const char *who)
	__attribute__((warn_unused_result));

#endif
