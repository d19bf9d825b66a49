/* test_bridge.c: a bridge's lines checked (bridge_parse), names with '@'
 * refused, and a bridge's buffer over a real Unix socket pair: attaching
 * with lines already sent, events written, a full buffer counted and told
 * as "-LOST N" once the peer reads (bridge.c, proto.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bounds.h"
#include "bridge.h"
#include "io.h"
#include "proto.h"
#include "test.h"

static int parse(const char *s, struct bridge_req *q)
{
	return bridge_parse(s, strlen(s), q);
}

#define SPAN_IS(sp, s) CHECK_MSG((sp).len == strlen(s) && memcmp((sp).p, (s), (sp).len) == 0, \
				 "%s is \"%s\", want \"%s\"", #sp, test_esc((sp).p, (sp).len), (s))

static void bridge_parse_lines(void)
{
	struct bridge_req q;

	CHECK_INT(parse("post libera carol hi there", &q), 0);
	CHECK_INT(q.what, BRIDGE_POST);
	SPAN_IS(q.tag, "libera");
	SPAN_IS(q.nick, "carol");
	SPAN_IS(q.text, "hi there");
	CHECK_INT(parse("act boardB alice waves  twice ", &q), 0);
	CHECK_INT(q.what, BRIDGE_ACT);
	SPAN_IS(q.tag, "boardB");
	SPAN_IS(q.nick, "alice");
	SPAN_IS(q.text, "waves  twice "); /* the text as it is */
	CHECK_INT(parse("notice link down", &q), 0);
	CHECK_INT(q.what, BRIDGE_NOTICE);
	SPAN_IS(q.text, "link down");
	CHECK_INT(parse("post a.b_c-9 x[1]| 中文 ok", &q), 0);
	SPAN_IS(q.nick, "x[1]|");
	SPAN_IS(q.text, "中文 ok");
	/* the usages come from the one table */
	CHECK_INT(parse("notice x", &q), 0);
	CHECK_INT(q.what, BRIDGE_NOTICE);
	CHECK_INT(parse("act t n x", &q), 0);
	CHECK_INT(q.what, BRIDGE_ACT);
	CHECK_STR(BRIDGE_USAGES + 3, "post TAG NICK TEXT | act TAG NICK TEXT | notice TEXT | as ID LINE");
}

/* "as ID LINE": ID a number 1-4294967295, LINE anything but empty (the room
 * checks it as a datagram's line) */
