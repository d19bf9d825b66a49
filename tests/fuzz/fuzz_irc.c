/* fuzz_irc.c: the IRC bridge's protocol core (src/irc.c) over what an IRC
 * server (or anyone on the path to it) may send: irc_parse of the line,
 * irc_isupport_parse of it, irc_text_to_room of its text (and of the raw
 * bytes), irc_split of the result (and of the raw bytes), irc_fmt_msg of
 * each piece, and ircbot_peer_text (a peer bridge's line) of the text. Besides what the sanitizers see, it checks what irc.h
 * promises: every span inside the line, at most 15 parameters; the room's
 * text check (utf8_check_text) passes on every conversion, which stays
 * within IRC_TEXT_OUT; the pieces are 1..max bytes, put together give the
 * text back, and are valid UTF-8 when the text is; a line the bot formats
 * holds no CR, LF or NUL but its final "\r\n", and at most 512 bytes.
 *
 * Input: a setup byte (bits 0-6: the split maximum, IRC_SPLIT_MIN + 4 x
 * the value; bit 7: a server LINELEN of 1024 instead of 512), then the
 * line as it came, "\r\n" taken off. */
#include <stdlib.h>
#include <string.h>

#include "../../src/irc.h"
#include "../../src/ircbot.h"
#include "../../src/utf8.h"
#include "fuzz.h"

#define FUZZ_MAX_LINE 16384

static void fuzz_inside(const struct proto_span *s, const char *p, size_t len)
{
	if (s->p < p || s->p > p + len || s->len > (size_t)(p + len - s->p))
		abort();
}

/* Cuts text[0..len) with max, checking each piece, and formats each as a
 * PRIVMSG. */
static void fuzz_split(const char *text, size_t len, size_t max)
{
	static char joined[3 * FUZZ_MAX_LINE];
	char line[IRC_LINE_MAX + 1];
	struct proto_span piece;
	size_t off = 0, n;
	int valid = utf8_valid(text, len), k;

	while (off < len) {
		n = irc_split(text + off, len - off, max);
		if (n == 0 || n > max || n > len - off)
			abort();
		if (valid && !utf8_valid(text + off, n))
			abort();
		memcpy(joined + off, text + off, n);
		piece.p = text + off;
		piece.len = n;
		k = irc_fmt_msg(line, sizeof(line), IRC_PRIVMSG, "#c", piece);
		if (k >= 0) {
			/* "PRIVMSG #c :" piece "\r\n", one line and no more */
			if ((size_t)k != 12 + n + 2 || k > IRC_LINE_MAX ||
			    memchr(line, '\r', (size_t)k - 2) || memchr(line, '\n', (size_t)k - 2) ||
			    memchr(line, '\0', (size_t)k) || memcmp(line + k - 2, "\r\n", 3) != 0)
				abort();
		} else if (12 + n + 2 <= IRC_LINE_MAX && !memchr(piece.p, '\r', n) &&
			   !memchr(piece.p, '\n', n) && !memchr(piece.p, '\0', n)) {
			abort(); /* refused a line that is fine */
		}
		off += n;
	}
	if (len > 0 && memcmp(joined, text, len) != 0)
		abort();
}

/* A peer bridge's line (udpchatirc -P): a name of 1..PROTO_NAME_BYTES
 * bytes without a space and a text not empty, both inside t, or nothing. */
static void fuzz_peer(struct proto_span t)
{
	struct proto_span name, text;
	enum ircbot_peer_line k = ircbot_peer_text(t, &name, &text);

	if (k == IRCBOT_PEER_NONE)
		return;
	fuzz_inside(&name, t.p, t.len);
	fuzz_inside(&text, t.p, t.len);
	if ((k != IRCBOT_PEER_POST && k != IRCBOT_PEER_ACT) || name.len == 0 ||
	    name.len > PROTO_NAME_BYTES || memchr(name.p, ' ', name.len) || text.len == 0 ||
	    text.p + text.len != t.p + t.len)
		abort();
}

/* Converts text for the room and checks and cuts the result. */
static void fuzz_text(struct proto_span t, size_t max)
{
	static char out[IRC_TEXT_OUT(FUZZ_MAX_LINE)];
	enum irc_text_kind kind;
	long n;

	n = irc_text_to_room(t, out, IRC_TEXT_OUT(t.len), &kind);
	if (n < 0 || (size_t)n > IRC_TEXT_OUT(t.len) || utf8_check_text(out, (size_t)n) != 0)
		abort();
	if (kind == IRC_TEXT_CTCP && n != 0)
		abort();
	if (irc_text_to_room(t, out, IRC_TEXT_OUT(t.len) - 1, &kind) != (t.len ? -1 : n))
		abort();
	n = irc_text_to_room(t, out, IRC_TEXT_OUT(t.len), &kind);
	fuzz_peer((struct proto_span){ out, (size_t)n });
	fuzz_peer(t);
	fuzz_split(out, (size_t)n, max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irc_isupport is;
	struct proto_span line;
	struct irc_msg m;
	size_t max, linelen, i;
	const char *err;
	int r;

	if (size < 1 || size > FUZZ_MAX_LINE)
		return 0;
	max = IRC_SPLIT_MIN + 4 * (size_t)(data[0] & 0x7f);
	linelen = data[0] & 0x80 ? 1024 : 0;
	line.p = (const char *)data + 1;
	line.len = size - 1;

	err = irc_parse(line, linelen, &m);
	if (!err) {
		if (m.nparams > IRC_MAX_PARAMS || m.word.len == 0)
			abort();
		fuzz_inside(&m.tags, line.p, line.len);
		fuzz_inside(&m.prefix, line.p, line.len);
		fuzz_inside(&m.nick, line.p, line.len);
		fuzz_inside(&m.user, line.p, line.len);
		fuzz_inside(&m.host, line.p, line.len);
		fuzz_inside(&m.word, line.p, line.len);
		for (i = 0; i < IRC_MAX_PARAMS; i++)
			fuzz_inside(&m.params[i], line.p, line.len);
		irc_isupport_init(&is);
		r = irc_isupport_parse(&is, &m);
		if ((m.numeric == 5) != (r >= 0))
			abort();
		if (is.nicklen < 1 || is.nicklen > IRC_NICKLEN_MAX || is.linelen < IRC_LINE_MAX ||
		    is.linelen > IRC_LINELEN_MAX || is.channellen < 1 ||
		    is.channellen > IRC_CHANNELLEN_MAX)
			abort();
		if (m.nparams > 0)
			fuzz_text(m.params[m.nparams - 1], max);
	} else if (line.len > 0 && line.len + 2 <= IRC_LINE_MAX && line.p[0] >= 'A' &&
		   line.p[0] <= 'Z' && line.p[line.len - 1] >= 'A' && line.p[line.len - 1] <= 'Z' &&
		   !memchr(line.p, '\0', line.len) && !memchr(line.p, '\r', line.len) &&
		   !memchr(line.p, '\n', line.len) && strcmp(err, "bad command") != 0) {
		abort(); /* a refusal that can only be for a bad command word */
	}
	fuzz_text(line, max);
	fuzz_split(line.p, line.len, max);
	return 0;
}
