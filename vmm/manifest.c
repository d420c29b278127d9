/* SPDX-License-Identifier: MIT */
/* Parses and checks the partition manifest: pure C shared by the hypervisor and hvcheck. */
#include "include/abi/hv_errno.h"
#include "vmm/manifest.h"
#include "vmm/string.h"

#define KIB		0x400ull
#define MIB		0x100000ull
#define GIB		0x40000000ull
#define SIZE_MAX_BYTES	(1ull << 40)	/* larger sizes are typos, and cannot overflow sums */
#define KEYS_MAX	9

/* ---- bounded output: error reasons and plan lines (no libc here) ---- */

struct obuf {
	char *p;
	size_t len;
	size_t need;	/* length of the full output, even where cut */
};

static void ob_init(struct obuf *b, char *p, size_t len)
{
	b->p = p;
	b->len = len;
	b->need = 0;
	if (len)
		p[0] = 0;
}

static void ob_c(struct obuf *b, char c)
{
	if (b->need + 1 < b->len) {
		b->p[b->need] = c;
		b->p[b->need + 1] = 0;
	}
	b->need++;
}

/* At most max characters of s; longer input ends in "..." so reasons stay readable. */
static void ob_sn(struct obuf *b, const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] && i < max; i++)
		ob_c(b, s[i]);
	if (s[i])
		ob_sn(b, "...", 3);
}

static void ob_s(struct obuf *b, const char *s)
{
	while (*s)
		ob_c(b, *s++);
}

static void ob_u(struct obuf *b, uint64_t v)
{
	char t[20];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		ob_c(b, t[--n]);
}

static void ob_x2(struct obuf *b, unsigned int v)
{
	static const char hex[] = "0123456789abcdef";

	ob_c(b, hex[(v >> 4) & 15]);
	ob_c(b, hex[v & 15]);
}

/* The largest unit that divides v exactly, as the manifest writes sizes. */
static void ob_size(struct obuf *b, uint64_t v)
{
	static const struct { uint64_t unit; char suffix; } units[] = {
		{ GIB, 'G' }, { MIB, 'M' }, { KIB, 'K' },
	};

	for (unsigned int i = 0; v && i < sizeof(units) / sizeof(units[0]); i++) {
		if (v % units[i].unit == 0) {
			ob_u(b, v / units[i].unit);
			ob_c(b, units[i].suffix);
			return;
		}
	}
	ob_u(b, v);
}

static void ob_bdf(struct obuf *b, uint16_t bdf)
{
	ob_x2(b, bdf >> 8);
	ob_c(b, ':');
	ob_x2(b, (bdf >> 3) & 0x1f);
	ob_c(b, '.');
	ob_c(b, (char)('0' + (bdf & 7)));
}

/* ---- small string helpers ---- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}

static int hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t str_len(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Copies s[0..n) into d[cap], cut to fit; true if nothing was cut. */
static bool copy_n(char *d, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		d[i] = s[i];
	d[i] = 0;
	return i == n;
}

static bool slice_is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] != s[i])
			return false;
	return word[i] == 0;
}

/* The index after the run of spaces (or of non-spaces) at s[i], not past end. */
static size_t span(const char *s, size_t i, size_t end, bool spaces)
{
	while (i < end && is_space(s[i]) == spaces)
		i++;
	return i;
}

static const char *skip_ws(const char *s)
{
	while (is_space(*s))
		s++;
	return s;
}

/* A byte loop: the hypervisor has no memset (see the Makefile's -fno-builtin). */
static void zero(void *p, size_t n)
{
	volatile unsigned char *c = p;

	while (n--)
		*c++ = 0;
}

