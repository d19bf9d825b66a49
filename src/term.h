/* term.h: the client's terminal: raw mode, a scroll region for messages
 * above a fixed input line, the line editor, and sanitized output. */
#ifndef UCHAT_TERM_H
#define UCHAT_TERM_H
#include <stddef.h>
#include "bounds.h"

/* Bytes the editor holds: more than a line may carry, so that an over-long
 * line can be refused with its real length instead of being cut. */
#define TERM_EDIT_MAX (2 * PROTO_MAX_LINE)

/* The line being typed. Holds printable ASCII and bytes >= 0x80 only;
 * whether those form valid UTF-8 is checked when the line is sent. */
struct term_edit {
	char buf[TERM_EDIT_MAX];
	size_t len;
	int esc;       /* inside an escape sequence: 0 no, 1 after ESC, 2 CSI */
};

enum term_key {
	TERM_KEY_NONE,    /* nothing for the caller (the line may have changed) */
	TERM_KEY_LINE,    /* Enter: the line is in buf[0..len), caller clears it */
	TERM_KEY_EOF,     /* Ctrl-D on an empty line */
	TERM_KEY_INTR,    /* Ctrl-C */
	TERM_KEY_REDRAW   /* Ctrl-L */
};

/* Returns 1 if fd is a terminal, else 0 (isatty without musl's ioctl). */
int term_isatty(int fd);

/* Puts the terminal on in/out into raw mode and sets up the scroll region
 * (rows 1..H-1) and the input line (row H). Returns 0, or -1 if in/out is
 * not a usable terminal or has fewer than 3 rows (nothing changed then). Output from term_print()
 * goes into the region from now on, also in a forked child. */
int term_open(int in, int out);

/* Undoes term_open(): full-screen region, saved termios, cursor at the
 * start of a cleared bottom line. Safe to call when not open. */
void term_close(void);

/* Returns 1 between term_open() and term_close(), else 0. */
int term_active(void);

/* Re-reads the window size and sets the scroll region again (SIGWINCH,
 * Ctrl-L). The caller redraws the input line afterwards. */
void term_resize(void);

/* Empties the line being typed. */
void term_edit_clear(struct term_edit *ed);

/* Feeds one input byte to the editor and returns what it means. */
enum term_key term_edit_key(struct term_edit *ed, unsigned char c);

/* Draws the input line on the bottom row, scrolled so that its end (the
 * cursor) is visible; one write(). No-op when not open. */
void term_draw(const struct term_edit *ed);

/* Copies s[0..len) into out (outlen bytes, NUL-terminated), showing every
 * control character, every bidi control (utf8_is_bidi) and every byte of
 * invalid UTF-8 as \xNN, one per byte. With cols > 0 it also lays the line
 * out in rows of at most cols columns (wide characters take 2, combining
 * ones 0, an escape 4 per byte; a character is never split) joined by
 * "\r\n", and starts every row after the first with two spaces: no event
 * starts with a space, so a row that starts in column 0 is always the start
 * of an event. Returns the length written; output that does not fit is cut
 * at a character boundary. */
size_t term_layout(const char *s, size_t len, unsigned cols, char *out, size_t outlen);

/* term_layout without rows: one line, escaped, for a pipe or a message. */
static inline size_t term_sanitize(const char *s, size_t len, char *out, size_t outlen)
{
	return term_layout(s, len, 0, out, outlen);
}

/* Shows one line (sanitized here): when open, at the bottom of the scroll
 * region with the cursor saved and restored around it, laid out by
 * term_layout for the window's width, with the terminal's own wrapping off
 * (a width guessed wrong clips a row instead of starting one), and an
 * announcement (catalog_is_announcement) in bold reverse video, a line of
 * history (dim != 0) faint; else as a
 * plain line on the output fd (stdout before term_open), unchanged but for
 * the escapes. One write() either way, so it is atomic against the other
 * process's writes. Returns 0, or -1 with errno from write(). */
int term_print(const char *s, size_t len, int dim);

#endif
