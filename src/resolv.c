/* resolv.c: our own small resolver, /etc/hosts then DNS over UDP (the
 * contract is in resolv.h). The DNS reply parser is a checked reader in the
 * manner of proto.c: a pure function of the datagram's bytes, every length
 * and compression pointer checked against the datagram's end. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "io.h"
#include "resolv.h"

#define RESOLV_MSG_MAX    512  /* a DNS message over UDP (we send no EDNS) */
#define RESOLV_WIRE_MAX   255  /* a name in wire form (length-prefixed labels) */
#define RESOLV_QUERY_MAX  (12 + RESOLV_WIRE_MAX + 4)
#define RESOLV_MAX_PTRS   16   /* compression pointers followed in one name */
#define RESOLV_MAX_CNAME  8    /* CNAME steps followed in one answer */
#define RESOLV_PORT       53
#define RESOLV_LAST_MS    1000 /* the other family's wait once one has answered */
#define RESOLV_CNAME      5
#define RESOLV_TIMEOUT    (-4) /* resolv_ask: no answer in time */

static unsigned char resolv_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Whether a[0..n) and b[0..n) are equal ignoring ASCII case. */
static int resolv_caseeq(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	while (n--)
		if (resolv_lower(*x++) != resolv_lower(*y++))
			return 0;
	return 1;
}

static unsigned resolv_get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Writes name (dotted, one final '.' allowed) in wire form into wire
 * (RESOLV_WIRE_MAX bytes). Returns its length, or -1 if it is not a host
 * name (see resolv_build_query). */
static int resolv_wire(const char *name, unsigned char *wire)
{
	size_t n = strlen(name), i, lab = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > RESOLV_NAME_MAX)
		return -1;
	for (i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)name[i] : '.';

		if (c == '.') {
			if (i == lab || i - lab > RESOLV_LABEL_MAX)
				return -1;
			wire[lab] = (unsigned char)(i - lab);
			lab = i + 1;
		} else if ((resolv_lower(c) >= 'a' && resolv_lower(c) <= 'z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '_') {
			wire[i + 1] = c;
		} else {
			return -1;
		}
	}
	wire[n + 1] = 0;
	return (int)n + 2;
}

/* --- DNS messages: the query builder and the checked reply reader ------- */

int resolv_build_query(unsigned char *buf, size_t size, uint16_t id, const char *name, int qtype)
{
	unsigned char wire[RESOLV_WIRE_MAX];
	int n = resolv_wire(name, wire);

	if (n < 0 || size < (size_t)n + 16)
		return -1;
	memset(buf, 0, 12);
	buf[0] = (unsigned char)(id >> 8);
	buf[1] = (unsigned char)id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* QDCOUNT */
	memcpy(buf + 12, wire, (size_t)n);
	buf += 12 + n;
	buf[0] = 0;
	buf[1] = (unsigned char)qtype;
	buf[2] = 0;
	buf[3] = 1; /* IN */
	return n + 16;
}

/* Reads the (maybe compressed) name at *pos of msg[0..len) into wire
 * (uncompressed, at most RESOLV_WIRE_MAX bytes) and moves *pos past it.
 * Every label and pointer is checked against len; a pointer must point
 * before itself and at most RESOLV_MAX_PTRS are followed, so a loop ends.
 * Returns the wire length, or -1. */
static int resolv_get_name(const unsigned char *msg, size_t len, size_t *pos, unsigned char *wire)
{
	size_t p = *pos, w = 0, to;
	unsigned c;
	int jumps = 0;

	for (;;) {
		if (p >= len)
			return -1;
		c = msg[p];
		if (c >= 0xc0) {
			if (p + 1 >= len || ++jumps > RESOLV_MAX_PTRS)
				return -1;
			to = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			if (to >= p)
				return -1;
			if (jumps == 1)
				*pos = p + 2;
			p = to;
			continue;
		}
		if (c > RESOLV_LABEL_MAX || p + 1 + c > len || w + 1 + c > RESOLV_WIRE_MAX)
			return -1; /* 0x40 and 0x80 label types are not for us */
		memcpy(wire + w, msg + p, c + 1);
		w += c + 1;
		p += c + 1;
		if (c == 0) {
			if (!jumps)
				*pos = p;
			return (int)w;
		}
	}
}

