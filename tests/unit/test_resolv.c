/* test_resolv.c: the resolver's pure parts: DNS query bytes, the checked
 * reply reader (compression, loops, truncation, IDs, questions, RCODEs,
 * CNAME chains, TC), /etc/hosts and /etc/resolv.conf lines, the line reader
 * over a real pipe, and the search candidates. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "resolv.h"
#include "test.h"

/* --- a small DNS message writer for the tests ----------------------------- */

struct msg {
	unsigned char b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)(v >> 8);
	m->b[m->n++] = (unsigned char)v;
}

/* A dotted name, uncompressed. */
static void put_name(struct msg *m, const char *name)
{
	const char *dot;

	while (*name) {
		dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		m->b[m->n++] = (unsigned char)l;
		put(m, name, l);
		name += l + (dot ? 1 : 0);
	}
	m->b[m->n++] = 0;
}

/* Header with flags (QR etc.), QDCOUNT 1, ANCOUNT an, then the question. */
static void start(struct msg *m, unsigned id, unsigned flags, unsigned an, const char *qname,
		  unsigned qtype)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, 1);
}

/* A record's fixed part and rdata, after its owner name was put. */
static void rr(struct msg *m, unsigned type, const void *rdata, size_t rdlen)
{
	put16(m, type);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, (unsigned)rdlen);
	put(m, rdata, rdlen);
}

static void rr_a(struct msg *m, const char *ip)
{
	unsigned char a[4];

	inet_pton(AF_INET, ip, a);
	rr(m, RESOLV_A, a, 4);
}

static void rr_aaaa(struct msg *m, const char *ip)
{
	unsigned char a[16];

	inet_pton(AF_INET6, ip, a);
	rr(m, RESOLV_AAAA, a, 16);
}

/* A CNAME record's fixed part with an uncompressed target. */
static void rr_cname(struct msg *m, const char *target)
{
	struct msg t = { .n = 0 };

	put_name(&t, target);
	rr(m, 5, t.b, t.n);
}

#define OK_REPLY 0x8180 /* QR RD RA, NOERROR */
#define PTR_Q    0xc00c /* a pointer to the question's name */

/* Parses m[0..len) from an exact-size heap copy, so that ASan catches any
 * read past the datagram. */
static int parse(const struct msg *m, size_t len, unsigned id, const char *q, int type,
		 struct net_addr *out, int max)
{
	unsigned char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, m->b, len);
	r = resolv_parse_reply(copy, len, (uint16_t)id, q, type, out, max);
	free(copy);
	return r;
}

/* The text of an address as "1.2.3.4" or an IPv6 text. */
static const char *ip(const struct net_addr *a)
{
	static char buf[4][64];
	static unsigned next;
	char *b = buf[next++ % 4];

	if (IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr))
		inet_ntop(AF_INET, &a->sin6.sin6_addr.s6_addr[12], b, 64);
	else
		inet_ntop(AF_INET6, &a->sin6.sin6_addr, b, 64);
	return b;
}

/* --- queries ---------------------------------------------------------------- */

static void resolv_query_bytes(void)
{
	static const unsigned char want_a[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		2, 'p', 'i', 3, 'l', 'a', 'n', 0, 0, 1, 0, 1,
	};
	unsigned char buf[300];
	char name[300];
	int n;

	n = resolv_build_query(buf, sizeof(buf), 0x1234, "pi.lan", RESOLV_A);
	CHECK_INT(n, sizeof(want_a));
	CHECK(n == (int)sizeof(want_a) && memcmp(buf, want_a, sizeof(want_a)) == 0);
	n = resolv_build_query(buf, sizeof(buf), 0xbeef, "Pi.LAN.", RESOLV_AAAA);
	CHECK_INT(n, sizeof(want_a));
	CHECK(buf[0] == 0xbe && buf[1] == 0xef && buf[2] == 1 && buf[5] == 1);
	CHECK(memcmp(buf + 12, "\2Pi\3LAN\0\0\x1c\0\1", 12) == 0);
	CHECK_INT(resolv_build_query(buf, 23, 1, "pi.lan", RESOLV_A), -1); /* too small */
	CHECK_INT(resolv_build_query(buf, 24, 1, "pi.lan", RESOLV_A), 24);
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, "my_box-2", RESOLV_A), 26);

	static const char *const bad[] = { "", ".", "..", "a..b", ".a", "a b", "a:b", "ä.lan",
					   "a/b", "a.lan..", "a\tb" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(resolv_build_query(buf, sizeof(buf), 1, bad[i], RESOLV_A) == -1,
			  "accepted \"%s\"", bad[i]);
	/* a 63-byte label is fine, 64 is not; 253 characters are, 254 not */
	memset(name, 'a', 63);
	name[63] = '\0';
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, name, RESOLV_A), 63 + 2 + 16);
	name[63] = 'a';
	name[64] = '\0';
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, name, RESOLV_A), -1);
	for (n = 0; n < 253; n++)
		name[n] = n % 8 == 7 ? '.' : 'b';
	name[253] = '\0';
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, name, RESOLV_A), 253 + 2 + 16);
	name[253] = '.'; /* a final dot does not count */
	name[254] = '\0';
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, name, RESOLV_A), 253 + 2 + 16);
	name[253] = 'b';
	CHECK_INT(resolv_build_query(buf, sizeof(buf), 1, name, RESOLV_A), -1);
}

