/* SPDX-License-Identifier: MIT */
/* Multiboot 1 and Multiboot 2 headers, so GRUB (either protocol) and QEMU -kernel boot us. */

#define MB1_MAGIC	0x1badb002	/* Multiboot 0.6.96 sec. 3.1.1 */
#define MB1_FLAGS	0x00000003	/* bit 0: page-align modules, bit 1: memory info */
#define MB2_MAGIC	0xe85250d6	/* Multiboot2 1.6 sec. 3.1.1 */
#define MB2_ARCH_I386	0

	.section .multiboot, "a"
	.balign 8
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)

	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Module alignment tag (type 6): modules on page boundaries (sec. 3.1.11). */
	.balign 8
	.word 6, 0
	.long 8
	/* End tag (sec. 3.1.3). */
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:
