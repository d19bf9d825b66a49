/* test_room.c: the member table (room.c) and the arena behind it (arena.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "arena.h"
#include "room.h"
#include "test.h"

static struct proto_span span(const char *s)
{
	struct proto_span sp = { s, strlen(s) };

	return sp;
}

/* 127.0.0.1:port (or 10.x.y.z for big ports), as the server would see it. */
static struct net_addr addr4(unsigned n)
{
	struct sockaddr_in s4;
	struct net_addr a;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons((unsigned short)(1000 + n % 60000));
	s4.sin_addr.s_addr = htonl(0x0a000000u | (n / 60000));
	CHECK_INT(net_addr_from((const struct sockaddr *)&s4, sizeof(s4), &a), 0);
	return a;
}

/* [2001:db8::n]:port */
static struct net_addr addr6(unsigned n, unsigned port)
{
	struct sockaddr_in6 s6;
	struct net_addr a;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons((unsigned short)port);
	inet_pton(AF_INET6, "2001:db8::", &s6.sin6_addr);
	s6.sin6_addr.s6_addr[14] = (unsigned char)(n >> 8);
	s6.sin6_addr.s6_addr[15] = (unsigned char)n;
	s6.sin6_flowinfo = htonl(0x12345);
	CHECK_INT(net_addr_from((const struct sockaddr *)&s6, sizeof(s6), &a), 0);
	return a;
}

void test_room_reset(unsigned max)
{
	struct room_member *m;

	while ((m = room_first()) != NULL)
		room_remove(m);
	room_init(max);
}

static struct room_member *add_ok(const struct net_addr *a, const char *name, int64_t now,
				  int line)
{
	struct room_member *m = NULL;
	enum room_err e = room_add(a, span(name), now, &m);

	if (e != ROOM_OK || !m) {
		test_fail(__FILE__, line, "room_add(%s): %d, want ROOM_OK", name, (int)e);
		return NULL;
	}
	return m;
}
#define ADD(a, name, now) add_ok((a), (name), (now), __LINE__)

static void room_net_addr(void)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr_storage ss;
	struct net_addr a, b;
	char buf[NET_ADDRSTR];
	struct sockaddr un = { .sa_family = AF_UNIX };

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(8888);
	inet_pton(AF_INET, "192.168.1.20", &s4.sin_addr);
	CHECK_INT(net_addr_from((const struct sockaddr *)&s4, sizeof(s4), &a), 0);
	CHECK_INT(a.sin6.sin6_family, AF_INET6);
	CHECK(IN6_IS_ADDR_V4MAPPED(&a.sin6.sin6_addr));
	CHECK_STR(net_addr_str(&a, buf), "192.168.1.20:8888");
	/* to an IPv4 socket: back as sockaddr_in */
	CHECK_INT(net_addr_to(&a, AF_INET, &ss), sizeof(struct sockaddr_in));
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK(memcmp(&((struct sockaddr_in *)&ss)->sin_addr, &s4.sin_addr, 4) == 0);
	CHECK_INT(((struct sockaddr_in *)&ss)->sin_port, htons(8888));
	/* to a dual-stack socket: v4-mapped sockaddr_in6 */
	CHECK_INT(net_addr_to(&a, AF_INET6, &ss), sizeof(struct sockaddr_in6));
	CHECK_INT(ss.ss_family, AF_INET6);

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(4242);
	s6.sin6_flowinfo = htonl(77);
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	CHECK_INT(net_addr_from((const struct sockaddr *)&s6, sizeof(s6), &b), 0);
	CHECK_STR(net_addr_str(&b, buf), "[::1]:4242");
	CHECK_INT(b.sin6.sin6_flowinfo, 0);
	/* an IPv6 peer cannot be reached on an IPv4 socket */
	CHECK_INT(net_addr_to(&b, AF_INET, &ss), 0);
	/* same peer, another flow label: the same key */
	s6.sin6_flowinfo = htonl(99);
	CHECK_INT(net_addr_from((const struct sockaddr *)&s6, sizeof(s6), &a), 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	/* other families and short lengths are refused */
	CHECK_INT(net_addr_from(&un, sizeof(un), &a), -1);
	CHECK_INT(net_addr_from((const struct sockaddr *)&s4, 4, &a), -1);
}

