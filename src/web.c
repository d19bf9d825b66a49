/* web.c: udpchatweb, the room in a phone's browser (issue 12, part 2): a
 * small HTTP/1.1 server (one poll loop, non-blocking sockets, static
 * slots) serving one page, an event stream (Server-Sent Events) and a POST
 * per line. It is one bridge of udpchatd (its control socket, "bridge
 * web"), and each browser session a room member carried by it ("as ID
 * LINE"; what udpchatd sends the member comes back as "@ID LINE", the
 * room's public events once for all as "=SEQ TEXT"). A session keeps its
 * events in a small ring, so a page that reconnects (Last-Event-ID) gets
 * what it missed, once; an event stream that falls behind the ring is
 * dropped (the relay never waits for a browser). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"
#include "fmt.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "progs.h"
#include "proto.h"
#include "reply.h"
#include "web.h"
#include "webhttp.h"

enum { PFD_LISTEN, PFD_SIG, PFD_BRIDGE, PFD_FIRST };

/* What a connection is doing. */
enum web_cstate {
	C_FREE,
	C_READ,      /* reading a request */
	C_JOIN,      /* a POST /join waits for udpchatd's answer */
	C_WRITE,     /* writing a reply, then closing */
	C_EVENTS     /* an event stream of a session */
};

struct web_conn {
	int fd;
	enum web_cstate state;
	int sess;                   /* C_JOIN, C_EVENTS: the session */
	int64_t since_ms;           /* accepted (C_READ); reply started (C_WRITE) */
	int64_t moved_ms;           /* C_EVENTS: last write that took bytes */
	unsigned sent;              /* C_EVENTS: the serial of the last entry written */
	size_t next;                /* C_EVENTS: where in the ring the entry after it
				     * may be (checked: web_pump), else 0 */
	size_t in_len;
	size_t out_off, out_len;
	const char *body;           /* after out: static bytes (the page) */
	size_t body_len, body_off;
	char msg[320];              /* a short reply's body */
	char in[WEB_IN_BYTES];
	char out[WEB_OUT_BYTES];
};

/* An entry of a session's ring: this header, then len bytes of text. */
enum web_kind { K_EVENT = 'e', K_HIST = 'h', K_MINE = 'm', K_REPLY = 'r', K_END = 'x' };
struct web_entry {
	unsigned ser;               /* the session's serial, from 1 */
	uint32_t seq;               /* the room's seq (K_REPLY, K_END: the latest seen) */
	unsigned short len;
	char kind;
	unsigned char gen;          /* the session's epochs before this one's (web_epoch) */
};

enum web_sstate { S_FREE, S_JOINING, S_IN, S_GONE };

struct web_sess {
	uint32_t mid;               /* its member's ID on the bridge ("as ID LINE") */
	enum web_sstate state;
	int conn;                   /* S_JOINING: the POST; else the event stream; -1 */
	int64_t alone_ms;           /* no page attached since */
	int64_t next_ms;            /* S_JOINING, re-joining: send /join; S_IN: next /ping */
	int64_t end_ms;             /* S_JOINING, re-joining: give up */
	char token[WEB_TOKEN_HEX + 1];
	char name[PROTO_NAME_BYTES + 1];
	uint32_t seq;               /* the highest room seq kept */
	unsigned ser;               /* the last serial given */
	int hist;                   /* the join's /last: its ~ lines are history */
	int replay;                 /* a (re-)join's /last or /since not answered yet:
				     * the stream's events are in its replay */
	int rejoin;                 /* S_IN: udpchatd forgot us (restarted): joining again */
	unsigned char gen;          /* new epochs seen: udpchatd restarted this often */
	size_t ring_len;            /* ring[0..ring_len): entries, oldest first */
	/* lines from the page, oldest first; the head is in flight when tries > 0 */
	unsigned qhead, qn;
	int tries;
	int tagged;                 /* the head went as "/id ID TEXT" */
	unsigned long id;           /* its ID */
	unsigned long next_id;
	int64_t qnext_ms;
	unsigned short qlen[WEB_QUEUE];    /* from here on: not cleared at a join */
	char q[WEB_QUEUE][WEBHTTP_BODY_MAX];
	char ring[WEB_RING_BYTES];
};

static struct {
	const char *ctl_path;
	unsigned port;
	const char *bind;
	unsigned max_conns, max_sess, linger_s;
	int lfd;
	unsigned nconns;
	/* the bridge connection to udpchatd */
	int bfd;                    /* -1: none now */
	int attached;               /* its "+OK bridge" read */
	int64_t retry_ms;           /* bfd -1: the next connect */
	unsigned backoff_ms;
	uint32_t mids;              /* the last member ID given */
	char epoch[WEB_EPOCH_HEX + 1]; /* udpchatd's, as last attached */
	struct io_lines in;
	size_t outlen;
	char inbuf[WEB_BRIDGE_IN];
	char out[WEB_BRIDGE_OUT];
} web;

/* The slots: -m connections, -s sessions and their pollfds, in one
 * anonymous mapping made at start-up and never grown (no malloc; not .bss,
 * whose size the core's tiny code model on aarch64 bounds to 1 MiB with
 * the code, and whose RAM would not follow -m and -s). */
static struct web_conn *web_conns;
static struct web_sess *web_sess;
static struct pollfd *web_pfd;

static void web_usage(int fd)
{
	fmt_dprintf(fd,
		"usage: udpchatweb [-c PATH] [-p PORT] [-b ADDR] [-m CONNS] [-s MEMBERS] [-t SECONDS] [-S]\n"
		"Serves udpchatd's room to web browsers, as one bridge on its control socket.\n"
		"  -c PATH     udpchatd's control socket (default " CTLSOCK_DEFAULT_PATH ")\n"
		"  -p PORT     HTTP port (default " UCHAT_STR(WEB_DEFAULT_PORT) ")\n"
		"  -b ADDR     listen on one address (default: all, IPv4 and IPv6)\n"
		"  -m CONNS    HTTP connections at once (default " UCHAT_STR(WEB_DEFAULT_CONNS)
		", at most " UCHAT_STR(WEB_MAX_CONNS) ")\n"
		"  -s MEMBERS  web members at once (default " UCHAT_STR(WEB_DEFAULT_SESS)
		", at most " UCHAT_STR(WEB_MAX_SESS) ")\n"
		"  -t SECONDS  a member whose page is gone leaves after this (default "
		UCHAT_STR(WEB_DEFAULT_LINGER) ")\n"
		"  -S          log to syslog (daemon facility) instead of stderr\n"
		"  -h          show this help\n"
		"  -V          show the version\n");
}

/* --- connections ------------------------------------------------------------ */

static void web_conn_close(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];

	if (c->state == C_FREE)
		return;
	if ((c->state == C_EVENTS || c->state == C_JOIN) && web_sess[c->sess].conn == i) {
		web_sess[c->sess].conn = -1;
		web_sess[c->sess].alone_ms = now;
	}
	close(c->fd);
	c->fd = -1;
	c->state = C_FREE;
	web.nconns--;
}

