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

/* The commands: one row each, in the order /help lists them. This is the one
 * place a command is added; then write its handler (server.c's command
 * section: server_cmd_NAME), its row in docs/PROTOCOL.md and its entry in
 * docs/man/udpchat.1 (docs/DESIGN.md, "Each vocabulary in one place").
 *   X(ID, name, usage, args, who, rated, shown)
 * ID: PROTO_ID in enum proto_cmd; name: its handler is server_cmd_name.
 * usage: the word and its arguments, as /help and "-ERR usage: ..." show
 *   them; an argument it names is required (see proto_req.missing), so an
 *   optional one (/ping's TOKEN) is left out.
 * args: how proto_parse cuts the arguments (enum proto_args).
 * who: who may send it (enum proto_who).
 * rated: 1 if it counts against the member's rate limit (/ping and /quit
 *   do not: they keep a member or end it, over the limit too; /id's LINE is
 *   counted when it is handled, a repeated ID not at all).
 * shown: 1 if udpchat -h lists it (udpchat sends /join, /say and /ping);
 *   2 for the opt-in extension (protocol v1.1), which /help does not list
 *   either: a v1 member sees exactly v1, and the /help line fits a
 *   stranger's reply allowance (ROOM_UNCONFIRMED_FLOOR). */
#define PROTO_COMMANDS(X) \
	X(JOIN, join, "/join NAME",     PROTO_ARGS_TRIM, PROTO_WHO_STRANGER, 1, 0) \
	X(SAY,  say,  "/say TEXT",      PROTO_ARGS_REST, PROTO_WHO_MEMBER,   1, 0) \
	X(MSG,  msg,  "/msg NAME TEXT", PROTO_ARGS_WORD, PROTO_WHO_MEMBER,   1, 1) \
	X(WHO,  who,  "/who",           PROTO_ARGS_REST, PROTO_WHO_MEMBER,   1, 1) \
	X(NICK, nick, "/nick NEW",      PROTO_ARGS_TRIM, PROTO_WHO_MEMBER,   1, 1) \
	X(PING, ping, "/ping",          PROTO_ARGS_TRIM, PROTO_WHO_MEMBER,   0, 0) \
	X(QUIT, quit, "/quit",          PROTO_ARGS_REST, PROTO_WHO_ANY,      0, 1) \
	X(HELP, help, "/help",          PROTO_ARGS_REST, PROTO_WHO_ANY,      1, 1) \
	X(SEQ,  seq,  "/seq",           PROTO_ARGS_REST, PROTO_WHO_MEMBER,   1, 2) \
	X(SINCE, since, "/since N",     PROTO_ARGS_TRIM, PROTO_WHO_MEMBER,   1, 2) \
	X(LAST, last, "/last K",        PROTO_ARGS_TRIM, PROTO_WHO_MEMBER,   1, 2) \
	X(ID,   id,   "/id ID LINE",    PROTO_ARGS_WORD, PROTO_WHO_MEMBER,   0, 2)

#define PROTO_CMD_ENUM(id, name, usage, args, who, rated, shown) PROTO_##id,
enum proto_cmd {
	PROTO_TEXT,    /* plain text: arg = whole line */
	PROTO_COMMANDS(PROTO_CMD_ENUM)
	PROTO_UNKNOWN, /* /word not known: arg = the word, "/" included */
	PROTO_NCMDS
};
#undef PROTO_CMD_ENUM

/* How a command's arguments are cut (the rest: the text after the word and
 * the spaces that follow it). */
enum proto_args {
	PROTO_ARGS_REST, /* arg = the rest, as it is */
	PROTO_ARGS_TRIM, /* arg = the rest without trailing spaces */
	PROTO_ARGS_WORD  /* arg = its first word, arg2 = the rest after it */
};

/* Who may send a command. */
enum proto_who {
	PROTO_WHO_ANY,
	PROTO_WHO_MEMBER,  /* a stranger is told "-ERR not in the room" */
	PROTO_WHO_STRANGER /* a member is told "-ERR already in the room" */
};

/* The commands' usages as one literal, each after ", ": "/help" lists those
 * of v1, udpchat -h the shown ones. Skip the first 2 bytes. */
#define PROTO_IF_0(s)
#define PROTO_IF_1(s) s
#define PROTO_IF_2(s)
#define PROTO_V1_0(s) s
#define PROTO_V1_1(s) s
#define PROTO_V1_2(s)
#define PROTO_USAGE_ALL(id, name, usage, args, who, rated, shown) PROTO_V1_##shown(", " usage)
#define PROTO_USAGE_SHOWN(id, name, usage, args, who, rated, shown) PROTO_IF_##shown(", " usage)
#define PROTO_USAGES PROTO_COMMANDS(PROTO_USAGE_ALL)
#define PROTO_USAGES_SHOWN PROTO_COMMANDS(PROTO_USAGE_SHOWN)

struct proto_req {
	enum proto_cmd cmd;
	int missing;   /* 1 if an argument its usage names is empty */
	struct proto_span arg, arg2;
};

/* Returns the usage of a command of PROTO_COMMANDS ("/msg NAME TEXT"), or
 * "" for PROTO_TEXT and PROTO_UNKNOWN. */
const char *proto_usage(enum proto_cmd cmd);

/* Parses one non-empty line into req. Always succeeds: missing arguments
 * leave empty spans (and req->missing set) for the caller to answer with a
 * usage error. Arguments are separated from the command by one or more
 * spaces. */
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

/* Parses a whole span of decimal digits (protocol v1.1's sequence numbers
 * and counts) into *out. Returns 0, or -1 if it is empty, has a byte that is
 * not a digit, or is above 4294967295. */
int proto_uint32(struct proto_span s, uint32_t *out);

/* Returns 1 if id is an acknowledgement ID of /id: 1 to PROTO_ID_MAX bytes of
 * [0-9A-Za-z._-]; else 0. */
int proto_id_ok(struct proto_span id);

/* Splits off the first space-separated word of *rest and returns it;
 * leaves *rest at the text after the spaces that follow it. */
struct proto_span proto_word(struct proto_span *rest);

/* Returns 1 if the span equals the NUL-terminated string s. */
int proto_span_eq(struct proto_span a, const char *s);

#endif
