/* SPDX-License-Identifier: MIT */
/* Test guest: a child that owns QEMU's edu device: it sees only edu, its DMA into its own memory works, and DMA aimed elsewhere goes nowhere. */
#include "guest-drivers/rt/rt.h"

/*
 * cmdline: edu=BB:DD.F (where the manifest put edu) magic=HEX (32 hex digits: the
 * marker's 16-byte magic, also given to the hypervisor as dma_witness=HEX).
 *
 * Inside a partition DMA addresses are guest-physical: the hypervisor gives the
 * partition's IOMMU domain its RAM [0, mem_size) (and its channel windows) at their
 * guest-physical addresses, nothing else. So this guest checks:
 *  (a) configuration space (mechanism #1, ports 0xCF8/0xCFC, filtered by the
 *      hypervisor) shows exactly one function, edu, at the manifest's address;
 *  (b) BAR0 is memory inside [3 GiB, 4 GiB), which the runtime maps 1:1;
 *  (c) edu's DMA into its own memory (a static buffer, a low page, the last page)
 *      lands, with the right bytes and nothing past them;
 *  (d) DMA aimed at addresses outside its memory completes (the device is not wedged)
 *      and lands nowhere in its own memory.
 *
 * Where a rogue DMA of (d) would land on the host cannot be named from in here: the
 * hypervisor's image, the service partition and the IOMMU tables are host-physical
 * places, and the only addresses this guest can give the device are I/O virtual ones,
 * which (translated or not) it cannot relate to host memory. So the guest sweeps IOVAs
 * across the whole range edu can emit (its 28-bit DMA mask: [mem_size, 256 MiB)), each
 * transfer writing a marker that starts with the magic and the IOVA it was aimed at,
 * and the hypervisor's witness (dma_witness=, iommu/witness.c) scans all host RAM below
 * 256 MiB for the magic once every partition has ended: a copy outside this
 * partition's memory is a DMA that escaped, whichever host page it hit. The magic
 * itself never appears in any image or log: both sides get it as hex text, and this
 * guest never prints it.
 */

/* QEMU docs/specs/edu.txt and hw/misc/edu.c (QEMU 7.2), as iommu/selftest.c. */
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_ID			0x00	/* 0xRRrr00ed */
#define  EDU_ID_MAGIC		0xed
#define EDU_ALIVE		0x04	/* reads back the bitwise inverse of what was written */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_START		(1u << 0)	/* clears when the transfer is done */
#define  EDU_DMA_TO_RAM		(1u << 1)	/* 1: edu buffer -> RAM, 0: RAM -> edu */
#define EDU_BUF			0x40000	/* the device's 4 KiB buffer, in its own space */
#define EDU_DMA_LIMIT		(1ull << 28)	/* default dma_mask: QEMU clamps above it */
#define EDU_BAR_SIZE_MIN	0x100	/* the registers above */
#define EDU_DMA_WAIT_MS		3000	/* a transfer runs from a 100 ms virtual timer */

/*
 * The marker: magic, the IOVA it was aimed at, a sequence number, then a pattern.
 * 2 KiB, not the whole 4 KiB buffer: QEMU 7.2's edu_check_range() refuses (hw_error,
 * QEMU aborts) a transfer that ends exactly at the end of the buffer.
 */
#define MARK_LEN		0x800
#define MARK_HDR		16	/* target and sequence: reloaded before each transfer */
#define MAGIC_LEN		16
#define FILL			0xc3	/* an untouched target; never in the marker's pattern */
#define PAGE			0x1000u

#define OUT_TARGETS		24
#define LOW_PAGE_GPA		0x20000ull	/* free guest RAM below the image (1 MiB) */
#define MAX_SEEN		16