static unsigned int popcount64(uint64_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* Reads decimal digits at *s, no more than max: 0, -HV_EINVAL (no digit) or -HV_ERANGE. */
static int scan_dec(const char **s, uint64_t max, uint64_t *out)
{
	const char *c = *s;
	uint64_t v = 0;

	if (!is_digit(*c))
		return -HV_EINVAL;
	for (; is_digit(*c); c++) {
		unsigned int d = (unsigned int)(*c - '0');

		if (d > max || v > (max - d) / 10)
			return -HV_ERANGE;
		v = v * 10 + d;
	}
	*s = c;
	*out = v;
	return 0;
}

/* Reads 1 to ndig hex digits at *s. */
static bool scan_hex(const char **s, unsigned int ndig, unsigned int *out)
{
	unsigned int v = 0, i;

	for (i = 0; i < ndig && hex_val((*s)[i]) >= 0; i++)
		v = v * 16 + (unsigned int)hex_val((*s)[i]);
	*s += i;
	*out = v;
	return i > 0;
}

int manifest_parse_size(const char *s, uint64_t *out)
{
	static const struct { char c; uint64_t mult; } suffixes[] = {
		{ 'K', KIB }, { 'k', KIB }, { 'M', MIB }, { 'm', MIB }, { 'G', GIB }, { 'g', GIB },
	};
	uint64_t v, mult = 1;
	int ret = scan_dec(&s, SIZE_MAX_BYTES, &v);

	if (ret)
		return ret;
	for (unsigned int i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (*s == suffixes[i].c) {
			mult = suffixes[i].mult;
			s++;
			break;
		}
	if (*s)
		return -HV_EINVAL;
	if (v > SIZE_MAX_BYTES / mult)
		return -HV_ERANGE;
	*out = v * mult;
	return 0;
}

/* ---- parser state ---- */

/* Where each key of one section was set, and which values parsed. */
struct item_info {
	unsigned int line;			/* of the [section] header */
	unsigned int key_line[KEYS_MAX];	/* 0: key not set */
	uint32_t good;				/* bit k: key k set and valid */
	char front[MANIFEST_NAME_MAX];		/* channels: the ends, resolved at the end */
	char back[MANIFEST_NAME_MAX];
};

struct section;

struct parser {
	struct manifest *m;
	struct manifest_errors *errs;
	unsigned int ncpus;
	uint64_t memory;
	unsigned int line;
	const struct section *sec;	/* NULL: before any section, or skipping a bad one */
	bool in_bad_section;
	bool commit;			/* the section gets an entry (header was valid) */
	bool any_partition;		/* a [partition] section, even a dropped one */
	struct manifest_partition *part;	/* where the current section's values go */
	struct manifest_channel *chan;
	struct item_info *info;
	struct manifest_partition scratch_part;	/* sections with a bad header: checked, dropped */
	struct manifest_channel scratch_chan;
	struct item_info scratch_info;
	struct item_info pinfo[MANIFEST_MAX_PARTITIONS];
	struct item_info cinfo[MANIFEST_MAX_CHANNELS];
	char vbuf[MANIFEST_VALUE_MAX];	/* the current value, unquoted, NUL-terminated */
};

struct value {
	const char *s;		/* p->vbuf */
	const char *field;
	unsigned int line;
};

typedef bool key_fn(struct parser *p, const struct value *v);

struct key {
	const char *name;
	key_fn *parse;		/* false: it reported an error */
};

struct section {
	const char *kind;
	const struct key *keys;
	unsigned int nkeys;
	void (*begin)(struct parser *p, const char *name);
	void (*finish)(struct parser *p);
};

/*
 * Records one error: fmt may hold %s (str), %u and %z (the next of a, b, as a number
 * or a size) and %x (the next, as two hex digits). Past MANIFEST_MAX_ERRORS, counts.
 */
static void errf(struct parser *p, unsigned int line, const char *field, const char *fmt,
		 const char *str, uint64_t a, uint64_t b)
{
	struct manifest_errors *e = p->errs;
	const uint64_t num[2] = { a, b };
	unsigned int ni = 0;
	struct manifest_error *x;
	struct obuf ob;

	if (e->n == MANIFEST_MAX_ERRORS) {
		e->dropped += e->dropped < UINT32_MAX;
		return;
	}
	x = &e->e[e->n++];
	x->line = line;
	ob_init(&ob, x->field, sizeof(x->field));
	ob_s(&ob, field);
	ob_init(&ob, x->reason, sizeof(x->reason));
	for (; *fmt; fmt++) {
		char c = fmt[1];

		if (*fmt != '%' || !c) {
			ob_c(&ob, *fmt);
			continue;
		}
		fmt++;
		if (c == 's')
			ob_sn(&ob, str ? str : "", 40);
		else if (c == 'u')
			ob_u(&ob, num[ni++ & 1]);
		else if (c == 'z')
			ob_size(&ob, num[ni++ & 1]);
		else if (c == 'x')
			ob_x2(&ob, (unsigned int)num[ni++ & 1]);
		else
			ob_c(&ob, c);
	}
}

/* Reports a bad value at its key; returns false so that key parsers can return it. */
static bool bad(struct parser *p, const struct value *v, const char *fmt, const char *str,
		uint64_t a, uint64_t b)
{
	errf(p, v->line, v->field, fmt, str, a, b);
	return false;
}

static bool key_set(const struct item_info *in, unsigned int k)
{
	return in->key_line[k] != 0;
}

static bool key_good(const struct item_info *in, unsigned int k)
{
	return in->good & (1u << k);
}

/* The line of key k, or of the section header where the key is missing. */
static unsigned int key_line(const struct item_info *in, unsigned int k)
{
	return in->key_line[k] ? in->key_line[k] : in->line;
}

/* ---- value parsers shared by the keys ---- */

static bool val_uint(struct parser *p, const struct value *v, uint64_t lo, uint64_t hi,
		     uint64_t *out)
{
	const char *s = v->s;
	int ret = scan_dec(&s, hi, out);

	if (ret == -HV_EINVAL || (!ret && *s))
		return bad(p, v, "expected a number, not '%s'", v->s, 0, 0);
	if (ret || *out < lo)
		return bad(p, v, "'%s' is out of range (%u to %u)", v->s, lo, hi);
	return true;
}

static bool val_size(struct parser *p, const struct value *v, uint64_t *out)
{
	int ret = manifest_parse_size(v->s, out);

	if (ret == -HV_ERANGE)
		return bad(p, v, "'%s' is too large", v->s, 0, 0);
	if (ret)
		return bad(p, v, "expected a size like 64M, 4K or 4096, not '%s'", v->s, 0, 0);
	return true;
}

/* One of words[]: its index in *out. */
static bool val_word(struct parser *p, const struct value *v, const char *const *words,
		     unsigned int n, const char *expect, unsigned int *out)
{
	for (unsigned int i = 0; i < n; i++)
		if (str_eq(v->s, words[i])) {
			*out = i;
			return true;
		}
	return bad(p, v, expect, v->s, 0, 0);
}

/* Why s is not a valid partition or channel name, or NULL. */
static const char *name_problem(const char *s)
{
	_Static_assert(MANIFEST_NAME_MAX == 32, "the messages below say 31");
	size_t n = str_len(s);

	if (!n)
		return "missing name";
	if (!is_alpha(s[0]))
		return "a name starts with a letter";
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return "a name has only letters, digits, '_' and '-'";
	if (n >= MANIFEST_NAME_MAX)
		return "a name has at most 31 characters";
	return NULL;
}

/* ---- partition keys ---- */

enum { PK_ROLE, PK_IMAGE, PK_MEMORY, PK_VCPUS, PK_CPUS, PK_DEVICES, PK_RESTART, PK_CMDLINE,
       PK_IOMMU, PK_COUNT };

static bool part_role(struct parser *p, const struct value *v)
{
	/* Indexed by enum manifest_role. */
	static const char *const words[] = { "child", "service" };
	unsigned int i;

	if (!val_word(p, v, words, 2, "expected service or child, not '%s'", &i))
		return false;
	p->part->role = (enum manifest_role)i;
	return true;
}

/* Module names as tools/mkiso.sh gives them to GRUB. */
static bool part_image(struct parser *p, const struct value *v)
{
	_Static_assert(MANIFEST_IMAGE_MAX == 64, "the message below says 63");
	size_t n = str_len(v->s);

	for (size_t i = 0; i < n; i++) {
		char c = v->s[i];

		if (!is_name_char(c) && c != '.' && c != '+')
			return bad(p, v, "a module name has only letters, digits and . _ + -", 0, 0, 0);
	}
	if (!n || n >= MANIFEST_IMAGE_MAX)
		return bad(p, v, "a module name has 1 to 63 characters", 0, 0, 0);
	copy_n(p->part->image, sizeof(p->part->image), v->s, n);
	return true;
}

static bool part_memory(struct parser *p, const struct value *v)
{
	uint64_t size;

	if (!val_size(p, v, &size))
		return false;
	if (!size || size % MANIFEST_MEM_ALIGN)
		return bad(p, v, "%z is not a positive multiple of %z (large pages)", 0, size,
			   MANIFEST_MEM_ALIGN);
	if (size > MANIFEST_MEM_MAX)
		return bad(p, v, "%z is more than the %z a partition may have", 0, size,
			   MANIFEST_MEM_MAX);
	p->part->memory = size;
	return true;
}

static bool part_vcpus(struct parser *p, const struct value *v)
{
	uint64_t n;

	if (!val_uint(p, v, 1, MANIFEST_MAX_VCPUS, &n))
		return false;
	p->part->vcpus = (unsigned int)n;
	return true;
}

/* One CPU number or range of a cpus list: "3" or "0-3", into *mask. */
static bool cpu_item(struct parser *p, const struct value *v, const char **s, uint64_t *mask)
{
	uint64_t a, b;

	if (scan_dec(s, UINT32_MAX, &a))
		return bad(p, v, "expected CPU numbers like 0,2-3, not '%s'", v->s, 0, 0);
	b = a;
	if (**s == '-' && ((*s)++, scan_dec(s, UINT32_MAX, &b)))
		return bad(p, v, "expected CPU numbers like 0,2-3, not '%s'", v->s, 0, 0);
	if (b < a)
		return bad(p, v, "range %u-%u is backwards", 0, a, b);
	if (b >= p->ncpus)
		return bad(p, v, "cpu %u does not exist (CPUs 0 to %u)", 0, b, p->ncpus - 1);
	for (uint64_t c = a; c <= b; c++) {
		if (*mask & (1ull << c))
			return bad(p, v, "cpu %u is listed twice", 0, c, 0);
		*mask |= 1ull << c;
	}
	return true;
}

static bool part_cpus(struct parser *p, const struct value *v)
{
	const char *s = skip_ws(v->s);
	uint64_t mask = 0;

	for (;;) {
		if (!cpu_item(p, v, &s, &mask))
			return false;
		s = skip_ws(s);
		if (!*s)
			break;
		if (*s != ',')
			return bad(p, v, "expected CPU numbers like 0,2-3, not '%s'", v->s, 0, 0);
		s = skip_ws(s + 1);
	}
	p->part->cpus = mask;
	return true;
}

/* "bb:dd.f" (hex bus and device, function 0-7), as lspci writes it. */
static bool scan_bdf(const char **s, uint16_t *out)
{
	unsigned int bus, dev, fn;

	if (!scan_hex(s, 2, &bus) || **s != ':')
		return false;
	(*s)++;
	if (!scan_hex(s, 2, &dev) || dev > 0x1f || **s != '.')
		return false;
	(*s)++;
	if (!is_digit(**s) || **s > '7')
		return false;
	fn = (unsigned int)(*(*s)++ - '0');
	*out = (uint16_t)(bus << 8 | dev << 3 | fn);
	return true;
}

static bool device_item(struct parser *p, const struct value *v, const char **s,
			struct manifest_partition *pt)
{
	char txt[8];
	struct obuf ob;
	uint16_t bdf;

	if (!scan_bdf(s, &bdf))
		return bad(p, v, "expected bus:device.function like 00:1f.2, not '%s'", v->s, 0, 0);
	if (pt->ndevices == MANIFEST_MAX_DEVICES)
		return bad(p, v, "more than %u devices", 0, MANIFEST_MAX_DEVICES, 0);
	ob_init(&ob, txt, sizeof(txt));
	ob_bdf(&ob, bdf);
	for (unsigned int i = 0; i < pt->ndevices; i++)
		if (pt->devices[i] == bdf)
			return bad(p, v, "%s is listed twice", txt, 0, 0);
	pt->devices[pt->ndevices++] = bdf;
	return true;
}

static bool part_devices(struct parser *p, const struct value *v)
{
	const char *s = skip_ws(v->s);

	for (;;) {
		if (!device_item(p, v, &s, p->part))
			return false;
		s = skip_ws(s);
		if (!*s)
			return true;
		if (*s != ',')
			return bad(p, v, "expected bus:device.function like 00:1f.2, not '%s'", v->s,
				   0, 0);
		s = skip_ws(s + 1);
	}
}

static bool part_restart(struct parser *p, const struct value *v)
{
	/* Indexed by enum manifest_restart. */
	static const char *const words[] = { "never", "always", "on-failure" };
	unsigned int i;

	if (!val_word(p, v, words, 3, "expected never, always or on-failure, not '%s'", &i))
		return false;
	p->part->restart = (enum manifest_restart)i;
	return true;
}

static bool part_cmdline(struct parser *p, const struct value *v)
{
	size_t n = str_len(v->s);

	for (size_t i = 0; i < n; i++)
		if (v->s[i] < 0x20 || v->s[i] > 0x7e)
			return bad(p, v, "only printable ASCII characters", 0, 0, 0);
	if (n >= MANIFEST_CMDLINE_MAX)
		return bad(p, v, "longer than %u characters", 0, MANIFEST_CMDLINE_MAX - 1, 0);
	copy_n(p->part->cmdline, sizeof(p->part->cmdline), v->s, n);
	return true;
}

static bool part_iommu(struct parser *p, const struct value *v)
{
	static const char *const words[] = { "optional", "required" };
	unsigned int i;

	if (!val_word(p, v, words, 2, "expected required or optional, not '%s'", &i))
		return false;
	p->part->iommu_required = i == 1;
	return true;
}

static const struct key part_keys[PK_COUNT] = {
	[PK_ROLE] = { "role", part_role },
	[PK_IMAGE] = { "image", part_image },
	[PK_MEMORY] = { "memory", part_memory },
	[PK_VCPUS] = { "vcpus", part_vcpus },
	[PK_CPUS] = { "cpus", part_cpus },
	[PK_DEVICES] = { "devices", part_devices },
	[PK_RESTART] = { "restart", part_restart },
	[PK_CMDLINE] = { "cmdline", part_cmdline },
	[PK_IOMMU] = { "iommu", part_iommu },
};

/* ---- channel keys ---- */

enum { CK_TYPE, CK_FRONTEND, CK_BACKEND, CK_RING, CK_DATA, CK_DISK, CK_SECTORS, CK_READONLY,
       CK_MAC, CK_COUNT };
_Static_assert(PK_COUNT <= KEYS_MAX && CK_COUNT <= KEYS_MAX, "item_info.key_line");

static bool chan_type(struct parser *p, const struct value *v)
{
	/* Indexed by enum manifest_chan_type. */
	static const char *const words[] = { "pvblk", "pvnet", "raw" };
	unsigned int i;

	if (!val_word(p, v, words, 3, "expected pvblk, pvnet or raw, not '%s'", &i))
		return false;
	p->chan->type = (enum manifest_chan_type)i;
	return true;
}

/* An end is a partition name, resolved once every partition is known. */
static bool chan_end(struct parser *p, const struct value *v, char *dst)
{
	const char *why = name_problem(v->s);

	if (why)
		return bad(p, v, why, 0, 0, 0);
	copy_n(dst, MANIFEST_NAME_MAX, v->s, str_len(v->s));
	return true;
}

static bool chan_frontend(struct parser *p, const struct value *v)
{
	return chan_end(p, v, p->info->front);
}

static bool chan_backend(struct parser *p, const struct value *v)
{
	return chan_end(p, v, p->info->back);
}

/* A power of two, so that ring indices wrap with a mask. */
static bool chan_ring(struct parser *p, const struct value *v)
{
	uint64_t size;

	if (!val_size(p, v, &size))
		return false;
	if (size < MANIFEST_RING_MIN || size > MANIFEST_RING_MAX || (size & (size - 1)))
		return bad(p, v, "%z is not a power of two from %z to 1M", 0, size,
			   MANIFEST_RING_MIN);
	p->chan->ring = size;
	return true;
}

static bool chan_data(struct parser *p, const struct value *v)
{
	uint64_t size;

	if (!val_size(p, v, &size))
		return false;
	if (!size || size % 0x1000 || size > MANIFEST_DATA_MAX)
		return bad(p, v, "%z is not a multiple of 4K from 4K to %z", 0, size,
			   MANIFEST_DATA_MAX);
	p->chan->data = size;
	return true;
}

static bool chan_disk(struct parser *p, const struct value *v)
{
	uint64_t n;

	if (!val_uint(p, v, 0, MANIFEST_MAX_DISK, &n))
		return false;
	p->chan->disk = (unsigned int)n;
	return true;
}

/* "FIRST-LAST" (inclusive) or "FIRST+COUNT", in 512-byte sectors. */
static bool chan_sectors(struct parser *p, const struct value *v)
{
	const char *s = v->s;
	uint64_t a, b;
	char op;

	if (scan_dec(&s, MANIFEST_SECTOR_MAX, &a) || (*s != '-' && *s != '+'))
		goto syntax;
	op = *s++;
	if (scan_dec(&s, MANIFEST_SECTOR_MAX, &b) || *s)
		goto syntax;
	if (op == '+') {
		if (!b)
			return bad(p, v, "a slice of 0 sectors", 0, 0, 0);
		if (b - 1 > MANIFEST_SECTOR_MAX - a)
			return bad(p, v, "the slice ends past sector 2^48-1", 0, 0, 0);
		b = a + b - 1;
	}
	if (b < a)
		return bad(p, v, "range %u-%u is backwards", 0, a, b);
	p->chan->sector_first = a;
	p->chan->sector_last = b;
	return true;
syntax:
	return bad(p, v, "expected FIRST-LAST or FIRST+COUNT below 2^48, not '%s'", v->s, 0, 0);
}

static bool chan_readonly(struct parser *p, const struct value *v)
{
	static const char *const words[] = { "no", "yes" };
	unsigned int i;

	if (!val_word(p, v, words, 2, "expected yes or no, not '%s'", &i))
		return false;
	p->chan->readonly = i;
	return true;
}

static bool chan_mac(struct parser *p, const struct value *v)
{
	const char *s = v->s;
	uint8_t mac[6];
	unsigned int x;

	for (int i = 0; i < 6; i++) {
		if (hex_val(s[0]) < 0 || hex_val(s[1]) < 0 || !scan_hex(&s, 2, &x) ||
		    *s != (i < 5 ? ':' : 0))
			return bad(p, v, "expected a MAC like 52:54:00:12:34:56, not '%s'", v->s,
				   0, 0);
		mac[i] = (uint8_t)x;
		s += i < 5;
	}
	if (mac[0] & 1)
		return bad(p, v, "a multicast MAC (first byte %x is odd)", 0, mac[0], 0);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return bad(p, v, "the all-zero MAC", 0, 0, 0);
	for (int i = 0; i < 6; i++)
		p->chan->mac[i] = mac[i];
	return true;
}

static const struct key chan_keys[CK_COUNT] = {
	[CK_TYPE] = { "type", chan_type },
	[CK_FRONTEND] = { "frontend", chan_frontend },
	[CK_BACKEND] = { "backend", chan_backend },
	[CK_RING] = { "ring", chan_ring },
	[CK_DATA] = { "data", chan_data },
	[CK_DISK] = { "disk", chan_disk },
	[CK_SECTORS] = { "sectors", chan_sectors },
	[CK_READONLY] = { "readonly", chan_readonly },
	[CK_MAC] = { "mac", chan_mac },
};

/* ---- sections: start, and checks once all their keys are in ---- */

static void require(struct parser *p, const struct key *keys, unsigned int k)
{
	if (!key_set(p->info, k))
		errf(p, p->info->line, keys[k].name, "missing (required)", 0, 0, 0);
}

/* A valid, new name and room in the table: else the section is checked but dropped. */
static bool header_ok(struct parser *p, const char *kind, const char *name, int dup,
		      const struct item_info *infos, unsigned int count, unsigned int max)
{
	const char *why = name_problem(name);

	if (why) {
		errf(p, p->line, "name", why, 0, 0, 0);
		return false;
	}
	if (dup >= 0) {
		errf(p, p->line, "name", "a second %s with this name (first at line %u)", kind,
		     infos[dup].line, 0);
		return false;
	}
	if (count == max) {
		errf(p, p->line, kind, "more than %u %ss", kind, max, 0);
		return false;
	}
	return true;
}

static int find_channel(const struct manifest *m, const char *name)
{
	for (unsigned int i = 0; i < m->nchan; i++)
		if (str_eq(m->chan[i].name, name))
			return (int)i;
	return -HV_ENOENT;
}

static void part_begin(struct parser *p, const char *name)
{
	struct manifest *m = p->m;

	p->any_partition = true;
	p->commit = header_ok(p, "partition", name, manifest_find_partition(m, name), p->pinfo,
			      m->npart, MANIFEST_MAX_PARTITIONS);
	p->part = p->commit ? &m->part[m->npart] : &p->scratch_part;
	p->info = p->commit ? &p->pinfo[m->npart] : &p->scratch_info;
	zero(p->part, sizeof(*p->part));
	zero(p->info, sizeof(*p->info));
	p->info->line = p->line;
	copy_n(p->part->name, sizeof(p->part->name), name, str_len(name));
}

static void chan_begin(struct parser *p, const char *name)
{
	struct manifest *m = p->m;

	p->commit = header_ok(p, "channel", name, find_channel(m, name), p->cinfo, m->nchan,
			      MANIFEST_MAX_CHANNELS);
	p->chan = p->commit ? &m->chan[m->nchan] : &p->scratch_chan;
	p->info = p->commit ? &p->cinfo[m->nchan] : &p->scratch_info;
	zero(p->chan, sizeof(*p->chan));
	zero(p->info, sizeof(*p->info));
	p->info->line = p->line;
	copy_n(p->chan->name, sizeof(p->chan->name), name, str_len(name));
	p->chan->ring = MANIFEST_RING_DEFAULT;
	p->chan->data = MANIFEST_DATA_DEFAULT;
	p->chan->sector_last = MANIFEST_SECTORS_ALL;
}

/* Only one service partition: it takes the devices nobody names and serves the others. */
static void part_finish_service(struct parser *p)
{
	struct manifest_partition *pt = p->part;
	struct item_info *in = p->info;

	if (key_good(in, PK_RESTART) && pt->restart != MANIFEST_RESTART_NEVER)
		errf(p, in->key_line[PK_RESTART], "restart",
		     "the service partition is never restarted (its back ends hold state)", 0, 0, 0);
	pt->all_devices = !key_set(in, PK_DEVICES);
	if (!p->commit)
		return;
	if (p->m->service >= 0)
		errf(p, in->key_line[PK_ROLE], "role", "a second service partition (first: line %u)",
		     0, p->pinfo[p->m->service].line, 0);
	else
		p->m->service = (int)p->m->npart;
}

static void part_finish(struct parser *p)
{
	struct manifest_partition *pt = p->part;
	struct item_info *in = p->info;
	unsigned int ncpus = popcount64(pt->cpus);

	require(p, part_keys, PK_ROLE);
	require(p, part_keys, PK_MEMORY);
	require(p, part_keys, PK_CPUS);
	if (!key_set(in, PK_IMAGE))
		copy_n(pt->image, sizeof(pt->image), pt->name, str_len(pt->name));
	if (!key_set(in, PK_VCPUS))
		pt->vcpus = ncpus > MANIFEST_MAX_VCPUS ? MANIFEST_MAX_VCPUS : ncpus ? ncpus : 1;
	else if (key_good(in, PK_VCPUS) && key_good(in, PK_CPUS) && pt->vcpus > ncpus)
		errf(p, in->key_line[PK_VCPUS], "vcpus",
		     "%u vCPUs but cpus lists %u CPUs (one CPU per vCPU)", 0, pt->vcpus, ncpus);
	/* A child's devices are isolated by default: without an IOMMU they reach any memory. */
	if (!key_set(in, PK_IOMMU))
		pt->iommu_required = pt->role == MANIFEST_ROLE_CHILD && pt->ndevices;
	else if (key_good(in, PK_IOMMU) && !pt->ndevices && pt->role == MANIFEST_ROLE_CHILD)
		errf(p, in->key_line[PK_IOMMU], "iommu",
		     "a child with no devices has no DMA to isolate", 0, 0, 0);
	if (key_good(in, PK_ROLE) && pt->role == MANIFEST_ROLE_SERVICE)
		part_finish_service(p);
	if (p->commit)
		p->m->npart++;
}

static void chan_finish(struct parser *p)
{
	/* The keys that only one type takes, and that type. */
	static const struct { unsigned int key; enum manifest_chan_type type; } only[] = {
		{ CK_DISK, MANIFEST_CHAN_PVBLK }, { CK_SECTORS, MANIFEST_CHAN_PVBLK },
		{ CK_READONLY, MANIFEST_CHAN_PVBLK }, { CK_MAC, MANIFEST_CHAN_PVNET },
	};
	static const char *const type_name[] = { "pvblk", "pvnet", "raw" };
	struct manifest_channel *c = p->chan;
	struct item_info *in = p->info;

	require(p, chan_keys, CK_TYPE);
	require(p, chan_keys, CK_FRONTEND);
	require(p, chan_keys, CK_BACKEND);
	if (key_good(in, CK_TYPE)) {
		for (unsigned int i = 0; i < sizeof(only) / sizeof(only[0]); i++)
			if (key_set(in, only[i].key) && c->type != only[i].type)
				errf(p, in->key_line[only[i].key], chan_keys[only[i].key].name,
				     "only for %s channels", type_name[only[i].type], 0, 0);
		if (c->type == MANIFEST_CHAN_PVBLK)
			require(p, chan_keys, CK_DISK);
		/* 32 requests in flight need two 4 KiB rings' worth (include/abi/pvblk.h). */
		if (c->type == MANIFEST_CHAN_PVBLK && !key_set(in, CK_RING))
			c->ring = MANIFEST_RING_PVBLK_DEFAULT;
		if (c->type == MANIFEST_CHAN_PVNET)
			require(p, chan_keys, CK_MAC);
	}
	if (key_good(in, CK_FRONTEND) && key_good(in, CK_BACKEND) && str_eq(in->front, in->back))
		errf(p, in->key_line[CK_BACKEND], "backend", "the same partition as the front end",
		     0, 0, 0);
	if (p->commit)
		p->m->nchan++;
}

static const struct section sections[] = {
	{ "partition", part_keys, PK_COUNT, part_begin, part_finish },
	{ "channel", chan_keys, CK_COUNT, chan_begin, chan_finish },
};

static void end_section(struct parser *p)
{
	if (p->sec)
		p->sec->finish(p);
	p->sec = NULL;
	p->in_bad_section = false;
}

/* ---- lines ---- */

/* "[KIND NAME]" with an optional comment after it. */
static void parse_header(struct parser *p, const char *s, size_t n)
{
	size_t close = 1, k0, k1, n0, n1, i;

	end_section(p);
	p->in_bad_section = true;
	while (close < n && s[close] != ']')
		close++;
	if (close == n) {
		errf(p, p->line, "section", "missing ']'", 0, 0, 0);
		return;
	}
	i = span(s, close + 1, n, true);
	if (i < n && s[i] != '#') {
		errf(p, p->line, "section", "text after ']'", 0, 0, 0);
		return;
	}
	k0 = span(s, 1, close, true);		/* [ KIND NAME ] */
	k1 = span(s, k0, close, false);
	n0 = span(s, k1, close, true);
	n1 = span(s, n0, close, false);
	i = span(s, n1, close, true);
	for (unsigned int t = 0; t < sizeof(sections) / sizeof(sections[0]); t++) {
		if (!slice_is(s + k0, k1 - k0, sections[t].kind))
			continue;
		if (i < close) {
			errf(p, p->line, "section", "expected [%s NAME]", sections[t].kind, 0, 0);
			return;
		}
		copy_n(p->vbuf, sizeof(p->vbuf), s + n0, n1 - n0);
		p->sec = &sections[t];
		p->in_bad_section = false;
		p->sec->begin(p, p->vbuf);
		return;
	}
	copy_n(p->vbuf, sizeof(p->vbuf), s + k0, k1 - k0);
	errf(p, p->line, "section", "unknown section '%s' (partition or channel)", p->vbuf, 0, 0);
}

/* A quoted value: \" and \\ are the only escapes. Returns the index after it, or 0. */
static size_t lex_quoted(struct parser *p, const char *s, size_t n, size_t i, const char *field)
{
	size_t o = 0;

	for (i++; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && (i + 1 == n || (s[i + 1] != '"' && s[i + 1] != '\\'))) {
			errf(p, p->line, field, "only \\\" and \\\\ escapes in quotes", 0, 0, 0);
			return 0;
		}
		i += s[i] == '\\';
		if (o + 1 == sizeof(p->vbuf)) {
			errf(p, p->line, field, "value longer than %u characters", 0, o, 0);
			return 0;
		}
		p->vbuf[o++] = s[i];
	}
	p->vbuf[o] = 0;
	if (i == n) {
		errf(p, p->line, field, "missing closing quote", 0, 0, 0);
		return 0;
	}
	return i + 1;
}

/* The value after '=' into p->vbuf: up to a '#' or the end, trimmed, or quoted. */
static bool lex_value(struct parser *p, const char *s, size_t n, const char *field, bool *empty)
{
	size_t i = span(s, 0, n, true), j;

	if (i < n && s[i] == '"') {
		*empty = false;
		i = lex_quoted(p, s, n, i, field);
		if (!i)
			return false;
		i = span(s, i, n, true);
		if (i < n && s[i] != '#') {
			errf(p, p->line, field, "text after the closing quote", 0, 0, 0);
			return false;
		}
		return true;
	}
	for (j = i; j < n && s[j] != '#'; j++)
		;
	while (j > i && is_space(s[j - 1]))
		j--;
	*empty = j == i;
	if (!copy_n(p->vbuf, sizeof(p->vbuf), s + i, j - i)) {
		errf(p, p->line, field, "value longer than %u characters", 0, sizeof(p->vbuf) - 1, 0);
		return false;
	}
	return true;
}

/* The key's index in the current section, or -1. */
static int find_key(const struct section *sec, const char *s, size_t n)
{
	for (unsigned int k = 0; k < sec->nkeys; k++)
		if (slice_is(s, n, sec->keys[k].name))
			return (int)k;
	return -1;
}

/* "key = value": checked against the current section's table of keys. */
static void parse_assign(struct parser *p, const char *s, size_t n)
{
	char field[MANIFEST_FIELD_MAX];
	struct value v = { p->vbuf, field, p->line };
	size_t k = 0, i;
	bool empty;
	int key;

	while (k < n && is_name_char(s[k]))
		k++;
	copy_n(field, sizeof(field), s, k);
	i = span(s, k, n, true);
	if (!k || i == n || s[i] != '=') {
		errf(p, p->line, k ? field : "line", "expected 'key = value'", 0, 0, 0);
		return;
	}
	if (!p->sec) {
		if (!p->in_bad_section)
			errf(p, p->line, field, "outside a section: start with [partition NAME]", 0,
			     0, 0);
		return;
	}
	key = find_key(p->sec, s, k);
	if (key < 0) {
		errf(p, p->line, field, "unknown key in a %s section", p->sec->kind, 0, 0);
		return;
	}
	if (key_set(p->info, (unsigned int)key)) {
		errf(p, p->line, field, "set twice (first at line %u)", 0,
		     p->info->key_line[key], 0);
		return;
	}
	/* Set even if its value is bad, so that it is not also reported missing. */
	p->info->key_line[key] = p->line;
	if (!lex_value(p, s + i + 1, n - i - 1, field, &empty))
		return;
	if (empty)
		errf(p, p->line, field, "missing value", 0, 0, 0);
	else if (p->sec->keys[key].parse(p, &v))
		p->info->good |= 1u << key;
}

static void parse_line(struct parser *p, const char *s, size_t n)
{
	size_t i;

	if (n && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			errf(p, p->line, "line", "control character 0x%x (only tabs and spaces)", 0,
			     c, 0);
			return;
		}
	}
	i = span(s, 0, n, true);
	if (i == n || s[i] == '#')
		return;
	if (s[i] == '[')
		parse_header(p, s + i, n - i);
	else
		parse_assign(p, s + i, n - i);
}