static void room_add_find(void)
{
	struct net_addr a = addr4(1), b = addr6(2, 5000), c = addr4(3), x = addr4(99);
	struct room_member *ma, *mb, *mc, *m = NULL;

	test_room_reset(8);
	CHECK_INT(room_max(), 8);
	CHECK_INT(room_count(), 0);
	CHECK(room_first() == NULL);
	CHECK(room_oldest() == NULL);
	CHECK(room_by_name(span("alice")) == NULL);
	CHECK(room_by_addr(&a) == NULL);

	ma = ADD(&a, "alice", 100);
	mb = ADD(&b, "Bob", 100);
	mc = ADD(&c, "张三", 100);
	if (!ma || !mb || !mc)
		return;
	CHECK_INT(room_count(), 3);
	CHECK(room_by_name(span("alice")) == ma);
	CHECK(room_by_name(span("ALICE")) == ma);
	CHECK(room_by_name(span("AlIcE")) == ma);
	CHECK(room_by_name(span("bob")) == mb);
	CHECK(room_by_name(span("BOB")) == mb);
	CHECK(room_by_name(span("张三")) == mc);
	CHECK(room_by_name(span("alic")) == NULL);
	CHECK(room_by_name(span("alicee")) == NULL);
	CHECK(room_by_name(span("")) == NULL);
	CHECK(room_by_addr(&a) == ma);
	CHECK(room_by_addr(&b) == mb);
	CHECK(room_by_addr(&c) == mc);
	CHECK(room_by_addr(&x) == NULL);
	/* same IP, other port: another peer */
	x = addr6(2, 5001);
	CHECK(room_by_addr(&x) == NULL);

	CHECK_STR(ma->name, "alice");
	CHECK_STR(mb->name, "Bob");
	CHECK_INT(mb->name_len, 3);
	CHECK_STR(mc->name, "张三");
	CHECK_INT(ma->last_ms, 100);
	CHECK_INT(ma->credit, 0); /* unconfirmed until the server says */
	CHECK(room_index(ma) < UCHAT_MAX_MEMBERS);
	CHECK(room_index(ma) != room_index(mb));
	/* the pool's index, kept in the member: the members are pool slots
	 * that many apart */
	CHECK((char *)mb - (char *)ma == ((long)room_index(mb) - (long)room_index(ma)) * (long)sizeof(*ma));
	CHECK((char *)mc - (char *)ma == ((long)room_index(mc) - (long)room_index(ma)) * (long)sizeof(*ma));

	/* a taken name, in any ASCII case; the room is unchanged */
	x = addr4(50);
	m = NULL;
	CHECK_INT(room_add(&x, span("alice"), 0, &m), ROOM_TAKEN);
	CHECK_INT(room_add(&x, span("ALICE"), 0, &m), ROOM_TAKEN);
	CHECK_INT(room_add(&x, span("bOb"), 0, &m), ROOM_TAKEN);
	CHECK_INT(room_add(&x, span("张三"), 0, &m), ROOM_TAKEN);
	CHECK(m == NULL);
	CHECK_INT(room_count(), 3);
	CHECK(room_by_addr(&x) == NULL);
}

static void room_full_and_readd(void)
{
	struct net_addr a[5];
	struct room_member *m[5], *x = NULL;
	char name[16];
	int i;

	for (i = 0; i < 5; i++)
		a[i] = addr4((unsigned)i + 10);
	test_room_reset(3);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		m[i] = ADD(&a[i], name, i);
		if (!m[i])
			return;
	}
	CHECK_INT(room_add(&a[3], span("m3"), 0, &x), ROOM_FULL);
	CHECK(x == NULL);
	CHECK_INT(room_count(), 3);
	CHECK(room_by_addr(&a[3]) == NULL);
	CHECK(room_by_name(span("m3")) == NULL);
	/* a taken name is "taken" even when the room is full */
	CHECK_INT(room_add(&a[3], span("M1"), 0, &x), ROOM_TAKEN);

	/* remove one: its name and address are free again */
	room_remove(m[1]);
	CHECK_INT(room_count(), 2);
	CHECK(room_by_name(span("m1")) == NULL);
	CHECK(room_by_addr(&a[1]) == NULL);
	m[3] = ADD(&a[3], "m3", 10);
	CHECK_INT(room_add(&a[4], span("m4"), 0, &x), ROOM_FULL);
	/* re-add the removed name from its old address */
	room_remove(m[3]);
	m[1] = ADD(&a[1], "M1", 11);
	if (!m[1])
		return;
	CHECK(room_by_name(span("m1")) == m[1]);
	CHECK(room_by_addr(&a[1]) == m[1]);
	CHECK_STR(m[1]->name, "M1");
	CHECK_INT(room_count(), 3);

	/* room_init empties the room (its hash tables stay taken in the
	 * arena: a start-up-only call) and bounds max */
	room_init(0);
	CHECK_INT(room_max(), 1);
	CHECK_INT(room_count(), 0);
	CHECK(room_first() == NULL);
	CHECK(room_oldest() == NULL);
	CHECK(room_by_name(span("m1")) == NULL);
	CHECK(room_by_addr(&a[1]) == NULL);
	room_init(UCHAT_MAX_MEMBERS + 5);
	CHECK_INT(room_max(), UCHAT_MAX_MEMBERS);
	x = ADD(&a[4], "m4", 0);
	CHECK(x && room_by_name(span("m4")) == x);
	CHECK(room_by_name(span("m0")) == NULL);
	CHECK_INT(room_count(), 1);
}