/* PCI Local Bus Specification 3.0, 3.2.2.3.2 and 6.1-6.2 (as arch/x86/pci.h). */
#define PCI_ADDR_PORT		0xcf8
#define PCI_DATA_PORT		0xcfc
#define PCI_RESET_PORT		0xcf9	/* the chipset reset register: never reachable */
#define PCI_ADDR(bdf, reg)	(0x80000000u | (uint32_t)(bdf) << 8 | ((reg) & 0xfc))
#define PCI_BDF(b, d, f)	((uint16_t)((b) << 8 | (d) << 3 | (f)))
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_MEMORY	(1u << 1)
#define  PCI_COMMAND_MASTER	(1u << 2)
#define PCI_CLASS_REV		0x08
#define PCI_BAR0		0x10
#define  PCI_BAR_IO		(1u << 0)
#define  PCI_BAR_MEM_64		(2u << 1)
#define  PCI_BAR_MEM_TYPE	(3u << 1)
#define  PCI_BAR_MEM_MASK	0xfffffff0u
#define SCAN_BUSES		4	/* bus 0 and 1-3: 256 buses is too slow emulated */

static uint8_t src[PAGE] __attribute__((aligned(PAGE)));	/* the marker, loaded into edu */
static uint8_t dst[2 * PAGE] __attribute__((aligned(PAGE)));	/* own target, and a guard */
static uint8_t trip[2 * PAGE] __attribute__((aligned(PAGE)));	/* the round trip's from, to */
static uint8_t hdr[MARK_HDR] __attribute__((aligned(16)));	/* target and sequence */
static uint8_t magic[MAGIC_LEN];
static volatile uint8_t *mmio;
static uint64_t mem_size;
static uint64_t seq;
static uint64_t legit[4];	/* own-memory targets: the copies that belong there */
static unsigned int nlegit;

/* ---- port I/O the runtime has no helper for ---- */

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t cfg_read32(uint16_t bdf, unsigned int reg)
{
	outl(PCI_ADDR_PORT, PCI_ADDR(bdf, reg));
	return rt_inl(PCI_DATA_PORT);
}

static void cfg_write32(uint16_t bdf, unsigned int reg, uint32_t v)
{
	outl(PCI_ADDR_PORT, PCI_ADDR(bdf, reg));
	outl(PCI_DATA_PORT, v);
}

static uint16_t cfg_read16(uint16_t bdf, unsigned int reg)
{
	outl(PCI_ADDR_PORT, PCI_ADDR(bdf, reg));
	return inw((uint16_t)(PCI_DATA_PORT + (reg & 2)));
}

static void cfg_write16(uint16_t bdf, unsigned int reg, uint16_t v)
{
	outl(PCI_ADDR_PORT, PCI_ADDR(bdf, reg));
	outw((uint16_t)(PCI_DATA_PORT + (reg & 2)), v);
}

/* ---- the command line ---- */

