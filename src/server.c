/* server.c: udpchatd. One poll loop over the UDP socket, the announcement
 * pipe, the control socket and the signal pipe. Datagrams come in by
 * recvmmsg, are cut into lines (proto), change or consult the room, and go
 * out through fanout. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin.h"
#include "bounds.h"
#include "bridge.h"
#include "catalog.h"
#include "ctlsock.h"
#include "fanout.h"
#include "fmt.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "progs.h"
#include "priv.h"
#include "proto.h"
#include "ratelimit.h"
#include "reply.h"
#include "ring.h"
#include "room.h"
#include "utf8.h"

#define SERVER_STRANGER_RATE 200 /* replies/s to addresses not in the room */
#define SERVER_RECV_MAX 512       /* datagrams read per wake-up */
#define SERVER_STALL_MS 1000      /* woken this much later than asked: the loop was stopped */
#define SERVER_STALL_READS 16     /* then up to this many times SERVER_RECV_MAX are read at once */
/* the end of a list of names cut short (server_names), at its longest */
#define SERVER_MORE_MAX sizeof(" [" UCHAT_STR(UCHAT_MAX_MEMBERS) " more: /who]")

/* the control connections waiting for a request, then the bridges, take
 * the last slots */
enum { PFD_SOCK, PFD_ADMIN, PFD_CTL, PFD_SIG, PFD_CTLCONN,
       PFD_BRIDGE = PFD_CTLCONN + CTLSOCK_SLOTS, PFD_N = PFD_BRIDGE + UCHAT_BRIDGES };

struct server_opts {
	unsigned port, max_members, idle_s, rate, history;
	const char *bind_addr, *ctl_path, *user, *desc;
	int quiet; /* -Q: no discovery answers */
	struct priv_user ids; /* -u, when user is set */
	enum catalog_lang lang;
	int use_syslog;
};

/* in the order udpchatctl stats shows them (server_ctl_stats) */
struct server_stats {
	uint64_t datagrams_in, lines_in, errors_sent, joins, leaves, timeouts,
		unreachable, kicks, rate_limited;
};
_Static_assert(sizeof(struct server_stats) == 9 * sizeof(uint64_t), "server_ctl_stats copies it");

static struct server_opts cfg; /* what the command line asked for */
static struct server_stats stats;
static const char *const *cat; /* the notices of -L's language */
static int sock_fd = -1, ctl_fd = -1, admin_fd = -1, sig_fd = -1;
static pid_t admin_pid = -1;
/* now_ms is the room's clock: CLOCK_MONOTONIC less stall_ms, the time the
 * loop was seen stopped (server_stalled), which is nobody's silence */
static int64_t now_ms, start_ms, stall_ms;
static struct ratelimit stranger_rl;
static int got_term, got_chld; /* set by server_take_signals from the self-pipe */
/* protocol v1.1: the room's last event, this start's epoch, the last
 * member id given */
static uint32_t room_seq, room_epoch, member_ids;
/* the bridge whose line is being handled: its events are not written back
 * to it (bridge.h) */
static const struct bridge *server_bridge;

/* Formats into an outgoing line; the formats used are bounded well within
 * OUT_LINE_MAX, and a longer result is cut there rather than overrun.
 * Returns the line's length. */
static size_t server_vfmt(char *p, const char *fmt, va_list ap)
{
	int n = fmt_vsnprintf(p, OUT_LINE_MAX + 1, fmt, ap);

	if (n < 0)
		return 0;
	return (size_t)n > OUT_LINE_MAX ? OUT_LINE_MAX : (size_t)n;
}

