/* irc.c: the IRC bridge's protocol core (irc.h): the checked reader of IRC
 * lines, text conversion both ways, the bot's lines, pacing and nicks. No
 * allocation, no I/O, no state of its own. */
#include <string.h>

#include "irc.h"
#include "utf8.h"

/* --- the table ------------------------------------------------------------ */

#define IRC_CMD_ROW(id, word, class) { word, class },
static const struct {
	const char *word;
	unsigned char class; /* enum irc_class */
} irc_cmds[] = { IRC_COMMANDS(IRC_CMD_ROW) };
#undef IRC_CMD_ROW
#define IRC_NROWS (sizeof(irc_cmds) / sizeof(irc_cmds[0]))
_Static_assert(IRC_NROWS == IRC_NCMDS - 1, "one row per command");

const char *irc_cmd_word(enum irc_cmd cmd)
{
	return cmd > IRC_CMD_OTHER && cmd < IRC_NCMDS ? irc_cmds[cmd - 1].word : "";
}

enum irc_class irc_cmd_class(enum irc_cmd cmd)
{
	return cmd > IRC_CMD_OTHER && cmd < IRC_NCMDS ?
		(enum irc_class)irc_cmds[cmd - 1].class : IRC_CLASS_OTHER;
}

static int irc_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* The row of a command word (letters, any case, or 3 digits). */
static enum irc_cmd irc_lookup(struct proto_span w)
{
	const char *r;
	size_t i, k;

	for (i = 0; i < IRC_NROWS; i++) {
		r = irc_cmds[i].word;
		for (k = 0; k < w.len && r[k] && r[k] == irc_upper((unsigned char)w.p[k]); k++)
			;
		if (k == w.len && r[k] == '\0')
			return (enum irc_cmd)(i + 1);
	}
	return IRC_CMD_OTHER;
}

/* --- the reader ----------------------------------------------------------- */

static struct proto_span irc_span(const char *p, size_t len)
{
	struct proto_span s;

	s.p = p;
	s.len = len;
	return s;
}

/* The length of s[0..len) up to its first byte c (len if none). */
static size_t irc_upto(const char *s, size_t len, char c)
{
	const char *e = memchr(s, c, len);

	return e ? (size_t)(e - s) : len;
}

/* Splits prefix into nick, user and host: nick [ [ "!" user ] "@" host ]. */
static void irc_split_prefix(struct irc_msg *m)
{
	struct proto_span pf = m->prefix;
	size_t bang = irc_upto(pf.p, pf.len, '!'), at = irc_upto(pf.p, pf.len, '@');

	if (at < bang)  /* nick@host: a "!" after the "@" is the host's */
		bang = pf.len;
	m->nick = irc_span(pf.p, bang < at ? bang : at);
	if (bang < pf.len)
		m->user = irc_span(pf.p + bang + 1, (at < pf.len ? at : pf.len) - bang - 1);
	if (at < pf.len)
		m->host = irc_span(pf.p + at + 1, pf.len - at - 1);
	m->from_server = bang == pf.len && at == pf.len && memchr(pf.p, '.', pf.len) != NULL;
}

