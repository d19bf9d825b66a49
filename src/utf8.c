/* utf8.c: strict UTF-8 decoding and the character classes the protocol needs. */
#include <string.h>

#include "utf8.h"

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 or > 0xf4 */
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int utf8_valid(const char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0)
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

int utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}


/* Returns 1 if none of the 8 bytes in w is a control, DEL or >= 0x80. */
static int utf8_printable8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t d = w ^ (0x7f * ones); /* a byte 0x7f becomes 0 */

	/* high bit set: >= 0x80; (w - 0x20) borrows: < 0x20; (d - 1) borrows: DEL */
	return ((w | ((w - 0x20 * ones) & ~w) | ((d - ones) & ~d)) & highs) == 0;
}

long utf8_check_text(const char *s, size_t len)
{
	uint32_t cp;
	size_t n;

	while (len > 0) {
		uint64_t w;
		if (len >= 8) { /* printable ASCII, 8 bytes at a time */
			memcpy(&w, s, 8);
			if (utf8_printable8(w)) {
				s += 8;
				len -= 8;
				continue;
			}
		}
		if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f) { /* the tail */
			s++;
			len--;
			continue;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0)
			return -1;
		if (utf8_is_control(cp) || utf8_is_bidi(cp))
			return (long)cp + 1;
		s += n;
		len -= n;
	}
	return 0;
}

