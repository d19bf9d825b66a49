/* webhttp.c: udpchatweb's reader of HTTP/1.1 request heads (RFC 9112),
 * strict and bounded: every byte is checked here, the program only sees
 * spans of a head that passed. */
#include <string.h>

#include "webhttp.h"

/* A tchar of RFC 9110 5.6.2 (method and header names). */
static int webhttp_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* ASCII case-insensitive comparison of s[0..len) with the lower-case word w. */
static int webhttp_is(const char *s, size_t len, const char *w)
{
	size_t i;
	unsigned char c;

	if (len != strlen(w))
		return 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != (unsigned char)w[i])
			return 0;
	}
	return 1;
}

/* The end of the line starting at p (its LF), or NULL. */
static const char *webhttp_eol(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

/* The request line p[0..len) (CR removed). Returns 0 or a status. */
static int webhttp_request_line(const char *p, size_t len, struct webhttp_req *r)
{
	const char *end = p + len, *sp1, *sp2, *t;
	size_t i;

	for (sp1 = p; sp1 < end && *sp1 != ' '; sp1++)
		if (!webhttp_tchar((unsigned char)*sp1))
			return 400;
	if (sp1 == p || sp1 == end)
		return 400;
	for (sp2 = sp1 + 1; sp2 < end && *sp2 != ' '; sp2++)
		if ((unsigned char)*sp2 <= ' ' || (unsigned char)*sp2 >= 127)
			return 400;
	if (sp2 == end || sp2 == sp1 + 1)
		return 400;
	t = sp2 + 1;
	if ((size_t)(end - t) != 8 || memcmp(t, "HTTP/", 5) != 0 || t[6] != '.' ||
	    t[5] < '0' || t[5] > '9' || t[7] < '0' || t[7] > '9')
		return 400;
	if (t[5] != '1' || (t[7] != '0' && t[7] != '1'))
		return 505;
	r->http10 = t[7] == '0';
	i = (size_t)(sp1 - p);
	if (i == 3 && memcmp(p, "GET", 3) == 0)
		r->method = WEBHTTP_GET;
	else if (i == 4 && memcmp(p, "HEAD", 4) == 0)
		r->method = WEBHTTP_HEAD;
	else if (i == 4 && memcmp(p, "POST", 4) == 0)
		r->method = WEBHTTP_POST;
	else
		return 405;
	if (sp1[1] != '/')
		return 400; /* origin-form only: no proxy requests, no '*' */
	r->path.p = sp1 + 1;
	for (t = r->path.p; t < sp2 && *t != '?'; t++)
		;
	r->path.len = (size_t)(t - r->path.p);
	r->query.p = t < sp2 ? t + 1 : sp2;
	r->query.len = (size_t)(sp2 - r->query.p);
	return 0;
}

/* A decimal Content-Length value. Returns 0 and *n, or a status. */
static int webhttp_length(const char *v, size_t len, size_t *n)
{
	size_t i, x = 0;

	if (len == 0)
		return 400;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 400;
		x = x * 10 + (size_t)(v[i] - '0');
		if (x > WEBHTTP_BODY_MAX)
			return 413;
	}
	*n = x;
	return 0;
}

/* One header line p[0..len) (CR removed). Returns 0 or a status. */
static int webhttp_header(const char *p, size_t len, struct webhttp_req *r, int *te)
{
	const char *end = p + len, *c, *v, *ve;
	size_t n = 0;
	int s;

	if (len > 0 && (*p == ' ' || *p == '\t'))
		return 400; /* obs-fold */
	for (c = p; c < end && *c != ':'; c++)
		if (!webhttp_tchar((unsigned char)*c))
			return 400;
	if (c == p || c == end)
		return 400;
	for (v = c + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	for (ve = end; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
		;
	for (c = v; c < ve; c++)
		if (((unsigned char)*c < ' ' && *c != '\t') || *c == 127)
			return 400;
	c = memchr(p, ':', len);
	if (webhttp_is(p, (size_t)(c - p), "content-length")) {
		if ((s = webhttp_length(v, (size_t)(ve - v), &n)) != 0)
			return s;
		if (r->has_length && n != r->body_len)
			return 400;
		r->has_length = 1;
		r->body_len = n;
	} else if (webhttp_is(p, (size_t)(c - p), "transfer-encoding")) {
		*te = 1;
	} else if (webhttp_is(p, (size_t)(c - p), "last-event-id")) {
		r->last_id = (struct proto_span){ v, (size_t)(ve - v) };
	}
	return 0;
}

int webhttp_parse(const char *buf, size_t len, struct webhttp_req *r)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t l;
	int s, te = 0, first = 1;

	memset(r, 0, sizeof(*r));
	r->last_id.p = r->path.p = r->query.p = buf;
	for (;;) {
		nl = webhttp_eol(p, end);
		if (!nl) {
			if (first && (size_t)(end - p) > WEBHTTP_LINE_MAX)
				return 414;
			return len >= WEBHTTP_HEAD_MAX ? 431 : -1;
		}
		if ((size_t)(nl + 1 - buf) > WEBHTTP_HEAD_MAX)
			return first && (size_t)(nl - p) > WEBHTTP_LINE_MAX ? 414 : 431;
		l = (size_t)(nl - p);
		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (memchr(p, '\r', l) || memchr(p, '\0', l))
			return 400;
		if (first) {
			if (l > WEBHTTP_LINE_MAX)
				return 414;
			if (l == 0 && p == buf) { /* RFC 9112 2.2: one empty line before */
				p = nl + 1;
				if (p - buf > 2)
					return 400;
				continue;
			}
			if ((s = webhttp_request_line(p, l, r)) != 0)
				return s;
			first = 0;
		} else if (l == 0) {
			break;
		} else if ((s = webhttp_header(p, l, r, &te)) != 0) {
			return s;
		}
		p = nl + 1;
	}
	if (te)
		return r->has_length ? 400 : 411;
	if (r->method == WEBHTTP_POST && !r->has_length)
		return 411;
	r->head_len = (size_t)(nl + 1 - buf);
	return 0;
}

const char *webhttp_reason(int status)
{
	static const struct {
		short code;
		const char *text;
	} reasons[] = {
		{ 200, "OK" }, { 202, "Accepted" }, { 204, "No Content" },
		{ 400, "Bad Request" }, { 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 411, "Length Required" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 429, "Too Many Requests" }, { 431, "Request Header Fields Too Large" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
	};
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == status)
			return reasons[i].text;
	return "Error";
}

struct proto_span webhttp_query(struct proto_span q, const char *key)
{
	const char *p = q.p, *end = q.p + q.len, *amp, *eq;
	size_t kl = strlen(key);

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (!amp)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq && (size_t)(eq - p) == kl && memcmp(p, key, kl) == 0)
			return (struct proto_span){ eq + 1, (size_t)(amp - eq - 1) };
		p = amp + 1;
	}
	return (struct proto_span){ q.p, 0 };
}
