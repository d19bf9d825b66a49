/* test_fanout.c: coalescing fan-out over real loopback UDP sockets
 * (fanout.c with net.c and room.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fanout.h"
#include "test.h"

#define NMEM 3
#define RX_MAX 200000

struct peer {
	int fd;
	struct net_addr addr;
	struct room_member *m;
	char rx[RX_MAX];        /* every byte received, datagrams back to back */
	size_t rx_len;
	unsigned dgrams, too_big, unterminated;
};

static struct peer fo_peers[NMEM];
static int fo_server = -1;

/* Opens the server socket on bind_addr:0 and NMEM member sockets on
 * member_ip:0, all in the room. Returns 0, or -1 (the failure recorded). */
static int fo_setup(const char *bind_addr, const char *member_ip, int line)
{
	static const char *const names[NMEM] = { "alice", "bob", "carol" };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char err[256] = "";
	int i, family, v6 = strchr(member_ip, ':') != NULL;

	fo_server = net_server_socket(bind_addr, 0, err, sizeof(err));
	if (fo_server < 0) {
		test_fail(__FILE__, line, "net_server_socket(%s): %s", bind_addr, err);
		return -1;
	}
	if (getsockname(fo_server, (struct sockaddr *)&ss, &len) < 0 ||
	    (ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				     : ((struct sockaddr_in6 *)&ss)->sin6_port) == 0)
		test_fail(__FILE__, line, "server socket has no port");
	family = net_socket_family(fo_server);
	test_room_reset(16);
	fanout_init(fo_server, family);
	for (i = 0; i < NMEM; i++) {
		struct peer *p = &fo_peers[i];
		struct sockaddr_in s4;
		struct sockaddr_in6 s6;
		struct sockaddr *sa;
		socklen_t sl;
		int rcvbuf = 1 << 20;

		p->rx_len = p->dgrams = p->too_big = p->unterminated = 0;
		p->m = NULL;
		memset(&s4, 0, sizeof(s4));
		memset(&s6, 0, sizeof(s6));
		if (v6) {
			s6.sin6_family = AF_INET6;
			inet_pton(AF_INET6, member_ip, &s6.sin6_addr);
			sa = (struct sockaddr *)&s6;
			sl = sizeof(s6);
		} else {
			s4.sin_family = AF_INET;
			inet_pton(AF_INET, member_ip, &s4.sin_addr);
			sa = (struct sockaddr *)&s4;
			sl = sizeof(s4);
		}
		p->fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (p->fd < 0 || bind(p->fd, sa, sl) < 0) {
			test_fail(__FILE__, line, "member socket on %s: %s", member_ip,
				  strerror(errno));
			return -1;
		}
		setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		len = sizeof(ss);
		getsockname(p->fd, (struct sockaddr *)&ss, &len);
		if (net_addr_from((struct sockaddr *)&ss, len, &p->addr) < 0 ||
		    room_add(&p->addr, (struct proto_span){ names[i], strlen(names[i]) }, 0,
			     &p->m) != ROOM_OK) {
			test_fail(__FILE__, line, "member %s not added", names[i]);
			return -1;
		}
		p->m->credit = ROOM_CONFIRMED;
	}
	memset(&fanout_stats, 0, sizeof(fanout_stats));
	return 0;
}

static void fo_teardown(void)
{
	int i;

	fanout_flush();
	for (i = 0; i < NMEM; i++) {
		if (fo_peers[i].m)
			fanout_leave(fo_peers[i].m, 0); /* the room's v1.1 count */
		if (fo_peers[i].fd >= 0)
			close(fo_peers[i].fd);
		fo_peers[i].fd = -1;
	}
	if (fo_server >= 0)
		close(fo_server);
	fo_server = -1;
	test_room_reset(16);
}

/* Reads what waits for every member: until each has want[i] bytes (waiting
 * up to 2 s), then whatever else arrives within 50 ms. */
static void fo_receive_some(const size_t *want, int skip)
{
	int i;

	for (i = 0; i < NMEM; i++) {
		struct peer *p = &fo_peers[i];
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

		if (i == skip)
			continue;

		for (;;) {
			int wait = p->rx_len < want[i] ? 2000 : 50;
			char buf[65536];
			ssize_t n;

			if (poll(&pfd, 1, wait) <= 0)
				break;
			n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				break;
			p->dgrams++;
			if ((size_t)n > FANOUT_DGRAM_MAX)
				p->too_big++;
			if (n == 0 || buf[n - 1] != '\n')
				p->unterminated++;
			if (p->rx_len + (size_t)n <= sizeof(p->rx)) {
				memcpy(p->rx + p->rx_len, buf, (size_t)n);
				p->rx_len += (size_t)n;
			}
		}
	}
}

static void fo_receive(const size_t *want)
{
	fo_receive_some(want, -1);
}

static void fo_reset_rx(void)
{
	int i;

	for (i = 0; i < NMEM; i++)
		fo_peers[i].rx_len = fo_peers[i].dgrams = fo_peers[i].too_big =
			fo_peers[i].unterminated = 0;
}

/* Queues one line for everyone but except (NULL: all) or for one member. */
static void fo_all(const char *s, const struct room_member *except)
{
	char *o = fanout_begin();
	size_t n = strlen(s);

	memcpy(o, s, n);
	fanout_to_all(n, except);
}

static void fo_one(const char *s, const struct room_member *to)
{
	char *o = fanout_begin();
	size_t n = strlen(s);

	memcpy(o, s, n);
	fanout_to_one(n, to);
}

/* Queues a reply (fanout_reply: apart from the broadcasts) for to. */
static void fo_reply(const char *s, const struct room_member *to)
{
	fanout_reply(to, s, strlen(s));
}