/* ---- checks across sections, once everything is read ---- */

/* Front and back end names to partition indices; a bad one loses its good bit. */
static void resolve_end(struct parser *p, struct item_info *in, unsigned int k,
			const char *name, unsigned int *out)
{
	int idx;

	if (!key_good(in, k))
		return;
	idx = manifest_find_partition(p->m, name);
	if (idx < 0) {
		errf(p, in->key_line[k], chan_keys[k].name, "no partition named '%s'", name, 0, 0);
		in->good &= ~(1u << k);
		return;
	}
	*out = (unsigned int)idx;
}

/* pvblk and pvnet are served from the devices the service partition owns. */
static void check_ends(struct parser *p, unsigned int i)
{
	const struct manifest_channel *c = &p->m->chan[i];
	const struct item_info *in = &p->cinfo[i];
	const struct manifest_partition *part = p->m->part;
	const char *type = c->type == MANIFEST_CHAN_PVBLK ? "pvblk" : "pvnet";

	if (!key_good(in, CK_TYPE) || c->type == MANIFEST_CHAN_RAW ||
	    !key_good(in, CK_FRONTEND) || !key_good(in, CK_BACKEND) || c->frontend == c->backend)
		return;
	if (key_good(&p->pinfo[c->backend], PK_ROLE) &&
	    part[c->backend].role != MANIFEST_ROLE_SERVICE)
		errf(p, in->key_line[CK_BACKEND], "backend",
		     "the back end of a %s channel is the service partition", type, 0, 0);
	if (key_good(&p->pinfo[c->frontend], PK_ROLE) &&
	    part[c->frontend].role == MANIFEST_ROLE_SERVICE)
		errf(p, in->key_line[CK_FRONTEND], "frontend",
		     "the service partition cannot be a %s front end", type, 0, 0);
}

