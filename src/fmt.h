/* fmt.h: the few printf conversions udpchat uses, and number parsing, of our
 * own: libc's printf engine (floating point included) and strtoul would
 * be a sixth of the static binary. */
#ifndef UCHAT_FMT_H
#define UCHAT_FMT_H
#include <stdarg.h>
#include <stddef.h>

/* As vsnprintf/snprintf for the conversions c d i u x X s and %%, with the
 * flags '-' and '0', a width, a precision ('.N' or '.*', for s: at most N
 * bytes) and the lengths hh h l ll z. Writes at most size bytes including a
 * NUL (when size > 0); returns the length the whole result would have. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Formats (at most FMT_OUT_MAX bytes) and writes the result to fd
 * (io_write_all). */
#define FMT_OUT_MAX 2048
void fmt_dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fmt_vdprintf(int fd, const char *fmt, va_list ap);

/* Returns v / d and puts v % d in *rem (when rem is not NULL), for d in
 * 1..65536, with 32-bit divisions only: a 64-bit one would link libgcc's
 * __udivdi3/__umoddi3 (3 kB) into the 32-bit builds. */
unsigned long long fmt_udiv(unsigned long long v, unsigned d, unsigned *rem);

/* Parses a whole decimal string in [min, max] into *out. Returns 0, or -1 for
 * an empty string, a non-digit, or a value out of range. */
int fmt_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* As strerror, with musl's texts, for the errno values users meet (see
 * fmt.c); any other reads "error N". musl's strerror table is 2.2 kB. The
 * text stays valid until the next call. */
const char *fmt_strerror(int e);

#endif