static void room_rename_rules(void)
{
	struct net_addr a = addr4(1), b = addr4(2), c = addr4(3);
	struct room_member *ma, *mb, *mc;

	test_room_reset(8);
	ma = ADD(&a, "alice", 0);
	mb = ADD(&b, "bob", 0);
	mc = ADD(&c, "carol", 0);
	if (!ma || !mb || !mc)
		return;
	CHECK_INT(room_rename(ma, span("alicia")), ROOM_OK);
	CHECK_STR(ma->name, "alicia");
	CHECK(room_by_name(span("alicia")) == ma);
	CHECK(room_by_name(span("alice")) == NULL);
	CHECK(room_by_addr(&a) == ma);
	/* case-only rename of oneself */
	CHECK_INT(room_rename(ma, span("ALICIA")), ROOM_OK);
	CHECK_STR(ma->name, "ALICIA");
	CHECK(room_by_name(span("alicia")) == ma);
	CHECK_INT(room_rename(ma, span("ALICIA")), ROOM_OK); /* same name */
	/* taken by another, in any case */
	CHECK_INT(room_rename(ma, span("bob")), ROOM_TAKEN);
	CHECK_INT(room_rename(ma, span("BOB")), ROOM_TAKEN);
	CHECK_STR(ma->name, "ALICIA");
	CHECK(room_by_name(span("bob")) == mb);
	CHECK(room_by_name(span("alicia")) == ma);
	/* the old name is free for others */
	CHECK_INT(room_rename(mb, span("张三")), ROOM_OK);
	CHECK_INT(room_rename(mc, span("Bob")), ROOM_OK);
	CHECK(room_by_name(span("bob")) == mc);
	CHECK(room_by_name(span("张三")) == mb);
	CHECK_INT(room_count(), 3);
	/* renames keep join order */
	CHECK(room_first() == ma);
	CHECK(room_first() && room_next(room_first()) == mb);
	CHECK(mb && room_next(mb) == mc);
	/* a lone member renames (its name table is freed and re-made) */
	room_remove(mb);
	room_remove(mc);
	CHECK_INT(room_rename(ma, span("solo")), ROOM_OK);
	CHECK(room_by_name(span("solo")) == ma);
	CHECK(room_by_addr(&a) == ma);
}

/* The name table finds a member by any name that looks like its name (the
 * same proto_name_key), though the bytes and their count differ; the name
 * stays as the member typed it. */
