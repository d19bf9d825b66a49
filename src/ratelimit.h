/* ratelimit.h: a token bucket per member (and one for replies to strangers). */
#ifndef UCHAT_RATELIMIT_H
#define UCHAT_RATELIMIT_H
#include <stdint.h>

struct ratelimit {
	int64_t tokens_milli; /* tokens x 1000 */
	int64_t last_ms;      /* when tokens were last refilled */
	int64_t warned_ms;    /* when the last "slow down" was allowed */
};

/* Fills the bucket: burst tokens, as of now_ms. */
void ratelimit_init(struct ratelimit *rl, unsigned burst, int64_t now_ms);

/* Takes one token if there is one, refilling rate tokens a second up to
 * burst. Returns 1 if allowed, 0 if over the limit. rate 0 = no limit. */
int ratelimit_take(struct ratelimit *rl, unsigned rate, unsigned burst, int64_t now_ms);

/* Returns 1 at most once a second: whether to tell the member to slow down. */
int ratelimit_should_warn(struct ratelimit *rl, int64_t now_ms);

#endif