/* Checks what member i got: exactly want, in dgrams datagrams (-1: any). */
static void fo_check(int i, const char *want, long dgrams, int line)
{
	const struct peer *p = &fo_peers[i];

	if (!test_mem_eq(p->rx, p->rx_len, want))
		test_fail(__FILE__, line, "member %d got \"%s\", want \"%s\"", i,
			  test_esc(p->rx, p->rx_len), test_esc(want, strlen(want)));
	if (dgrams >= 0 && p->dgrams != (unsigned)dgrams)
		test_fail(__FILE__, line, "member %d got %u datagrams, want %ld", i,
			  p->dgrams, dgrams);
	if (p->too_big)
		test_fail(__FILE__, line, "member %d: %u datagrams over %d bytes", i,
			  p->too_big, FANOUT_DGRAM_MAX);
	if (p->unterminated)
		test_fail(__FILE__, line, "member %d: %u datagrams not ending in \\n", i,
			  p->unterminated);
}
#define FO_CHECK(i, want, dgrams) fo_check((i), (want), (dgrams), __LINE__)

/* Receives until member i has strlen(wi) bytes, then checks that it got
 * exactly wi: in one datagram, or none for "". */
static void fo_expect(const char *w0, const char *w1, const char *w2, int line)
{
	const char *w[NMEM] = { w0, w1, w2 };
	size_t want[NMEM];
	int i;

	for (i = 0; i < NMEM; i++)
		want[i] = strlen(w[i]);
	fo_receive(want);
	for (i = 0; i < NMEM; i++)
		fo_check(i, w[i], *w[i] != '\0', line);
}
#define FO_EXPECT(w0, w1, w2) fo_expect((w0), (w1), (w2), __LINE__)

/* fo_setup on IPv4 loopback, alice, bob and carol in *a, *b, *c; those of
 * seq (1: alice, 2: bob, 4: carol) sent /seq (v1.1). Returns fo_setup's. */
static int fo_setup3(struct room_member **a, struct room_member **b, struct room_member **c,
		     unsigned seq, int line)
{
	int i;

	if (fo_setup("127.0.0.1", "127.0.0.1", line) < 0)
		return -1;
	*a = fo_peers[0].m;
	*b = fo_peers[1].m;
	*c = fo_peers[2].m;
	for (i = 0; i < NMEM; i++)
		if (seq & 1u << i)
			fanout_seq_on(fo_peers[i].m);
	return 0;
}

static void fanout_broadcast_and_unicast(void)
{
	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	CHECK_INT(net_socket_family(fo_server), AF_INET);

	/* one broadcast to all */
	fo_all("hello", NULL);
	fanout_flush();
	FO_EXPECT("hello\n", "hello\n", "hello\n");
	CHECK_INT(fanout_stats.deliveries, 3);
	CHECK_INT(fanout_stats.datagrams, 3);
	CHECK_INT(fanout_stats.errors, 0);

	/* a broadcast skips the excepted member (the speaker) */
	fo_reset_rx();
	fo_all("bob: hi", fo_peers[1].m);
	fanout_flush();
	FO_EXPECT("bob: hi\n", "", "bob: hi\n");
	CHECK_INT(fanout_stats.deliveries, 5);
	CHECK_INT(fanout_stats.datagrams, 5);

	/* a unicast reaches only its member */
	fo_reset_rx();
	fo_reply("+OK pong", fo_peers[2].m);
	fanout_flush();
	FO_EXPECT("", "", "+OK pong\n");
	CHECK_INT(fanout_stats.deliveries, 6);
	CHECK_INT(fanout_stats.datagrams, 6);

	/* flushing nothing sends nothing */
	fanout_flush();
	CHECK_INT(fanout_stats.datagrams, 6);
out:
	fo_teardown();
}

static void fanout_interleaved_order(void)
{
	struct room_member *a, *b, *c;

	if (fo_setup3(&a, &b, &c, 0, __LINE__) < 0)
		goto out;
	fo_all("L1", a);
	fo_one("U1a", a);
	fo_all("L2", NULL);
	fo_one("U2b", b);
	fo_one("U3a", a);
	fo_all("L3", b);
	fo_one("U4b", b);
	fanout_flush();
	/* each member's lines in the order queued, coalesced into one datagram */
	FO_EXPECT("U1a\nL2\nU3a\nL3\n", "L1\nL2\nU2b\nU4b\n", "L1\nL2\nL3\n");
	CHECK_INT(fanout_stats.deliveries, 4 + 4 + 3);
	CHECK_INT(fanout_stats.datagrams, 3);

	/* unicasts only (no broadcast in the batch) to two members */
	fo_reset_rx();
	fo_one("x1", b);
	fo_one("y1", a);
	fo_one("x2", b);
	fanout_flush();
	FO_EXPECT("y1\n", "x1\nx2\n", "");
out:
	fo_teardown();
}

/* Protocol v1.1: a member that sent /seq gets each event as "=SEQ line",
 * or "= line" when it is the event after the previous event line of the
 * same datagram (a reply, no event: as it is), the others the line alone;
 * both get a run of lines in one datagram, and an event's prefixed copy is
 * made once for all v1.1 members. */