/* The value of KEY=... (up to the next space) in the command line, or NULL. */
static const char *cmdline_value(const char *key, size_t *len)
{
	const char *s = rt_boot.cmdline;

	while (*s) {
		const char *k = key, *w = s;

		while (*k && *w == *k)
			k++, w++;
		if (!*k && *w == '=' && (s == rt_boot.cmdline || s[-1] == ' ')) {
			for (*len = 0; w[1 + *len] && w[1 + *len] != ' '; (*len)++)
				;
			return w + 1;
		}
		s++;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n hex digits of s as a number; false if any is not a hex digit. */
static bool hex_num(const char *s, size_t n, unsigned int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return false;
		*v = *v << 4 | (unsigned int)d;
	}
	return true;
}

/* edu=BB:DD.F */
static bool parse_bdf(uint16_t *bdf)
{
	size_t n;
	const char *v = cmdline_value("edu", &n);
	unsigned int b, d, f;

	if (!v || n != 7 || v[2] != ':' || v[5] != '.' || !hex_num(v, 2, &b) ||
	    !hex_num(v + 3, 2, &d) || !hex_num(v + 6, 1, &f) || d > 31 || f > 7)
		return false;
	*bdf = PCI_BDF(b, d, f);
	return true;
}

/*
 * magic=HEX, decoded one byte at a time through a volatile store: the 16 bytes are
 * never whole in a register pair the hypervisor might save next to each other.
 */
static bool parse_magic(void)
{
	size_t n;
	const char *v = cmdline_value("magic", &n);
	volatile uint8_t *m = magic;
	unsigned int byte;

	if (!v || n != 2 * MAGIC_LEN)
		return false;
	for (unsigned int i = 0; i < MAGIC_LEN; i++) {
		if (!hex_num(v + 2 * i, 2, &byte))
			return false;
		m[i] = (uint8_t)byte;
	}
	return true;
}

/* ---- (a) configuration space ---- */

static void print_bdf(const char *what, uint16_t bdf)
{
	rt_printf("%s%02x:%02x.%u", what, bdf >> 8, (bdf >> 3) & 31, bdf & 7);
}

/* Every function on buses 0-3, each printed; true if exactly edu at want. */
static bool scan(uint16_t want)
{
	unsigned int n = 0, edu_at_want = 0;

	for (unsigned int b = 0; b < SCAN_BUSES; b++)
		for (unsigned int d = 0; d < 32; d++)
			for (unsigned int f = 0; f < 8; f++) {
				uint16_t bdf = PCI_BDF(b, d, f);
				uint32_t id = cfg_read32(bdf, 0);

				if ((id & 0xffff) == 0xffff)
					continue;
				n++;
				print_bdf("edudma: pci ", bdf);
				rt_printf(" vendor=%04x device=%04x class=%06x\n", id & 0xffff,
					  id >> 16, cfg_read32(bdf, PCI_CLASS_REV) >> 8);
				edu_at_want += bdf == want && id == (EDU_DEVICE << 16 | EDU_VENDOR);
			}
	rt_printf("edudma: pci scan of buses 0-%u: %u function(s)\n", SCAN_BUSES - 1, n);
	rt_report(rt_inb(PCI_RESET_PORT) == 0xff, "port 0xcf9 (chipset reset) reads all-ones");
	return rt_report(n == 1 && edu_at_want == 1,
			 "config space shows exactly one function, edu at the manifest's address "
			 "(%u function(s) seen)", n);
}

/* ---- (b) BAR0 and the command register ---- */

static uint64_t bar0(uint16_t bdf, uint64_t *size)
{
	uint32_t lo = cfg_read32(bdf, PCI_BAR0), hi = 0, mask_lo, mask_hi = 0xffffffffu;
	bool is64 = !(lo & PCI_BAR_IO) && (lo & PCI_BAR_MEM_TYPE) == PCI_BAR_MEM_64;

	/* Size probing: the hypervisor's view answers with the size mask, then is restored. */
	cfg_write32(bdf, PCI_BAR0, 0xffffffffu);
	mask_lo = cfg_read32(bdf, PCI_BAR0);
	cfg_write32(bdf, PCI_BAR0, lo);
	if (is64) {
		hi = cfg_read32(bdf, PCI_BAR0 + 4);
		cfg_write32(bdf, PCI_BAR0 + 4, 0xffffffffu);
		mask_hi = cfg_read32(bdf, PCI_BAR0 + 4);
		cfg_write32(bdf, PCI_BAR0 + 4, hi);
	}
	*size = ~((uint64_t)mask_hi << 32 | (mask_lo & PCI_BAR_MEM_MASK)) + 1;
	rt_printf("edudma: bar0 raw=0x%08x%08x size=0x%lx\n", hi, lo, *size);
	if (lo & PCI_BAR_IO)
		return 0;
	return (uint64_t)hi << 32 | (lo & PCI_BAR_MEM_MASK);
}

static bool setup_device(uint16_t bdf)
{
	uint64_t size, base = bar0(bdf, &size);
	uint16_t cmd;
	uint32_t id;

	if (!rt_report(base >= RT_WINDOW_BASE && size >= EDU_BAR_SIZE_MIN &&
		       !(size & (size - 1)) && base + size <= RT_WINDOW_END,
		       "bar0 is memory 0x%lx+0x%lx inside the runtime's [3 GiB, 4 GiB) map",
		       base, size))
		return false;
	cmd = cfg_read16(bdf, PCI_COMMAND);
	cfg_write16(bdf, PCI_COMMAND, (uint16_t)(cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
	cmd = cfg_read16(bdf, PCI_COMMAND);
	if (!rt_report((cmd & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) ==
		       (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
		       "command register takes memory + bus master (0x%04x)", cmd))
		return false;
	mmio = (volatile uint8_t *)(uintptr_t)base;
	id = *(volatile uint32_t *)(mmio + EDU_ID);
	*(volatile uint32_t *)(mmio + EDU_ALIVE) = 0x12345678u;
	return rt_report((id & 0xff) == EDU_ID_MAGIC &&
			 *(volatile uint32_t *)(mmio + EDU_ALIVE) == ~0x12345678u,
			 "edu registers through the mapped BAR: id=0x%08x, liveness inverted", id);
}

/* ---- DMA ---- */

static void edu_w32(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(mmio + reg) = v;
}

static uint32_t edu_r32(unsigned int reg)
{
	return *(volatile uint32_t *)(mmio + reg);
}

/* One transfer (addresses below 4 GiB: a 32-bit write sets the 64-bit register). */
static bool edu_dma(uint64_t from, uint64_t to, uint32_t len, uint32_t cmd)
{
	if (edu_r32(EDU_DMA_CMD) & EDU_DMA_START)
		return false;
	edu_w32(EDU_DMA_SRC, (uint32_t)from);
	edu_w32(EDU_DMA_DST, (uint32_t)to);
	edu_w32(EDU_DMA_COUNT, len);
	edu_w32(EDU_DMA_CMD, cmd | EDU_DMA_START);
	for (unsigned int ms = 0; ms < EDU_DMA_WAIT_MS; ms++) {
		if (!(edu_r32(EDU_DMA_CMD) & EDU_DMA_START))
			return true;
		rt_delay_us(1000);
	}
	return false;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 1);	/* 7 is odd: 256 distinct bytes */
}

/* The marker in src, and into edu's buffer: magic, target 0, sequence 0, pattern. */
static bool load_marker(void)
{
	for (size_t i = 0; i < MARK_LEN; i++)
		src[i] = i < MAGIC_LEN ? magic[i] : i < MAGIC_LEN + MARK_HDR ? 0 : pattern(i);
	/* The pattern holds FILL at some offsets: make them differ so a check means something. */
	for (size_t i = MAGIC_LEN + MARK_HDR; i < MARK_LEN; i++)
		if (src[i] == FILL)
			src[i] = 0x3c;
	return edu_dma((uintptr_t)src, EDU_BUF, MARK_LEN, 0);
}

/* The marker aimed at iova: its header updated in edu's buffer, then written out. */
static bool marker_to(uint64_t iova)
{
	seq++;
	__builtin_memcpy(hdr, &iova, 8);
	__builtin_memcpy(hdr + 8, &seq, 8);
	return edu_dma((uintptr_t)hdr, EDU_BUF + MAGIC_LEN, MARK_HDR, 0) &&
	       edu_dma(EDU_BUF, iova, MARK_LEN, EDU_DMA_TO_RAM);
}

/* What a marker aimed at iova holds at byte i. */
static uint8_t marker_byte(uint64_t iova, size_t i)
{
	if (i >= MAGIC_LEN && i < MAGIC_LEN + 8)
		return (uint8_t)(iova >> (8 * (i - MAGIC_LEN)));
	if (i >= MAGIC_LEN + 8 && i < MAGIC_LEN + MARK_HDR)
		return (uint8_t)(seq >> (8 * (i - MAGIC_LEN - 8)));
	return src[i];
}

/* (c) A marker into own memory at gpa: the right bytes, and the rest of the page (and the next) untouched. */
static void dma_own(uint64_t gpa, const char *what)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)gpa;
	size_t bad = 0, over = 0;
	bool done;

	for (size_t i = 0; i < PAGE; i++)
		p[i] = FILL;
	done = marker_to(gpa);
	for (size_t i = 0; i < MARK_LEN; i++)
		bad += p[i] != marker_byte(gpa, i);
	for (size_t i = MARK_LEN; i < PAGE; i++)
		over += p[i] != FILL;
	if (nlegit < sizeof(legit) / sizeof(legit[0]))
		legit[nlegit++] = gpa;
	rt_report(done && !bad && !over,
		  "dma into own memory (%s) gpa 0x%lx: %zu of %u bytes wrong, %zu past the end%s",
		  what, gpa, bad, MARK_LEN, over, done ? "" : ", dma timeout");
}

/* RAM -> edu -> RAM with fresh data: the device reads own memory too. */
static void roundtrip(void)
{
	size_t bad = 0;
	bool done;

	for (size_t i = 0; i < 256; i++) {
		trip[i] = (uint8_t)(0xa5 ^ i);
		trip[PAGE + i] = FILL;
	}
	/* The second half of edu's buffer: the marker in the first half stays. */
	done = edu_dma((uintptr_t)trip, EDU_BUF + MARK_LEN, 256, 0) &&
	       edu_dma(EDU_BUF + MARK_LEN, (uintptr_t)trip + PAGE, 256, EDU_DMA_TO_RAM);
	for (size_t i = 0; i < 256; i++)
		bad += trip[PAGE + i] != (uint8_t)(0xa5 ^ i);
	rt_report(done && !bad, "round trip RAM 0x%lx -> edu -> RAM 0x%lx: %zu of 256 bytes wrong%s",
		  (uintptr_t)trip, (uintptr_t)trip + PAGE, bad, done ? "" : ", dma timeout");
}

/* ---- (d) the sweep ---- */

/* Just past the end, evenly spread 2 MiB-aligned pages, and the last page below the mask. */
static unsigned int targets(uint64_t *t)
{
	uint64_t step = (EDU_DMA_LIMIT - mem_size) / (OUT_TARGETS - 1) & ~0x1fffffull;
	unsigned int n = 0;

	if (mem_size >= EDU_DMA_LIMIT)
		return 0;
	t[n++] = mem_size;
	for (unsigned int k = 1; k < OUT_TARGETS - 1 && step; k++)
		t[n++] = mem_size + k * step;
	t[n++] = EDU_DMA_LIMIT - PAGE;
	return n;
}

static void sweep(void)
{
	uint64_t t[OUT_TARGETS];
	unsigned int n = targets(t), done = 0;

	for (unsigned int i = 0; i < n; i++) {
		bool ok = marker_to(t[i]);

		done += ok;
		if (ok)
			rt_printf("edudma: dma to 0x%lx done (blocked or not: checked by the "
				  "hypervisor)\n", t[i]);
		else
			rt_printf("edudma: dma to 0x%lx did not complete\n", t[i]);
	}
	rt_report(n && done == n, "%u of %u dma transfers outside own memory completed", done, n);
}

/* The magic at gpa (page 0 included: read through a pointer the compiler cannot see). */
static bool magic_at(uint64_t gpa, uint64_t *aimed)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)gpa;

	__asm__("" : "+r"(p));
	for (unsigned int i = 0; i < MAGIC_LEN; i++)
		if (p[i] != magic[i])
			return false;
	*aimed = 0;
	for (unsigned int i = 0; i < 8; i++)
		*aimed |= (uint64_t)p[MAGIC_LEN + i] << (8 * i);
	return true;
}