const char *irc_parse(struct proto_span line, size_t linelen, struct irc_msg *m)
{
	const char *p = line.p, *end = line.p + line.len;
	struct proto_span none = irc_span(end, 0);
	size_t n, i;

	m->tags = m->prefix = m->nick = m->user = m->host = m->word = none;
	m->from_server = 0;
	m->cmd = IRC_CMD_OTHER;
	m->numeric = 0;
	m->nparams = 0;
	m->trailing = 0;
	for (i = 0; i < IRC_MAX_PARAMS; i++)
		m->params[i] = none;
	if (linelen == 0)
		linelen = IRC_LINE_MAX;
	if (line.len == 0)
		return "empty line";
	if (memchr(p, '\0', line.len))
		return "contains a NUL byte";
	if (memchr(p, '\r', line.len) || memchr(p, '\n', line.len))
		return "contains CR or LF";
	if (*p == '@') {
		n = irc_upto(p, line.len, ' ');
		if (n + 1 > IRC_TAGS_MAX)
			return "tags longer than 8191 bytes";
		m->tags = irc_span(p + 1, n - 1);
		p += n;
		while (p < end && *p == ' ')
			p++;
	}
	/* what follows the tags is held to the line limit, "\r\n" counted */
	if ((size_t)(end - p) + 2 > linelen)
		return "longer than the line limit";
	if (p < end && *p == ':') {
		n = irc_upto(p, (size_t)(end - p), ' ');
		if (n == 1)
			return "empty prefix";
		m->prefix = irc_span(p + 1, n - 1);
		irc_split_prefix(m);
		p += n;
		while (p < end && *p == ' ')
			p++;
	}
	n = irc_upto(p, (size_t)(end - p), ' ');
	if (n == 0)
		return "no command";
	m->word = irc_span(p, n);
	if (n == 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9') {
		m->numeric = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
			     (unsigned)(p[2] - '0');
	} else {
		for (i = 0; i < n; i++)
			if (irc_upper((unsigned char)p[i]) < 'A' || irc_upper((unsigned char)p[i]) > 'Z')
				return "bad command";
	}
	m->cmd = irc_lookup(m->word);
	p += n;
	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		if (*p == ':' || m->nparams == IRC_MAX_PARAMS - 1) {
			if (*p == ':') {
				p++;
				m->trailing = 1;
			}
			m->params[m->nparams++] = irc_span(p, (size_t)(end - p));
			break;
		}
		n = irc_upto(p, (size_t)(end - p), ' ');
		m->params[m->nparams++] = irc_span(p, n);
		p += n;
	}
	return NULL;
}

/* --- ISUPPORT -------------------------------------------------------------- */

void irc_isupport_init(struct irc_isupport *is)
{
	is->nicklen = IRC_NICKLEN;
	is->channellen = IRC_CHANNELLEN;
	is->linelen = IRC_LINE_MAX;
}

/* The ISUPPORT keys read, in the order of irc_isupport_parse's fields:
 * each with its default and its range. */
static const struct {
	const char *key;
	unsigned def, min, max;
} irc_isupport_keys[] = {
	{ "NICKLEN", IRC_NICKLEN, 1, IRC_NICKLEN_MAX },
	{ "CHANNELLEN", IRC_CHANNELLEN, 1, IRC_CHANNELLEN_MAX },
	{ "LINELEN", IRC_LINE_MAX, IRC_LINE_MAX, IRC_LINELEN_MAX },
};
#define IRC_NKEYS (sizeof(irc_isupport_keys) / sizeof(irc_isupport_keys[0]))

int irc_isupport_parse(struct irc_isupport *is, const struct irc_msg *m)
{
	unsigned *fields[IRC_NKEYS];
	struct proto_span t, key, val;
	uint32_t v;
	size_t i, k, eq;
	int neg, taken = 0;

	if (m->numeric != 5)
		return -1;
	fields[0] = &is->nicklen;
	fields[1] = &is->channellen;
	fields[2] = &is->linelen;
	for (i = 1; i + 1 < m->nparams; i++) {
		t = m->params[i];
		neg = t.len > 0 && t.p[0] == '-';
		key = irc_span(t.p + neg, t.len - (size_t)neg);
		eq = irc_upto(key.p, key.len, '=');
		val = irc_span(key.p + eq + (eq < key.len), key.len - eq - (eq < key.len));
		key.len = eq;
		for (k = 0; k < IRC_NKEYS; k++) {
			if (!proto_span_eq(key, irc_isupport_keys[k].key))
				continue;
			if (neg) {
				*fields[k] = irc_isupport_keys[k].def;
				taken++;
			} else if (proto_uint32(val, &v) == 0 && v >= irc_isupport_keys[k].min &&
				   v <= irc_isupport_keys[k].max) {
				*fields[k] = (unsigned)v;
				taken++;
			}
		}
	}
	return taken;
}

/* --- text from IRC ----------------------------------------------------------- */

/* Windows-1252's 0x80-0x9f (0: undefined there, dropped); 0xa0-0xff are
 * latin-1's, the same code points. */
static const uint16_t irc_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0,
};

