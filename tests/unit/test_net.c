/* test_net.c: net.c's addresses: the one builder of v4-mapped addresses
 * (net_addr_v4mapped) against what net_addr_from makes of a sockaddr_in, and
 * net_client_socket over a list of addresses on the loopback. (net_pton and
 * net_addr_str are in test_fmt.c, beside fmt's other formatters.) */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "test.h"

/* Every byte of *a, field by field: ::ffff:v4, port, scope and flowinfo 0. */
static void net_v4mapped_bytes(void)
{
	static const unsigned char want[16] = { [10] = 0xff, [11] = 0xff, 192, 168, 1, 20 };
	struct net_addr a, b;
	struct sockaddr_in s4;
	char buf[NET_ADDRSTR];

	memset(&a, 0xa5, sizeof(a)); /* every field is written */
	net_addr_v4mapped(&a, (const unsigned char[4]){ 192, 168, 1, 20 });
	CHECK_INT(a.sin6.sin6_family, AF_INET6);
	CHECK_INT(a.sin6.sin6_port, 0);
	CHECK_INT(a.sin6.sin6_flowinfo, 0);
	CHECK_INT(a.sin6.sin6_scope_id, 0);
	CHECK(memcmp(a.sin6.sin6_addr.s6_addr, want, 16) == 0);
	CHECK(IN6_IS_ADDR_V4MAPPED(&a.sin6.sin6_addr));
	CHECK_STR(net_addr_str(&a, buf), "192.168.1.20:0");

	/* the same bytes as net_addr_from gives for a sockaddr_in, whatever
	 * was in *b before: addresses are hashed and compared as bytes */
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(8888);
	inet_pton(AF_INET, "192.168.1.20", &s4.sin_addr);
	memset(&b, 0x5a, sizeof(b));
	CHECK_INT(net_addr_from((const struct sockaddr *)&s4, sizeof(s4), &b), 0);
	a.sin6.sin6_port = htons(8888);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);

	/* the four bytes are taken as they are: 0.0.0.0 and 255.255.255.255 */
	net_addr_v4mapped(&a, (const unsigned char[4]){ 0, 0, 0, 0 });
	CHECK_STR(net_addr_str(&a, buf), "0.0.0.0:0");
	net_addr_v4mapped(&a, (const unsigned char[4]){ 255, 255, 255, 255 });
	CHECK_STR(net_addr_str(&a, buf), "255.255.255.255:0");
}

/* net_client_socket takes the first address that connects, on its own
 * family, and names the host and port when none does. */
static void net_client_sockets(void)
{
	struct net_addr a[2];
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof(ss);
	char err[160];
	int fd;

	net_addr_v4mapped(&a[0], (const unsigned char[4]){ 127, 0, 0, 1 });
	a[0].sin6.sin6_port = htons(9);
	fd = net_client_socket(a, 1, "localhost", err, sizeof(err));
	CHECK_MSG(fd >= 0, "%s", err);
	if (fd < 0)
		return;
	CHECK_INT(getpeername(fd, (struct sockaddr *)&ss, &len), 0);
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK_INT(ntohs(s4->sin_port), 9);
	CHECK_INT(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	close(fd);

	/* a link-local IPv6 address without a scope cannot be connected to
	 * (EINVAL), so the second address is the one taken */
	memset(&a[0], 0, sizeof(a[0]));
	a[0].sin6.sin6_family = AF_INET6;
	a[0].sin6.sin6_port = htons(8888);
	inet_pton(AF_INET6, "fe80::1", &a[0].sin6.sin6_addr);
	net_addr_v4mapped(&a[1], (const unsigned char[4]){ 127, 0, 0, 1 });
	a[1].sin6.sin6_port = htons(8888);
	fd = net_client_socket(a, 2, "pi.lan", err, sizeof(err));
	CHECK_MSG(fd >= 0, "%s", err);
	if (fd >= 0)
		close(fd);
	fd = net_client_socket(a, 1, "pi.lan", err, sizeof(err));
	CHECK_INT(fd, -1);
	CHECK_MSG(strncmp(err, "cannot reach pi.lan port 8888: ", 31) == 0, "%s", err);
	if (fd >= 0)
		close(fd);
}

void suite_net(void)
{
	TEST_RUN(net_v4mapped_bytes);
	TEST_RUN(net_client_sockets);
}