/* Own memory, page by page: the marker only where it belongs (src and the legit targets). */
static void own_memory_clean(void)
{
	unsigned int found = 0, stray = 0;

	for (uint64_t gpa = 0; gpa + PAGE <= mem_size; gpa += PAGE) {
		bool expected = gpa == (uintptr_t)src;
		uint64_t aimed;

		if (gpa == (uintptr_t)magic || !magic_at(gpa, &aimed))
			continue;
		found++;
		for (unsigned int i = 0; i < nlegit; i++)
			expected |= gpa == legit[i] && aimed == legit[i];
		if (!expected && stray++ < MAX_SEEN)
			rt_printf("edudma: stray marker at gpa 0x%lx, aimed at 0x%lx\n", gpa, aimed);
	}
	rt_report(!stray && found == nlegit + 1,
		  "own memory holds the marker only where it belongs: %u copies, %u stray",
		  found, stray);
}

/* ---- its interrupt, routed by the hypervisor (HC_DEV_IRQ) as an event port ---- */

#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60	/* ORed into the status, raises the interrupt */
#define EDU_IRQ_ACK		0x64	/* clears those status bits */
#define  EDU_DMA_IRQ		(1u << 2)	/* DMA command: interrupt when done */
#define  EDU_IRQ_DMA		0x100	/* status bit of a DMA's interrupt */
#define CAP_MSI			0x05
#define IRQ_WAIT_MS		2000

