/* proto.c: the one checked reader for untrusted bytes. Everything that comes
 * off the network is cut into spans here, with explicit lengths: no strlen,
 * no NUL termination assumed. */
#include <string.h>

#include "proto.h"
#include "utf8.h"

void proto_lines_init(struct proto_lines *it, const char *buf, size_t len)
{
	it->p = buf;
	it->end = buf + len;
}

int proto_lines_next(struct proto_lines *it, struct proto_span *line)
{
	const char *nl;

	if (it->p >= it->end)
		return 0;
	line->p = it->p;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	if (nl) {
		line->len = (size_t)(nl - it->p);
		it->p = nl + 1;
	} else {
		line->len = (size_t)(it->end - it->p);
		it->p = it->end;
	}
	if (line->len > 0 && line->p[line->len - 1] == '\r')
		line->len--;
	return 1;
}

int proto_span_eq(struct proto_span a, const char *s)
{
	size_t n = strlen(s);

	return a.len == n && memcmp(a.p, s, n) == 0;
}

int proto_uint32(struct proto_span s, uint32_t *out)
{
	uint32_t v = 0, d;
	size_t i;

	if (s.len == 0)
		return -1;
	for (i = 0; i < s.len; i++) {
		d = (uint32_t)(unsigned char)s.p[i] - '0';
		if (d > 9 || v > (UINT32_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int proto_id_ok(struct proto_span id)
{
	size_t i;
	char c;

	if (id.len == 0 || id.len > PROTO_ID_MAX)
		return 0;
	for (i = 0; i < id.len; i++) {
		c = id.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

struct proto_span proto_word(struct proto_span *rest)
{
	struct proto_span w = { rest->p, 0 };

	while (w.len < rest->len && rest->p[w.len] != ' ')
		w.len++;
	rest->p += w.len;
	rest->len -= w.len;
	while (rest->len > 0 && rest->p[0] == ' ') {
		rest->p++;
		rest->len--;
	}
	return w;
}

static struct proto_span proto_rtrim(struct proto_span s)
{
	while (s.len > 0 && s.p[s.len - 1] == ' ')
		s.len--;
	return s;
}

/* The rows of PROTO_COMMANDS, row i for command PROTO_TEXT + 1 + i: the
 * word is the usage up to its first space. */
#define PROTO_CMD_ROW(id, name, usage, args, who, rated, shown) { usage, args },
static const struct {
	const char *usage;
	unsigned char args; /* enum proto_args */
} proto_cmds[] = { PROTO_COMMANDS(PROTO_CMD_ROW) };
#undef PROTO_CMD_ROW
_Static_assert(sizeof(proto_cmds) / sizeof(proto_cmds[0]) == PROTO_UNKNOWN - PROTO_TEXT - 1,
	       "one row per command");

/* noinline: its two callers in server.c each took a copy under LTO */
__attribute__((noinline)) const char *proto_usage(enum proto_cmd cmd)
{
	return cmd > PROTO_TEXT && cmd < PROTO_UNKNOWN ? proto_cmds[cmd - PROTO_TEXT - 1].usage : "";
}

void proto_parse(struct proto_span line, struct proto_req *req)
{
	struct proto_span rest = line, word;
	const char *u = NULL;
	size_t i, k;

	req->arg.p = req->arg2.p = line.p + line.len;
	req->arg.len = req->arg2.len = 0;
	req->missing = 0;
	if (line.len == 0 || line.p[0] != '/') {
		req->cmd = PROTO_TEXT;
		req->arg = line;
		return;
	}
	word = proto_word(&rest);
	req->cmd = PROTO_UNKNOWN;
	req->arg = word;
	for (i = 0; i < sizeof(proto_cmds) / sizeof(proto_cmds[0]); i++) {
		u = proto_cmds[i].usage;
		for (k = 0; k < word.len && u[k] && u[k] == word.p[k]; k++)
			;
		if (k == word.len && (u[k] == ' ' || u[k] == '\0'))
			break;
	}
	if (i == sizeof(proto_cmds) / sizeof(proto_cmds[0]))
		return;
	req->cmd = (enum proto_cmd)(PROTO_TEXT + 1 + i);
	switch (proto_cmds[i].args) {
	case PROTO_ARGS_TRIM:
		req->arg = proto_rtrim(rest);
		break;
	case PROTO_ARGS_WORD:
		req->arg = proto_word(&rest);
		req->arg2 = rest;
		break;
	default:
		req->arg = rest;
		break;
	}
	/* the usage names arguments after the word: they are required */
	req->missing = u[word.len] == ' ' && (req->arg.len == 0 ||
		(proto_cmds[i].args == PROTO_ARGS_WORD && req->arg2.len == 0));
}

/* Code points that a terminal font draws like another, after UTS #39 (a few
 * of its confusables, not its table). First the letters of Greek, Cyrillic
 * and Armenian that look like an ASCII letter: PROTO_LOOK packs one in 16
 * bits, its offset from U+0370 and its small ASCII letter (a capital folds
 * like the Latin capital it looks like, as names ignore ASCII case). */
#define PROTO_LOOK(cp, c) (uint16_t)(((cp) - 0x370) << 6 | ((c) - 0x60))
static const uint16_t proto_look[] = {
	PROTO_LOOK(0x037f, 'j'), PROTO_LOOK(0x0391, 'a'), PROTO_LOOK(0x0392, 'b'), /* Greek */
	PROTO_LOOK(0x0395, 'e'), PROTO_LOOK(0x0396, 'z'), PROTO_LOOK(0x0397, 'h'),
	PROTO_LOOK(0x0399, 'i'), PROTO_LOOK(0x039a, 'k'), PROTO_LOOK(0x039c, 'm'),
	PROTO_LOOK(0x039d, 'n'), PROTO_LOOK(0x039f, 'o'), PROTO_LOOK(0x03a1, 'p'),
	PROTO_LOOK(0x03a4, 't'), PROTO_LOOK(0x03a5, 'y'), PROTO_LOOK(0x03a7, 'x'),
	PROTO_LOOK(0x03b1, 'a'), PROTO_LOOK(0x03b9, 'i'), PROTO_LOOK(0x03bd, 'v'),
	PROTO_LOOK(0x03bf, 'o'), PROTO_LOOK(0x03c1, 'p'), PROTO_LOOK(0x03c5, 'u'),
	PROTO_LOOK(0x03f2, 'c'), PROTO_LOOK(0x03f3, 'j'), PROTO_LOOK(0x03f9, 'c'),
	PROTO_LOOK(0x0405, 's'), PROTO_LOOK(0x0406, 'i'), PROTO_LOOK(0x0408, 'j'), /* Cyrillic */
	PROTO_LOOK(0x0410, 'a'), PROTO_LOOK(0x0412, 'b'), PROTO_LOOK(0x0415, 'e'),
	PROTO_LOOK(0x041a, 'k'), PROTO_LOOK(0x041c, 'm'), PROTO_LOOK(0x041d, 'h'),
	PROTO_LOOK(0x041e, 'o'), PROTO_LOOK(0x0420, 'p'), PROTO_LOOK(0x0421, 'c'),
	PROTO_LOOK(0x0422, 't'), PROTO_LOOK(0x0425, 'x'), PROTO_LOOK(0x0430, 'a'),
	PROTO_LOOK(0x0435, 'e'), PROTO_LOOK(0x043e, 'o'), PROTO_LOOK(0x0440, 'p'),
	PROTO_LOOK(0x0441, 'c'), PROTO_LOOK(0x0443, 'y'), PROTO_LOOK(0x0445, 'x'),
	PROTO_LOOK(0x0455, 's'), PROTO_LOOK(0x0456, 'i'), PROTO_LOOK(0x0458, 'j'),
	PROTO_LOOK(0x04ae, 'y'), PROTO_LOOK(0x04ba, 'h'), PROTO_LOOK(0x04bb, 'h'),
	PROTO_LOOK(0x04c0, 'l'), PROTO_LOOK(0x04cf, 'l'), PROTO_LOOK(0x0501, 'd'),
	PROTO_LOOK(0x051a, 'q'), PROTO_LOOK(0x051b, 'q'), PROTO_LOOK(0x051c, 'w'),
	PROTO_LOOK(0x051d, 'w'),
	PROTO_LOOK(0x0578, 'n'), PROTO_LOOK(0x057d, 'u'), PROTO_LOOK(0x0585, 'o'), /* Armenian */
};

/* Then code points that fold to one that is not ASCII, in UTF-8: the
 * canonical singletons Ohm, Kelvin and Ångström, and the traditional forms
 * (員 務) and CJK compatibility ideographs (理 器) of the reserved words. */
static const struct {
	uint16_t cp;
	char to[4];
} proto_same[] = {
	{ 0x2126, "Ω" }, { 0x212a, "k" }, { 0x212b, "Å" }, { 0x52d9, "务" },
	{ 0x54e1, "员" }, { 0xf9e4, "理" }, { 0xfa38, "器" },
};
#define PROTO_NSAME (sizeof(proto_same) / sizeof(proto_same[0]))

/* Roman numerals U+2160-217F that are one letter (Ⅰ Ⅴ Ⅹ Ⅼ Ⅽ Ⅾ Ⅿ, capital and
 * small), by the low 4 bits. */
static const char proto_roman[16] = "i\0\0\0v\0\0\0\0x\0\0lcdm";

uint32_t proto_fold_cp(uint32_t cp)
{
	size_t i;

	if (cp >= 0xff01 && cp <= 0xff5e)          /* fullwidth ASCII */
		cp -= 0xff01 - 0x21;
	if (cp < 0x370)                            /* ASCII and Latin: only case */
		return cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
	if (cp >= 0x1d400 && cp <= 0x1d6a3)        /* 13 mathematical A-Z a-z */
		return 'a' + (cp - 0x1d400) % 26;
	if (cp >= 0x1d7ce && cp <= 0x1d7ff)        /* 5 mathematical 0-9 */
		return '0' + (cp - 0x1d7ce) % 10;
	if (cp >= 0x2160 && cp <= 0x217f && proto_roman[cp & 15])
		return (unsigned char)proto_roman[cp & 15];
	for (i = 0; i < sizeof(proto_look) / sizeof(proto_look[0]); i++)
		if ((uint32_t)(proto_look[i] >> 6) + 0x370 == cp)
			return 0x60 + (proto_look[i] & 63u);
	return cp;
}

const char *proto_name_error(struct proto_span name)
{
	static const char *const reserved[] = { "admin", "server", "管理员", "服务器", "伺服器" };
	char key[PROTO_NAME_BYTES + 1];
	size_t n, i, off, chars = 0;
	uint32_t cp;

	if (name.len == 0)
		return "empty";
	if (!utf8_valid(name.p, name.len))
		return "not valid UTF-8";
	if (name.len > PROTO_NAME_BYTES)
		return "longer than " UCHAT_STR(PROTO_NAME_BYTES) " bytes";
	for (off = 0; off < name.len; off += n, chars++) {
		n = utf8_decode(name.p + off, name.len - off, &cp);
		if (utf8_is_control(cp))
			return "contains a control character";
		if (utf8_is_space(cp))
			return "contains whitespace";
		if (utf8_is_invisible(cp))
			return "contains an invisible character";
		if (utf8_is_mark(cp))
			return "contains a combining mark";
	}
	/* the rules on characters hold for what they look like: "：" is a ':' */
	n = proto_name_key(name, key);
	if (memchr(key, ':', n))
		return "contains ':'";
	if (memchr(key, '@', n)) /* a remote speaker's NICK@TAG (bridge.h) */
		return "contains '@'";
	if (chars > PROTO_NAME_CHARS)
		return "longer than " UCHAT_STR(PROTO_NAME_CHARS) " characters";
	if (memchr("/+-[", key[0], sizeof "/+-["))
		return "must not start with '/', '+', '-' or '['";
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (n == strlen(reserved[i]) && memcmp(key, reserved[i], n) == 0)
			return "reserved";
	return NULL;
}

size_t proto_name_key(struct proto_span name, char *key)
{
	size_t off, k = 0, n, i;
	const char *to;
	uint32_t cp, f;

	if (name.len > PROTO_NAME_BYTES)
		name.len = PROTO_NAME_BYTES;
	for (off = 0; off < name.len; off += n) {
		n = utf8_decode(name.p + off, name.len - off, &cp);
		if (n == 0) { /* not UTF-8 (a lookup, never a name): the byte as it is */
			key[k++] = name.p[off];
			n = 1;
			continue;
		}
		for (i = 0; i < PROTO_NSAME && proto_same[i].cp != cp; i++)
			;
		if (i < PROTO_NSAME) {
			for (to = proto_same[i].to; *to; to++)
				key[k++] = *to;
		} else if ((f = proto_fold_cp(cp)) != cp) {
			key[k++] = (char)f;
		} else {
			memcpy(key + k, name.p + off, n);
			k += n;
		}
	}
	key[k] = '\0';
	return k;
}
