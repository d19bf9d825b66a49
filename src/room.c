/* room.c: member table. No malloc: members come from a static pool, uthash's
 * own tables from the static arena (arena.c). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"

/* uthash must never call malloc, and must report a full arena instead of
 * exiting. These are set before room.h brings in uthash.h. */
static int room_oom;
#define uthash_malloc(sz) arena_alloc(sz)
#define uthash_free(p, sz) arena_free((p), (sz))
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (room_oom = 1)

#include "room.h"

/* The two tables hash and compare keys differently (a name by its skeleton,
 * an address as bytes), and uthash expands HASH_FUNCTION and
 * HASH_KEYCMP where a HASH_ADD or HASH_FIND is written. So each table's
 * functions below define their own pair; outside them neither is defined,
 * and a lookup written elsewhere does not compile. */
#undef HASH_FUNCTION
#undef HASH_KEYCMP

_Static_assert(UCHAT_MAX_MEMBERS < ROOM_NONE, "idle links are 16-bit pool indices");
_Static_assert(ROOM_UNCONFIRMED_FACTOR * PROTO_MAX_DGRAM < ROOM_CONFIRMED,
	       "a member's credit is 16-bit");

static struct room_member room_pool[UCHAT_MAX_MEMBERS];
/* Pool indices of members that left, for reuse; members never used are
 * taken from the pool at room_hiwater, so a small room touches only the
 * start of both arrays. */
static uint16_t room_free_list[UCHAT_MAX_MEMBERS];
static unsigned room_nfree, room_hiwater, room_limit;
/* uthash's elements here are the members' hash handles themselves (the
 * table's hho is 0): one out-of-line copy of HASH_ADD and of HASH_DELETE
 * serves both tables. hh_addr is first in struct room_member, so a handle
 * of that table is its member. */
struct room_hh {
	UT_hash_handle hh;
};
#define ROOM_OF(e, field) ((struct room_member *)(void *)((char *)(e) - offsetof(struct room_member, field)))
_Static_assert(offsetof(struct room_member, hh_addr) == 0, "room_first, room_next: a handle is its member");
static struct room_hh *room_names, *room_addrs; /* hash heads */
static uint16_t room_idle_head = ROOM_NONE, room_idle_tail = ROOM_NONE;
/* Hashes start from a per-run seed: names and source ports are chosen by
 * strangers, and an unseeded hash lets them build colliding keys offline. */
static uint32_t room_seed;

/* murmur3's finaliser: spreads the bits uthash takes its bucket index from. */
static uint32_t room_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The key (proto_name_key) of a NUL-terminated name or key. The name table's
 * keys are the members' names, its key lengths their keys' lengths (uthash
 * compares lengths before HASH_KEYCMP): "ａｄｍｉｎ" and "admin" differ in
 * bytes, not in key. */
static size_t room_key(const void *s, char *key)
{
	return proto_name_key((struct proto_span){ s, strlen(s) }, key);
}

/* FNV-1a from the seed over the key of a NUL-terminated name or key. */
static uint32_t room_name_hash(const void *s)
{
	char key[PROTO_NAME_BYTES + 1];
	const unsigned char *p = (const unsigned char *)key;
	uint32_t h = 2166136261u ^ room_seed;
	size_t n = room_key(s, key);

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return room_mix(h);
}

/* 0 if the NUL-terminated names (or keys) a and b have the same key. */
static int room_name_cmp(const void *a, const void *b)
{
	char x[PROTO_NAME_BYTES + 1], y[PROTO_NAME_BYTES + 1];
	size_t n = room_key(a, x);

	return n != room_key(b, y) || memcmp(x, y, n) != 0;
}

static uint32_t room_rotl(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

/* The address is hashed for every datagram, so 4 bytes a step: murmur3's
 * multiply-rotate per word from the seed (bytes past the last whole word,
 * none for a 28-byte address, one at a time), then the finaliser. */
static uint32_t room_addr_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = room_seed ^ (uint32_t)len, w;

	for (; len >= 4; len -= 4, p += 4) {
		memcpy(&w, p, 4);
		h ^= room_rotl(w * 0xcc9e2d51u, 15) * 0x1b873593u;
		h = room_rotl(h, 13) * 5 + 0xe6546b64u;
	}
	for (; len; len--)
		h = (h ^ *p++) * 16777619u;
	return room_mix(h);
}

