/* test_seqwin.c: the client's window of events in seq order (seqwin.c). */
#include <string.h>
#include <time.h>

#include "seqwin.h"
#include "test.h"

static struct seqwin w;

/* Puts seq with text "eSEQ" (NULL: nothing to show). Returns seqwin_put's. */
static int put(uint32_t seq, const char *text)
{
	return seqwin_put(&w, seq, text, text ? strlen(text) : SEQWIN_NONE);
}

/* What comes out now, joined with spaces ("-" for nothing to show). */
static const char *out(void)
{
	static char buf[4096];
	const char *p;
	size_t len, n = 0;

	buf[0] = '\0';
	while (seqwin_next(&w, &p, &len)) {
		if (n)
			buf[n++] = ' ';
		if (len == SEQWIN_NONE) {
			buf[n++] = '-';
		} else {
			memcpy(buf + n, p, len);
			n += len;
		}
		buf[n] = '\0';
	}
	return buf;
}

static void seqwin_in_order(void)
{
	seqwin_reset(&w, 10);
	CHECK_STR(out(), "");
	CHECK_INT(put(11, "a"), 1);
	CHECK_STR(out(), "a");
	CHECK_INT(put(12, "b"), 1);
	CHECK_INT(put(13, NULL), 1);     /* our own line: nothing to print */
	CHECK_STR(out(), "b -");
	CHECK_INT(w.shown, 13);
	CHECK_INT(seqwin_gap(&w), 0);
	/* shown already, or before the window: never again */
	CHECK_INT(put(12, "b"), 0);
	CHECK_INT(put(10, "x"), 0);
	CHECK_INT(put(1, "x"), 0);
	CHECK_STR(out(), "");
}

static void seqwin_holds_until_the_gap_fills(void)
{
	seqwin_reset(&w, 0);
	CHECK_INT(put(1, "a"), 1);
	CHECK_INT(put(3, "c"), 1);
	CHECK_INT(put(4, "d"), 1);
	CHECK_STR(out(), "a");
	CHECK_INT(seqwin_gap(&w), 1);
	CHECK_INT(put(3, "c"), 0);       /* held already: once */
	CHECK_INT(put(2, "b"), 1);
	CHECK_STR(out(), "b c d");
	CHECK_INT(seqwin_gap(&w), 0);
	CHECK_INT(w.skipped, 0);
}

static void seqwin_gives_up(void)
{
	seqwin_reset(&w, 100);
	put(101, "a");
	put(104, "d");
	put(106, "f");
	CHECK_STR(out(), "a");
	seqwin_skip_to(&w, 103);         /* 102 and 103 given up */
	CHECK_STR(out(), "d");
	CHECK_INT(w.skipped, 2);
	CHECK_INT(seqwin_gap(&w), 1);    /* 105 still missing */
	CHECK_INT(put(103, "c"), 0);     /* too late: never shown out of order */
	seqwin_skip_to(&w, w.top);
	CHECK_STR(out(), "f");
	CHECK_INT(w.skipped, 3);
	CHECK_INT(seqwin_gap(&w), 0);
}

static void seqwin_heard_makes_a_gap(void)
{
	/* an end line or "+OK seq" says the room is at 7: 6 and 7 missing */
	seqwin_reset(&w, 5);
	seqwin_heard(&w, 7);
	CHECK_INT(seqwin_gap(&w), 1);
	CHECK_STR(out(), "");
	put(7, "g");
	CHECK_STR(out(), "");
	seqwin_skip_to(&w, 7);
	CHECK_STR(out(), "g");
	CHECK_INT(w.skipped, 1);
	seqwin_heard(&w, 3);             /* older news: nothing */
	CHECK_INT(seqwin_gap(&w), 0);
}

static void seqwin_window_full(void)
{
	uint32_t i;

	seqwin_reset(&w, 0);
	for (i = 2; i <= SEQWIN_HOLD; i++)
		CHECK_INT(put(i, "x"), 1);
	CHECK_INT(put(SEQWIN_HOLD + 1, "y"), 0);   /* one too far: not held */
	seqwin_skip_to(&w, 1);
	CHECK_INT(strlen(out()), 2 * (SEQWIN_HOLD - 1) - 1);
	CHECK_INT(put(SEQWIN_HOLD + 1, "y"), 1);
	CHECK_STR(out(), "y");
	CHECK_INT(w.shown, SEQWIN_HOLD + 1);
}

static void seqwin_wraps_and_resets(void)
{
	char t[2] = "a";

	/* around 2^32 - 1 */
	seqwin_reset(&w, 0xfffffffeu);
	CHECK_INT(put(0, "c"), 1);
	CHECK_INT(put(0xffffffffu, "b"), 1);
	CHECK_STR(out(), "b c");
	CHECK_INT(put(0xfffffff0u, "x"), 0);
	/* a new epoch: what was held before is forgotten */
	seqwin_reset(&w, 0);
	put(3, t);
	seqwin_reset(&w, 1);
	put(2, "b");
	CHECK_STR(out(), "b");
	CHECK_INT(seqwin_gap(&w), 0);
}

static void seqwin_cuts_long_text(void)
{
	static char big[PROTO_MAX_LINE + 100];
	const char *p = NULL;
	size_t len = 0;

	memset(big, 'z', sizeof big);
	seqwin_reset(&w, 0);
	CHECK_INT(seqwin_put(&w, 1, big, sizeof big), 1);
	CHECK_INT(seqwin_next(&w, &p, &len), 1);
	CHECK_INT(len, PROTO_MAX_LINE);
}

/* A far end (a forged "+OK since N UPTO" of 2^31) is given up at once, and
 * what is held before it still comes out first. */
static void seqwin_far_skip_is_quick(void)
{
	const char *p = NULL;
	size_t len = 0;
	struct timespec t0, t1;

	seqwin_reset(&w, 10);
	CHECK_INT(seqwin_put(&w, 15, "fifteen", 7), 1);
	seqwin_skip_to(&w, 10 + 0x7fffffffu);
	CHECK_INT(seqwin_next(&w, &p, &len), 1);
	CHECK(len == 7 && memcmp(p, "fifteen", 7) == 0);
	CHECK_INT(w.skipped, 4);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(seqwin_next(&w, &p, &len), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* bounded work, not a speed figure: a step per seq took seconds */
	CHECK(t1.tv_sec - t0.tv_sec < 1);
	CHECK(w.shown == 10 + 0x7fffffffu);
	CHECK(w.skipped == 4 + 0x7fffffffu - 5);
	CHECK_INT(seqwin_gap(&w), 0);
}

void suite_seqwin(void)
{
	TEST_RUN(seqwin_in_order);
	TEST_RUN(seqwin_far_skip_is_quick);
	TEST_RUN(seqwin_holds_until_the_gap_fills);
	TEST_RUN(seqwin_gives_up);
	TEST_RUN(seqwin_heard_makes_a_gap);
	TEST_RUN(seqwin_window_full);
	TEST_RUN(seqwin_wraps_and_resets);
	TEST_RUN(seqwin_cuts_long_text);
}
