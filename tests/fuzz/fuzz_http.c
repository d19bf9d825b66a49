/* fuzz_http.c: udpchatweb's reader of HTTP requests (webhttp.c), on any
 * bytes: it returns 0 (a head: every span inside the input, the path
 * starting with '/', the head ending in its blank line, a body within
 * WEBHTTP_BODY_MAX), -1 (more needed: only below WEBHTTP_HEAD_MAX bytes) or
 * one of the statuses it documents; the head alone parses the same; the
 * query reader stays inside the query. Input: the bytes as they came on a
 * connection (a heap block of exactly their size: ASan sees a read past
 * them). */
#include <stdlib.h>
#include <string.h>

#include "../../src/webhttp.h"
#include "fuzz.h"

static void fuzz_inside(struct proto_span s, const uint8_t *data, size_t size)
{
	if (s.len && ((const uint8_t *)s.p < data || (const uint8_t *)s.p + s.len > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct webhttp_req r, r2;
	struct proto_span v;
	int st = webhttp_parse(p, size, &r);

	switch (st) {
	case -1:
		if (size >= WEBHTTP_HEAD_MAX)
			abort();
		return 0;
	case 400: case 405: case 411: case 413: case 414: case 431: case 505:
		return 0;
	case 0:
		break;
	default:
		abort();
	}
	fuzz_inside(r.path, data, size);
	fuzz_inside(r.query, data, size);
	fuzz_inside(r.last_id, data, size);
	if (r.path.len == 0 || r.path.p[0] != '/' || r.head_len > size ||
	    r.head_len > WEBHTTP_HEAD_MAX || r.body_len > WEBHTTP_BODY_MAX ||
	    p[r.head_len - 1] != '\n' || memchr(r.path.p, '?', r.path.len) ||
	    (r.method == WEBHTTP_POST && !r.has_length))
		abort();
	if (webhttp_parse(p, r.head_len, &r2) != 0 || r2.head_len != r.head_len ||
	    r2.body_len != r.body_len || r2.method != r.method || r2.path.len != r.path.len)
		abort();
	v = webhttp_query(r.query, "s");
	fuzz_inside(v, data, size);
	if (v.len && (v.p < r.query.p || v.p + v.len > r.query.p + r.query.len))
		abort();
	return 0;
}