static void bridge_parse_as(void)
{
	static const char *const bad[] = {
		"as", "as ", "as 1", "as 1 ", "as 0 hi", "as -1 hi", "as x hi", "as 1x hi",
		"as 4294967296 hi", "as  hi", "as 99999999999 hi", "AS 1 hi",
	};
	struct bridge_req q;
	size_t i;

	CHECK_INT(parse("as 1 /join bob", &q), 0);
	CHECK_INT(q.what, BRIDGE_AS);
	CHECK_INT(q.id, 1);
	SPAN_IS(q.text, "/join bob");
	CHECK_INT(parse("as 4294967295 caf\xe9 \x01  ", &q), 0); /* unchecked here */
	CHECK_INT(q.id, 4294967295u);
	SPAN_IS(q.text, "caf\xe9 \x01  ");
	CHECK_INT(parse("as 007 hi", &q), 0);
	CHECK_INT(q.id, 7);
	CHECK_INT(bridge_parse("as 2 a\0b", 8, &q), 0);
	CHECK_INT(q.text.len, 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(parse(bad[i], &q) == -1, "%s", bad[i]);
	CHECK_INT(parse("as x hi", &q), -1);
	CHECK_INT(q.what, BRIDGE_AS);
}

static void bridge_parse_refused(void)
{
	static const char *const bad[] = {
		"post libera carol", "post libera carol ", "post libera", "post", "notice", "notice ",
		"post lib@era carol hi", "post " "abcdefghijklmnopq" " carol hi", /* TAG of 17 */
		"post  carol hi", "post libera  hi",
		"post libera car@ol hi", "post libera c:d hi", "post libera /me hi",
		"post libera +v hi", "post libera -x hi", "post libera [x] hi",
		"post libera abcdefghijklmnopqrstuvwxyz12345 hi", /* NICK of 31 */
		/* not ASCII: the room's rules for names (proto_name_error) */
		"post libera car\xef\xbc\xa0ol hi",  /* U+FF20 FULLWIDTH COMMERCIAL AT */
		"post libera \xef\xbd\x83\xef\xbc\x9a hi", /* U+FF43 U+FF1A: "c:" */
		"post libera \xef\xbc\xbb" "x hi",  /* U+FF3B: starts with '[' */
		"post libera 管理员 hi",               /* reserved */
		"post libera a\xe3\x80\x80" "b hi", /* U+3000 IDEOGRAPHIC SPACE */
		"post libera a\xe2\x80\xae" "b hi", /* U+202E */
		"post libera a\xe2\x80\x8b" "b hi", /* U+200B ZERO WIDTH SPACE */
		"post libera e\xcc\x81 hi",          /* a combining mark */
		"post libera caf\xe9 hi",             /* not UTF-8 */
		"post libera \xff hi",
		"post libera \x7f" "a hi",            /* DEL */
		"post libera 一二三四五六七八九十一二三四五六七 hi", /* 17 characters */
	};
	struct bridge_req q;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(parse(bad[i], &q) == -1 && q.what != BRIDGE_NLINES, "%s", bad[i]);
	CHECK_INT(parse("post libera abcdefghijklmnopqrstuvwxyz1234 hi", &q), 0); /* 30 */
	CHECK_INT(parse("post abcdefghijklmnop carol hi", &q), 0);                /* 16 */
	/* a peer board's member: every name the room takes */
	CHECK_INT(parse("post boardB caról hi", &q), 0);
	SPAN_IS(q.nick, "caról");
	CHECK_INT(parse("act boardB 小明 挥手", &q), 0);
	SPAN_IS(q.nick, "小明");
	CHECK_INT(parse("post boardB ｃarol hi", &q), 0);
	CHECK_INT(parse("post boardB 😀x hi", &q), 0);
	CHECK_INT(parse("post boardB 一二三四五六七八九十一二三四五六 hi", &q), 0); /* 16, 48 bytes */
	CHECK_INT(parse("post boardB a中bcdefghijklmnopqrstuvwxyz hi", &q), -1); /* 27 characters */
	CHECK_INT(parse("frob libera carol hi", &q), -1);
	CHECK_INT(q.what, BRIDGE_NLINES);
	CHECK_INT(parse("posts libera carol hi", &q), -1);
	CHECK_INT(q.what, BRIDGE_NLINES);
	CHECK_INT(parse("pos libera carol hi", &q), -1);
	CHECK_INT(q.what, BRIDGE_NLINES);
	CHECK_INT(parse("", &q), -1);
	CHECK_INT(q.what, BRIDGE_NLINES);
	CHECK_INT(parse("POST libera carol hi", &q), -1);
	CHECK_INT(parse("TAG libera carol hi", &q), -1);
	CHECK_INT(q.what, BRIDGE_NLINES);
	CHECK_INT(bridge_parse("notice\0 x", 9, &q), -1);
	CHECK_INT(parse(" post b c d", &q), -1);
	/* a NUL anywhere: in the word, TAG, NICK, or TEXT */
	CHECK_INT(bridge_parse("post\0x b c d", 12, &q), -1);
	CHECK_INT(bridge_parse("post b\0 c d", 11, &q), -1);
	CHECK_INT(bridge_parse("post b c\0 d", 11, &q), -1);
	CHECK_INT(bridge_parse("post b c d\0e", 12, &q), -2);
	/* TEXT: as a member's */
	CHECK_INT(parse("post b c a\x1b[31mb", &q), -2);
	CHECK_INT(parse("notice \xff", &q), -2);
	CHECK_INT(parse("act b c \xe2\x80\xae" "abc", &q), -2); /* U+202E */
	CHECK_INT(parse("post b c a\tb", &q), -2);
}

static void bridge_parse_text_bound(void)
{
	char line[64 + PROTO_MAX_LINE + 2];
	struct bridge_req q;
	size_t n = (size_t)(strcpy(line, "post b c "), 9);

	memset(line + n, 'x', PROTO_MAX_LINE);
	CHECK_INT(bridge_parse(line, n + PROTO_MAX_LINE, &q), 0);
	line[n + PROTO_MAX_LINE] = 'x';
	CHECK_INT(bridge_parse(line, n + PROTO_MAX_LINE + 1, &q), -2);
	CHECK_INT(q.text.len, PROTO_MAX_LINE + 1);
}

static void bridge_names_at(void)
{
	static const char *const bad[] = { "a@b", "@", "carol@libera", "x\xef\xbc\xa0y" /* U+FF20 */ };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct proto_span s = { bad[i], strlen(bad[i]) };

		CHECK_STR(proto_name_error(s), "contains '@'");
	}
}