static void room_lookalike_names(void)
{
	struct net_addr a = addr4(1), b = addr4(2), c = addr4(3), d = addr4(4);
	struct room_member *ma, *mb, *mc, *m = NULL;
	char name[PROTO_NAME_BYTES + 1];
	int i;

	test_room_reset(8);
	ma = ADD(&a, "alice", 0);
	mb = ADD(&b, "observer", 0);
	mc = ADD(&c, "josé", 0);
	if (!ma || !mb || !mc)
		return;
	CHECK(room_by_name(span("аlice")) == ma);       /* Cyrillic а */
	CHECK(room_by_name(span("ａｌｉｃｅ")) == ma);  /* 15 bytes for 5 */
	CHECK(room_by_name(span("ＡＬＩＣＥ")) == ma);
	CHECK(room_by_name(span("𝐚𝐥𝐢𝐜𝐞")) == ma);      /* 20 bytes */
	CHECK(room_by_name(span("ΑLΙCΕ")) == ma);       /* Greek Α Ι Ε */
	CHECK(room_by_name(span("оbsеrvеr")) == mb);
	CHECK(room_by_name(span("jоsé")) == mc);        /* Cyrillic о */
	CHECK(room_by_name(span("jose")) == NULL);      /* an accent is seen */
	CHECK(room_by_name(span("alicе2")) == NULL);
	CHECK(room_by_name(span("a\xff")) == NULL);     /* not UTF-8: a byte of its own */
	CHECK_INT(room_add(&d, span("аlice"), 0, &m), ROOM_TAKEN);
	CHECK_INT(room_add(&d, span("ｏｂｓｅｒｖｅｒ"), 0, &m), ROOM_TAKEN);
	CHECK(m == NULL);
	CHECK_INT(room_rename(mc, span("ALICE")), ROOM_TAKEN);
	CHECK_INT(room_rename(mc, span("ａｌｉｃｅ")), ROOM_TAKEN);
	CHECK_STR(mc->name, "josé");
	/* a member may take a lookalike of its own name; it is shown as typed */
	CHECK_INT(room_rename(ma, span("ａｌｉｃｅ")), ROOM_OK);
	CHECK_STR(ma->name, "ａｌｉｃｅ");
	CHECK_INT(ma->name_len, 15);
	CHECK(room_by_name(span("alice")) == ma);
	/* jose is not josé: both may be in the room */
	m = ADD(&d, "jose", 0);
	CHECK(m && room_by_name(span("jose")) == m && room_by_name(span("josé")) == mc);
	/* removed: no lookalike finds it */
	room_remove(ma);
	CHECK(room_by_name(span("аlice")) == NULL);
	CHECK(room_by_name(span("ａｌｉｃｅ")) == NULL);
	/* many members with wide names (the table grows): each found by its
	 * ASCII form and by no other */
	test_room_reset(64);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "ｍ%d", i); /* fullwidth m, ASCII digits */
		a = addr4(100 + (unsigned)i);
		ADD(&a, name, 0);
	}
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "M%d", i);
		a = addr4(100 + (unsigned)i);
		m = room_by_name(span(name));
		CHECK_MSG(m && m == room_by_addr(&a), "%s", name);
	}
	CHECK_INT(room_count(), 40);
	CHECK(room_by_name(span("m40")) == NULL);
	CHECK(room_by_name(span("m")) == NULL);
}

/* The name table ignores ASCII case and the address table does not, though
 * both are uthash tables in the same pool: a name and an address with the
 * same bytes are two keys, and two addresses that differ only by 0x20 in one
 * byte (what case folding would merge) are two members. */
