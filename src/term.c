/* term.c: the client's terminal: raw mode, a scroll region for messages
 * above a fixed input line, the line editor, and sanitized output. */
#include "fmt.h"
#include "term.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "catalog.h"
#include "io.h"
#include "utf8.h"

#define TERM_PROMPT      "> "
#define TERM_PROMPT_MORE "< "  /* the start of the line is scrolled off */
#define TERM_PROMPT_W    2
#define TERM_MIN_ROWS    3     /* two for the region, one for the input line */
/* An announcement: bold and reverse video, which no member's line can turn
 * on (term_layout shows ESC as \x1b); its end resets every attribute. */
#define TERM_NOTICE_ON   "\033[1;7m"
#define TERM_NOTICE_OFF  "\033[m"
/* A line of history (term_print's dim): faint; an announcement in it faint
 * and reversed. */
#define TERM_DIM_ON      "\033[2"

/* The one terminal of the process (inherited by the receiver child, which
 * only ever calls term_print). */
static struct {
	int in, out;
	int open;
	unsigned rows, cols;
	struct termios saved;
} term = { .in = 0, .out = 1 };

/* Sanitized line plus the escape sequences around it and in it (a line
 * longer than any the server sends may be cut). */
static char term_outbuf[4 * PROTO_MAX_DGRAM + 64];

/* The terminal requests as the ioctl system call itself: musl's ioctl()
 * on 32-bit boards carries 1.6 kB of time64 conversion tables for requests
 * that take a time_t; TCGETS, TCSETSW and TIOCGWINSZ take none, and musl's
 * own isatty, tcgetattr and tcsetattr pass them through unchanged. */
