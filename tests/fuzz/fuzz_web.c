/* fuzz_web.c: what udpchatweb reads from udpchatd on its bridge connection
 * (any bytes), and the event stream it writes from them: web.c's
 * web_bridge_line (the greeting "+OK bridge TAG EPOCH LAST", public events
 * "=SEQ TEXT" and "=SEQ!ID TEXT", "-LOST N", and "@ID LINE" for the session,
 * member 1: the join's answer, private "=SEQ" and replayed "~SEQ" events,
 * acks, replies, the end), the session's ring
 * (web_keep), the stream's formatting (web_pump), a reconnect with a
 * Last-Event-ID (web_get_events) and the session's timers, with no socket
 * (fds are -1). Checked beyond the sanitizers: the ring's entries fill it
 * exactly, their serials rise, nothing is written past the write buffer,
 * and the stream holds no CR and no line but "id:", "event:", "data:",
 * "retry:", a comment or the blank line that ends an event.
 *
 * Input: a setup byte (bit 0: the session is already in the room; bit 1: a
 * page's stream is attached; bit 2: a line waits in its queue; bit 3: the
 * connection is not attached yet), then records: a byte (bit 0: then
 * reconnect the stream with the record's bytes as its Last-Event-ID; bits
 * 1-7: seconds for the clock to move on), a 16-bit length, that many bytes
 * (what udpchatd wrote: lines, each to web_bridge_line). What udpchatweb
 * would write to udpchatd is dropped (no socket). */
#include <stdlib.h>
#include <string.h>

#include "../../src/web.c"
#include "fuzz.h"

static int fuzz_slots_made;

/* The SSE written so far: every line one of the stream's own. */
static void fuzz_check_stream(const struct web_conn *c)
{
	const char *p = c->out, *end = c->out + c->out_len, *nl;

	if (c->out_len > sizeof(c->out) || memchr(c->out, '\r', c->out_len))
		abort();
	if (c->out_len == 0)
		return;
	if (memcmp(p, "HTTP/1.1 200 OK\r\n", 17) == 0)
		return; /* the head (with its CRs) only at the start: checked by the tests */
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			abort(); /* an event is always written whole */
		if (nl != p && memcmp(p, "id: ", 4) && memcmp(p, "event: ", 7) &&
		    memcmp(p, "data: ", 6) && memcmp(p, "retry: ", 7) && *p != ':')
			abort();
	}
}

static void fuzz_check_ring(const struct web_sess *s)
{
	struct web_entry e;
	size_t off;
	unsigned last = 0;

	if (s->ring_len > WEB_RING_BYTES)
		abort();
	for (off = 0; off < s->ring_len; off += sizeof(e) + e.len) {
		if (s->ring_len - off < sizeof(e))
			abort();
		e = web_entry_at(s, off);
		if (e.ser <= last || e.ser > s->ser || e.len > s->ring_len - off - sizeof(e))
			abort();
		last = e.ser;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct webhttp_req r;
	struct web_sess *s;
	struct web_conn *c;
	char query[2 + WEB_TOKEN_HEX];
	int64_t now = 1000000;
	size_t n;
	uint8_t setup, op;

	if (!fuzz_slots_made) {
		web.max_conns = 2;
		web.max_sess = 1;
		web.linger_s = 30;
		web.ctl_path = "/nonexistent/udpchatd.sock";
		web.bfd = -1;
		web.backoff_ms = WEB_RETRY_MS;
		web_slots();
		fuzz_slots_made = 1;
	}
	if (size < 1)
		return 0;
	setup = *p++;
	memset(web_conns, 0, 2 * sizeof(*web_conns));
	memset(web_sess, 0, offsetof(struct web_sess, qlen));
	web.nconns = 0;
	web.attached = !(setup & 8);
	web.outlen = 0;
	memcpy(web.epoch, "0000beef", WEB_EPOCH_HEX + 1);
	web_conns[0].fd = web_conns[1].fd = -1;
	s = &web_sess[0];
	c = &web_conns[0];
	s->mid = 1;
	s->conn = -1;
	memcpy(s->token, "0123456789abcdef0123456789abcdef", WEB_TOKEN_HEX + 1);
	memcpy(s->name, "alice", 6);
	s->state = setup & 1 ? S_IN : S_JOINING;
	s->next_ms = now + WEB_PING_MS;
	s->end_ms = now + WEB_JOIN_TOTAL_MS;
	s->alone_ms = now;
	if (setup & 4) {
		memcpy(s->q[0], "hello", 5);
		s->qlen[0] = 5;
		s->qn = 1;
	}
	memcpy(query, "s=", 2);
	memcpy(query + 2, s->token, WEB_TOKEN_HEX);
	memset(&r, 0, sizeof(r));
	r.query = (struct proto_span){ query, sizeof(query) };
	if (setup & 2) {
		c->state = C_READ;
		web.nconns = 1;
		if (s->state == S_IN) {
			web_get_events(0, &r, now);
			c->out_len = 0; /* the head: not an event */
		} else {
			c->state = C_JOIN; /* the POST /join waiting */
			c->sess = 0;
			s->conn = 0;
		}
	}
	while (p < end) {
		op = *p++;
		n = fuzz_len16(&p, end);
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		now += (op >> 1) * 1000;
		if (op & 1) {
			if (s->state == S_IN || s->state == S_GONE) {
				if (c->state == C_FREE) {
					c->state = C_READ;
					c->fd = -1;
					web.nconns++;
				}
				c->out_len = c->out_off = 0;
				r.last_id = (struct proto_span){ (const char *)p, n };
				web_get_events(0, &r, now);
				c->out_len = 0; /* the head: not an event */
			}
		} else if (s->state != S_FREE) {
			const char *q = (const char *)p, *qe = q + n, *nl;

			for (; q < qe; q = nl + 1) { /* line by line, as io_lines hands them out */
				nl = memchr(q, '\n', (size_t)(qe - q));
				if (!nl)
					nl = qe;
				web_bridge_line(q, (size_t)(nl - q), now);
			}
			web.outlen = 0; /* as if written */
		}
		p += n;
		if (s->state != S_FREE)
			web_sess_timers(0, now);
		if (c->state == C_EVENTS) {
			web_pump(0, now);
			fuzz_check_stream(c);
			c->out_len = 0; /* as if written */
		}
		if (s->state != S_FREE)
			fuzz_check_ring(s);
	}
	return 0;
}
