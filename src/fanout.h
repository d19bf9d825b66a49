/* fanout.h: outgoing lines. Each line is formatted once into a static arena;
 * at flush, what waits for the same member goes out coalesced into datagrams
 * of at most FANOUT_DGRAM_MAX bytes (never splitting a line), all of them
 * through sendmmsg. The room may change between two flushes, through these
 * calls only: fanout_joined() right after a member is added (it gets only
 * what is queued after), fanout_leave() right before one is removed (it gets
 * what was queued before, at once). */
#ifndef UCHAT_FANOUT_H
#define UCHAT_FANOUT_H
#include <stddef.h>
#include <stdint.h>

#include "net.h"
#include "reply.h"
#include "room.h"

struct fanout_counters {
	uint64_t deliveries; /* lines handed to the kernel for a member */
	uint64_t datagrams;  /* datagrams sent */
	uint64_t errors;     /* datagrams the kernel refused */
};
extern struct fanout_counters fanout_stats;

/* Sets the socket that lines go out on (family from net_socket_family). */
void fanout_init(int fd, int family);

/* Returns where the next line may be written: OUT_LINE_MAX bytes, no "\n"
 * needed. Flushes first if the arena or the queue is full. */
char *fanout_begin(void);
/* Makes the next line queued (fanout_to_all or fanout_to_one) room event
 * seq (protocol v1.1): a member with v11 set gets it as "=SEQ LINE", or as
 * "= LINE" when it is the event after the previous event line of the same
 * datagram, the others the line as it is. */
void fanout_event(uint32_t seq);
/* Sets m->v11 (m sent /seq): m gets events with their seq from now on.
 * The room's first v1.1 member flushes what is queued (lines are queued
 * with room for "= " before them while the room has one). */
void fanout_seq_on(struct room_member *m);
/* Queues the line just written at fanout_begin() (len bytes) for every
 * member but except (NULL: everyone). */
void fanout_to_all(size_t len, const struct room_member *except);
/* Queues it for one member; a bridge's member (bridge_to) is written it at
 * once instead, through its bridge. Broadcasts never go to a bridge's
 * member: its bridge's event stream carries them. */
void fanout_to_one(size_t len, const struct room_member *to);
/* Queues line (len bytes, no "\n") for one member as a reply: kept apart
 * from the broadcasts (at the arena's top), so that replies to one member
 * do not part the others' runs of broadcasts into an iovec a line. */
void fanout_reply(const struct room_member *to, const char *line, size_t len);

/* Starts m's queue: m receives the broadcasts queued from now on. */
void fanout_joined(struct room_member *m);
/* Before m leaves the room: sends m what is waiting for it (deliver = 1) or
 * drops it (deliver = 0, m is unreachable), and forgets m. */
void fanout_leave(struct room_member *m, int deliver);

/* Sends everything queued. Never blocks for long; errors are counted. What
 * an unconfirmed member (room.h) is sent is taken from its credit: room
 * lines only while FANOUT_HELD_LEN bytes stay for FANOUT_HELD, which takes
 * the place of the first line that does not fit (once), its own replies to
 * the last byte. */
void fanout_flush(void);
#define FANOUT_HELD REPLY_HELD "\n"
#define FANOUT_HELD_LEN (sizeof(FANOUT_HELD) - 1)

/* Sends one line right away to an address that is not a member (replies to
 * strangers, a leaver's last reply; a bridge's member: bridge_to): len
 * bytes at line, then "\n", written at line[len] (so line has len + 1
 * bytes). */
void fanout_send_now(const struct net_addr *to, char *line, size_t len);

#endif