static int term_ioctl(int fd, unsigned long req, void *arg)
{
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

int term_isatty(int fd)
{
	struct winsize ws;

	return term_ioctl(fd, TIOCGWINSZ, &ws) == 0;
}

/* Writes all of buf; a partial write is continued (EINTR retried). */
static int term_write(const char *buf, size_t len)
{
	return io_write_all(term.out, buf, len);
}

/* Reads the window size; 24x80 when the terminal does not say. */
static void term_get_size(unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (term_ioctl(term.out, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	if (*rows < TERM_MIN_ROWS)
		*rows = TERM_MIN_ROWS;   /* a region needs 2 rows; positions are clamped */
	if (*cols < TERM_PROMPT_W + 4)
		*cols = TERM_PROMPT_W + 4;
}

/* Sets the region to rows 1..H-1 (DECSTBM homes the cursor; the caller
 * redraws the input line, which puts it back). */
static void term_set_region(void)
{
	char buf[32];
	int n = fmt_snprintf(buf, sizeof buf, "\033[1;%ur", term.rows - 1);

	if (n > 0)
		(void)term_write(buf, (size_t)n);
}

int term_open(int in, int out)
{
	struct termios raw;
	struct winsize ws;

	if (!term_isatty(in) || term_ioctl(in, TCGETS, &term.saved) < 0)
		return -1;
	if (term_ioctl(out, TIOCGWINSZ, &ws) < 0)
		return -1;   /* not a terminal */
	if (ws.ws_row > 0 && ws.ws_row < TERM_MIN_ROWS)
		return -1;   /* too small for a region: plain lines instead */
	raw = term.saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IGNCR | IXON);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (term_ioctl(in, TCSETSW, &raw) < 0)   /* tcsetattr(TCSADRAIN) */
		return -1;
	term.in = in;
	term.out = out;
	term.open = 1;
	term_get_size(&term.rows, &term.cols);
	/* a fresh bottom line first, so the shell's last line scrolls up */
	(void)term_write("\r\n", 2);
	term_set_region();
	return 0;
}

void term_close(void)
{
	char buf[48];
	int n;

	if (!term.open)
		return;
	term.open = 0;
	n = fmt_snprintf(buf, sizeof buf, "\033[r\033[?7h\033[%u;1H\033[2K", term.rows);
	if (n > 0)
		(void)term_write(buf, (size_t)n);
	(void)term_ioctl(term.in, TCSETSW, &term.saved);
}

int term_active(void)
{
	return term.open;
}

void term_resize(void)
{
	unsigned old = term.rows;

	if (!term.open)
		return;
	term_get_size(&term.rows, &term.cols);
	if (old != term.rows && old <= term.rows) {
		/* the old input row is now inside the region: blank it */
		char buf[32];
		int n = fmt_snprintf(buf, sizeof buf, "\033[%u;1H\033[2K", old);
		if (n > 0)
			(void)term_write(buf, (size_t)n);
	}
	term_set_region();
}

void term_edit_clear(struct term_edit *ed)
{
	ed->len = 0;
	ed->esc = 0;
}

/* Drops the last code point (a lead byte and its continuation bytes). */
static void term_edit_backspace(struct term_edit *ed)
{
	while (ed->len > 0) {
		unsigned char c = (unsigned char)ed->buf[--ed->len];
		if ((c & 0xc0) != 0x80)
			break;
	}
}

/* Ctrl-W: drops the spaces before the cursor, then the word before them. */
static void term_edit_word(struct term_edit *ed)
{
	while (ed->len > 0 && ed->buf[ed->len - 1] == ' ')
		ed->len--;
	while (ed->len > 0 && ed->buf[ed->len - 1] != ' ')
		ed->len--;
}

enum term_key term_edit_key(struct term_edit *ed, unsigned char c)
{
	/* escape sequences (arrows, function keys) are swallowed whole */
	if (ed->esc == 1) {
		ed->esc = (c == '[' || c == 'O') ? 2 : 0;
		return TERM_KEY_NONE;
	}
	if (ed->esc == 2) {
		if (c >= 0x40 && c <= 0x7e)
			ed->esc = 0;
		return TERM_KEY_NONE;
	}
	switch (c) {
	case '\r':
	case '\n':
		return TERM_KEY_LINE;
	case 0x03:
		return TERM_KEY_INTR;
	case 0x04:
		return ed->len == 0 ? TERM_KEY_EOF : TERM_KEY_NONE;
	case 0x08:
	case 0x7f:
		term_edit_backspace(ed);
		return TERM_KEY_NONE;
	case 0x0c:
		return TERM_KEY_REDRAW;
	case 0x15:
		ed->len = 0;
		return TERM_KEY_NONE;
	case 0x17:
		term_edit_word(ed);
		return TERM_KEY_NONE;
	case 0x1b:
		ed->esc = 1;
		return TERM_KEY_NONE;
	default:
		break;
	}
	if (c < 0x20)
		return TERM_KEY_NONE;       /* other control keys: ignored */
	if (ed->len < sizeof ed->buf)
		ed->buf[ed->len++] = (char)c;
	return TERM_KEY_NONE;
}

/* Decodes the character at s[0..len) for the input line: returns its
 * length and stores its width; *raw is 0 for invalid bytes and controls,
 * which are drawn as one '?' and never sent to the terminal as they are. */
static size_t term_edit_char(const char *s, size_t len, int *w, int *raw)
{
	uint32_t cp;
	size_t n = utf8_decode(s, len, &cp);

	if (n == 0 || utf8_is_control(cp) || utf8_is_bidi(cp)) {
		*w = 1;
		*raw = 0;
		return n ? n : 1;
	}
	*w = utf8_width(cp);
	*raw = 1;
	return n;
}

void term_draw(const struct term_edit *ed)
{
	static char buf[TERM_EDIT_MAX + 64];
	size_t start = 0, i, k, pos;
	unsigned room, width = 0;
	int w, raw, n;

	if (!term.open)
		return;
	/* keep the last column free so the cursor never sits in a pending wrap */
	room = term.cols - TERM_PROMPT_W - 1;
	for (i = 0; i < ed->len; i += k) {
		k = term_edit_char(ed->buf + i, ed->len - i, &w, &raw);
		width += (unsigned)w;
	}
	/* scroll: drop characters from the front until the tail fits */
	while (width > room && start < ed->len) {
		start += term_edit_char(ed->buf + start, ed->len - start, &w, &raw);
		width -= (unsigned)w;
	}
	n = fmt_snprintf(buf, sizeof buf, "\033[%u;1H%s", term.rows,
		     start > 0 ? TERM_PROMPT_MORE : TERM_PROMPT);
	if (n < 0)
		return;
	pos = (size_t)n;
	for (i = start; i < ed->len; i += k) {
		k = term_edit_char(ed->buf + i, ed->len - i, &w, &raw);
		if (raw) {
			memcpy(buf + pos, ed->buf + i, k);
			pos += k;
		} else {
			buf[pos++] = '?';
		}
	}
	memcpy(buf + pos, "\033[K", 3);
	pos += 3;
	(void)term_write(buf, pos);
}

size_t term_layout(const char *s, size_t len, unsigned cols, char *out, size_t outlen)
{
	size_t i = 0, o = 0, n, k;
	unsigned used = 0, start = 0, w;
	uint32_t cp;
	int esc;

	if (outlen == 0)
		return 0;
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		/* a control, a bidi control or invalid bytes: each byte as \xNN */
		esc = n == 0 || utf8_is_control(cp) || utf8_is_bidi(cp);
		if (n == 0)
			n = 1;
		w = esc ? 4 * (unsigned)n : (unsigned)utf8_width(cp);
		/* a new row first? (a character wider than a row gets one of its own) */
		k = cols > 0 && used > start && used + w > cols ? 4 : 0;
		if (o + k + (esc ? 4 * n : n) >= outlen)
			break;
		if (k) {
			memcpy(out + o, "\r\n  ", 4);
			o += 4;
			used = start = 2;
		}
		if (esc) {
			for (k = 0; k < n; k++, o += 4)
				fmt_snprintf(out + o, 5, "\\x%02x", (unsigned char)s[i + k]);
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		used += w;
		i += n;
	}
	out[o] = '\0';
	return o;
}

int term_print(const char *s, size_t len, int dim)
{
	size_t pos = 0;
	unsigned rows, cols = 0;
	int n, notice;

	if (term.open) {
		/* the child never sees SIGWINCH handling: ask the size each time */
		term_get_size(&rows, &cols);
		notice = catalog_is_announcement(s, len);
		n = fmt_snprintf(term_outbuf, sizeof term_outbuf, "\0337\033[?7l\033[%u;1H\n%s",
				 rows - 1, dim ? (notice ? TERM_DIM_ON ";7m" : TERM_DIM_ON "m") :
				 notice ? TERM_NOTICE_ON : "");
		if (n < 0)
			return -1;
		pos = (size_t)n;
	}
	pos += term_layout(s, len, cols, term_outbuf + pos, sizeof term_outbuf - pos - 11);
	if (term.open) {
		memcpy(term_outbuf + pos, TERM_NOTICE_OFF "\033[?7h\0338", 11);
		pos += 11;
	} else {
		term_outbuf[pos++] = '\n';
	}
	return term_write(term_outbuf, pos);
}