static void room_name_and_addr_keys(void)
{
	/* 28 bytes, the size of an address key */
	static const char same[] = "AbCdEfGhIjKlMnOpQrStUvWxYz01";
	struct net_addr a, lower, other = addr4(7), up = addr4(8);
	struct room_member *mn, *ma, *ml, *m = NULL;
	struct proto_span name = { same, sizeof(same) - 1 };
	char folded[sizeof(same)];
	size_t i;

	CHECK_INT(sizeof(same) - 1, sizeof(struct net_addr));
	memcpy(&a, same, sizeof(a));
	for (i = 0; i < sizeof(same); i++)
		folded[i] = (char)(same[i] >= 'A' && same[i] <= 'Z' ? same[i] - 'A' + 'a' : same[i]);
	memcpy(&lower, folded, sizeof(lower));

	test_room_reset(8);
	mn = ADD(&other, same, 1);   /* the bytes as a name */
	ma = ADD(&a, "bytes", 2);    /* the same bytes as an address */
	ml = ADD(&lower, "lower", 3); /* the address, ASCII case folded */
	if (!mn || !ma || !ml)
		return;
	CHECK(room_by_name(name) == mn);
	CHECK(room_by_name(span(folded)) == mn);
	CHECK(room_by_addr(&a) == ma);
	CHECK(room_by_addr(&lower) == ml);
	CHECK(room_by_addr(&other) == mn);
	CHECK(room_by_name(span("BYTES")) == ma);
	CHECK(room_by_name(span("LOWER")) == ml);
	CHECK_INT(room_count(), 3);
	/* the name in other case is taken; the address in other case is not */
	CHECK_INT(room_add(&up, span(folded), 0, &m), ROOM_TAKEN);
	CHECK(m == NULL);

	/* rename: found in any case under the new name, not under the old */
	CHECK_INT(room_rename(mn, span("NewName")), ROOM_OK);
	CHECK_STR(mn->name, "NewName");
	CHECK_INT(mn->name_len, 7);
	CHECK(room_by_name(span("newname")) == mn);
	CHECK(room_by_name(span("NEWNAME")) == mn);
	CHECK(room_by_name(name) == NULL);
	CHECK(room_by_name(span(folded)) == NULL);
	CHECK(room_by_addr(&other) == mn);
	CHECK(room_by_addr(&a) == ma);
	/* a name that differs in a byte that is not an ASCII letter is another
	 * name (0x40 '@' and 0x60 '`' differ by 0x20 too, as do UTF-8 bytes) */
	CHECK(room_by_name(span("NewNam@")) == NULL);
	CHECK_INT(room_rename(ma, span("x@y")), ROOM_OK);
	CHECK(room_by_name(span("X@Y")) == ma);
	CHECK(room_by_name(span("x`y")) == NULL);
	CHECK_INT(room_rename(ml, span("Ä")), ROOM_OK);
	CHECK(room_by_name(span("Ä")) == ml);
	CHECK(room_by_name(span("ä")) == NULL); /* only ASCII case folds */

	/* remove: gone by name in every case and by address; the others stay */
	room_remove(mn);
	CHECK(room_by_name(span("newname")) == NULL);
	CHECK(room_by_name(span("NewName")) == NULL);
	CHECK(room_by_addr(&other) == NULL);
	CHECK(room_by_addr(&a) == ma);
	CHECK(room_by_addr(&lower) == ml);
	CHECK(room_by_name(span("x@Y")) == ma);
	room_remove(ma);
	CHECK(room_by_addr(&a) == NULL);
	CHECK(room_by_addr(&lower) == ml);
	CHECK(room_by_name(span("x@y")) == NULL);
	CHECK_INT(room_count(), 1);
	/* the freed name comes back in another case, from another address */
	m = ADD(&a, "NEWNAME", 4);
	CHECK(m && room_by_name(span("newName")) == m);
	CHECK_STR(m ? m->name : "", "NEWNAME");
}

/* Checks that room_first/room_next walks exactly want[0..n) in order. */
/* Addresses that differ from another in one bit of one byte, for every
 * byte of the key: each is its own member (the word-wise hash and compare
 * see every byte, the 4-byte tail included). */
static void room_addr_each_byte(void)
{
	enum { N = sizeof(struct net_addr) };
	struct net_addr base = addr6(1, 1000), a[N];
	struct room_member *mb, *m[N] = { NULL };
	char name[8];
	size_t i;

	test_room_reset(64);
	mb = ADD(&base, "base", 1);
	for (i = 0; i < N; i++) {
		a[i] = base;
		((unsigned char *)&a[i])[i] ^= 0x40;
		snprintf(name, sizeof(name), "b%zu", i);
		m[i] = ADD(&a[i], name, 2);
	}
	CHECK_INT(room_count(), N + 1);
	CHECK(room_by_addr(&base) == mb);
	for (i = 0; i < N; i++)
		CHECK_MSG(m[i] && room_by_addr(&a[i]) == m[i], "byte %zu", i);
}

/* room_addr_cmp over every length up to a key and a bit: equal spans are
 * equal, and a change in any one byte, word or tail, is seen. */
static void room_addr_compare(void)
{
	unsigned char x[40], y[40];
	size_t n, i;

	for (i = 0; i < sizeof(x); i++)
		x[i] = (unsigned char)(i * 37 + 1);
	for (n = 0; n <= sizeof(x); n++) {
		memcpy(y, x, sizeof(x));
		CHECK_MSG(room_addr_cmp(x, y, n) == 0, "equal, n %zu", n);
		for (i = 0; i < n; i++) {
			y[i] ^= 0x80;
			CHECK_MSG(room_addr_cmp(x, y, n) != 0, "byte %zu of %zu", i, n);
			y[i] ^= 0x80;
		}
		if (n < sizeof(x)) { /* a difference past n is not looked at */
			y[n] ^= 1;
			CHECK_MSG(room_addr_cmp(x, y, n) == 0, "past n %zu", n);
		}
	}
}