int resolv_parse_reply(const unsigned char *msg, size_t len, uint16_t id, const char *qname,
		       int qtype, struct net_addr *out, int max)
{
	unsigned char want[RESOLV_WIRE_MAX], cur[RESOLV_WIRE_MAX], got[RESOLV_WIRE_MAX];
	unsigned char next[RESOLV_WIRE_MAX];
	unsigned type, rdlen, an, i, step;
	size_t pos = 12, ans, p;
	int wl, curl, gl, more, n = 0, bad = 0;

	wl = resolv_wire(qname, want);
	/* a reply (QR), a standard query (opcode 0), our ID and one question */
	if (len < 12 || resolv_get16(msg) != id || (msg[2] & 0xf8) != 0x80 ||
	    resolv_get16(msg + 4) != 1 || wl < 0)
		return RESOLV_NOT_OURS;
	gl = resolv_get_name(msg, len, &pos, got);
	if (gl != wl || !resolv_caseeq(got, want, (size_t)wl) || pos + 4 > len ||
	    resolv_get16(msg + pos) != (unsigned)qtype || resolv_get16(msg + pos + 2) != 1)
		return RESOLV_NOT_OURS;
	if ((msg[3] & 15) == 3)
		return RESOLV_NXDOMAIN;
	if ((msg[3] & 15) != 0)
		return RESOLV_FAILED;
	ans = pos + 4;
	an = resolv_get16(msg + 6);
	memcpy(cur, want, (size_t)wl);
	curl = wl;
	/* Each pass takes the records owned by cur; a pass that finds none but
	 * a CNAME moves cur to its target. */
	for (step = 0; step <= RESOLV_MAX_CNAME; step++) {
		more = 0;
		pos = ans;
		for (i = 0; i < an; i++) {
			gl = resolv_get_name(msg, len, &pos, got);
			if (gl < 0 || pos + 10 > len || pos + 10 + resolv_get16(msg + pos + 8) > len) {
				bad = 1; /* truncated or malformed: keep what came before */
				break;
			}
			type = resolv_get16(msg + pos);
			rdlen = resolv_get16(msg + pos + 8);
			pos += 10;
			if (resolv_get16(msg + pos - 8) == 1 && gl == curl &&
			    resolv_caseeq(got, cur, (size_t)gl)) {
				if (type == (unsigned)qtype && rdlen == (qtype == RESOLV_A ? 4u : 16u)) {
					if (n < max) { /* an AAAA overwrites all 16 bytes */
						net_addr_v4mapped(&out[n], msg + pos);
						if (qtype == RESOLV_AAAA)
							memcpy(&out[n].sin6.sin6_addr, msg + pos, 16);
						n++;
					}
				} else if (type == RESOLV_CNAME && !more) {
					p = pos;
					more = resolv_get_name(msg, len, &p, next);
					if (more < 0 || p > pos + rdlen)
						more = 0;
				}
			}
			pos += rdlen;
		}
		if (n > 0 || more <= 0)
			break;
		memcpy(cur, next, (size_t)more);
		curl = more;
	}
	if (n == 0 && (bad || (msg[2] & 0x02))) /* TC */
		return RESOLV_FAILED;
	return n;
}

/* --- files: the line reader, /etc/hosts and /etc/resolv.conf ------------ */

/* The next line of a file read through l (io.h: the last one may lack its
 * "\n"; a "\r" stays, a blank to the parsers). Returns 1, or 0 at its end.
 * A line that does not fit the buffer is skipped whole, as glibc and musl
 * do. */
static int resolv_next_line(struct io_lines *l, const char **line, size_t *len)
{
	int r;

	while ((r = io_lines_read(l, line, len)) == IO_LONG)
		;
	return r == IO_LINE;
}

/* Splits the next blank-separated word off [*p, end); returns its length
 * (0 when there is none) with *w at its start. */
static size_t resolv_word(const char **p, const char *end, const char **w)
{
	const char *s = *p;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v'))
		s++;
	*w = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\f' && *s != '\v')
		s++;
	*p = s;
	return (size_t)(s - *w);
}

