/* seqwin.c: the client's window of room events in sequence order (see
 * seqwin.h). */
#include <string.h>

#include "seqwin.h"

/* a - b as a signed distance modulo 2^32 */
static int32_t seqwin_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void seqwin_reset(struct seqwin *w, uint32_t last)
{
	int i;

	w->shown = w->top = w->upto = last;
	w->skipped = 0;
	for (i = 0; i < SEQWIN_HOLD; i++)
		w->held[i].seq = last;  /* never the next one */
}

int seqwin_put(struct seqwin *w, uint32_t seq, const char *text, size_t len)
{
	struct seqwin_event *h = &w->held[seq % SEQWIN_HOLD];

	if (seqwin_diff(seq, w->shown) <= 0 || h->seq == seq || seq - w->shown > SEQWIN_HOLD)
		return 0;
	h->seq = seq;
	h->len = SEQWIN_NONE;
	if (len != SEQWIN_NONE) {
		h->len = (uint16_t)(len < sizeof h->text ? len : sizeof h->text);
		memcpy(h->text, text, h->len);
	}
	seqwin_heard(w, seq);
	return 1;
}

void seqwin_heard(struct seqwin *w, uint32_t last)
{
	if (seqwin_diff(last, w->top) > 0)
		w->top = last;
}

void seqwin_skip_to(struct seqwin *w, uint32_t upto)
{
	if (seqwin_diff(upto, w->upto) > 0)
		w->upto = upto;
	seqwin_heard(w, upto);
}

int seqwin_next(struct seqwin *w, const char **text, size_t *len)
{
	uint32_t missed = 0;

	for (;;) {
		uint32_t next = w->shown + 1;
		struct seqwin_event *h = &w->held[next % SEQWIN_HOLD];

		if (h->seq == next) {
			w->shown = next;
			*text = h->text;
			*len = h->len;
			return 1;
		}
		if (seqwin_diff(next, w->upto) > 0)
			return 0;
		if (++missed > SEQWIN_HOLD) {
			/* nothing held lies further than SEQWIN_HOLD past where
			 * this call began: the rest up to upto goes at once (a
			 * forged end line of 2^31 would otherwise be a long loop) */
			w->skipped += w->upto - w->shown;
			w->shown = w->upto;
			continue;
		}
		w->shown = next;      /* given up */
		w->skipped++;
	}
}

int seqwin_gap(const struct seqwin *w)
{
	return w->top != w->shown;
}
