/* test_fmt.c: our formatter against libc's snprintf for every conversion
 * udpchat uses, truncation, number parsing, and IPv6 address text. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "net.h"
#include "test.h"

/* Formats with both and compares result and return value. */
#define SAME(...) \
	do { char a_[256], b_[256]; int na_ = fmt_snprintf(a_, sizeof(a_), __VA_ARGS__); \
	     int nb_ = snprintf(b_, sizeof(b_), __VA_ARGS__); \
	     CHECK_MSG(na_ == nb_ && strcmp(a_, b_) == 0, "fmt \"%s\" (%d), libc \"%s\" (%d)", \
		       a_, na_, b_, nb_); } while (0)

static void fmt_conversions(void)
{
	SAME("plain");
	SAME("%s|%5s|%-5s|%.2s|%.*s", "abc", "ab", "ab", "abc", 3, "abcdef");
	SAME("%d %d %d %i", 0, -1, INT_MIN, INT_MAX);
	SAME("%u %u %x %X %02x %02lx", 0u, UINT_MAX, 0xbeefu, 0xbeefu, 0x7u, 0x1bUL);
	SAME("%lld %llu %zu %ld %lu", LLONG_MIN, ULLONG_MAX, (size_t)12345, LONG_MIN, ULONG_MAX);
	SAME("%05d|%-6d|%6u|%c%c|100%%", -42, 7, 99u, 'o', 'k');
	SAME("%s: %.*s", "alice", 5, "hello world");
}

static void fmt_truncation(void)
{
	char b[8];

	memset(b, 'x', sizeof(b));
	CHECK_INT(fmt_snprintf(b, sizeof(b), "%s", "0123456789"), 10);
	CHECK_STR(b, "0123456");
	CHECK_INT(fmt_snprintf(b, 1, "%d", 12345), 5);
	CHECK_STR(b, "");
	CHECK_INT(fmt_snprintf(NULL, 0, "%u", 123u), 3);
}

/* fmt_udiv against the compiler's 64-bit division, over edge values and a
 * pseudo-random spread, for the divisors it is used with and the bounds. */
static void fmt_divide(void)
{
	static const unsigned ds[] = { 1, 2, 3, 7, 8, 10, 16, 1000, 65535, 65536 };
	unsigned long long x = 0x9e3779b97f4a7c15ull, v;
	unsigned r, i, k;

	for (k = 0; k < 2000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = k < 4 ? (unsigned long long[]){ 0, 1, ULLONG_MAX, 0xffffffffull }[k]
			  : x >> (k % 64);
		for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
			r = 99999;
			CHECK_MSG(fmt_udiv(v, ds[i], &r) == v / ds[i] && r == v % ds[i],
				  "%llu / %u", v, ds[i]);
		}
	}
	CHECK_INT(fmt_udiv(12345, 10, NULL), 1234);
}