/* The end of line[0..len) without its comment. */
static const char *resolv_uncomment(const char *line, size_t len)
{
	const char *hash = memchr(line, '#', len);

	return hash ? hash : line + len;
}

/* Whether the word w[0..n) is s. */
static int resolv_is(const char *w, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(w, s, n) == 0;
}

/* Parses w[0..n), an IPv4 or IPv6 address (with a "%scope"), into *a
 * (port 0). Returns 0, or -1 (net_parse's -2 too). */
static int resolv_addr(const char *w, size_t n, struct net_addr *a)
{
	char buf[64];

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, w, n);
	buf[n] = '\0';
	return net_parse(buf, a) < 0 ? -1 : 0;
}

int resolv_hosts_line(const char *line, size_t len, const char *name, struct net_addr *addr)
{
	const char *p = line, *end = resolv_uncomment(line, len), *w;
	size_t n = strlen(name), wl;

	if (n > 0 && name[n - 1] == '.')
		n--;
	wl = resolv_word(&p, end, &w);
	if (wl == 0 || resolv_addr(w, wl, addr) < 0)
		return 0;
	while ((wl = resolv_word(&p, end, &w)) > 0)
		if (wl == n && resolv_caseeq(w, name, n))
			return 1;
	return 0;
}

/* Copies the IPv4 addresses of a[0..na) then the IPv6 ones of b[0..nb) to
 * out, at most max; returns the count. */
static int resolv_merge(struct net_addr *out, int max, const struct net_addr *a, int na,
			const struct net_addr *b, int nb)
{
	int n = 0, i;

	for (i = 0; i < na && n < max; i++)
		out[n++] = a[i];
	for (i = 0; i < nb && n < max; i++)
		out[n++] = b[i];
	return n;
}

int resolv_hosts_read(int fd, const char *name, struct net_addr *out, int max)
{
	char buf[RESOLV_LINE_MAX];
	struct io_lines r;
	struct net_addr found[2][RESOLV_MAX_ADDRS], a;
	int count[2] = { 0, 0 }, v6;
	const char *line;
	size_t len;

	io_lines_init(&r, fd, buf, sizeof(buf));
	while (resolv_next_line(&r, &line, &len)) {
		if (!resolv_hosts_line(line, len, name, &a))
			continue;
		v6 = !IN6_IS_ADDR_V4MAPPED(&a.sin6.sin6_addr);
		if (count[v6] < RESOLV_MAX_ADDRS)
			found[v6][count[v6]++] = a;
	}
	return resolv_merge(out, max, found[0], count[0], found[1], count[1]);
}

void resolv_cfg_init(struct resolv_cfg *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->ndots = 1;
	conf->timeout_s = 5;
	conf->attempts = 2;
}

/* If the word w[0..n) is "KEY:N", stores N (capped to [lo, hi]) in *v. */
static void resolv_option(const char *w, size_t n, const char *key, int lo, int hi, int *v)
{
	size_t k = strlen(key), i;
	int x = 0;

	if (n <= k || memcmp(w, key, k) != 0)
		return;
	for (i = k; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return;
		if (x < 1000)
			x = x * 10 + (w[i] - '0');
	}
	*v = x < lo ? lo : x > hi ? hi : x;
}

