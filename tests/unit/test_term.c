/* test_term.c: the client's escaping and row layout of received lines
 * (term_layout, term.c). */
#include <stdint.h>
#include <string.h>

#include "term.h"
#include "test.h"
#include "utf8.h"

static char out[4096];

/* Lays s out and checks the result and that the length returned is its own. */
static void check_layout(const char *s, size_t len, unsigned cols,
			 size_t outlen, const char *want, int line)
{
	size_t n;

	memset(out, 'Z', sizeof out);
	n = term_layout(s, len, cols, out, outlen);
	if (outlen > 0 && (n >= outlen || out[n] != '\0' || strlen(out) != n))
		test_fail(__FILE__, line, "layout \"%s\": length %zu, not NUL-terminated there",
			  test_esc(s, len), n);
	else if (!test_mem_eq(out, n, want))
		test_fail(__FILE__, line, "layout \"%s\" in %u columns: \"%s\", want \"%s\"",
			  test_esc(s, len), cols, test_esc(out, n), test_esc(want, strlen(want)));
}

#define LAYOUT(s, cols, want) \
	check_layout((s), strlen(s), (cols), sizeof out, (want), __LINE__)
#define LAYOUT_IN(s, outlen, want) \
	check_layout((s), strlen(s), 80, (outlen), (want), __LINE__)

/* Without columns (a pipe): one line, escaped, nothing else changed. */
static void term_escapes(void)
{
	LAYOUT("hello", 0, "hello");
	LAYOUT("", 0, "");
	LAYOUT("bob: hi" "                                                                        "
	       " [admin] x", 0,
	       "bob: hi" "                                                                        "
	       " [admin] x");
	LAYOUT("red \x1b[31m!\x07", 0, "red \\x1b[31m!\\x07");
	LAYOUT("a\xc2\x9b" "2J", 0, "a\\xc2\\x9b2J");           /* C1 CSI */
	check_layout("a\xff" "b\0c", 5, 0, sizeof out, "a\\xffb\\x00c", __LINE__);
	LAYOUT("\xe5\xbc", 0, "\\xe5\\xbc");                    /* truncated 张 */
	/* bidi controls, every one; the letters of RTL scripts pass */
	LAYOUT("abc\u202edef", 0, "abc\\xe2\\x80\\xaedef");
	LAYOUT("\u202a\u202b\u202c\u202d", 0,
	       "\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xac\\xe2\\x80\\xad");
	LAYOUT("\u2066\u2067\u2068\u2069", 0,
	       "\\xe2\\x81\\xa6\\xe2\\x81\\xa7\\xe2\\x81\\xa8\\xe2\\x81\\xa9");
	LAYOUT("1\u200e2\u200f3\u061c", 0, "1\\xe2\\x80\\x8e2\\xe2\\x80\\x8f3\\xd8\\x9c");
	LAYOUT("שלום مرحبا 你好 a\u0301", 0, "שלום مرحبا 你好 a\u0301");
	CHECK_INT(term_sanitize("[admin] \x1b", 9, out, sizeof out), 12);
	CHECK_STR(out, "[admin] \\x1b");
}

/* The report's line: a member's text padded to push "[admin]" to the start
 * of the next row. It starts there indented. */
static void term_wrap_fake_admin(void)
{
	static const char pad[] =
		"                                                                         "; /* 73 */
	char line[256], want[256];

	CHECK_INT(strlen(pad), 73);
	strcpy(line, "bob: hi");
	strcat(line, pad);
	strcat(line, "[admin] server is going down");
	strcpy(want, "bob: hi");
	strcat(want, pad);
	strcat(want, "\r\n  [admin] server is going down");
	LAYOUT(line, 80, want);
	/* a column narrower: the row breaks one space earlier */
	strcpy(want, "bob: hi");
	strncat(want, pad, 72);
	strcat(want, "\r\n   [admin] server is going down");
	LAYOUT(line, 79, want);
}

