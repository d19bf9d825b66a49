/* ircbot.c: udpchatirc, the IRC bridge (issue 8): one poll
 * loop over an IRC client connection (irc.h does the grammar, the text,
 * the splitting and the pacing) and a bridge on udpchatd's control socket
 * (docs/PROTOCOL.md "Bridges"). Room events go to the channel as PRIVMSG
 * "<alice> text" or NOTICE; the channel's PRIVMSGs come to the room as
 * "post TAG nick text". Each side reconnects by itself with backoff. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "ctlsock.h"
#include "fmt.h"
#include "io.h"
#include "irc.h"
#include "ircbot.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "progs.h"
#include "resolv.h"

#define IRCBOT_PORT 6667
#define IRCBOT_USER "udpchat"

enum { PFD_IRC, PFD_CTL, PFD_SIG, PFD_N };

/* The IRC link, from nothing to in the channel. */
enum ircbot_state { LINK_DOWN, LINK_CONNECTING, LINK_REGISTERING, LINK_JOINING, LINK_JOINED };

/* One side's reconnection timer: 1 s doubling to 60 s, with jitter. */
struct ircbot_backoff {
	int64_t at_ms;     /* when to try again (0: now) */
	unsigned ms;       /* the next wait before jitter */
};

static struct {
	/* configuration */
	const char *ctl_path, *nick_base, *tag, *key, *host, *chan;
	unsigned port;
	int notices;
	unsigned pace_cost_ms, pace_burst_ms; /* -r */
	int64_t idle_ms;           /* -i: silence before a PING; twice: dead */
	unsigned npeers;           /* -P: the other boards' bridges on the channel */
	struct {
		char nick[IRC_NICKLEN_MAX + 1];
		char tag[PROTO_ID_MAX + 1];
	} peer[IRCBOT_PEERS];
	/* the IRC link */
	int irc_fd;
	enum ircbot_state state;
	int was_joined;            /* the room was told it is up */
	int64_t deadline_ms;       /* connect deadline */
	int64_t heard_ms, pinged_ms;
	unsigned alt;              /* irc_nick_alt's number */
	unsigned nicklen;          /* and its nicklen (432 makes it shorter) */
	int addr_i;                /* the address tried next */
	char nick[IRC_NICKLEN_MAX + 1];
	struct irc_isupport is;
	struct irc_pace pace;
	struct io_lines irc_in;
	char irc_buf[IRCBOT_IN_BYTES];
	struct ircbot_backoff irc_retry;
	size_t irc_outlen;         /* what waits for the server to take it */
	int64_t wrote_ms;          /* it last took some (or the buffer was empty) */
	char irc_out[IRCBOT_OUT_BYTES];
	/* the control connection */
	int ctl_fd;
	int attached;
	struct io_lines ctl_in;
	char ctl_buf[IRCBOT_IN_BYTES];
	struct ircbot_backoff ctl_retry;
	size_t ctl_outlen;
	char ctl_out[IRCBOT_CTL_OUT_BYTES];
	/* IRC lines for the room: paced, the rest counted (not yet told) */
	struct irc_pace in_pace;
	unsigned long in_dropped;
	int64_t in_told_ms;
	/* room lines for IRC, formatted (each ends in "\r\n"), oldest first:
	 * q[qhead..qend) */
	size_t qhead, qend;
	unsigned long dropped;     /* lines not bridged, not yet told */
	int64_t told_ms;           /* the room may be told again from then */
	char q[IRCBOT_QUEUE_BYTES];
	unsigned rand;
} bot;

static void ircbot_usage(int fd)
{
	fmt_dprintf(fd,
		"usage: udpchatirc [-c PATH] [-n NICK] [-t TAG] [-k KEY] [-P NICK=TAG,...] [-N] [-S]\n"
		"                  [-r BURST/SECONDS] [-i SECONDS] SERVER[:PORT] CHANNEL\n"
		"Bridges udpchatd's room and an IRC channel.\n"
		"  -c PATH   udpchatd's control socket (default " CTLSOCK_DEFAULT_PATH ")\n"
		"  -n NICK   the bot's IRC nick (default " IRC_NICK_DEFAULT ")\n"
		"  -t TAG    the room shows IRC users as NICK@TAG (default irc)\n"
		"  -k KEY    the channel's key\n"
		"  -P NICK=TAG,...  peer bridges: another board's bridge NICK on the channel;\n"
		"            its \"<alice> text\" comes as alice@TAG (repeatable; at most "
		UCHAT_STR(IRCBOT_PEERS) ")\n"
		"  -N        no NOTICEs of joins, leaves, renames and announcements\n"
		"  -S        log to syslog (daemon facility) instead of stderr\n"
		"  -r BURST/SECONDS  pacing of lines to IRC: BURST at once, then one every\n"
		"            SECONDS (default 5/2, RFC 1459's); -r 0: none (a network that\n"
		"            exempts the bot)\n"
		"  -i SECONDS  a PING after SECONDS of silence from the server; as long\n"
		"            again without an answer: reconnect (default " UCHAT_STR(IRCBOT_IDLE_S) ")\n"
		"  -h        show this help\n"
		"  -V        show the version\n"
		"SERVER: a name or an address; PORT: default " UCHAT_STR(IRCBOT_PORT) ".\n");
}

