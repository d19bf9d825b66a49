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

/* Splits off the first space-separated word of *rest; leaves *rest at the
 * text after the spaces that follow it. */
static struct proto_span proto_word(struct proto_span *rest)
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

#define PROTO_CMD(w, c) { w, sizeof(w) - 1, c }
static const struct {
	const char *word;
	size_t len;
	enum proto_cmd cmd;
} proto_cmds[] = {
	PROTO_CMD("/join", PROTO_JOIN), PROTO_CMD("/say", PROTO_SAY),
	PROTO_CMD("/msg", PROTO_MSG),   PROTO_CMD("/who", PROTO_WHO),
	PROTO_CMD("/nick", PROTO_NICK), PROTO_CMD("/quit", PROTO_QUIT),
	PROTO_CMD("/ping", PROTO_PING), PROTO_CMD("/help", PROTO_HELP),
};

void proto_parse(struct proto_span line, struct proto_req *req)
{
	struct proto_span rest = line, word;
	size_t i;

	req->arg.p = req->arg2.p = line.p + line.len;
	req->arg.len = req->arg2.len = 0;
	if (line.len == 0 || line.p[0] != '/') {
		req->cmd = PROTO_TEXT;
		req->arg = line;
		return;
	}
	word = proto_word(&rest);
	req->cmd = PROTO_UNKNOWN;
	req->arg = word;
	for (i = 0; i < sizeof(proto_cmds) / sizeof(proto_cmds[0]); i++) {
		/* the length first: most commands are skipped without a strlen */
		if (word.len == proto_cmds[i].len && proto_span_eq(word, proto_cmds[i].word)) {
			req->cmd = proto_cmds[i].cmd;
			req->arg = rest;
			break;
		}
	}
	switch (req->cmd) {
	case PROTO_JOIN:
	case PROTO_NICK:
	case PROTO_PING:
		req->arg = proto_rtrim(rest);
		break;
	case PROTO_MSG:
		req->arg = proto_word(&rest);
		req->arg2 = rest;
		break;
	default:
		break;
	}
}

const char *proto_name_error(struct proto_span name)
{
	static const char *const reserved[] = { "admin", "server", "管理员" };
	char key[PROTO_NAME_BYTES + 1];
	size_t n, i, off, chars = 0;
	uint32_t cp;

	if (name.len == 0)
		return "empty";
	if (!utf8_valid(name.p, name.len))
		return "not valid UTF-8";
	if (name.len > PROTO_NAME_BYTES)
		return "longer than 48 bytes";
	for (off = 0; off < name.len; off += n, chars++) {
		n = utf8_decode(name.p + off, name.len - off, &cp);
		if (utf8_is_control(cp))
			return "contains a control character";
		if (utf8_is_space(cp))
			return "contains whitespace";
		if (utf8_is_invisible(cp))
			return "contains an invisible character";
		if (cp == ':')
			return "contains ':'";
	}
	if (chars > PROTO_NAME_CHARS)
		return "longer than 16 characters";
	if (strchr("/+-[", name.p[0]))
		return "must not start with '/', '+', '-' or '['";
	n = proto_name_key(name, key);
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (n == strlen(reserved[i]) && memcmp(key, reserved[i], n) == 0)
			return "reserved";
	return NULL;
}

size_t proto_name_key(struct proto_span name, char *key)
{
	size_t i, n = name.len;

	if (n > PROTO_NAME_BYTES)
		n = PROTO_NAME_BYTES;

	for (i = 0; i < n; i++)
		key[i] = (char)proto_fold((unsigned char)name.p[i]);
	key[n] = '\0';
	return n;
}