static void fanout_v11_prefixes(void)
{
	struct room_member *a, *b, *c;

	if (fo_setup3(&a, &b, &c, 2 | 4, __LINE__) < 0)
		goto out;
	fanout_event(7);
	fo_all("alice: one", a);
	fo_reply("+OK ack 1 7", a);
	fanout_event(8);
	fo_all("bob joined the room", NULL);
	fo_reply("+OK pong", b);
	fanout_event(9);
	fo_one("[private] alice: psst", c);
	fanout_event(10);
	fo_all("carol: two", c);
	fanout_flush();
	/* bob: 9 was not his, 10 carol's own: not consecutive, a full prefix */
	FO_EXPECT("+OK ack 1 7\nbob joined the room\ncarol: two\n",
		  "=7 alice: one\n= bob joined the room\n+OK pong\n=10 carol: two\n",
		  "=7 alice: one\n= bob joined the room\n= [private] alice: psst\n");

	/* the next batch's events are prefixed anew (no copy of the last's) */
	fo_reset_rx();
	fanout_event(11);
	fo_all("alice: three", a);
	fanout_flush();
	FO_EXPECT("", "=11 alice: three\n", "=11 alice: three\n");
out:
	fo_teardown();
}

/* The short form: a reply between two events does not break it, a
 * member's own line (skipped) does, and each datagram starts with a full
 * prefix; the forms of one event differ from member to member. */
static void fanout_v11_short(void)
{
	struct room_member *a, *b, *c;

	if (fo_setup3(&a, &b, &c, 1 | 2 | 4, __LINE__) < 0)
		goto out;
	fanout_event(41);
	fo_all("dave: one", NULL);
	fo_reply("+OK pong", b);
	fanout_event(42);
	fo_all("alice: two", a);
	fo_reply("+OK ack 5 42", a);
	fanout_event(43);
	fo_all("bob: three", b);
	fanout_event(44);
	fo_all("dave: four", NULL);
	fanout_flush();
	FO_EXPECT("=41 dave: one\n+OK ack 5 42\n=43 bob: three\n= dave: four\n",
		  "=41 dave: one\n+OK pong\n= alice: two\n=44 dave: four\n",
		  "=41 dave: one\n= alice: two\n= bob: three\n= dave: four\n");

	/* a datagram that starts with a reply: the event after it is full */
	fo_reset_rx();
	fo_reply("+OK pong", c);
	fanout_event(45);
	fo_all("dave: five", NULL);
	fanout_event(47);
	fo_all("dave: seven", NULL);
	fanout_flush();
	FO_EXPECT("=45 dave: five\n=47 dave: seven\n", "=45 dave: five\n=47 dave: seven\n",
		  "+OK pong\n=45 dave: five\n=47 dave: seven\n");
out:
	fo_teardown();
}

/* A reply that no longer fits starts a datagram: the next event, though
 * it follows the last one bob got, is that datagram's first event line and
 * gets the full prefix (a "= " there could not be placed). */
static void fanout_v11_reply_breaks(void)
{
	static char reply[601], expect[4096];
	size_t want[NMEM];
	struct room_member *b;
	int k;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	b = fo_peers[1].m;
	fanout_seq_on(b);
	memset(reply, 'r', 600);
	memcpy(reply, "+OK ", 4);
	fanout_event(1);
	fo_all("x: a", NULL);
	for (k = 0; k < 3; k++)
		fo_reply(reply, b);
	fanout_event(2);
	fo_all("x: b", NULL);
	fanout_flush();
	snprintf(expect, sizeof(expect), "=1 x: a\n%s\n%s\n%s\n=2 x: b\n", reply, reply, reply);
	want[0] = want[2] = strlen("x: a\nx: b\n");
	want[1] = strlen(expect);
	fo_receive(want);
	FO_CHECK(1, expect, 2);
	FO_CHECK(0, "x: a\nx: b\n", 1);
out:
	fo_teardown();
}

/* 200 events to three v1.1 members: each gets them all, each datagram's
 * first with its "=SEQ " prefix and the others "= ", in as few datagrams
 * as they fit (a line and its prefix apart took two iovecs, and a full
 * sendmmsg batch cut datagrams short). */
static void fanout_v11_runs(void)
{
	static char expect[RX_MAX];
	size_t want[NMEM], elen = 0, fill = 0, n;
	long dgrams = 0;
	int k, i;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (i = 0; i < NMEM; i++)
		fanout_seq_on(fo_peers[i].m);
	for (k = 0; k < 200; k++) {
		char *o = fanout_begin();

		fanout_event((uint32_t)(1000 + k));
		n = (size_t)snprintf(o, 64, "dave: line %03d of the run", k);
		fanout_to_all(n, NULL);
		n = (size_t)snprintf(expect + elen, 64, "= dave: line %03d of the run\n", k);
		if (!dgrams || fill + n > FANOUT_DGRAM_MAX) {
			n = (size_t)snprintf(expect + elen, 64, "=%d dave: line %03d of the run\n",
					     1000 + k, k);
			dgrams++;
			fill = 0;
		}
		fill += n;
		elen += n;
	}
	fanout_flush();
	want[0] = want[1] = want[2] = elen;
	fo_receive(want);
	for (i = 0; i < NMEM; i++)
		FO_CHECK(i, expect, dgrams);
out:
	fo_teardown();
}

/* Line k of a run: "NNNN " then filler, len bytes without "\n". */
static void fo_line(char *o, int k, size_t len)
{
	size_t i;

	snprintf(o, len + 1, "%04d ", k);
	for (i = 5; i < len; i++)
		o[i] = (char)('a' + (k + (int)i) % 26);
}

/* Replies lie apart from the broadcasts (fanout_reply, at the arena's
 * top): alice's 200 one-letter lines, each acknowledged to her, come to bob
 * and carol as one run, in one datagram, in v1 and in v1.1. With the acks
 * between them in the arena a run took an iovec a line, and after alice's
 * 200 acks in the same sendmmsg batch the datagrams were cut at
 * FANOUT_MAX_IOV iovecs. alice gets her acks, in order. */