/* A bridge attached from a control connection whose peer end is *peer;
 * what the peer wrote before is in the connection's reader. */
static struct bridge *bridge_pair(int *peer, const char *sent)
{
	struct ctlsock_conn c;
	struct bridge *b;
	int sv[2];

	bridge_init();
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	memset(&c, 0, sizeof(c));
	ctlsock_start(&c, sv[0], 0);
	CHECK(write(sv[1], sent, strlen(sent)) == (ssize_t)strlen(sent));
	CHECK_INT(ctlsock_read(&c), 1);
	CHECK_STR(c.req, "bridge t");
	b = bridge_attach(&c, "t");
	CHECK(b != NULL);
	CHECK_INT(c.fd, -1);
	*peer = sv[1];
	return b;
}

static void bridge_attach_keeps_lines(void)
{
	const char *line;
	size_t len;
	int peer;
	struct bridge *b = bridge_pair(&peer, "bridge t\npost t a hi\r\nnotice x\n");

	CHECK_STR(b->tag, "t");
	CHECK_INT(bridge_next(b, &line, &len), IO_LINE);
	CHECK(len == 11 && memcmp(line, "post t a hi", 11) == 0);
	CHECK_INT(bridge_next(b, &line, &len), IO_LINE);
	CHECK(len == 8 && memcmp(line, "notice x", 8) == 0);
	CHECK_INT(bridge_next(b, &line, &len), IO_NONE);
	CHECK_INT(bridge_fill(b), 0); /* non-blocking: nothing now */
	CHECK(write(peer, "notice y\n", 9) == 9);
	CHECK_INT(bridge_fill(b), 9);
	CHECK_INT(bridge_next(b, &line, &len), IO_LINE);
	close(peer);
	CHECK_INT(bridge_fill(b), -1);
	CHECK_INT(b->c.fd, -1);
}

