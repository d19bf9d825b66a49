/* web.h: udpchatweb, the room in a browser (web.c): its limits (the
 * program's own, as irc.h's are the IRC bridge's; outside the 64 KiB core)
 * and the page built into the binary (src/webpage.html, made into C by the
 * Makefile). Its entry point is in progs.h. */
#ifndef UCHAT_WEB_H
#define UCHAT_WEB_H
#include <stddef.h>

#include "bounds.h"
#include "webhttp.h"

#define WEB_DEFAULT_PORT   8080
#define WEB_DEFAULT_CONNS  32     /* -m: TCP connections at once */
#define WEB_MAX_CONNS      256    /* -m at most (static slots) */
#define WEB_DEFAULT_SESS   16     /* -s: web members (browser sessions) at once */
#define WEB_MAX_SESS       64     /* -s at most */
#define WEB_DEFAULT_LINGER 30     /* -t: seconds a member with no page open stays */
#define WEB_MAX_LINGER     3600
#define WEB_IN_BYTES       (WEBHTTP_HEAD_MAX + WEBHTTP_BODY_MAX)
#define WEB_OUT_BYTES      4096   /* a connection's write buffer: events, or a reply's head */
#define WEB_SNDBUF         16384  /* an event stream's kernel send buffer (SO_SNDBUF) */
#define WEB_REQ_MS         5000   /* a request's head and body must come within: else 408 */
#define WEB_WRITE_MS       10000  /* a reply (the page) must be taken within */
#define WEB_STALL_MS       30000  /* an event stream that takes nothing this long is dropped */
#define WEB_KEEPALIVE_MS   15000  /* a comment on an idle event stream */
#define WEB_RING_BYTES     4096   /* a session's events, kept for a reconnecting page */
#define WEB_RING_DROP      1024   /* a full ring drops this much of its oldest at once */
#define WEB_QUEUE          8      /* a session's lines waiting to be sent */
#define WEB_JOIN_TOTAL_MS  5000   /* a join unanswered this long: 504 */
#define WEB_REJOIN_MS      10000  /* a re-join (udpchatd restarted) gives up after this */
#define WEB_ACK_MS         700    /* a tagged line is sent again after this */
#define WEB_TRIES          15     /* ... this many sends: then "not delivered" */
#define WEB_CMD_MS         3000   /* a command's reply awaited this long */
#define WEB_PING_MS        25000  /* keepalive /ping per member (udpchatd's -t drops the silent) */
#define WEB_LAST_K         20     /* the room's last lines shown on joining */
#define WEB_TOKEN_HEX      32     /* a session's token: 128 random bits */
#define WEB_EPOCH_HEX      8      /* "+OK bridge TAG EPOCH LAST": udpchatd's start */
#define WEB_BRIDGE_TAG     "web"  /* its bridge's TAG on udpchatd's control socket */
#define WEB_BRIDGE_IN      2048   /* the connection's reader: a line of udpchatd's at most */
#define WEB_BRIDGE_OUT     8192   /* what waits for udpchatd: the members' lines */
#define WEB_RETRY_MS       250    /* the connection lost: again after this, doubling, */
#define WEB_RETRY_MAX_MS   2000   /* ... to this */

/* The page (HTML, CSS and JavaScript; no external resources). */
extern const char web_page[];
extern const size_t web_page_len;

#endif