/* Starts a reply on c: status line, headers (extra: more header lines, each
 * with its CRLF), then body (static bytes, not copied). Closes after it. */
static void web_reply(struct web_conn *c, int status, const char *type, const char *extra,
		      const char *body, size_t len, int head_only, int64_t now)
{
	int n = fmt_snprintf(c->out, sizeof(c->out),
			     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			     "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
			     "Connection: close\r\n%s\r\n",
			     status, webhttp_reason(status), type, len, extra ? extra : "");

	c->out_off = 0;
	c->out_len = n > 0 && (size_t)n < sizeof(c->out) ? (size_t)n : 0;
	c->body = body;
	c->body_len = head_only ? 0 : len;
	c->body_off = 0;
	c->state = C_WRITE;
	c->since_ms = now;
}

/* A short text reply: "TEXT\n" (copied into the write buffer after the head). */
static void web_reply_text(struct web_conn *c, int status, const char *extra, const char *text,
			   int64_t now)
{
	int n = fmt_snprintf(c->msg, sizeof(c->msg), "%s\n", text);

	if (n < 0 || (size_t)n >= sizeof(c->msg))
		n = (int)sizeof(c->msg) - 1;
	web_reply(c, status, "text/plain; charset=utf-8", extra, c->msg, (size_t)n, 0, now);
}

static void web_reply_status(struct web_conn *c, int status, int64_t now)
{
	char t[64];

	fmt_snprintf(t, sizeof(t), "%d %s", status, webhttp_reason(status));
	web_reply_text(c, status, status == 405 ? "Allow: GET, POST\r\n" : NULL, t, now);
}

/* Writes what c holds without blocking. Returns 0, or -1 (closed). */
static int web_conn_write(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];
	const char *p;
	size_t len;
	ssize_t n;

	while (c->out_off < c->out_len || c->body_off < c->body_len) {
		if (c->out_off < c->out_len) {
			p = c->out + c->out_off;
			len = c->out_len - c->out_off;
		} else {
			p = c->body + c->body_off;
			len = c->body_len - c->body_off;
		}
		n = send(c->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			web_conn_close(i, now);
			return -1;
		}
		c->moved_ms = now;
		if (c->out_off < c->out_len)
			c->out_off += (size_t)n;
		else
			c->body_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	if (c->state == C_WRITE) {
		shutdown(c->fd, SHUT_WR);
		web_conn_close(i, now);
		return -1;
	}
	return 0;
}

/* --- a session's ring of events ------------------------------------------------ */

static struct web_entry web_entry_at(const struct web_sess *s, size_t off)
{
	struct web_entry e;

	memcpy(&e, s->ring + off, sizeof(e));
	return e;
}

static void web_conn_flush(int i, int64_t now);

/* Keeps an entry; drops the oldest ones to make room: a full ring drops
 * WEB_RING_DROP bytes at once (one move of the rest for many entries, not
 * one per entry). An event stream that had not written a dropped entry yet
 * is too slow: it is closed (its page reconnects and is told what was
 * missed). */
static void web_keep(int si, char kind, uint32_t seq, const char *text, size_t len, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	struct web_conn *c;
	struct web_entry e;
	size_t need, off = 0, room = WEB_RING_BYTES;

	if (len > WEB_RING_BYTES / 2)
		len = WEB_RING_BYTES / 2;
	need = sizeof(e) + len;
	if (s->ring_len + need > WEB_RING_BYTES) {
		room = WEB_RING_BYTES - WEB_RING_DROP;
		if (s->conn >= 0 && web_conns[s->conn].state == C_EVENTS)
			web_conn_flush(s->conn, now); /* what its socket takes now is not dropped */
	}
	while (s->ring_len - off + need > room) {
		e = web_entry_at(s, off);
		if (s->conn >= 0 && web_conns[s->conn].state == C_EVENTS &&
		    web_conns[s->conn].sent < e.ser)
			web_conn_close(s->conn, now);
		off += sizeof(e) + e.len;
	}
	if (off && s->conn >= 0) { /* the entries move down: so does the stream's place */
		c = &web_conns[s->conn];
		c->next = c->next >= off ? c->next - off : 0;
	}
	if (off) {
		/* libc's memmove (not io's byte loop: every event of a flood
		 * comes here once for each page; udpchatweb is not the core) */
		memmove(s->ring, s->ring + off, s->ring_len - off);
		s->ring_len -= off;
	}
	e = (struct web_entry){ ++s->ser, seq, (unsigned short)len, kind, s->gen };
	memcpy(s->ring + s->ring_len, &e, sizeof(e));
	memcpy(s->ring + s->ring_len + sizeof(e), text, len);
	s->ring_len += need;
}

/* Writes v in decimal at p; returns the end. */
static char *web_dec(char *p, unsigned v)
{
	char t[10];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		*p++ = t[--n];
	return p;
}

/* Formats the entries after c->sent into c's write buffer, as many as fit.
 * Ends a gone session's stream after its last entry. */
static void web_pump(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];
	struct web_sess *s = &web_sess[c->sess];
	struct web_entry e;
	size_t off = 0, j;
	char *p;

	if (c->sent == s->ser && s->state != S_GONE)
		return; /* nothing new: no walk through the ring */
	if (c->next + sizeof(e) <= s->ring_len && web_entry_at(s, c->next).ser == c->sent + 1)
		off = c->next; /* where the last pump stopped: no walk */
	for (; off < s->ring_len; off += sizeof(e) + e.len) {
		e = web_entry_at(s, off);
		if (e.ser <= c->sent)
			continue;
		if (c->out_len + e.len + 64 > sizeof(c->out))
			break;
		/* "id: [GEN-]SEQ[.SER]\n[event: KIND\n]data: TEXT\n\n", by hand: a
		 * flood's every event is formatted here once for each page */
		p = c->out + c->out_len;
		memcpy(p, "id: ", 4);
		p += 4;
		if (e.gen) { /* a new epoch's */
			p = web_dec(p, e.gen);
			*p++ = '-';
		}
		p = web_dec(p, e.seq);
		if (e.kind != K_EVENT && e.kind != K_HIST && e.kind != K_MINE) {
			*p++ = '.';
			p = web_dec(p, e.ser);
		}
		*p++ = '\n';
		j = e.kind == K_HIST ? 9 : e.kind == K_MINE ? 12 : e.kind == K_REPLY ? 13 :
		    e.kind == K_END ? 11 : 0;
		memcpy(p, e.kind == K_HIST ? "event: h\n" : e.kind == K_MINE ? "event: mine\n" :
		       e.kind == K_REPLY ? "event: reply\n" : "event: end\n", j);
		memcpy(p + j, "data: ", 6);
		p += j + 6;
		for (j = 0; j < e.len; j++) { /* no line break may end the field early */
			char ch = s->ring[off + sizeof(e) + j];
			*p++ = ch == '\r' || ch == '\n' ? ' ' : ch;
		}
		memcpy(p, "\n\n", 2);
		c->out_len = (size_t)(p + 2 - c->out);
		c->sent = e.ser;
		c->next = off + sizeof(e) + e.len;
	}
	if (c->out_len == 0 && s->state == S_GONE && c->sent == s->ser) {
		web_conn_close(i, now);
		s->state = S_FREE; /* the page was told: the session is over */
	}
}

