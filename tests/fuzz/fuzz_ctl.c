/* fuzz_ctl.c: the control socket's requests as udpchatd reads them: the
 * input is written to one end of a Unix stream socket pair, ctlsock_read
 * takes it from the other (line, "\r", too long, peer gone), and a whole
 * request goes to server_ctl_request (say, who, kick, stats, bridge,
 * unknown) in a room of three members (one of them with a non-ASCII name).
 * A request "bridge TAG" that attaches: the rest of the input is that
 * bridge's lines (bridge_parse: post, act, notice, as, bad TAG, NICK, ID,
 * TEXT, too long; "as ID LINE": the bridge's members, server_lines),
 * read by server_bridge_read until the end, with the room's events and the
 * members' lines written back (bridge_event, bridge_to, bridge_flush); then
 * its members leave (server_bridge_gone). Replies go back over the pair
 * and are drained. */
#include <arpa/inet.h>

#include "../../src/server.c"
#include "fuzz.h"

static const char *const fuzz_joins[] = { "alice", "Bob", "管理员" };

static void fuzz_room(void)
{
	struct room_member *m;
	struct sockaddr_in s;
	size_t i;

	fanout_flush();
	while ((m = room_first()) != NULL) {
		fanout_leave(m, 0);
		room_remove(m);
	}
	room_init(8);
	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_addr.s_addr = htonl(0x7f000001);
	for (i = 0; i < sizeof(fuzz_joins) / sizeof(fuzz_joins[0]); i++) {
		s.sin_port = htons((uint16_t)(40000 + i));
		server_datagram((struct sockaddr *)&s, sizeof(s), fuzz_joins[i],
				strlen(fuzz_joins[i]), 0);
	}
	fanout_flush();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static struct ctlsock_conn c;
	char drain[4096];
	int sv[2];
	size_t off = 0;
	ssize_t w;
	int i, k;

	if (!ready) {
		cfg.max_members = 8;
		cfg.idle_s = ROOM_DEFAULT_IDLE_S;
		cfg.rate = ROOM_DEFAULT_RATE;
		cat = catalog_get(CATALOG_EN);
		fanout_init(-1, AF_INET6);
		start_ms = now_ms = 1000000;
		ratelimit_init(&stranger_rl, 2 * SERVER_STRANGER_RATE, now_ms);
		bridge_init();
		ready = 1;
	}
	if (size > 4 * CTLSOCK_MAX_REQ)
		return 0; /* more is refused the same way, and slows the pair */
	fuzz_room();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	while (off < size && (w = write(sv[1], data + off, size - off)) > 0)
		off += (size_t)w;
	shutdown(sv[1], SHUT_WR);
	ctlsock_start(&c, sv[0], now_ms);
	for (;;) {
		int r = ctlsock_read(&c);

		if (r == 1) {
			server_ctl_request(&c);
			break;
		}
		if (r < 0)
			break;
	}
	if (c.fd >= 0)
		ctlsock_finish(&c);
	for (i = 0; i < UCHAT_BRIDGES; i++) /* attached: its lines, to their end */
		for (k = 0; bridges[i].c.fd >= 0 && k < 64; k++) {
			server_bridge_read(&bridges[i]);
			fanout_flush();
			bridge_flush();
			while (read(sv[1], drain, sizeof(drain)) > 0)
				;
		}
	for (i = 0; i < UCHAT_BRIDGES; i++)
		if (bridges[i].c.fd >= 0)
			bridge_close(&bridges[i]);
	server_bridge_gone();
	while (read(sv[1], drain, sizeof(drain)) > 0)
		;
	close(sv[1]);
	return 0;
}