static void check_order(struct room_member *const *want, int n, int line)
{
	const struct room_member *m;
	int i = 0;

	for (m = room_first(); m; m = room_next(m), i++) {
		if (i >= n || m != want[i]) {
			test_fail(__FILE__, line, "join order: position %d is %s, want %s", i,
				  m->name, i < n ? want[i]->name : "(end)");
			return;
		}
	}
	if (i != n)
		test_fail(__FILE__, line, "join order: %d members, want %d", i, n);
}

static void room_join_order(void)
{
	struct net_addr a[6];
	struct room_member *m[6];
	char name[16];
	int i;

	test_room_reset(16);
	for (i = 0; i < 6; i++) {
		a[i] = addr6((unsigned)i, 9000);
		snprintf(name, sizeof(name), "u%d", i);
		m[i] = ADD(&a[i], name, 0);
		if (!m[i])
			return;
	}
	{
		struct room_member *w[] = { m[0], m[1], m[2], m[3], m[4], m[5] };
		check_order(w, 6, __LINE__);
	}
	room_remove(m[0]);  /* the head */
	room_remove(m[3]);  /* the middle */
	room_remove(m[5]);  /* the tail */
	{
		struct room_member *w[] = { m[1], m[2], m[4] };
		check_order(w, 3, __LINE__);
	}
	m[0] = ADD(&a[0], "u0", 0);
	{
		struct room_member *w[] = { m[1], m[2], m[4], m[0] };
		check_order(w, 4, __LINE__);
	}
	room_remove(m[1]);
	room_remove(m[2]);
	room_remove(m[4]);
	room_remove(m[0]);
	CHECK(room_first() == NULL);
	CHECK_INT(room_count(), 0);
}

static void room_idle_order(void)
{
	struct net_addr a = addr4(1), b = addr4(2), c = addr4(3);
	struct room_member *ma, *mb, *mc;

	test_room_reset(8);
	ma = ADD(&a, "a", 10);
	mb = ADD(&b, "b", 20);
	mc = ADD(&c, "c", 30);
	if (!ma || !mb || !mc)
		return;
	CHECK(room_oldest() == ma);
	room_touch(ma, 40);
	CHECK_INT(ma->last_ms, 40);
	CHECK(room_oldest() == mb);
	room_touch(mc, 50); /* order b a c */
	CHECK(room_oldest() == mb);
	room_touch(mb, 60);
	CHECK(room_oldest() == ma);
	room_touch(mb, 61); /* the youngest touched again */
	CHECK_INT(mb->last_ms, 61);
	CHECK(room_oldest() == ma);
	/* the oldest unconfirmed one, in idle order: a c b */
	CHECK(room_oldest_unconfirmed() == ma);
	ma->credit = ROOM_CONFIRMED;
	CHECK(room_oldest_unconfirmed() == mc);
	mc->credit = ROOM_CONFIRMED;
	CHECK(room_oldest_unconfirmed() == mb);
	mb->credit = ROOM_CONFIRMED;
	CHECK(room_oldest_unconfirmed() == NULL);
	/* order now a(40) c(50) b(61); remove the oldest */
	room_remove(ma);
	CHECK(room_oldest() == mc);
	room_remove(mb); /* the youngest */
	CHECK(room_oldest() == mc);
	room_touch(mc, 70);
	CHECK(room_oldest() == mc);
	ma = ADD(&a, "a", 80);
	CHECK(room_oldest() == mc);
	room_remove(mc);
	CHECK(room_oldest() == ma);
	if (ma)
		room_remove(ma);
	CHECK(room_oldest() == NULL);
	/* join order is not idle order */
	ma = ADD(&a, "a", 0);
	mb = ADD(&b, "b", 0);
	if (!ma || !mb)
		return;
	room_touch(ma, 5);
	CHECK(room_first() == ma);
	CHECK(room_oldest() == mb);
}

/* Fills the whole pool, checks it, and empties it in the order given by
 * step (a permutation of the indices). */