static void fanout_replies_apart(void)
{
	enum { COUNT = 200 };
	static char expect[RX_MAX], acks[RX_MAX];
	size_t want[NMEM], elen, alen;
	int k, pass, i;

	if (COUNT > FANOUT_MAX_ITEMS / 2) {
		test_note("fanout_replies_apart: bounds too small for one flush, skipped");
		return;
	}
	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			for (i = 0; i < NMEM; i++)
				fanout_seq_on(fo_peers[i].m);
		fo_reset_rx();
		elen = alen = 0;
		for (k = 0; k < COUNT; k++) {
			char *o = fanout_begin(), ack[32];

			o[0] = (char)('a' + k % 26);
			if (pass == 1)
				fanout_event((uint32_t)(100 + k));
			fanout_to_all(1, fo_peers[0].m);
			if (pass == 0)
				elen += (size_t)snprintf(expect + elen, 8, "%c\n", o[0]);
			else if (k == 0)
				elen += (size_t)snprintf(expect + elen, 16, "=%d %c\n", 100 + k, o[0]);
			else
				elen += (size_t)snprintf(expect + elen, 8, "= %c\n", o[0]);
			snprintf(ack, sizeof(ack), "+OK ack %d", k);
			fo_reply(ack, fo_peers[0].m);
			alen += (size_t)snprintf(acks + alen, 32, "%s\n", ack);
		}
		CHECK_INT(fanout_stats.datagrams, 0); /* one flush, below */
		fanout_flush();
		want[0] = alen;
		want[1] = want[2] = elen;
		fo_receive(want);
		fo_check(0, acks, -1, __LINE__);
		fo_check(1, expect, 1, __LINE__);
		fo_check(2, expect, 1, __LINE__);
		memset(&fanout_stats, 0, sizeof(fanout_stats));
	}
out:
	fo_teardown();
}

/* A member's replies keep their place among its lines, whichever region
 * of the arena they lie in: a reply first, between two events (the short
 * form goes on after it) and last, and a line for it alone queued as
 * lines are (fanout_to_one: a names list) before them. */
static void fanout_reply_first_last(void)
{
	struct room_member *a, *b, *c;

	if (fo_setup3(&a, &b, &c, 2 | 4, __LINE__) < 0)
		goto out;
	fo_reply("+OK first", b);
	fo_one("+OK welcome bob, 3 online: alice bob carol", b);
	fanout_event(5);
	fo_all("x: one", NULL);
	fo_reply("+OK mid", b);
	fo_reply("+OK ack 1 6", a);
	fanout_event(6);
	fo_all("x: two", NULL);
	fo_reply("+OK last", b);
	fanout_flush();
	FO_EXPECT("x: one\n+OK ack 1 6\nx: two\n",
		  "+OK first\n+OK welcome bob, 3 online: alice bob carol\n=5 x: one\n"
		  "+OK mid\n= x: two\n+OK last\n",
		  "=5 x: one\n= x: two\n");

	/* a batch of replies alone */
	fo_reset_rx();
	fo_reply("+OK pong", c);
	fo_reply("+OK pong 2", c);
	fanout_flush();
	FO_EXPECT("", "", "+OK pong\n+OK pong 2\n");
out:
	fo_teardown();
}

/* Member i's v1.1 lines with their seqs written out: "=N TEXT" and
 * "= TEXT" (the seq after the event line before it) both as "N TEXT", so
 * a stream can be compared whatever its datagrams were. */
static size_t fo_seqs(int i, char *out, size_t size)
{
	const struct peer *p = &fo_peers[i];
	size_t k = 0, n = 0, e;
	unsigned long seq = 0;

	while (k < p->rx_len && n + 32 < size) {
		e = k;
		while (e < p->rx_len && p->rx[e] != '\n')
			e++;
		if (p->rx[k] == '=') {
			if (p->rx[k + 1] == ' ')
				seq++, k++; /* its space stays */
			else
				for (seq = 0, k++; k < e && p->rx[k] != ' '; k++)
					seq = seq * 10 + (unsigned long)(p->rx[k] - '0');
			n += (size_t)snprintf(out + n, size - n, "%lu", seq);
		}
		if (e - k + 2 > size - n)
			break;
		memcpy(out + n, p->rx + k, e - k + (e < p->rx_len));
		n += e - k + (e < p->rx_len);
		k = e + 1;
	}
	out[n] = '\0';
	return n;
}

/* Both ends of the arena fill: 60 times a 400-byte event and a 500-byte
 * reply to bob (54 KB; fanout_begin flushes when the lines from the bottom
 * and the replies from the top leave no room for a line between them).
 * Every member gets its lines whole and in order, in v1 and in v1.1. */
