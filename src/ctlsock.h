/* ctlsock.h: the server end of the control socket (udpchatctl). A Unix
 * stream socket, mode 0600; one request line per connection, reply lines,
 * then the server closes. */
#ifndef UCHAT_CTLSOCK_H
#define UCHAT_CTLSOCK_H
#include <stddef.h>

#define CTLSOCK_MAX_REQ 600 /* "say " + a 512-byte line, with room */

/* Creates the listening socket at path (mode 0600). A stale socket file left
 * by a dead server is replaced; a live one is an error. Returns the fd, or -1
 * with a message in err. */
int ctlsock_open(const char *path, char *err, size_t errlen);

/* Closes fd and removes the socket file. Returns 0, or -1 (errno set) when
 * the file could not be removed (after -u, a directory the user may not
 * write); with fd -1, does nothing and returns 0. */
int ctlsock_close(int fd, const char *path);

/* One connection being served. */
struct ctlsock_conn {
	int fd;            /* -1 when there is none */
	size_t len;
	char req[CTLSOCK_MAX_REQ + 1];
	char out[4096];    /* reply buffer, written out when full */
	size_t outlen;
	int failed;
};

/* Accepts a connection from root or the socket file's owner (whoever ran
 * ctlsock_open, even after udpchatd -u gave that up; others get an error and
 * are closed). Returns 0 with c->fd set, or -1. */
int ctlsock_accept(int lfd, struct ctlsock_conn *c);

/* Reads what has arrived. Returns 1 when a whole request line is in c->req
 * (NUL-terminated, "\n" removed), 0 to wait for more, -1 when the peer went
 * away or the request is too long (c is then closed). */
int ctlsock_read(struct ctlsock_conn *c);

/* Appends a reply line ("\n" added); writes out the buffer when full. */
void ctlsock_printf(struct ctlsock_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes out what is left and closes the connection. */
void ctlsock_finish(struct ctlsock_conn *c);

#endif