static bool slice_known(const struct parser *p, unsigned int i)
{
	const struct item_info *in = &p->cinfo[i];

	return key_good(in, CK_TYPE) && p->m->chan[i].type == MANIFEST_CHAN_PVBLK &&
	       key_good(in, CK_DISK) && (!key_set(in, CK_SECTORS) || key_good(in, CK_SECTORS));
}

/* Two partitions may share sectors only if neither can write them. */
static void check_slices(struct parser *p, unsigned int j)
{
	const struct manifest_channel *c = p->m->chan, *b = &c[j];

	if (!slice_known(p, j))
		return;
	for (unsigned int i = 0; i < j; i++) {
		const struct manifest_channel *a = &c[i];

		if (!slice_known(p, i) || a->disk != b->disk || (a->readonly && b->readonly) ||
		    a->sector_last < b->sector_first || b->sector_last < a->sector_first)
			continue;
		errf(p, key_line(&p->cinfo[j], CK_SECTORS), "sectors",
		     "overlaps channel '%s' (line %u) on disk %u", a->name, p->cinfo[i].line,
		     a->disk);
		return;
	}
}

static void check_mac(struct parser *p, unsigned int j)
{
	const struct manifest_channel *c = p->m->chan;

	if (!key_good(&p->cinfo[j], CK_MAC) || c[j].type != MANIFEST_CHAN_PVNET)
		return;
	for (unsigned int i = 0; i < j; i++) {
		bool same = key_good(&p->cinfo[i], CK_MAC) && c[i].type == MANIFEST_CHAN_PVNET;

		for (int k = 0; same && k < 6; k++)
			same = c[i].mac[k] == c[j].mac[k];
		if (same) {
			errf(p, p->cinfo[j].key_line[CK_MAC], "mac",
			     "the MAC of channel '%s' (line %u)", c[i].name, p->cinfo[i].line, 0);
			return;
		}
	}
}

