/* fmt.c: a small formatter and a number parser (see fmt.h). */
#include <errno.h>
#include <string.h>

#include "fmt.h"
#include "io.h"

struct fmt_out {
	char *buf;
	size_t size, len; /* len counts every byte, even those past size */
};

static void fmt_put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Puts s[0..n) padded to width (left-justified if left), with pad. */
static void fmt_field(struct fmt_out *o, const char *s, size_t n, int width, int left, char pad)
{
	size_t i, fill = width > 0 && (size_t)width > n ? (size_t)width - n : 0;

	if (!left && pad == '0' && n > 0 && s[0] == '-') { /* -0042, not 00-42 */
		fmt_put(o, '-');
		s++;
		n--;
	}
	for (i = 0; !left && i < fill; i++)
		fmt_put(o, pad);
	for (i = 0; i < n; i++)
		fmt_put(o, s[i]);
	for (i = 0; left && i < fill; i++)
		fmt_put(o, ' ');
}

/* noinline: with link-time optimisation its few callers would each take a
 * copy (0.1 kB on mipsel) */
__attribute__((noinline)) unsigned long long fmt_udiv(unsigned long long v, unsigned d, unsigned *rem)
{
	unsigned long long q = 0;
	unsigned r = 0, cur;
	int shift;

	for (shift = 48; shift >= 0; shift -= 16) { /* long division, 16 bits a step */
		cur = r << 16 | (unsigned)(v >> shift & 0xffff);
		q |= (unsigned long long)(cur / d) << shift;
		r = cur % d;
	}
	if (rem)
		*rem = r;
	return q;
}

/* Writes v in base into the end of tmp; returns where the digits start. */
static char *fmt_digits(unsigned long long v, unsigned base, int upper, char *end)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned r;

	do {
		v = fmt_udiv(v, base, &r);
		*--end = digits[r];
	} while (v);
	return end;
}

/* The next argument, an int (or unsigned) or, if wide, a long long: each
 * va_arg is a long sequence on aarch64, so it is written twice, not at
 * every conversion (out of line: one copy, not one per caller). */
__attribute__((noinline)) static unsigned long long fmt_arg(va_list *ap, int wide)
{
	return wide ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct fmt_out o = { buf, size, 0 };
	va_list ap; /* a copy: &ap0 would not be a va_list * where it is an array */
	char tmp[24], *p;
	const char *s;
	size_t n;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		int left = 0, width = 0, prec = -1, lng = 0, neg;
		char pad = ' ';
		unsigned long long u;

		if (*fmt != '%') {
			fmt_put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = 1;
			else
				pad = '0';
		}
		if (*fmt == '*') {
			width = (int)fmt_arg(&ap, 0);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = (int)fmt_arg(&ap, 0);
				fmt++;
			}
			for (; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (*fmt - '0');
		}
		/* 'z' as 'l': size_t is as wide as long on every Linux ABI
		 * (32 bits on the 32-bit boards), never wider */
		for (; *fmt == 'l' || *fmt == 'h' || *fmt == 'z'; fmt++)
			lng += *fmt != 'h';
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			for (n = 0; (prec < 0 || n < (size_t)prec) && s[n]; n++)
				;
			fmt_field(&o, s, n, width, left, ' ');
			break;
		case 'c':
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
			/* One read for every integer conversion (each va_arg is a long
			 * sequence on aarch64): a long is as wide as an int or as a
			 * long long on every Linux ABI, and read as that; a signed
			 * int is read as unsigned and sign-extended. */
			lng = lng >= 2 || (lng && sizeof(long) > sizeof(int));
			u = fmt_arg(&ap, lng);
			if (!lng && (*fmt == 'd' || *fmt == 'i'))
				u = (unsigned long long)(long long)(int)u;
			p = tmp + sizeof(tmp);
			if (*fmt == 'c') {
				*--p = (char)u;
			} else {
				neg = (*fmt == 'd' || *fmt == 'i') && (long long)u < 0;
				p = fmt_digits(neg ? 0ULL - u : u, (*fmt | 0x20) == 'x' ? 16 : 10,
					       *fmt == 'X', p);
				if (neg)
					*--p = '-';
			}
			fmt_field(&o, p, (size_t)(tmp + sizeof(tmp) - p), width, left, pad);
			break;
		case '%':
			fmt_put(&o, '%');
			break;
		default: /* not a conversion we know: show it rather than guess */
			fmt_put(&o, '%');
			if (!*fmt)
				goto done;
			fmt_put(&o, *fmt);
			break;
		}
	}
done:
	va_end(ap);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void fmt_vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[FMT_OUT_MAX];
	size_t len;
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	(void)io_write_all(fd, buf, len);
}

void fmt_dprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vdprintf(fd, fmt, ap);
	va_end(ap);
}

int fmt_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');
		if (*s < '0' || *s > '9' || v > max / 10 || (v == max / 10 && d > max % 10))
			return -1;
		v = v * 10 + d;
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

/* The errno values that users of socket, bind, connect, send, open, pipe,
 * fork and poll meet (a full disk, a missing file, no network, no
 * permission), and musl's texts for them, in the same order. The rest
 * (EINTR, EBADF, ENOTSOCK: a bug of ours; ENOTDIR, ENFILE, ENOTTY, EROFS,
 * ENAMETOOLONG, EPROTOTYPE, EPROTONOSUPPORT, EHOSTDOWN: rare) are shown as
 * "error N" (their texts cost 0.2 kB). */
static const unsigned char fmt_errnos[] = {
	EPERM, ENOENT, EAGAIN, ENOMEM, EACCES, EEXIST, EINVAL, EMFILE, ENOSPC,
	EPIPE, EMSGSIZE, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN,
	ENETUNREACH, ECONNRESET, ENOBUFS, ETIMEDOUT, ECONNREFUSED, EHOSTUNREACH,
};
static const char fmt_errtexts[] =
	"Operation not permitted\0No such file or directory\0"
	"Resource temporarily unavailable\0Out of memory\0Permission denied\0"
	"File exists\0Invalid argument\0No file descriptors available\0"
	"No space left on device\0Broken pipe\0Message too large\0"
	"Address family not supported by protocol\0Address in use\0"
	"Address not available\0Network is down\0Network unreachable\0"
	"Connection reset by peer\0No buffer space available\0"
	"Operation timed out\0Connection refused\0Host is unreachable";

const char *fmt_strerror(int e)
{
	static char other[24];
	const char *s = fmt_errtexts;
	size_t i;

	for (i = 0; i < sizeof(fmt_errnos); i++, s += strlen(s) + 1)
		if (fmt_errnos[i] == e)
			return s;
	fmt_snprintf(other, sizeof(other), "error %d", e);
	return other;
}
