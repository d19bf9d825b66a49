/* fuzz_lines.c: io.c's reader of lines, which every reader of lines goes
 * through (the control socket, resolv.conf and hosts, the client's and the
 * operator's standard input), under arbitrary chunkings and buffer sizes,
 * checked against a plain split of the same bytes: every line handed out
 * whole and in order, a line longer than the buffer holds reported once
 * with its whole length and never in pieces, the last line at the end of
 * file, nothing written outside the buffer (a heap block of exactly its
 * size: ASan sees one byte past it).
 *
 * Input: a byte for the buffer's size (2-64), then chunks (a length byte,
 * that many bytes; the last may be short), each written to a Unix stream
 * socket pair and read with io_lines_fill / io_lines_next; then the writer
 * closes and io_lines_read takes what is left. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../src/io.h"
#include "fuzz.h"

struct fuzz_want {
	const uint8_t *p, *end; /* the text not yet matched */
	size_t size;
};

/* Joins the chunks of [p, end) into text (at least end - p bytes); returns
 * their length. */
static size_t fuzz_text(const uint8_t *p, const uint8_t *end, uint8_t *text)
{
	size_t n, len = 0;

	while (p < end) {
		n = *p++;
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		memcpy(text + len, p, n);
		len += n;
		p += n;
	}
	return len;
}

/* Checks one line handed out against the next one of the text. */
static void fuzz_check(struct fuzz_want *w, int r, const char *line, size_t len, int partial)
{
	const uint8_t *nl = memchr(w->p, '\n', (size_t)(w->end - w->p));
	size_t want = (size_t)((nl ? nl : w->end) - w->p);

	if (w->p == w->end || len != want || partial != !nl ||
	    r != (want > w->size - 1 ? IO_LONG : IO_LINE) ||
	    (r == IO_LINE && memcmp(line, w->p, len) != 0))
		abort();
	w->p += want + (nl != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t text[1 << 16];
	const uint8_t *p = data, *end = data + size;
	struct fuzz_want w;
	struct io_lines l;
	const char *line;
	size_t len, n;
	char *buf;
	int sv[2], r;

	if (size < 1 || size > sizeof(text))
		return 0;
	w.size = 2 + *p++ % 63;
	w.p = text;
	w.end = text + fuzz_text(p, end, text);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	buf = malloc(w.size);
	if (!buf)
		abort();
	io_lines_init(&l, sv[0], buf, w.size);
	while (p < end) {
		n = *p++;
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (n > 0 && write(sv[1], p, n) != (ssize_t)n)
			abort(); /* a chunk is small: the socket takes it whole */
		p += n;
		while (io_lines_fill(&l) > 0)
			while ((r = io_lines_next(&l, &line, &len)) != IO_NONE)
				fuzz_check(&w, r, line, len, l.partial);
	}
	close(sv[1]);
	while ((r = io_lines_read(&l, &line, &len)) != IO_NONE)
		fuzz_check(&w, r, line, len, l.partial);
	if (!l.eof || w.p != w.end)
		abort();
	close(sv[0]);
	free(buf);
	return 0;
}