static void fanout_arena_full(void)
{
	enum { COUNT = 60, LEN = 400, RLEN = 500 };
	static char other[RX_MAX], bob[RX_MAX], got[RX_MAX];
	size_t want[NMEM], olen, blen, n;
	char reply[RLEN + 1];
	int k, i, pass;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			for (i = 0; i < NMEM; i++)
				fanout_seq_on(fo_peers[i].m);
		fo_reset_rx();
		olen = blen = 0;
		for (k = 0; k < COUNT; k++) {
			char *o = fanout_begin();

			fo_line(o, k, LEN);
			fanout_event((uint32_t)(1000 + k));
			fanout_to_all(LEN, NULL);
			fo_line(reply, COUNT + k, RLEN);
			fanout_reply(fo_peers[1].m, reply, RLEN);
			/* v1: the line; v1.1: "SEQ line" (fo_seqs) */
			if (pass == 1) {
				olen += (size_t)snprintf(other + olen, 8, "%d ", 1000 + k);
				blen += (size_t)snprintf(bob + blen, 8, "%d ", 1000 + k);
			}
			fo_line(other + olen, k, LEN);
			olen += LEN;
			other[olen++] = '\n';
			fo_line(bob + blen, k, LEN);
			blen += LEN;
			bob[blen++] = '\n';
			memcpy(bob + blen, reply, RLEN);
			blen += RLEN;
			bob[blen++] = '\n';
		}
		other[olen] = bob[blen] = '\0';
		CHECK_MSG(fanout_stats.datagrams > 0, "pass %d: no flush on the way", pass);
		fanout_flush();
		/* at least the v1 bytes, and "= " a line in v1.1 */
		want[0] = want[2] = (size_t)COUNT * (LEN + 1 + 2 * (size_t)pass);
		want[1] = (size_t)COUNT * (LEN + 1 + RLEN + 1 + 2 * (size_t)pass);
		fo_receive(want);
		for (i = 0; i < NMEM; i++) {
			const char *exp = i == 1 ? bob : other;

			if (pass == 0) {
				fo_check(i, exp, -1, __LINE__);
				continue;
			}
			n = fo_seqs(i, got, sizeof(got));
			for (k = 0; k < (int)n && got[k] == exp[k]; k++)
				;
			CHECK_MSG(test_mem_eq(got, n, exp), "pass 1, member %d differs at %d: \"%.60s\"",
				  i, k, test_esc(got + k, n - (size_t)k));
			CHECK_MSG(!fo_peers[i].too_big && !fo_peers[i].unterminated,
				  "pass 1, member %d: datagrams too big or cut", i);
		}
		memset(&fanout_stats, 0, sizeof(fanout_stats));
	}
out:
	fo_teardown();
}

/* Lines are queued with room for "= " before them (gaps) only while the
 * room has a v1.1 member: the first one's fanout_seq_on flushes what was
 * queued without them (the next does not), and they end when the last one
 * leaves. A v1 member's run is one iovec
 * without gaps and an iovec a line with them: 300 one-letter lines come to
 * it in one datagram, in two with gaps (FANOUT_MAX_IOV iovecs a batch). */
static void fanout_gaps_on_off(void)
{
	enum { COUNT = 300 };
	static char v1[RX_MAX], v11[RX_MAX];
	size_t want[NMEM], len = 0, elen = 0;
	int k;

	if (COUNT > FANOUT_MAX_ITEMS || COUNT < FANOUT_MAX_IOV + 10) {
		test_note("fanout_gaps_on_off: bounds do not fit the test, skipped");
		return;
	}
	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	fanout_event(900);
	fo_all("a", NULL);
	fanout_seq_on(fo_peers[2].m); /* the first: "a" goes out, as v1 */
	CHECK_INT(fanout_stats.datagrams, 3);
	fo_all("b", NULL);
	fanout_seq_on(fo_peers[2].m); /* again: no flush */
	CHECK_INT(fanout_stats.datagrams, 3);
	for (k = 0; k < COUNT; k++) {
		char *o = fanout_begin();

		o[0] = (char)('a' + k % 26);
		fanout_event((uint32_t)(1 + k));
		fanout_to_all(1, NULL);
		len += (size_t)snprintf(v1 + len, 8, "%c\n", o[0]);
		elen += (size_t)(k ? snprintf(v11 + elen, 8, "= %c\n", o[0])
				   : snprintf(v11 + elen, 16, "=%d %c\n", 1 + k, o[0]));
	}
	fanout_flush();
	want[0] = want[1] = 4 + len;
	want[2] = 4 + elen;
	fo_receive(want);
	CHECK_MSG(test_mem_eq(fo_peers[0].rx + 4, fo_peers[0].rx_len - 4, v1) &&
		  test_mem_eq(fo_peers[1].rx + 4, fo_peers[1].rx_len - 4, v1) &&
		  test_mem_eq(fo_peers[2].rx + 4, fo_peers[2].rx_len - 4, v11) &&
		  !memcmp(fo_peers[0].rx, "a\nb\n", 4) && !memcmp(fo_peers[2].rx, "a\nb\n", 4),
		  "with gaps: the lines differ");
	CHECK_MSG(fo_peers[0].dgrams >= 3 && fo_peers[1].dgrams >= 3,
		  "with gaps, a v1 member's run in one iovec (%u, %u datagrams)",
		  fo_peers[0].dgrams, fo_peers[1].dgrams);
	CHECK_INT(fo_peers[2].dgrams, 2);

	/* carol, the last v1.1 member, leaves: no gaps from then on */
	fanout_leave(fo_peers[2].m, 1);
	room_remove(fo_peers[2].m);
	fo_peers[2].m = NULL;
	fo_reset_rx();
	for (k = 0; k < COUNT; k++) {
		char *o = fanout_begin();

		o[0] = (char)('a' + k % 26);
		fanout_to_all(1, NULL);
	}
	fanout_flush();
	want[0] = want[1] = len;
	want[2] = 0;
	fo_receive_some(want, 2);
	fo_check(0, v1, 1, __LINE__);
	fo_check(1, v1, 1, __LINE__);
out:
	fo_teardown();
}


/* alice and bob speak in turn, every member in v1.1: each of the other's
 * one-letter lines comes to alice and bob with its full prefix ("=SEQ" in
 * an iovec of its own, then the line's copy: two iovecs a line), so their
 * datagrams are cut at FANOUT_MAX_IOV iovecs, never a line; carol hears a
 * run ("= " after each datagram's first). */
