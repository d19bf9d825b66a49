/* test_webhttp.c: udpchatweb's HTTP request reader (webhttp.c): whole
 * requests, every refusal with its status, a head cut at every byte, the
 * query reader. */
#include <string.h>

#include "test.h"
#include "webhttp.h"

static int parse(const char *s, struct webhttp_req *r)
{
	return webhttp_parse(s, strlen(s), r);
}

static void webhttp_get_and_post(void)
{
	static const char get[] = "GET /events?s=abc&x=1 HTTP/1.1\r\nHost: b\r\n"
				  "last-event-id:  17.4 \r\n\r\n";
	static const char post[] = "POST /send?s=t HTTP/1.0\nContent-Length: 5\n\nhello";
	struct webhttp_req r;
	struct proto_span v;

	CHECK_INT(parse(get, &r), 0);
	CHECK_INT(r.method, WEBHTTP_GET);
	CHECK_SPAN(r.path.p, r.path.len, "/events");
	CHECK_SPAN(r.query.p, r.query.len, "s=abc&x=1");
	CHECK_SPAN(r.last_id.p, r.last_id.len, "17.4");
	CHECK_INT(r.head_len, sizeof(get) - 1);
	CHECK_INT(r.has_length, 0);
	v = webhttp_query(r.query, "s");
	CHECK_SPAN(v.p, v.len, "abc");
	v = webhttp_query(r.query, "x");
	CHECK_SPAN(v.p, v.len, "1");
	v = webhttp_query(r.query, "y");
	CHECK_INT(v.len, 0);
	CHECK_INT(parse(post, &r), 0);
	CHECK_INT(r.method, WEBHTTP_POST);
	CHECK_INT(r.http10, 1);
	CHECK_INT(r.body_len, 5);
	CHECK_SPAN(post + r.head_len, 5, "hello");
	CHECK_INT(parse("HEAD / HTTP/1.1\r\n\r\n", &r), 0);
	CHECK_INT(r.method, WEBHTTP_HEAD);
	CHECK_SPAN(r.path.p, r.path.len, "/");
}

static void webhttp_refusals(void)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "garbage\r\n\r\n", 400 },
		{ "GET\r\n\r\n", 400 },
		{ "GET  / HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1 \r\n\r\n", 400 },
		{ "GET / http/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/2.0\r\n\r\n", 505 },
		{ "GET / HTTP/1.2\r\n\r\n", 505 },
		{ "GET * HTTP/1.1\r\n\r\n", 400 },
		{ "GET http://x/ HTTP/1.1\r\n\r\n", 400 },
		{ "PUT / HTTP/1.1\r\n\r\n", 405 },
		{ "DELETE / HTTP/1.1\r\n\r\n", 405 },
		{ "get / HTTP/1.1\r\n\r\n", 405 },
		{ "G(T / HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n folded\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\n\r\n", 411 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 1537\r\n\r\n", 413 },
		{ "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413 },
		{ "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400 },
	};
	struct webhttp_req r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_MSG(parse(cases[i].req, &r) == cases[i].status, "%s: %d, want %d",
			  test_esc(cases[i].req, strlen(cases[i].req)), parse(cases[i].req, &r),
			  cases[i].status);
	/* the same length twice is fine */
	CHECK_INT(parse("POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n", &r), 0);
}

static void webhttp_limits(void)
{
	static char buf[WEBHTTP_HEAD_MAX * 2];
	struct webhttp_req r;
	size_t n;

	/* a request line past its bound: 414 before its end has come */
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', WEBHTTP_LINE_MAX);
	CHECK_INT(webhttp_parse(buf, WEBHTTP_LINE_MAX + 5, &r), 414);
	/* one just within */
	n = (size_t)WEBHTTP_LINE_MAX - 14;
	memcpy(buf + 5 + n, " HTTP/1.1\r\n\r\n", 13);
	CHECK_INT(webhttp_parse(buf, 5 + n + 13, &r), 0);
	/* headers past the head's bound: 431, with or without an end */
	memcpy(buf, "GET / HTTP/1.1\r\nX: ", 19);
	memset(buf + 19, 'b', sizeof(buf) - 19);
	CHECK_INT(webhttp_parse(buf, WEBHTTP_HEAD_MAX, &r), 431);
	CHECK_INT(webhttp_parse(buf, WEBHTTP_HEAD_MAX - 1, &r), -1);
	memcpy(buf + WEBHTTP_HEAD_MAX, "\r\n\r\n", 4);
	CHECK_INT(webhttp_parse(buf, WEBHTTP_HEAD_MAX + 4, &r), 431);
}

/* Every prefix of a good request is "more" (-1), never a refusal. */
static void webhttp_every_cut(void)
{
	static const char req[] = "POST /join HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
				  "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 6\r\n\r\n";
	struct webhttp_req r;
	size_t i;

	for (i = 0; i < sizeof(req) - 1; i++)
		CHECK_MSG(webhttp_parse(req, i, &r) == -1, "cut at %zu: %d", i,
			  webhttp_parse(req, i, &r));
	CHECK_INT(webhttp_parse(req, sizeof(req) - 1, &r), 0);
	CHECK_INT(r.body_len, 6);
}

void suite_webhttp(void)
{
	TEST_RUN(webhttp_get_and_post);
	TEST_RUN(webhttp_refusals);
	TEST_RUN(webhttp_limits);
	TEST_RUN(webhttp_every_cut);
}