/* Sums memory in file order, so the error points at the section that went over. */
static void check_memory(struct parser *p)
{
	const struct manifest *m = p->m;
	unsigned int i = 0, j = 0, line;
	uint64_t total = 0;
	bool over = false;

	while (i < m->npart || j < m->nchan) {
		if (j == m->nchan || (i < m->npart && p->pinfo[i].line < p->cinfo[j].line)) {
			total += m->part[i].memory;
			line = key_line(&p->pinfo[i], PK_MEMORY);
			i++;
		} else {
			total += m->chan[j].ring + m->chan[j].data;
			line = p->cinfo[j].line;
			j++;
		}
		if (p->memory && total > p->memory && !over) {
			errf(p, line, "memory", "%z needed up to here, more than the %z available",
			     0, total, p->memory);
			over = true;
		}
	}
	p->m->memory_total = total;
}

static void swap_bytes(void *a, void *b, size_t n)
{
	unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		unsigned char t = x[i];

		x[i] = y[i];
		y[i] = t;
	}
}

/* Stable, by line: the checks at a section's end and across sections come last. */
static void sort_errors(struct manifest_errors *errs)
{
	for (unsigned int i = 1; i < errs->n; i++)
		for (unsigned int j = i; j && errs->e[j - 1].line > errs->e[j].line; j--)
			swap_bytes(&errs->e[j - 1], &errs->e[j], sizeof(errs->e[j]));
}