/* Writes what c has to write; an event stream: formats and writes its
 * session's entries until the socket takes no more (at most a few rounds:
 * the others' turn comes). */
static void web_conn_flush(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];
	int k;

	for (k = 0; k < 16 && c->state != C_FREE; k++) {
		if (c->state == C_EVENTS)
			web_pump(i, now);
		if (c->state == C_FREE || (!c->out_len && !c->body_len))
			return;
		if (web_conn_write(i, now) < 0 || c->out_len || c->body_off < c->body_len)
			return;
		if (c->state != C_EVENTS)
			return;
	}
}

/* --- the bridge connection to udpchatd ----------------------------------------- */

/* Puts "as MID LINE" (session s's member, line[0..len)) into what waits for
 * udpchatd. Returns 0, or -1 (not attached, or no room now: udpchatd is not
 * reading). */
static int web_as(const struct web_sess *s, const char *line, size_t len)
{
	if (!web.attached || web.outlen + len + sizeof("as 4294967295 \n") > sizeof(web.out))
		return -1;
	web.outlen += (size_t)fmt_snprintf(web.out + web.outlen, sizeof(web.out) - web.outlen,
					   "as %u %.*s\n", (unsigned)s->mid, (int)len, line);
	return 0;
}

static void web_rejoin(struct web_sess *s, int64_t now);

/* The connection is gone (or was refused): each member joins again once a
 * new one is attached (web_attached); the next try after a backoff. */
static void web_bridge_close(const char *why, int64_t now)
{
	unsigned i;

	if (web.bfd >= 0)
		close(web.bfd);
	if (web.attached)
		log_warn("connection to udpchatd (%s) lost: %s; reconnecting", web.ctl_path, why);
	web.bfd = -1;
	web.attached = 0;
	web.outlen = 0;
	web.retry_ms = now + web.backoff_ms;
	web.backoff_ms = web.backoff_ms * 2 > WEB_RETRY_MAX_MS ? WEB_RETRY_MAX_MS : web.backoff_ms * 2;
	for (i = 0; i < web.max_sess; i++)
		if (web_sess[i].state == S_IN && !web_sess[i].rejoin)
			web_rejoin(&web_sess[i], now);
}

/* Connects to the control socket (non-blocking: a full listen queue is a
 * failure, tried again later) and asks to be a bridge. */
static void web_bridge_open(int64_t now)
{
	web.bfd = net_unix_connect(web.ctl_path); /* its length checked in web_args */
	if (web.bfd < 0) {
		if (web.backoff_ms <= WEB_RETRY_MS)
			log_warn("cannot connect to %s: %s (is udpchatd running? -c PATH)",
				 web.ctl_path, fmt_strerror(errno));
		web_bridge_close("", now);
		return;
	}
	memcpy(web.out, "bridge " WEB_BRIDGE_TAG "\n", sizeof("bridge " WEB_BRIDGE_TAG "\n") - 1);
	web.outlen = sizeof("bridge " WEB_BRIDGE_TAG "\n") - 1;
	io_lines_init(&web.in, web.bfd, web.inbuf, sizeof(web.inbuf));
}

