/* test_ratelimit.c: the token bucket over simulated time (ratelimit.c). */
#include "ratelimit.h"
#include "test.h"

static void ratelimit_burst_then_refuse(void)
{
	struct ratelimit rl;
	int i;

	ratelimit_init(&rl, 20, 1000);
	for (i = 0; i < 20; i++)
		CHECK_MSG(ratelimit_take(&rl, 5, 20, 1000), "take %d of the burst refused", i);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 1000), 0);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 1000), 0);
	/* time standing still or going back gives nothing */
	CHECK_INT(ratelimit_take(&rl, 5, 20, 900), 0);
}

static void ratelimit_refill(void)
{
	struct ratelimit rl;
	int i, n;

	ratelimit_init(&rl, 20, 0);
	for (i = 0; i < 20; i++)
		ratelimit_take(&rl, 5, 20, 0);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 0), 0);
	/* 5 a second: one token every 200 ms; fractions are kept */
	CHECK_INT(ratelimit_take(&rl, 5, 20, 199), 0);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 200), 1);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 200), 0);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 300), 0);
	CHECK_INT(ratelimit_take(&rl, 5, 20, 400), 1);
	/* 1 s later: 5 tokens */
	for (n = 0; ratelimit_take(&rl, 5, 20, 1400); n++)
		;
	CHECK_INT(n, 5);
	/* a long pause refills up to the burst, no more */
	for (n = 0; ratelimit_take(&rl, 5, 20, 1000000); n++)
		;
	CHECK_INT(n, 20);
	/* steady trickle: asking every 10 ms for 10 s after an empty bucket
	 * gives 5 a second */
	for (n = 0, i = 1; i <= 1000; i++)
		n += ratelimit_take(&rl, 5, 20, 1000000 + 10 * i);
	CHECK_INT(n, 50);
}

static void ratelimit_other_rates(void)
{
	struct ratelimit rl;
	int n;

	ratelimit_init(&rl, 1, 0);
	CHECK_INT(ratelimit_take(&rl, 1, 1, 0), 1);
	CHECK_INT(ratelimit_take(&rl, 1, 1, 999), 0);
	CHECK_INT(ratelimit_take(&rl, 1, 1, 1000), 1);
	ratelimit_init(&rl, 400, 0);
	for (n = 0; ratelimit_take(&rl, 100, 400, 0); n++)
		;
	CHECK_INT(n, 400);
	CHECK_INT(ratelimit_take(&rl, 100, 400, 10), 1);
	CHECK_INT(ratelimit_take(&rl, 100, 400, 10), 0);
}

static void ratelimit_unlimited(void)
{
	struct ratelimit rl;
	int i, n = 0;

	ratelimit_init(&rl, 0, 0);
	for (i = 0; i < 10000; i++)
		n += ratelimit_take(&rl, 0, 0, 5);
	CHECK_INT(n, 10000);
	ratelimit_init(&rl, 20, 0);
	for (n = 0, i = 0; i < 1000; i++)
		n += ratelimit_take(&rl, 0, 20, 0);
	CHECK_INT(n, 1000);
}

static void ratelimit_warn_once_a_second(void)
{
	struct ratelimit rl;
	int i, n;

	ratelimit_init(&rl, 20, 50000);
	CHECK_INT(ratelimit_should_warn(&rl, 50000), 1);
	CHECK_INT(ratelimit_should_warn(&rl, 50000), 0);
	CHECK_INT(ratelimit_should_warn(&rl, 50500), 0);
	CHECK_INT(ratelimit_should_warn(&rl, 50999), 0);
	CHECK_INT(ratelimit_should_warn(&rl, 51000), 1);
	CHECK_INT(ratelimit_should_warn(&rl, 51001), 0);
	CHECK_INT(ratelimit_should_warn(&rl, 60000), 1);
	/* asked every ms for 10 s: 10 warnings */
	for (n = 0, i = 1; i <= 10000; i++)
		n += ratelimit_should_warn(&rl, 60000 + i);
	CHECK_INT(n, 10);
}

void suite_ratelimit(void)
{
	TEST_RUN(ratelimit_burst_then_refuse);
	TEST_RUN(ratelimit_refill);
	TEST_RUN(ratelimit_other_rates);
	TEST_RUN(ratelimit_unlimited);
	TEST_RUN(ratelimit_warn_once_a_second);
}