static void fill_and_empty(struct room_member **m, int step, int cycle)
{
	char name[16];
	struct net_addr a;
	struct room_member *x = NULL;
	int i, n = UCHAT_MAX_MEMBERS, bad = 0;

	for (i = 0; i < n; i++) {
		a = addr6((unsigned)i, 7000 + (unsigned)cycle);
		snprintf(name, sizeof(name), "m%d_%d", i, cycle);
		m[i] = NULL;
		if (room_add(&a, span(name), i, &m[i]) != ROOM_OK || !m[i]) {
			if (bad++ < 3)
				test_fail(__FILE__, __LINE__, "cycle %d: add %d failed", cycle, i);
		}
	}
	CHECK_INT(room_count(), n);
	a = addr4(123456);
	CHECK_INT(room_add(&a, span("extra"), 0, &x), ROOM_FULL);
	for (i = 0; i < n; i += 97) {
		snprintf(name, sizeof(name), "M%d_%d", i, cycle);
		a = addr6((unsigned)i, 7000 + (unsigned)cycle);
		CHECK_MSG(m[i] && room_by_name(span(name)) == m[i], "cycle %d: find %s", cycle, name);
		CHECK_MSG(m[i] && room_by_addr(&a) == m[i], "cycle %d: find addr %d", cycle, i);
	}
	CHECK(room_oldest() == m[0]);
	if (bad)
		return;
	for (i = 0; i < n; i++) {
		/* a permutation of 0..n-1 because step is odd and n a power of 2,
		 * or plain order when step is 1 */
		int k = (int)(((unsigned)i * (unsigned)step) % (unsigned)n);

		room_remove(m[k]);
	}
	CHECK_INT(room_count(), 0);
	CHECK(room_first() == NULL);
	CHECK(room_oldest() == NULL);
}

/* The table never allocates from the heap, and joining and leaving forever
 * does not grow the arena: a second pass over the same members (same keys,
 * same seed, so the same bucket sizes) reuses the first pass's blocks. Keys
 * differ from cycle to cycle, so one cycle may double a bucket array once
 * more than another: that is the growth allowed, and it is bounded. */
static void room_fill_empty_no_growth(void)
{
	static struct room_member *m[UCHAT_MAX_MEMBERS];
	static const int steps[] = { 1, UCHAT_MAX_MEMBERS - 1, 7, 1, 513, 3 };
	const size_t bound = 2 * (256 + 2 * 2 * 16 * (size_t)UCHAT_MAX_MEMBERS);
	size_t first = 0;
	int c, pass;

	if ((UCHAT_MAX_MEMBERS & (UCHAT_MAX_MEMBERS - 1)) != 0) {
		test_note("UCHAT_MAX_MEMBERS is not a power of 2: removal orders are plain");
	}
	test_room_reset(UCHAT_MAX_MEMBERS);
	for (pass = 0; pass < 2; pass++) {
		for (c = 0; c < (int)(sizeof(steps) / sizeof(steps[0])); c++) {
			int step = (UCHAT_MAX_MEMBERS & (UCHAT_MAX_MEMBERS - 1)) ? 1 : steps[c];

			fill_and_empty(m, step, c);
			CHECK_MSG(arena_used() <= bound, "cycle %d: arena_used() %zu over %zu",
				  c, arena_used(), bound);
		}
		if (pass == 0)
			first = arena_used();
		else
			CHECK_MSG(arena_used() == first, "second pass: arena_used() %zu, first %zu",
				  arena_used(), first);
	}
	/* and once more through room_init, as a restarted relay would */
	test_room_reset(UCHAT_MAX_MEMBERS);
	fill_and_empty(m, 1, 0);
	CHECK_MSG(arena_used() == first, "after room_init: arena_used() %zu, first pass %zu",
		  arena_used(), first);
	test_note("arena_used() after %d fill/empty cycles of %d members: %zu bytes (bound %zu)",
		  (int)(2 * sizeof(steps) / sizeof(steps[0])), UCHAT_MAX_MEMBERS, first, bound);
}

static void room_arena_reuse(void)
{
	size_t before;
	void *p, *q;

	p = arena_alloc(200);
	CHECK(p != NULL);
	before = arena_used();
	arena_free(p, 200);
	q = arena_alloc(200);
	CHECK(q == p);            /* same size: the freed block comes back */
	CHECK_INT(arena_used(), before);
	if (q) {
		unsigned char *b = q;
		size_t i, nz = 0;

		for (i = 0; i < 200; i++)
			nz += b[i] != 0;
		CHECK_INT(nz, 0); /* zeroed */
	}
	arena_free(q, 200);
	arena_free(NULL, 16);
	/* the arena ends: a huge request fails instead of overrunning */
	CHECK(arena_alloc((size_t)1 << 30) == NULL);
}