/* Writes what waits for udpchatd, as much as the socket takes now. */
static void web_bridge_write(int64_t now)
{
	ssize_t w;

	if (web.bfd < 0 || !web.outlen)
		return;
	w = sendto(web.bfd, web.out, web.outlen, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	if (w < 0 && errno != EAGAIN && errno != EINTR) {
		web_bridge_close(fmt_strerror(errno), now);
		return;
	}
	if (w > 0) {
		io_move_down(web.out, web.out + w, web.outlen - (size_t)w);
		web.outlen -= (size_t)w;
	}
}

/* --- sessions: room members ---------------------------------------------------- */

static void web_sess_free(int si, int64_t now)
{
	struct web_sess *s = &web_sess[si];

	if (s->conn >= 0)
		web_conn_close(s->conn, now);
	s->state = S_FREE;
}

/* The session ends: the page is told why (text), the member is gone. */
static void web_sess_end(int si, const char *text, size_t len, int64_t now)
{
	struct web_sess *s = &web_sess[si];

	web_keep(si, K_END, s->seq, text, len, now);
	s->state = S_GONE;
	s->qn = 0;
	if (s->conn < 0)
		s->alone_ms = now;
}

/* Sends "/join NAME" and what the page is to be shown after it: the room's
 * last lines (a new member) or what it missed (a re-join: "/since SEQ").
 * Until its answer, events on the stream are not the session's (the replay
 * holds them). Returns 0, or -1 (not attached: sent once attached). */
static int web_send_join(struct web_sess *s)
{
	char j[sizeof("/join ") + PROTO_NAME_BYTES], r[32];
	int n = fmt_snprintf(j, sizeof(j), "/join %s", s->name);
	int k = s->state == S_JOINING ? fmt_snprintf(r, sizeof(r), "/last %u", WEB_LAST_K) :
		fmt_snprintf(r, sizeof(r), "/since %u", (unsigned)s->seq);

	if (!web.attached || web.outlen + (size_t)(n + k) + 32 > sizeof(web.out))
		return -1;
	web_as(s, j, (size_t)n);
	web_as(s, r, (size_t)k);
	s->replay = 1;
	return 0;
}

static void web_pop(struct web_sess *s)
{
	s->qhead = (s->qhead + 1) % WEB_QUEUE;
	s->qn--;
	s->tries = 0;
}

/* Sends the head of the queue (again): a plain line as "/id ID TEXT" (its
 * ack tells it was taken, and its seq), a command as it is. A line longer
 * than udpchatd takes gets udpchatd's answer here. */
static void web_send_head(int si, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	char buf[PROTO_MAX_LINE + 32];
	const char *l = s->q[s->qhead];
	size_t len = s->qlen[s->qhead];
	int n;

	if (len > PROTO_MAX_LINE) {
		n = fmt_snprintf(buf, sizeof(buf), "-ERR line too long (%zu bytes, max %d); not relayed",
				 len, PROTO_MAX_LINE);
		web_keep(si, K_REPLY, s->seq, buf, (size_t)n, now);
		web_pop(s);
		return;
	}
	if (s->tries == 0) {
		s->tagged = l[0] != '/' && len + 24 <= PROTO_MAX_LINE;
		s->id = ++s->next_id;
	}
	if (s->tagged)
		n = fmt_snprintf(buf, sizeof(buf), "/id %lu %.*s", s->id, (int)len, l);
	else
		n = fmt_snprintf(buf, sizeof(buf), "%.*s", (int)len, l);
	s->tries++;
	s->qnext_ms = now + (s->tagged ? WEB_ACK_MS : WEB_CMD_MS);
	if (n > 0 && (size_t)n < sizeof(buf))
		web_as(s, buf, (size_t)n);
}

static int web_starts(struct proto_span l, const char *p)
{
	size_t n = strlen(p);

	return l.len >= n && memcmp(l.p, p, n) == 0;
}

/* A decimal at l[*i...], then a space. Returns 0 and *v, or -1. */
static int web_num(struct proto_span l, size_t *i, unsigned long *v)
{
	size_t st = *i;
	unsigned long long x = 0; /* 10 digits overflow a 32-bit long */

	while (*i < l.len && l.p[*i] >= '0' && l.p[*i] <= '9' && *i - st < 10)
		x = x * 10 + (unsigned)(l.p[(*i)++] - '0');
	if (*i == st || x > 0xffffffffULL)
		return -1;
	*v = (unsigned long)x;
	if (*i < l.len && l.p[*i] == ' ')
		(*i)++;
	return 0;
}

/* Copies the name at l.p + off (to a space or the end) into s->name. */
static void web_set_name(struct web_sess *s, struct proto_span l, size_t off)
{
	size_t n = 0;

	while (off + n < l.len && l.p[off + n] != ' ')
		n++;
	if (n > 0 && n <= PROTO_NAME_BYTES) {
		memcpy(s->name, l.p + off, n);
		s->name[n] = '\0';
	}
}

/* "+OK since N UPTO LOST", "+OK last K UPTO": the replay after a (re-)join
 * is over: every event up to UPTO that was for us came (or is no longer
 * kept: LOST, told); the stream's events are the session's again. */
static void web_upto(int si, struct proto_span l, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	unsigned long n, upto, lost = 0;
	size_t i = l.p[4] == 's' ? sizeof(REPLY_SINCE) - 1 : sizeof(REPLY_LAST) - 1;
	char t[64];
	int len;

	s->hist = s->replay = 0;
	if (web_num(l, &i, &n) < 0 || web_num(l, &i, &upto) < 0 ||
	    (l.p[4] == 's' && web_num(l, &i, &lost) < 0))
		return;
	if (upto > s->seq)
		s->seq = (uint32_t)upto;
	if (lost) {
		len = fmt_snprintf(t, sizeof(t), "* ... %lu earlier lines not kept", lost);
		web_keep(si, K_REPLY, s->seq, t, (size_t)len, now);
	}
}

/* A line while re-joining: the welcome (go on: the queued lines go again;
 * the "/since" sent with the join replays what was missed) or a refusal
 * (the page asks for a name). */
static void web_rejoin_line(int si, struct proto_span l, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	char t[200];
	int n;

	if (web_starts(l, REPLY_WELCOME) || web_starts(l, REPLY_ALREADY)) {
		if (web_starts(l, REPLY_WELCOME))
			web_set_name(s, l, sizeof(REPLY_WELCOME) - 1);
		s->rejoin = 0;
		s->tries = 0;
		s->next_ms = now + WEB_PING_MS;
	} else if (web_starts(l, REPLY_NAME_TAKEN) || web_starts(l, REPLY_INVALID_NAME) ||
		   web_starts(l, REPLY_ROOM_FULL)) {
		n = fmt_snprintf(t, sizeof(t), "%.*s (the server restarted: join again)",
				 (int)(l.len > 150 ? 150 : l.len), l.p);
		web_sess_end(si, t, n > 0 && (size_t)n < sizeof(t) ? (size_t)n : 0, now);
	}
}

/* udpchatd does not know us (it restarted, the connection was lost, or it
 * dropped the member): we join again with the same name, as udpchat does;
 * the line in flight goes again after the welcome. */
static void web_rejoin(struct web_sess *s, int64_t now)
{
	s->rejoin = 1;
	s->tries = 0;
	s->next_ms = now;
	s->end_ms = now + WEB_REJOIN_MS;
}

/* One line from udpchatd to a member's session ("@ID LINE"'s LINE). */
static void web_sess_line(int si, struct proto_span l, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	char mine[PROTO_NAME_BYTES + 2 + WEBHTTP_BODY_MAX];
	unsigned long seq, v;
	size_t i = 1;
	int n;

	if (l.len == 0)
		return;
	if (s->rejoin) {
		web_rejoin_line(si, l, now);
		return;
	}
	if (l.p[0] == REPLY_EVENT || l.p[0] == REPLY_REPLAY) {
		/* a private line "=SEQ TEXT", a replayed one "~SEQ AGE TEXT" */
		if (web_num(l, &i, &seq) < 0 || (l.p[0] == REPLY_REPLAY && web_num(l, &i, &v) < 0) ||
		    seq <= s->seq)
			return; /* malformed, or had it */
		s->seq = (uint32_t)seq;
		web_keep(si, l.p[0] == REPLY_REPLAY && s->hist ? K_HIST : K_EVENT, (uint32_t)seq,
			 l.p + i, l.len - i, now);
		return;
	}
	if (web_starts(l, REPLY_ACK)) {
		i = sizeof(REPLY_ACK) - 1;
		if (web_num(l, &i, &v) < 0 || web_num(l, &i, &seq) < 0)
			return;
		if (seq > s->seq)
			s->seq = (uint32_t)seq; /* our own line: the stream's copy was not ours */
		if (s->qn && s->tries && s->tagged && v == s->id) {
			n = fmt_snprintf(mine, sizeof(mine), "%s: %.*s", s->name,
					 (int)s->qlen[s->qhead], s->q[s->qhead]);
			if (n > 0 && (size_t)n < sizeof(mine))
				web_keep(si, K_MINE, (uint32_t)seq, mine, (size_t)n, now);
			web_pop(s);
		}
		return;
	}
	if (web_starts(l, REPLY_SINCE) || web_starts(l, REPLY_LAST)) {
		web_upto(si, l, now);
		return;
	}
	if (web_starts(l, REPLY_PONG " keepalive"))
		return;
	if (web_starts(l, REPLY_SLOW) && s->qn && s->tries && s->tagged) {
		s->tries--; /* not counted: sent again in a second */
		s->qnext_ms = now + 1000;
		return;
	}
	if (web_starts(l, REPLY_NICK))
		web_set_name(s, l, sizeof(REPLY_NICK) - 1);
	if (web_starts(l, REPLY_NOT_IN)) {
		web_rejoin(s, now);
		return;
	}
	if (web_starts(l, REPLY_BYE) || web_starts(l, REPLY_REMOVED)) {
		web_sess_end(si, l.p, l.len, now);
		return;
	}
	web_keep(si, K_REPLY, s->seq, l.p, l.len, now);
	/* the head's answer: a command's first reply line, a tagged line's -ERR */
	if (s->qn && s->tries && !web_starts(l, "+OK more:") && (!s->tagged || l.p[0] == '-'))
		web_pop(s);
}

/* The answer to a join: welcome (the POST gets the token) or refusal. */
static void web_join_line(int si, struct proto_span l, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	struct web_conn *c = s->conn >= 0 ? &web_conns[s->conn] : NULL;
	char why[160];
	int n;

	if (web_starts(l, REPLY_WELCOME)) {
		web_set_name(s, l, sizeof(REPLY_WELCOME) - 1);
		s->state = S_IN;
		s->hist = 1; /* the "/last" sent with the join: its lines are history */
		s->next_ms = now + WEB_PING_MS;
		if (c) {
			n = fmt_snprintf(c->msg, sizeof(c->msg), "%s\n%s\n", s->token, s->name);
			web_reply(c, 200, "text/plain; charset=utf-8", NULL, c->msg, (size_t)n, 0, now);
			s->conn = -1;
		}
		s->alone_ms = now;
	} else if (web_starts(l, REPLY_ERR)) {
		fmt_snprintf(why, sizeof(why), "%.*s", (int)(l.len > 150 ? 150 : l.len), l.p);
		if (c) {
			web_reply_text(c, 409, NULL, why, now);
			s->conn = -1;
		}
		web_sess_free(si, now);
	}
}

/* "+OK bridge TAG EPOCH LAST": attached. A new EPOCH means udpchatd
 * restarted (its seqs start again): told once, and the event ids take a new
 * prefix (web_pump) so a page's Last-Event-ID never names an event of
 * another epoch. Every member joins (again). */
static void web_attached(struct proto_span l, int64_t now)
{
	static const char told[] = "* the server restarted; earlier history is gone";
	struct proto_span rest = { l.p + sizeof(REPLY_SEQ_BRIDGE) - 1, l.len - (sizeof(REPLY_SEQ_BRIDGE) - 1) };
	struct proto_span ep;
	struct web_sess *s;
	unsigned i;

	(void)proto_word(&rest); /* TAG */
	ep = proto_word(&rest);
	if (ep.len != WEB_EPOCH_HEX) {
		web_bridge_close("not a bridge's greeting", now);
		return;
	}
	web.attached = 1;
	web.backoff_ms = WEB_RETRY_MS;
	log_info("attached to udpchatd (%s) as bridge " WEB_BRIDGE_TAG, web.ctl_path);
	for (i = 0; i < web.max_sess; i++) {
		s = &web_sess[i];
		if (s->state == S_FREE || s->state == S_GONE)
			continue;
		if (web.epoch[0] && memcmp(web.epoch, ep.p, WEB_EPOCH_HEX) != 0) {
			s->gen++;
			s->seq = 0;
			web_keep((int)i, K_REPLY, 0, told, sizeof(told) - 1, now);
		}
		if (s->state == S_IN && !s->rejoin)
			web_rejoin(s, now);
		s->next_ms = now; /* the join goes now */
	}
	memcpy(web.epoch, ep.p, WEB_EPOCH_HEX);
}

/* The session of member ID, or -1. */
static int web_by_mid(unsigned long id)
{
	unsigned i;

	for (i = 0; i < web.max_sess; i++)
		if (web_sess[i].state != S_FREE && web_sess[i].mid == id)
			return (int)i;
	return -1;
}

/* One line udpchatd wrote on the bridge connection (any bytes: checked
 * here): the greeting, a public event "=SEQ TEXT" ("=SEQ!ID TEXT": not for
 * member ID) for every session in the room, "@ID LINE" for one session,
 * "-LOST N" (events udpchatd could not write: told to every page). */
static void web_bridge_line(const char *p, size_t len, int64_t now)
{
	struct proto_span l = { p, len };
	struct web_sess *s;
	unsigned long seq, id = 0;
	size_t i = 1;
	unsigned k;
	int si;
	char t[64];

	if (!web.attached) {
		if (web_starts(l, REPLY_SEQ_BRIDGE)) {
			web_attached(l, now);
		} else {
			log_warn("udpchatd (%s) refused the bridge: %.*s", web.ctl_path,
				 (int)(len > 200 ? 200 : len), p);
			web_bridge_close("refused", now);
		}
		return;
	}
	if (len && p[0] == REPLY_EVENT) {
		if (web_num(l, &i, &seq) < 0 || (i < len && p[i] == '!' && (++i, web_num(l, &i, &id) < 0)))
			return;
		for (k = 0; k < web.max_sess; k++) {
			s = &web_sess[k];
			if (s->state == S_IN && !s->rejoin && !s->replay && s->mid != id && seq > s->seq) {
				s->seq = (uint32_t)seq;
				web_keep((int)k, K_EVENT, (uint32_t)seq, p + i, len - i, now);
			}
		}
	} else if (len && p[0] == '@') {
		if (web_num(l, &i, &id) < 0 || (si = web_by_mid(id)) < 0)
			return;
		l.p += i;
		l.len -= i;
		if (web_sess[si].state == S_JOINING)
			web_join_line(si, l, now);
		else if (web_sess[si].state == S_IN)
			web_sess_line(si, l, now);
	} else if (web_starts(l, REPLY_LOST)) {
		i = sizeof(REPLY_LOST) - 1;
		if (web_num(l, &i, &seq) < 0)
			return;
		k = (unsigned)fmt_snprintf(t, sizeof(t), "* %lu lines were missed", seq);
		for (si = 0; si < (int)web.max_sess; si++) {
			if (web_sess[si].state != S_IN)
				continue;
			web_keep(si, K_REPLY, web_sess[si].seq, t, k, now);
			/* a replay's end line may be among them: the stream is the session's again */
			web_sess[si].replay = web_sess[si].hist = 0;
		}
	}
}

/* Reads what udpchatd wrote (at most a few reads a wake-up), line by line. */
static void web_bridge_read(int64_t now)
{
	const char *line;
	size_t len;
	ssize_t n;
	int r, k;

	for (k = 0; web.bfd >= 0; k++) {
		while ((r = io_lines_next(&web.in, &line, &len)) != IO_NONE && web.bfd >= 0)
			if (r == IO_LINE)
				web_bridge_line(line, len, now);
		if (k == 8 || web.bfd < 0)
			return;
		n = io_lines_fill(&web.in);
		if (n == 0) {
			web_bridge_close("udpchatd closed the connection", now);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				web_bridge_close(fmt_strerror(errno), now);
			return;
		}
	}
}

/* A session's timers: the join, line resends, keepalive, a page gone. */
static void web_sess_timers(int si, int64_t now)
{
	struct web_sess *s = &web_sess[si];
	char t[WEBHTTP_BODY_MAX + 32];
	int n;

	switch (s->state) {
	case S_JOINING:
		if (now >= s->end_ms) {
			if (s->conn >= 0) {
				fmt_snprintf(t, sizeof(t), "-ERR no answer from udpchatd (%s)", web.ctl_path);
				web_reply_text(&web_conns[s->conn], 504, NULL, t, now);
				s->conn = -1;
			}
			web_sess_free(si, now);
		} else if (now >= s->next_ms) {
			web_send_join(s);
			s->next_ms = s->end_ms; /* once: again only on a new connection */
		}
		break;
	case S_IN:
		if (s->conn < 0 && now - s->alone_ms >= (int64_t)web.linger_s * 1000) {
			web_as(s, "/quit", 5);
			web_sess_free(si, now);
			return;
		}
		if (s->rejoin) {
			if (now >= s->end_ms) {
				n = fmt_snprintf(t, sizeof(t), "-ERR not in the room, and no answer from "
						 "udpchatd (%s): join again", web.ctl_path);
				web_sess_end(si, t, n > 0 && (size_t)n < sizeof(t) ? (size_t)n : 0, now);
			} else if (now >= s->next_ms) {
				web_send_join(s);
				s->next_ms = s->end_ms;
			}
			break;
		}
		if (now >= s->next_ms) { /* udpchatd's -t: a member silent too long is dropped */
			web_as(s, "/ping keepalive", 15);
			s->next_ms = now + WEB_PING_MS;
		}
		if (s->qn && s->tries && now >= s->qnext_ms) {
			if (!s->tagged) {
				web_pop(s); /* a command is never sent twice */
			} else if (s->tries >= WEB_TRIES) {
				n = fmt_snprintf(t, sizeof(t), "-ERR not delivered: %.*s",
						 (int)s->qlen[s->qhead], s->q[s->qhead]);
				web_keep(si, K_REPLY, s->seq, t, n > 0 && (size_t)n < sizeof(t) ? (size_t)n : 0, now);
				web_pop(s);
			} else {
				web_send_head(si, now);
			}
		}
		if (s->qn && !s->tries)
			web_send_head(si, now);
		break;
	case S_GONE:
		if (s->conn < 0 && now - s->alone_ms >= (int64_t)web.linger_s * 1000)
			web_sess_free(si, now);
		break;
	default:
		break;
	}
}

/* The session of the request's "s=TOKEN", or -1. */
static int web_find(const struct webhttp_req *r)
{
	struct proto_span t = webhttp_query(r->query, "s");
	int i;

	if (t.len != WEB_TOKEN_HEX)
		return -1;
	for (i = 0; i < (int)web.max_sess; i++)
		if (web_sess[i].state != S_FREE && memcmp(web_sess[i].token, t.p, t.len) == 0)
			return i;
	return -1;
}

/* A line the page may send: no line break, no NUL (one line only). */
static int web_line_ok(const char *p, size_t len)
{
	return len > 0 && !memchr(p, '\n', len) && !memchr(p, '\r', len) && !memchr(p, '\0', len);
}

/* POST /join: a new member, answered when udpchatd answers. */
static void web_post_join(int ci, const char *body, size_t len, int64_t now)
{
	struct web_conn *c = &web_conns[ci];
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[WEB_TOKEN_HEX / 2];
	struct web_sess *s = NULL;
	int si, i;

	if (!web_line_ok(body, len) || len > PROTO_NAME_BYTES) {
		web_reply_text(c, 400, NULL, "-ERR invalid name: one line of at most "
			       UCHAT_STR(PROTO_NAME_BYTES) " bytes", now);
		return;
	}
	for (si = 0; si < (int)web.max_sess; si++)
		if (web_sess[si].state == S_FREE) {
			s = &web_sess[si];
			break;
		}
	if (!s) {
		web_reply_text(c, 503, "Retry-After: 10\r\n",
			       "-ERR too many web members now; try again later", now);
		return;
	}
	if (syscall(SYS_getrandom, rnd, sizeof(rnd), 0) != (long)sizeof(rnd)) {
		web_reply_status(c, 503, now);
		return;
	}
	memset(s, 0, offsetof(struct web_sess, qlen));
	for (i = 0; i < (int)sizeof(rnd); i++) {
		s->token[2 * i] = hex[rnd[i] >> 4];
		s->token[2 * i + 1] = hex[rnd[i] & 15];
	}
	s->token[WEB_TOKEN_HEX] = '\0';
	memcpy(s->name, body, len);
	s->name[len] = '\0';
	if (++web.mids == 0) /* never 0 */
		web.mids = 1;
	s->mid = web.mids;
	s->state = S_JOINING;
	s->conn = ci;
	s->next_ms = now;
	s->end_ms = now + WEB_JOIN_TOTAL_MS;
	c->state = C_JOIN;
	c->sess = si;
	web_sess_timers(si, now);
}

/* POST /send?s=TOKEN: one line for the room (or a command). */
static void web_post_send(int ci, const struct webhttp_req *r, const char *body, size_t len,
			  int64_t now)
{
	static const char *const own[] = { "/id", "/seq", "/since", "/last" };
	struct web_conn *c = &web_conns[ci];
	int si = web_find(r);
	struct web_sess *s;
	size_t i, w;

	if (si < 0 || web_sess[si].state != S_IN) {
		web_reply_text(c, 404, NULL, "-ERR not in the room (join again)", now);
		return;
	}
	s = &web_sess[si];
	if (!web_line_ok(body, len)) {
		web_reply_text(c, 400, NULL, "-ERR one line, without line breaks", now);
		return;
	}
	for (w = 0; w < len && body[w] != ' '; w++)
		;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (w == strlen(own[i]) && memcmp(body, own[i], w) == 0) {
			web_reply_text(c, 400, NULL, "-ERR the page's own commands are "
				       "/who /msg /nick /quit /help", now);
			return;
		}
	if (s->qn == WEB_QUEUE) {
		web_reply_text(c, 429, NULL, "-ERR slow down: lines wait to be sent", now);
		return;
	}
	i = (s->qhead + s->qn++) % WEB_QUEUE;
	memcpy(s->q[i], body, len);
	s->qlen[i] = (unsigned short)len;
	web_reply(c, 202, "text/plain; charset=utf-8", NULL, "", 0, 0, now);
	web_sess_timers(si, now);
}

/* GET /events?s=TOKEN: the session's event stream, from Last-Event-ID on. */
static void web_get_events(int ci, const struct webhttp_req *r, int64_t now)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				   "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
				   "Connection: close\r\n\r\nretry: 1000\n\n";
	struct web_conn *c = &web_conns[ci];
	int si = web_find(r);
	struct web_sess *s;
	struct web_entry e;
	size_t off, i = 0, dot, dash;
	unsigned long seq = 0, ser = 0, gen = 0;
	int found = 0, has_ser, sndbuf = WEB_SNDBUF;

	if (si < 0 || (web_sess[si].state != S_IN && web_sess[si].state != S_GONE)) {
		web_reply_text(c, 404, NULL, "-ERR no such session (join again)", now);
		return;
	}
	s = &web_sess[si];
	c->sent = 0;
	c->next = 0;
	if (r->last_id.len) {
		/* [GEN-]SEQ[.SER]: GEN, a later epoch's (web_pump) */
		for (dash = 0; dash < r->last_id.len && r->last_id.p[dash] != '-'; dash++)
			;
		if (dash < r->last_id.len &&
		    (web_num((struct proto_span){ r->last_id.p, dash }, &i, &gen) < 0 || i != dash))
			gen = 256; /* matches nothing */
		if (dash < r->last_id.len)
			i = dash + 1;
		for (dot = i; dot < r->last_id.len && r->last_id.p[dot] != '.'; dot++)
			;
		has_ser = dot < r->last_id.len;
		if (gen < 256 &&
		    web_num((struct proto_span){ r->last_id.p, dot }, &i, &seq) == 0 && i == dot) {
			i = dot + 1;
			if (has_ser && (web_num(r->last_id, &i, &ser) < 0 || i != r->last_id.len))
				ser = 0;
			for (off = 0; off < s->ring_len; off += sizeof(e) + e.len) {
				e = web_entry_at(s, off);
				if (has_ser ? e.ser == ser :
				    e.seq == seq && e.gen == gen &&
				    (e.kind == K_EVENT || e.kind == K_HIST || e.kind == K_MINE)) {
					c->sent = e.ser;
					found = 1;
				}
			}
		}
		if (!found && s->ring_len) /* older than the ring: what is kept, and why */
			web_keep(si, K_REPLY, s->seq, "* some lines were missed while away", 35, now);
	}
	if (s->conn >= 0 && s->conn != ci)
		web_conn_close(s->conn, now); /* the newer stream wins */
	s->conn = ci;
	c->state = C_EVENTS;
	c->sess = si;
	c->moved_ms = now;
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memcpy(c->out, head, sizeof(head) - 1);
	c->out_off = 0;
	c->out_len = sizeof(head) - 1;
	c->body_len = c->body_off = 0;
}

