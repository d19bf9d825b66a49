/* ring.h: the room's history (protocol v1.1): the last events, each with
 * its sequence number, its time and who may see it again, in static memory:
 * a byte ring of -H bytes (at most RING_MAX_BYTES) for the lines and an
 * index of at most RING_MAX_EVENTS events. The oldest go to make room. The
 * events kept are always a run of consecutive sequence numbers. */
#ifndef UCHAT_RING_H
#define UCHAT_RING_H
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

/* One kept event. who: for a private line its recipient's member id, else
 * the id of the member the room did not send it to (its speaker, joiner,
 * renamer), or 0. */
struct ring_ev {
	uint32_t t;        /* room clock, seconds */
	uint32_t who;
	uint16_t off, len; /* the line (no "\n") in the byte ring */
	uint8_t priv;      /* 1: a private line, for who only */
};

_Static_assert(RING_MAX_BYTES <= UINT16_MAX + 1, "ring offsets are uint16_t");

/* Empties the ring and sets its size: bytes (0..RING_MAX_BYTES; 0 keeps
 * nothing). */
void ring_init(size_t bytes);

/* Keeps event seq (the one after the last added; otherwise the ring starts
 * again from it) with its line text[0..len): drops the oldest events until
 * it fits. A line longer than the ring is not kept (nor is anything before
 * it). */
void ring_add(uint32_t seq, uint32_t t, uint32_t who, int priv, const char *text, size_t len);

/* The oldest sequence number kept; when none is, the one after the last
 * added (1 before any). Events ring_first() .. ring_first() + ring_count() - 1
 * are kept. */
uint32_t ring_first(void);
unsigned ring_count(void);
/* Bytes of the lines kept. */
size_t ring_bytes(void);

/* Event seq, or NULL if it is not kept; *text: its line. */
const struct ring_ev *ring_get(uint32_t seq, const char **text);

/* Whether member id may be sent the event again: a private line only to
 * its recipient (and never by /last: last = 1), any other line to all but
 * the member it skipped. */
int ring_visible(const struct ring_ev *e, uint32_t id, int last);

#endif
