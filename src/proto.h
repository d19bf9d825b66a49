/* proto.h: the protocol's one checked reader for untrusted bytes:
 * splitting datagrams into lines, parsing commands, checking names. */
#ifndef UCHAT_PROTO_H
#define UCHAT_PROTO_H
#include <stddef.h>
#include "bounds.h"

/* A view into untrusted bytes: never NUL-terminated, always with a length. */
struct proto_span {
	const char *p;
	size_t len;
};

/* Line splitter over one datagram. */
struct proto_lines {
	const char *p, *end;
};
void proto_lines_init(struct proto_lines *it, const char *buf, size_t len);
/* Stores the next line in *line ("\n" removed, one trailing "\r" dropped) and
 * returns 1, or returns 0 at the end. Empty lines are returned too (len 0). */
int proto_lines_next(struct proto_lines *it, struct proto_span *line);

enum proto_cmd {
	PROTO_TEXT,    /* plain text: arg = whole line */
	PROTO_JOIN,    /* /join NAME: arg = NAME */
	PROTO_SAY,     /* /say TEXT */
	PROTO_MSG,     /* /msg NAME TEXT: arg = NAME, arg2 = TEXT */
	PROTO_WHO,
	PROTO_NICK,    /* /nick NEW */
	PROTO_QUIT,
	PROTO_PING,    /* /ping [TOKEN]: arg = TOKEN (may be empty) */
	PROTO_HELP,
	PROTO_UNKNOWN  /* /word not known: arg = the word, "/" included */
};

struct proto_req {
	enum proto_cmd cmd;
	struct proto_span arg, arg2;
};

/* Parses one non-empty line into req. Always succeeds: missing arguments
 * leave empty spans for the caller to answer with a usage error. Arguments
 * are separated from the command by one or more spaces. */
void proto_parse(struct proto_span line, struct proto_req *req);

/* Checks a name against docs/PROTOCOL.md. Returns NULL if it is fine, else
 * the reason ("contains whitespace", ...). Reserved names included. */
const char *proto_name_error(struct proto_span name);

/* Writes the case-folded key of a valid name (ASCII A-Z lowered) into key,
 * which holds PROTO_NAME_BYTES + 1 bytes; returns its length. */
size_t proto_name_key(struct proto_span name, char *key);

/* The fold of a name's byte: ASCII letters to lower case, every other byte
 * (UTF-8 included) as it is. proto_name_key and the room's name table both
 * use it, so a name is the same name to both. */
static inline unsigned char proto_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Returns 1 if the span equals the NUL-terminated string s. */
int proto_span_eq(struct proto_span a, const char *s);

#endif