/* --- replies ---------------------------------------------------------------- */

static void resolv_reply_plain(void)
{
	struct msg m;
	struct net_addr out[8];

	/* two A records, one owner compressed, one not; an AAAA mixed in */
	start(&m, 7, OK_REPLY, 3, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "192.168.1.5");
	put16(&m, PTR_Q);
	rr_aaaa(&m, "2001:db8::5");
	put_name(&m, "PI.lan");
	rr_a(&m, "192.168.1.6");
	CHECK_INT(parse(&m, m.n, 7, "pi.lan", RESOLV_A, out, 8), 2);
	CHECK_STR(ip(&out[0]), "192.168.1.5");
	CHECK_STR(ip(&out[1]), "192.168.1.6");
	CHECK(out[0].sin6.sin6_family == AF_INET6 && out[0].sin6.sin6_port == 0);
	CHECK(IN6_IS_ADDR_V4MAPPED(&out[0].sin6.sin6_addr));
	/* the question matches ignoring case and a final dot */
	CHECK_INT(parse(&m, m.n, 7, "Pi.LAN.", RESOLV_A, out, 8), 2);

	/* the AAAA answer takes only the AAAA records */
	start(&m, 8, OK_REPLY, 3, "pi.lan", RESOLV_AAAA);
	put16(&m, PTR_Q);
	rr_a(&m, "192.168.1.5");
	put16(&m, PTR_Q);
	rr_aaaa(&m, "2001:db8::5");
	put16(&m, PTR_Q);
	rr_aaaa(&m, "::1");
	CHECK_INT(parse(&m, m.n, 8, "pi.lan", RESOLV_AAAA, out, 8), 2);
	CHECK_STR(ip(&out[0]), "2001:db8::5");
	CHECK_STR(ip(&out[1]), "::1");

	/* an A record with a wrong length, another class, another owner: skipped */
	start(&m, 9, OK_REPLY, 4, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr(&m, RESOLV_A, "\1\2\3\4\5", 5);
	put16(&m, PTR_Q);
	put16(&m, RESOLV_A);
	put16(&m, 3); /* CHAOS */
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 4);
	put(&m, "\1\1\1\1", 4);
	put_name(&m, "evil.lan");
	rr_a(&m, "6.6.6.6");
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 9, "pi.lan", RESOLV_A, out, 8), 1);
	CHECK_STR(ip(&out[0]), "10.0.0.1");

	/* NOERROR with no answer: the name exists, no record of that type */
	start(&m, 10, OK_REPLY, 0, "pi.lan", RESOLV_AAAA);
	CHECK_INT(parse(&m, m.n, 10, "pi.lan", RESOLV_AAAA, out, 8), 0);
}