static volatile uint32_t irqs, irq_status;

static void on_irq(void *arg, uint32_t port)
{
	uint32_t st = edu_r32(EDU_IRQ_STATUS);

	irq_status |= st;
	edu_w32(EDU_IRQ_ACK, st);
	irqs++;
	rt_wake();
}

static bool wait_irqs(uint32_t want)
{
	uint64_t end = rt_rdtsc() + rt_tsc_hz() / 1000 * IRQ_WAIT_MS;

	rt_sti();
	while (irqs < want && !rt_wait_event_until(end))
		;
	rt_cli();
	return irqs >= want;
}

static unsigned int msi_cap(uint16_t bdf)
{
	unsigned int at = cfg_read32(bdf, 0x34) & 0xff;

	for (unsigned int hops = 0; at >= 0x40 && hops < 48; hops++) {
		if ((cfg_read32(bdf, at & 0xfc) & 0xff) == CAP_MSI)
			return at & 0xfc;
		at = (cfg_read32(bdf, at & 0xfc) >> 8) & 0xff;
	}
	return 0;
}

static void irq_checks(uint16_t bdf)
{
	int64_t port = rt_dev_irq(bdf, 0), again = rt_dev_irq(bdf, 0);
	int64_t other = rt_dev_irq((uint16_t)(bdf ^ 0x8), 0), idx = rt_dev_irq(bdf, 1);
	unsigned int cap = msi_cap(bdf);
	uint32_t addr = cap ? cfg_read32(bdf, cap + 4) : 0;

	rt_report(port >= 2 && port <= 31 && again == port,
		  "HC_DEV_IRQ(edu, 0) -> port %ld, again -> %ld (the same)", port, again);
	rt_report(other == -HV_EPERM, "HC_DEV_IRQ(a function it does not own) -> %ld", other);
	rt_report(idx == -HV_EINVAL, "HC_DEV_IRQ(edu, 1): MSI has one message -> %ld", idx);
	if (port < 0 || rt_evtchn_bind((uint32_t)port, on_irq, 0))
		return;
	if (cap)
		cfg_write32(bdf, cap + 4, 0xfee0f000);	/* aim it elsewhere: must be ignored */
	rt_report(cap && cfg_read32(bdf, cap + 4) == addr && (addr >> 20) == 0xfee,
		  "MSI address 0x%x kept: the partition's write was dropped", addr);
	for (uint32_t i = 1; i <= 3; i++) {
		bool ok;

		edu_w32(EDU_IRQ_RAISE, i);
		ok = wait_irqs(i);
		rt_report(ok, "interrupt %u raised by edu arrived as event %u", i, irqs);
	}
	if (edu_dma(EDU_BUF, (uintptr_t)dst, 64, EDU_DMA_TO_RAM | EDU_DMA_IRQ) && wait_irqs(4))
		rt_report(irq_status & EDU_IRQ_DMA, "DMA completion interrupt arrived (status 0x%x)",
			  irq_status);
	else
		rt_report(false, "DMA completion interrupt arrived (%u interrupts)", irqs);
	rt_printf("edudma: %u interrupts as events on port %ld\n", irqs, port);
}