static void fanout_v11_iov_runs(void)
{
	enum { COUNT = FANOUT_MAX_IOV + FANOUT_MAX_IOV / 2 };
	static char expect[NMEM][RX_MAX];
	size_t want[NMEM], elen[NMEM] = { 0 }, fill = 0, n;
	long dgrams = 0, most = (COUNT / 2 + FANOUT_MAX_IOV / 2 - 1) / (FANOUT_MAX_IOV / 2) + 1;
	int k, i, other;

	if (COUNT > FANOUT_MAX_ITEMS || COUNT * 16 > FANOUT_ARENA_BYTES / 2) {
		test_note("fanout_v11_iov_runs: bounds too small for one flush, skipped");
		return;
	}
	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (i = 0; i < NMEM; i++)
		fanout_seq_on(fo_peers[i].m);
	for (k = 0; k < COUNT; k++) {
		char *o = fanout_begin();

		other = !(k % 2);
		o[0] = (char)('a' + k % 26);
		fanout_event((uint32_t)(1 + k));
		fanout_to_all(1, fo_peers[k % 2].m);
		elen[other] += (size_t)snprintf(expect[other] + elen[other], 16, "=%d %c\n", 1 + k, o[0]);
		if (!dgrams || fill + 4 > FANOUT_DGRAM_MAX) {
			n = (size_t)snprintf(expect[2] + elen[2], 16, "=%d %c\n", 1 + k, o[0]);
			dgrams++;
			fill = 0;
		} else {
			n = (size_t)snprintf(expect[2] + elen[2], 16, "= %c\n", o[0]);
		}
		elen[2] += n;
		fill += n;
	}
	CHECK_INT(fanout_stats.datagrams, 0); /* one flush, below */
	fanout_flush();
	for (i = 0; i < NMEM; i++)
		want[i] = elen[i];
	fo_receive(want);
	for (i = 0; i < 2; i++) {
		fo_check(i, expect[i], -1, __LINE__);
		/* two iovecs a line: FANOUT_MAX_IOV / 2 lines a datagram, one
		 * more datagram where a sendmmsg batch ends */
		CHECK_MSG((long)fo_peers[i].dgrams <= most, "member %d: %u datagrams (at most %ld)", i,
			  fo_peers[i].dgrams, most);
	}
	fo_check(2, expect[2], dgrams, __LINE__);
	CHECK_INT(fanout_stats.deliveries, 2 * COUNT);
	CHECK_INT(fanout_stats.errors, 0);
out:
	fo_teardown();
}

/* Broadcasts count lines of len bytes (except member skip, -1: none) and
 * checks every member gets them all, in order, coalesced. */
static void fo_many(int count, size_t len, int skip, int line)
{
	static char expect[RX_MAX];
	size_t want[NMEM], elen = 0, per = FANOUT_DGRAM_MAX / (len + 1);
	long dgrams = (long)((count + (int)per - 1) / (int)per);
	/* fanout_begin flushes early when the queue or the arena is full:
	 * each such flush may leave one datagram short */
	long flushes = count / FANOUT_MAX_ITEMS +
		       (long)((size_t)count * (len + 1) / (FANOUT_ARENA_BYTES - OUT_LINE_MAX - 1));
	int k, i;

	for (k = 0; k < count; k++) {
		char *o = fanout_begin();

		fo_line(o, k, len);
		fanout_to_all(len, skip >= 0 ? fo_peers[skip].m : NULL);
		fo_line(expect + elen, k, len);
		elen += len;
		expect[elen++] = '\n';
	}
	expect[elen] = '\0';
	fanout_flush();
	for (i = 0; i < NMEM; i++)
		want[i] = i == skip ? 0 : elen;
	fo_receive(want);
	for (i = 0; i < NMEM; i++) {
		const struct peer *p = &fo_peers[i];

		if (i == skip) {
			fo_check(i, "", 0, line);
			continue;
		}
		/* datagrams end in "\n" and the bytes are the lines in order:
		 * so no line was split. Greedy packing: the fewest datagrams
		 * that whole lines allow, plus one per early flush. */
		fo_check(i, expect, -1, line);
		if (p->dgrams < 2 || p->dgrams > (unsigned)(dgrams + flushes))
			test_fail(__FILE__, line, "member %d: %u datagrams for %d lines of %zu "
				  "bytes, want %ld to %ld", i, p->dgrams, count, len + 1,
				  dgrams, dgrams + flushes);
	}
}

static void fanout_many_lines(void)
{
	int others;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	/* 300 lines of 100 bytes: 13 a datagram, 24 datagrams each */
	fo_many(300, 100, -1, __LINE__);
	CHECK_INT(fanout_stats.deliveries, 3 * 300);
	CHECK_INT(fanout_stats.datagrams, 3 * 24);
	CHECK_INT(fanout_stats.errors, 0);
	for (others = 0; others < NMEM; others++)
		CHECK_INT(fo_peers[others].dgrams, 24);

	/* the same with the speaker skipped */
	fo_reset_rx();
	fo_many(300, 100, 1, __LINE__);

	/* more than the arena holds (32 KB): fanout_begin flushes on the way */
	fo_reset_rx();
	fo_many(1000, 60, 2, __LINE__);

	/* more lines than the queue holds (512): short ones */
	fo_reset_rx();
	fo_many(1500, 8, -1, __LINE__);

	/* the longest lines: two a datagram */
	fo_reset_rx();
	fo_many(9, OUT_LINE_MAX, -1, __LINE__);
	CHECK_INT(fanout_stats.errors, 0);
out:
	fo_teardown();
}

