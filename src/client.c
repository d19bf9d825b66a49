/* client.c: udpchat, the chat client. Joins, then forks: the parent reads
 * the keyboard and sends, the child receives and prints (the seed's shape). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "bounds.h"
#include "catalog.h"
#include "compat.h"
#include "fmt.h"
#include "io.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "progs.h"
#include "proto.h"
#include "reply.h"
#include "resolv.h"
#include "seqwin.h"
#include "term.h"
#include "utf8.h"

#ifndef UCHAT_VERSION
#define UCHAT_VERSION "dev"
#endif

#define CLIENT_JOIN_FIRST_MS  250   /* first join retry; doubles each time */
#define CLIENT_JOIN_TOTAL_MS  5000  /* then "no answer from HOST:PORT" */
#define CLIENT_QUIT_WAIT_MS   500   /* wait for "+OK bye" before stopping */
#define CLIENT_REJOIN_GAP_MS  1000  /* at most one re-join per second */
#define CLIENT_PING_MAX_S     25    /* ping at least this often while idle, so a
					     * restarted server is noticed within 30 s */
#define CLIENT_PING_UNKNOWN_S 5     /* ... more often when we do not know its timeout */
#define CLIENT_PING_MIN_MS    250   /* ... and never more often than this */
/* protocol v1.1 (docs/PROTOCOL.md): acknowledged sends, recovery */
#define CLIENT_FLIGHT         16    /* lines not yet acknowledged (one sent at a time) */
#define CLIENT_TRIES          15    /* sends of a line before "not delivered" (~26-39 s) */
#define CLIENT_ACK_FIRST_MS   300   /* first wait for its ack (x 1 to 1.5), doubling */
#define CLIENT_ACK_MAX_MS     2000  /* ... up to this */
#define CLIENT_SLOW_MS        1000  /* after "-ERR slow down", without a try counted */
#define CLIENT_ASK_MS         1000  /* at most one /since (or /seq) a second */
#define CLIENT_GAP_MS         10000 /* then the missing events are given up */
#define CLIENT_TAIL_MS        1500  /* /since this long after the last event, */
#define CLIENT_TAIL_TRIES     10    /* ... again each CLIENT_ASK_MS until answered, */
#define CLIENT_TAIL_MAX_MS    24000 /* ... then again twice as late, up to this */
#define CLIENT_ASK_PAD        1400  /* /seq, /since: 3x holds a replay (RING_REPLAY_MAX) */
#define CLIENT_LAST_K         20    /* /last K on joining a terminal (-k; a pipe: 0) */
#define CLIENT_RECV_MAX       (2 * PROTO_MAX_DGRAM)
#define CLIENT_JOIN_PAD       192   /* join datagram: 3x holds a 512-byte welcome */
#define CLIENT_SAY            "/say "
#define CLIENT_KEEPALIVE      "/ping keepalive"
#define CLIENT_ID_WIRE        "/id %lu "
/* discovery (docs/PROTOCOL.md "Discovery"): requests every EVERY_MS,
 * SENDS of them (Wi-Fi does not retry a broadcast), answers taken until
 * EVERY_MS after the last (1.2 s in all), at most DISCO_MAX rooms */
#define CLIENT_DISCO_EVERY_MS 300
#define CLIENT_DISCO_SENDS    4
#define CLIENT_DISCO_MAX      8

/* What the receiver tells the sender over a pipe when it learns it. */
enum client_note_kind {
	CLIENT_NOTE_NAME,                    /* welcome or new name: name, idle_s */
	CLIENT_NOTE_REFUSED,                 /* "-ERR not in the room" for a line */
	CLIENT_NOTE_REMOVED,                 /* "-ERR removed from the room (...)" */
	CLIENT_NOTE_SEQ,                     /* "+OK seq": tag lines with /id */
	CLIENT_NOTE_V1,                      /* the server knows no /seq */
	CLIENT_NOTE_ACK,                     /* "+OK ack ID SEQ": id */
	CLIENT_NOTE_SLOW                     /* "-ERR slow down" */
};
struct client_note {
	int kind;
	int idle_s;                          /* -1: unknown */
	unsigned long id;
	char name[PROTO_NAME_BYTES + 1];
};

struct client {
	const char *host, *port;
	int sock;
	int interactive;                     /* stdin is a terminal */
	char name[PROTO_NAME_BYTES + 1];
	int idle_s;                          /* server's idle timeout, 0 off, -1 unknown */
	char rbuf[CLIENT_RECV_MAX + 1];      /* the last datagram received */
	size_t rlen, roff;                   /* its lines from roff on are not handled */
	char reason[PROTO_MAX_LINE + 1];     /* why the join was refused */
	pid_t child;
	int note_fd;                         /* parent: read end; child: write end */
	long long last_send_ms;
	int quit_sent;
	int rejoining;                       /* both: a re-join is under way */
	/* sender only: lines tagged /id ID until acknowledged (v1.1) */
	long long rejoin_ms;
	unsigned long rejoin_id, refused;    /* lines refused before the re-join */
	int v11;                             /* 1: tag lines, -1: the server is v1 */
	unsigned long next_id;
	unsigned rand;
	/* receiver only: what the server sent, in seq order (v1.1) */
	int seq;                             /* CLIENT_SEQ_* */
	unsigned last_k;
	char epoch[9];
	uint32_t base, hist;                 /* history: at most base; shown up to hist */
	uint32_t early;                      /* the first =SEQ before "+OK seq" came */
	uint32_t dseq;                       /* the datagram's last event line (0: none) */
	int hist_done, tail, tail_wait;
	long long ask_ms, gap_ms, tail_ms;
};
enum { CLIENT_SEQ_OFF, CLIENT_SEQ_ASKED, CLIENT_SEQ_ON, CLIENT_SEQ_V1 };

/* The sender's lines: len 0 is a free slot. tries >= 0: tagged /id ID,
 * waiting for its ack (sent tries times); -1: sent untagged (a command, or
 * to a v1 server), kept to be sent again if a restarted server refused it. */
static struct client_flight {
	unsigned long id;                    /* every datagram the sender sends takes one */
	long long next_ms;
	int tries;
	size_t len, text;                    /* the datagram; its TEXT from text on */
	char line[PROTO_MAX_LINE];
} client_flight[CLIENT_FLIGHT];

/* The receiver's events, shown in seq order. */
static struct seqwin client_win;

enum { PFD_IN, PFD_SIG, PFD_NOTE, PFD_N };

/* The sender's signals, through io.c's self-pipe (client_sig_fd): SIGINT,
 * SIGTERM and SIGHUP leave; SIGCHLD: the receiver ended; SIGWINCH: the
 * terminal's size changed. */
#define CLIENT_SIG_QUIT (IO_SIG(SIGINT) | IO_SIG(SIGTERM) | IO_SIG(SIGHUP))
static int client_sig_fd = -1;

