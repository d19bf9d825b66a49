/* test_ring.c: the history ring (ring.c): wrap-around, eviction, the run of
 * kept sequence numbers, visibility by member id, bounds. */
#include <string.h>

#include "ring.h"
#include "test.h"

/* Adds event seq: a line of len bytes, 'e' then '.', at time seq * 10. */
static void add(uint32_t seq, size_t len, uint32_t who, int priv)
{
	char line[RING_MAX_BYTES];

	memset(line, '.', len);
	line[0] = 'e';
	ring_add(seq, seq * 10, who, priv, line, len);
}

/* Checks that event seq is kept with len bytes starting with 'e'. */
static int kept(uint32_t seq, size_t len)
{
	const char *text;
	const struct ring_ev *e = ring_get(seq, &text);

	return e && e->len == len && text[0] == 'e' && e->t == seq * 10;
}

static void ring_off(void)
{
	ring_init(0);
	CHECK_INT((int)ring_first(), 1);
	add(1, 10, 0, 0);
	add(2, 10, 0, 0);
	CHECK_INT((int)ring_count(), 0);
	CHECK_INT((int)ring_first(), 3); /* nothing kept: the next one is first */
	CHECK(!kept(2, 10));
}

static void ring_keeps_in_order(void)
{
	uint32_t s;

	ring_init(1000);
	for (s = 1; s <= 9; s++)
		add(s, 100, 0, 0);
	CHECK_INT((int)ring_first(), 1);
	CHECK_INT((int)ring_count(), 9);
	CHECK_INT((int)ring_bytes(), 900);
	for (s = 1; s <= 9; s++)
		CHECK(kept(s, 100));
	CHECK(!kept(0, 100));
	CHECK(!kept(10, 100));
	CHECK(!kept(4294967295u, 100));
}

static void ring_wraps_and_evicts(void)
{
	uint32_t s;

	ring_init(1000);
	for (s = 1; s <= 10; s++)
		add(s, 100, 0, 0);       /* exactly full */
	CHECK_INT((int)ring_count(), 10);
	add(11, 100, 0, 0);              /* wraps to 0: event 1 goes */
	CHECK_INT((int)ring_first(), 2);
	CHECK_INT((int)ring_count(), 10);
	CHECK(kept(11, 100));
	CHECK(!kept(1, 100));
	add(12, 250, 0, 0);              /* takes the room of 2, 3, 4 */
	CHECK_INT((int)ring_first(), 5);
	CHECK(kept(12, 250) && kept(5, 100) && kept(11, 100));
	/* a line that does not fit before the end starts at 0 again: the
	 * events in the tail go first, whatever their size */
	for (s = 13; s <= 40; s++)
		add(s, 37 + s % 50, 0, 0);
	CHECK(ring_bytes() <= 1000);
	CHECK_INT((int)(ring_first() + ring_count() - 1), 40);
	for (s = ring_first(); s <= 40; s++)
		CHECK_MSG(kept(s, 37 + s % 50), "event %u", (unsigned)s);
}

/* The oldest event sits in the tail when a line must start at 0 again: it
 * goes first, then the newer ones at 0 that the line covers. */
static void ring_wrap_with_oldest_in_tail(void)
{
	ring_init(1000);
	add(1, 980, 0, 0);
	add(2, 20, 0, 0);               /* 980..1000 */
	add(3, 950, 0, 0);              /* at 0: 1 goes; 2 is the oldest, in the tail */
	CHECK_INT((int)ring_first(), 2);
	CHECK(kept(2, 20) && kept(3, 950));
	add(4, 60, 0, 0);               /* does not fit after 3: 2 and 3 go */
	CHECK_INT((int)ring_first(), 4);
	CHECK_INT((int)ring_count(), 1);
	CHECK_INT((int)ring_bytes(), 60);
	CHECK(kept(4, 60));
}

static void ring_index_bound(void)
{
	uint32_t s;

	ring_init(RING_MAX_BYTES);
	for (s = 1; s <= RING_MAX_EVENTS + 5; s++)
		add(s, 1, 0, 0);
	CHECK_INT((int)ring_count(), RING_MAX_EVENTS);
	CHECK_INT((int)ring_first(), 6);
	CHECK(kept(6, 1) && kept(RING_MAX_EVENTS + 5, 1) && !kept(5, 1));
}

static void ring_too_long_and_gaps(void)
{
	ring_init(300);
	add(1, 100, 0, 0);
	add(2, 100, 0, 0);
	add(3, 301, 0, 0);              /* longer than the ring: nothing kept */
	CHECK_INT((int)ring_count(), 0);
	CHECK_INT((int)ring_first(), 4);
	add(4, 300, 0, 0);
	CHECK(kept(4, 300));
	add(9, 10, 0, 0);               /* not the next one: starts again */
	CHECK_INT((int)ring_first(), 9);
	CHECK_INT((int)ring_count(), 1);
	CHECK(kept(9, 10));
	ring_init(RING_MAX_BYTES + 1000); /* bounded */
	add(1, OUT_LINE_MAX, 0, 0);
	CHECK(kept(1, OUT_LINE_MAX));
}

static void ring_seq_wraps(void)
{
	ring_init(1000);
	add(4294967294u, 10, 0, 0);
	add(4294967295u, 10, 0, 0);
	CHECK(kept(4294967294u, 10) && kept(4294967295u, 10));
	CHECK(!kept(0, 10));
	CHECK(!kept(4294967293u, 10));
}

static void ring_visibility(void)
{
	const struct ring_ev *e;
	const char *text;

	ring_init(1000);
	add(1, 10, 0, 0);   /* admin, leave: everyone */
	add(2, 10, 7, 0);   /* member 7's chat line */
	add(3, 10, 8, 1);   /* private line to member 8 */
	e = ring_get(1, &text);
	CHECK(ring_visible(e, 7, 0) && ring_visible(e, 7, 1) && ring_visible(e, 9, 0));
	e = ring_get(2, &text);
	CHECK(!ring_visible(e, 7, 0) && !ring_visible(e, 7, 1)); /* its speaker */
	CHECK(ring_visible(e, 8, 0) && ring_visible(e, 8, 1));
	e = ring_get(3, &text);
	CHECK(ring_visible(e, 8, 0));                            /* its recipient */
	CHECK(!ring_visible(e, 8, 1));                           /* never by /last */
	CHECK(!ring_visible(e, 7, 0) && !ring_visible(e, 9, 0) && !ring_visible(e, 0, 0));
}

void suite_ring(void)
{
	TEST_RUN(ring_off);
	TEST_RUN(ring_keeps_in_order);
	TEST_RUN(ring_wraps_and_evicts);
	TEST_RUN(ring_wrap_with_oldest_in_tail);
	TEST_RUN(ring_index_bound);
	TEST_RUN(ring_too_long_and_gaps);
	TEST_RUN(ring_seq_wraps);
	TEST_RUN(ring_visibility);
}