/* A whole request is in c->in: answers it. */
static void web_request(int ci, const struct webhttp_req *r, int64_t now)
{
	static const char page_hdr[] =
		"Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; "
		"style-src 'unsafe-inline'; connect-src 'self'; img-src 'none'; "
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";
	struct web_conn *c = &web_conns[ci];
	const char *body = c->in + r->head_len;
	int get = r->method == WEBHTTP_GET || r->method == WEBHTTP_HEAD;

	if (r->path.len == 1) {
		if (get)
			web_reply(c, 200, "text/html; charset=utf-8", page_hdr, web_page, web_page_len,
				  r->method == WEBHTTP_HEAD, now);
		else
			web_reply_status(c, 405, now);
	} else if (r->path.len == 7 && memcmp(r->path.p, "/events", 7) == 0) {
		if (r->method == WEBHTTP_GET)
			web_get_events(ci, r, now);
		else
			web_reply_status(c, 405, now);
	} else if (r->path.len == 5 && memcmp(r->path.p, "/join", 5) == 0) {
		if (r->method == WEBHTTP_POST)
			web_post_join(ci, body, r->body_len, now);
		else
			web_reply_status(c, 405, now);
	} else if (r->path.len == 5 && memcmp(r->path.p, "/send", 5) == 0) {
		if (r->method == WEBHTTP_POST)
			web_post_send(ci, r, body, r->body_len, now);
		else
			web_reply_status(c, 405, now);
	} else {
		web_reply_status(c, 404, now);
	}
}

