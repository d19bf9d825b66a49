/* webhttp.h: udpchatweb's reader of HTTP/1.1 requests (webhttp.c): one
 * checked, pure parser of untrusted bytes (fuzzed: tests/fuzz/fuzz_http.c),
 * and the limits of a request. Nothing here does I/O. */
#ifndef UCHAT_WEBHTTP_H
#define UCHAT_WEBHTTP_H
#include <stddef.h>

#include "proto.h"

/* Limits of one request (docs/PROTOCOL.md "udpchatweb"): the request line,
 * the whole head (request line and headers), the body (a chat line is at
 * most 512 bytes of UTF-8; a little room for what browsers send). */
#define WEBHTTP_LINE_MAX  1024  /* request line, without its CRLF: else 414 */
#define WEBHTTP_HEAD_MAX  4096  /* request line + headers + blank line: else 431 */
#define WEBHTTP_BODY_MAX  1536  /* Content-Length at most: else 413 (512 characters of 3 bytes) */

enum webhttp_method { WEBHTTP_GET = 1, WEBHTTP_HEAD, WEBHTTP_POST };

/* A request head, parsed; the spans point into the caller's buffer. */
struct webhttp_req {
	enum webhttp_method method;
	struct proto_span path;      /* the target up to '?' (never empty, starts with '/') */
	struct proto_span query;     /* after '?', or empty */
	struct proto_span last_id;   /* Last-Event-ID's value, or empty */
	size_t head_len;             /* bytes of the head, its blank line included */
	size_t body_len;             /* Content-Length (0 when absent) */
	int has_length;              /* a Content-Length was given */
	int http10;                  /* HTTP/1.0 */
};

/* Parses the request head at buf[0..len) (any bytes: len may be cut
 * anywhere). Returns 0 when the head is complete (*r filled; the body, if
 * any, starts at buf + r->head_len), -1 when more bytes are needed (none of
 * the limits is broken so far), or the HTTP status that refuses the
 * request: 400 (malformed: a bad request line, header or Content-Length,
 * a folded header, Transfer-Encoding beside Content-Length, NUL or another
 * control byte), 405 (a method other than GET, HEAD or POST), 411 (a POST
 * without Content-Length, or with Transfer-Encoding), 413 (Content-Length
 * above WEBHTTP_BODY_MAX), 414 (a request line longer than
 * WEBHTTP_LINE_MAX), 431 (a head longer than WEBHTTP_HEAD_MAX), 505 (an
 * HTTP version other than 1.0 and 1.1). A bare LF ends a line as CRLF does. */
int webhttp_parse(const char *buf, size_t len, struct webhttp_req *r);

/* The reason phrase of status ("Not Found"), or "Error" for one not used. */
const char *webhttp_reason(int status);

/* Looks up key in a query string ("s=abc&x=1": key "s" -> "abc").
 * Returns the value's span (empty when absent). No percent-decoding:
 * udpchatweb's own keys and values are plain. */
struct proto_span webhttp_query(struct proto_span query, const char *key);

#endif