void resolv_cfg_line(struct resolv_cfg *conf, const char *line, size_t len)
{
	const char *p = line, *end = resolv_uncomment(line, len), *w;
	unsigned char wire[RESOLV_WIRE_MAX];
	struct net_addr a;
	size_t wl = resolv_word(&p, end, &w);
	char dom[RESOLV_NAME_MAX + 2]; /* a final '.' allowed */

	if (resolv_is(w, wl, "nameserver")) {
		wl = resolv_word(&p, end, &w);
		if (conf->nns < RESOLV_MAX_NS && resolv_addr(w, wl, &a) == 0) {
			a.sin6.sin6_port = net_port_wire(RESOLV_PORT);
			conf->ns[conf->nns++] = a;
		}
	} else if (resolv_is(w, wl, "search") || resolv_is(w, wl, "domain")) {
		conf->nsearch = 0;
		while (conf->nsearch < RESOLV_MAX_SEARCH && (wl = resolv_word(&p, end, &w)) > 0) {
			if (wl >= sizeof(dom))
				continue;
			memcpy(dom, w, wl);
			dom[wl] = '\0';
			if (resolv_wire(dom, wire) < 0)
				continue;
			if (dom[wl - 1] == '.')
				dom[wl - 1] = '\0';
			memcpy(conf->search[conf->nsearch++], dom, sizeof(conf->search[0]));
		}
	} else if (resolv_is(w, wl, "options")) {
		while ((wl = resolv_word(&p, end, &w)) > 0) {
			resolv_option(w, wl, "ndots:", 0, 15, &conf->ndots);
			resolv_option(w, wl, "timeout:", 1, 30, &conf->timeout_s);
			resolv_option(w, wl, "attempts:", 1, 5, &conf->attempts);
		}
	}
}

void resolv_cfg_done(struct resolv_cfg *conf)
{
	struct net_addr *a = &conf->ns[0];

	if (conf->nns > 0)
		return;
	net_addr_v4mapped(a, (const unsigned char[4]){ 127, 0, 0, 1 });
	a->sin6.sin6_port = net_port_wire(RESOLV_PORT);
	conf->nns = 1;
}

void resolv_cfg_read(struct resolv_cfg *conf, int fd)
{
	char buf[RESOLV_LINE_MAX];
	struct io_lines r;
	const char *line;
	size_t len;

	resolv_cfg_init(conf);
	io_lines_init(&r, fd, buf, sizeof(buf));
	while (resolv_next_line(&r, &line, &len))
		resolv_cfg_line(conf, line, len);
	resolv_cfg_done(conf);
}

/* --- DNS over UDP ------------------------------------------------------- */

int resolv_candidate(const struct resolv_cfg *conf, const char *name, int i, char *out)
{
	size_t n = strlen(name), d, dots = 0, k;
	int nsearch = conf->nsearch, self;

	for (k = 0; k < n; k++)
		dots += name[k] == '.';
	if (n > 0 && name[n - 1] == '.') {
		n--;
		nsearch = 0; /* absolute: no search */
	}
	self = dots >= (size_t)conf->ndots ? 0 : nsearch;
	if (i < 0 || i > nsearch)
		return 0;
	d = i == self ? 0 : strlen(conf->search[i < self ? i : i - 1]);
	if (n + (d ? d + 1 : 0) > RESOLV_NAME_MAX)
		return -1;
	memcpy(out, name, n);
	out[n] = '\0';
	if (d) {
		out[n] = '.';
		memcpy(out + n + 1, conf->search[i < self ? i : i - 1], d + 1);
	}
	return 1;
}

/* A 16-bit query ID: getrandom(2), else /dev/urandom, else (no randomness
 * to be had at all) the clock and the pid. */
static uint16_t resolv_random(void)
{
	uint16_t v = 0;
	int fd;

#ifdef SYS_getrandom
	if (syscall(SYS_getrandom, &v, sizeof(v), 1 /* GRND_NONBLOCK */) == (long)sizeof(v))
		return v;
#endif
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t k = read(fd, &v, sizeof(v));

		close(fd);
		if (k == (ssize_t)sizeof(v))
			return v;
	}
	return (uint16_t)((unsigned long)net_now_ms() ^ (unsigned long)getpid() << 5);
}

/* One query in flight: A or AAAA for one candidate name. */
struct resolv_query {
	unsigned char msg[RESOLV_QUERY_MAX];
	int len, type, result;  /* result: a count, RESOLV_NXDOMAIN, RESOLV_FAILED, RESOLV_TIMEOUT */
	int done;
	uint16_t id;
	unsigned char failed[RESOLV_MAX_NS]; /* 1: could not send, 2: replied a failure */
	struct net_addr addr[RESOLV_MAX_ADDRS];
};

/* Records that nameserver i failed q (how: 1 or 2); q fails when every
 * nameserver has: RESOLV_FAILED if one of them answered, else as a time-out. */
