/* net.h: UDP sockets and addresses shared by the server, client and tools;
 * the bridges' connection to the control socket. */
#ifndef UCHAT_NET_H
#define UCHAT_NET_H
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* A peer address, always stored as IPv6 (IPv4 as ::ffff:a.b.c.d) so that it
 * can be hashed and compared as plain bytes. */
struct net_addr {
	struct sockaddr_in6 sin6;
};

/* A port into network order (net_port_wire) and back (net_port_host), as
 * htons and ntohs: musl's are calls, these a byte swap or nothing. */
static inline uint16_t net_port_wire(unsigned port)
{
	const unsigned char b[2] = { (unsigned char)(port >> 8), (unsigned char)port };
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

static inline unsigned net_port_host(uint16_t v)
{
	const unsigned char *b = (const unsigned char *)&v;

	return (unsigned)b[0] << 8 | b[1];
}

/* Sets *a to the IPv4 address v4 (4 bytes, network order) as the
 * v4-mapped ::ffff:a.b.c.d: family AF_INET6, port, scope and flowinfo 0. */
void net_addr_v4mapped(struct net_addr *a, const void *v4);

/* Normalises any AF_INET/AF_INET6 sockaddr into *out (flowinfo cleared).
 * Returns 0, or -1 for another family. */
int net_addr_from(const struct sockaddr *sa, socklen_t len, struct net_addr *out);

/* As inet_pton for AF_INET (4 bytes: a dotted quad of decimal numbers
 * without leading zeros) and AF_INET6 (16 bytes: RFC 4291 text, a dotted
 * quad allowed at the end). Returns 1, or 0 when s is not such an address
 * (out may be written then). Our own: musl's is 0.8-1 kB. */
int net_pton(int family, const char *s, void *out);

/* Parses s, an IPv4 or IPv6 address, the latter with an optional
 * "%SCOPE" (an interface's index, or its name: "fe80::1%wlan0"), into *a
 * (port 0). Returns 0, -1 if s is no address, or -2 if the scope is not a
 * number and no interface of this name exists. */
int net_parse(const char *s, struct net_addr *a);

/* Formats "1.2.3.4:5678", "[::1]:5678" or "[fe80::1%2]:5678" into buf (NET_ADDRSTR bytes). */
#define NET_ADDRSTR 64
const char *net_addr_str(const struct net_addr *a, char *buf);

/* Opens the server's UDP socket bound to bind_addr (net_parse's form; NULL or "" = all
 * addresses, dual-stack when IPv6 is available; any other name an interface's:
 * all addresses on that interface alone, SO_BINDTODEVICE, which hears its
 * broadcasts too) and port; non-blocking, with IP_RECVERR/IPV6_RECVERR on.
 * Returns the fd, or -1 with a message in err. */
int net_server_socket(const char *bind_addr, unsigned port, char *err, size_t errlen);

/* Returns the family of the server socket: AF_INET6 (dual-stack or v6) or AF_INET. */
int net_socket_family(int fd);

/* Fills a sockaddr for sending to a on a socket of the given family.
 * Returns the length, or 0 if a cannot be reached on that family. */
socklen_t net_addr_to(const struct net_addr *a, int family, struct sockaddr_storage *ss);

/* Returns a UDP socket connected to the first of addrs[0..n) (n >= 1) that takes it
 * (each on its own family; resolv_lookup gives them, port set), or -1 with
 * "cannot reach HOST port P: reason" in err (host only names them there). */
int net_client_socket(const struct net_addr *addrs, int n, const char *host,
		      char *err, size_t errlen);

/* Returns a non-blocking Unix stream socket connected to path (a bridge's
 * udpchatd control socket: a full listen queue fails at once, to be tried
 * again later), or -1 with errno set (ENAMETOOLONG: path does not fit). */
int net_unix_connect(const char *path);

/* Milliseconds on CLOCK_MONOTONIC, the clock every timeout is measured on;
 * 64-bit: a 32-bit count would wrap after 24.8 days, a router's normal uptime. */
int64_t net_now_ms(void);

#endif