static int client_starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* A message from the client itself: "* text" in the scroll region on a
 * terminal, else "udpchat: text" on stderr (stdout stays the server's). */
static void client_notice(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void client_notice(const char *fmt, ...)
{
	char buf[PROTO_MAX_LINE + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf + 2, sizeof buf - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof buf - 3)
		n = (int)(sizeof buf - 3);
	if (term_active()) {
		memcpy(buf, "* ", 2);
		(void)term_print(buf, (size_t)n + 2, 0);
	} else {
		log_warn("%s", buf + 2);
	}
}

static void client_usage(int fd)
{
	fmt_dprintf(fd,
		"usage: udpchat [-n NAME] [-k K] [HOST [PORT]]\n"
		"Joins the udpchatd chat room at HOST (PORT " UCHAT_STR(PROTO_DEFAULT_PORT)
		" by default). HOST is an\n"
		"IPv4 or IPv6 address or a name (/etc/hosts, then DNS); without it, the\n"
		"rooms on the local links are asked for.\n"
		"  -n NAME  join as NAME (asked for when missing)\n"
		"  -k K     show the room's last K lines (0-" UCHAT_STR(ROOM_LAST_MAX)
		") on joining (default " UCHAT_STR(CLIENT_LAST_K) " on a\n"
		"           terminal, 0 in a pipe)\n"
		"  -h       show this help\n"
		"  -V       show the version\n"
		"Type a line to say it; %s.\n"
		"Ctrl-D on an empty line or /quit leaves.\n", PROTO_USAGES_SHOWN + 2);
}

/* --- sending ------------------------------------------------------------ */

/* Sends buf as one datagram as it is, as client_send does. */
static int client_send_raw(struct client *c, const char *buf, size_t len)
{
	int tries;

	c->last_send_ms = net_now_ms();
	for (tries = 0; tries < 2; tries++) {
		if (sendto(c->sock, buf, len, 0, NULL, 0) >= 0)
			return 0;
		if (errno != ECONNREFUSED && errno != EINTR)
			break;
	}
	return -1;
}

/* Sends "/since N" (join: "/seq" and, the first time, "/last K"), padded
 * with empty lines to CLIENT_ASK_PAD bytes: a replay is at most 3x the
 * datagram that asked (docs/PROTOCOL.md). On joining it also confirms our
 * address, as client_confirm's empty line does. */
static void client_ask(struct client *c, int join, uint32_t n)
{
	char buf[CLIENT_ASK_PAD];
	int len;

	if (!join)
		len = fmt_snprintf(buf, sizeof buf, "/since %u", (unsigned)n);
	else if (c->hist_done || !c->last_k)
		len = fmt_snprintf(buf, sizeof buf, "/seq");
	else
		len = fmt_snprintf(buf, sizeof buf, "/seq\n/last %u", c->last_k);
	if (len < 0)
		return;
	memset(buf + len, '\n', sizeof buf - (size_t)len);
	c->ask_ms = net_now_ms();
	(void)client_send_raw(c, buf, sizeof buf);
}

/* Sends line (without "\n") as one datagram. A pending ICMP error from an
 * earlier datagram is reported by send() instead of sending: retried once.
 * Returns 0 or -1 with errno. */
static int client_send(struct client *c, const char *line, size_t len)
{
	char buf[PROTO_MAX_LINE + 2];

	if (len > PROTO_MAX_LINE) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, line, len);
	buf[len++] = '\n';
	return client_send_raw(c, buf, len);
}

/* Sends "/join NAME", padded with empty lines to CLIENT_JOIN_PAD bytes:
 * the server answers an address it has heard from once with at most 3x its
 * datagram (docs/PROTOCOL.md), which then holds a full welcome line.
 * Returns 0 or -1. */
static int client_send_join(struct client *c)
{
	char buf[PROTO_MAX_LINE];
	int n = fmt_snprintf(buf, sizeof buf, "/join %s", c->name);

	if (n < 0)
		return -1;
	memset(buf + n, '\n', CLIENT_JOIN_PAD - 1 - (size_t)n);
	return client_send(c, buf, CLIENT_JOIN_PAD - 1);
}

/* The server's welcome came: a second datagram confirms our address (the
 * room hears of us, and the server's 3x bound on replies ends): an empty
 * line, or (v1.1) "/seq" and "/last K" (so no line comes without its
 * seq). */
static void client_confirm(struct client *c)
{
	if (c->seq == CLIENT_SEQ_V1) {
		(void)client_send(c, "", 0);
		return;
	}
	c->seq = CLIENT_SEQ_ASKED;
	client_ask(c, 1, 0);
}

/* --- joining -------------------------------------------------------------- */

/* The first "needle" in s[0..len), or NULL (libc's memmem is 1.6 kB of
 * two-way search; a welcome line is short). */
static const char *client_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/* Parses "+OK welcome NAME (idle timeout 600s), ..." or "... (no idle
 * timeout), ...": stores the name and the timeout (0 off, -1 not given). */
static void client_parse_welcome(const char *s, size_t len, char *name, int *idle_s)
{
	static const char pre[] = REPLY_WELCOME;
	static const char idle[] = REPLY_IDLE;
	const char *p = s + sizeof pre - 1, *end = s + len, *sp;
	size_t n;

	sp = memchr(p, ' ', (size_t)(end - p));
	n = (size_t)((sp ? sp : end) - p);
	if (n > 0 && n <= PROTO_NAME_BYTES) {
		memcpy(name, p, n);
		name[n] = '\0';
	}
	*idle_s = -1;
	if (client_find(s, len, REPLY_NO_IDLE)) {
		*idle_s = 0;
	} else if ((p = client_find(s, len, idle)) != NULL) {
		long v = 0;

		for (p += strlen(idle); p < end && *p >= '0' && *p <= '9' && v < 1000000; p++)
			v = v * 10 + (*p - '0');
		*idle_s = (int)v;
	}
}

/* Looks through the datagram in c->rbuf for the answer to a join. Returns 1
 * joined (c->roff: the first line still to show), 0 refused (c->reason), or
 * -1 if the datagram holds no answer. */
static int client_join_answer(struct client *c)
{
	static const char already[] = REPLY_ALREADY " as ";
	struct proto_lines it;
	struct proto_span l;

	proto_lines_init(&it, c->rbuf, c->rlen);
	while (proto_lines_next(&it, &l)) {
		if (client_starts(l.p, l.len, REPLY_WELCOME)) {
			client_parse_welcome(l.p, l.len, c->name, &c->idle_s);
			c->roff = (size_t)(l.p - c->rbuf); /* shown, and confirmed, by
							    * client_on_line */
			return 1;
		}
		if (client_starts(l.p, l.len, already)) {
			/* an earlier try got in and its answer was lost */
			size_t n = l.len - (sizeof already - 1);
			if (n > 0 && n <= PROTO_NAME_BYTES) {
				memcpy(c->name, l.p + sizeof already - 1, n);
				c->name[n] = '\0';
			}
			c->idle_s = -1;
			c->roff = (size_t)(it.p - c->rbuf);
			client_confirm(c);
			return 1;
		}
		if (client_starts(l.p, l.len, REPLY_ERR)) {
			term_sanitize(l.p + sizeof REPLY_ERR - 1, l.len - (sizeof REPLY_ERR - 1),
				      c->reason, sizeof c->reason);
			return 0;
		}
	}
	return -1;
}

/* Reads one datagram into c->rbuf without blocking. Returns its length,
 * or -1 (EAGAIN, or ECONNREFUSED: an ICMP error, nobody at HOST:PORT yet). */
static ssize_t client_recv(struct client *c)
{
	ssize_t n = recvfrom(c->sock, c->rbuf, CLIENT_RECV_MAX, MSG_DONTWAIT, NULL, NULL);

	c->rlen = n > 0 ? (size_t)n : 0;
	c->roff = 0;
	c->rbuf[c->rlen] = '\0';
	return n;
}

/* Joins as c->name: sends /join with backoff until an answer comes.
 * Returns 1 joined, 0 refused (reason in c->reason), -1 no answer. */
static int client_join(struct client *c)
{
	long long now = net_now_ms();
	long long give_up = now + CLIENT_JOIN_TOTAL_MS, next = now;
	int wait = CLIENT_JOIN_FIRST_MS;

	while (client_recv(c) >= 0 || errno == ECONNREFUSED)
		;   /* drop answers to an earlier name */
	for (;;) {
		struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
		long long until;

		now = net_now_ms();
		if (now >= give_up)
			return -1;
		if (now >= next) {
			(void)client_send_join(c);
			next = now + wait;
			wait *= 2;
		}
		until = next < give_up ? next : give_up;
		if (poll(&pfd, 1, (int)(until - now)) <= 0)
			continue;
		if (client_recv(c) > 0) {
			int r = client_join_answer(c);
			if (r >= 0)
				return r;
		}
	}
}

/* --- reading lines from a non-terminal stdin ------------------------------ */

/* Stdin's lines (io.c's reader; the name asked for on a terminal too): a
 * line of at most TERM_EDIT_MAX - 1 bytes, so that one too long to send is
 * refused with its length as typed lines are. */
static char client_inbuf[TERM_EDIT_MAX];

/* Reads the next line of stdin, blocking, into *line and *len (a "\r"
 * before the "\n" dropped); says on stderr that a line too long to hold
 * is skipped. Returns 1, or 0 at EOF or on an error. */
static int client_read_line(struct io_lines *in, const char **line, size_t *len)
{
	int r;

	while ((r = io_lines_read(in, line, len)) == IO_LONG)
		log_warn("line too long (%zu bytes, max %d)", *len, TERM_EDIT_MAX - 1);
	if (r == IO_NONE)
		return 0;
	*len = io_drop_cr(*line, *len);
	return 1;
}

/* Gets a name: prompts on a terminal (again after an invalid one), else
 * takes the first line of stdin. Returns 0, or -1 (EOF, or an invalid name
 * when not interactive) after saying why on stderr. */
static int client_ask_name(struct client *c, struct io_lines *in)
{
	const char *line, *why;
	size_t len;

	for (;;) {
		if (c->interactive)
			fmt_dprintf(term_isatty(1) ? 1 : 2, "name: ");
		if (!client_read_line(in, &line, &len)) {
			if (c->interactive)
				fmt_dprintf(2, "\n"); /* end the prompt's line */
			log_warn("no name given");
			return -1;
		}
		if (len == 0 && c->interactive)
			continue;
		why = proto_name_error((struct proto_span){ line, len });
		if (!why) {
			memcpy(c->name, line, len);
			c->name[len] = '\0';
			return 0;
		}
		log_warn("invalid name: %s", why);
		if (!c->interactive)
			return -1;
	}
}

/* --- discovery ------------------------------------------------------------ */

/* The first 8 blank-separated words of s[0..len) read as hex numbers
 * into w (0 for a word that is missing; a word that is not hex gives
 * some number). */
static void client_hexwords(const char *s, size_t len, uint32_t *w)
{
	size_t i = 0;
	int k;

	for (k = 0; k < 8; k++) {
		w[k] = 0;
		while (i < len && s[i] <= ' ')
			i++;
		for (; i < len && s[i] > ' '; i++)   /* '0'-'9', 'a'-'f', 'A'-'F' */
			w[k] = w[k] << 4 | ((uint32_t)(s[i] & 15) + (s[i] > '9' ? 9 : 0));
	}
}

/* Sends the discovery request (padded to DISCO_PAD bytes) on fd, a socket
 * of family AF_INET6 (dual-stack) or AF_INET, to the broadcast address of
 * each IPv4 subnet on a link (the routes without a gateway of
 * /proc/net/route: fields Iface Destination Gateway Flags RefCnt Use Metric
 * Mask, in hex as the kernel stores them) and, on AF_INET6, to ff02::1 on
 * each interface with a link-local address (/proc/net/if_inet6: ADDRESS
 * IFINDEX PLEN SCOPE ...). Smaller than getifaddrs, which also needs malloc. */
static void client_disco_send(int fd, unsigned port)
{
	static const char *const files[2] = { "/proc/net/route", "/proc/net/if_inet6" };
	char req[DISCO_PAD], buf[256];
	union {
		struct sockaddr_in v4;
		struct net_addr a;
	} to;
	struct io_lines l;
	const char *line;
	size_t len;
	uint32_t w[8];
	int k, f;

	memset(req, '\n', sizeof req);
	memset(&to, 0, sizeof to);
	memcpy(req, REPLY_DISCO_ASK, sizeof REPLY_DISCO_ASK - 1);
	for (k = 0; k < 2; k++) {
		f = (int)syscall(SYS_openat, AT_FDCWD, files[k], O_RDONLY | O_CLOEXEC);
		if (f < 0)
			continue;
		io_lines_init(&l, f, buf, sizeof buf);
		while (io_lines_read(&l, &line, &len) != IO_NONE) {
			client_hexwords(line, len, w);
			if (k == 0) {
				if (w[2] || !w[7] || !~w[7])
					continue;  /* the header, a gateway, default, a host */
				to.v4.sin_family = AF_INET;
				to.v4.sin_addr.s_addr = w[1] | ~w[7];
			} else {
				if (w[3] != 0x20)
					continue;  /* not link scope */
				(void)net_parse("ff02::1", &to.a);
				to.a.sin6.sin6_scope_id = w[1];
			}
			to.v4.sin_port = net_port_wire(port); /* sin6_port too */
			(void)sendto(fd, req, sizeof req, 0, (struct sockaddr *)&to,
				     k ? sizeof to.a.sin6 : sizeof to.v4);
		}
		close(f);
	}
}

/* The rooms that answered discovery: the first address each answered from
 * (one EPOCH, one room), and its answer after "+OK discover ", sanitized. */
static struct client_room {
	struct net_addr a;
	char text[DISCO_DESC_MAX * 4 + 32];
} client_rooms[CLIENT_DISCO_MAX];

/* A datagram buf[0..len) from *from while rooms are looked for, n rooms
 * known: adds its room if it is an answer from one not yet known and there
 * is room. Returns the new count. */
static int client_disco_take(const char *buf, size_t len, const struct net_addr *from, int n)
{
	size_t k = sizeof REPLY_DISCO - 1;
	int i;

	if (len < k + 9 || n == CLIENT_DISCO_MAX || !client_starts(buf, len, REPLY_DISCO))
		return n;
	for (i = 0; i < n && memcmp(client_rooms[i].text, buf + k, 8) != 0; i++)
		;
	if (i < n)
		return n;
	client_rooms[n].a = *from;
	term_sanitize(buf + k, len - k - (buf[len - 1] == '\n'), client_rooms[n].text,
		      sizeof client_rooms[0].text);
	return n + 1;
}

/* udpchat without HOST: asks the local links for rooms on port and puts
 * the one to join in *to. One answer: that room; several: the user picks
 * one on a terminal, else they are listed and it fails. Returns 0, or -1
 * after saying why on stderr. */
static int client_discover(struct client *c, struct io_lines *in, unsigned port,
			   struct net_addr *to)
{
	char buf[PROTO_MAX_LINE], where[NET_ADDRSTR];
	static struct sockaddr_storage ss; /* read if recvfrom fails: defined */
	struct net_addr from;
	struct pollfd pfd;
	socklen_t sl;
	const char *line;
	size_t len;
	unsigned pick = 1;
	long long start = net_now_ms(), now;
	ssize_t r;
	int n = 0, sends = 0, on = 1, off = 0, i;

	pfd.fd = (int)syscall(SYS_socket, AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pfd.fd < 0) /* a kernel without IPv6: IPv4 broadcasts only */
		pfd.fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pfd.events = POLLIN;
	if (pfd.fd < 0)
		return log_warn("socket: %s", fmt_strerror(errno)), -1;
	setsockopt(pfd.fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); /* AF_INET: fails */
	setsockopt(pfd.fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
	while ((now = net_now_ms() - start) < CLIENT_DISCO_SENDS * CLIENT_DISCO_EVERY_MS) {
		if (now >= sends * CLIENT_DISCO_EVERY_MS) {
			client_disco_send(pfd.fd, port);
			sends++;
			continue;
		}
		if (poll(&pfd, 1, (int)(sends * CLIENT_DISCO_EVERY_MS - now)) <= 0)
			continue;
		/* IPv4 answers as ::ffff:a.b.c.d, net_addr's own form */
		sl = sizeof ss;
		r = recvfrom(pfd.fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		(void)net_addr_from((struct sockaddr *)&ss, sl, &from); /* AF_INET or AF_INET6 */
		if (r > 0)
			n = client_disco_take(buf, (size_t)r, &from, n);
	}
	close(pfd.fd);
	for (i = 0; n > 1 && i < n; i++) /* "EPOCH N online: DESCRIPTION" */
		fmt_dprintf(2, "%d) %s  %s\n", i + 1, net_addr_str(&client_rooms[i].a, where),
			    client_rooms[i].text + 9);
	if (n != 1) {
		if (!n || !c->interactive)
			return log_warn("%d rooms answered on the local links; name one: udpchat HOST", n), -1;
		fmt_dprintf(2, "room (1-%d): ", n);
		if (!client_read_line(in, &line, &len))
			return -1;
		pick = len == 1 ? (unsigned)(line[0] - '0') : 0; /* CLIENT_DISCO_MAX < 10 */
		if (pick < 1 || pick > (unsigned)n)
			return log_warn("no such room"), -1;
	}
	*to = client_rooms[pick - 1].a;
	return 0;
}

/* --- the receiver (child) ------------------------------------------------- */

/* Tells the parent what happened (kind), with the current name and idle
 * timeout. */
static void client_note_parent(const struct client *c, int kind, unsigned long id)
{
	struct client_note note;

	memset(&note, 0, sizeof note);
	note.kind = kind;
	note.id = id;
	note.idle_s = c->idle_s;
	memcpy(note.name, c->name, sizeof note.name);
	if (write(c->note_fd, &note, sizeof note) < 0) {
		/* the parent is going away: nothing to tell */
	}
}

/* Reads the decimal numbers (each at most 2^32 - 1) of s[0..len) separated
 * by single spaces into v[0..n), the rest (after the n-th number's space)
 * into *rest. Returns 0, or -1 if s does not start so. */
static int client_numbers(const char *s, size_t len, uint32_t *v, int n,
			  struct proto_span *rest)
{
	size_t i = 0, from;
	uint32_t d;

	for (; n > 0; n--, v++) {
		*v = 0;
		for (from = i; i < len && (d = (uint32_t)(unsigned char)s[i] - '0') <= 9; i++) {
			if (*v > (UINT32_MAX - d) / 10)
				return -1;
			*v = *v * 10 + d;
		}
		if (i == from || (i < len ? s[i++] != ' ' : n > 1))
			return -1;
	}
	if (rest)
		*rest = (struct proto_span){ s + i, len - i };
	return 0;
}

/* Shows what comes out of client_win in order; says how many lines were
 * given up if say, else passes them over silently (not for us). */
static void client_drain(struct client *c, int say)
{
	uint32_t before = client_win.shown;
	const char *p;
	size_t len;

	while (seqwin_next(&client_win, &p, &len))
		if (len != SEQWIN_NONE)
			(void)term_print(p, len, 0);
	if (client_win.skipped && say)
		client_notice("... %u lines missed", (unsigned)client_win.skipped);
	client_win.skipped = 0;
	if (client_win.shown != before)
		c->gap_ms = net_now_ms();   /* progress: the gap's deadline restarts */
}

/* An event seq (text: s[0..len), or len SEQWIN_NONE: our own line, already
 * on screen) came, live or replayed: shown in order, once. */
static void client_event(struct client *c, uint32_t seq, const char *s, size_t len)
{
	int was_gap = seqwin_gap(&client_win);

	(void)seqwin_put(&client_win, seq, s, len);
	if (!was_gap && seqwin_gap(&client_win))
		c->gap_ms = net_now_ms();   /* a gap begins */
	client_drain(c, 1);
}

/* A history line (from /last): shown once, marked on a terminal with its
 * age; a script sees the text as it was said. */
static void client_history(struct client *c, uint32_t seq, uint32_t age,
			   const char *s, size_t len)
{
	char buf[PROTO_MAX_LINE + 32];
	int n;

	if (c->hist_done || (int32_t)(seq - c->hist) <= 0 || (int32_t)(seq - c->base) > 0)
		return;
	c->hist = seq;
	if (!term_active()) {
		(void)term_print(s, len, 0);
		return;
	}
	n = fmt_snprintf(buf, sizeof buf, "%.*s (%u %s ago)", (int)len, s,
			 (unsigned)(age < 120 ? age : age / 60), age < 120 ? "s" : "min");
	if (n > 0)
		(void)term_print(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, 1);
}

/* The lines of protocol v1.1 (docs/PROTOCOL.md) in the receiver: "=SEQ
 * TEXT", "= TEXT" (the event after the datagram's previous event line),
 * "~SEQ AGE TEXT" and the replies that carry numbers. A v1 server's lines
 * are never events. Returns 1 if it handled the line (nothing more to do),
 * else 0. */
static int client_on_v11(struct client *c, const char *s, size_t len)
{
	uint32_t v[3];
	struct proto_span rest;
	size_t n;
	int next = client_starts(s, len, REPLY_NEXT);

	if (c->seq != CLIENT_SEQ_V1 && (next || (len > 1 && (s[0] == REPLY_EVENT || s[0] == REPLY_REPLAY) &&
						s[1] >= '0' && s[1] <= '9'))) {
		if (next) {
			if (!c->dseq)
				return 1;   /* malformed: no event line before it */
			v[0] = c->dseq + 1;
			rest = (struct proto_span){ s + sizeof REPLY_NEXT - 1, len - (sizeof REPLY_NEXT - 1) };
		} else if (client_numbers(s + 1, len - 1, v, s[0] == REPLY_EVENT ? 1 : 2, &rest) < 0) {
			c->dseq = 0;        /* what follows it cannot be placed */
			return 1;
		}
		if (s[0] == REPLY_EVENT)
			c->dseq = v[0];     /* the server never sends "=0" */
		if (c->seq != CLIENT_SEQ_ON) {
			/* "+OK seq" was lost: show from this one on */
			if (s[0] == REPLY_EVENT && (!c->early || (int32_t)(v[0] - c->early) < 0))
				c->early = v[0];
			return 1;
		}
		if (s[0] == REPLY_EVENT) {
			c->tail = CLIENT_TAIL_TRIES;
			c->tail_wait = CLIENT_TAIL_MS;
			c->tail_ms = net_now_ms() + CLIENT_TAIL_MS;
		} else if ((int32_t)(v[0] - client_win.shown) <= 0) {
			client_history(c, v[0], v[1], rest.p, rest.len);
			return 1;
		}
		client_event(c, v[0], rest.p, rest.len);
		return 1;
	}
	if (client_starts(s, len, REPLY_SEQ)) {
		n = sizeof REPLY_SEQ - 1;
		if (len < n + 10 || client_numbers(s + n + 9, len - n - 9, v, 1, NULL) < 0)
			return 1;
		if (!c->epoch[0] || memcmp(c->epoch, s + n, 8) != 0) {
			if (c->epoch[0])
				client_notice("the server restarted; earlier history is gone");
			memcpy(c->epoch, s + n, 8);
			c->base = c->early && (int32_t)(v[0] - c->early) >= 0 ? c->early - 1 : v[0];
			seqwin_reset(&client_win, c->base);
		}
		seqwin_heard(&client_win, v[0]);    /* what we missed is asked for */
		c->gap_ms = net_now_ms();
		c->early = 0;
		if (c->seq != CLIENT_SEQ_ON)
			client_note_parent(c, CLIENT_NOTE_SEQ, 0);
		c->seq = CLIENT_SEQ_ON;
		return 1;
	}
	if (client_starts(s, len, REPLY_SINCE)) {
		n = sizeof REPLY_SINCE - 1;
		/* the tail asks on, each time twice as late: a line relayed
		 * after this answer (its sender was still sending it) and
		 * lost on its way here is found too */
		c->tail_wait *= 2;
		c->tail = c->tail_wait && c->tail_wait <= CLIENT_TAIL_MAX_MS ? CLIENT_TAIL_TRIES : 0;
		c->tail_ms = net_now_ms() + c->tail_wait;
		if (c->seq == CLIENT_SEQ_ON && client_numbers(s + n, len - n, v, 3, NULL) == 0 &&
		    (int32_t)(v[0] - client_win.shown) <= 0) {
			/* what it did not send up to UPTO is not ours (our own
			 * lines, others' private ones) or no longer kept */
			seqwin_skip_to(&client_win, v[1]);
			client_drain(c, 0);
			if (v[2] > 0)
				client_notice("... %u earlier lines not kept", (unsigned)v[2]);
			if (seqwin_gap(&client_win))
				c->ask_ms = 0;      /* the reply was cut: ask on */
		}
		return 1;
	}
	if (client_starts(s, len, REPLY_LAST)) {
		c->hist_done = 1;
		return 1;
	}
	if (client_starts(s, len, REPLY_ACK)) {
		n = sizeof REPLY_ACK - 1;
		if (client_numbers(s + n, len - n, v, 2, NULL) == 0) {
			client_note_parent(c, CLIENT_NOTE_ACK, v[0]);
			if (c->seq == CLIENT_SEQ_ON)
				client_event(c, v[1], NULL, SEQWIN_NONE);
		}
		return 1;
	}
	if (client_starts(s, len, REPLY_UNKNOWN "/seq")) {
		c->seq = CLIENT_SEQ_V1;
		client_note_parent(c, CLIENT_NOTE_V1, 0);
		return 1;
	}
	if (client_starts(s, len, REPLY_SLOW))
		client_note_parent(c, CLIENT_NOTE_SLOW, 0);
	return 0;
}

/* The receiver's timers (v1.1): asks /seq again until answered, /since
 * while a seq is missing (one a second) and gives it up after
 * CLIENT_GAP_MS, and /since once after the last event (its end line tells
 * the room's last seq: a lost last line is recovered). Returns the ms
 * until the next one, or -1. */
static int client_rx_timers(struct client *c)
{
	long long now = net_now_ms(), at = -1;

	if (c->seq == CLIENT_SEQ_ASKED) {
		if (now - c->ask_ms >= CLIENT_ASK_MS)
			client_ask(c, 1, 0);
		return CLIENT_ASK_MS;
	}
	if (c->seq != CLIENT_SEQ_ON)
		return -1;
	if (seqwin_gap(&client_win) && now - c->gap_ms >= CLIENT_GAP_MS) {
		seqwin_skip_to(&client_win, client_win.top);
		client_drain(c, 1);
	}
	if (seqwin_gap(&client_win)) {
		if (now - c->ask_ms >= CLIENT_ASK_MS)
			client_ask(c, 0, client_win.shown);
		at = c->ask_ms + CLIENT_ASK_MS;
		if (c->gap_ms + CLIENT_GAP_MS < at)
			at = c->gap_ms + CLIENT_GAP_MS;
	} else if (c->tail) {
		if (now >= c->tail_ms) {
			client_ask(c, 0, client_win.shown);
			c->tail--;
			c->tail_ms = now + CLIENT_ASK_MS;
		}
		at = c->tail_ms;
	}
	return at < 0 ? -1 : (int)(at > now ? at - now : 0);
}

/* Handles one line from the server in the receiver. Returns -1 to keep
 * going, else the exit status of the receiver. */
static int client_on_line(struct client *c, const char *s, size_t len)
{
	static const char nick[] = REPLY_NICK;
	static const char removed[] = REPLY_REMOVED " (";
	static const char keepalive[] = REPLY_PONG " keepalive";

	if (len == sizeof keepalive - 1 && client_starts(s, len, keepalive)) {
		/* v1.1: the idle keepalive learns the room's last seq (and
		 * what we missed) through a /since, asked now */
		c->tail = CLIENT_TAIL_TRIES;
		c->tail_ms = 0;
		return -1;
	}
	if (len == 0 || client_on_v11(c, s, len))
		return -1;
	if (client_starts(s, len, REPLY_ALREADY) && c->rejoining) {
		c->rejoining = 0;   /* a second re-join crossed the first one's answer */
		client_note_parent(c, CLIENT_NOTE_NAME, 0);
		return -1;
	}
	if (term_print(s, len, 0) < 0 && errno == EPIPE)
		return 1;
	if (client_starts(s, len, REPLY_WELCOME)) {
		c->rejoining = 0;
		client_parse_welcome(s, len, c->name, &c->idle_s);
		client_confirm(c);   /* an empty line: no answer to count */
		client_note_parent(c, CLIENT_NOTE_NAME, 0);
	} else if (client_starts(s, len, nick) && len - (sizeof nick - 1) <= PROTO_NAME_BYTES) {
		memcpy(c->name, s + sizeof nick - 1, len - (sizeof nick - 1));
		c->name[len - (sizeof nick - 1)] = '\0';
		client_note_parent(c, CLIENT_NOTE_NAME, 0);
	} else if (client_starts(s, len, REPLY_BYE)) {
		return 0;
	} else if (client_starts(s, len, removed) &&
		   client_starts(s + sizeof removed - 1, len - (sizeof removed - 1),
				 catalog_get(CATALOG_EN)[CATALOG_KICKED])) {
		return 1;
	} else if (client_starts(s, len, REPLY_REMOVED)) {
		c->rejoining = 1;   /* the sender joins again */
		client_note_parent(c, CLIENT_NOTE_REMOVED, 0);
	} else if (client_starts(s, len, REPLY_NOT_IN)) {
		c->rejoining = 1;
		client_note_parent(c, CLIENT_NOTE_REFUSED, 0);
	} else if (c->rejoining && (client_starts(s, len, REPLY_NAME_TAKEN) ||
				    client_starts(s, len, REPLY_INVALID_NAME) ||
				    client_starts(s, len, REPLY_ROOM_FULL))) {
		client_notice("could not join again as %s", c->name);
		return 1;
	}
	return -1;
}

/* Handles the lines of c->rbuf from c->roff on. Returns as client_on_line. */
static int client_on_datagram(struct client *c)
{
	struct proto_lines it;
	struct proto_span l;

	c->dseq = 0;
	proto_lines_init(&it, c->rbuf + c->roff, c->rlen - c->roff);
	while (proto_lines_next(&it, &l)) {
		int st = client_on_line(c, l.p, l.len);
		if (st >= 0)
			return st;
	}
	return -1;
}

/* The child: receives and prints until told to stop (SIGTERM), "+OK bye",
 * a kick or a refused re-join. Never returns. */
static void client_receiver(struct client *c, pid_t parent)
{
	static sigset_t none; /* empty (in .bss: a const one would take 128 bytes of the file) */
	int st;

	io_signal(SIGINT, SIG_IGN);
	io_signal(SIGHUP, SIG_IGN);
	io_signal(SIGQUIT, SIG_IGN);
	io_signal(SIGTERM, SIG_DFL);
	io_signal(SIGCHLD, SIG_DFL);
	io_signal(SIGWINCH, SIG_DFL);
	io_sigmask(SIG_SETMASK, &none, NULL);
	/* stop with the parent even if it is killed outright */
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	io_sigpipe_close();

	if ((st = client_on_datagram(c)) >= 0)
		_exit(st);
	for (;;) {
		struct pollfd pfd = { .fd = c->sock, .events = POLLIN };

		if (poll(&pfd, 1, client_rx_timers(c)) < 0 && errno != EINTR)
			_exit(1);
		if (client_recv(c) <= 0)
			continue;   /* EAGAIN, or an ICMP error while the server is away */
		if ((st = client_on_datagram(c)) >= 0)
			_exit(st);
	}
}

/* --- the sender (parent) -------------------------------------------------- */

/* Returns the exit status of a reaped receiver, or -1 if it still runs. */
static int client_reap(struct client *c)
{
	int st;
	pid_t r;

	do
		r = waitpid(c->child, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -1;
	c->child = -1;
	if (r < 0)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* Leaves: sends /quit unless done, gives the receiver a moment to print the
 * last replies and "+OK bye", then stops and reaps it and restores the
 * terminal. Returns status. */
static int client_leave(struct client *c, int status)
{
	long long give_up = net_now_ms() + CLIENT_QUIT_WAIT_MS;

	if (!c->quit_sent) {
		c->quit_sent = 1;
		(void)client_send(c, "/quit", 5);
	}
	while (c->child > 0 && client_reap(c) < 0) {
		struct pollfd pfd = { .fd = client_sig_fd, .events = POLLIN };
		long long left = give_up - net_now_ms();

		if (left <= 0) {
			int st;

			kill(c->child, SIGTERM);
			while (waitpid(c->child, &st, 0) < 0 && errno == EINTR)
				;
			c->child = -1;
			break;
		}
		if (poll(&pfd, 1, (int)left) > 0)
			(void)io_sigpipe_take(); /* leaving anyway; SIGCHLD: reaped above */
	}
	term_close();
	return status;
}

/* The wait before sending line f again: CLIENT_ACK_FIRST_MS doubling to
 * CLIENT_ACK_MAX_MS, times 1 to 1.5 (so that clients that lost the same
 * datagrams do not send again in step). */
static long long client_backoff(struct client *c, const struct client_flight *f)
{
	long long ms = (long long)CLIENT_ACK_FIRST_MS << (f->tries < 4 ? f->tries - 1 : 3);

	if (ms > CLIENT_ACK_MAX_MS)
		ms = CLIENT_ACK_MAX_MS;
	c->rand = c->rand * 1103515245u + 12345u;
	return ms + ms * ((c->rand >> 16) & 511) / 1024;
}

/* The oldest line waiting for its ack, or NULL. */
static struct client_flight *client_flight_oldest(void)
{
	struct client_flight *old = NULL;
	int i;

	for (i = 0; i < CLIENT_FLIGHT; i++)
		if (client_flight[i].len && client_flight[i].tries >= 0 &&
		    (!old || client_flight[i].id < old->id))
			old = &client_flight[i];
	return old;
}

/* Sends the oldest line waiting for its ack if its time has come (one at
 * a time: the room then has each sender's lines in the order typed, as a
 * line sent again after later ones would not); says it could not be
 * delivered after CLIENT_TRIES sends. Returns the ms until the next send,
 * or -1 if no line waits. */
static long long client_flight_timers(struct client *c)
{
	struct client_flight *f;
	long long now;

	while ((f = client_flight_oldest()) != NULL) {
		now = net_now_ms();
		if (f->next_ms > now)
			return f->next_ms - now;
		if (f->tries < CLIENT_TRIES) {
			f->tries++;
			(void)client_send(c, f->line, f->len);
			f->next_ms = now + client_backoff(c, f);
			continue;
		}
		client_notice("not delivered: %.*s", (int)(f->len - f->text), f->line + f->text);
		f->len = 0;
	}
	return -1;
}

/* Returns a free slot of client_flight (else the oldest untagged line's),
 * or NULL if CLIENT_FLIGHT lines wait for their acks. */
static struct client_flight *client_flight_free(void)
{
	struct client_flight *old = NULL;
	int i;

	for (i = 0; i < CLIENT_FLIGHT; i++) {
		struct client_flight *f = &client_flight[i];

		if (!f->len)
			return f;
		if (f->tries < 0 && (!old || f->id < old->id))
			old = f;
	}
	return old;
}

/* What the receiver noted about the lines in flight: an ack frees its
 * line; "-ERR slow down" delays them all (the try refused not counted). */
static void client_flight_note(struct client *c, const struct client_note *note)
{
	long long now = net_now_ms();
	int i;

	if (note->kind == CLIENT_NOTE_V1)
		c->v11 = -1;
	for (i = 0; i < CLIENT_FLIGHT; i++) {
		struct client_flight *f = &client_flight[i];

		if (!f->len || f->tries < 0)
			continue;
		if (note->kind == CLIENT_NOTE_ACK && f->id == note->id) {
			f->len = 0;
		} else if (note->kind == CLIENT_NOTE_SLOW && f->next_ms < now + CLIENT_SLOW_MS) {
			f->next_ms = now + CLIENT_SLOW_MS;
			if (f->tries > 1)
				f->tries--;
		}
	}
}

/* The receiver heard that the server does not know us (kind): joins
 * again, at most once a second. Tagged lines it refused stay in flight; an
 * untagged one is counted: the server answers lines in the order they were
 * sent, so those it refused are the last c->refused ones sent before the
 * join it welcomes. */
static void client_rejoin(struct client *c, int kind)
{
	long long now = net_now_ms();

	if (kind == CLIENT_NOTE_REFUSED)
		c->refused++;
	if (c->rejoining && now - c->rejoin_ms < CLIENT_REJOIN_GAP_MS)
		return;
	if (!c->rejoining)
		client_notice("re-joining as %s", c->name);
	c->rejoining = 1;
	c->rejoin_ms = now;
	c->rejoin_id = c->next_id;
	(void)client_send_join(c);
}

/* Welcomed back: the tagged lines in flight go again now, with all their
 * tries; the untagged ones refused (v1: no ack tells) go again once. */
static void client_resend(struct client *c)
{
	unsigned long id = c->rejoin_id - (c->refused < c->rejoin_id ? c->refused : c->rejoin_id);
	int i;

	for (; id < c->rejoin_id; id++)
		for (i = 0; i < CLIENT_FLIGHT; i++) {
			struct client_flight *f = &client_flight[i];

			if (f->len && f->tries < 0 && f->id == id + 1 &&
			    client_send(c, f->line, f->len) == 0)
				client_notice("sent again: %.*s", (int)(f->len - f->text),
					      f->line + f->text);
		}
	for (i = 0; i < CLIENT_FLIGHT; i++)
		if (client_flight[i].tries > 0) {
			client_flight[i].next_ms = 0;
			client_flight[i].tries = 0;
		}
	c->rejoining = 0;
	c->refused = 0;
}

/* Sends a typed line: commands as they are, anything else as /say.
 * Returns 1 if it was /quit, else 0. */
static int client_submit(struct client *c, const char *line, size_t len)
{
	char wire[PROTO_MAX_LINE + 1];
	struct client_flight *f;
	size_t wlen, max;
	long bad;
	int cmd, n, tagged = 0;

	if (len == 0)
		return 0;
	cmd = line[0] == '/';
	max = cmd ? PROTO_MAX_LINE : PROTO_MAX_LINE - (sizeof CLIENT_SAY - 1);
	bad = utf8_check_text(line, len);
	if (bad < 0) {
		client_notice("not sent: the line is not valid UTF-8");
		return 0;
	}
	if (bad > 0) {
		client_notice("not sent: the line contains a control character (0x%02lx)", bad - 1);
		return 0;
	}
	if (len > max) {
		client_notice("not sent: the line is too long (%zu bytes, at most %zu)", len, max);
		return 0;
	}
	wlen = 0;
	f = NULL;
	f = client_flight_free();
	c->next_id++;
	if (f && !cmd && c->v11 > 0) {
		n = fmt_snprintf(wire, sizeof wire, CLIENT_ID_WIRE, c->next_id);
		tagged = n > 0 && len <= PROTO_MAX_LINE - (size_t)n;
		if (tagged)         /* else too long so: /say, untagged */
			wlen = (size_t)n;
	}
	if (!wlen && !cmd) {
		memcpy(wire, CLIENT_SAY, sizeof CLIENT_SAY - 1);
		wlen = sizeof CLIENT_SAY - 1;
	}
	if (f) {
		memcpy(f->line, wire, wlen);
		memcpy(f->line + wlen, line, len);
		f->text = wlen;
		f->len = wlen + len;
		f->id = c->next_id;
		f->tries = tagged - 1;
		f->next_ms = 0;
	}
	memcpy(wire + wlen, line, len);
	if (tagged)
		(void)client_flight_timers(c);   /* sends it (or it waits its turn) */
	else if (client_send(c, wire, wlen + len) < 0)
		client_notice("not sent: %s", fmt_strerror(errno));
	if (!cmd && term_active()) {
		char own[PROTO_NAME_BYTES + 2 + PROTO_MAX_LINE];
		n = fmt_snprintf(own, sizeof own, "%s: %.*s", c->name, (int)len, line);
		if (n > 0)
			(void)term_print(own, (size_t)n < sizeof own ? (size_t)n : sizeof own - 1, 0);
	}
	if (len >= 5 && memcmp(line, "/quit", 5) == 0 && (len == 5 || line[5] == ' ')) {
		c->quit_sent = 1;
		return 1;
	}
	return 0;
}

/* Keyboard input on a terminal. Returns 1 to leave, else 0. */
static int client_on_keys(struct client *c, struct term_edit *ed)
{
	unsigned char buf[256];
	ssize_t n = read(0, buf, sizeof buf), i;

	if (n == 0)
		return 1;           /* the terminal went away */
	if (n < 0)
		return errno != EINTR && errno != EAGAIN;
	for (i = 0; i < n; i++) {
		switch (term_edit_key(ed, buf[i])) {
		case TERM_KEY_LINE: {
			int quit = client_submit(c, ed->buf, ed->len);
			term_edit_clear(ed);
			if (quit)
				return 1;
			break;
		}
		case TERM_KEY_EOF:
		case TERM_KEY_INTR:
			return 1;
		case TERM_KEY_REDRAW:
			term_resize();
			break;
		case TERM_KEY_NONE:
			break;
		}
	}
	term_draw(ed);
	return 0;
}

/* Returns 1 if the sender may take the next line of a pipe: not while
 * CLIENT_FLIGHT lines wait for their acks, nor (v1.1) while the server
 * has not yet told whether it speaks v1.1 (a line then would go untagged). */
static int client_may_take(const struct client *c)
{
	if (c->seq != CLIENT_SEQ_V1 && c->v11 == 0)
		return 0;
	return c->v11 <= 0 || client_flight_free();
}

/* Sends the complete lines read from stdin (a "\r" before the "\n"
 * dropped), as long as client_may_take. Returns 1 to leave (EOF, /quit),
 * else 0. */
static int client_take_lines(struct client *c, struct io_lines *in)
{
	const char *line;
	size_t len;
	int r = IO_LONG;

	while (client_may_take(c) && (r = io_lines_next(in, &line, &len)) != IO_NONE) {
		if (r == IO_LONG)
			client_notice("not sent: the line is too long (%zu bytes, at most %zu)",
				      len, (size_t)PROTO_MAX_LINE);
		else if (client_submit(c, line, io_drop_cr(line, len)))
			return 1;
	}
	return in->eof && r == IO_NONE && client_flight_timers(c) < 0;
}

/* Lines from a non-terminal stdin. Returns 1 to leave (EOF, /quit), else 0. */
static int client_on_lines(struct client *c, struct io_lines *in)
{
	if (io_lines_fill(in) < 0)
		return errno != EAGAIN;
	return client_take_lines(c, in);
}

/* How long the sender stays silent before a keepalive: a third of the
 * server's idle timeout, so that one lost ping is survived, and at most
 * CLIENT_PING_MAX_S, so that a restarted server is noticed soon. */
static long long client_ping_every_ms(const struct client *c)
{
	long long ms;

	if (c->idle_s < 0)
		return CLIENT_PING_UNKNOWN_S * 1000LL;
	ms = (long)c->idle_s * 1000 / 3; /* idle_s < 1,000,000: fits in 32 bits */
	if (c->idle_s == 0 || ms > CLIENT_PING_MAX_S * 1000)
		return CLIENT_PING_MAX_S * 1000LL;
	return ms > CLIENT_PING_MIN_MS ? ms : CLIENT_PING_MIN_MS;
}

/* The idle keepalive (its answer makes the receiver ask /since: see
 * client_on_line). A refusal of it is counted as a line's. */
static void client_keepalive(struct client *c)
{
	c->next_id++;
	(void)client_send(c, CLIENT_KEEPALIVE, sizeof CLIENT_KEEPALIVE - 1);
}

/* The sender's poll loop. Returns the exit status. */
static int client_sender(struct client *c, struct io_lines *in)
{
	struct pollfd pfd[PFD_N];
	struct term_edit ed;
	unsigned sigs = 0;      /* caught, not yet acted on */
	long long flight;

	term_edit_clear(&ed);
	term_draw(&ed);
	pfd[PFD_IN] = (struct pollfd){ .fd = 0, .events = POLLIN };
	pfd[PFD_SIG] = (struct pollfd){ .fd = client_sig_fd, .events = POLLIN };
	pfd[PFD_NOTE] = (struct pollfd){ .fd = c->note_fd, .events = POLLIN };
	/* lines that came with the name on stdin */
	if (!term_active() && client_take_lines(c, in))
		return client_leave(c, 0);
	for (;;) {
		long long wait;

		if (sigs & CLIENT_SIG_QUIT)
			return client_leave(c, 0);
		if (sigs & IO_SIG(SIGCHLD)) {
			int st;

			if ((st = client_reap(c)) >= 0) {
				term_close();
				return st;
			}
		}
		if (sigs & IO_SIG(SIGWINCH)) {
			term_resize();
			term_draw(&ed);
		}
		sigs = 0;
		wait = c->last_send_ms + client_ping_every_ms(c) - net_now_ms();
		if (wait <= 0) {
			client_keepalive(c);
			continue;
		}
		/* a pipe's lines wait while CLIENT_FLIGHT are in flight; at its
		 * end, until they are acknowledged or given up */
		if (!term_active()) {
			if (in->eof || !client_may_take(c))
				pfd[PFD_IN].fd = -1;
			else
				pfd[PFD_IN].fd = 0;
			if (client_take_lines(c, in))
				return client_leave(c, 0);
		}
		/* after the lines taken: one sent just now waits for its ack */
		flight = client_flight_timers(c);
		if (flight >= 0 && flight < wait)
			wait = flight;
		if (poll(pfd, PFD_N, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			return client_leave(c, 1);
		}
		if (pfd[PFD_SIG].revents)
			sigs = io_sigpipe_take();
		if (pfd[PFD_NOTE].revents & POLLIN) {
			struct client_note note;
			if (read(c->note_fd, &note, sizeof note) == (ssize_t)sizeof note) {
				note.name[sizeof note.name - 1] = '\0';
				memcpy(c->name, note.name, sizeof c->name);
				c->idle_s = note.idle_s;
				if (note.kind == CLIENT_NOTE_REFUSED || note.kind == CLIENT_NOTE_REMOVED)
					client_rejoin(c, note.kind);
				else if (note.kind == CLIENT_NOTE_SEQ && !c->v11)
					c->v11 = 1;
				else if (note.kind == CLIENT_NOTE_NAME && c->rejoining)
					client_resend(c);
				else
					client_flight_note(c, &note);
			}
		} else if (pfd[PFD_NOTE].revents) {
			pfd[PFD_NOTE].fd = -1;     /* the receiver is gone: SIGCHLD follows */
		}
		if (pfd[PFD_IN].revents) {
			int leave = term_active() ? client_on_keys(c, &ed) : client_on_lines(c, in);
			if (leave)
				return client_leave(c, 0);
		}
	}
}

/* --- start-up ------------------------------------------------------------- */

/* Starts the receiver and runs the sender. Returns the exit status. */
static int client_run(struct client *c, struct io_lines *in)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGWINCH };
	sigset_t all, old;
	int notes[2];
	pid_t parent = getpid();

	client_sig_fd = io_sigpipe_open(sigs, sizeof sigs / sizeof sigs[0]);
	c->rand = (unsigned)net_now_ms() ^ (unsigned)parent;
	if (client_sig_fd < 0 || syscall(SYS_pipe2, notes, O_CLOEXEC) < 0) {
		log_warn("%s", fmt_strerror(errno));
		return 1;
	}
	if (c->interactive && term_isatty(1))
		(void)term_open(0, 1);
	sigfillset(&all);
	io_sigmask(SIG_BLOCK, &all, &old);
	c->child = compat_fork(); /* single-threaded: see admin.c */
	if (c->child == 0) {
		close(notes[0]);
		c->note_fd = notes[1];
		client_receiver(c, parent);
	}
	io_sigmask(SIG_SETMASK, &old, NULL);
	close(notes[1]);
	c->note_fd = notes[0];
	if (c->child < 0) {
		term_close();
		log_warn("fork: %s", fmt_strerror(errno));
		return 1;
	}
	return client_sender(c, in);
}

/* Formats HOST:PORT for messages ([v6]:port). */
static const char *client_where(const struct client *c, char *buf, size_t len)
{
	fmt_snprintf(buf, len, memchr(c->host, ':', strlen(c->host)) ? "[%s]:%s" : "%s:%s", c->host, c->port);
	return buf;
}

/* udpchat [-n NAME] [-k K] [HOST [PORT]]. Returns the exit status: 0 after leaving
 * (/quit, EOF, SIGINT/SIGTERM/SIGHUP), 1 when the room cannot be joined or is
 * lost (no answer, name refused, kicked), 2 for bad arguments. Start-up
 * errors (arguments, the socket, no answer) exit at once through log_die. */
int client_main(int argc, char **argv)
{
	static struct client c;
	static struct io_lines in;
	static struct net_addr addrs[4];
	char err[256], where[320];
	const char *name = NULL, *why;
	unsigned long port;
	struct opt o = OPT_INIT;
	char on[OPT_NAME_MAX];
	int flag, r, n;

	memset(&c, 0, sizeof c);
	c.port = UCHAT_STR(PROTO_DEFAULT_PORT);
	c.idle_s = -1;
	c.child = -1;
	c.last_k = ~0u;
	while ((flag = opt_next(&o, argc, argv, "n:k:hV")) != -1) {
		switch (flag) {
		case 'k':
			if (fmt_parse_uint(o.arg, 0, ROOM_LAST_MAX, &port) < 0)
				log_die(2, "bad -k: %s (0 to " UCHAT_STR(ROOM_LAST_MAX) ")", o.arg);
			c.last_k = (unsigned)port;
			break;
		case 'n':
			name = o.arg;
			break;
		case 'h':
			client_usage(1);
			return 0;
		case 'V':
			fmt_dprintf(1, "udpchat %s\n", UCHAT_VERSION);
			return 0;
		case ':':
			log_die(2, "option %s needs an argument (try -h)", opt_name(&o, on));
		default:
			log_die(2, "unknown option %s (try -h)", opt_name(&o, on));
		}
	}
	if (argc - o.ind > 2)
		log_die(2, "too many arguments (try -h)");
	if (o.ind + 1 < argc)
		c.port = argv[o.ind + 1];
	if (fmt_parse_uint(c.port, 1, 65535, &port) < 0)
		log_die(2, "bad port: %s", c.port);
	io_signal(SIGPIPE, SIG_IGN);
	c.interactive = term_isatty(0);
	io_lines_init(&in, 0, client_inbuf, sizeof client_inbuf);
	if (o.ind < argc) {
		c.host = argv[o.ind];
		n = resolv_lookup(c.host, (unsigned)port, addrs, 4, err, sizeof err);
		client_where(&c, where, sizeof where);
	} else if (client_discover(&c, &in, (unsigned)port, &addrs[0]) < 0) {
		return 1;
	} else {
		n = 1;
		c.host = net_addr_str(&addrs[0], where);
	}
	c.sock = n > 0 ? net_client_socket(addrs, n, c.host, err, sizeof err) : -1;
	if (c.sock < 0)
		log_die(1, "%s", err);
	if (c.last_k == ~0u)
		c.last_k = c.interactive && term_isatty(1) ? CLIENT_LAST_K : 0;
	if (name) {
		why = proto_name_error((struct proto_span){ name, strlen(name) });
		if (!why) {
			fmt_snprintf(c.name, sizeof c.name, "%s", name);
		} else {
			log_warn("invalid name: %s", why);
			if (!c.interactive)
				return 1;
		}
	}
	for (;;) {
		if (!c.name[0] && client_ask_name(&c, &in) < 0)
			return 1;
		r = client_join(&c);
		if (r < 0)
			log_die(1, "no answer from %s", where);
		if (r > 0)
			break;
		log_warn("%s", c.reason);
		if (!c.interactive)
			return 1;
		c.name[0] = '\0';
	}
	return client_run(&c, &in);
}
