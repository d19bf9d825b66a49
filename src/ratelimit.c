/* ratelimit.c: integer token bucket, no floating point (small boards). */
#include "ratelimit.h"

void ratelimit_init(struct ratelimit *rl, unsigned burst, int64_t now_ms)
{
	rl->tokens_milli = (int64_t)burst * 1000;
	rl->last_ms = now_ms;
	rl->warned_ms = now_ms - 1000;
}

int ratelimit_take(struct ratelimit *rl, unsigned rate, unsigned burst, int64_t now_ms)
{
	int64_t cap = (int64_t)burst * 1000, dt = now_ms - rl->last_ms;

	if (rate == 0)
		return 1;
	if (dt > 0) {
		/* dt ms at rate tokens/s is dt * rate milli-tokens */
		rl->tokens_milli += dt * (int64_t)rate;
		if (rl->tokens_milli > cap)
			rl->tokens_milli = cap;
		rl->last_ms = now_ms;
	}
	if (rl->tokens_milli < 1000)
		return 0;
	rl->tokens_milli -= 1000;
	return 1;
}

int ratelimit_should_warn(struct ratelimit *rl, int64_t now_ms)
{
	if (now_ms - rl->warned_ms < 1000)
		return 0;
	rl->warned_ms = now_ms;
	return 1;
}