static void dup_device(struct parser *p, unsigned int i, unsigned int d, unsigned int j)
{
	char txt[8];
	struct obuf ob;

	ob_init(&ob, txt, sizeof(txt));
	ob_bdf(&ob, p->m->part[i].devices[d]);
	errf(p, p->pinfo[i].key_line[PK_DEVICES], "devices",
	     "%s already belongs to the partition of line %u", txt, p->pinfo[j].line, 0);
}

/* A device has one owner: the first partition that lists it. */
static void check_devices(struct parser *p)
{
	const struct manifest *m = p->m;

	for (unsigned int i = 1; i < m->npart; i++)
		for (unsigned int d = 0; d < m->part[i].ndevices; d++)
			for (unsigned int j = 0; j < i; j++)
				for (unsigned int e = 0; e < m->part[j].ndevices; e++)
					if (m->part[j].devices[e] == m->part[i].devices[d])
						dup_device(p, i, d, j);
}

static void check_all(struct parser *p)
{
	struct manifest *m = p->m;

	if (!p->any_partition)
		errf(p, 0, "partition", "no partitions", 0, 0, 0);
	for (unsigned int i = 0; i < m->nchan; i++) {
		resolve_end(p, &p->cinfo[i], CK_FRONTEND, p->cinfo[i].front, &m->chan[i].frontend);
		resolve_end(p, &p->cinfo[i], CK_BACKEND, p->cinfo[i].back, &m->chan[i].backend);
		check_ends(p, i);
		check_slices(p, i);
		check_mac(p, i);
	}
	check_devices(p);
	check_memory(p);
}