int rt_main(void)
{
	const struct hv_start_info *si = rt_start_info();
	uint16_t bdf = 0;

	mem_size = si ? si->mem_size : rt_boot.ram_end;
	if (!rt_report(parse_bdf(&bdf) && parse_magic(),
		       "cmdline has edu=BB:DD.F and magic=<32 hex digits>: \"%s\"", rt_boot.cmdline))
		return 1;
	rt_printf("edudma: memory [0, 0x%lx), ", mem_size);
	print_bdf("edu expected at ", bdf);
	rt_printf("\n");
	if (!scan(bdf) || !setup_device(bdf))
		return rt_summary() ? 1 : 0;
	if (!rt_report(load_marker(), "marker loaded into edu's buffer from gpa 0x%lx",
		       (uintptr_t)src))
		return rt_summary() ? 1 : 0;
	dma_own((uintptr_t)dst, "static buffer");
	dma_own(LOW_PAGE_GPA, "low page");
	dma_own(mem_size - PAGE, "last page");
	roundtrip();
	sweep();
	own_memory_clean();
	dma_own((uintptr_t)dst, "again, after the sweep");
	irq_checks(bdf);
	rt_printf("edudma: %lu dma transfers of the marker, magic from the command line\n", seq);
	return rt_summary() ? 1 : 0;
}
