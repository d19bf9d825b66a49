/* fuzz_client.c: the client's reading of what comes from the server (or
 * from anyone who can send it a datagram): the join answer
 * (client_join_answer, client_parse_welcome), then the receiver's handling
 * of each line (client_on_datagram: welcome, nick, bye, kicked, removed,
 * refused re-joins, term_print's sanitizing; protocol v1.1's "=SEQ",
 * "= " (numbered from the datagram's event line before it), "~SEQ AGE"
 * lines and numbered replies through client_on_v11 and seqwin); and each
 * datagram as an answer to discovery (client_disco_take: udpchat with no
 * HOST reads every datagram that comes to its socket).
 *
 * Input: one setup byte (bit 0: the first datagram answers the join; bit 1:
 * the receiver is re-joining; bits 2-3: the v1.1 state, CLIENT_SEQ_*; bit 4:
 * the history is done), then datagrams, each a 16-bit little-endian
 * length (cut to what is left and to the receive buffer) and its bytes, read
 * until the receiver would exit. What it prints goes to standard output
 * (closed by `make fuzz`, /dev/null in the replay); its sends and notes to
 * the sender go to fd -1. */
#include "../../src/client.c"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct client c;
	const uint8_t *p = data, *end = data + size;
	struct net_addr from;
	unsigned setup;
	int first = 1, rooms = 0;

	if (size == 0)
		return 0;
	setup = *p++;
	memset(&c, 0, sizeof(c));
	c.sock = c.note_fd = -1;
	c.child = -1;
	c.idle_s = -1;
	c.host = "127.0.0.1";
	c.port = UCHAT_STR(PROTO_DEFAULT_PORT);
	memcpy(c.name, "me", 3);
	c.rejoining = (setup & 2) != 0;
	c.seq = (int)(setup >> 2) & 3;
	c.hist_done = (setup & 16) != 0;
	c.last_k = CLIENT_LAST_K;
	seqwin_reset(&client_win, 0);
	while (p < end) {
		size_t n = fuzz_len16(&p, end);

		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		c.rlen = n > CLIENT_RECV_MAX ? CLIENT_RECV_MAX : n;
		memcpy(c.rbuf, p, c.rlen);
		c.rbuf[c.rlen] = '\0';
		c.roff = 0;
		p += n;
		net_addr_v4mapped(&from, (const unsigned char[4]){ 10, 0, 0, (unsigned char)rooms });
		rooms = client_disco_take(c.rbuf, c.rlen, &from, rooms);
		if (first && (setup & 1)) {
			int r = client_join_answer(&c);

			if (r == 0)
				break;    /* refused: the client asks for another name */
			if (r < 0)
				continue; /* no answer in it: client_join waits on */
			first = 0;
		}
		if (client_on_datagram(&c) >= 0)
			break;
	}
	return 0;
}
