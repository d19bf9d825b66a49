/* bridge.c: the bridges' slots, their buffers and the checked reading of
 * their lines (contracts in bridge.h). Nothing here waits: a bridge that
 * does not read loses events, counted, and the room goes on. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bridge.h"
#include "fmt.h"
#include "io.h"
#include "reply.h"
#include "utf8.h"

/* the longest line written to a bridge: a member's "@ID =SEQ " and line */
#define BRIDGE_LINE_MAX (12 + FANOUT_PFX_MAX + OUT_LINE_MAX) /* "@4294967295 " */

struct bridge bridges[UCHAT_BRIDGES];
static char bridge_out[UCHAT_BRIDGES][BRIDGE_OUT_BYTES];
struct bridge_counters bridge_stats;
int bridge_gone;
static uint32_t bridge_serials;

void bridge_init(void)
{
	int i;

	for (i = 0; i < UCHAT_BRIDGES; i++)
		bridges[i].c.fd = -1;
}

struct bridge *bridge_attach(struct ctlsock_conn *c, const char *tag)
{
	struct bridge *b;
	int i;

	for (i = 0; i < UCHAT_BRIDGES && bridges[i].c.fd >= 0; i++)
		;
	if (i == UCHAT_BRIDGES)
		return NULL;
	b = &bridges[i];
	b->c = *c; /* the reader too: lines sent right after the request wait in it */
	b->c.in.buf = b->c.req;
	c->fd = -1;
	memcpy(b->tag, tag, strlen(tag) + 1);
	b->serial = ++bridge_serials;
	b->lost = 0;
	b->outlen = 0;
	b->out = bridge_out[i];
	/* ctlsock_read made it blocking for its reply; a bridge never is */
	syscall(SYS_fcntl, b->c.fd, F_SETFL, O_NONBLOCK);
	return b;
}

void bridge_close(struct bridge *b)
{
	close(b->c.fd);
	b->c.fd = -1;
	bridge_gone = 1;
}

void bridge_addr(const struct bridge *b, uint32_t id, struct net_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->sin6.sin6_family = AF_UNIX;
	/* the slot as the port's low byte in network order: shown as :SLOT */
	((unsigned char *)&a->sin6.sin6_port)[1] = (unsigned char)(b - bridges);
	a->sin6.sin6_flowinfo = b->serial;
	a->sin6.sin6_scope_id = id;
}

struct bridge *bridge_of(const struct net_addr *a)
{
	struct bridge *b = &bridges[((const unsigned char *)&a->sin6.sin6_port)[1] % UCHAT_BRIDGES];

	return b->c.fd >= 0 && b->serial == a->sin6.sin6_flowinfo ? b : NULL;
}

int bridge_to(const struct net_addr *a, uint32_t ev, const char *line, size_t len)
{
	struct bridge *b;
	char pfx[FANOUT_PFX_MAX + 1] = "";

	if (a->sin6.sin6_family != AF_UNIX)
		return -1;
	b = bridge_of(a);
	if (ev)
		fmt_snprintf(pfx, sizeof(pfx), "=%u ", (unsigned)ev);
	if (b)
		bridge_printf(b, "@%u %s%.*s", (unsigned)a->sin6.sin6_scope_id, pfx, (int)len, line);
	return 0;
}

/* Whether a NICK is 1-BRIDGE_NICK_MAX bytes of printable ASCII but ' ', '@'
 * and ':', not starting with '/', '+', '-' or '[' (an IRC nick), or else a
 * name the room takes (proto_name_error: a peer board's member). */
static int bridge_nick_ok(struct proto_span n)
{
	size_t i;

	if (n.len == 0 || memchr("/+-[", n.p[0], 4))
		return 0;
	for (i = 0; i < n.len; i++)
		if (n.p[i] <= ' ' || n.p[i] > '~' || n.p[i] == '@' || n.p[i] == ':')
			return !proto_name_error(n);
	return n.len <= BRIDGE_NICK_MAX;
}