/* The next wait of b from now, then doubles it (at most 60 s). */
static void ircbot_backoff(struct ircbot_backoff *b, int64_t now)
{
	if (b->ms < IRCBOT_BACKOFF_MS)
		b->ms = IRCBOT_BACKOFF_MS;
	bot.rand = bot.rand * 1103515245u + 12345u;
	b->at_ms = now + b->ms + (int64_t)b->ms * ((bot.rand >> 16) & 255) / 1024;
	b->ms = b->ms * 2 > IRCBOT_BACKOFF_MAX_MS ? IRCBOT_BACKOFF_MAX_MS : b->ms * 2;
}

int ircbot_pace_arg(const char *s, unsigned *cost_ms, unsigned *burst_ms)
{
	unsigned long burst, ms = 0, scale = 1000;
	char num[4];
	const char *p = strchr(s, '/');
	size_t n = p ? (size_t)(p - s) : 0;

	if (strcmp(s, "0") == 0) {
		*cost_ms = *burst_ms = 0;
		return 0;
	}
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (fmt_parse_uint(num, 1, IRCBOT_PACE_BURST_MAX, &burst) < 0 || !(*++p >= '0' && *p <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9' && ms <= IRCBOT_PACE_SECS_MAX * 1000; p++)
		ms = ms * 10 + (unsigned long)(*p - '0') * 1000;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		for (p++; *p >= '0' && *p <= '9' && scale > 1; p++)
			ms += (unsigned long)(*p - '0') * (scale /= 10);
	if (*p || ms == 0 || ms > IRCBOT_PACE_SECS_MAX * 1000)
		return -1;
	*cost_ms = (unsigned)ms;
	*burst_ms = (unsigned)(burst * ms);
	return 0;
}

/* --- the control connection --------------------------------------------- */

/* Writes what out[0..*outlen) holds to the socket fd, as much as it takes
 * now (never waits). Returns the bytes written (0: none now), or -1 with
 * errno when the connection failed. */
static long ircbot_write(int fd, char *out, size_t *outlen)
{
	ssize_t w;

	if (fd < 0 || !*outlen)
		return 0;
	w = sendto(fd, out, *outlen, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	io_move_down(out, out + w, *outlen - (size_t)w);
	*outlen -= (size_t)w;
	return w;
}

/* Puts one line (without its "\n") into what waits for udpchatd if it fits
 * with reserve bytes to spare. Returns 0, or -1 (not attached, or no room:
 * udpchatd is not reading). */
static int ircbot_ctl_put(const char *line, size_t len, size_t reserve)
{
	if (bot.ctl_fd < 0 || !bot.attached || len > CTLSOCK_MAX_REQ ||
	    len + 1 + reserve > sizeof(bot.ctl_out) - bot.ctl_outlen)
		return -1;
	memcpy(bot.ctl_out + bot.ctl_outlen, line, len);
	bot.ctl_out[bot.ctl_outlen + len] = '\n';
	bot.ctl_outlen += len + 1;
	return 0;
}

/* A line from IRC for the room (post, act): dropped when not attached;
 * counted as not bridged when udpchatd has not taken what waits (the
 * notices keep IRCBOT_CTL_RESERVE bytes). */
static void ircbot_ctl_send(const char *line, size_t len)
{
	if (ircbot_ctl_put(line, len, IRCBOT_CTL_RESERVE) < 0 && bot.attached)
		bot.in_dropped++;
}

/* Tells the room something about the bridge ("[bridge TAG] text"). */
static void ircbot_notice(const char *text)
{
	char buf[CTLSOCK_MAX_REQ + 1];
	int n = fmt_snprintf(buf, sizeof(buf), "notice %s", text);

	if (n > 0 && (size_t)n < sizeof(buf))
		ircbot_ctl_put(buf, (size_t)n, 0);
}

static void ircbot_ctl_close(int64_t now)
{
	if (bot.ctl_fd >= 0)
		close(bot.ctl_fd);
	bot.ctl_fd = -1;
	bot.attached = 0;
	bot.ctl_outlen = 0;
	ircbot_backoff(&bot.ctl_retry, now);
}

/* Connects to the control socket (non-blocking: a listen queue that is
 * full is a failure, tried again later) and asks to be a bridge. */
static void ircbot_ctl_open(int64_t now)
{
	bot.ctl_fd = net_unix_connect(bot.ctl_path); /* its length checked in main */
	if (bot.ctl_fd < 0) {
		if (bot.ctl_retry.ms <= IRCBOT_BACKOFF_MS)
			log_warn("cannot connect to %s: %s (is udpchatd running? -c PATH)",
				 bot.ctl_path, fmt_strerror(errno));
		ircbot_ctl_close(now);
		return;
	}
	bot.ctl_outlen = (size_t)fmt_snprintf(bot.ctl_out, sizeof(bot.ctl_out), "bridge %s\n",
					       bot.tag);
	io_lines_init(&bot.ctl_in, bot.ctl_fd, bot.ctl_buf, sizeof(bot.ctl_buf));
}

/* --- room lines for IRC ---------------------------------------------------- */

/* Queues one formatted line (with its "\r\n") for the channel, or counts
 * it as not bridged when the queue has no room for it. */
static void ircbot_queue(const char *line, int len)
{
	if (len <= 0)
		return;
	if ((size_t)len > sizeof(bot.q) - bot.qend + bot.qhead) {
		bot.dropped++;
		return;
	}
	if ((size_t)len > sizeof(bot.q) - bot.qend) {
		io_move_down(bot.q, bot.q + bot.qhead, bot.qend - bot.qhead);
		bot.qend -= bot.qhead;
		bot.qhead = 0;
	}
	memcpy(bot.q + bot.qend, line, (size_t)len);
	bot.qend += (size_t)len;
}

/* Queues text for the channel as cmd (IRC_PRIVMSG or IRC_NOTICE), each
 * piece after tag (e.g. "<alice> ", or ""), split so that the line the
 * server relays stays within its limit. */
static void ircbot_say(enum irc_cmd cmd, const char *tag, const char *text, size_t len)
{
	char piece[IRC_LINE_MAX + 1], line[IRC_LINE_MAX + 1];
	size_t tl = strlen(tag), n;
	size_t max = irc_split_budget(irc_prefix_len(strlen(bot.nick)), strlen(bot.chan), tl, 0);

	if (cmd == IRC_NOTICE && max > 0)
		max--;
	if (max == 0 || tl + max > IRC_LINE_MAX)
		return;
	while ((n = irc_split(text, len, max)) > 0) {
		memcpy(piece, tag, tl);
		memcpy(piece + tl, text, n);
		ircbot_queue(line, irc_fmt_msg(line, sizeof(line), cmd, bot.chan,
					      (struct proto_span){ piece, tl + n }));
		text += n;
		len -= n;
	}
}

enum ircbot_event ircbot_event_kind(const char *t, size_t len, size_t *name_len)
{
	size_t i;

	for (i = 0; i < len && t[i] != ' ' && t[i] != ':'; i++)
		;
	if (i > 0 && i + 1 < len && t[i] == ':' && t[i + 1] == ' ') {
		if (memchr(t, '@', i) || i > PROTO_NAME_BYTES)
			return IRCBOT_EV_REMOTE;
		*name_len = i;
		return IRCBOT_EV_CHAT;
	}
	if (len >= 2 && t[0] == '*' && t[1] == ' ') {
		for (i = 2; i < len && t[i] != ' '; i++)
			if (t[i] == '@')
				return IRCBOT_EV_REMOTE; /* "* nick@tag text": a bridge's action */
	}
	if (len >= 8 && memcmp(t, "[bridge ", 8) == 0)
		return IRCBOT_EV_REMOTE;
	return IRCBOT_EV_OTHER;
}

/* One room event ("=SEQ TEXT"'s TEXT): ircbot_event_kind says what it is. */
static void ircbot_room_event(const char *t, size_t len)
{
	char tag[PROTO_NAME_BYTES + 4];
	size_t i = 0;

	switch (ircbot_event_kind(t, len, &i)) {
	case IRCBOT_EV_CHAT:
		tag[0] = '<';
		memcpy(tag + 1, t, i);
		memcpy(tag + 1 + i, "> ", 3);
		ircbot_say(IRC_PRIVMSG, tag, t + i + 2, len - i - 2);
		break;
	case IRCBOT_EV_OTHER:
		if (bot.notices)
			ircbot_say(IRC_NOTICE, "", t, len);
		break;
	case IRCBOT_EV_REMOTE:
		break;
	}
}

/* One line from udpchatd. */
static void ircbot_ctl_line(const char *line, size_t len, int64_t now)
{
	unsigned long n;
	char num[12];
	size_t i;

	if (len > 0 && line[0] == '=') {
		for (i = 1; i < len && line[i] != ' '; i++)
			;
		if (i + 1 < len)
			ircbot_room_event(line + i + 1, len - i - 1);
	} else if (len > 6 && memcmp(line, "-LOST ", 6) == 0) {
		i = len - 6 < sizeof(num) - 1 ? len - 6 : sizeof(num) - 1;
		memcpy(num, line + 6, i);
		num[i] = '\0';
		if (fmt_parse_uint(num, 0, 0xffffffffUL, &n) == 0)
			bot.dropped += n;
	} else if (len > 11 && memcmp(line, "+OK bridge ", 11) == 0) {
		bot.attached = 1;
		bot.ctl_retry.ms = 0;
		log_info("attached to %s as bridge %s", bot.ctl_path, bot.tag);
		if (bot.state == LINK_JOINED)
			ircbot_notice("linked to IRC");
	} else if (len > 0) {
		log_warn("udpchatd: %.*s", (int)(len > 200 ? 200 : len), line);
		if (!bot.attached)
			ircbot_ctl_close(now);
	}
}

/* --- the IRC link ------------------------------------------------------------ */

/* Puts line[0..len) into what waits for the server if it all fits.
 * Returns 0, or -1 (no room: the server has not taken what waits). */
static int ircbot_irc_put(const char *line, size_t len, int64_t now)
{
	if (len > sizeof(bot.irc_out) - bot.irc_outlen)
		return -1;
	if (!bot.irc_outlen)
		bot.wrote_ms = now; /* the stall clock starts */
	memcpy(bot.irc_out + bot.irc_outlen, line, len);
	bot.irc_outlen += len;
	return 0;
}

/* Sends one line to the server (a command of the protocol's own: NICK,
 * PONG...; counted by the pacing, never held back by it). Never waits: a
 * line that finds no room is dropped (a server that reads nothing gets no
 * PONG; ircbot_timers ends the link when it takes nothing for long). */
static void ircbot_irc_send(int len, const char *line, int64_t now)
{
	if (len < 0 || bot.irc_fd < 0)
		return;
	ircbot_irc_put(line, (size_t)len, now);
	irc_pace_sent(&bot.pace, now);
}

static void ircbot_irc_close(const char *why, int64_t now)
{
	char buf[200];

	if (bot.irc_fd >= 0)
		close(bot.irc_fd);
	bot.irc_fd = -1;
	bot.irc_outlen = 0;
	if (bot.state == LINK_JOINED || bot.was_joined) {
		fmt_snprintf(buf, sizeof(buf), "link to IRC down (%s); reconnecting", why);
		ircbot_notice(buf);
		bot.was_joined = 0;
	}
	log_warn("%s: %s", bot.host, why);
	bot.state = LINK_DOWN;
	ircbot_backoff(&bot.irc_retry, now);
}

/* Starts a connection to the server: resolves its name (blocking, as the
 * other programs do), then a non-blocking connect. */
static void ircbot_irc_open(int64_t now)
{
	struct net_addr addrs[4];
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[200];
	int n, fam, fd;

	n = resolv_lookup(bot.host, bot.port, addrs, 4, err, sizeof(err));
	if (n <= 0) {
		log_warn("%s", err);
		ircbot_backoff(&bot.irc_retry, now);
		return;
	}
	bot.addr_i %= n;
	fam = IN6_IS_ADDR_V4MAPPED(&addrs[bot.addr_i].sin6.sin6_addr) ? AF_INET : AF_INET6;
	sl = net_addr_to(&addrs[bot.addr_i], fam, &ss);
	bot.addr_i++;
	fd = (int)syscall(SYS_socket, fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)) {
		bot.irc_fd = fd;
		ircbot_irc_close(fmt_strerror(errno), now);
		return;
	}
	bot.irc_fd = fd;
	bot.state = LINK_CONNECTING;
	bot.deadline_ms = now + IRCBOT_CONNECT_MS;
}

/* The TCP connection is up (it stays non-blocking): NICK and USER. */
static void ircbot_irc_connected(int64_t now)
{
	char line[IRC_LINE_MAX + 1], real[64];
	int e = 0;
	socklen_t el = sizeof(e);

	if (getsockopt(bot.irc_fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e) {
		ircbot_irc_close(fmt_strerror(e ? e : errno), now);
		return;
	}
	io_lines_init(&bot.irc_in, bot.irc_fd, bot.irc_buf, sizeof(bot.irc_buf));
	irc_isupport_init(&bot.is);
	irc_pace_init(&bot.pace, bot.pace_cost_ms, bot.pace_burst_ms, now);
	bot.alt = 0;
	bot.nicklen = IRC_NICKLEN;
	bot.heard_ms = bot.pinged_ms = now;
	bot.state = LINK_REGISTERING;
	if (irc_nick_alt(bot.nick, bot.nick_base, IRC_NICKLEN, 0) < 0)
		memcpy(bot.nick, IRC_NICK_DEFAULT, sizeof(IRC_NICK_DEFAULT));
	fmt_snprintf(real, sizeof(real), "udpchat bridge %s", bot.tag);
	ircbot_irc_send(irc_fmt_nick(line, sizeof(line), bot.nick), line, now);
	ircbot_irc_send(irc_fmt_user(line, sizeof(line), IRCBOT_USER, real), line, now);
}

/* IRC's case folding (RFC 1459 2.2: {}|^ are the lower case of []\~). */
static int ircbot_same(struct proto_span a, const char *b)
{
	size_t i;
	unsigned char x, y;

	if (a.len != strlen(b))
		return 0;
	for (i = 0; i < a.len; i++) {
		x = (unsigned char)a.p[i];
		y = (unsigned char)b[i];
		x = x >= 'A' && x <= '^' ? x + 32 : x;
		y = y >= 'A' && y <= '^' ? y + 32 : y;
		if (x != y)
			return 0;
	}
	return 1;
}

size_t ircbot_room_nick(struct proto_span nick, char *out)
{
	size_t n = 0, i;
	unsigned char c;

	if (nick.len > 0 && strchr("/+-[", nick.p[0]) && nick.p[0])
		out[n++] = '_';
	for (i = 0; i < nick.len && n < BRIDGE_NICK_MAX; i++) {
		c = (unsigned char)nick.p[i];
		out[n++] = c > ' ' && c < 127 && c != '@' && c != ':' ? (char)c : '_';
	}
	out[n] = '\0';
	return n;
}

enum ircbot_peer_line ircbot_peer_text(struct proto_span t, struct proto_span *name,
				       struct proto_span *text)
{
	enum ircbot_peer_line kind = IRCBOT_PEER_NONE;
	size_t i, from = 1;

	if (t.len > 2 && t.p[0] == '<')
		kind = IRCBOT_PEER_POST;
	else if (t.len > 2 && t.p[0] == '*' && t.p[1] == ' ')
		kind = IRCBOT_PEER_ACT;
	else
		return IRCBOT_PEER_NONE;
	from += kind == IRCBOT_PEER_ACT;
	for (i = from; i < t.len && t.p[i] != ' '; i++)
		;
	*name = (struct proto_span){ t.p + from, i - from };
	*text = (struct proto_span){ t.p + i + 1, i < t.len ? t.len - i - 1 : 0 };
	if (kind == IRCBOT_PEER_POST) {
		if (name->len < 2 || name->p[name->len - 1] != '>')
			return IRCBOT_PEER_NONE;
		name->len--;
	}
	if (name->len == 0 || name->len > PROTO_NAME_BYTES || text->len == 0)
		return IRCBOT_PEER_NONE;
	return kind;
}

/* The peer (-P) whose bridge speaks as nick, or -1: its nick or one of
 * the alternates it takes when that one is in use (irc_nick_alt). */
static int ircbot_peer(struct proto_span nick)
{
	char alt[IRC_NICKLEN_MAX + 1];
	unsigned i, n;

	for (i = 0; i < bot.npeers; i++) {
		if (ircbot_same(nick, bot.peer[i].nick))
			return (int)i;
		if (nick.len == 0 || (nick.p[0] | 32) != (bot.peer[i].nick[0] | 32))
			continue; /* no alternate of it */
		for (n = 1; irc_nick_alt(alt, bot.peer[i].nick, bot.is.nicklen, n) > 0; n++)
			if (ircbot_same(nick, alt))
				return (int)i;
	}
	return -1;
}

/* A PRIVMSG to the channel: to the room as "post TAG nick text" (or
 * "act"), the text cleaned by irc_text_to_room and split at 512 bytes.
 * From an IRC user, TAG is ours and the nick made one the room takes
 * (ircbot_room_nick); from a peer bridge (-P), the speaker is its
 * member, with the peer's TAG (ircbot_peer_text): never the bot itself. */
static void ircbot_irc_privmsg(const struct irc_msg *m)
{
	static char text[IRC_TEXT_OUT(IRC_LINE_MAX)];
	char line[CTLSOCK_MAX_REQ + 1], nick[BRIDGE_NICK_MAX + 1];
	struct proto_span in = m->params[m->nparams - 1], who, t;
	enum irc_text_kind kind;
	enum ircbot_peer_line pl;
	const char *tag = bot.tag;
	int len, act, peer;
	long tl;
	size_t n;

	if (in.len > IRC_LINE_MAX)
		return;
	tl = irc_text_to_room(in, text, sizeof(text), &kind);
	if (tl <= 0 || kind == IRC_TEXT_CTCP)
		return;
	t = (struct proto_span){ text, (size_t)tl };
	act = kind == IRC_TEXT_ACTION;
	peer = ircbot_peer(m->nick);
	if (peer >= 0) {
		pl = act ? IRCBOT_PEER_NONE : ircbot_peer_text(t, &who, &t);
		if (pl == IRCBOT_PEER_NONE)
			return; /* the peer bot's own words, not its room's */
		act = pl == IRCBOT_PEER_ACT;
		tag = bot.peer[peer].tag;
	} else {
		who = (struct proto_span){ nick, ircbot_room_nick(m->nick, nick) };
		if (who.len == 0)
			return;
	}
	for (; t.len > 0; t.p += n, t.len -= n) {
		n = irc_split(t.p, t.len, PROTO_MAX_LINE);
		if (n == 0)
			break;
		len = fmt_snprintf(line, sizeof(line), "%s %s %.*s %.*s", act ? "act" : "post",
				   tag, (int)who.len, who.p, (int)n, t.p);
		if (len > 0 && (size_t)len < sizeof(line))
			ircbot_ctl_send(line, (size_t)len);
	}
}

/* A PRIVMSG to the channel from an IRC user, if the room takes one now
 * (IRCBOT_IN_COST_MS, IRCBOT_IN_BURST_MS: a server flooding the bridge
 * does not flood the room); else counted, and the room is told. */
static void ircbot_irc_in(const struct irc_msg *m, int64_t now)
{
	if (irc_pace_wait(&bot.in_pace, now) > 0) {
		bot.in_dropped++;
		return;
	}
	irc_pace_sent(&bot.in_pace, now);
	ircbot_irc_privmsg(m);
}

/* One line from the IRC server. */
static void ircbot_irc_line(const char *p, size_t len, int64_t now)
{
	struct irc_msg m;
	char line[IRC_LINE_MAX + 1];
	struct proto_span last;

	if (irc_parse((struct proto_span){ p, io_drop_cr(p, len) }, bot.is.linelen, &m))
		return;
	last = m.nparams ? m.params[m.nparams - 1] : (struct proto_span){ "", 0 };
	switch (irc_cmd_class(m.cmd)) {
	case IRC_CLASS_WELCOME:
		if (m.nparams > 0 && m.params[0].len < sizeof(bot.nick)) {
			memcpy(bot.nick, m.params[0].p, m.params[0].len);
			bot.nick[m.params[0].len] = '\0';
		}
		log_info("registered on %s as %s", bot.host, bot.nick);
		bot.state = LINK_JOINING;
		ircbot_irc_send(irc_fmt_join(line, sizeof(line), bot.chan, bot.key), line, now);
		return;
	case IRC_CLASS_ISUPPORT:
		irc_isupport_parse(&bot.is, &m);
		return;
	case IRC_CLASS_NICK_BAD:
		/* 432: perhaps longer than the server's NICKLEN (its 005 comes
		 * after 001), perhaps reserved: the next ones are shorter, so a
		 * server that refuses them all is left after a few, not 100 */
		if (bot.state == LINK_REGISTERING && strlen(bot.nick) > 1 &&
		    strlen(bot.nick) <= bot.nicklen)
			bot.nicklen = (unsigned)strlen(bot.nick) - 1;
		/* fall through */
	case IRC_CLASS_NICK_TAKEN:
		if (bot.state != LINK_REGISTERING)
			return;
		if (irc_nick_alt(bot.nick, bot.nick_base, bot.nicklen, ++bot.alt) < 0) {
			ircbot_irc_close("no nick left to try", now);
			return;
		}
		ircbot_irc_send(irc_fmt_nick(line, sizeof(line), bot.nick), line, now);
		return;
	case IRC_CLASS_JOIN_FAIL:
		ircbot_irc_close("the channel refused the join", now);
		return;
	default:
		break;
	}
	switch (m.cmd) {
	case IRC_PING:
		if (last.len)
			ircbot_irc_send(irc_fmt_pong(line, sizeof(line), last), line, now);
		break;
	case IRC_ERROR:
		ircbot_irc_close("ERROR from the server", now);
		break;
	case IRC_JOIN:
		if (m.nparams > 0 && ircbot_same(m.nick, bot.nick) && ircbot_same(m.params[0], bot.chan)) {
			log_info("joined %s on %s", bot.chan, bot.host);
			bot.state = LINK_JOINED;
			bot.was_joined = 1;
			bot.irc_retry.ms = 0;
			ircbot_notice("linked to IRC");
		}
		break;
	case IRC_KICK:
		if (m.nparams > 1 && ircbot_same(m.params[1], bot.nick)) {
			bot.state = LINK_JOINING;
			ircbot_irc_send(irc_fmt_join(line, sizeof(line), bot.chan, bot.key), line, now);
		}
		break;
	case IRC_NICK:
		if (m.nparams > 0 && ircbot_same(m.nick, bot.nick) && last.len <= IRC_NICKLEN_MAX) {
			memcpy(bot.nick, last.p, last.len);
			bot.nick[last.len] = '\0';
		}
		break;
	case IRC_PRIVMSG:
		/* NOTICE is never relayed (RFC 1459 4.4.2: no automatic reply) */
		if (m.nparams == 2 && !m.from_server && m.nick.len &&
		    ircbot_same(m.params[0], bot.chan) && !ircbot_same(m.nick, bot.nick))
			ircbot_irc_in(&m, now);
		break;
	default:
		break;
	}
}

/* Reads what the server sent. */
static void ircbot_irc_read(int64_t now)
{
	const char *line;
	size_t len;
	int r;

	if (io_lines_fill(&bot.irc_in) < 0 && errno != EAGAIN && errno != EINTR)
		bot.irc_in.eof = 1;
	bot.heard_ms = now;
	while (bot.irc_fd >= 0 && (r = io_lines_next(&bot.irc_in, &line, &len)) != IO_NONE)
		if (r == IO_LINE)
			ircbot_irc_line(line, len, now);
	if (bot.irc_fd >= 0 && bot.irc_in.eof)
		ircbot_irc_close("connection closed", now);
}

/* Sends what the pacing lets go, while the server takes it (a line stays
 * queued until what waits for the server leaves room for it); tells the
 * room of lines not bridged, each way, at most once every IRCBOT_TELL_MS:
 * to IRC (the queue was full, or udpchatd's buffer for the bridge: -LOST)
 * and from IRC (more than IRCBOT_IN_COST_MS allows, or udpchatd not
 * reading). Returns the milliseconds until the next line may go (-1:
 * nothing waits, or it waits for the server to take what waits). */
static int64_t ircbot_flush(int64_t now)
{
	char buf[100];
	int64_t w = -1;
	const char *eol;
	size_t n;

	while (bot.state == LINK_JOINED && bot.qend > bot.qhead) {
		w = irc_pace_wait(&bot.pace, now);
		if (w > 0)
			break;
		w = -1;
		eol = memchr(bot.q + bot.qhead, '\n', bot.qend - bot.qhead);
		n = eol ? (size_t)(eol - (bot.q + bot.qhead)) + 1 : bot.qend - bot.qhead;
		if (ircbot_irc_put(bot.q + bot.qhead, n, now) < 0)
			break; /* POLLOUT: the server took some */
		irc_pace_sent(&bot.pace, now);
		bot.qhead += n;
		if (bot.qhead == bot.qend)
			bot.qhead = bot.qend = 0;
	}
	if (bot.dropped && bot.attached && now >= bot.told_ms) {
		fmt_snprintf(buf, sizeof(buf), "%lu lines not bridged", bot.dropped);
		ircbot_notice(buf);
		bot.dropped = 0;
		bot.told_ms = now + IRCBOT_TELL_MS;
	}
	if (bot.in_dropped && bot.attached && now >= bot.in_told_ms) {
		fmt_snprintf(buf, sizeof(buf), "%lu lines from IRC not bridged (at most %u a second)",
			     bot.in_dropped, 1000u / IRCBOT_IN_COST_MS);
		ircbot_notice(buf);
		bot.in_dropped = 0;
		bot.in_told_ms = now + IRCBOT_TELL_MS;
	}
	return w;
}

/* Writes what waits for either side, as much as each takes now. */
static void ircbot_write_out(int64_t now)
{
	long w;

	if (bot.irc_fd >= 0 && bot.state >= LINK_REGISTERING) {
		w = ircbot_write(bot.irc_fd, bot.irc_out, &bot.irc_outlen);
		if (w < 0)
			ircbot_irc_close(fmt_strerror(errno), now);
		else if (w > 0)
			bot.wrote_ms = now;
	}
	if (ircbot_write(bot.ctl_fd, bot.ctl_out, &bot.ctl_outlen) < 0) {
		log_warn("control socket: %s", fmt_strerror(errno));
		ircbot_ctl_close(now);
	}
}

/* Keeps the link alive: a PING after a silence, a reconnect after a long
 * one or when the server took nothing for as long, a connect that takes
 * too long. */
static void ircbot_timers(int64_t now)
{
	char line[IRC_LINE_MAX + 1];

	if (bot.state == LINK_CONNECTING && now >= bot.deadline_ms) {
		ircbot_irc_close("connect timed out", now);
	} else if (bot.state >= LINK_REGISTERING) {
		if (now - bot.heard_ms >= 2 * bot.idle_ms) {
			ircbot_irc_close("no answer to PING", now);
		} else if (bot.irc_outlen && now - bot.wrote_ms >= 2 * bot.idle_ms) {
			ircbot_irc_close("the server reads nothing", now);
		} else if (now - bot.heard_ms >= bot.idle_ms && now - bot.pinged_ms >= bot.idle_ms) {
			bot.pinged_ms = now;
			ircbot_irc_send(irc_fmt_ping(line, sizeof(line),
						     (struct proto_span){ bot.host, strlen(bot.host) }),
					line, now);
		}
	}
	if (bot.state == LINK_DOWN && now >= bot.irc_retry.at_ms)
		ircbot_irc_open(now);
	if (bot.ctl_fd < 0 && now >= bot.ctl_retry.at_ms)
		ircbot_ctl_open(now);
}

/* The poll timeout: the nearest timer. */
static int ircbot_wait(int64_t now, int64_t pace)
{
	int64_t t = now + 1000;

	if (pace >= 0 && now + pace < t)
		t = now + pace;
	if (bot.dropped && bot.attached && bot.told_ms < t)
		t = bot.told_ms;
	if (bot.in_dropped && bot.attached && bot.in_told_ms < t)
		t = bot.in_told_ms;
	if (bot.state == LINK_DOWN && bot.irc_retry.at_ms < t)
		t = bot.irc_retry.at_ms;
	if (bot.ctl_fd < 0 && bot.ctl_retry.at_ms < t)
		t = bot.ctl_retry.at_ms;
	return t > now ? (int)(t - now) : 0;
}

/* Whether tag is 1-PROTO_ID_MAX bytes of 0-9 A-Z a-z . _ - (as
 * udpchatd's "bridge TAG"); dies if not. */
static void ircbot_tag_check(const char *tag)
{
	if (strlen(tag) < 1 || strlen(tag) > PROTO_ID_MAX ||
	    strspn(tag, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._-") !=
	    strlen(tag))
		log_die(2, "bad tag '%s': 1-%d bytes of 0-9 A-Z a-z . _ -", tag, PROTO_ID_MAX);
}

/* Takes -P's value: NICK=TAG, or several with ','; dies on a bad one. */
static void ircbot_peers_add(const char *arg)
{
	const char *p = arg, *eq, *end;
	size_t nl, tl;

	for (; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		eq = memchr(p, '=', (size_t)(end - p));
		nl = eq ? (size_t)(eq - p) : 0;
		tl = eq ? (size_t)(end - eq - 1) : 0;
		if (bot.npeers == IRCBOT_PEERS)
			log_die(2, "-P: at most %d peer bridges", IRCBOT_PEERS);
		if (!eq || !irc_nick_ok((struct proto_span){ p, nl }, IRC_NICKLEN_MAX) ||
		    tl > PROTO_ID_MAX)
			log_die(2, "-P %s: NICK=TAG (an IRC nick, then a tag)", arg);
		memcpy(bot.peer[bot.npeers].nick, p, nl);
		bot.peer[bot.npeers].nick[nl] = '\0';
		memcpy(bot.peer[bot.npeers].tag, eq + 1, tl);
		bot.peer[bot.npeers].tag[tl] = '\0';
		ircbot_tag_check(bot.peer[bot.npeers++].tag);
	}
}

static void ircbot_args(int argc, char **argv)
{
	struct opt o = OPT_INIT;
	char on[OPT_NAME_MAX];
	unsigned long port, idle = IRCBOT_IDLE_S;
	char *colon;
	int c;

	bot.ctl_path = CTLSOCK_DEFAULT_PATH;
	bot.nick_base = IRC_NICK_DEFAULT;
	bot.tag = "irc";
	bot.notices = 1;
	bot.port = IRCBOT_PORT;
	bot.pace_cost_ms = IRC_PACE_COST_MS;
	bot.pace_burst_ms = IRC_PACE_BURST_MS;
	while ((c = opt_next(&o, argc, argv, "c:n:t:k:P:NSr:i:hV")) != -1) {
		switch (c) {
		case 'c': bot.ctl_path = o.arg; break;
		case 'n': bot.nick_base = o.arg; break;
		case 't': bot.tag = o.arg; break;
		case 'k': bot.key = o.arg; break;
		case 'P': ircbot_peers_add(o.arg); break;
		case 'N': bot.notices = 0; break;
		case 'S': log_use_syslog("udpchatirc"); break;
		case 'r':
			if (ircbot_pace_arg(o.arg, &bot.pace_cost_ms, &bot.pace_burst_ms) < 0)
				log_die(2, "bad -r '%s': BURST/SECONDS (1-%d lines, at most %d s, "
					"e.g. 5/2 or 10/0.5) or 0", o.arg, IRCBOT_PACE_BURST_MAX,
					IRCBOT_PACE_SECS_MAX);
			break;
		case 'i':
			if (fmt_parse_uint(o.arg, 1, IRCBOT_IDLE_MAX_S, &idle) < 0)
				log_die(2, "bad -i '%s': 1-%d seconds", o.arg, IRCBOT_IDLE_MAX_S);
			break;
		case 'h': ircbot_usage(1); _exit(0);
		case 'V': fmt_dprintf(1, "udpchatirc %s\n", UCHAT_VERSION); _exit(0);
		case ':': log_die(2, "option %s needs a value (see -h)", opt_name(&o, on));
		default: log_die(2, "unknown option %s (see -h)", opt_name(&o, on));
		}
	}
	if (argc - o.ind != 2)
		log_die(2, "usage: udpchatirc [options] SERVER[:PORT] CHANNEL (see -h)");
	bot.host = argv[o.ind];
	bot.chan = argv[o.ind + 1];
	colon = strrchr(argv[o.ind], ':');
	if (colon && !strchr(argv[o.ind], ']') && strchr(argv[o.ind], ':') != colon)
		colon = NULL; /* a bare IPv6 address */
	if (argv[o.ind][0] == '[' && (colon = strstr(argv[o.ind], "]:")) != NULL)
		colon++;
	if (colon) {
		if (fmt_parse_uint(colon + 1, 1, 65535, &port) < 0)
			log_die(2, "bad port in %s", argv[o.ind]);
		bot.port = (unsigned)port;
		*colon = '\0';
	}
	if (bot.host[0] == '[') {
		bot.host++;
		if ((colon = strchr(argv[o.ind], ']')) != NULL)
			*colon = '\0';
	}
	if (!strchr("#&+!", bot.chan[0]) || strlen(bot.chan) > IRC_CHANNELLEN ||
	    strpbrk(bot.chan, " ,\a"))
		log_die(2, "bad channel '%s': #name, at most %d bytes", bot.chan, IRC_CHANNELLEN);
	ircbot_tag_check(bot.tag);
	if (strlen(bot.ctl_path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		log_die(2, "control socket path too long: %s", bot.ctl_path);
	if (bot.key && (!bot.key[0] || strpbrk(bot.key, " ,\r\n")))
		log_die(2, "bad channel key");
	bot.idle_ms = (int64_t)idle * 1000;
}

int ircbot_main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct pollfd pfd[PFD_N];
	char line[IRC_LINE_MAX + 1];
	const char *l;
	size_t len;
	int64_t now, pace;
	int r, sfd;

	ircbot_args(argc, argv);
	io_signal(SIGPIPE, SIG_IGN);
	sfd = io_sigpipe_open(sigs, 2);
	if (sfd < 0)
		log_die(1, "signal pipe: %s", fmt_strerror(errno));
	bot.irc_fd = bot.ctl_fd = -1;
	now = net_now_ms();
	bot.rand = (unsigned)now ^ (unsigned)getpid();
	irc_pace_init(&bot.in_pace, IRCBOT_IN_COST_MS, IRCBOT_IN_BURST_MS, now);
	for (;;) {
		ircbot_timers(now);
		pace = ircbot_flush(now);
		ircbot_write_out(now);
		pfd[PFD_IRC] = (struct pollfd){ .fd = bot.irc_fd,
			.events = bot.state == LINK_CONNECTING ? POLLOUT :
				  POLLIN | (bot.irc_outlen ? POLLOUT : 0) };
		pfd[PFD_CTL] = (struct pollfd){ .fd = bot.ctl_fd,
			.events = POLLIN | (bot.ctl_outlen ? POLLOUT : 0) };
		pfd[PFD_SIG] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (poll(pfd, PFD_N, ircbot_wait(now, pace)) < 0 && errno != EINTR)
			log_die(1, "poll: %s", fmt_strerror(errno));
		now = net_now_ms();
		if (pfd[PFD_SIG].revents && io_sigpipe_take())
			break;
		if (pfd[PFD_IRC].revents && bot.irc_fd >= 0) {
			if (bot.state == LINK_CONNECTING)
				ircbot_irc_connected(now);
			else if (pfd[PFD_IRC].revents & ~POLLOUT)
				ircbot_irc_read(now);
		}
		if ((pfd[PFD_CTL].revents & ~POLLOUT) && bot.ctl_fd >= 0) {
			if (io_lines_fill(&bot.ctl_in) < 0 && errno != EAGAIN && errno != EINTR)
				bot.ctl_in.eof = 1;
			while (bot.ctl_fd >= 0 && (r = io_lines_next(&bot.ctl_in, &l, &len)) != IO_NONE)
				if (r == IO_LINE)
					ircbot_ctl_line(l, len, now);
			if (bot.ctl_fd >= 0 && bot.ctl_in.eof) {
				log_warn("udpchatd closed the control connection; re-attaching");
				ircbot_ctl_close(now);
			}
		}
	}
	/* a last try, without waiting, to say goodbye on each side */
	ircbot_notice("bridge stopped");
	if (bot.irc_fd >= 0 && bot.state >= LINK_REGISTERING)
		ircbot_irc_send(irc_fmt_quit(line, sizeof(line),
					     (struct proto_span){ "bridge stopped", 14 }), line, now);
	ircbot_write_out(now);
	return 0;
}
