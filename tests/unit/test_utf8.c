/* test_utf8.c: strict decoding, text check, width, encoding (utf8.c). */
#include <string.h>

#include "test.h"
#include "utf8.h"

/* Decodes s[0..len) and checks the length and the code point. */
static void check_decode(const char *s, size_t len, size_t want_n, uint32_t want_cp, int line)
{
	uint32_t cp = 0xdeadbeef;
	size_t n = utf8_decode(s, len, &cp);

	if (n != want_n)
		test_fail(__FILE__, line, "decode \"%s\": length %zu, want %zu",
			  test_esc(s, len), n, want_n);
	else if (n && cp != want_cp)
		test_fail(__FILE__, line, "decode \"%s\": U+%04X, want U+%04X",
			  test_esc(s, len), (unsigned)cp, (unsigned)want_cp);
}

#define DEC(s, n, cp) check_decode((s), sizeof(s) - 1, (n), (cp), __LINE__)
#define BAD(s) check_decode((s), sizeof(s) - 1, 0, 0, __LINE__)

static void utf8_decode_valid(void)
{
	DEC("A", 1, 0x41);
	DEC("\x7f", 1, 0x7f);
	DEC("\xc2\x80", 2, 0x80);
	DEC("\xc3\xa9", 2, 0xe9);          /* é */
	DEC("\xdf\xbf", 2, 0x7ff);
	DEC("\xe0\xa0\x80", 3, 0x800);
	DEC("\xe5\xbc\xa0", 3, 0x5f20);    /* 张 */
	DEC("\xe3\x80\x80", 3, 0x3000);
	DEC("\xed\x9f\xbf", 3, 0xd7ff);    /* just below the surrogates */
	DEC("\xee\x80\x80", 3, 0xe000);    /* just above them */
	DEC("\xef\xbf\xbf", 3, 0xffff);
	DEC("\xf0\x90\x80\x80", 4, 0x10000);
	DEC("\xf0\x9f\x98\x80", 4, 0x1f600); /* 😀 */
	DEC("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
	/* only the first code point is decoded */
	DEC("ab", 1, 'a');
	DEC("\xe5\xbc\xa0" "x", 3, 0x5f20);
	{
		static const char nul[1] = { 0 };
		check_decode(nul, 1, 1, 0, __LINE__);
	}
}

static void utf8_decode_invalid(void)
{
	uint32_t cp;

	CHECK_INT(utf8_decode("A", 0, &cp), 0);
	/* overlong forms */
	BAD("\xc0\x80");
	BAD("\xc1\xbf");
	BAD("\xe0\x80\x80");
	BAD("\xe0\x9f\xbf");
	BAD("\xf0\x80\x80\x80");
	BAD("\xf0\x8f\xbf\xbf");
	/* surrogates */
	BAD("\xed\xa0\x80");
	BAD("\xed\xbf\xbf");
	/* above U+10FFFF */
	BAD("\xf4\x90\x80\x80");
	BAD("\xf5\x80\x80\x80");
	BAD("\xf7\xbf\xbf\xbf");
	BAD("\xf8\x88\x80\x80\x80");
	BAD("\xff");
	BAD("\xfe");
	/* truncated */
	BAD("\xc3");
	BAD("\xe5\xbc");
	BAD("\xf0\x9f\x98");
	BAD("\xf0");
	/* a continuation byte that is not one */
	BAD("\xc3" "A");
	BAD("\xe5\xbc" "A");
	BAD("\xf0\x9f\x98" "A");
	BAD("\xe5" "\xc3\xa9");
	/* stray continuation bytes */
	BAD("\x80");
	BAD("\xbf");
	BAD("\x80" "A");
}

/* Every one- and two-byte sequence: valid exactly when the lead is a
 * two-byte lead (C2-DF) followed by a continuation, or ASCII. */
static void utf8_decode_exhaustive_two_bytes(void)
{
	unsigned a, b, bad = 0;
	char s[2];
	uint32_t cp;
	size_t n;

	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			size_t want;

			s[0] = (char)a;
			s[1] = (char)b;
			n = utf8_decode(s, 2, &cp);
			if (a < 0x80)
				want = 1;
			else if (a >= 0xc2 && a <= 0xdf && (b & 0xc0) == 0x80)
				want = 2;
			else
				want = 0;
			if (n != want && bad++ < 5)
				test_fail(__FILE__, __LINE__, "decode %02x %02x: %zu, want %zu",
					  a, b, n, want);
			if (want == 2 && n == 2 && cp != (((a & 0x1f) << 6) | (b & 0x3f)))
				test_fail(__FILE__, __LINE__, "decode %02x %02x: U+%04X", a, b,
					  (unsigned)cp);
		}
	}
	CHECK_INT(bad, 0);
}