static void fmt_parse(void)
{
	unsigned long v = 7;

	CHECK_INT(fmt_parse_uint("8888", 1, 65535, &v), 0);
	CHECK_INT(v, 8888);
	CHECK_INT(fmt_parse_uint("0", 0, 10, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(fmt_parse_uint("65535", 1, 65535, &v), 0);
	CHECK_INT(fmt_parse_uint("65536", 1, 65535, &v), -1);
	CHECK_INT(fmt_parse_uint("9", 1, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("0", 1, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("", 0, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("-1", 0, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("+1", 0, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("1x", 0, 5, &v), -1);
	CHECK_INT(fmt_parse_uint(" 1", 0, 5, &v), -1);
	CHECK_INT(fmt_parse_uint("99999999999999999999999", 0, ULONG_MAX, &v), -1);
}

/* net_addr_str's own IPv6 text against libc's inet_ntop (RFC 5952). */
static void fmt_ip6_text(void)
{
	static const char *const addrs[] = {
		"::1", "fe80::1", "2001:db8::", "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:0:1",
		"1:0:0:2:0:0:0:3", "1:2:3:4:5:6:7:8", "0:1:0:1:0:1:0:1", "1::", "ffff::ffff",
		"2001:db8:0:1:1:1:1:1",
	};
	char want[80], ref[64], got[NET_ADDRSTR];
	struct net_addr a;
	size_t i;
	int k;

	srand(7);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]) + 20000; i++) {
		memset(&a, 0, sizeof(a));
		a.sin6.sin6_family = AF_INET6;
		a.sin6.sin6_port = htons(8888);
		if (i < sizeof(addrs) / sizeof(addrs[0])) {
			inet_pton(AF_INET6, addrs[i], &a.sin6.sin6_addr);
		} else {
			for (k = 0; k < 16; k += 2) /* zero groups often, to make runs */
				if (rand() % 2)
					a.sin6.sin6_addr.s6_addr[k + 1] = (unsigned char)rand();
			a.sin6.sin6_addr.s6_addr[0] = 0x20; /* not v4-compatible/mapped */
		}
		inet_ntop(AF_INET6, &a.sin6.sin6_addr, ref, sizeof(ref));
		snprintf(want, sizeof(want), "[%s]:8888", ref);
		net_addr_str(&a, got);
		if (strcmp(got, want) != 0) {
			CHECK_STR(got, want);
			break;
		}
	}
	a.sin6.sin6_addr = (struct in6_addr){ .s6_addr = { [10] = 0xff, [11] = 0xff, 192, 168, 1, 20 } };
	CHECK_STR(net_addr_str(&a, got), "192.168.1.20:8888");
}

/* net_pton against libc's inet_pton: a list of edge cases, then random
 * strings over the characters addresses are made of. */
static void fmt_pton(void)
{
	static const char *const cases[] = {
		"", "0.0.0.0", "1.2.3.4", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5",
		"01.2.3.4", "1.2.3.04", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4",
		"1234.1.1.1", "0x1.1.1.1", "::", "::1", "1::", ":1", "1:", ":::", "1:::2", "::1::",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::",
		"::2:3:4:5:6:7:8", "1::3:4:5:6:7:8", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8",
		"ffff::FFFF", "12345::", "1:2:3:4:5:6:1.2.3.4", "::ffff:192.168.1.20",
		"::1.2.3.4", "1::1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:1.2.3.4",
		"::ffff:1.2.3", "::ffff:1.2.3.4:5", "1.2.3.4::", "::1.2.3.4:1", "fe80::1%1",
		"2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "g::", "::g",
		"1:2:3:4:5:6::1.2.3.4", "1:2:3:4:5::1.2.3.4", "::0:0:0:0:0:0:0",
	};
	static const char alphabet[] = "0123456789abcdefABCDEF::::....g% ";
	unsigned char mine[16], ref[16];
	char s[40];
	size_t i, k, len;
	int fam, r1, r2, valid = 0, n = (int)(sizeof(cases) / sizeof(cases[0]));

	srand(11);
	for (i = 0; i < (size_t)n + 400000; i++) {
		if (i < (size_t)n) {
			snprintf(s, sizeof(s), "%s", cases[i]);
		} else if (i % 2) {
			len = (size_t)rand() % 24;
			for (k = 0; k < len; k++)
				s[k] = alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
			s[len] = '\0';
		} else { /* 0-9 groups of 0-5 hex digits, maybe a dotted quad */
			len = 0;
			for (k = (size_t)rand() % 10; k > 0; k--) {
				len += (size_t)snprintf(s + len, sizeof(s) - len, "%.*x%s", rand() % 6,
							(unsigned)rand() & 0xfffff, k > 1 ? ":" : "");
				if (len >= 30)
					break;
			}
			if (rand() % 3 == 0 && len < 24)
				snprintf(s + len, sizeof(s) - len, "%s%d.%d.%d.%d", rand() % 2 ? ":" : "",
					 rand() % 300, rand() % 3, rand() % 3, rand() % 3);
		}
		for (fam = 0; fam < 2; fam++) {
			int af = fam ? AF_INET6 : AF_INET;
			memset(mine, 0, sizeof(mine));
			memset(ref, 0, sizeof(ref));
			r1 = net_pton(af, s, mine);
			r2 = inet_pton(af, s, ref);
			if (r1 != r2 || (r1 == 1 && memcmp(mine, ref, fam ? 16 : 4) != 0)) {
				CHECK_MSG(0, "\"%s\" family %d: net_pton %d, inet_pton %d", s, af, r1, r2);
				return;
			}
			valid += r2;
		}
	}
	CHECK_MSG(valid > 2000, "only %d valid addresses tried", valid);
}

/* fmt_strerror: musl's text for each errno in its table (so the table's two
 * lists stay in step; compared with libc's strerror when libc is musl, whose
 * texts they are), "error N" for the rest. */
static void fmt_errors(void)
{
	const char *s;
	char want[24];
	int e, known = 0;

	CHECK_STR(fmt_strerror(EPERM), "Operation not permitted");
	CHECK_STR(fmt_strerror(EADDRINUSE), "Address in use");
	CHECK_STR(fmt_strerror(ECONNREFUSED), "Connection refused");
	CHECK_STR(fmt_strerror(EHOSTUNREACH), "Host is unreachable");
	CHECK_STR(fmt_strerror(ENOENT), "No such file or directory");
	CHECK_STR(fmt_strerror(EACCES), "Permission denied");
	CHECK_STR(fmt_strerror(EAGAIN), "Resource temporarily unavailable");
	snprintf(want, sizeof(want), "error %d", ENOSYS);
	CHECK_STR(fmt_strerror(ENOSYS), want);
	snprintf(want, sizeof(want), "error %d", EBADF);   /* a bug of ours: no text */
	CHECK_STR(fmt_strerror(EBADF), want);
	CHECK_STR(fmt_strerror(0), "error 0");
	CHECK_STR(fmt_strerror(-3), "error -3");
	for (e = 1; e < 1200; e++) {
		s = fmt_strerror(e);
		if (strncmp(s, "error ", 6) == 0)
			continue;
		known++;
#ifndef __GLIBC__
		CHECK_MSG(strcmp(s, strerror(e)) == 0, "errno %d: \"%s\", libc \"%s\"", e, s, strerror(e));
#endif
	}
	CHECK_INT(known, 21);
}

void suite_fmt(void)
{
	TEST_RUN(fmt_conversions);
	TEST_RUN(fmt_truncation);
	TEST_RUN(fmt_divide);
	TEST_RUN(fmt_parse);
	TEST_RUN(fmt_ip6_text);
	TEST_RUN(fmt_pton);
	TEST_RUN(fmt_errors);
}