int utf8_is_bidi(uint32_t cp)
{
	return cp == 0x61c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Ranges of code points packed in 32 bits: the first (21 bits) and the
 * count after it (11 bits); utf8_wide packs them 17 and 15. */
#define UTF8_RANGE(a, b) ((uint32_t)(a) << 11 | ((b) - (a)))

/* Returns 1 if cp is in one of the n ranges at r, packed as the first code
 * point << shift | the count after it. */
__attribute__((noinline)) static int utf8_in(const uint32_t *r, size_t n, uint32_t cp, unsigned shift)
{
	for (; n; n--, r++)
		if (cp - (*r >> shift) <= (*r & ((1u << shift) - 1)))
			return 1;
	return 0;
}

static const uint32_t utf8_spaces[] = {
	UTF8_RANGE(0x09, 0x0d), UTF8_RANGE(' ', ' '), UTF8_RANGE(0x85, 0x85),
	UTF8_RANGE(0xa0, 0xa0), UTF8_RANGE(0x1680, 0x1680), UTF8_RANGE(0x2000, 0x200a),
	UTF8_RANGE(0x2028, 0x2029), UTF8_RANGE(0x202f, 0x202f), UTF8_RANGE(0x205f, 0x205f),
	UTF8_RANGE(0x3000, 0x3000),
};

int utf8_is_space(uint32_t cp)
{
	return utf8_in(utf8_spaces, sizeof(utf8_spaces) / sizeof(utf8_spaces[0]), cp, 11);
}

/* Unicode's Default_Ignorable_Code_Point, assigned or reserved (soft hyphen,
 * combining grapheme joiner, Arabic letter mark, Hangul fillers, Khmer
 * inherent vowels, Mongolian selectors, zero widths, bidi embeddings and
 * isolates, word joiners, variation selectors, BOM, musical beam controls,
 * shorthand format controls, tags and the rest of U+E0000-E0FFF),
 * and the blank Braille pattern, which draws an empty cell. */
static const uint32_t utf8_invisible[] = {
	UTF8_RANGE(0xad, 0xad), UTF8_RANGE(0x34f, 0x34f), UTF8_RANGE(0x61c, 0x61c),
	UTF8_RANGE(0x115f, 0x1160), UTF8_RANGE(0x17b4, 0x17b5), UTF8_RANGE(0x180b, 0x180f),
	UTF8_RANGE(0x200b, 0x200f), UTF8_RANGE(0x202a, 0x202e), UTF8_RANGE(0x2060, 0x206f),
	UTF8_RANGE(0x2800, 0x2800), UTF8_RANGE(0x3164, 0x3164), UTF8_RANGE(0xfe00, 0xfe0f),
	UTF8_RANGE(0xfeff, 0xfeff), UTF8_RANGE(0xffa0, 0xffa0), UTF8_RANGE(0xfff0, 0xfffb),
	UTF8_RANGE(0x1bca0, 0x1bca3), UTF8_RANGE(0x1d173, 0x1d17a), UTF8_RANGE(0xe0000, 0xe07ff),
	UTF8_RANGE(0xe0800, 0xe0fff),
};

int utf8_is_invisible(uint32_t cp)
{
	return utf8_in(utf8_invisible, sizeof(utf8_invisible) / sizeof(utf8_invisible[0]), cp, 11);
}

/* The blocks of combining marks shared by every script (diacritics for
 * Latin, Greek and Cyrillic, for symbols, half marks) and the combining kana
 * voicing marks: each has precomposed forms, or stacks on any character. */
static const uint32_t utf8_marks[] = {
	UTF8_RANGE(0x300, 0x36f), UTF8_RANGE(0x1ab0, 0x1aff), UTF8_RANGE(0x1dc0, 0x1dff),
	UTF8_RANGE(0x20d0, 0x20ff), UTF8_RANGE(0xfe20, 0xfe2f), UTF8_RANGE(0x3099, 0x309a),
};

int utf8_is_mark(uint32_t cp)
{
	return utf8_in(utf8_marks, sizeof(utf8_marks) / sizeof(utf8_marks[0]), cp, 11);
}

/* Ranges of code points a terminal shows two columns wide: East Asian Wide
 * and Fullwidth, and the emoji Unicode gives emoji presentation (East Asian
 * Width W), below plane 2 (utf8_width has planes 2 and 3), packed as the
 * first (17 bits) and the count after it (15 bits): half the bytes of
 * pairs of 32-bit code points. */
#define UTF8_WIDE(a, b) ((uint32_t)(a) << 15 | ((b) - (a)))
static const uint32_t utf8_wide[] = {
	UTF8_WIDE(0x1100, 0x115f), UTF8_WIDE(0x231a, 0x231b), UTF8_WIDE(0x2329, 0x232a),
	UTF8_WIDE(0x23e9, 0x23ec), UTF8_WIDE(0x23f0, 0x23f0), UTF8_WIDE(0x23f3, 0x23f3),
	UTF8_WIDE(0x25fd, 0x25fe), UTF8_WIDE(0x2614, 0x2615), UTF8_WIDE(0x2648, 0x2653),
	UTF8_WIDE(0x267f, 0x267f), UTF8_WIDE(0x2693, 0x2693), UTF8_WIDE(0x26a1, 0x26a1),
	UTF8_WIDE(0x26aa, 0x26ab), UTF8_WIDE(0x26bd, 0x26be), UTF8_WIDE(0x26c4, 0x26c5),
	UTF8_WIDE(0x26ce, 0x26ce), UTF8_WIDE(0x26d4, 0x26d4), UTF8_WIDE(0x26ea, 0x26ea),
	UTF8_WIDE(0x26f2, 0x26f3), UTF8_WIDE(0x26f5, 0x26f5), UTF8_WIDE(0x26fa, 0x26fa),
	UTF8_WIDE(0x26fd, 0x26fd), UTF8_WIDE(0x2705, 0x2705), UTF8_WIDE(0x270a, 0x270b),
	UTF8_WIDE(0x2728, 0x2728), UTF8_WIDE(0x274c, 0x274c), UTF8_WIDE(0x274e, 0x274e),
	UTF8_WIDE(0x2753, 0x2755), UTF8_WIDE(0x2757, 0x2757), UTF8_WIDE(0x2795, 0x2797),
	UTF8_WIDE(0x27b0, 0x27b0), UTF8_WIDE(0x27bf, 0x27bf), UTF8_WIDE(0x2b1b, 0x2b1c),
	UTF8_WIDE(0x2b50, 0x2b50), UTF8_WIDE(0x2b55, 0x2b55), UTF8_WIDE(0x2e80, 0x303e),
	UTF8_WIDE(0x3041, 0x33ff), UTF8_WIDE(0x3400, 0x4dbf), UTF8_WIDE(0x4e00, 0xa4cf),
	UTF8_WIDE(0xa960, 0xa97f), UTF8_WIDE(0xac00, 0xd7a3), UTF8_WIDE(0xf900, 0xfaff),
	UTF8_WIDE(0xfe10, 0xfe19), UTF8_WIDE(0xfe30, 0xfe6f), UTF8_WIDE(0xff00, 0xff60),
	UTF8_WIDE(0xffe0, 0xffe6), UTF8_WIDE(0x16fe0, 0x18cff), UTF8_WIDE(0x1b000, 0x1b2ff),
	UTF8_WIDE(0x1f004, 0x1f004), UTF8_WIDE(0x1f0cf, 0x1f0cf), UTF8_WIDE(0x1f18e, 0x1f18e),
	UTF8_WIDE(0x1f191, 0x1f19a), UTF8_WIDE(0x1f200, 0x1f251), UTF8_WIDE(0x1f260, 0x1f265),
	UTF8_WIDE(0x1f300, 0x1f320), UTF8_WIDE(0x1f32d, 0x1f335), UTF8_WIDE(0x1f337, 0x1f37c),
	UTF8_WIDE(0x1f37e, 0x1f393), UTF8_WIDE(0x1f3a0, 0x1f3ca), UTF8_WIDE(0x1f3cf, 0x1f3d3),
	UTF8_WIDE(0x1f3e0, 0x1f3f0), UTF8_WIDE(0x1f3f4, 0x1f3f4), UTF8_WIDE(0x1f3f8, 0x1f43e),
	UTF8_WIDE(0x1f440, 0x1f440), UTF8_WIDE(0x1f442, 0x1f4fc), UTF8_WIDE(0x1f4ff, 0x1f53d),
	UTF8_WIDE(0x1f54b, 0x1f54e), UTF8_WIDE(0x1f550, 0x1f567), UTF8_WIDE(0x1f57a, 0x1f57a),
	UTF8_WIDE(0x1f595, 0x1f596), UTF8_WIDE(0x1f5a4, 0x1f5a4), UTF8_WIDE(0x1f5fb, 0x1f64f),
	UTF8_WIDE(0x1f680, 0x1f6c5), UTF8_WIDE(0x1f6cc, 0x1f6cc), UTF8_WIDE(0x1f6d0, 0x1f6d2),
	UTF8_WIDE(0x1f6d5, 0x1f6d7), UTF8_WIDE(0x1f6dc, 0x1f6df), UTF8_WIDE(0x1f6eb, 0x1f6ec),
	UTF8_WIDE(0x1f6f4, 0x1f6fc), UTF8_WIDE(0x1f7e0, 0x1f7eb), UTF8_WIDE(0x1f7f0, 0x1f7f0),
	UTF8_WIDE(0x1f90c, 0x1f93a), UTF8_WIDE(0x1f93c, 0x1f945), UTF8_WIDE(0x1f947, 0x1f9ff),
	UTF8_WIDE(0x1fa70, 0x1faff),
};

int utf8_width(uint32_t cp)
{
	if (utf8_is_mark(cp) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	if (cp >> 17 == 1) /* planes 2 and 3, ideographs: wide, but for their noncharacters */
		return (cp & 0xfffe) == 0xfffe ? 1 : 2;
	return 1 + utf8_in(utf8_wide, sizeof(utf8_wide) / sizeof(utf8_wide[0]), cp, 15);
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