static void bridge_slots(void)
{
	struct ctlsock_conn c;
	int peer, i;

	for (i = 0; i < UCHAT_BRIDGES; i++) {
		if (i == 0) {
			bridge_pair(&peer, "bridge t\n");
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.fd = 100 + i;
		CHECK(bridge_attach(&c, "u") != NULL);
	}
	memset(&c, 0, sizeof(c));
	c.fd = 99;
	CHECK(bridge_attach(&c, "v") == NULL); /* all taken */
	CHECK_INT(c.fd, 99);
	close(peer);
}

static const char *bridge_read_all(int peer, char *buf, size_t n)
{
	ssize_t got = recv(peer, buf, n - 1, MSG_DONTWAIT);

	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

/* Writes an event not for member a, one for all, a reply to a and a
 * private line to a8; checks what the peer reads. Returns 0. */
static int bridge_event_to_check(struct bridge *b, const struct net_addr *a,
				 const struct net_addr *a8, int peer, char *buf, size_t n)
{
	struct net_addr udp;

	memset(&udp, 0, sizeof(udp));
	udp.sin6.sin6_family = AF_INET6;
	udp.sin6.sin6_scope_id = 7;
	CHECK_INT(bridge_to(&udp, 0, "x", 1), -1); /* not a bridge's member */
	bridge_event(3, "bob: hi", 7, NULL, a);
	bridge_event(4, "carol: yo", 9, NULL, &udp);
	CHECK_INT(bridge_to(a, 0, "+OK ack x 3", 11), 0);
	CHECK_INT(bridge_to(a8, 5, "[private] carol: psst", 21), 0);
	bridge_flush();
	CHECK_STR(bridge_read_all(peer, buf, n), "=3!7 bob: hi\n=4 carol: yo\n@7 +OK ack x 3\n"
		  "@8 =5 [private] carol: psst\n");
	buf[0] = '\0';
	(void)b;
	return 0;
}

static void bridge_events_and_lost(void)
{
	struct net_addr a, a8;
	static char buf[4 * BRIDGE_OUT_BYTES];
	char text[400];
	int peer, rcv = 1, i;
	unsigned lost = 0, told = 0, events = 0, last = 1;
	size_t off = 0;
	struct bridge *b = bridge_pair(&peer, "bridge t\n");
	uint64_t lost0 = bridge_stats.lost, out0 = bridge_stats.out;

	bridge_event(1, "alice: hi", 9, NULL, NULL);
	bridge_event(2, "carol@t: yo", 11, b, NULL);  /* its own: not written back */
	bridge_flush();
	CHECK_STR(bridge_read_all(peer, buf, sizeof(buf)), "=1 alice: hi\n");
	buf[0] = '\0';
	CHECK_INT(bridge_stats.out - out0, 1);
	/* its members ("as ID LINE"): marked events, their own lines at once */
	bridge_addr(b, 7, &a);
	bridge_addr(b, 8, &a8);
	CHECK(bridge_of(&a) == b);
	CHECK_INT(bridge_event_to_check(b, &a, &a8, peer, buf, sizeof(buf)), 0);
	out0 = bridge_stats.out; /* the events below */
	/* the peer reads nothing: the socket, then the buffer, fill up */
	setsockopt(b->c.fd, SOL_SOCKET, SO_SNDBUF, &rcv, sizeof(rcv));
	memset(text, 'x', sizeof(text));
	for (i = 0; i < 2000; i++) {
		bridge_event((uint32_t)(10 + i), text, sizeof(text), NULL, NULL);
		bridge_flush();
	}
	CHECK(b->lost > 0);
	CHECK(b->outlen <= BRIDGE_OUT_BYTES);
	/* it reads again: every event either written whole, in order, or
	 * counted in a "-LOST N" that comes after the last written before it */
	for (i = 0; i < 400; i++) {
		ssize_t got = recv(peer, buf + off, sizeof(buf) - 1 - off, MSG_DONTWAIT);
		char *p, *nl;

		if (got > 0)
			off += (size_t)got;
		buf[off] = '\0';
		for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
			*nl = '\0';
			if (strncmp(p, "-LOST ", 6) == 0) {
				lost += (unsigned)atoi(p + 6);
				told++;
			} else {
				CHECK_MSG(p[0] == '=' && (unsigned)atoi(p + 1) > last, "%.20s", p);
				last = (unsigned)atoi(p + 1);
				events++;
			}
		}
		off = strlen(p);
		memmove(buf, p, off);
		bridge_flush();
	}
	CHECK(told >= 1);
	CHECK(events > 0);
	CHECK_INT(events + lost, 2000);
	CHECK_INT(lost, bridge_stats.lost - lost0);
	CHECK_INT(events, bridge_stats.out - out0);
	CHECK_INT(b->lost, 0);
	CHECK_INT(b->outlen, 0);
	/* and the next event goes out as usual */
	bridge_event(5000, "bob: back", 9, NULL, NULL);
	bridge_flush();
	CHECK_STR(bridge_read_all(peer, buf, sizeof(buf)), "=5000 bob: back\n");
	close(peer);
	bridge_event(5001, "bob: gone?", 10, NULL, NULL);
	bridge_flush();
	bridge_flush();
	CHECK_INT(b->c.fd, -1); /* EPIPE: the slot is free */
}

void suite_bridge(void)
{
	TEST_RUN(bridge_parse_lines);
	TEST_RUN(bridge_parse_refused);
	TEST_RUN(bridge_parse_as);
	TEST_RUN(bridge_parse_text_bound);
	TEST_RUN(bridge_names_at);
	TEST_RUN(bridge_attach_keeps_lines);
	TEST_RUN(bridge_slots);
	TEST_RUN(bridge_events_and_lost);
}