static void resolv_fail(struct resolv_query *q, const struct resolv_cfg *conf, int i, int how)
{
	int k, replied = 0;

	q->failed[i] = (unsigned char)how;
	for (k = 0; k < conf->nns; k++) {
		if (!q->failed[k])
			return;
		replied |= q->failed[k] == 2;
	}
	q->done = 1;
	q->result = replied ? RESOLV_FAILED : RESOLV_TIMEOUT;
}

/* Sends every pending query to every nameserver that has not failed it. */
static void resolv_send(int fd, int family, const struct resolv_cfg *conf, struct resolv_query *q)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < conf->nns && !q[k].done; i++) {
			if (q[k].failed[i])
				continue;
			sl = net_addr_to(&conf->ns[i], family, &ss);
			if (sl == 0 || (sendto(fd, q[k].msg, (size_t)q[k].len, MSG_NOSIGNAL,
					       (struct sockaddr *)&ss, sl) < 0 && errno != EAGAIN))
				resolv_fail(&q[k], conf, i, 1);
		}
	}
}

/* Takes every datagram waiting on fd; those from a nameserver that answer a
 * pending query settle it (or count as that server's failure). */
static void resolv_receive(int fd, const struct resolv_cfg *conf, const char *name,
			   struct resolv_query *q)
{
	unsigned char msg[RESOLV_MSG_MAX];
	struct sockaddr_storage ss;
	struct net_addr from;
	socklen_t sl;
	ssize_t len;
	int i, k, r;

	for (;;) {
		sl = sizeof(ss);
		len = recvfrom(fd, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		if (len < 0)
			return;
		if (net_addr_from((struct sockaddr *)&ss, sl, &from) < 0)
			continue;
		for (i = 0; i < conf->nns; i++)
			if (from.sin6.sin6_port == conf->ns[i].sin6.sin6_port &&
			    memcmp(&from.sin6.sin6_addr, &conf->ns[i].sin6.sin6_addr, 16) == 0)
				break;
		for (k = 0; i < conf->nns && k < 2; k++) {
			if (q[k].done)
				continue;
			r = resolv_parse_reply(msg, (size_t)len, q[k].id, name, q[k].type,
					       q[k].addr, RESOLV_MAX_ADDRS);
			if (r == RESOLV_NOT_OURS)
				continue;
			if (r == RESOLV_FAILED) {
				resolv_fail(&q[k], conf, i, 2);
			} else {
				q[k].done = 1;
				q[k].result = r;
			}
			break;
		}
	}
}

/* Asks the nameservers for the A and AAAA records of name. Returns the
 * number of addresses written to out (IPv4 first), 0 if the name has none,
 * or RESOLV_NXDOMAIN, RESOLV_FAILED, RESOLV_TIMEOUT. */
static int resolv_ask(int fd, int family, const struct resolv_cfg *conf, const char *name,
		      struct net_addr *out, int max)
{
	struct resolv_query q[2];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t now = net_now_ms(), deadline = now + conf->timeout_s * 1000, next = now;
	int interval = conf->timeout_s * 1000 / conf->attempts;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&q[k], 0, sizeof(q[k]));
		q[k].type = k ? RESOLV_AAAA : RESOLV_A;
		q[k].id = (uint16_t)(resolv_random() + k); /* never both the same */
		q[k].len = resolv_build_query(q[k].msg, sizeof(q[k].msg), q[k].id, name, q[k].type);
		if (q[k].len < 0) {
			q[k].done = 1;
			q[k].result = RESOLV_NXDOMAIN;
		}
	}
	while (!(q[0].done && q[1].done) && now < deadline) {
		if (now >= next) {
			resolv_send(fd, family, conf, q);
			next = now + interval;
		}
		if (poll(&pfd, 1, (int)((next < deadline ? next : deadline) - now)) > 0)
			resolv_receive(fd, conf, name, q);
		now = net_now_ms();
		for (k = 0; k < 2; k++)
			if (q[k].done && q[k].result > 0 && now + RESOLV_LAST_MS < deadline)
				deadline = now + RESOLV_LAST_MS;
	}
	for (k = 0; k < 2; k++)
		if (!q[k].done)
			q[k].result = RESOLV_TIMEOUT;
	if (q[0].result > 0 || q[1].result > 0)
		return resolv_merge(out, max, q[0].addr, q[0].result > 0 ? q[0].result : 0,
				    q[1].addr, q[1].result > 0 ? q[1].result : 0);
	if (q[0].result == RESOLV_NXDOMAIN || q[1].result == RESOLV_NXDOMAIN)
		return RESOLV_NXDOMAIN;
	if (q[0].result == RESOLV_TIMEOUT || q[1].result == RESOLV_TIMEOUT)
		return RESOLV_TIMEOUT;
	return q[0].result < 0 ? q[0].result : q[1].result;
}