/* Lines next to each other in the arena share an iovec; lines that are not
 * (alice and bob speak in turn, so each skips every other line) take one
 * each, and short ones fill the FANOUT_MAX_IOV iovecs before a datagram is
 * full: the datagram is cut there, never a line. carol, who hears both,
 * gets every line and fewer datagrams. */
static void fanout_iov_runs(void)
{
	enum { LEN = 8, COUNT = FANOUT_MAX_IOV + FANOUT_MAX_IOV / 2 };
	static char expect[NMEM][RX_MAX];
	size_t want[NMEM], elen[NMEM] = { 0 }, per = FANOUT_DGRAM_MAX / (LEN + 1);
	int k, i;

	if (COUNT > FANOUT_MAX_ITEMS || (size_t)COUNT * (LEN + 1) > FANOUT_ARENA_BYTES / 2) {
		test_note("fanout_iov_runs: bounds too small for one flush, skipped");
		return;
	}
	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (k = 0; k < COUNT; k++) {
		char *o = fanout_begin();
		int speaker = k % 2;

		fo_line(o, k, LEN);
		fanout_to_all(LEN, fo_peers[speaker].m);
		for (i = 0; i < NMEM; i++) {
			if (i == speaker)
				continue;
			fo_line(expect[i] + elen[i], k, LEN);
			elen[i] += LEN;
			expect[i][elen[i]++] = '\n';
		}
	}
	CHECK_INT(fanout_stats.datagrams, 0); /* one flush, below */
	fanout_flush();
	for (i = 0; i < NMEM; i++) {
		expect[i][elen[i]] = '\0';
		want[i] = elen[i];
	}
	fo_receive(want);
	for (i = 0; i < NMEM; i++)
		fo_check(i, expect[i], -1, __LINE__);
	/* carol: the fewest datagrams whole lines allow */
	CHECK_INT(fo_peers[2].dgrams, (COUNT + per - 1) / per);
	/* alice and bob: COUNT / 2 lines, FANOUT_MAX_IOV at most a datagram */
	for (i = 0; i < 2; i++)
		CHECK_MSG(fo_peers[i].dgrams >= (COUNT / 2 + per - 1) / per &&
			  fo_peers[i].dgrams <= (COUNT / 2 + per - 1) / per + 2,
			  "member %d: %u datagrams", i, fo_peers[i].dgrams);
	CHECK_INT(fanout_stats.deliveries, 2 * COUNT);
	CHECK_INT(fanout_stats.errors, 0);
out:
	fo_teardown();
}

/* As many 100-byte lines as one arena holds (so one flush sends them all),
 * to carol alone but for a broadcast every 50th: carol's come 13 to a
 * datagram (14 x 101 bytes would pass 1400), the others' in one datagram. */
static void fanout_many_unicast(void)
{
	static char expect[RX_MAX];
	const int n = (FANOUT_ARENA_BYTES - OUT_LINE_MAX - 1) / 101 < 300
		      ? (FANOUT_ARENA_BYTES - OUT_LINE_MAX - 1) / 101 : 300;
	const int bcasts = (n + 49) / 50;
	size_t want[NMEM], elen = 0;
	int k;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	for (k = 0; k < n; k++) {
		char *o = fanout_begin();

		fo_line(o, k, 100);
		if (k % 50 == 0)
			fanout_to_all(100, NULL);
		else
			fanout_to_one(100, fo_peers[2].m);
		fo_line(expect + elen, k, 100);
		elen += 100;
		expect[elen++] = '\n';
	}
	expect[elen] = '\0';
	CHECK_INT(fanout_stats.datagrams, 0); /* nothing went out early */
	fanout_flush();
	want[0] = want[1] = (size_t)bcasts * 101;
	want[2] = elen;
	fo_receive(want);
	FO_CHECK(2, expect, (n + 12) / 13);
	CHECK_INT(fo_peers[0].rx_len, bcasts * 101);
	CHECK_INT(fo_peers[1].dgrams, 1);
	CHECK_INT(fanout_stats.deliveries, n + 2 * bcasts);
out:
	fo_teardown();
}

static void fanout_send_now_stranger(void)
{
	char bye[] = "+OK bye.";
	struct net_addr a;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	/* bob leaves; his last reply goes straight to his address */
	a = fo_peers[1].addr;
	room_remove(fo_peers[1].m);
	fanout_send_now(&a, bye, 7);
	FO_EXPECT("", "+OK bye\n", "");
	CHECK_INT(fanout_stats.datagrams, 1);
out:
	fo_teardown();
}

/* A member whose port is closed draws an ICMP port-unreachable, which the
 * server socket (IP_RECVERR) reports on a later send: the others must still
 * get every line. */
static void fanout_dead_member(void)
{
	size_t want[NMEM];

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	close(fo_peers[1].fd);
	fo_peers[1].fd = -1;
	fo_all("one", NULL);
	fanout_flush();
	usleep(20000);
	fo_all("two", NULL);
	fanout_flush();
	usleep(20000);
	fo_one("three", fo_peers[2].m);
	fo_one("three", fo_peers[0].m);
	fanout_flush();
	want[0] = want[2] = strlen("one\ntwo\nthree\n");
	want[1] = 0;
	fo_receive_some(want, 1); /* the closed member is not read */
	FO_CHECK(0, "one\ntwo\nthree\n", 3);
	FO_CHECK(2, "one\ntwo\nthree\n", 3);
	test_note("to a closed port: %llu deliveries, %llu datagrams, %llu errors",
		  (unsigned long long)fanout_stats.deliveries,
		  (unsigned long long)fanout_stats.datagrams,
		  (unsigned long long)fanout_stats.errors);
out:
	fo_teardown();
}

