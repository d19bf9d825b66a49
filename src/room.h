/* room.h: the members, in a static pool, found by name and by address
 * through uthash (two hash handles), kept in idle order for timeouts. */
#ifndef UCHAT_ROOM_H
#define UCHAT_ROOM_H
#include <stdint.h>
#include <uthash.h>

#include "bounds.h"
#include "net.h"
#include "proto.h"
#include "ratelimit.h"

/* Field order packs the struct (248 bytes on 64-bit targets): the pool is
 * most of the relay's memory. The idle list links by pool index. */
struct room_member {
	UT_hash_handle hh_addr, hh_name;  /* name: by proto_name_key; the
	                                   * address's first (room.c) */
	struct net_addr addr;             /* what it sends from */
	uint16_t idle_prev, idle_next;    /* oldest first; ROOM_NONE = end */
	int64_t last_ms;                  /* last datagram from it */
	struct ratelimit rl;
	uint64_t join_seq;                /* owned by fanout.c: */
	int16_t q_head, q_tail;           /* its lines waiting */
	uint16_t credit;                  /* bytes it may still be sent, or
	                                   * ROOM_CONFIRMED (see bounds.h) */
	uint8_t name_len;
	uint8_t v11;                      /* sent /seq: gets "=SEQ " prefixes */
	uint32_t id;                      /* member id (docs/PROTOCOL.md, v1.1) */
	char name[PROTO_NAME_BYTES + 1];  /* as the member chose it */
	uint16_t idx;                     /* room_index (in the tail padding) */
};

/* No member: the end of the idle list. */
#define ROOM_NONE UINT16_MAX
/* credit of a member heard from twice: no limit. room_add leaves credit 0
 * (unconfirmed); the server sets it. */
#define ROOM_CONFIRMED UINT16_MAX

enum room_err { ROOM_OK, ROOM_FULL, ROOM_TAKEN, ROOM_NOMEM };

/* Empties the room; max (1..UCHAT_MAX_MEMBERS) is the -m limit. */
void room_init(unsigned max);

/* Adds a member. name must have passed proto_name_error(). Returns ROOM_OK
 * and sets *out, or ROOM_FULL / ROOM_TAKEN / ROOM_NOMEM (hash arena full). */
enum room_err room_add(const struct net_addr *addr, struct proto_span name,
		       int64_t now_ms, struct room_member **out);
/* Removes m from the room; m's storage is free after this. */
void room_remove(struct room_member *m);
/* Renames m. Returns ROOM_OK, ROOM_TAKEN if another member's name has the
 * same key (room_by_name), or ROOM_NOMEM if the hash arena ran out: m has
 * then been removed (flush the fanout queue before renaming, as before any
 * removal). */
enum room_err room_rename(struct room_member *m, struct proto_span name);

/* Lookups; NULL when absent. room_by_name finds the member whose name has
 * the same key (proto_name_key): ASCII case, width and lookalikes ignored. */
struct room_member *room_by_addr(const struct net_addr *addr);
struct room_member *room_by_name(struct proto_span name);

/* Marks m as heard from at now_ms (moves it to the young end). O(1). */
void room_touch(struct room_member *m, int64_t now_ms);
/* The member heard from longest ago, or NULL. */
struct room_member *room_oldest(void);
/* The unconfirmed member (credit != ROOM_CONFIRMED) heard from longest
 * ago, or NULL. Walks the idle list: O(members). */
struct room_member *room_oldest_unconfirmed(void);

/* Members in join order: room_first(), then room_next(m) until NULL. */
struct room_member *room_first(void);
struct room_member *room_next(const struct room_member *m);

/* The address table's key compare: 0 if the n bytes at a and b are the
 * same, else 1. 8 bytes a step (musl's memcmp goes one byte at a time, and
 * this runs for every datagram). Only reached when two hashes are equal, so
 * the unit tests call it directly. */
int room_addr_cmp(const void *a, const void *b, size_t n);

unsigned room_count(void);
unsigned room_max(void);
/* Index of m in the pool, 0..UCHAT_MAX_MEMBERS-1 (stable while m is in):
 * kept in m, not computed by a division by the member's size at each use. */
static inline unsigned room_index(const struct room_member *m)
{
	return m->idx;
}

#endif