int room_addr_cmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	uint64_t u, v;

	for (; n >= 8; n -= 8, x += 8, y += 8) {
		memcpy(&u, x, 8);
		memcpy(&v, y, 8);
		if (u != v)
			return 1;
	}
	for (; n; n--)
		if (*x++ != *y++)
			return 1;
	return 0;
}

void room_init(unsigned max)
{
	/* one seed per process: the arena's free lists fit the bucket sizes it
	 * leads to, so refilling the room reuses them */
	while (room_seed == 0 &&
	       syscall(SYS_getrandom, &room_seed, sizeof(room_seed), GRND_NONBLOCK) != (long)sizeof(room_seed))
		room_seed = (uint32_t)net_now_ms() ^ ((uint32_t)getpid() << 16);
	room_names = room_addrs = NULL;
	room_idle_head = room_idle_tail = ROOM_NONE;
	/* no memset of the pool: room_add clears a member when it takes it, and
	 * untouched members cost no RAM (the pool is sized for the maximum) */
	room_nfree = room_hiwater = 0;
	room_limit = max < 1 ? 1 : max > UCHAT_MAX_MEMBERS ? UCHAT_MAX_MEMBERS : max;
}

/* --- the idle list: pool indices, oldest first ----------------------------- */

static void room_idle_unlink(struct room_member *m)
{
	if (m->idle_prev != ROOM_NONE)
		room_pool[m->idle_prev].idle_next = m->idle_next;
	else
		room_idle_head = m->idle_next;
	if (m->idle_next != ROOM_NONE)
		room_pool[m->idle_next].idle_prev = m->idle_prev;
	else
		room_idle_tail = m->idle_prev;
	m->idle_prev = m->idle_next = ROOM_NONE;
}

static void room_idle_append(struct room_member *m)
{
	uint16_t i = (uint16_t)room_index(m);

	m->idle_next = ROOM_NONE;
	m->idle_prev = room_idle_tail;
	if (room_idle_tail != ROOM_NONE)
		room_pool[room_idle_tail].idle_next = i;
	else
		room_idle_head = i;
	room_idle_tail = i;
}

/* --- both tables: one copy of each of uthash's (large) macros ------------- */

/* Adds e (key len bytes at key, hashed to hashv) to the table at *head. */
static void room_hash_add(struct room_hh **head, struct room_hh *e, const void *key, size_t len,
			  uint32_t hashv)
{
	HASH_ADD_KEYPTR_BYHASHVALUE(hh, *head, key, len, hashv, e);
}

static void room_hash_del(struct room_hh **head, struct room_hh *e)
{
	HASH_DELETE(hh, *head, e);
}

/* --- the name table: key = the name's skeleton (proto_name_key) ----------- */

/* Keys are NUL-terminated. */
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = room_name_hash(keyptr))
#define HASH_KEYCMP(a, b, n) room_name_cmp((a), (b))

static void room_name_add(struct room_member *m)
{
	char key[PROTO_NAME_BYTES + 1];

	room_hash_add(&room_names, (struct room_hh *)(void *)&m->hh_name, m->name, room_key(m->name, key),
		      room_name_hash(m->name));
}

static void room_name_del(struct room_member *m)
{
	room_hash_del(&room_names, (struct room_hh *)(void *)&m->hh_name);
}

struct room_member *room_by_name(struct proto_span name)
{
	char key[PROTO_NAME_BYTES + 1];
	struct room_hh *e;
	size_t n;

	if (name.len == 0 || name.len > PROTO_NAME_BYTES)
		return NULL;
	n = proto_name_key(name, key);
	HASH_FIND(hh, room_names, key, n, e);
	return e ? ROOM_OF(e, hh_name) : NULL;
}

#undef HASH_FUNCTION
#undef HASH_KEYCMP

/* --- the address table: key = struct net_addr, as bytes -------------------- */

#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = room_addr_hash((keyptr), (keylen)))
#define HASH_KEYCMP(a, b, n) room_addr_cmp((a), (b), (n))