static int irc_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int irc_is_hex6(const char *s, size_t len)
{
	size_t i;
	char c;

	if (len < 6)
		return 0;
	for (i = 0; i < 6; i++) {
		c = s[i];
		if (!irc_is_digit(c) && !((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* The bytes after s[0] == \x03 that belong to the colour code: up to 2
 * digits, then "," and up to 2 digits if a digit follows the comma. */
static size_t irc_colour_len(const char *s, size_t len)
{
	size_t i = 1, d;

	for (d = 0; d < 2 && i < len && irc_is_digit(s[i]); d++)
		i++;
	if (d > 0 && i + 1 < len && s[i] == ',' && irc_is_digit(s[i + 1])) {
		i++;
		for (d = 0; d < 2 && i < len && irc_is_digit(s[i]); d++)
			i++;
	}
	return i;
}

/* The bytes after s[0] == \x04 that belong to the hex colour code. */
static size_t irc_hexcolour_len(const char *s, size_t len)
{
	size_t i = 1;

	if (irc_is_hex6(s + i, len - i)) {
		i += 6;
		if (i < len && s[i] == ',' && irc_is_hex6(s + i + 1, len - i - 1))
			i += 7;
	}
	return i;
}

/* Converts s[0..len) (see irc_text_to_room) into out, which holds 3 * len
 * bytes. Returns the length written. */
static size_t irc_clean(const char *s, size_t len, char *out)
{
	int utf8 = utf8_valid(s, len);
	size_t i = 0, o = 0, n;
	unsigned char c;
	uint32_t cp;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c == 0x03) {
			i += irc_colour_len(s + i, len - i);
		} else if (c == 0x04) {
			i += irc_hexcolour_len(s + i, len - i);
		} else if (c == '\t') {
			out[o++] = ' ';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			i++;
		} else if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else if (utf8) {
			n = utf8_decode(s + i, len - i, &cp);
			if (n == 0) /* cannot happen: the whole is valid */
				n = 1;
			else if (!utf8_is_control(cp) && !utf8_is_bidi(cp)) {
				memcpy(out + o, s + i, n);
				o += n;
			}
			i += n;
		} else {
			cp = c < 0xa0 ? irc_cp1252[c - 0x80] : c;
			if (cp)
				o += utf8_encode(cp, out + o);
			i++;
		}
	}
	return o;
}

long irc_text_to_room(struct proto_span in, char *out, size_t size, enum irc_text_kind *kind)
{
	static const char action[] = "\x01" "ACTION";
	const size_t alen = sizeof(action) - 1;
	struct proto_span t = in;

	*kind = IRC_TEXT_PLAIN;
	if (size < IRC_TEXT_OUT(in.len))
		return -1;
	if (t.len > 0 && t.p[0] == '\x01') {
		if (t.len < alen || memcmp(t.p, action, alen) != 0 ||
		    (t.len > alen && t.p[alen] != ' ' && t.p[alen] != '\x01')) {
			*kind = IRC_TEXT_CTCP;
			return 0;
		}
		*kind = IRC_TEXT_ACTION;
		t.p += alen;
		t.len -= alen;
		if (t.len > 0 && t.p[0] == ' ') {
			t.p++;
			t.len--;
		}
		if (t.len > 0 && t.p[t.len - 1] == '\x01')
			t.len--;
	}
	return (long)irc_clean(t.p, t.len, out);
}

/* --- splitting -------------------------------------------------------------- */

size_t irc_prefix_len(size_t nick_len)
{
	/* ":" nick "!" user "@" host " " */
	return 1 + nick_len + 1 + IRC_USER_MAX + 1 + IRC_HOST_MAX + 1;
}

size_t irc_split_budget(size_t prefix_len, size_t target_len, size_t tag_len, size_t linelen)
{
	/* prefix "PRIVMSG " target " :" tag ... "\r\n" */
	size_t fixed;

	if (linelen == 0)
		linelen = IRC_LINE_MAX;
	if (linelen > IRC_LINELEN_MAX)
		linelen = IRC_LINELEN_MAX;
	if (prefix_len >= linelen || target_len >= linelen || tag_len >= linelen)
		return 0; /* and the sum below cannot wrap */
	fixed = prefix_len + (sizeof("PRIVMSG ") - 1) + target_len + 2 + tag_len + 2;
	if (fixed >= linelen || linelen - fixed < IRC_SPLIT_MIN)
		return 0;
	return linelen - fixed;
}

/* Returns 1 if a cut at text[b] (0 < b < len) would part a character from
 * what belongs to it: before a combining mark, a zero width joiner, a
 * variation selector or an emoji skin tone, or after a zero width joiner. */
static int irc_split_inside(const char *text, size_t len, size_t b)
{
	uint32_t cp;

	if (b >= 3 && memcmp(text + b - 3, "\xe2\x80\x8d", 3) == 0)
		return 1;
	if (utf8_decode(text + b, len - b, &cp) == 0)
		return 0;
	return utf8_is_mark(cp) || cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	       (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

size_t irc_split(const char *text, size_t len, size_t max)
{
	size_t b, c, i, k, low;

	if (len <= max)
		return len;
	if (max < IRC_SPLIT_MIN)
		return 0;
	/* the last character boundary at or before max: a byte there that is
	 * not a continuation byte (10xxxxxx) starts a character */
	for (b = max; b > max - 3 && ((unsigned char)text[b] & 0xc0) == 0x80; b--)
		;
	if (((unsigned char)text[b] & 0xc0) == 0x80) {
		b = max; /* not UTF-8: cut anywhere */
	} else {
		/* not inside a cluster, if it starts within IRC_SPLIT_CLUSTER
		 * characters back */
		for (c = b, k = 0; k < IRC_SPLIT_CLUSTER && c > 0 && irc_split_inside(text, len, c);
		     k++)
			for (c--; c > 0 && ((unsigned char)text[c] & 0xc0) == 0x80; c--)
				;
		if (c > 0 && !irc_split_inside(text, len, c))
			b = c;
	}
	low = max > IRC_SPLIT_SLACK ? max - IRC_SPLIT_SLACK : 0;
	for (i = b; i > low; i--)
		if (text[i - 1] == ' ' && !irc_split_inside(text, len, i))
			return i;
	return b;
}

/* --- lines the bot sends ------------------------------------------------------ */

/* A line being written into buf[0..size): bad is set by anything refused. */
struct irc_out {
	char *buf;
	size_t size, len;
	int bad;
};

static int irc_safe(const char *p, size_t len)
{
	return !memchr(p, '\r', len) && !memchr(p, '\n', len) && !memchr(p, '\0', len);
}

static void irc_put(struct irc_out *o, const char *p, size_t len)
{
	if (o->bad || len > o->size || o->len > o->size - len) {
		o->bad = 1;
		return;
	}
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

static void irc_puts(struct irc_out *o, const char *s)
{
	irc_put(o, s, strlen(s));
}

/* A middle parameter: not empty, no space, CR or LF, no ":" first, nothing
 * of extra (",", BEL, ...) in it (a NUL ends a C string: none inside). */
static void irc_put_word(struct irc_out *o, const char *s, const char *extra)
{
	size_t len = strlen(s);

	if (len == 0 || s[0] == ':' || !irc_safe(s, len) || memchr(s, ' ', len) ||
	    strpbrk(s, extra))
		o->bad = 1;
	irc_puts(o, " ");
	irc_put(o, s, len);
}

/* The last parameter, after " :"; CR, LF and NUL refused. */
static void irc_put_trailing(struct irc_out *o, struct proto_span t)
{
	if (!irc_safe(t.p, t.len))
		o->bad = 1;
	irc_puts(o, " :");
	irc_put(o, t.p, t.len);
}

/* Ends the line: "\r\n", the NUL, the limit. Returns its length or -1. */
static int irc_end(struct irc_out *o)
{
	irc_put(o, "\r\n\0", 3);
	if (o->bad || o->len - 1 > IRC_LINE_MAX)
		return -1;
	return (int)(o->len - 1);
}

static void irc_start(struct irc_out *o, char *buf, size_t size, const char *cmd)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	o->bad = 0;
	irc_puts(o, cmd);
}

int irc_fmt_nick(char *buf, size_t size, const char *nick)
{
	struct irc_out o;

	irc_start(&o, buf, size, "NICK");
	irc_put_word(&o, nick, "");
	return irc_end(&o);
}

int irc_fmt_user(char *buf, size_t size, const char *user, const char *realname)
{
	struct irc_out o;

	irc_start(&o, buf, size, "USER");
	irc_put_word(&o, user, "@");
	irc_puts(&o, " 0 *");
	irc_put_trailing(&o, irc_span(realname, strlen(realname)));
	return irc_end(&o);
}

int irc_fmt_join(char *buf, size_t size, const char *chan, const char *key)
{
	struct irc_out o;

	irc_start(&o, buf, size, "JOIN");
	irc_put_word(&o, chan, ",\a");
	if (key && key[0])
		irc_put_word(&o, key, ",");
	return irc_end(&o);
}

static int irc_fmt_token(char *buf, size_t size, const char *cmd, struct proto_span token)
{
	struct irc_out o;

	irc_start(&o, buf, size, cmd);
	if (token.len == 0)
		o.bad = 1;
	irc_put_trailing(&o, token);
	return irc_end(&o);
}

int irc_fmt_ping(char *buf, size_t size, struct proto_span token)
{
	return irc_fmt_token(buf, size, "PING", token);
}

int irc_fmt_pong(char *buf, size_t size, struct proto_span token)
{
	return irc_fmt_token(buf, size, "PONG", token);
}

int irc_fmt_msg(char *buf, size_t size, enum irc_cmd cmd, const char *target,
		struct proto_span text)
{
	struct irc_out o;

	if (cmd != IRC_PRIVMSG && cmd != IRC_NOTICE)
		return -1;
	irc_start(&o, buf, size, irc_cmd_word(cmd));
	irc_put_word(&o, target, ",");
	if (text.len == 0)
		o.bad = 1;
	irc_put_trailing(&o, text);
	return irc_end(&o);
}

int irc_fmt_quit(char *buf, size_t size, struct proto_span reason)
{
	struct irc_out o;

	irc_start(&o, buf, size, "QUIT");
	if (reason.len > 0)
		irc_put_trailing(&o, reason);
	return irc_end(&o);
}

/* --- pacing ------------------------------------------------------------------- */

void irc_pace_init(struct irc_pace *p, unsigned cost_ms, unsigned burst_ms, int64_t now_ms)
{
	p->clock_ms = now_ms;
	p->cost_ms = cost_ms;
	p->burst_ms = burst_ms;
}

int64_t irc_pace_wait(const struct irc_pace *p, int64_t now_ms)
{
	int64_t clock = p->clock_ms > now_ms ? p->clock_ms : now_ms;
	int64_t over = clock + p->cost_ms - (now_ms + p->burst_ms);

	if (p->cost_ms == 0 || over <= 0)
		return 0;
	return over;
}

void irc_pace_sent(struct irc_pace *p, int64_t now_ms)
{
	if (p->clock_ms < now_ms)
		p->clock_ms = now_ms;
	p->clock_ms += p->cost_ms;
}

/* --- nicks -------------------------------------------------------------------- */

/* RFC 2812's "special": [ ] \ ` _ ^ { | } */
static int irc_nick_special(char c)
{
	return (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7d);
}

static int irc_nick_first(char c)
{
	return (irc_upper((unsigned char)c) >= 'A' && irc_upper((unsigned char)c) <= 'Z') ||
	       irc_nick_special(c);
}

int irc_nick_ok(struct proto_span nick, unsigned nicklen)
{
	size_t i;

	if (nick.len == 0 || nick.len > nicklen || !irc_nick_first(nick.p[0]))
		return 0;
	for (i = 1; i < nick.len; i++)
		if (!irc_nick_first(nick.p[i]) && !irc_is_digit(nick.p[i]) && nick.p[i] != '-')
			return 0;
	return 1;
}

int irc_nick_alt(char *out, const char *base, unsigned nicklen, unsigned n)
{
	char suffix[4];
	size_t blen, slen = 0, keep;

	if (n >= IRC_NICK_TRIES)
		return -1;
	if (nicklen == 0)
		nicklen = IRC_NICKLEN;
	if (nicklen > IRC_NICKLEN_MAX)
		nicklen = IRC_NICKLEN_MAX;
	blen = strlen(base);
	if (!irc_nick_ok(irc_span(base, blen), (unsigned)-1)) {
		base = IRC_NICK_DEFAULT;
		blen = strlen(base);
	}
	if (n == 1) {
		suffix[slen++] = '_';
	} else if (n >= 2) {
		if (n - 1 >= 10)
			suffix[slen++] = (char)('0' + (n - 1) / 10);
		suffix[slen++] = (char)('0' + (n - 1) % 10);
	}
	if (slen >= nicklen) /* a 1-byte NICKLEN has no alternates */
		return -1;
	keep = blen < nicklen - slen ? blen : nicklen - slen;
	memcpy(out, base, keep);
	memcpy(out + keep, suffix, slen);
	out[keep + slen] = '\0';
	return (int)(keep + slen);
}
