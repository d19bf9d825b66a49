/* proto.h: the protocol's one checked reader for untrusted bytes:
 * splitting datagrams into lines, parsing commands, checking names. */
#ifndef UCHAT_PROTO_H
#define UCHAT_PROTO_H
#include <stddef.h>
#include <stdint.h>

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
 * the reason ("contains whitespace", ...). Reserved names included: a name
 * whose key (proto_name_key) is a reserved word's. */
const char *proto_name_error(struct proto_span name);

/* The ASCII character a code point of a name folds to in its key, after
 * UTS #39's skeleton (see docs/PROTOCOL.md "Names"): fullwidth ASCII,
 * mathematical letters and digits, one-letter Roman numerals, the Greek,
 * Cyrillic and Armenian letters that look like an ASCII letter; ASCII
 * capitals to small. Any other code point comes back as it is. */
uint32_t proto_fold_cp(uint32_t cp);

/* Writes the key of a name, its skeleton, into key (PROTO_NAME_BYTES + 1
 * bytes): each code point of the first PROTO_NAME_BYTES bytes folded by
 * proto_fold_cp, or to one of a few others (proto.c: proto_same; Kelvin
 * sign, 員 to 员...); a byte that is not UTF-8 kept as it is. Returns its
 * length. A key is never longer than the name, and the key of a key is
 * itself. Two names look alike if their keys are equal: the room's name
 * table hashes and compares keys. */
size_t proto_name_key(struct proto_span name, char *key);

/* Returns 1 if the span equals the NUL-terminated string s. */
int proto_span_eq(struct proto_span a, const char *s);

#endif
