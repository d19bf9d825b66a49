/* ring.c: the room's history: a byte ring for the lines, a circular index
 * for the events. A line is never split: one that does not fit before the
 * end of the byte ring starts again at 0 (the tail is left unused). */
#include <string.h>

#include "ring.h"

static char ring_buf[RING_MAX_BYTES];
static struct ring_ev ring_idx[RING_MAX_EVENTS];
static size_t ring_size, ring_wr, ring_used;
static unsigned ring_head, ring_n; /* oldest in ring_idx, and how many */
static uint32_t ring_seq0 = 1;     /* seq of ring_idx[ring_head] */

void ring_init(size_t bytes)
{
	ring_size = bytes > RING_MAX_BYTES ? RING_MAX_BYTES : bytes;
	ring_wr = ring_used = 0;
	ring_head = ring_n = 0;
	ring_seq0 = 1;
}

static void ring_drop(void)
{
	ring_used -= ring_idx[ring_head].len;
	ring_head = (ring_head + 1) % RING_MAX_EVENTS;
	ring_n--;
	ring_seq0++;
}

void ring_add(uint32_t seq, uint32_t t, uint32_t who, int priv, const char *text, size_t len)
{
	struct ring_ev *e;

	if (seq != ring_seq0 + ring_n || len > ring_size) { /* start again after seq */
		ring_head = ring_n = 0;
		ring_wr = ring_used = 0;
		ring_seq0 = seq;
		if (len > ring_size) {
			ring_seq0 = seq + 1;
			return;
		}
	}
	if (ring_n == RING_MAX_EVENTS)
		ring_drop();
	if (ring_wr + len > ring_size) {
		/* the oldest lines still in the tail go, then it starts at 0 */
		while (ring_n && ring_idx[ring_head].off >= ring_wr)
			ring_drop();
		ring_wr = 0;
	}
	while (ring_n && ring_idx[ring_head].off >= ring_wr && ring_idx[ring_head].off < ring_wr + len)
		ring_drop();
	if (ring_n == 0) {
		ring_wr = 0;
		ring_seq0 = seq;
	}
	e = &ring_idx[(ring_head + ring_n) % RING_MAX_EVENTS];
	e->t = t;
	e->who = who;
	e->priv = (uint8_t)(priv != 0);
	e->off = (uint16_t)ring_wr;
	e->len = (uint16_t)len;
	memcpy(ring_buf + ring_wr, text, len);
	ring_wr += len;
	ring_used += len;
	ring_n++;
}

uint32_t ring_first(void)
{
	return ring_seq0;
}

unsigned ring_count(void)
{
	return ring_n;
}

size_t ring_bytes(void)
{
	return ring_used;
}

const struct ring_ev *ring_get(uint32_t seq, const char **text)
{
	const struct ring_ev *e;

	if (seq - ring_seq0 >= ring_n) /* before the first wraps to a huge distance */
		return NULL;
	e = &ring_idx[(ring_head + (seq - ring_seq0)) % RING_MAX_EVENTS];
	*text = ring_buf + e->off;
	return e;
}

int ring_visible(const struct ring_ev *e, uint32_t id, int last)
{
	if (e->priv)
		return !last && e->who == id;
	return e->who != id || id == 0;
}
