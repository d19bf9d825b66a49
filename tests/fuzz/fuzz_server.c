/* fuzz_server.c: the server's reading of datagrams and control requests,
 * through the per-datagram entry point (server_datagram: proto, utf8, every
 * command handler, room, ratelimit, fanout; discovery requests and their
 * answers when due: server_disco_ask, server_disco_due) and
 * server_ctl_request, with fake source addresses and a clock that the
 * input moves.
 *
 * Input: one setup byte, then records. Setup: bits 0-2 the -m limit - 1,
 * bit 3 an IPv4-only socket (fanout maps addresses), bit 4 -L zh, bit 5 no
 * idle timeout, bit 6 no rate limit, bit 7 a history ring of 300 bytes (it
 * wraps every few lines) instead of the default. Record: a head byte, a 16-bit length
 * (little-endian, cut to what is left), the bytes. Head bits 0-2: the source,
 * 0-6 one of seven addresses, 7 a control request instead of a datagram;
 * bit 3: the datagram came truncated; bits 4-7: the clock moves on by that
 * many seconds first (members time out). Sends go to fd -1 and fail: what
 * the server writes is formatted and queued, not delivered. */
#include <arpa/inet.h>

#include "../../src/server.c"
#include "fuzz.h"

#define FUZZ_SOURCES 7

static struct sockaddr_storage fuzz_src[FUZZ_SOURCES];
static socklen_t fuzz_srclen[FUZZ_SOURCES];

static void fuzz_v4(int i, const char *a, unsigned port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&fuzz_src[i];

	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, a, &s->sin_addr);
	fuzz_srclen[i] = sizeof(*s);
}

static void fuzz_v6(int i, const char *a, unsigned port, unsigned scope)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&fuzz_src[i];

	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	s->sin6_scope_id = scope;
	inet_pton(AF_INET6, a, &s->sin6_addr);
	fuzz_srclen[i] = sizeof(*s);
}

static void fuzz_init(void)
{
	bridge_init();
	fuzz_v4(0, "127.0.0.1", 40000);
	fuzz_v4(1, "127.0.0.1", 40001);
	fuzz_v4(2, "127.0.0.2", 40000);
	fuzz_v6(3, "::ffff:127.0.0.1", 40000, 0); /* the same peer as 0 */
	fuzz_v6(4, "::1", 40000, 0);
	fuzz_v6(5, "fe80::1", 40000, 2);
	fuzz_v6(6, "2001:db8::7", 1, 0);
	room_init(1);
}

/* Empties the room and the queue: each input starts from a fresh server. */
static void fuzz_reset(unsigned setup)
{
	struct room_member *m;

	fanout_flush();
	while ((m = room_first()) != NULL) {
		fanout_leave(m, 0);
		room_remove(m);
	}
	memset(&stats, 0, sizeof(stats));
	cfg.max_members = 1 + (setup & 7);
	cfg.lang = setup & 16 ? CATALOG_ZH : CATALOG_EN;
	cfg.idle_s = setup & 32 ? 0 : ROOM_DEFAULT_IDLE_S;
	cfg.rate = setup & 64 ? 0 : ROOM_DEFAULT_RATE;
	cat = catalog_get(cfg.lang);
	room_init(cfg.max_members);
	ring_init(setup & 128 ? 300 : RING_DEFAULT_BYTES);
	room_seq = member_ids = 0;
	memset(server_acks, 0, sizeof(server_acks));
	fanout_init(-1, setup & 8 ? AF_INET : AF_INET6);
	start_ms = now_ms = 1000000;
	ratelimit_init(&stranger_rl, 2 * SERVER_STRANGER_RATE, now_ms);
	disco_n = 0;
	cfg.desc = "the fuzzed room";
}

/* A request as ctlsock_read hands it over: up to the first "\n", a "\r"
 * before it dropped, NUL-terminated, at most CTLSOCK_MAX_REQ bytes. */
static void fuzz_ctl(const uint8_t *p, size_t n)
{
	static struct ctlsock_conn c;
	char *nl;

	if (n > CTLSOCK_MAX_REQ)
		n = CTLSOCK_MAX_REQ;
	memcpy(c.req, p, n);
	c.req[n] = '\0';
	nl = memchr(c.req, '\n', n);
	if (nl) {
		*nl = '\0';
		if (nl > c.req && nl[-1] == '\r')
			nl[-1] = '\0';
	}
	c.fd = -1;
	c.since_ms = now_ms;
	server_ctl_request(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *p = data, *end = data + size;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	if (size == 0)
		return 0;
	fuzz_reset(*p++);
	while (p < end) {
		unsigned head = *p++, src = head & 7;
		size_t n = fuzz_len16(&p, end);

		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		now_ms += (int64_t)(head >> 4) * 1000;
		server_expire();
		if (src == FUZZ_SOURCES) {
			fuzz_ctl(p, n);
		} else {
			/* recvmmsg's buffer holds PROTO_MAX_DGRAM bytes: more is
			 * truncated. A copy of exactly n bytes, so that ASan sees a
			 * read past the datagram's end. */
			int trunc = (head & 8) != 0 || n > PROTO_MAX_DGRAM;
			size_t len = n > PROTO_MAX_DGRAM ? PROTO_MAX_DGRAM : n;
			char *buf = malloc(len + (len == 0)); /* malloc(0) may be NULL */

			if (!buf)
				return 0;
			memcpy(buf, p, len);
			server_datagram((const struct sockaddr *)&fuzz_src[src], fuzz_srclen[src],
					buf, len, trunc);
			free(buf);
		}
		p += n;
		(void)server_disco_due();
		fanout_flush();
	}
	return 0;
}