static void term_wrap_rows(void)
{
	char a80[81], a81[82], want[160], wide[160];
	int i;

	memset(a80, 'a', 80);
	a80[80] = '\0';
	LAYOUT(a80, 80, a80);                                   /* a full row: no break */
	memcpy(a81, a80, 80);
	strcpy(a81 + 80, "b");
	strcpy(want, a80);
	strcat(want, "\r\n  b");
	LAYOUT(a81, 80, want);
	/* continuation rows hold cols - 2 */
	LAYOUT("0123456789abcdefghijklmnopqrstu", 10,
	       "0123456789\r\n  abcdefgh\r\n  ijklmnop\r\n  qrstu");
	/* a wide character that would straddle the edge moves down whole */
	LAYOUT("ab你好", 5, "ab你\r\n  好");
	LAYOUT("abc你好", 5, "abc你\r\n  好");
	LAYOUT("abcd你", 5, "abcd\r\n  你");
	/* 5 + 37 * 2 = 79 columns: the 38th does not fit in the 80th */
	strcpy(wide, "bob: ");
	for (i = 0; i < 38; i++)
		strcat(wide, "你");
	strcpy(want, wide);
	strcpy(want + strlen(want) - strlen("你"), "\r\n  你");
	LAYOUT(wide, 80, want);
	/* a combining mark stays with its letter, even in the last column */
	LAYOUT("abcde\u0301f", 5, "abcde\u0301\r\n  f");
	/* an escape is one piece: not split over two rows */
	LAYOUT("abcdefgh\x1b", 10, "abcdefgh\r\n  \\x1b");
	LAYOUT("abcdef\x1b", 10, "abcdef\\x1b");
	/* pieces wider than a row get a row each, and the layout ends */
	LAYOUT("\x1b\x1b" "a", 3, "\\x1b\r\n  \\x1b\r\n  a");
	LAYOUT("你你", 1, "你\r\n  你");
	/* spaces are text: kept, also at the start of a continuation row */
	LAYOUT("abc    de", 5, "abc  \r\n    d\r\n  e");
}

/* A small buffer: cut at a character boundary, NUL-terminated. */
static void term_layout_cut(void)
{
	CHECK_INT(term_layout("abc", 3, 0, out, 0), 0);
	LAYOUT_IN("hello", 1, "");
	LAYOUT_IN("hello", 5, "hell");
	LAYOUT_IN("hello", 6, "hello");
	LAYOUT_IN("你好", 5, "你");
	LAYOUT_IN("你好", 4, "你");
	LAYOUT_IN("你好", 3, "");
	LAYOUT_IN("ab\x1b", 6, "ab");
	LAYOUT_IN("ab\x1b", 7, "ab\\x1b");
	/* a row break and the character after it go together */
	check_layout("0123456789abc", 13, 10, 15, "0123456789", __LINE__);
	check_layout("0123456789abc", 13, 10, 16, "0123456789\r\n  a", __LINE__);
}

/* Columns of a laid-out row. */
static unsigned row_width(const char *s, size_t len)
{
	unsigned w = 0;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return 9999;
		w += (unsigned)utf8_width(cp);
		i += n;
	}
	return w;
}

/* Random lines of wide, combining, control, bidi, space and ASCII pieces in
 * widths 14..90 (where every piece, 12 columns at most, fits a row): every
 * row fits, rows after the first are indented, and the text joined again is
 * the one-line escaped text. */
static void term_wrap_properties(void)
{
	static const char *const pieces[] = { "a", " ", "[", "你", "\u0301", "\x1b", "\u202e",
					      "\xff", "😀", "é", "\u200b", "ש" };
	static char line[600], flat[4096], joined[4096];
	uint32_t seed = 12345;
	int round;

	for (round = 0; round < 3000; round++) {
		size_t len = 0, flen, n, j, rowlen;
		unsigned cols, rows = 0, w;
		const char *p, *end, *nl;

		seed = seed * 1103515245u + 12345u;
		cols = 14 + (seed >> 16) % 77;
		n = (seed >> 8) % 120;
		for (j = 0; j < n; j++) {
			const char *piece;
			seed = seed * 1103515245u + 12345u;
			piece = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
			memcpy(line + len, piece, strlen(piece));
			len += strlen(piece);
		}
		flen = term_layout(line, len, 0, flat, sizeof flat);
		n = term_layout(line, len, cols, out, sizeof out);
		CHECK_MSG(n < sizeof out && strlen(out) == n, "round %d: length", round);
		joined[0] = '\0';
		for (p = out, end = out + n; p <= end; p = nl + 2, rows++) {
			nl = strstr(p, "\r\n");
			if (!nl)
				nl = end;
			rowlen = (size_t)(nl - p);
			if (rows > 0) {
				CHECK_MSG(rowlen >= 2 && p[0] == ' ' && p[1] == ' ',
					  "round %d: row %u not indented", round, rows);
				p += 2;
				rowlen -= 2;
			}
			w = row_width(p, rowlen) + (rows > 0 ? 2 : 0);
			CHECK_MSG(w <= cols, "round %d: row %u is %u columns in %u",
				  round, rows, w, cols);
			strncat(joined, p, rowlen);
			if (nl == end)
				break;
		}
		CHECK_MSG(strlen(joined) == flen && memcmp(joined, flat, flen) == 0,
			  "round %d: text changed: \"%s\"", round, test_esc(joined, strlen(joined)));
	}
}

void suite_term(void)
{
	TEST_RUN(term_escapes);
	TEST_RUN(term_wrap_fake_admin);
	TEST_RUN(term_wrap_rows);
	TEST_RUN(term_layout_cut);
	TEST_RUN(term_wrap_properties);
}