/* Reads from a connection: a request (C_READ), or nothing but its end. */
static void web_conn_read(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];
	struct webhttp_req r;
	char sink[512];
	ssize_t n;
	int st;

	if (c->state != C_READ) { /* the peer may only close */
		n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			web_conn_close(i, now);
		return;
	}
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		web_conn_close(i, now);
		return;
	}
	c->in_len += (size_t)n;
	st = webhttp_parse(c->in, c->in_len, &r);
	if (st < 0)
		return;
	if (st > 0) {
		web_reply_status(c, st, now);
		return;
	}
	if (c->in_len < r.head_len + r.body_len)
		return; /* the body is still coming (it fits: WEB_IN_BYTES) */
	web_request(i, &r, now);
}

/* A new connection: a free slot, else the oldest one still reading its
 * request gives up its slot (a slowloris cannot hold the server), else 503. */
static void web_accept(int64_t now)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				   "Retry-After: 5\r\nConnection: close\r\n\r\n";
	int fd, k, i, free_i, old;

	for (k = 0; k < 64; k++) {
		fd = accept4(web.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		free_i = old = -1;
		for (i = 0; i < (int)web.max_conns; i++) {
			if (web_conns[i].state == C_FREE) {
				if (free_i < 0)
					free_i = i;
			} else if (web_conns[i].state == C_READ &&
				   (old < 0 || web_conns[i].since_ms < web_conns[old].since_ms)) {
				old = i;
			}
		}
		if (free_i < 0 && old >= 0) {
			web_reply_status(&web_conns[old], 503, now);
			(void)web_conn_write(old, now);
			if (web_conns[old].state != C_FREE)
				web_conn_close(old, now);
			free_i = old;
		}
		if (free_i < 0) {
			(void)send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		memset(&web_conns[free_i], 0, offsetof(struct web_conn, in));
		web_conns[free_i].fd = fd;
		web_conns[free_i].state = C_READ;
		web_conns[free_i].since_ms = now;
		web.nconns++;
	}
}

/* The connections' deadlines: a request too slow (408), a reply not taken,
 * a stream that takes nothing; a keepalive comment on an idle stream. */
static void web_conn_timers(int i, int64_t now)
{
	struct web_conn *c = &web_conns[i];

	if (c->state == C_READ && now - c->since_ms >= WEB_REQ_MS) {
		web_reply_status(c, 408, now);
	} else if (c->state == C_WRITE && now - c->since_ms >= WEB_WRITE_MS) {
		web_conn_close(i, now);
	} else if (c->state == C_EVENTS) {
		if (c->out_len && now - c->moved_ms >= WEB_STALL_MS) {
			web_conn_close(i, now);
		} else if (!c->out_len && now - c->moved_ms >= WEB_KEEPALIVE_MS) {
			memcpy(c->out, ":\n\n", 3);
			c->out_len = 3;
		}
	}
}

/* Milliseconds until the nearest timer. */
static int web_wait(int64_t now)
{
	int64_t t = now + 1000, x;
	unsigned i;

	for (i = 0; i < web.max_conns; i++) {
		const struct web_conn *c = &web_conns[i];

		x = c->state == C_READ ? c->since_ms + WEB_REQ_MS :
		    c->state == C_WRITE ? c->since_ms + WEB_WRITE_MS :
		    c->state == C_EVENTS ? c->moved_ms + WEB_KEEPALIVE_MS : t;
		if (x < t)
			t = x;
	}
	for (i = 0; i < web.max_sess; i++) {
		const struct web_sess *s = &web_sess[i];

		if (s->state == S_FREE)
			continue;
		if (s->state != S_GONE && s->next_ms < t)
			t = s->next_ms;
		if ((s->state == S_JOINING || (s->state == S_IN && s->rejoin)) && s->end_ms < t)
			t = s->end_ms;
		if (s->qn && s->tries && s->qnext_ms < t)
			t = s->qnext_ms;
		if (s->conn < 0 && s->state != S_JOINING &&
		    (x = s->alone_ms + (int64_t)web.linger_s * 1000) < t)
			t = x;
	}
	if (web.bfd < 0 && web.retry_ms < t)
		t = web.retry_ms;
	return t > now ? (int)(t - now) : 0;
}

/* The listening socket: one address, or all (IPv6 dual-stack, else IPv4). */
static int web_listen(void)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd = -1, one = 1, zero = 0, v4 = 0;

	memset(&a6, 0, sizeof(a6));
	memset(&a4, 0, sizeof(a4));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = net_port_wire(web.port);
	a4.sin_family = AF_INET;
	a4.sin_port = net_port_wire(web.port);
	if (web.bind) {
		if (net_pton(AF_INET, web.bind, &a4.sin_addr))
			v4 = 1;
		else if (!net_pton(AF_INET6, web.bind, &a6.sin6_addr))
			log_die(2, "bad address for -b: %s", web.bind);
	}
	if (!v4)
		fd = (int)syscall(SYS_socket, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) < 0) {
			if (web.bind || errno == EADDRINUSE)
				goto fail;
			close(fd);
			fd = -1;
		}
	} else if (web.bind && !v4) {
		goto fail;
	}
	if (fd < 0) {
		fd = (int)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)) < 0)
			goto fail;
	}
	if (listen(fd, 128) < 0)
		goto fail;
	return fd;
