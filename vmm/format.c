/* SPDX-License-Identifier: MIT */
/* The hypervisor's snprintf: enough of C's conversions for logs, bounded and allocation-free. */
#include "vmm/format.h"

#include <stdbool.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t len;
	size_t pos;
};

struct spec {
	bool left;
	bool zero;
	int width;
	int prec;
	int size;	/* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	if (!s->left)
		pad(o, s->width - n, ' ');
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, s->width - n, ' ');
}

static void emit_num(struct out *o, const struct spec *s, uint64_t v, unsigned base,
		     bool neg, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);

	if (s->left) {
		if (neg)
			put(o, '-');
		while (n)
			put(o, tmp[--n]);
		pad(o, s->width - len, ' ');
		return;
	}
	if (s->zero) {
		if (neg)
			put(o, '-');
		pad(o, s->width - len, '0');
	} else {
		pad(o, s->width - len, ' ');
		if (neg)
			put(o, '-');
	}
	while (n)
		put(o, tmp[--n]);
}

static uint64_t arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->size) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->size) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	case -1: return (short)va_arg(*ap, int);
	case -2: return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			s->left = true;
		else if (*f == '0')
			s->zero = true;
		else
			break;
	}
	if (*f == '*') {
		s->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		s->width = s->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		s->prec = 0;
		if (*f == '*') {
			s->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			s->prec = s->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			s->size = s->size == 1 ? 2 : 1;
		else if (*f == 'h')
			s->size = s->size == -1 ? -2 : -1;
		else if (*f == 'z')
			s->size = 3;
		else
			break;
	}
	return f;
}

static void convert(struct out *o, char c, struct spec *s, va_list *ap)
{
	int64_t sv;

	switch (c) {
	case 'c':
		put(o, (char)va_arg(*ap, int));
		break;
	case 's':
		emit_str(o, s, va_arg(*ap, const char *));
		break;
	case 'd':
	case 'i':
		sv = arg_signed(s, ap);
		emit_num(o, s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, 10, sv < 0, false);
		break;
	case 'u':
		emit_num(o, s, arg_unsigned(s, ap), 10, false, false);
		break;
	case 'x':
	case 'X':
		emit_num(o, s, arg_unsigned(s, ap), 16, false, c == 'X');
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		s->zero = true;
		s->width = 16;
		emit_num(o, s, (uintptr_t)va_arg(*ap, void *), 16, false, false);
		break;
	case '%':
		put(o, '%');
		break;
	default:
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int hv_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .len = len, .pos = 0 };
	struct spec s;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &s, &args);
		convert(&o, *fmt, &s, &args);
		if (*fmt)
			fmt++;
	}
	va_end(args);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return (int)o.pos;
}

int hv_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hv_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