int resolv_dns(const struct resolv_cfg *conf, const char *name, struct net_addr *out, int max,
	       char *err, size_t errlen)
{
	char cand[RESOLV_NAME_MAX + 1];
	int fd, family = AF_INET6, off = 0, i, c, r = RESOLV_NXDOMAIN, nodata = 0;

	fd = (int)syscall(SYS_socket, AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	} else { /* a kernel without IPv6: IPv4 nameservers only */
		family = AF_INET;
		fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		fmt_snprintf(err, errlen, "socket: %s", fmt_strerror(errno));
		return -1;
	}
	for (i = 0; (c = resolv_candidate(conf, name, i, cand)) != 0; i++) {
		if (c < 0)
			continue;
		r = resolv_ask(fd, family, conf, cand, out, max);
		if (r > 0)
			break;
		if (r == 0)
			nodata = 1;
		else if (r != RESOLV_NXDOMAIN)
			break;
	}
	close(fd);
	if (r > 0)
		return r;
	if (r == RESOLV_TIMEOUT)
		fmt_snprintf(err, errlen, "no answer from the DNS servers in /etc/resolv.conf");
	else if (r == RESOLV_FAILED)
		fmt_snprintf(err, errlen, "DNS server failure (SERVFAIL or REFUSED) for %s", cand);
	else if (nodata)
		fmt_snprintf(err, errlen, "no address (the name has no A or AAAA record)");
	else
		fmt_snprintf(err, errlen, "unknown host");
	return -1;
}

int resolv_localhost(const char *name, struct net_addr *out, int max)
{
	static const char lh[] = "localhost";
	size_t n = strlen(name), k = sizeof(lh) - 1;
	int c = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n < k || !resolv_caseeq(name + n - k, lh, k) || (n > k && name[n - k - 1] != '.'))
		return 0;
	if (c < max && net_parse("127.0.0.1", &out[c]) == 0)
		c++;
	if (c < max && net_parse("::1", &out[c]) == 0)
		c++;
	return c;
}

/* resolv_lookup for a name: /etc/hosts, localhost, DNS (port 0). */
static int resolv_name(const char *name, struct net_addr *out, int max, char *err, size_t errlen)
{
	unsigned char wire[RESOLV_WIRE_MAX];
	struct resolv_cfg conf;
	int fd, n;

	if (resolv_wire(name, wire) < 0) {
		fmt_snprintf(err, errlen, "bad name (want a host name or an IPv4/IPv6 address)");
		return -1;
	}
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/hosts", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = resolv_hosts_read(fd, name, out, max);
		close(fd);
		if (n > 0)
			return n;
	}
	n = resolv_localhost(name, out, max);
	if (n > 0)
		return n;
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	resolv_cfg_read(&conf, fd);
	if (fd >= 0)
		close(fd);
	return resolv_dns(&conf, name, out, max, err, errlen);
}

int resolv_lookup(const char *host, unsigned port, struct net_addr *out, int max,
		  char *err, size_t errlen)
{
	char why[128];
	int n = net_parse(host, &out[0]), i;

	if (n == -2)   /* an address with a bad scope */
		fmt_snprintf(why, sizeof(why), "no such interface %s",
			     (const char *)memchr(host, '%', strlen(host)) + 1);
	else if (n < 0)   /* not an address literal */
		n = resolv_name(host, out, max, why, sizeof(why));
	else
		n = 1;
	if (n < 0) {
		fmt_snprintf(err, errlen, "cannot resolve %s: %s", host, why);
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i].sin6.sin6_port = net_port_wire(port);
	return n;
}
