/* utf8.h: UTF-8 validation, code point decoding, terminal width. */
#ifndef UCHAT_UTF8_H
#define UCHAT_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..len). Returns its length in bytes (1-4)
 * and stores it in *cp, or returns 0 for an invalid, overlong, surrogate or
 * truncated sequence (len == 0 also returns 0). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns 1 if s[0..len) is valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);

/* Returns 1 for C0 (< 0x20), DEL (0x7f) and C1 (0x80-0x9f) code points. */
int utf8_is_control(uint32_t cp);

/* Returns 1 for ASCII and Unicode white space (Zs, line/paragraph separators,
 * U+0085). U+FEFF is not one: see utf8_is_invisible. */
int utf8_is_space(uint32_t cp);

/* Returns 1 for Unicode's Bidi_Control characters, which draw nothing and
 * reorder the text around them on a terminal that does bidi: the marks
 * U+061C, U+200E, U+200F, the embeddings and overrides U+202A-U+202E and
 * the isolates U+2066-U+2069. */
int utf8_is_bidi(uint32_t cp);

/* Returns 1 for characters that draw nothing, or a blank, or reorder the text
 * around them: Default_Ignorable_Code_Point (zero widths, bidi controls,
 * variation selectors, fillers, BOM, tags...: a superset of utf8_is_bidi) and the blank Braille pattern. */
int utf8_is_invisible(uint32_t cp);

/* Returns 1 for a combining mark of the script-neutral blocks (U+0300-036F,
 * 1AB0-1AFF, 1DC0-1DFF, 20D0-20FF, FE20-FE2F) and U+3099/309A. */
int utf8_is_mark(uint32_t cp);

/* Checks text a member may send to others. Returns 0 if s[0..len) is valid
 * UTF-8 without control characters and without bidi controls; -1 if it is
 * not valid UTF-8; else the first such code point + 1 (so 0x1b comes back
 * as 0x1c, U+202E as 0x202f). */
long utf8_check_text(const char *s, size_t len);

/* Columns a code point takes on a terminal: 0 (combining), 1, or 2 (East
 * Asian wide and emoji). */
int utf8_width(uint32_t cp);

/* Encodes cp into out (4 bytes room); returns the length, 0 if cp is invalid. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
