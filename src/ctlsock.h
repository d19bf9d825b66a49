/* ctlsock.h: the server end of the control socket (udpchatctl). A Unix
 * stream socket, mode 0600; one request line per connection, reply lines,
 * then the server closes. A few connections wait for their request at once
 * (CTLSOCK_SLOTS), each for at most CTLSOCK_REQ_MS (bounds.h). */
#ifndef UCHAT_CTLSOCK_H
#define UCHAT_CTLSOCK_H
#include <stddef.h>
#include <stdint.h>

#include "io.h"

#define CTLSOCK_MAX_REQ 600 /* bytes in a request line without "\n": "say "
			      * and a 512-byte line, with room */

/* The requests, one row each, in the order udpchatctl -h lists them: the one
 * place a request is added (then its handler, server.c server_ctl_NAME, and
 * its entry in docs/man/udpchatctl.8 and docs/PROTOCOL.md). "bridge" keeps
 * its connection (bridge.h).
 *   X(name, usage, args, help)
 * usage: the request line's shape; args: what follows the word (enum
 * ctlsock_args); help: udpchatctl -h's line. */
#define CTLSOCK_REQUESTS(X) \
	X(say,   "say TEXT",  CTLSOCK_ARGS_TEXT, "announce TEXT to every member") \
	X(who,   "who",       CTLSOCK_ARGS_NONE, "list members: name, address, seconds since last heard") \
	X(kick,  "kick NAME", CTLSOCK_ARGS_ONE,  "remove a member (it is told it was kicked)") \
	X(stats, "stats",     CTLSOCK_ARGS_NONE, "counters") \
	X(bridge, "bridge TAG", CTLSOCK_ARGS_ONE, "attach a bridge (udpchatirc, udpchatweb)")

/* What follows a request's word: nothing ("who"), or one space and the
 * rest of the line: one word (a NAME) or text (udpchatctl joins its words). */
enum ctlsock_args { CTLSOCK_ARGS_NONE, CTLSOCK_ARGS_ONE, CTLSOCK_ARGS_TEXT };

/* "say TEXT | who | kick NAME | stats" (skip the first 3 bytes) */
#define CTLSOCK_USAGE_ITEM(name, usage, args, help) " | " usage
#define CTLSOCK_USAGES CTLSOCK_REQUESTS(CTLSOCK_USAGE_ITEM)

/* Creates the listening socket at path (mode 0600). A stale socket file left
 * by a dead server is replaced; a live one is an error, and so is anything
 * at path that is not a socket (it is left as it is). Returns the fd, or -1
 * with a message in err. */
int ctlsock_open(const char *path, char *err, size_t errlen);

/* Closes fd and removes the socket file. Returns 0, or -1 (errno set) when
 * the file could not be removed (after -u, a directory the user may not
 * write); with fd -1, does nothing and returns 0. */
int ctlsock_close(int fd, const char *path);

/* One connection waiting for its request line. */
struct ctlsock_conn {
	int fd;            /* -1 when there is none */
	int64_t since_ms;  /* accepted at */
	struct io_lines in;
	char req[CTLSOCK_MAX_REQ + 1]; /* the reader's buffer, then the request */
};

/* Makes c the connection on fd, accepted at now_ms, with nothing read. */
void ctlsock_start(struct ctlsock_conn *c, int fd, int64_t now_ms);

/* Accepts a connection from root or the owner the socket file was made by
 * in ctlsock_open, even after udpchatd -u gave that up (others get an error
 * and are closed), into a free one of the n slots; when none is free, the
 * oldest is told "-ERR busy" and closed to make room. Returns 0 with the
 * connection in a slot, or -1. */
int ctlsock_accept(int lfd, struct ctlsock_conn *slots, int n, int64_t now_ms);

/* Reads what has arrived. Returns 1 when a whole request line is in c->req
 * (NUL-terminated, "\n" and a "\r" before it removed), 0 to wait for more,
 * -1 when the peer went away before a whole line, or the line is longer
 * than CTLSOCK_MAX_REQ bytes ("-ERR request too long (N bytes, max M)", once
 * its end has come) or holds a NUL byte (c is then closed). */
int ctlsock_read(struct ctlsock_conn *c);

/* Tells and closes the connections of the n slots that sent no request
 * within CTLSOCK_REQ_MS (or a request too long whose end did not come:
 * "-ERR request too long (N bytes so far, max M), and no end within T ms"). Returns a poll timeout: the ms until the next one's
 * deadline, or timeout (ms, -1 = none) if that comes first. */
int ctlsock_expire(struct ctlsock_conn *slots, int n, int64_t now_ms, int timeout);

/* Appends a reply line ("\n" added) to c's reply; writes out the buffer
 * when full. One reply is built at a time: ctlsock_finish ends it. */
void ctlsock_printf(struct ctlsock_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes out what is left and closes the connection. */
void ctlsock_finish(struct ctlsock_conn *c);

#endif