static void room_addr_add(struct room_member *m)
{
	room_hash_add(&room_addrs, (struct room_hh *)(void *)m, &m->addr, sizeof(m->addr),
		      room_addr_hash(&m->addr, sizeof(m->addr)));
}

static void room_addr_del(struct room_member *m)
{
	room_hash_del(&room_addrs, (struct room_hh *)(void *)m);
}

struct room_member *room_by_addr(const struct net_addr *addr)
{
	struct room_hh *e;

	HASH_FIND(hh, room_addrs, addr, sizeof(*addr), e);
	return (struct room_member *)(void *)e;
}

#undef HASH_FUNCTION
#undef HASH_KEYCMP

/* --- members --------------------------------------------------------------- */

static void room_set_name(struct room_member *m, struct proto_span name)
{
	memcpy(m->name, name.p, name.len);
	m->name[name.len] = '\0';
	m->name_len = (uint8_t)name.len;
}

/* Gives m's slot back to the pool (m is in neither table nor the idle list). */
static void room_release(struct room_member *m)
{
	room_free_list[room_nfree++] = (uint16_t)room_index(m);
}

enum room_err room_add(const struct net_addr *addr, struct proto_span name,
		       int64_t now_ms, struct room_member **out)
{
	struct room_member *m;
	unsigned i;

	if (room_by_name(name))
		return ROOM_TAKEN;
	if (room_count() >= room_limit ||
	    (room_nfree == 0 && room_hiwater == UCHAT_MAX_MEMBERS))
		return ROOM_FULL;
	i = room_nfree ? room_free_list[--room_nfree] : room_hiwater++;
	m = &room_pool[i];
	memset(m, 0, sizeof(*m));
	m->idx = (uint16_t)i;
	m->addr = *addr;
	room_set_name(m, name);
	m->q_head = m->q_tail = -1;
	m->last_ms = now_ms;

	room_oom = 0;
	room_name_add(m);
	if (!room_oom)
		room_addr_add(m);
	if (room_oom) {
		if (m->hh_name.tbl)
			room_name_del(m);
		room_release(m);
		return ROOM_NOMEM;
	}
	room_idle_append(m);
	*out = m;
	return ROOM_OK;
}

void room_remove(struct room_member *m)
{
	room_name_del(m);
	room_addr_del(m);
	room_idle_unlink(m);
	room_release(m);
}

enum room_err room_rename(struct room_member *m, struct proto_span name)
{
	struct room_member *other = room_by_name(name);

	if (other && other != m)
		return ROOM_TAKEN;
	/* Join order lives in the address hash, so re-adding to the name hash
	 * changes nothing visible. The arena has room for several times the
	 * buckets a full room needs, so the re-add does not run out; if it ever
	 * did, m must not stay half in the room: it is removed whole. */
	room_name_del(m);
	room_set_name(m, name);
	room_oom = 0;
	room_name_add(m);
	if (room_oom) {
		room_addr_del(m);
		room_idle_unlink(m);
		room_release(m);
		return ROOM_NOMEM;
	}
	return ROOM_OK;
}

void room_touch(struct room_member *m, int64_t now_ms)
{
	m->last_ms = now_ms;
	if (room_index(m) != room_idle_tail) {
		room_idle_unlink(m);
		room_idle_append(m);
	}
}

struct room_member *room_oldest(void)
{
	return room_idle_head != ROOM_NONE ? &room_pool[room_idle_head] : NULL;
}

struct room_member *room_oldest_unconfirmed(void)
{
	uint16_t i;

	for (i = room_idle_head; i != ROOM_NONE; i = room_pool[i].idle_next)
		if (room_pool[i].credit != ROOM_CONFIRMED)
			return &room_pool[i];
	return NULL;
}

struct room_member *room_first(void)
{
	return (struct room_member *)(void *)room_addrs;
}

struct room_member *room_next(const struct room_member *m)
{
	return m->hh_addr.next;
}

unsigned room_count(void)
{
	return HASH_CNT(hh, room_addrs);
}

unsigned room_max(void)
{
	return room_limit;
}

