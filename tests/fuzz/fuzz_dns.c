/* fuzz_dns.c: the DNS reply reader, resolv_parse_reply: header, question,
 * answers, compression pointers, CNAME chains, A and AAAA records.
 *
 * Input: one byte (bit 0: the query was AAAA, else A; bits 1-2: which of
 * four names was asked; bits 3-6: how many addresses fit, 0-15), then the
 * reply datagram. The reply's own ID is taken as the query's, so that the
 * reader goes past the first check. */
#include <stdlib.h>
#include <string.h>

#include "../../src/resolv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"host", "host.example.com", "Host.Example.COM.", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
	};
	struct net_addr out[16];
	unsigned char *msg;
	uint16_t id;
	size_t len;
	int r;

	if (size < 1)
		return 0;
	len = size - 1;
	/* a copy of exactly len bytes: ASan sees any read past the datagram */
	msg = malloc(len + (len == 0)); /* malloc(0) may be NULL */
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	id = len >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0;
	r = resolv_parse_reply(msg, len, id, names[data[0] >> 1 & 3],
			       data[0] & 1 ? RESOLV_AAAA : RESOLV_A, out, data[0] >> 3 & 15);
	if (r > (data[0] >> 3 & 15))
		abort(); /* more addresses than room for them */
	free(msg);
	return 0;
}