static void utf8_valid_strings(void)
{
	CHECK_INT(utf8_valid("", 0), 1);
	CHECK_INT(utf8_valid("hello", 5), 1);
	CHECK_INT(utf8_valid("张三 😀 é", strlen("张三 😀 é")), 1);
	CHECK_INT(utf8_valid("a\xff", 2), 0);
	CHECK_INT(utf8_valid("abc\xe5\xbc", 5), 0);   /* truncated at the end */
	CHECK_INT(utf8_valid("\xe5\xbc\xa0", 2), 0);  /* length cuts it */
	CHECK_INT(utf8_valid("\xed\xa0\x80\xed\xb0\x80", 6), 0); /* CESU pair */
}

static void utf8_check_text_values(void)
{
	CHECK_INT(utf8_check_text("", 0), 0);
	CHECK_INT(utf8_check_text("hello world", 11), 0);
	CHECK_INT(utf8_check_text("张三: 你好 😀", strlen("张三: 你好 😀")), 0);
	CHECK_INT(utf8_check_text("\xc2\xa0", 2), 0);          /* NBSP is no control */
	CHECK_INT(utf8_check_text("\xc2\xa0\x80", 3), -1);     /* invalid */
	CHECK_INT(utf8_check_text("a\xff", 2), -1);
	CHECK_INT(utf8_check_text("\xc0\x80", 2), -1);         /* overlong NUL */
	CHECK_INT(utf8_check_text("\xed\xa0\x80", 3), -1);
	CHECK_INT(utf8_check_text("abc\xe5", 4), -1);
	CHECK_INT(utf8_check_text("red \x1b[31m", 9), 0x1b + 1);
	CHECK_INT(utf8_check_text("a\tb", 3), 0x09 + 1);
	CHECK_INT(utf8_check_text("a\rb", 3), 0x0d + 1);
	CHECK_INT(utf8_check_text("a\0b", 3), 0x00 + 1);
	CHECK_INT(utf8_check_text("a\x7f", 2), 0x7f + 1);
	CHECK_INT(utf8_check_text("a\xc2\x85", 3), 0x85 + 1);  /* C1 NEL */
	CHECK_INT(utf8_check_text("\xc2\x9b" "2J", 4), 0x9b + 1); /* C1 CSI */
	CHECK_INT(utf8_check_text("\xc2\x9f", 2), 0x9f + 1);
	/* the first control character is reported */
	CHECK_INT(utf8_check_text("x\x07y\x1b", 4), 0x07 + 1);
	/* control before an invalid byte: reported as control (first problem) */
	CHECK_INT(utf8_check_text("\x01\xff", 2), 0x01 + 1);
	CHECK_INT(utf8_check_text("\xff\x01", 2), -1);
	/* bidi controls are refused as controls are; the scripts they steer are not */
	CHECK_INT(utf8_check_text("abc\u202edef", strlen("abc\u202edef")), 0x202e + 1);
	CHECK_INT(utf8_check_text("\u2066x\u2069", strlen("\u2066x\u2069")), 0x2066 + 1);
	CHECK_INT(utf8_check_text("1\u200f2", strlen("1\u200f2")), 0x200f + 1);
	CHECK_INT(utf8_check_text("\u061c", strlen("\u061c")), 0x61c + 1);
	CHECK_INT(utf8_check_text("שלום مرحبا 123", strlen("שלום مرحبا 123")), 0);
	CHECK_INT(utf8_check_text("a\u200db", strlen("a\u200db")), 0);   /* ZWJ: emoji sequences */
	CHECK_INT(utf8_check_text("\u2764\ufe0f", strlen("\u2764\ufe0f")), 0);
}

