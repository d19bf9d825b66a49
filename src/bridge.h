/* bridge.h: the bridges' end in udpchatd (udpchatirc, issue 8). A control
 * connection that sent "bridge TAG" becomes a bridge: it stays open, is
 * written every public room event as "=SEQ TEXT" through a static buffer of
 * BRIDGE_OUT_BYTES without ever waiting for it ("-LOST N" tells what did not
 * fit), and sends the lines of BRIDGE_LINES. At most UCHAT_BRIDGES at once.
 * server.c handles the lines; this module owns the slots, their buffers and
 * the checked reading of the lines. */
#ifndef UCHAT_BRIDGE_H
#define UCHAT_BRIDGE_H
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"
#include "ctlsock.h"
#include "net.h"
#include "proto.h"

/* The lines a bridge sends once attached, one row each: the one place one
 * is added (then its case in server.c server_bridge_line, and its row in
 * docs/PROTOCOL.md and docs/man/udpchatd.8).
 *   X(ID, usage)
 * usage: the line's shape; a row with NICK takes TAG NICK TEXT, "as" ID
 * (a member of this bridge, 1-4294967295) and LINE (what the member sends,
 * as in a datagram: server.c checks it), the others TEXT alone. */
#define BRIDGE_LINES(X) /* no '|' in a usage */ \
	X(POST,   "post TAG NICK TEXT") \
	X(ACT,    "act TAG NICK TEXT") \
	X(NOTICE, "notice TEXT") \
	X(AS,     "as ID LINE")

#define BRIDGE_ENUM(id, usage) BRIDGE_##id,
enum bridge_line { BRIDGE_LINES(BRIDGE_ENUM) BRIDGE_NLINES };
#undef BRIDGE_ENUM
/* "post TAG NICK TEXT | act TAG NICK TEXT | notice TEXT | as ID LINE" (skip 3 bytes):
 * the refusals' usage, and the words bridge_parse knows */
#define BRIDGE_USAGE_ITEM(id, usage) " | " usage
#define BRIDGE_USAGES BRIDGE_LINES(BRIDGE_USAGE_ITEM)

/* One bridge: its connection (the control connection it attached on, with
 * what it sent after "bridge TAG" still to be read) and what waits to be
 * written to it. */
struct bridge {
	struct ctlsock_conn c;         /* c.fd -1: a free slot */
	char tag[PROTO_ID_MAX + 1];
	uint32_t serial;               /* this attach's, from 1: its members' addresses */
	uint32_t lost;                 /* lines not written since the last -LOST */
	size_t outlen;
	char *out;                     /* BRIDGE_OUT_BYTES, apart from the slots:
					* marking a slot free touches no buffer */
};
extern struct bridge bridges[UCHAT_BRIDGES];
/* set when a bridge's slot is freed: its members (bridge_addr) are to leave */
extern int bridge_gone;

struct bridge_counters {
	uint64_t in;   /* lines taken from bridges (post, act, notice) */
	uint64_t out;  /* events written to bridges */
	uint64_t lost; /* events (and refusals) that found a bridge's buffer full */
};
extern struct bridge_counters bridge_stats;

/* A bridge line, checked (bridge_parse). */
struct bridge_req {
	enum bridge_line what;
	struct proto_span tag, nick, text; /* as: text is LINE */
	uint32_t id;                       /* as: ID */
};

/* Marks every slot free. */
void bridge_init(void);

/* Makes the control connection c (its request "bridge TAG" read, TAG at
 * tag: 1-PROTO_ID_MAX bytes of [0-9A-Za-z._-], proto_id_ok) a bridge: c's
 * fd and unread bytes move into a free slot (c is left without an fd), made
 * non-blocking. Returns the bridge, or NULL if no slot is free (c is left
 * as it was: the caller refuses it). */
struct bridge *bridge_attach(struct ctlsock_conn *c, const char *tag);

/* A member of bridge b ("as ID LINE"): its address in the room, unlike any
 * a datagram comes from: family AF_UNIX, b's slot as port, b's serial as
 * flow info, ID as scope id (udpchatctl who shows "[::%ID]:SLOT"). */
void bridge_addr(const struct bridge *b, uint32_t id, struct net_addr *a);
/* The live bridge whose member a (family AF_UNIX: bridge_addr) is, or NULL
 * when its bridge is gone. */
struct bridge *bridge_of(const struct net_addr *a);
/* A line for a member of a bridge: written to the bridge at once as
 * "@ID LINE" ("@ID =SEQ LINE" for room event ev, a private line), in order
 * with the events. Returns -1 if a is no bridge's member (nothing done),
 * else 0 (a gone bridge's: dropped). */
int bridge_to(const struct net_addr *a, uint32_t ev, const char *line, size_t len);

/* Frees b's slot (closes its connection; what waited is dropped). */
void bridge_close(struct bridge *b);

/* Checks one line a bridge sent (line[0..len), no "\n", any bytes) against
 * BRIDGE_LINES: TAG as bridge_attach's, NICK 1-BRIDGE_NICK_MAX bytes of
 * printable ASCII but space, '@' and ':', not starting with '/', '+', '-'
 * or '[' (an IRC nick), or any name the room takes (proto_name_error: a
 * peer board's member, UTF-8 up to PROTO_NAME_BYTES); TEXT 1-PROTO_MAX_LINE bytes of UTF-8 without control or bidi
 * characters (utf8_check_text). Fills req and returns 0; or returns -1 for
 * "as": ID (proto_uint32, not 0) and LINE (not empty, unchecked: the
 * room checks it as a datagram's) fill req->id and req->text. Returns -1 for
 * an unknown line, a missing part, a bad TAG, NICK or ID (req->what set when
 * the word was known, else BRIDGE_NLINES), or -2 for a bad TEXT (req->text
 * then holds it). */
int bridge_parse(const char *line, size_t len, struct bridge_req *req);

/* Reads what arrived on b, at most once. Returns the bytes read (the lines
 * in them: bridge_next), 0 for nothing now, or -1 when the bridge is gone
 * (end of file or an error: its slot is freed). */
long bridge_fill(struct bridge *b);
/* The next whole line read (IO_LINE: "\r" dropped, or IO_LONG: longer than
 * CTLSOCK_MAX_REQ, *len its length), or IO_NONE. */
int bridge_next(struct bridge *b, const char **line, size_t *len);

/* Appends a line ("\n" added) to b's buffer: formatted at most OUT_LINE_MAX
 * bytes. A buffer without room for a line is first written to the socket,
 * as much as it takes now (never waits; a failed connection frees b). When
 * the line still does not fit, or "-LOST N" waits and does not fit before
 * it, the line is counted lost instead. Returns 0, or -1 if lost. */
int bridge_printf(struct bridge *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends room event seq (its line text[0..len)) as "=SEQ TEXT" to every
 * bridge but except (NULL: all); as "=SEQ!ID TEXT" to the bridge whose
 * member ID it is not for (skip, the member's address; NULL: none). */
void bridge_event(uint32_t seq, const char *text, size_t len, const struct bridge *except,
		  const struct net_addr *skip);

/* Writes what waits to every bridge, without blocking; then, where the
 * buffer has room, "-LOST N". A bridge whose connection fails is freed. */
void bridge_flush(void);

#endif