/* With the arena exhausted, room_add says ROOM_NOMEM and leaves the room as
 * it was, also when the name hash got its table and the address hash did
 * not. It uses up the arena's fresh part (what it takes goes back to the
 * per-size free lists afterwards). */
static void room_add_nomem(void)
{
	enum { TAKE_MAX = 32768 };
	static void *tables[TAKE_MAX], *buckets[TAKE_MAX], *rest[TAKE_MAX];
	const size_t tsz = sizeof(UT_hash_table);
	const size_t bsz = HASH_INITIAL_NUM_BUCKETS * sizeof(UT_hash_bucket);
	size_t nt = 0, nb = 0, nx = 0, i;
	struct net_addr a = addr4(1), b = addr4(2);
	struct room_member *m = NULL, *ma;
	void *p;

	/* a member gives each hash (name, address) its table and buckets, and
	 * the reset gives them back to the arena's free lists: this test does
	 * not rely on the tests before it (each runs in a process of its own) */
	test_room_reset(8);
	CHECK_INT(room_add(&a, span("alice"), 0, &m), ROOM_OK);
	test_room_reset(8);
	m = NULL;
	/* take the arena's fresh part, then every free table- and bucket-sized
	 * block */
	while (nx < TAKE_MAX && (p = arena_alloc(1)) != NULL)
		rest[nx++] = p;
	while (nt < TAKE_MAX && (p = arena_alloc(tsz)) != NULL)
		tables[nt++] = p;
	while (nb < TAKE_MAX && (p = arena_alloc(bsz)) != NULL)
		buckets[nb++] = p;
	CHECK(nt < TAKE_MAX && nb < TAKE_MAX && nx < TAKE_MAX);
	CHECK(nt >= 2 && nb >= 2);
	if (nt < 2 || nb < 2)
		goto out;

	/* nothing at all */
	CHECK_INT(room_add(&a, span("alice"), 0, &m), ROOM_NOMEM);
	CHECK(m == NULL);
	CHECK_INT(room_count(), 0);
	CHECK(room_by_name(span("alice")) == NULL);
	CHECK(room_by_addr(&a) == NULL);
	CHECK(room_first() == NULL);
	CHECK(room_oldest() == NULL);

	/* enough for one hash (the name hash) only */
	arena_free(tables[--nt], tsz);
	arena_free(buckets[--nb], bsz);
	CHECK_INT(room_add(&a, span("alice"), 0, &m), ROOM_NOMEM);
	CHECK(m == NULL);
	CHECK_INT(room_count(), 0);
	CHECK(room_by_name(span("alice")) == NULL);
	CHECK(room_by_addr(&a) == NULL);
	CHECK(room_oldest() == NULL);

	/* enough for both (the failed try gave its blocks back) */
	arena_free(tables[--nt], tsz);
	arena_free(buckets[--nb], bsz);
	ma = ADD(&a, "alice", 0);
	CHECK(ma && room_by_name(span("ALICE")) == ma);
	CHECK(ma && room_by_addr(&a) == ma);
	/* a second member needs no new block */
	CHECK(ADD(&b, "bob", 0) != NULL);
	CHECK_INT(room_count(), 2);
out:
	test_room_reset(8);
	for (i = 0; i < nt; i++)
		arena_free(tables[i], tsz);
	for (i = 0; i < nb; i++)
		arena_free(buckets[i], bsz);
	for (i = 0; i < nx; i++)
		arena_free(rest[i], 1);
}

void suite_room(void)
{
	TEST_RUN(room_net_addr);
	TEST_RUN(room_add_find);
	TEST_RUN(room_full_and_readd);
	TEST_RUN(room_rename_rules);
	TEST_RUN(room_name_and_addr_keys);
	TEST_RUN(room_lookalike_names);
	TEST_RUN(room_addr_each_byte);
	TEST_RUN(room_addr_compare);
	TEST_RUN(room_join_order);
	TEST_RUN(room_idle_order);
	TEST_RUN(room_arena_reuse);
	TEST_RUN(room_fill_empty_no_growth);
	TEST_RUN(room_add_nomem);
}