/* Unicode's Bidi_Control property, all of it and nothing else nearby. */
static void utf8_bidi_class(void)
{
	static const uint32_t bidi[] = { 0x61c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c,
					 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069 };
	static const uint32_t not[] = { 0x61b, 0x61d, 0x200b, 0x200c, 0x200d, 0x2010, 0x2029,
					0x202f, 0x2065, 0x206a, 0x5d0, 0x627, 0xfeff, 0 };
	size_t i;

	for (i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		CHECK_MSG(utf8_is_bidi(bidi[i]), "U+%04X is a bidi control", (unsigned)bidi[i]);
		/* and the name rules, which refuse invisible characters, refuse it */
		CHECK_MSG(utf8_is_invisible(bidi[i]), "U+%04X is invisible", (unsigned)bidi[i]);
	}
	for (i = 0; i < sizeof not / sizeof not[0]; i++)
		CHECK_MSG(!utf8_is_bidi(not[i]), "U+%04X is no bidi control", (unsigned)not[i]);
	/* the rest of the invisible class is still there */
	CHECK(utf8_is_invisible(0x200b) && utf8_is_invisible(0x200d) && utf8_is_invisible(0x2060));
	CHECK(utf8_is_invisible(0x206f) && utf8_is_invisible(0xad) && !utf8_is_invisible(0x2010));
}

static void utf8_classes(void)
{
	uint32_t cp;

	for (cp = 0; cp < 0x20; cp++)
		CHECK_MSG(utf8_is_control(cp), "U+%04X is control", (unsigned)cp);
	for (cp = 0x7f; cp <= 0x9f; cp++)
		CHECK_MSG(utf8_is_control(cp), "U+%04X is control", (unsigned)cp);
	CHECK(!utf8_is_control(' '));
	CHECK(!utf8_is_control('~'));
	CHECK(!utf8_is_control(0xa0));
	CHECK(!utf8_is_control(0x5f20));

	CHECK(utf8_is_space(' '));
	CHECK(utf8_is_space('\t'));
	CHECK(utf8_is_space('\n'));
	CHECK(utf8_is_space(0x85));
	CHECK(utf8_is_space(0xa0));
	CHECK(utf8_is_space(0x2000));
	CHECK(utf8_is_space(0x200a));
	CHECK(utf8_is_space(0x3000));
	CHECK(!utf8_is_space(0xfeff)); /* a format character (invisible), not a space */
	CHECK(utf8_is_invisible(0xfeff));
	CHECK(!utf8_is_space('a'));
	CHECK(!utf8_is_space(':'));
	CHECK(!utf8_is_space(0x5f20));
	CHECK(!utf8_is_space(0x200b)); /* zero width space: no white space */
}

/* Every range of utf8_is_space, utf8_is_invisible and utf8_is_mark at both
 * ends, and the code point on either side of it outside. */