/* A dual-stack server socket: IPv4 members (v4-mapped) and IPv6 ones. */
static void fanout_dual_stack(void)
{
	int probe = socket(AF_INET6, SOCK_DGRAM, 0);

	if (probe < 0) {
		test_note("no IPv6 here: dual-stack fan-out not tested");
		return;
	}
	close(probe);
	if (fo_setup("", "127.0.0.1", __LINE__) < 0)
		goto out;
	CHECK_INT(net_socket_family(fo_server), AF_INET6);
	fo_all("v4 via v6", fo_peers[0].m);
	fanout_flush();
	FO_EXPECT("", "v4 via v6\n", "v4 via v6\n");
	fo_teardown();

	if (fo_setup("::1", "::1", __LINE__) < 0)
		goto out;
	fo_one("six", fo_peers[0].m);
	fo_all("all", NULL);
	fanout_flush();
	FO_EXPECT("six\nall\n", "all\n", "all\n");
out:
	fo_teardown();
}

/* Joins and leaves need no flush: a leaver gets what was queued before it
 * left, at once; a newcomer (here in the leaver's reused slot, at the same
 * address) gets only what was queued after it came. */
static void fanout_join_leave_mid_batch(void)
{
	size_t want[NMEM];
	struct room_member *dave = NULL, *carol;
	struct net_addr addr;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	carol = fo_peers[2].m;
	addr = carol->addr;
	fo_all("before", NULL);
	fo_one("to carol", carol);
	fanout_leave(carol, 1);
	room_remove(carol);
	CHECK_INT(fanout_stats.datagrams, 1); /* carol served at once */
	CHECK_INT(room_add(&addr, (struct proto_span){ "dave", 4 }, 0, &dave), ROOM_OK);
	if (!dave)
		goto out;
	fanout_joined(dave);
	dave->credit = ROOM_CONFIRMED;
	fo_all("dave joined", dave);
	fo_all("after", NULL);
	fo_one("to dave", dave);
	fanout_flush();
	want[0] = want[1] = 25;
	want[2] = 16 + 14;
	fo_receive(want);
	FO_CHECK(0, "before\ndave joined\nafter\n", 1);
	FO_CHECK(1, "before\ndave joined\nafter\n", 1);
	FO_CHECK(2, "before\nto carol\nafter\nto dave\n", 2);

	/* an unreachable leaver's lines are dropped, not sent */
	fo_reset_rx();
	fo_one("lost", dave);
	fanout_leave(dave, 0);
	room_remove(dave);
	fo_all("dave left", NULL);
	fanout_flush();
	FO_EXPECT("dave left\n", "dave left\n", "");
out:
	fo_teardown();
}

/* An unconfirmed member gets what fits its credit, in order, and nothing
 * after the first line that does not fit; the others get everything. */
static void fanout_unconfirmed_credit(void)
{
	size_t held = FANOUT_HELD_LEN;
	struct room_member *carol;

	if (fo_setup("127.0.0.1", "127.0.0.1", __LINE__) < 0)
		goto out;
	carol = fo_peers[2].m;
	/* 20 bytes for lines, FANOUT_HELD_LEN kept for the notice */
	carol->credit = (uint16_t)(20 + held);
	fo_one("0123456789", carol); /* 11 bytes with its \n */
	fo_all("abcdefgh", NULL);    /* 9: 20 in all, the whole credit */
	fo_all("x", NULL);           /* 2: does not fit: the notice instead */
	fo_all("w", NULL);           /* nor does this: nothing more */
	fanout_flush();
	FO_EXPECT("abcdefgh\nx\nw\n", "abcdefgh\nx\nw\n", "0123456789\nabcdefgh\n" FANOUT_HELD);
	CHECK_INT(carol->credit, 0);
	fo_reset_rx();
	fo_one("y", carol);          /* told once: nothing, not even the notice */
	fo_all("z", NULL);
	fanout_flush();
	FO_EXPECT("z\n", "z\n", "");
	/* less than the notice left (a long welcome took it): a reply to carol
	 * still goes while it fits, a room line does not, nor the notice */
	carol->credit = (uint16_t)(held - 1);
	fo_reset_rx();
	fo_one("y", carol);
	fo_all("z", NULL);
	fanout_flush();
	FO_EXPECT("z\n", "z\n", "y\n");
	CHECK_INT(carol->credit, held - 3);
	/* confirmed: no limit any more */
	carol->credit = ROOM_CONFIRMED;
	fo_reset_rx();
	fo_one("y", carol);
	fanout_flush();
	FO_EXPECT("", "", "y\n");
out:
	fo_teardown();
}

void suite_fanout(void)
{
	int i;

	for (i = 0; i < NMEM; i++)
		fo_peers[i].fd = -1;
	TEST_RUN(fanout_broadcast_and_unicast);
	TEST_RUN(fanout_v11_prefixes);
	TEST_RUN(fanout_v11_short);
	TEST_RUN(fanout_v11_reply_breaks);
	TEST_RUN(fanout_v11_runs);
	TEST_RUN(fanout_v11_iov_runs);
	TEST_RUN(fanout_replies_apart);
	TEST_RUN(fanout_reply_first_last);
	TEST_RUN(fanout_arena_full);
	TEST_RUN(fanout_gaps_on_off);
	TEST_RUN(fanout_interleaved_order);
	TEST_RUN(fanout_many_lines);
	TEST_RUN(fanout_iov_runs);
	TEST_RUN(fanout_many_unicast);
	TEST_RUN(fanout_send_now_stranger);
	TEST_RUN(fanout_dead_member);
	TEST_RUN(fanout_dual_stack);
	TEST_RUN(fanout_join_leave_mid_batch);
	TEST_RUN(fanout_unconfirmed_credit);
}