static void resolv_reply_not_ours(void)
{
	struct msg m;
	struct net_addr out[4];

	start(&m, 0x4242, OK_REPLY, 1, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), 1);
	CHECK_INT(parse(&m, m.n, 0x4243, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan2", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	CHECK_INT(parse(&m, m.n, 0x4242, "pi", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_AAAA, out, 4), RESOLV_NOT_OURS);
	CHECK_INT(parse(&m, 11, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	CHECK_INT(parse(&m, 0, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	/* a question cut short */
	CHECK_INT(parse(&m, 12 + 8 + 3, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[2] &= 0x7f; /* a query, not a reply */
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[2] = 0x80 | 0x10; /* QR with opcode 2 */
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[2] = 0x81;
	m.b[5] = 2; /* QDCOUNT 2 */
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[5] = 0;
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[5] = 1;
	m.b[12 + 8 + 3] = 3; /* QCLASS CHAOS */
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	m.b[12 + 8 + 3] = 1;
	CHECK_INT(parse(&m, m.n, 0x4242, "pi.lan", RESOLV_A, out, 4), 1);
	/* the question's name compressed into itself */
	start(&m, 1, OK_REPLY, 0, "x", RESOLV_A);
	m.b[12] = 0xc0;
	m.b[13] = 12;
	CHECK_INT(parse(&m, m.n, 1, "x", RESOLV_A, out, 4), RESOLV_NOT_OURS);
}

static void resolv_reply_rcodes(void)
{
	struct msg m;
	struct net_addr out[4];

	start(&m, 5, OK_REPLY | 3, 0, "nosuch.lan", RESOLV_A);
	CHECK_INT(parse(&m, m.n, 5, "nosuch.lan", RESOLV_A, out, 4), RESOLV_NXDOMAIN);
	/* NXDOMAIN for another question is not ours */
	CHECK_INT(parse(&m, m.n, 5, "other.lan", RESOLV_A, out, 4), RESOLV_NOT_OURS);
	start(&m, 5, OK_REPLY | 2, 0, "pi.lan", RESOLV_A); /* SERVFAIL */
	CHECK_INT(parse(&m, m.n, 5, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
	start(&m, 5, OK_REPLY | 5, 0, "pi.lan", RESOLV_A); /* REFUSED */
	CHECK_INT(parse(&m, m.n, 5, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
	/* SERVFAIL with records: still a failure */
	start(&m, 5, OK_REPLY | 2, 1, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 5, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
}

static void resolv_reply_pointers(void)
{
	struct msg m;
	struct net_addr out[4];
	size_t at;

	/* an owner pointing at itself: a loop */
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	at = m.n;
	put16(&m, 0xc000 | (unsigned)at);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);

	/* two pointers pointing at each other */
	start(&m, 1, OK_REPLY, 2, "pi.lan", RESOLV_A);
	at = m.n;
	put16(&m, 0xc000 | (unsigned)(at + 2 + 10 + 4 + 2));
	rr_a(&m, "10.0.0.1");
	put16(&m, 0xc000 | (unsigned)at);
	rr_a(&m, "10.0.0.2");
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);

	/* a label, then a pointer back to that label: a loop going forward */
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	at = m.n;
	put(&m, "\1a", 2);
	put16(&m, 0xc000 | (unsigned)at);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);

	/* a pointer past the end of the message, and one with its second byte cut */
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	put16(&m, 0xc000 | 0x3fff);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	m.b[m.n++] = 0xc0;
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);

	/* a label running past the end; a reserved label type (0x40) */
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	put(&m, "\x3fshort", 6);
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
	start(&m, 1, OK_REPLY, 1, "pi.lan", RESOLV_A);
	put(&m, "\x41", 1);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);

	/* An A record of another type (99) carries 16 pointers in its rdata,
	 * each to the one before, the first to the question's name. An owner
	 * pointing at the k-th is k + 2 jumps from "pi.lan": 16 are followed,
	 * 17 are too many. */
	for (int k = 14; k <= 15; k++) {
		unsigned char chain[2 * 16];
		unsigned p = PTR_Q;
		size_t body;

		start(&m, 1, OK_REPLY, 2, "pi.lan", RESOLV_A);
		body = m.n;
		for (int i = 0; i < 16; i++) {
			chain[2 * i] = (unsigned char)(p >> 8);
			chain[2 * i + 1] = (unsigned char)p;
			p = 0xc000 | (unsigned)(body + 2 + 10 + 2 * (size_t)i);
		}
		put16(&m, PTR_Q);
		rr(&m, 99, chain, sizeof(chain));
		put16(&m, 0xc000 | (unsigned)(body + 2 + 10 + 2 * (size_t)k));
		rr_a(&m, "10.0.0.9");
		CHECK_INT(parse(&m, m.n, 1, "pi.lan", RESOLV_A, out, 4), k == 14 ? 1 : RESOLV_FAILED);
	}
}

static void resolv_reply_truncated(void)
{
	struct msg m;
	struct net_addr out[4];
	size_t full, len, one;
	int r;

	start(&m, 3, OK_REPLY, 2, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	one = m.n;
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.2");
	full = m.n;
	/* every cut: not ours inside the header or question, the first record
	 * when it is whole, a failure before that, both at the end */
	for (len = 0; len <= full; len++) {
		r = parse(&m, len, 3, "pi.lan", RESOLV_A, out, 4);
		if (len < 12 + 8 + 4)
			CHECK_MSG(r == RESOLV_NOT_OURS, "len %zu: %d", len, r);
		else if (len < one)
			CHECK_MSG(r == RESOLV_FAILED, "len %zu: %d", len, r);
		else if (len < full)
			CHECK_MSG(r == 1, "len %zu: %d", len, r);
		else
			CHECK_MSG(r == 2, "len %zu: %d", len, r);
	}
	/* an rdlength past the end */
	start(&m, 3, OK_REPLY, 1, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	m.b[m.n - 5] = 200;
	CHECK_INT(parse(&m, m.n, 3, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
	/* more records announced than present, after a good one */
	start(&m, 3, OK_REPLY, 5, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	CHECK_INT(parse(&m, m.n, 3, "pi.lan", RESOLV_A, out, 4), 1);

	/* TC: complete records are used; none at all is a failure */
	start(&m, 4, OK_REPLY | 0x0200, 3, "pi.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_a(&m, "10.0.0.1");
	put16(&m, PTR_Q);
	put16(&m, RESOLV_A);
	CHECK_INT(parse(&m, m.n, 4, "pi.lan", RESOLV_A, out, 4), 1);
	CHECK_STR(ip(&out[0]), "10.0.0.1");
	start(&m, 4, OK_REPLY | 0x0200, 0, "pi.lan", RESOLV_A);
	CHECK_INT(parse(&m, m.n, 4, "pi.lan", RESOLV_A, out, 4), RESOLV_FAILED);
}

static void resolv_reply_cname(void)
{
	struct msg m;
	struct net_addr out[4];

	/* www.lan -> web.lan -> pi.lan, records in reverse order, compressed */
	start(&m, 6, OK_REPLY, 4, "www.lan", RESOLV_A);
	put_name(&m, "pi.lan");
	rr_a(&m, "10.0.0.5");
	put_name(&m, "WEB.lan");
	rr_cname(&m, "pi.lan");
	put16(&m, PTR_Q);
	rr_cname(&m, "web.lan");
	put_name(&m, "other.lan");
	rr_a(&m, "10.6.6.6");
	CHECK_INT(parse(&m, m.n, 6, "www.lan", RESOLV_A, out, 4), 1);
	CHECK_STR(ip(&out[0]), "10.0.0.5");

	/* a CNAME whose target is compressed into the question */
	start(&m, 6, OK_REPLY, 2, "www.lan", RESOLV_AAAA);
	put16(&m, PTR_Q);
	rr(&m, 5, "\2pi\xc0\x10", 5); /* "pi" + a pointer to the question's "lan" */
	put_name(&m, "pi.lan");
	rr_aaaa(&m, "2001:db8::5");
	CHECK_INT(parse(&m, m.n, 6, "www.lan", RESOLV_AAAA, out, 4), 1);
	CHECK_STR(ip(&out[0]), "2001:db8::5");

	/* a CNAME loop with no address: no record, no hang */
	start(&m, 6, OK_REPLY, 2, "a.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr_cname(&m, "b.lan");
	put_name(&m, "b.lan");
	rr_cname(&m, "a.lan");
	CHECK_INT(parse(&m, m.n, 6, "a.lan", RESOLV_A, out, 4), 0);

	/* a chain of 8 CNAME steps is followed; 9 are too many */
	for (int steps = 8; steps <= 9; steps++) {
		char from[32], to[32];

		start(&m, 6, OK_REPLY, (unsigned)steps + 1, "c0.lan", RESOLV_A);
		for (int i = 0; i < steps; i++) {
			snprintf(from, sizeof(from), "c%d.lan", i);
			snprintf(to, sizeof(to), "c%d.lan", i + 1);
			put_name(&m, from);
			rr_cname(&m, to);
		}
		put_name(&m, to);
		rr_a(&m, "10.0.0.7");
		CHECK_INT(parse(&m, m.n, 6, "c0.lan", RESOLV_A, out, 4), steps == 8 ? 1 : 0);
	}

	/* a CNAME whose target runs past its rdata into the next record's
	 * owner ("lan"): not followed, though "pi.lan" has an address */
	start(&m, 6, OK_REPLY, 3, "www.lan", RESOLV_A);
	put16(&m, PTR_Q);
	rr(&m, 5, "\2pi", 3);
	put_name(&m, "lan");
	rr_a(&m, "10.9.9.9");
	put_name(&m, "pi.lan");
	rr_a(&m, "10.0.0.5");
	CHECK_INT(parse(&m, m.n, 6, "www.lan", RESOLV_A, out, 4), 0);
}

static void resolv_reply_max(void)
{
	struct msg m;
	struct net_addr out[8];
	char a[32];
	int i;

	start(&m, 2, OK_REPLY, 20, "many.lan", RESOLV_A);
	for (i = 0; i < 20; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", i + 1);
		put16(&m, PTR_Q);
		rr_a(&m, a);
	}
	memset(out, 0xee, sizeof(out));
	CHECK_INT(parse(&m, m.n, 2, "many.lan", RESOLV_A, out, 3), 3);
	CHECK_STR(ip(&out[2]), "10.0.0.3");
	CHECK(out[3].sin6.sin6_family == 0xeeee); /* nothing past max written */
	CHECK_INT(parse(&m, m.n, 2, "many.lan", RESOLV_A, out, 0), 0);
}

/* Random bytes after a valid header and question, and random flips of a
 * valid reply: never a read past the datagram (ASan), always a known result. */
static void resolv_reply_fuzz(void)
{
	struct msg m, base;
	struct net_addr out[4];
	int i, k, r;

	srand(11);
	start(&base, 9, OK_REPLY, 3, "pi.lan", RESOLV_A);
	put16(&base, PTR_Q);
	rr_cname(&base, "x.lan");
	put_name(&base, "x.lan");
	rr_a(&base, "10.0.0.1");
	put16(&base, 0xc000 | 32);
	rr_a(&base, "10.0.0.2");
	for (i = 0; i < 200000; i++) {
		m = base;
		if (i % 2) {
			for (k = 0; k < 1 + rand() % 4; k++)
				m.b[24 + (size_t)rand() % (m.n - 24)] = (unsigned char)rand();
		} else {
			m.n = 24 + (size_t)rand() % 80;
			for (k = 24; k < (int)m.n; k++)
				m.b[k] = (unsigned char)(rand() % 4 ? rand() % 64 : 0xc0 | rand() % 64);
			m.b[7] = (unsigned char)(rand() % 8);
		}
		r = parse(&m, m.n, 9, "pi.lan", RESOLV_A, out, 4);
		if (!(r >= 0 && r <= 4) && r != RESOLV_FAILED) {
			CHECK_MSG(0, "round %d: %d", i, r);
			break;
		}
	}
}

/* --- files -------------------------------------------------------------------- */

/* A reader over a pipe holding text (the real read(2) path). */
static int pipe_of(const char *text, size_t len)
{
	int p[2];

	if (pipe(p) < 0)
		return -1;
	CHECK(write(p[1], text, len) == (ssize_t)len);
	close(p[1]);
	return p[0];
}

/* The files' lines as resolv.c reads them (io.c's reader over a buffer of
 * RESOLV_LINE_MAX bytes): "\r" kept, a last line without "\n" counts, a
 * line that does not fit is skipped whole. */
static void resolv_reader_lines(void)
{
	char buf[RESOLV_LINE_MAX], text[4096];
	struct io_lines r;
	struct net_addr out[2];
	const char *line;
	size_t len;
	int fd;

	fd = pipe_of("a\n\nbc d\r\nlast", 13);
	io_lines_init(&r, fd, buf, sizeof(buf));
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_SPAN(line, len, "a");
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_SPAN(line, len, "");
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_SPAN(line, len, "bc d\r");
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_SPAN(line, len, "last");
	CHECK_INT(io_lines_read(&r, &line, &len), IO_NONE);
	CHECK_INT(io_lines_read(&r, &line, &len), IO_NONE);
	close(fd);

	/* 511 bytes and a '\n' fit; 512 do not, and nothing of them is seen */
	memset(text, 'x', 511);
	text[511] = '\n';
	memset(text + 512, 'y', 512);
	text[1024] = '\n';
	memcpy(text + 1025, "z\n", 2);
	memset(text + 1027, 'w', 1000); /* too long, and no '\n' at the end */
	fd = pipe_of(text, 2027);
	io_lines_init(&r, fd, buf, sizeof(buf));
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_INT(len, 511);
	CHECK(io_lines_read(&r, &line, &len) == IO_LONG);
	CHECK_INT(len, 512);
	CHECK(io_lines_read(&r, &line, &len) == IO_LINE);
	CHECK_SPAN(line, len, "z");
	CHECK(io_lines_read(&r, &line, &len) == IO_LONG);
	CHECK_INT(len, 1000);
	CHECK_INT(io_lines_read(&r, &line, &len), IO_NONE);
	close(fd);

	io_lines_init(&r, -1, buf, sizeof(buf)); /* no file */
	CHECK_INT(io_lines_read(&r, &line, &len), IO_NONE);

	/* a hosts line too long to hold names nobody, whatever it holds; the
	 * next line is read whole */
	memcpy(text, "10.0.0.1 pi ", 12);
	memset(text + 12, 'a', 600);
	memcpy(text + 612, "\n10.0.0.2 pi\n", 13);
	fd = pipe_of(text, 625);
	CHECK_INT(resolv_hosts_read(fd, "pi", out, 2), 1);
	CHECK_STR(ip(&out[0]), "10.0.0.2");
	close(fd);
}

static int hosts(const char *line, const char *name, char *addr)
{
	struct net_addr a;

	if (!resolv_hosts_line(line, strlen(line), name, &a))
		return 0;
	strcpy(addr, ip(&a));
	return a.sin6.sin6_scope_id ? (int)a.sin6.sin6_scope_id + 1 : 1;
}

static void resolv_hosts_lines(void)
{
	char a[64];

	CHECK_INT(hosts("127.0.0.1 localhost", "localhost", a), 1);
	CHECK_STR(a, "127.0.0.1");
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "pi", a), 1);
	CHECK_STR(a, "192.168.1.5");
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "PI.Lan", a), 1);
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "pi.lan.", a), 1);
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "the", a), 0);
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "p", a), 0);
	CHECK_INT(hosts("192.168.1.5\tpi  pi.lan # the pi", "pi.la", a), 0);
	CHECK_INT(hosts("  10.0.0.1 a#b", "a", a), 1);
	CHECK_INT(hosts("  10.0.0.1 a#b", "a#b", a), 0);
	CHECK_INT(hosts("# 10.0.0.1 pi", "pi", a), 0);
	CHECK_INT(hosts("#10.0.0.1 pi", "pi", a), 0);
	CHECK_INT(hosts("", "pi", a), 0);
	CHECK_INT(hosts("   \t ", "pi", a), 0);
	CHECK_INT(hosts("pi 10.0.0.1", "pi", a), 0);
	CHECK_INT(hosts("300.1.1.1 pi", "pi", a), 0);
	CHECK_INT(hosts("10.0.0 pi", "pi", a), 0);
	CHECK_INT(hosts("10.0.0.1", "10.0.0.1", a), 0);
	CHECK_INT(hosts("2001:db8::5 v6host v6", "V6", a), 1);
	CHECK_STR(a, "2001:db8::5");
	CHECK_INT(hosts("fe80::1%3 link", "link", a), 4);
	CHECK_STR(a, "fe80::1");
	CHECK_INT(hosts("fe80::1%lo link", "link", a), 2);   /* scope by name: lo is 1 */
	CHECK_INT(hosts("fe80::1%nosuchif9 link", "link", a), 0);
	CHECK_INT(hosts("10.0.0.1 pi\r", "pi", a), 1);
}

static void resolv_hosts_file(void)
{
	struct net_addr out[8];
	char text[2048];
	size_t n = 0;
	int fd;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "::1 pi\n10.0.0.1 pi router\n# 10.0.0.99 pi\n");
	/* 600 bytes with no '\n' in the first 512: a reader that cut it there
	 * would see "10.0.0.66 pi" as a line of its own */
	text[n++] = '#';
	memset(text + n, 'x', 511);
	n += 511;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "10.0.0.66 pi\n");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n10.0.0.2 Router PI\n2001:db8::2 pi\n10.0.0.3 pi");

	fd = pipe_of(text, n);
	CHECK_INT(resolv_hosts_read(fd, "pi", out, 8), 5);
	CHECK_STR(ip(&out[0]), "10.0.0.1");
	CHECK_STR(ip(&out[1]), "10.0.0.2");
	CHECK_STR(ip(&out[2]), "10.0.0.3"); /* the last line, with no '\n' */
	CHECK_STR(ip(&out[3]), "::1");
	CHECK_STR(ip(&out[4]), "2001:db8::2");
	close(fd);
	fd = pipe_of(text, n);
	CHECK_INT(resolv_hosts_read(fd, "pi", out, 2), 2);
	CHECK_STR(ip(&out[1]), "10.0.0.2");
	close(fd);
	fd = pipe_of(text, n);
	CHECK_INT(resolv_hosts_read(fd, "ROUTER", out, 8), 2);
	close(fd);
	fd = pipe_of(text, n);
	CHECK_INT(resolv_hosts_read(fd, "nosuch", out, 8), 0);
	close(fd);
}

static void conf_text(struct resolv_cfg *c, const char *text)
{
	const char *nl;

	resolv_cfg_init(c);
	while (*text) {
		nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		resolv_cfg_line(c, text, len);
		text += len + (nl ? 1 : 0);
	}
	resolv_cfg_done(c);
}

static void resolv_conf_lines(void)
{
	struct resolv_cfg c;

	/* defaults: 127.0.0.1, no search, ndots 1, 5 s, 2 attempts */
	conf_text(&c, "");
	CHECK_INT(c.nns, 1);
	CHECK_STR(ip(&c.ns[0]), "127.0.0.1");
	CHECK_INT(ntohs(c.ns[0].sin6.sin6_port), 53);
	CHECK_INT(c.nsearch, 0);
	CHECK(c.ndots == 1 && c.timeout_s == 5 && c.attempts == 2);

	conf_text(&c, "# made by hand\n; old comment\nnameserver 192.168.1.1\n"
		      "  nameserver\t::1   # the local one\nnameserver fe80::1%2\n"
		      "nameserver 10.0.0.4\nnameserver 10.0.0.5\n");
	CHECK_INT(c.nns, 3);
	CHECK_STR(ip(&c.ns[0]), "192.168.1.1");
	CHECK_STR(ip(&c.ns[1]), "::1");
	CHECK_STR(ip(&c.ns[2]), "fe80::1");
	CHECK_INT(c.ns[2].sin6.sin6_scope_id, 2);
	CHECK_INT(ntohs(c.ns[2].sin6.sin6_port), 53);

	conf_text(&c, "nameserver bogus\nnameserver\nnameserver 1.2.3\n#nameserver 9.9.9.9\n"
		      "nameservers 8.8.8.8\nfoo bar\n\nsearch\tlan home.arpa. bad..x . a.b\n");
	CHECK_INT(c.nns, 1);
	CHECK_STR(ip(&c.ns[0]), "127.0.0.1");
	CHECK_INT(c.nsearch, 3);
	CHECK_STR(c.search[0], "lan");
	CHECK_STR(c.search[1], "home.arpa");
	CHECK_STR(c.search[2], "a.b");

	/* the last search/domain line wins; at most RESOLV_MAX_SEARCH */
	conf_text(&c, "search a b c\ndomain corp.example\n");
	CHECK_INT(c.nsearch, 1);
	CHECK_STR(c.search[0], "corp.example");
	conf_text(&c, "domain corp\nsearch d1 d2 d3 d4 d5 d6 d7 d8\n");
	CHECK_INT(c.nsearch, RESOLV_MAX_SEARCH);
	CHECK_STR(c.search[5], "d6");

	conf_text(&c, "options ndots:2 timeout:1 attempts:3 rotate edns0\n");
	CHECK(c.ndots == 2 && c.timeout_s == 1 && c.attempts == 3);
	conf_text(&c, "options timeout:99 attempts:0 ndots:99999999999 ndots:x\n");
	CHECK(c.ndots == 15 && c.timeout_s == 30 && c.attempts == 1);
	conf_text(&c, "options timeout: attempts:-1 ndots\n");
	CHECK(c.ndots == 1 && c.timeout_s == 5 && c.attempts == 2);
}

static void resolv_conf_file(void)
{
	struct resolv_cfg c;
	const char *text = "nameserver 10.0.0.1\r\nsearch lan\r\n";
	int fd = pipe_of(text, strlen(text));

	resolv_cfg_read(&c, fd);
	close(fd);
	CHECK_INT(c.nns, 1);
	CHECK_STR(ip(&c.ns[0]), "10.0.0.1");
	CHECK_INT(c.nsearch, 1);
	CHECK_STR(c.search[0], "lan");
	resolv_cfg_read(&c, -1);
	CHECK_INT(c.nns, 1);
	CHECK_STR(ip(&c.ns[0]), "127.0.0.1");
}

/* resolv_candidate's i-th name, NULL when there is none, "-" when skipped. */
static const char *cand(const struct resolv_cfg *c, const char *name, int i)
{
	static char out[RESOLV_NAME_MAX + 1];
	int r = resolv_candidate(c, name, i, out);

	return r > 0 ? out : r < 0 ? "-" : NULL;
}

static void resolv_candidates(void)
{
	struct resolv_cfg c;
	char name[300];

	conf_text(&c, "search lan home\n");
	CHECK_STR(cand(&c, "pi", 0), "pi.lan"); /* no dot: the search list first */
	CHECK_STR(cand(&c, "pi", 1), "pi.home");
	CHECK_STR(cand(&c, "pi", 2), "pi");
	CHECK_STR(cand(&c, "pi", 3), NULL);
	CHECK_STR(cand(&c, "pi.x", 0), "pi.x"); /* a dot: itself first */
	CHECK_STR(cand(&c, "pi.x", 1), "pi.x.lan");
	CHECK_STR(cand(&c, "pi.x", 2), "pi.x.home");
	CHECK_STR(cand(&c, "pi.x", 3), NULL);
	CHECK_STR(cand(&c, "pi.", 0), "pi"); /* absolute */
	CHECK_STR(cand(&c, "pi.", 1), NULL);
	c.ndots = 2;
	CHECK_STR(cand(&c, "pi.x", 0), "pi.x.lan");
	CHECK_STR(cand(&c, "pi.x", 2), "pi.x");
	c.ndots = 0;
	CHECK_STR(cand(&c, "pi", 0), "pi");
	CHECK_STR(cand(&c, "pi", 1), "pi.lan");
	c.nsearch = 0;
	CHECK_STR(cand(&c, "pi", 0), "pi");
	CHECK_STR(cand(&c, "pi", 1), NULL);
	/* a name that only fits alone */
	c.ndots = 1;
	c.nsearch = 1;
	memset(name, 'a', 251);
	name[251] = '\0';
	CHECK_STR(cand(&c, name, 0), "-");
	CHECK_STR(cand(&c, name, 1), name);
	CHECK_STR(cand(&c, name, 2), NULL);
}

/* "localhost" and names under it: the loopback, IPv4 first; nothing else. */
static void resolv_localhost_names(void)
{
	static const char *const yes[] = { "localhost", "LocalHost.", "a.localhost", "x.y.LOCALHOST." };
	static const char *const no[] = { "mylocalhost", "localhost.lan", "localhos", "", ".", "host" };
	struct net_addr out[4], lo4, lo6;
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	size_t i;

	s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	net_addr_from((const struct sockaddr *)&s4, sizeof(s4), &lo4);
	memset(&lo6, 0, sizeof(lo6));
	lo6.sin6.sin6_family = AF_INET6;
	lo6.sin6.sin6_addr = in6addr_loopback;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		memset(out, 0xa5, sizeof(out));
		CHECK_MSG(resolv_localhost(yes[i], out, 4) == 2, "%s", yes[i]);
		CHECK_MSG(memcmp(&out[0], &lo4, sizeof(lo4)) == 0, "%s: first not 127.0.0.1", yes[i]);
		CHECK_MSG(memcmp(&out[1], &lo6, sizeof(lo6)) == 0, "%s: second not ::1", yes[i]);
	}
	CHECK_INT(resolv_localhost("localhost", out, 1), 1);
	CHECK_INT(resolv_localhost("localhost", out, 0), 0);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		CHECK_MSG(resolv_localhost(no[i], out, 4) == 0, "%s", no[i]);
}

/* resolv_lookup's address literals: themselves, with the port, no file or
 * DNS read; a string that is neither an address nor a host name fails
 * before any is read, with the host in the message. */
static void resolv_lookup_literals(void)
{
	static const unsigned char v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct net_addr out[4], want;
	char err[256], buf[NET_ADDRSTR];

	memset(out, 0xa5, sizeof(out));
	CHECK_INT(resolv_lookup("192.168.1.20", 8888, out, 4, err, sizeof(err)), 1);
	net_addr_v4mapped(&want, (const unsigned char[4]){ 192, 168, 1, 20 });
	want.sin6.sin6_port = htons(8888);
	CHECK(memcmp(&out[0], &want, sizeof(want)) == 0);
	CHECK_STR(net_addr_str(&out[0], buf), "192.168.1.20:8888");

	memset(out, 0xa5, sizeof(out));
	CHECK_INT(resolv_lookup("2001:db8::1", 1, out, 1, err, sizeof(err)), 1);
	memset(&want, 0, sizeof(want));
	want.sin6.sin6_family = AF_INET6;
	want.sin6.sin6_port = htons(1);
	memcpy(&want.sin6.sin6_addr, v6, 16);
	CHECK(memcmp(&out[0], &want, sizeof(want)) == 0);
	CHECK_STR(net_addr_str(&out[0], buf), "[2001:db8::1]:1");

	CHECK_INT(resolv_lookup("pi..lan", 8888, out, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "cannot resolve pi..lan: bad name (want a host name or an IPv4/IPv6 address)");
}

/* A link-local address with its scope (issue 12): by number, by the
 * interface's name ("lo" is index 1 in every network namespace), and a
 * scope that names no interface is refused with a clear reason. */
static void resolv_lookup_scopes(void)
{
	static const unsigned char ll[16] = { 0xfe, 0x80, [15] = 1 };
	struct net_addr out[4];
	char err[256], buf[NET_ADDRSTR];

	memset(out, 0xa5, sizeof(out));
	CHECK_INT(resolv_lookup("fe80::1%7", 8888, out, 4, err, sizeof(err)), 1);
	CHECK(memcmp(out[0].sin6.sin6_addr.s6_addr, ll, 16) == 0);
	CHECK_INT(out[0].sin6.sin6_scope_id, 7);
	CHECK_INT(out[0].sin6.sin6_flowinfo, 0);
	CHECK_STR(net_addr_str(&out[0], buf), "[fe80::1%7]:8888");
	memset(out, 0xa5, sizeof(out));
	CHECK_INT(resolv_lookup("fe80::1%lo", 8888, out, 4, err, sizeof(err)), 1);
	CHECK_INT(out[0].sin6.sin6_scope_id, 1);
	CHECK_STR(net_addr_str(&out[0], buf), "[fe80::1%1]:8888");
	CHECK_INT(resolv_lookup("fe80::1%0", 1, out, 4, err, sizeof(err)), 1);
	CHECK_STR(net_addr_str(&out[0], buf), "[fe80::1]:1");

	CHECK_INT(resolv_lookup("fe80::1%nosuchif9", 8888, out, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "cannot resolve fe80::1%nosuchif9: no such interface nosuchif9");
	CHECK_INT(resolv_lookup("fe80::1%", 8888, out, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "cannot resolve fe80::1%: no such interface ");
	CHECK_INT(resolv_lookup("fe80::1%a_name_far_too_long", 8888, out, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "cannot resolve fe80::1%a_name_far_too_long: no such interface a_name_far_too_long");
	CHECK_INT(resolv_lookup("fe80::1%4294967296", 8888, out, 4, err, sizeof(err)), -1);
	/* a scope on an IPv4 address, or after a name, is no address */
	CHECK_INT(resolv_lookup("10.0.0.1%lo", 8888, out, 4, err, sizeof(err)), -1);
	CHECK_STR(err, "cannot resolve 10.0.0.1%lo: bad name (want a host name or an IPv4/IPv6 address)");
}

void suite_resolv(void)
{
	TEST_RUN(resolv_lookup_literals);
	TEST_RUN(resolv_lookup_scopes);
	TEST_RUN(resolv_localhost_names);
	TEST_RUN(resolv_query_bytes);
	TEST_RUN(resolv_reply_plain);
	TEST_RUN(resolv_reply_not_ours);
	TEST_RUN(resolv_reply_rcodes);
	TEST_RUN(resolv_reply_pointers);
	TEST_RUN(resolv_reply_truncated);
	TEST_RUN(resolv_reply_cname);
	TEST_RUN(resolv_reply_max);
	TEST_RUN(resolv_reply_fuzz);
	TEST_RUN(resolv_reader_lines);
	TEST_RUN(resolv_hosts_lines);
	TEST_RUN(resolv_hosts_file);
	TEST_RUN(resolv_conf_lines);
	TEST_RUN(resolv_conf_file);
	TEST_RUN(resolv_candidates);
}