int bridge_parse(const char *line, size_t len, struct bridge_req *req)
{
	struct proto_span rest = { line, len }, w = proto_word(&rest);
	const char *k = BRIDGE_USAGES + 3;
	size_t i;

	memset(req, 0, sizeof(*req));
	/* the rows' words: each usage up to its first space (w has none) */
	for (req->what = 0; req->what < BRIDGE_NLINES; req->what++) {
		for (i = 0; i < w.len && k[i] == w.p[i]; i++)
			;
		if (i && i == w.len && k[i] == ' ')
			break;
		while (*k && *k++ != '|') /* the next row's, after " | " */
			;
		k += *k == ' ';
	}
	if (req->what == BRIDGE_NLINES)
		return -1;
	if (req->what == BRIDGE_AS) {
		req->tag = proto_word(&rest);
		req->text = rest;
		return proto_uint32(req->tag, &req->id) < 0 || !req->id || !rest.len ? -1 : 0;
	}
	if (req->what != BRIDGE_NOTICE) {
		req->tag = proto_word(&rest);
		req->nick = proto_word(&rest);
		if (!proto_id_ok(req->tag) || !bridge_nick_ok(req->nick))
			return -1;
	}
	req->text = rest;
	if (rest.len == 0)
		return -1;
	return rest.len > PROTO_MAX_LINE || utf8_check_text(rest.p, rest.len) ? -2 : 0;
}

long bridge_fill(struct bridge *b)
{
	ssize_t n = io_lines_fill(&b->c.in);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		bridge_close(b);
		return -1;
	}
	return n;
}

int bridge_next(struct bridge *b, const char **line, size_t *len)
{
	int r = io_lines_next(&b->c.in, line, len);

	if (r == IO_LINE)
		*len = io_drop_cr(*line, *len);
	return r;
}

/* Writes what b's buffer holds, as much as the socket takes now. Returns 0,
 * or -1 when the connection failed (b is freed). */
static int bridge_send(struct bridge *b)
{
	ssize_t w;

	if (!b->outlen)
		return 0;
	w = sendto(b->c.fd, b->out, b->outlen, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	if (w < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (w < 0) {
		bridge_close(b);
		return -1;
	}
	io_move_down(b->out, b->out + w, b->outlen - (size_t)w);
	b->outlen -= (size_t)w;
	return 0;
}

/* Puts "-LOST N" if lines were lost and it fits with room for a line of
 * any length after it (else, into the last bytes of a full buffer, each
 * lost line would be told on its own). Returns 0 when nothing (more) is
 * owed, -1 when it is and did not fit. */
static int bridge_put_lost(struct bridge *b)
{
	if (!b->lost)
		return 0;
	if (b->outlen + sizeof(REPLY_LOST "4294967295\n") + BRIDGE_LINE_MAX + 1 > BRIDGE_OUT_BYTES)
		return -1;
	b->outlen += (size_t)fmt_snprintf(b->out + b->outlen, BRIDGE_OUT_BYTES - b->outlen,
					  REPLY_LOST "%u\n", (unsigned)b->lost);
	b->lost = 0;
	return 0;
}

int bridge_printf(struct bridge *b, const char *fmt, ...)
{
	size_t room;
	va_list ap;
	int n = -1;

	/* no room for a line: first what the socket takes now (a burst of
	 * events within one wake-up goes into the kernel's buffer) */
	if (b->outlen + BRIDGE_LINE_MAX + 1 > BRIDGE_OUT_BYTES && bridge_send(b) < 0)
		return -1;
	room = BRIDGE_OUT_BYTES - b->outlen;
	if (bridge_put_lost(b) == 0) { /* formatted in place; counted lost if cut */
		room = BRIDGE_OUT_BYTES - b->outlen;
		va_start(ap, fmt);
		n = fmt_vsnprintf(b->out + b->outlen, room, fmt, ap);
		va_end(ap);
	}
	if (n < 0 || (size_t)n >= room || n > BRIDGE_LINE_MAX) {
		b->lost++;
		bridge_stats.lost++;
		return -1;
	}
	b->outlen += (size_t)n;
	b->out[b->outlen++] = '\n'; /* where the NUL went */
	return 0;
}

void bridge_event(uint32_t seq, const char *text, size_t len, const struct bridge *except,
		  const struct net_addr *skip)
{
	struct bridge *b, *s = NULL;
	char mark[sizeof("!4294967295")] = "";

	if (skip && skip->sin6.sin6_family == AF_UNIX && (s = bridge_of(skip)) != NULL)
		fmt_snprintf(mark, sizeof(mark), "!%u", (unsigned)skip->sin6.sin6_scope_id);
	for (b = bridges; b < bridges + UCHAT_BRIDGES; b++)
		if (b->c.fd >= 0 && b != except &&
		    bridge_printf(b, "=%u%s %.*s", (unsigned)seq, b == s ? mark : "", (int)len, text) == 0)
			bridge_stats.out++;
}

void bridge_flush(void)
{
	struct bridge *b;

	for (b = bridges; b < bridges + UCHAT_BRIDGES; b++)
		if (b->c.fd >= 0 && bridge_send(b) == 0 && b->lost && bridge_put_lost(b) == 0)
			bridge_send(b);
}
