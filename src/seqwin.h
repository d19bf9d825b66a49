/* seqwin.h: the client's window of room events in sequence order (protocol
 * v1.1, docs/PROTOCOL.md). Events that come before an earlier one are held
 * (at most SEQWIN_HOLD, static) until the missing ones come or are given
 * up; each seq comes out once, in order. Sequence numbers are compared
 * modulo 2^32. */
#ifndef UCHAT_SEQWIN_H
#define UCHAT_SEQWIN_H
#include <stddef.h>
#include <stdint.h>

#include "bounds.h"

#define SEQWIN_NONE 0xffff         /* an event with nothing to show */

struct seqwin {
	uint32_t shown;                /* every seq up to this came out (or was given up) */
	uint32_t top;                  /* the highest seq heard of */
	uint32_t upto;                 /* seqwin_next gives up missing ones up to this */
	uint32_t skipped;              /* how many it gave up (the caller zeroes it) */
	struct seqwin_event {
		uint32_t seq;
		uint16_t len;
		char text[PROTO_MAX_LINE];
	} held[SEQWIN_HOLD];           /* seq at seq % SEQWIN_HOLD */
};

/* Starts the window after seq last: nothing held, nothing missing. */
void seqwin_reset(struct seqwin *w, uint32_t last);

/* Holds event seq with text[0..len) (cut to PROTO_MAX_LINE; len SEQWIN_NONE:
 * nothing to show, e.g. the member's own line). Returns 1 if it is new, 0
 * if it came out or is held already, or is more than SEQWIN_HOLD ahead of
 * w->shown (not held: the caller gives up the missing ones in time, and
 * asks for it again). */
int seqwin_put(struct seqwin *w, uint32_t seq, const char *text, size_t len);

/* Learns that the room's events up to last exist (a reply's end line, or
 * "+OK seq" after a re-join): if above top, they are missing until they
 * come. */
void seqwin_heard(struct seqwin *w, uint32_t last);

/* Gives up the events still missing up to upto. */
void seqwin_skip_to(struct seqwin *w, uint32_t upto);

/* The next event in order: returns 1 with *text and *len (len SEQWIN_NONE:
 * nothing to show), or 0 if the next one is missing (or none is held). */
int seqwin_next(struct seqwin *w, const char **text, size_t *len);

/* Returns 1 if an event heard of is missing, else 0. */
int seqwin_gap(const struct seqwin *w);

#endif