int manifest_parse(const char *text, size_t len, const struct manifest_limits *lim,
		   struct manifest *out, struct manifest_errors *errs)
{
	struct parser p;
	size_t pos = 0;

	if ((!text && len) || !lim || !out || !errs)
		return -HV_EINVAL;
	zero(&p, sizeof(p));
	zero(out, sizeof(*out));
	zero(errs, sizeof(*errs));
	p.m = out;
	p.errs = errs;
	p.ncpus = lim->cpus && lim->cpus < MANIFEST_MAX_CPUS ? lim->cpus : MANIFEST_MAX_CPUS;
	p.memory = lim->memory;
	out->service = -1;
	if (len > MANIFEST_TEXT_MAX) {
		errf(&p, 0, "manifest", "larger than %z", 0, MANIFEST_TEXT_MAX, 0);
		return -HV_EINVAL;
	}
	while (pos < len) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		p.line++;
		parse_line(&p, text + pos, end - pos);
		pos = end + 1;
	}
	end_section(&p);
	check_all(&p);
	if (!errs->n)
		return 0;
	sort_errors(errs);
	out->npart = 0;
	out->nchan = 0;
	out->service = -1;
	return -HV_EINVAL;
}

/* ---- queries and the plan ---- */

int manifest_find_partition(const struct manifest *m, const char *name)
{
	for (unsigned int i = 0; i < m->npart; i++)
		if (str_eq(m->part[i].name, name))
			return (int)i;
	return -HV_ENOENT;
}