fail:
	log_die(1, "cannot listen on port %u: %s", web.port, fmt_strerror(errno));
}

/* Maps the slots -m and -s ask for (start-up: exits 1 without the memory). */
static void web_slots(void)
{
	size_t cb = web.max_conns * sizeof(struct web_conn);
	size_t sb = web.max_sess * sizeof(struct web_sess);
	size_t pb = (PFD_FIRST + web.max_conns) * sizeof(struct pollfd);
	char *m = mmap(NULL, cb + sb + pb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned i;

	if (m == MAP_FAILED)
		log_die(1, "cannot map %zu bytes for -m %u -s %u: %s", cb + sb + pb, web.max_conns,
			web.max_sess, fmt_strerror(errno));
	web_conns = (struct web_conn *)m;
	web_sess = (struct web_sess *)(m + cb);
	web_pfd = (struct pollfd *)(m + cb + sb);
	for (i = 0; i < web.max_conns; i++)
		web_conns[i].fd = -1;
	for (i = 0; i < web.max_sess; i++)
		web_sess[i].conn = -1;
}

static unsigned web_uint(const struct opt *o, unsigned long min, unsigned long max)
{
	char on[OPT_NAME_MAX];
	unsigned long v;

	if (fmt_parse_uint(o->arg, min, max, &v) < 0)
		log_die(2, "bad value for %s: %s (%lu-%lu)", opt_name(o, on), o->arg, min, max);
	return (unsigned)v;
}

static void web_args(int argc, char **argv)
{
	struct opt o = OPT_INIT;
	char on[OPT_NAME_MAX];
	int c;

	web.port = WEB_DEFAULT_PORT;
	web.max_conns = WEB_DEFAULT_CONNS;
	web.max_sess = WEB_DEFAULT_SESS;
	web.linger_s = WEB_DEFAULT_LINGER;
	web.ctl_path = CTLSOCK_DEFAULT_PATH;
	while ((c = opt_next(&o, argc, argv, "c:p:b:m:s:t:ShV")) != -1) {
		switch (c) {
		case 'c': web.ctl_path = o.arg; break;
		case 'p': web.port = web_uint(&o, 1, 65535); break;
		case 'b': web.bind = o.arg; break;
		case 'm': web.max_conns = web_uint(&o, 1, WEB_MAX_CONNS); break;
		case 's': web.max_sess = web_uint(&o, 1, WEB_MAX_SESS); break;
		case 't': web.linger_s = web_uint(&o, 1, WEB_MAX_LINGER); break;
		case 'S': log_use_syslog("udpchatweb"); break;
		case 'h': web_usage(1); _exit(0);
		case 'V': fmt_dprintf(1, "udpchatweb %s\n", UCHAT_VERSION); _exit(0);
		case ':': log_die(2, "option %s needs a value (see -h)", opt_name(&o, on));
		default: log_die(2, "unknown option %s (see -h)", opt_name(&o, on));
		}
	}
	if (o.ind < argc)
		log_die(2, "unexpected argument '%s' (udpchatd's room: -c PATH; see -h)", argv[o.ind]);
	if (!*web.ctl_path || strlen(web.ctl_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		log_die(2, "bad control socket path for -c: '%s'", web.ctl_path);
}

int web_main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	int64_t now;
	unsigned i, nc;
	int sfd;

	web_args(argc, argv);
	io_signal(SIGPIPE, SIG_IGN);
	sfd = io_sigpipe_open(sigs, 3);
	if (sfd < 0)
		log_die(1, "signal pipe: %s", fmt_strerror(errno));
	web.lfd = web_listen();
	web_slots();
	web.bfd = -1;
	web.backoff_ms = WEB_RETRY_MS;
	log_info("serving udpchatd's room (%s) on http port %u", web.ctl_path, web.port);
	nc = web.max_conns;
	now = net_now_ms();
	for (;;) {
		if (web.bfd < 0 && now >= web.retry_ms)
			web_bridge_open(now);
		for (i = 0; i < web.max_sess; i++)
			if (web_sess[i].state != S_FREE)
				web_sess_timers((int)i, now);
		for (i = 0; i < nc; i++) {
			if (web_conns[i].state == C_FREE)
				continue;
			web_conn_timers((int)i, now);
			web_conn_flush((int)i, now);
		}
		web_pfd[PFD_LISTEN] = (struct pollfd){ .fd = web.lfd, .events = POLLIN };
		web_pfd[PFD_SIG] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		web_bridge_write(now);
		web_pfd[PFD_BRIDGE] = (struct pollfd){ .fd = web.bfd,
			.events = (short)(POLLIN | (web.outlen ? POLLOUT : 0)) };
		for (i = 0; i < nc; i++) {
			const struct web_conn *c = &web_conns[i];
			short ev = (short)(c->state == C_READ || c->state == C_EVENTS ? POLLIN : 0);

			if (c->out_off < c->out_len || c->body_off < c->body_len)
				ev |= POLLOUT;
			web_pfd[PFD_FIRST + i] = (struct pollfd){
				.fd = c->state == C_FREE ? -1 : c->fd, .events = ev };
		}
		if (poll(web_pfd, PFD_FIRST + nc, web_wait(now)) < 0 && errno != EINTR)
			log_die(1, "poll: %s", fmt_strerror(errno));
		now = net_now_ms();
		if (web_pfd[PFD_SIG].revents && io_sigpipe_take())
			break;
		if (web_pfd[PFD_BRIDGE].revents & POLLOUT)
			web_bridge_write(now);
		if (web_pfd[PFD_BRIDGE].revents & (POLLIN | POLLHUP | POLLERR))
			web_bridge_read(now);
		for (i = 0; i < nc; i++) {
			short re = web_pfd[PFD_FIRST + i].revents;

			if (!re || web_conns[i].state == C_FREE || web_conns[i].fd != web_pfd[PFD_FIRST + i].fd)
				continue;
			if (re & POLLOUT) {
				web_conn_flush((int)i, now);
				if (web_conns[i].state == C_FREE)
					continue;
			}
			if (re & (POLLIN | POLLHUP | POLLERR))
				web_conn_read((int)i, now);
		}
		if (web_pfd[PFD_LISTEN].revents)
			web_accept(now);
	}
	for (i = 0; i < web.max_sess; i++) /* they would leave with the connection too */
		if (web_sess[i].state == S_IN && !web_sess[i].rejoin)
			web_as(&web_sess[i], "/quit", 5);
	web_bridge_write(now);
	return 0;
}