static void utf8_invisible_and_marks(void)
{
	static const uint32_t invisible[][2] = {
		{ 0xad, 0xad }, { 0x34f, 0x34f }, { 0x61c, 0x61c }, { 0x115f, 0x1160 },
		{ 0x17b4, 0x17b5 }, { 0x180b, 0x180f }, { 0x200b, 0x200f }, { 0x202a, 0x202e },
		{ 0x2060, 0x206f }, { 0x2800, 0x2800 }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f },
		{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0x1bca0, 0x1bca3 },
		{ 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff },
	};
	static const uint32_t marks[][2] = {
		{ 0x300, 0x36f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x20d0, 0x20ff },
		{ 0x3099, 0x309a }, { 0xfe20, 0xfe2f },
	};
	static const uint32_t spaces[][2] = {
		{ 0x09, 0x0d }, { ' ', ' ' }, { 0x85, 0x85 }, { 0xa0, 0xa0 }, { 0x1680, 0x1680 },
		{ 0x2000, 0x200a }, { 0x2028, 0x2029 }, { 0x202f, 0x202f }, { 0x205f, 0x205f },
		{ 0x3000, 0x3000 },
	};
	size_t i;
	uint32_t cp;

	for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
		for (cp = spaces[i][0]; cp <= spaces[i][1]; cp++)
			CHECK_MSG(utf8_is_space(cp), "U+%04X is a space", (unsigned)cp);
		CHECK_MSG(!utf8_is_space(spaces[i][0] - 1), "U+%04X is not a space",
			  (unsigned)spaces[i][0] - 1);
		CHECK_MSG(!utf8_is_space(spaces[i][1] + 1), "U+%04X is not a space",
			  (unsigned)spaces[i][1] + 1);
	}
	for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
		for (cp = invisible[i][0]; cp <= invisible[i][1]; cp++)
			CHECK_MSG(utf8_is_invisible(cp), "U+%04X is invisible", (unsigned)cp);
		CHECK_MSG(!utf8_is_invisible(invisible[i][0] - 1), "U+%04X is not invisible",
			  (unsigned)invisible[i][0] - 1);
		CHECK_MSG(!utf8_is_invisible(invisible[i][1] + 1), "U+%04X is not invisible",
			  (unsigned)invisible[i][1] + 1);
		/* U+034F, the combining grapheme joiner, is both: a name check
		 * finds it invisible first */
		CHECK_MSG(invisible[i][0] == 0x34f || !utf8_is_mark(invisible[i][0]),
			  "U+%04X is no mark", (unsigned)invisible[i][0]);
	}
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		for (cp = marks[i][0]; cp <= marks[i][1]; cp++) {
			CHECK_MSG(utf8_is_mark(cp), "U+%04X is a mark", (unsigned)cp);
			CHECK_MSG(utf8_width(cp) == 0, "U+%04X is 0 columns", (unsigned)cp);
			CHECK_MSG(cp == 0x34f || !utf8_is_invisible(cp), "U+%04X is not invisible",
				  (unsigned)cp);
		}
		CHECK_MSG(!utf8_is_mark(marks[i][0] - 1), "U+%04X is no mark",
			  (unsigned)marks[i][0] - 1);
		CHECK_MSG(!utf8_is_mark(marks[i][1] + 1), "U+%04X is no mark",
			  (unsigned)marks[i][1] + 1);
	}
	/* what names and text need: letters, CJK, emoji, spaces are neither */
	for (cp = 0x20; cp < 0x7f; cp++)
		CHECK_MSG(!utf8_is_invisible(cp) && !utf8_is_mark(cp), "U+%04X", (unsigned)cp);
	CHECK(!utf8_is_invisible(0xe9) && !utf8_is_mark(0xe9));     /* é */
	CHECK(!utf8_is_invisible(0x5f20) && !utf8_is_mark(0x5f20)); /* 张 */
	CHECK(!utf8_is_invisible(0x1f600));                         /* 😀 */
	CHECK(!utf8_is_invisible(0x2801));                          /* ⠁ draws a dot */
	CHECK(!utf8_is_invisible(0x3165) && !utf8_is_invisible(0x1161)); /* ㄵ, a vowel */
	CHECK(!utf8_is_invisible(0xe1000) && !utf8_is_invisible(0xdffff));
	CHECK(!utf8_is_mark(0x0e31) && !utf8_is_mark(0x093f));     /* Thai, Devanagari: kept */
	CHECK(!utf8_is_mark(0x304c));                              /* が, precomposed */
}