unsigned int manifest_vcpu_cpu(const struct manifest_partition *p, unsigned int vcpu)
{
	uint64_t mask = p->cpus;

	for (; mask; mask &= mask - 1)
		if (!vcpu--)
			return (unsigned int)__builtin_ctzll(mask);
	return 0;
}

static const char *part_name(const struct manifest *m, unsigned int i)
{
	return i < m->npart ? m->part[i].name : "?";
}

size_t manifest_format_summary(const struct manifest *m, char *buf, size_t len)
{
	struct obuf ob;

	ob_init(&ob, buf, len);
	ob_s(&ob, "manifest: ");
	ob_u(&ob, m->npart);
	ob_s(&ob, m->npart == 1 ? " partition, " : " partitions, ");
	ob_u(&ob, m->nchan);
	ob_s(&ob, m->nchan == 1 ? " channel, " : " channels, ");
	ob_s(&ob, m->service >= 0 ? "service " : "no service");
	if (m->service >= 0)
		ob_s(&ob, part_name(m, (unsigned int)m->service));
	ob_s(&ob, ", memory ");
	ob_size(&ob, m->memory_total);
	return ob.need;
}

/* "0-3,6": runs of CPUs as ranges. */
static void ob_cpus(struct obuf *ob, uint64_t mask)
{
	bool first = true;

	for (unsigned int c = 0; c < MANIFEST_MAX_CPUS; c++) {
		unsigned int e = c;

		if (!(mask & (1ull << c)))
			continue;
		while (e + 1 < MANIFEST_MAX_CPUS && (mask & (1ull << (e + 1))))
			e++;
		if (!first)
			ob_c(ob, ',');
		ob_u(ob, c);
		if (e > c) {
			ob_c(ob, '-');
			ob_u(ob, e);
		}
		first = false;
		c = e;
	}
}

/* The service always says what it owns; a child only when it owns something. */
static void ob_devices(struct obuf *ob, const struct manifest_partition *pt)
{
	if (pt->role != MANIFEST_ROLE_SERVICE && !pt->ndevices)
		return;
	ob_s(ob, " devices=");
	if (pt->all_devices)
		ob_s(ob, "all");
	for (unsigned int i = 0; !pt->all_devices && i < pt->ndevices; i++) {
		if (i)
			ob_c(ob, ',');
		ob_bdf(ob, pt->devices[i]);
	}
	if (pt->iommu_required)
		ob_s(ob, " iommu=required");
}

size_t manifest_format_partition(const struct manifest *m, unsigned int i, char *buf, size_t len)
{
	static const char *const restart[] = { "never", "always", "on-failure" };
	const struct manifest_partition *pt;
	struct obuf ob;

	ob_init(&ob, buf, len);
	if (i >= m->npart)
		return 0;
	pt = &m->part[i];
	ob_s(&ob, "partition ");
	ob_s(&ob, pt->name);
	ob_s(&ob, pt->role == MANIFEST_ROLE_SERVICE ? ": service" : ": child");
	ob_s(&ob, " image=");
	ob_s(&ob, pt->image);
	ob_s(&ob, " memory=");
	ob_size(&ob, pt->memory);
	ob_s(&ob, " vcpus=");
	ob_u(&ob, pt->vcpus);
	ob_s(&ob, " cpus=");
	ob_cpus(&ob, pt->cpus);
	ob_devices(&ob, pt);
	ob_s(&ob, " restart=");
	ob_s(&ob, restart[pt->restart % 3]);
	if (pt->cmdline[0]) {
		ob_s(&ob, " cmdline=\"");
		for (const char *c = pt->cmdline; *c; c++) {
			if (*c == '"' || *c == '\\')
				ob_c(&ob, '\\');
			ob_c(&ob, *c);
		}
		ob_c(&ob, '"');
	}
	return ob.need;
}

static void ob_chan_specific(struct obuf *ob, const struct manifest_channel *c)
{
	if (c->type == MANIFEST_CHAN_PVBLK) {
		ob_s(ob, " disk=");
		ob_u(ob, c->disk);
		ob_s(ob, " sectors=");
		if (c->sector_last == MANIFEST_SECTORS_ALL) {
			ob_s(ob, "all");
		} else {
			ob_u(ob, c->sector_first);
			ob_c(ob, '-');
			ob_u(ob, c->sector_last);
		}
		ob_s(ob, c->readonly ? " ro" : " rw");
	}
	if (c->type == MANIFEST_CHAN_PVNET) {
		ob_s(ob, " mac=");
		for (int k = 0; k < 6; k++) {
			if (k)
				ob_c(ob, ':');
			ob_x2(ob, c->mac[k]);
		}
	}
}

size_t manifest_format_channel(const struct manifest *m, unsigned int i, char *buf, size_t len)
{
	static const char *const type[] = { "pvblk", "pvnet", "raw" };
	const struct manifest_channel *c;
	struct obuf ob;

	ob_init(&ob, buf, len);
	if (i >= m->nchan)
		return 0;
	c = &m->chan[i];
	ob_s(&ob, "channel ");
	ob_s(&ob, c->name);
	ob_s(&ob, ": ");
	ob_s(&ob, type[c->type % 3]);
	ob_c(&ob, ' ');
	ob_s(&ob, part_name(m, c->frontend));
	ob_s(&ob, " -> ");
	ob_s(&ob, part_name(m, c->backend));
	ob_s(&ob, " ring=");
	ob_size(&ob, c->ring);
	ob_s(&ob, " data=");
	ob_size(&ob, c->data);
	ob_chan_specific(&ob, c);
	return ob.need;
}

void manifest_plan(const struct manifest *m, manifest_emit_fn *emit, void *ctx)
{
	char line[MANIFEST_LINE_MAX];

	manifest_format_summary(m, line, sizeof(line));
	emit(ctx, line);
	for (unsigned int i = 0; i < m->npart; i++) {
		manifest_format_partition(m, i, line, sizeof(line));
		emit(ctx, line);
	}
	for (unsigned int i = 0; i < m->nchan; i++) {
		manifest_format_channel(m, i, line, sizeof(line));
		emit(ctx, line);
	}
}