static size_t server_fmt(char *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t server_fmt(char *p, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = server_vfmt(p, fmt, ap);
	va_end(ap);
	return n;
}

/* --- replies ------------------------------------------------------------ */

/* The sender of the line being handled: a member, or just an address;
 * credit: what replies to it may still take of the datagram's allowance
 * while it is not a member (docs/PROTOCOL.md, "Strangers"). */
struct server_peer {
	struct room_member *m;
	const struct net_addr *addr;
	size_t credit;
	size_t budget; /* bytes replays (/since, /last) may still take: 3x the datagram */
};

static void server_reply(struct server_peer *who, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void server_reply(struct server_peer *who, const char *fmt, ...)
{
	char line[OUT_LINE_MAX + 1];
	va_list ap;
	size_t n;

	if (fmt[0] == '-')
		stats.errors_sent++;
	va_start(ap, fmt);
	n = server_vfmt(line, fmt, ap);
	va_end(ap);
	if (who->m) {
		fanout_reply(who->m, line, n);
	} else if (n + 1 > who->credit ||
		   !ratelimit_take(&stranger_rl, SERVER_STRANGER_RATE,
				   2 * SERVER_STRANGER_RATE, now_ms)) {
		stats.rate_limited++; /* a flood from strangers must not make us a reflector */
	} else {
		who->credit -= n + 1;
		fanout_send_now(who->addr, line, n);
	}
}

/* Sends the member list as "PREFIX NAME NAME ..." lines of at most
 * PROTO_MAX_LINE bytes, continued by "+OK more:" lines. To an unconfirmed
 * member, one line within its credit, ended by " [N more: /who]" if the
 * names do not all fit (a name never starts with '['). */
static void server_names(const struct server_peer *who, const char *prefix)
{
	char *p = fanout_begin();
	size_t len = server_fmt(p, "%s", prefix);
	long credit = who->m->credit, lim = LONG_MAX, all; /* longest line and marker */
	const struct room_member *m;
	unsigned n = 0;

	if (credit != ROOM_CONFIRMED) {
		/* leave fanout's notice room after it (FANOUT_HELD), where the
		 * line's start and marker still fit without that room */
		if (credit - (long)FANOUT_HELD_LEN > (long)(len + SERVER_MORE_MAX))
			credit -= (long)FANOUT_HELD_LEN;
		if (credit > PROTO_MAX_LINE + 1)
			credit = PROTO_MAX_LINE + 1;
		for (all = (long)len, m = room_first(); m; m = room_next(m))
			all += 1 + m->name_len;
		/* every name if all fit with the "\n", else room for the marker */
		lim = all < credit ? all : credit - (long)SERVER_MORE_MAX;
	}
	for (m = room_first(); m; m = room_next(m), n++) {
		if ((long)(len + 1 + m->name_len) > lim)
			break;
		if (len + 1 + m->name_len > PROTO_MAX_LINE) {
			fanout_to_one(len, who->m);
			p = fanout_begin();
			len = server_fmt(p, "+OK more:");
		}
		p[len++] = ' ';
		memcpy(p + len, m->name, m->name_len);
		len += m->name_len;
	}
	if (m)
		len += server_fmt(p + len, " [%u more: /who]", room_count() - n);
	fanout_to_one(len, who->m);
}

/* --- room events (protocol v1.1: each takes the next seq) ---------------- */

/* The room's clock in ticks of 1024 ms (the ring's event time). */
static uint32_t server_ticks(void)
{
	return (uint32_t)((uint64_t)(now_ms - start_ms) >> 10);
}

/* Queues the line at p (len bytes, written at fanout_begin()) as the room's
 * next event: to one member (to: a private line) or to all but except, and
 * then to the bridges but server_bridge; keeps it in the ring with the id of
 * to, or else of except (0 if none). */
static void server_event(const char *p, size_t len, const struct room_member *except,
			 const struct room_member *to)
{
	room_seq++;
	ring_add(room_seq, server_ticks(), to ? to->id : except ? except->id : 0, to != NULL, p, len);
	fanout_event(room_seq);
	if (to) {
		fanout_to_one(len, to);
	} else {
		fanout_to_all(len, except);
		bridge_event(room_seq, p, len, server_bridge, except ? &except->addr : NULL);
	}
}

/* --- room changes -------------------------------------------------------- */

static void server_leave(struct room_member *m, enum catalog_notice why);

static void server_join(struct server_peer *who, struct proto_span name)
{
	const char *why = proto_name_error(name);
	char prefix[128], addr[NET_ADDRSTR];
	struct room_member *m;
	enum room_err rc;

	if (why) {
		server_reply(who, REPLY_INVALID_NAME ": %s", why);
		return;
	}
	if ((m = room_by_name(name))) {
		server_reply(who, REPLY_NAME_TAKEN ": %s", m->name);
		return;
	}
	/* a join is a reply to a stranger: one of the strangers' budget */
	if (!ratelimit_take(&stranger_rl, SERVER_STRANGER_RATE, 2 * SERVER_STRANGER_RATE, now_ms)) {
		stats.rate_limited++;
		return;
	}
	rc = room_add(who->addr, name, now_ms, &m);
	if (rc == ROOM_FULL && (m = room_oldest_unconfirmed()) != NULL) {
		/* never heard from twice (maybe forged): it gives way, untold */
		server_leave(m, CATALOG_UNREACHABLE);
		rc = room_add(who->addr, name, now_ms, &m);
	}
	switch (rc) {
	case ROOM_OK:
		fanout_joined(m);
		break;
	case ROOM_FULL:
		server_reply(who, REPLY_ROOM_FULL " (%u members)", room_max());
		return;
	default:
		server_reply(who, "-ERR server busy, try again");
		return;
	}
	ratelimit_init(&m->rl, ROOM_RATE_BURST * cfg.rate, now_ms);
	m->credit = (uint16_t)who->credit; /* unconfirmed: see server_confirm */
	m->id = ++member_ids;
	m->v11 = 0;
	who->m = m;
	stats.joins++;
	log_info("%s joined from %s", m->name, net_addr_str(&m->addr, addr));
	if (cfg.idle_s)
		fmt_snprintf(prefix, sizeof(prefix), REPLY_WELCOME "%s " REPLY_IDLE "%us), %u online:",
			 m->name, cfg.idle_s, room_count());
	else
		fmt_snprintf(prefix, sizeof(prefix), REPLY_WELCOME "%s " REPLY_NO_IDLE ", %u online:",
			 m->name, room_count());
	server_names(who, prefix);
}

/* The second datagram from m's address: the room hears of m now (a forged
 * join, one datagram, never draws a notice), and m's credit ends. */
static void server_confirm(struct room_member *m)
{
	char *p = fanout_begin();
	size_t len = server_fmt(p, "%s%s", m->name, cat[CATALOG_JOINED]);

	m->credit = ROOM_CONFIRMED;
	server_event(p, len, m, NULL);
}

/* A member named name is out of the room: counts it, and tells the others
 * if they heard of it (told: see server_confirm), with the reason unless it
 * quit. The one way a leaving is told. */
static void server_left(const char *name, int told, enum catalog_notice why)
{
	char *p = fanout_begin();
	size_t len;

	stats.leaves++;
	if (why == CATALOG_QUIT)
		len = server_fmt(p, "%s%s", name, cat[CATALOG_LEFT]);
	else
		len = server_fmt(p, "%s%s%s%s%s", name, cat[CATALOG_LEFT], cat[CATALOG_REASON_OPEN],
				 cat[why], cat[CATALOG_REASON_CLOSE]);
	if (told)
		server_event(p, len, NULL, NULL);
}

/* Removes m and tells the others if they heard of it (server_confirm), and
 * m, unless it cannot be reached or its credit is spent. */
static void server_leave(struct room_member *m, enum catalog_notice why)
{
	char name[PROTO_NAME_BYTES + 1], line[OUT_LINE_MAX + 1];
	const char *reason;
	struct net_addr addr = m->addr;
	size_t len, credit;

	fanout_leave(m, why != CATALOG_UNREACHABLE);
	memcpy(name, m->name, sizeof(name));
	credit = m->credit;
	room_remove(m);
	reason = catalog_get(CATALOG_EN)[why]; /* the log's and the reply's */
	log_info("%s left (%s)", name, reason);
	server_left(name, credit == ROOM_CONFIRMED, why);
	if (why == CATALOG_QUIT)
		len = server_fmt(line, REPLY_BYE);
	else if (why != CATALOG_UNREACHABLE)
		len = server_fmt(line, REPLY_REMOVED " (%s)", reason);
	else
		return;
	if (credit == ROOM_CONFIRMED || len < credit)
		fanout_send_now(&addr, line, len);
}

static void server_nick(struct server_peer *who, struct proto_span name)
{
	const char *why = proto_name_error(name);
	char old[PROTO_NAME_BYTES + 1], *p;
	struct room_member *m = who->m;
	int told = m->credit == ROOM_CONFIRMED; /* the room has heard of OLD */
	size_t len;

	if (why) {
		server_reply(who, REPLY_INVALID_NAME ": %s", why);
		return;
	}
	memcpy(old, m->name, sizeof(old));
	fanout_flush(); /* the room may change: see room_rename */
	switch (room_rename(m, name)) {
	case ROOM_OK:
		break;
	case ROOM_TAKEN: /* the name it looks like, as its member typed it */
		server_reply(who, REPLY_NAME_TAKEN ": %s", room_by_name(name)->name);
		return;
	default: /* the table could not take the new name: m is out */
		who->m = NULL;
		log_warn("%s dropped: member table full", old);
		server_reply(who, "-ERR server busy, try again");
		server_left(old, told, CATALOG_QUIT);
		return;
	}
	log_info("%s is now %s", old, m->name);
	server_reply(who, REPLY_NICK "%s", m->name);
	if (!told)
		return;
	p = fanout_begin();
	len = server_fmt(p, "%s%s%s", old, cat[CATALOG_RENAMED], m->name);
	server_event(p, len, m, NULL);
}

/* "NAME: TEXT" to everyone else: the hot path, so no printf. */
static void server_say(const struct room_member *m, struct proto_span text)
{
	char *p = fanout_begin();

	memcpy(p, m->name, m->name_len);
	p[m->name_len] = ':';
	p[m->name_len + 1] = ' ';
	memcpy(p + m->name_len + 2, text.p, text.len);
	server_event(p, m->name_len + 2 + text.len, m, NULL);
}

/* An announcement from the operator (stdin or udpchatctl say). */
static void server_announce(const char *text, size_t len)
{
	char *p = fanout_begin();
	size_t n = server_fmt(p, "%s%.*s", cat[CATALOG_ADMIN], (int)len, text);

	server_event(p, n, NULL, NULL);
}

/* --- the commands: a handler per row of PROTO_COMMANDS (proto.h) ----------
 * server_line has checked who sent it (the row's who) and that the
 * arguments its usage names are there (req->missing): a handler of a
 * PROTO_WHO_MEMBER command has who->m. */

static void server_cmd_text(struct server_peer *who, const struct proto_req *req)
{
	const char *why;

	if (who->m) {
		server_say(who->m, req->arg);
		return;
	}
	why = proto_name_error(req->arg);
	if (why)
		server_reply(who, REPLY_NOT_IN ": send your name first (invalid name: %s)", why);
	else
		server_join(who, req->arg);
}

static void server_cmd_join(struct server_peer *who, const struct proto_req *req)
{
	server_join(who, req->arg);
}

static void server_cmd_say(struct server_peer *who, const struct proto_req *req)
{
	server_say(who->m, req->arg);
}

static void server_cmd_msg(struct server_peer *who, const struct proto_req *req)
{
	struct room_member *to = room_by_name(req->arg);
	char *p;
	size_t len;

	if (!to) {
		server_reply(who, "-ERR no such member: %.*s", (int)req->arg.len, req->arg.p);
		return;
	}
	p = fanout_begin();
	len = server_fmt(p, "%s%s: %.*s", cat[CATALOG_PRIVATE], who->m->name,
			 (int)req->arg2.len, req->arg2.p);
	server_event(p, len, NULL, to);
	server_reply(who, "+OK sent to %s", to->name);
}

static void server_cmd_who(struct server_peer *who, const struct proto_req *req)
{
	char prefix[32];

	(void)req;
	fmt_snprintf(prefix, sizeof(prefix), "+OK %u online:", room_count());
	server_names(who, prefix);
}

static void server_cmd_nick(struct server_peer *who, const struct proto_req *req)
{
	server_nick(who, req->arg);
}

static void server_cmd_ping(struct server_peer *who, const struct proto_req *req)
{
	if (req->arg.len)
		server_reply(who, REPLY_PONG " %.*s", (int)req->arg.len, req->arg.p);
	else
		server_reply(who, REPLY_PONG);
}

static void server_cmd_quit(struct server_peer *who, const struct proto_req *req)
{
	(void)req;
	if (who->m) {
		server_leave(who->m, CATALOG_QUIT);
		who->m = NULL;
	}
}

static void server_cmd_help(struct server_peer *who, const struct proto_req *req)
{
	(void)req;
	server_reply(who, "+OK commands: %s; plain text joins (first) or says",
		     PROTO_USAGES + 2);
}

/* --- protocol v1.1: /seq, /since, /last, /id ------------------------------ */

static void server_line(struct server_peer *who, struct proto_span line);

static void server_cmd_seq(struct server_peer *who, const struct proto_req *req)
{
	(void)req;
	fanout_seq_on(who->m);
	server_reply(who, REPLY_SEQ "%08x %u", (unsigned)room_epoch, (unsigned)room_seq);
}

/* The end line of a replay, at its longest: room kept for it. */
#define SERVER_REPLAY_END sizeof("+OK since 4294967295 4294967295 4294967295\n")

/* Sends who->m the kept events from..to it may see (last: public ones
 * only) as "~SEQ AGE TEXT", oldest first, while the datagram's budget lasts
 * (at most RING_REPLAY_MAX, the end line's room kept). Returns the last seq
 * covered: every visible event up to it was sent. */
static uint32_t server_replay(struct server_peer *who, uint32_t from, uint32_t to, int last)
{
	size_t left = who->budget < RING_REPLAY_MAX ? who->budget : RING_REPLAY_MAX, n;
	uint32_t s, age, now = server_ticks();
	const struct ring_ev *e;
	const char *text;
	char *p;

	left = left > SERVER_REPLAY_END ? left - SERVER_REPLAY_END : 0;
	for (s = from; s - from <= to - from && from <= to; s++) {
		e = ring_get(s, &text);
		if (!e || !ring_visible(e, who->m->id, last))
			continue;
		age = (uint32_t)fmt_udiv((uint64_t)(now - e->t) << 10, 1000, NULL);
		p = fanout_begin();
		n = server_fmt(p, "~%u %u %.*s", (unsigned)s, (unsigned)age, (int)e->len, text);
		if (n + 1 > left)
			return s - 1;
		left -= n + 1;
		who->budget -= n + 1;
		fanout_to_one(n, who->m);
	}
	return to;
}

/* /since N (last = 0) and /last K (last = 1: the last K events, of which
 * it is sent the public ones it may see): one replay, then its end line,
 * which takes its bytes from the datagram's budget too. */
static void server_history(struct server_peer *who, const struct proto_req *req, int last)
{
	uint32_t n, k, first = ring_first(), from, upto, lost = 0;
	const struct ring_ev *e;
	const char *text;

	if (proto_uint32(req->arg, &n) < 0 || (last ? n < 1 || n > ROOM_LAST_MAX : n > room_seq)) {
		server_reply(who, "-ERR usage: %s", proto_usage(req->cmd));
		return;
	}
	/* /last K: the last K kept events it may see (public ones) */
	from = n + 1;
	if (last)
		for (k = n, from = room_seq + 1; k > 0 && from > first;) {
			e = ring_get(--from, &text);
			k -= e && ring_visible(e, who->m->id, 1);
		}
	else if (first > from) { /* (n, first) are gone */
		lost = first - from;
		from = first;
	}
	upto = server_replay(who, from, room_seq, last);
	who->budget = who->budget > SERVER_REPLAY_END ? who->budget - SERVER_REPLAY_END : 0;
	if (last)
		server_reply(who, REPLY_LAST "%u %u", (unsigned)n, (unsigned)upto);
	else
		server_reply(who, REPLY_SINCE "%u %u %u", (unsigned)n, (unsigned)upto, (unsigned)lost);
}

static void server_cmd_since(struct server_peer *who, const struct proto_req *req)
{
	server_history(who, req, 0);
}

static void server_cmd_last(struct server_peer *who, const struct proto_req *req)
{
	server_history(who, req, 1);
}

/* The acknowledged IDs of the member at each room index: owner is the
 * member id they belong to (another: none yet), seq 0 an empty entry.
 * Touched only by members that use /id. */
static struct {
	uint32_t owner, next;
	uint32_t hash[ROOM_ACK_WINDOW], seq[ROOM_ACK_WINDOW];
} server_acks[UCHAT_MAX_MEMBERS];

static void server_cmd_id(struct server_peer *who, const struct proto_req *req)
{
	struct room_member *m = who->m;
	struct proto_req line;
	uint32_t h = 2166136261u, before = room_seq, id = m->id;
	unsigned idx = room_index(m), k;
	size_t i;

	proto_parse(req->arg2, &line);
	if (!proto_id_ok(req->arg) || (line.cmd != PROTO_TEXT && line.cmd != PROTO_MSG)) {
		server_reply(who, "-ERR usage: %s", proto_usage(req->cmd));
		return;
	}
	for (i = 0; i < req->arg.len; i++) /* FNV-1a */
		h = (h ^ (unsigned char)req->arg.p[i]) * 16777619u;
	if (server_acks[idx].owner != id) {
		memset(&server_acks[idx], 0, sizeof(server_acks[idx]));
		server_acks[idx].owner = id;
	}
	for (k = 0; k < ROOM_ACK_WINDOW; k++)
		if (server_acks[idx].seq[k] && server_acks[idx].hash[k] == h)
			break;
	if (k == ROOM_ACK_WINDOW) {
		server_line(who, req->arg2);
		if (who->m != m || room_seq == before)
			return; /* refused: its reply said why; the ID is not kept */
		k = server_acks[idx].next++ % ROOM_ACK_WINDOW;
		server_acks[idx].hash[k] = h;
		server_acks[idx].seq[k] = room_seq;
	}
	server_reply(who, REPLY_ACK "%.*s %u", (int)req->arg.len, req->arg.p,
		     (unsigned)server_acks[idx].seq[k]);
}

static void server_cmd_unknown(struct server_peer *who, const struct proto_req *req)
{
	server_reply(who, "-ERR unknown command %.*s (try /help)", (int)req->arg.len, req->arg.p);
}

/* Indexed by enum proto_cmd: who may send it (enum proto_who) and
 * SERVER_RATED if it counts against the member's rate limit. */
#define SERVER_RATED 4
#define SERVER_CMD(id, name, usage, args, sender, rated, shown) \
	[PROTO_##id] = (sender) | (rated) * SERVER_RATED,
static const unsigned char server_cmds[PROTO_NCMDS] = {
	[PROTO_TEXT] = SERVER_RATED,    /* and PROTO_WHO_ANY */
	PROTO_COMMANDS(SERVER_CMD)
	[PROTO_UNKNOWN] = SERVER_RATED, /* and PROTO_WHO_ANY */
};
#undef SERVER_CMD

/* --- one line from the network ------------------------------------------ */

static void server_line(struct server_peer *who, struct proto_span line)
{
	struct proto_req req;
	unsigned char c;
	long bad;

	stats.lines_in++;
	if (line.len > PROTO_MAX_LINE) {
		server_reply(who, "-ERR line too long (%zu bytes, max %d); not relayed",
			     line.len, PROTO_MAX_LINE);
		return;
	}
	proto_parse(line, &req);
	c = server_cmds[req.cmd];
	if (who->m && (c & SERVER_RATED) &&
	    !ratelimit_take(&who->m->rl, cfg.rate, ROOM_RATE_BURST * cfg.rate, now_ms)) {
		stats.rate_limited++;
		if (ratelimit_should_warn(&who->m->rl, now_ms))
			server_reply(who, REPLY_SLOW " (%u lines/s)", cfg.rate);
		return;
	}
	bad = utf8_check_text(line.p, line.len);
	if (bad < 0) {
		server_reply(who, "-ERR text is not valid UTF-8");
		return;
	}
	if (bad > 0) {
		server_reply(who, utf8_is_bidi((uint32_t)(bad - 1)) ?
			     "-ERR text contains a bidi control character (U+%04lX)" :
			     "-ERR text contains a control character (0x%02lx)", bad - 1);
		return;
	}
	c &= ~SERVER_RATED;
	if (c == PROTO_WHO_MEMBER && !who->m) {
		server_reply(who, REPLY_NOT_IN " (send /join NAME)");
		return;
	}
	if (c == PROTO_WHO_STRANGER && who->m) {
		server_reply(who, REPLY_ALREADY " as %s", who->m->name);
		return;
	}
	if (req.missing) {
		server_reply(who, "-ERR usage: %s", proto_usage(req.cmd));
		return;
	}
	switch (req.cmd) { /* each command's handler: server_cmd_NAME */
#define SERVER_CASE(id, name, usage, args, sender, rated, shown) \
	case PROTO_##id: server_cmd_##name(who, &req); break;
	PROTO_COMMANDS(SERVER_CASE)
#undef SERVER_CASE
	case PROTO_TEXT:
		server_cmd_text(who, &req);
		break;
	default:
		server_cmd_unknown(who, &req);
		break;
	}
}

/* --- discovery (docs/PROTOCOL.md "Discovery") ---------------------------- */

/* Answers waiting out their random delay (the mDNS rule: the boards of one
 * link do not all answer at once), all sent at disco_at; each may be room
 * bytes at most. */
static struct server_disco {
	struct net_addr to;
	size_t room;
} disco[DISCO_QUEUE];
static unsigned disco_n;
static int64_t disco_at;

/* A discovery request of len bytes from to: answered with those waiting,
 * or 20-120 ms from now if none waits, within the strangers' budget,
 * unless -Q or the queue is full. */
static void server_disco_ask(const struct net_addr *to, size_t len)
{
	if (cfg.quiet || disco_n == DISCO_QUEUE)
		return;
	if (!ratelimit_take(&stranger_rl, SERVER_STRANGER_RATE, 2 * SERVER_STRANGER_RATE, now_ms)) {
		stats.rate_limited++;
		return;
	}
	if (!disco_n) /* the epoch is random: boards that boot together differ */
		disco_at = now_ms + 20 + (room_epoch ^ (uint32_t)now_ms) % 101;
	disco[disco_n].to = *to;
	disco[disco_n++].room = len;
}

/* Sends the answers when due ("+OK discover EPOCH N online: DESCRIPTION",
 * each if shorter than its request); returns the ms until they are, or -1
 * if none waits. */
static int server_disco_due(void)
{
	char line[sizeof(REPLY_DISCO) + 32 + DISCO_DESC_MAX];
	size_t n;
	unsigned i;

	if (!disco_n)
		return -1;
	if (disco_at > now_ms)
		return (int)(disco_at - now_ms);
	n = (size_t)fmt_snprintf(line, sizeof(line), REPLY_DISCO "%08x %u online: %s",
				 (unsigned)room_epoch, room_count(), cfg.desc);
	for (i = 0; i < disco_n; i++)
		if (n < disco[i].room) /* and its "\n" */
			fanout_send_now(&disco[i].to, line, n);
	disco_n = 0;
	return -1;
}

/* The lines buf[0..len) from addr (a datagram's, or a bridge member's
 * line); credit: what replies to it may take while it is not a member
 * (ROOM_UNCONFIRMED_FLOOR at least) and replays in all. */
static void server_lines(const struct net_addr *addr, const char *buf, size_t len,
			 size_t credit, int truncated)
{
	struct server_peer who;
	struct proto_lines it;
	struct proto_span line;

	who.addr = addr;
	who.credit = credit;
	who.budget = credit;
	if (who.credit < ROOM_UNCONFIRMED_FLOOR)
		who.credit = ROOM_UNCONFIRMED_FLOOR;
	who.m = room_by_addr(addr);
	if (who.m) {
		room_touch(who.m, now_ms);
		if (who.m->credit != ROOM_CONFIRMED)
			server_confirm(who.m);
	}
	if (truncated) {
		server_reply(&who, "-ERR datagram too long (max %d bytes); nothing in it was read",
			     PROTO_MAX_DGRAM);
		return;
	}
	proto_lines_init(&it, buf, len);
	while (proto_lines_next(&it, &line))
		if (line.len > 0)
			server_line(&who, line);
}

static void server_datagram(const struct sockaddr *sa, socklen_t salen,
			    const char *buf, size_t len, int truncated)
{
	struct net_addr addr;

	if (net_addr_from(sa, salen, &addr) < 0)
		return;
	stats.datagrams_in++;
	if (len > sizeof(REPLY_DISCO_ASK) - 1 && (unsigned char)buf[sizeof(REPLY_DISCO_ASK) - 1] <= ' ' &&
	    memcmp(buf, REPLY_DISCO_ASK, sizeof(REPLY_DISCO_ASK) - 1) == 0) {
		server_disco_ask(&addr, len);
		return;
	}
	server_lines(&addr, buf, len, ROOM_UNCONFIRMED_FACTOR * len, truncated);
}

/* --- the socket ------------------------------------------------------------ */

/* Returns 1 if it stopped after SERVER_RECV_MAX datagrams (more may wait),
 * else 0. */
static int server_recv(void)
{
	static char bufs[NET_RECV_BATCH][PROTO_MAX_DGRAM];
	static struct sockaddr_in6 names[NET_RECV_BATCH]; /* or sockaddr_in */
	static struct iovec iov[NET_RECV_BATCH];
	static struct mmsghdr msgs[NET_RECV_BATCH];
	int n, i, got = 0, total;

	/* Formatted lines are copied into the fanout arena, so the buffers are
	 * free again before a flush: flushing every NET_RECV_COALESCE datagrams
	 * (or when the socket is drained) coalesces that many, whatever the
	 * batch. At most SERVER_RECV_MAX datagrams per wake-up: then the rest of
	 * the loop (control socket, timers) gets its turn. */
	for (total = 0; total < SERVER_RECV_MAX; total += n) {
		for (i = 0; i < NET_RECV_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_name = &names[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		/* The system call itself, as for sendmmsg in fanout.c: on 32-bit
		 * boards musl's recvmmsg() adds time64 conversions of control
		 * messages that this socket never asks for. */
		n = (int)syscall(SYS_recvmmsg, sock_fd, msgs, NET_RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return 0; /* EAGAIN, or a pending ICMP error: POLLERR handles it */
		now_ms = net_now_ms() - stall_ms;
		for (i = 0; i < n; i++)
			server_datagram((struct sockaddr *)&names[i], msgs[i].msg_hdr.msg_namelen,
					bufs[i], msgs[i].msg_len,
					(msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
		got += n;
		if (n < NET_RECV_BATCH)
			return 0; /* drained: server_main flushes */
		if (got >= NET_RECV_COALESCE) {
			fanout_flush();
			got = 0;
		}
	}
	return 1;
}

/* Reads the socket's error queue: a port-unreachable for a member's address
 * means its program is gone. */
static void server_errqueue(void)
{
	char ctrl[512];
	struct sockaddr_storage ss;
	struct net_addr addr;
	struct msghdr h;
	struct cmsghdr *c;
	struct room_member *m;
	int i;

	for (i = 0; i < 64; i++) {
		memset(&h, 0, sizeof(h));
		h.msg_name = &ss;
		h.msg_namelen = sizeof(ss);
		h.msg_control = ctrl;
		h.msg_controllen = sizeof(ctrl);
		/* the system call itself, as for recvmmsg (server_recv) */
		if (syscall(SYS_recvmsg, sock_fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
			uint32_t ee_errno; /* first field of the kernel's sock_extended_err */
			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee_errno, CMSG_DATA(c), sizeof(ee_errno));
			if (ee_errno != ECONNREFUSED ||
			    net_addr_from((struct sockaddr *)&ss, h.msg_namelen, &addr) < 0)
				continue;
			m = room_by_addr(&addr);
			if (m) {
				stats.unreachable++;
				server_leave(m, CATALOG_UNREACHABLE);
			}
		}
	}
}

/* Called after poll with the clock of the round before and the timeout it
 * asked for. Woken much later than asked, the loop was not running (SIGSTOP,
 * a debugger, a starved board): members could not be heard meanwhile, and
 * what they sent may have overflowed the socket's buffer. That time is taken
 * off the room's clock, so it counts as nobody's silence. Returns 1 if so. */
static int server_stalled(int64_t before, int timeout)
{
	int64_t gap = now_ms - before;

	if (timeout < 0 || gap <= (int64_t)timeout + SERVER_STALL_MS)
		return 0;
	stall_ms += gap;
	now_ms = before;
	return 1;
}

static void server_expire(void)
{
	struct room_member *m;

	if (cfg.idle_s == 0)
		return;
	while ((m = room_oldest()) && now_ms - m->last_ms >= (int64_t)cfg.idle_s * 1000) {
		stats.timeouts++;
		server_leave(m, CATALOG_TIMEOUT);
	}
}

static int server_poll_timeout(void)
{
	struct room_member *m = room_oldest();
	int64_t t;

	if (cfg.idle_s == 0 || !m)
		return -1;
	t = m->last_ms + (int64_t)cfg.idle_s * 1000 - now_ms;
	return t < 0 ? 0 : t > 60000 ? 60000 : (int)t;
}

/* --- the operator ---------------------------------------------------------- */

static void server_admin_line(const char *line, size_t len, void *arg)
{
	(void)arg;
	if (len == 0)
		return;
	if (len > PROTO_MAX_LINE || utf8_check_text(line, len) != 0) {
		log_warn("announcement refused (checked by the reader; should not happen)");
		return;
	}
	server_announce(line, len);
}

/* --- control requests: a handler per row of CTLSOCK_REQUESTS (ctlsock.h) --
 * arg: what follows the word and one space ("" for CTLSOCK_ARGS_NONE). */

static void server_ctl_say(struct ctlsock_conn *c, const char *arg)
{
	size_t len = strlen(arg);

	if (len == 0 || len > PROTO_MAX_LINE || utf8_check_text(arg, len) != 0) {
		ctlsock_printf(c, "-ERR announcement must be 1-%d bytes of UTF-8 "
			       "without control characters", PROTO_MAX_LINE);
		return;
	}
	server_announce(arg, len);
	fanout_flush();
	ctlsock_printf(c, "+OK sent to %u members", room_count());
}

static void server_ctl_who(struct ctlsock_conn *c, const char *arg)
{
	const struct room_member *m;
	char addr[NET_ADDRSTR];

	(void)arg;
	for (m = room_first(); m; m = room_next(m))
		ctlsock_printf(c, "%s %s idle %llus", m->name, net_addr_str(&m->addr, addr),
			       fmt_udiv((uint64_t)(now_ms - m->last_ms), 1000, NULL));
	ctlsock_printf(c, "+OK %u members", room_count());
}

static void server_ctl_kick(struct ctlsock_conn *c, const char *arg)
{
	struct room_member *m = room_by_name((struct proto_span){ arg, strlen(arg) });

	if (!m) {
		ctlsock_printf(c, "-ERR no such member: %s", arg);
		return;
	}
	ctlsock_printf(c, "+OK kicked %s", m->name);
	stats.kicks++;
	server_leave(m, CATALOG_KICKED);
	fanout_flush();
}

static void server_ctl_stats(struct ctlsock_conn *c, const char *arg)
{
	/* the keys of v[], in its order: one string, no table of pointers */
	static const char keys[] = "members\0max_members\0uptime_s\0datagrams_in\0lines_in\0"
		"deliveries\0datagrams_out\0errors_sent\0joins\0leaves\0timeouts\0"
		"unreachable\0kicks\0rate_limited\0seq\0bridged_in\0bridged_out\0bridge_lost";
	unsigned long long v[18];
	const char *k = keys;
	size_t i;

	(void)arg;
	v[0] = room_count();
	v[1] = room_max();
	v[2] = fmt_udiv((uint64_t)(now_ms + stall_ms - start_ms), 1000, NULL);
	memcpy(v + 3, &stats, 2 * sizeof(v[0])); /* datagrams_in, lines_in */
	v[5] = fanout_stats.deliveries;
	v[6] = fanout_stats.datagrams;
	memcpy(v + 7, (const char *)&stats + offsetof(struct server_stats, errors_sent),
	       7 * sizeof(v[0])); /* errors_sent .. rate_limited */
	v[14] = room_seq;
	memcpy(v + 15, &bridge_stats, sizeof(bridge_stats)); /* bridged_in, _out, bridge_lost */
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++, k += strlen(k) + 1)
		ctlsock_printf(c, "%s %llu", k, v[i]);
	ctlsock_printf(c, "+OK");
}

/* One line from bridge b (bridge_next's r, line, len): a refusal to it, or
 * the room's next event, not written back to b. Not rate-limited: the
 * bridge paces itself (the owner runs it). */
static void server_bridge_line(struct bridge *b, int r, const char *line, size_t len)
{
	struct bridge_req q = { .text.len = len }; /* IO_LONG: len is its length */
	struct net_addr a;
	char *p;
	size_t n;
	int rc = r == IO_LONG ? 0 : bridge_parse(line, len, &q);

	if (q.text.len > PROTO_MAX_LINE) {
		bridge_printf(b, "-ERR line too long (%zu bytes, max %d); not relayed",
			      q.text.len, PROTO_MAX_LINE);
		return;
	}
	if (rc < 0) {
		if (rc == -2)
			bridge_printf(b, "-ERR text must be UTF-8 without control or bidi characters");
		else
			bridge_printf(b, "-ERR usage: %s", BRIDGE_USAGES + 3);
		return;
	}
	bridge_stats.in++;
	if (q.what == BRIDGE_AS) { /* LINE from member ID, as a datagram's */
		bridge_addr(b, q.id, &a);
		server_lines(&a, q.text.p, q.text.len, ROOM_CONFIRMED - 1, 0);
		return;
	}
	p = fanout_begin();
	if (q.what == BRIDGE_NOTICE) /* "[bridge TAG] TEXT" */
		n = server_fmt(p, "[bridge %s] %.*s", b->tag, (int)q.text.len, q.text.p);
	else /* post: "NICK@TAG: TEXT", act: "* NICK@TAG TEXT" */
		n = server_fmt(p, "%s%.*s@%.*s%s%.*s", q.what == BRIDGE_ACT ? "* " : "",
			       (int)q.nick.len, q.nick.p, (int)q.tag.len, q.tag.p,
			       q.what == BRIDGE_ACT ? " " : ": ", (int)q.text.len, q.text.p);
	server_bridge = b;
	server_event(p, n, NULL, NULL);
	server_bridge = NULL;
}

/* Reads what bridge b sent (at most BRIDGE_READS reads a wake-up) and
 * handles its lines. */
static void server_bridge_read(struct bridge *b)
{
	const char *line;
	size_t len;
	int r, k;

	for (k = 0;; k++) { /* what was read before first: lines sent with "bridge TAG" */
		while ((r = bridge_next(b, &line, &len)) != IO_NONE)
			server_bridge_line(b, r, line, len);
		if (k == BRIDGE_READS || bridge_fill(b) <= 0)
			return; /* nothing now, or it is gone (its slot is free) */
	}
}

/* A bridge's slot was freed: the members it carried leave the room. */
static void server_bridge_gone(void)
{
	struct room_member *m, *next;

	bridge_gone = 0;
	for (m = room_first(); m; m = next) {
		next = room_next(m);
		if (m->addr.sin6.sin6_family == AF_UNIX && !bridge_of(&m->addr))
			server_leave(m, CATALOG_QUIT);
	}
}

/* "bridge TAG": the connection stays, a bridge (bridge.h), its first line
 * "+OK bridge TAG EPOCH LAST". */
static void server_ctl_bridge(struct ctlsock_conn *c, const char *arg)
{
	struct bridge *b;

	if (!proto_id_ok((struct proto_span){ arg, strlen(arg) })) {
		ctlsock_printf(c, "-ERR usage: bridge TAG");
		return;
	}
	b = bridge_attach(c, arg);
	if (!b) {
		ctlsock_printf(c, "-ERR busy"); /* all UCHAT_BRIDGES slots taken */
		return;
	}
	bridge_printf(b, REPLY_SEQ_BRIDGE "%s %08x %u", b->tag, (unsigned)room_epoch,
		      (unsigned)room_seq);
	log_info("bridge %s attached", b->tag);
	server_bridge_read(b);
}

/* Whether req is the request w and, if so, its argument into arg (the text
 * after the word and one space; "" when it takes none): by the row's args. */
#define SERVER_CTL_IS_CTLSOCK_ARGS_NONE(req, w, arg) (strcmp(req, w) == 0 && ((arg) = "", 1))
#define SERVER_CTL_IS_CTLSOCK_ARGS_ONE(req, w, arg) \
	(memcmp(req, w " ", sizeof(w)) == 0 && ((arg) = (req) + sizeof(w), 1))
#define SERVER_CTL_IS_CTLSOCK_ARGS_TEXT SERVER_CTL_IS_CTLSOCK_ARGS_ONE

/* One request line (NUL-terminated, checked by ctlsock_read). */
static void server_ctl_request(struct ctlsock_conn *c)
{
	const char *arg;

#define SERVER_CTL(name, usage, args, help) \
	if (SERVER_CTL_IS_##args(c->req, #name, arg)) \
		server_ctl_##name(c, arg); \
	else
	CTLSOCK_REQUESTS(SERVER_CTL)
#undef SERVER_CTL
		ctlsock_printf(c, "-ERR unknown request (%s)", CTLSOCK_USAGES + 3);
	ctlsock_finish(c);
}

/* --- signals and life cycle ------------------------------------------------ */

/* SIGTERM, SIGINT and SIGHUP stop the server; SIGCHLD: the admin reader
 * ended. Caught through io.c's self-pipe (sig_fd). */
static void server_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };

	sig_fd = io_sigpipe_open(sigs, sizeof(sigs) / sizeof(sigs[0]));
	if (sig_fd < 0)
		log_die(1, "pipe: %s", fmt_strerror(errno));
	io_signal(SIGPIPE, SIG_IGN);
}

/* Takes the signals caught since the last call into got_term, got_chld. */
static void server_take_signals(void)
{
	unsigned sigs = io_sigpipe_take();

	if (sigs & IO_SIG(SIGCHLD))
		got_chld = 1;
	if (sigs & ~IO_SIG(SIGCHLD))
		got_term = 1;
}

static void server_reap(void)
{
	int status;
	pid_t pid;

	got_chld = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == admin_pid)
			admin_pid = -1;
}

static void server_usage(int fd)
{
	fmt_dprintf(fd,
		"usage: udpchatd [-p PORT] [-b ADDR] [-L en|zh] [-m N] [-t SECONDS]\n"
		"                [-r RATE] [-H BYTES] [-c PATH] [-u USER] [-D TEXT] [-Q] [-S]\n"
		"                [-h] [-V]\n"
		"UDP chat room server; each line on standard input is an announcement.\n"
		"  -p PORT     UDP port (default " UCHAT_STR(PROTO_DEFAULT_PORT) ")\n"
		"  -b ADDR     listen on this address or interface only (default: all)\n"
		"  -L en|zh    language of room notices (default en)\n"
		"  -m N        most members at once (default " UCHAT_STR(ROOM_DEFAULT_MEMBERS)
		", at most " UCHAT_STR(UCHAT_MAX_MEMBERS) ")\n"
		"  -t SECONDS  drop members silent this long (default " UCHAT_STR(ROOM_DEFAULT_IDLE_S)
		", 0 = never)\n"
		"  -r RATE     lines per second per member, bursts of " UCHAT_STR(ROOM_RATE_BURST)
		"x (default " UCHAT_STR(ROOM_DEFAULT_RATE) ", 0 = no limit)\n"
		"  -H BYTES    history kept (default " UCHAT_STR(RING_DEFAULT_BYTES) ", 0 = none)\n"
		"  -c PATH     control socket for udpchatctl (default " CTLSOCK_DEFAULT_PATH ")\n"
		"  -u USER     run as USER (a name, or UID[:GID]) once the sockets exist\n"
		"  -D TEXT     room description for discovery (at most " UCHAT_STR(DISCO_DESC_MAX) " bytes)\n"
		"  -Q          do not answer discovery\n"
		"  -S          log to syslog instead of standard error\n"
		"  -h          show this help\n"
		"  -V          show the version\n");
}

/* Parses an unsigned decimal in [min, max] or dies with exit status 2. */
static unsigned server_num(const char *s, char flag, unsigned min, unsigned max)
{
	unsigned long v;

	if (fmt_parse_uint(s, min, max, &v) < 0)
		log_die(2, "-%c wants a number from %u to %u, not '%s'", flag, min, max, s);
	return (unsigned)v;
}

static void server_parse(int argc, char **argv)
{
	struct opt o = OPT_INIT;
	char on[OPT_NAME_MAX];
	int c;

	cfg.port = PROTO_DEFAULT_PORT;
	cfg.max_members = ROOM_DEFAULT_MEMBERS < UCHAT_MAX_MEMBERS ? ROOM_DEFAULT_MEMBERS : UCHAT_MAX_MEMBERS;
	cfg.idle_s = ROOM_DEFAULT_IDLE_S;
	cfg.rate = ROOM_DEFAULT_RATE;
	cfg.history = RING_DEFAULT_BYTES;
	cfg.ctl_path = CTLSOCK_DEFAULT_PATH;
	cfg.lang = CATALOG_EN;
	cfg.desc = "";
	while ((c = opt_next(&o, argc, argv, "p:b:L:m:t:r:H:c:u:D:QShV")) != -1) {
		switch (c) {
		case 'p': cfg.port = server_num(o.arg, 'p', 1, 65535); break;
		case 'b': cfg.bind_addr = o.arg; break;
		case 'L':
			if (catalog_lang_parse(o.arg, &cfg.lang) < 0)
				log_die(2, "-L wants en or zh, not '%s'", o.arg);
			break;
		case 'm': cfg.max_members = server_num(o.arg, 'm', 1, UCHAT_MAX_MEMBERS); break;
		case 't': cfg.idle_s = server_num(o.arg, 't', 0, ROOM_MAX_IDLE_S); break;
		case 'r': cfg.rate = server_num(o.arg, 'r', 0, ROOM_MAX_RATE); break;
		case 'H': cfg.history = server_num(o.arg, 'H', 0, RING_MAX_BYTES); break;
		case 'c': cfg.ctl_path = o.arg; break;
		case 'u': cfg.user = o.arg; break;
		case 'D':
			if (strlen(o.arg) > DISCO_DESC_MAX || utf8_check_text(o.arg, strlen(o.arg)))
				log_die(2, "-D wants at most " UCHAT_STR(DISCO_DESC_MAX) " bytes of text");
			cfg.desc = o.arg;
			break;
		case 'Q': cfg.quiet = 1; break;
		case 'S': cfg.use_syslog = 1; break;
		case 'h': server_usage(1); exit(0);
		case 'V': fmt_dprintf(1, "udpchatd %s\n", UCHAT_VERSION); exit(0);
		default: /* '?' or ':' */
			log_die(2, c == ':' ? "option %s needs a value (see -h)" : "unknown option %s (see -h)",
				opt_name(&o, on));
		}
	}
	if (o.ind < argc)
		log_die(2, "unexpected argument '%s' (see -h)", argv[o.ind]);
	if (!*cfg.ctl_path)
		log_die(2, "-c needs a path");
	if (cfg.user && priv_lookup(cfg.user, "/etc/passwd", &cfg.ids) < 0)
		log_die(2, "-u wants a user other than root (a name in /etc/passwd, or UID[:GID]), not '%s'",
			cfg.user);
}

static void server_shutdown(void)
{
	int status, i;

	now_ms = net_now_ms() - stall_ms;
	server_announce(cat[CATALOG_SHUTDOWN], strlen(cat[CATALOG_SHUTDOWN]));
	fanout_flush();
	bridge_flush(); /* what the socket takes now; the bridges see EOF at our exit */
	log_info("shutting down, %u members told", room_count());
	if (ctlsock_close(ctl_fd, cfg.ctl_path) < 0)
		log_warn("cannot remove %s: %s", cfg.ctl_path, fmt_strerror(errno));
	if (admin_pid > 0) { /* stop the reader; never hang on it */
		kill(admin_pid, SIGTERM);
		for (i = 0; i < 100 && waitpid(admin_pid, &status, WNOHANG) == 0; i++)
			poll(NULL, 0, 10); /* usleep would link nanosleep's time64 code */
		if (i == 100) {
			kill(admin_pid, SIGKILL);
			waitpid(admin_pid, &status, 0);
		}
	}
	close(sock_fd);
}

int server_main(int argc, char **argv)
{
	/* static (and zero, in .bss): 5 kB of buffers that would sit under
	 * every call on the stack, all of them touched by an initialiser */
	static struct ctlsock_conn conns[CTLSOCK_SLOTS];
	static struct admin_reader ar;
	struct pollfd pfd[PFD_N];
	char err[256];
	int fds[3], i, timeout, stalled;
	int64_t before;

	for (i = 0; i < CTLSOCK_SLOTS; i++)
		conns[i].fd = -1;
	bridge_init();
	server_parse(argc, argv);
	if (cfg.use_syslog)
		log_use_syslog("udpchatd");
	cat = catalog_get(cfg.lang);
	server_signals();

	sock_fd = net_server_socket(cfg.bind_addr, cfg.port, err, sizeof(err));
	if (sock_fd < 0)
		log_die(1, "%s", err);
	ctl_fd = ctlsock_open(cfg.ctl_path, err, sizeof(err));
	if (ctl_fd < 0)
		log_die(1, "%s (choose another path with -c)", err);
	/* root is needed no further (a port below 1024 is bound, the socket
	 * file made); the admin child forked next inherits the drop */
	if (cfg.user && priv_drop(&cfg.ids) < 0)
		log_die(1, "-u %s: cannot drop root: %s", cfg.user, fmt_strerror(errno));
	fds[0] = sock_fd;
	fds[1] = ctl_fd;
	fds[2] = sig_fd;
	admin_pid = admin_start(&admin_fd, fds, 3);
	if (admin_pid < 0)
		log_warn("no announcements from standard input: %s", fmt_strerror(errno));

	start_ms = now_ms = net_now_ms();
	ratelimit_init(&stranger_rl, 2 * SERVER_STRANGER_RATE, now_ms);
	room_init(cfg.max_members);
	ring_init(cfg.history);
	/* the epoch: random, never 0 (getrandom as the system call itself) */
	syscall(SYS_getrandom, &room_epoch, sizeof(room_epoch), 1); /* 0 if it failed */
	room_epoch |= room_epoch == 0;
	fanout_init(sock_fd, net_socket_family(sock_fd));
	log_info("udpchatd %s listening on %s port %u (%s, up to %u members, idle timeout %us)",
		 UCHAT_VERSION, cfg.bind_addr ? cfg.bind_addr : "all addresses", cfg.port,
		 cfg.lang == CATALOG_ZH ? "zh" : "en", cfg.max_members, cfg.idle_s);

	while (!got_term) {
		pfd[PFD_SOCK] = (struct pollfd){ .fd = sock_fd, .events = POLLIN };
		pfd[PFD_ADMIN] = (struct pollfd){ .fd = admin_fd, .events = POLLIN };
		pfd[PFD_CTL] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
		pfd[PFD_SIG] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		timeout = ctlsock_expire(conns, CTLSOCK_SLOTS, now_ms, server_poll_timeout());
		i = server_disco_due();
		if ((unsigned)i < (unsigned)timeout) /* -1: none, or no timer */
			timeout = i;
		for (i = 0; i < CTLSOCK_SLOTS; i++)
			pfd[PFD_CTLCONN + i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		for (i = 0; i < UCHAT_BRIDGES; i++) /* POLLOUT: what waits for it can go */
			pfd[PFD_BRIDGE + i] = (struct pollfd){ .fd = bridges[i].c.fd,
				.events = POLLIN | (bridges[i].outlen ? POLLOUT : 0) };
		if (poll(pfd, PFD_N, timeout) < 0) {
			if (errno != EINTR)
				log_die(1, "poll: %s", fmt_strerror(errno));
			continue; /* no revents: poll again before any timer runs */
		}
		before = now_ms;
		now_ms = net_now_ms() - stall_ms;
		stalled = server_stalled(before, timeout);

		if (pfd[PFD_SIG].revents & POLLIN)
			server_take_signals();
		if (got_chld)
			server_reap();
		if (pfd[PFD_SOCK].revents & POLLERR)
			server_errqueue();
		/* what waits is read before anyone expires; after a stall, all of it */
		if (pfd[PFD_SOCK].revents & POLLIN)
			for (i = 0; server_recv() && stalled && i < SERVER_STALL_READS; i++)
				;
		if (pfd[PFD_ADMIN].revents & (POLLIN | POLLHUP)) {
			if (admin_read(admin_fd, &ar, server_admin_line, NULL) < 0) {
				close(admin_fd);
				admin_fd = -1;
			}
		}
		for (i = 0; i < CTLSOCK_SLOTS; i++)
			if ((pfd[PFD_CTLCONN + i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    ctlsock_read(&conns[i]) == 1)
				server_ctl_request(&conns[i]);
		for (i = 0; i < UCHAT_BRIDGES; i++)
			if (pfd[PFD_BRIDGE + i].revents & (POLLIN | POLLHUP | POLLERR))
				server_bridge_read(&bridges[i]);
		if (pfd[PFD_CTL].revents & POLLIN)
			ctlsock_accept(ctl_fd, conns, CTLSOCK_SLOTS, now_ms);
		server_expire();
		if (bridge_gone)
			server_bridge_gone();
		fanout_flush(); /* whatever this round queued goes out now */
		bridge_flush();
	}
	server_shutdown(); /* control connections waiting for a request close with us */
	io_sigpipe_close();
	return 0;
}