static void utf8_width_values(void)
{
	CHECK_INT(utf8_width('a'), 1);
	CHECK_INT(utf8_width(' '), 1);
	CHECK_INT(utf8_width(0xe9), 1);      /* é */
	CHECK_INT(utf8_width(0x5f20), 2);    /* 张 */
	CHECK_INT(utf8_width(0x4e09), 2);    /* 三 */
	CHECK_INT(utf8_width(0x3000), 2);    /* ideographic space */
	CHECK_INT(utf8_width(0xac00), 2);    /* 가 */
	CHECK_INT(utf8_width(0xff01), 2);    /* fullwidth ! */
	CHECK_INT(utf8_width(0x1f600), 2);   /* 😀 */
	CHECK_INT(utf8_width(0x20000), 2);   /* CJK ext B */
	CHECK_INT(utf8_width(0x0301), 0);    /* combining acute */
	CHECK_INT(utf8_width(0x0300), 0);
	CHECK_INT(utf8_width(0x036f), 0);
	CHECK_INT(utf8_width(0x200b), 0);    /* zero width space */
	CHECK_INT(utf8_width(0xfe0f), 0);    /* variation selector */
	CHECK_INT(utf8_width(0x20d7), 0);
	CHECK_INT(utf8_width(0xff61), 1);    /* halfwidth katakana stop */
}

static void utf8_encode_round_trip(void)
{
	char out[8];
	uint32_t cp, back;
	size_t n, m, want;
	unsigned bad = 0;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		memset(out, 0, sizeof(out));
		n = utf8_encode(cp, out);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			if (n != 0 && bad++ < 5)
				test_fail(__FILE__, __LINE__, "encode U+%04X (surrogate): %zu, want 0",
					  (unsigned)cp, n);
			continue;
		}
		want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		m = utf8_decode(out, n, &back);
		if ((n != want || m != n || back != cp) && bad++ < 5)
			test_fail(__FILE__, __LINE__, "U+%04X: encoded in %zu bytes (want %zu), "
				  "decoded %zu bytes as U+%04X", (unsigned)cp, n, want, m,
				  (unsigned)back);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(utf8_encode(0x110000, out), 0);
	CHECK_INT(utf8_encode(0xffffffffu, out), 0);
	n = utf8_encode(0x5f20, out);
	CHECK_SPAN(out, n, "张");
	n = utf8_encode(0x1f600, out);
	CHECK_SPAN(out, n, "😀");
}

/* utf8.h promises 2 columns for "East Asian wide and emoji"; the client's
 * input line (term.c) places the cursor by it. These are all East Asian
 * Width W in Unicode's EastAsianWidth.txt, and terminals draw them 2 wide. */
static void utf8_width_wide_emoji(void)
{
	CHECK_INT(utf8_width(0x1f680), 2);   /* 🚀 transport and map symbols */
	CHECK_INT(utf8_width(0x1f6d2), 2);   /* 🛒 */
	CHECK_INT(utf8_width(0x1fa77), 2);   /* 🩷 symbols and pictographs ext-A */
	CHECK_INT(utf8_width(0x2b50), 2);    /* ⭐ */
	CHECK_INT(utf8_width(0x2615), 2);    /* ☕ */
	CHECK_INT(utf8_width(0x231a), 2);    /* ⌚ */
	CHECK_INT(utf8_width(0x1f004), 2);   /* 🀄 */
}

void suite_utf8(void)
{
	TEST_RUN(utf8_decode_valid);
	TEST_RUN(utf8_decode_invalid);
	TEST_RUN(utf8_decode_exhaustive_two_bytes);
	TEST_RUN(utf8_valid_strings);
	TEST_RUN(utf8_check_text_values);
	TEST_RUN(utf8_bidi_class);
	TEST_RUN(utf8_classes);
	TEST_RUN(utf8_invisible_and_marks);
	TEST_RUN(utf8_width_values);
	TEST_RUN(utf8_width_wide_emoji);
	TEST_RUN(utf8_encode_round_trip);
}
