/* net.c: UDP sockets and peer addresses (IPv4 kept as v4-mapped IPv6). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "fmt.h"
#include "net.h"

void net_addr_v4mapped(struct net_addr *a, const void *v4)
{
	memset(a, 0, sizeof(*a));
	a->sin6.sin6_family = AF_INET6;
	a->sin6.sin6_addr.s6_addr[10] = 0xff;
	a->sin6.sin6_addr.s6_addr[11] = 0xff;
	memcpy(&a->sin6.sin6_addr.s6_addr[12], v4, 4);
}

int net_addr_from(const struct sockaddr *sa, socklen_t len, struct net_addr *out)
{
	sa_family_t family;

	/* The family is copied as bytes: sa points to a sockaddr_in, _in6 or
	 * _storage, and a read through struct sockaddr breaks the aliasing rules
	 * (with link-time optimisation gcc inlines this into a caller that filled
	 * a sockaddr_in and drops the caller's stores). */
	memcpy(&family, &sa->sa_family, sizeof(family));
	memset(out, 0, sizeof(*out));
	out->sin6.sin6_family = AF_INET6;
	if (family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		out->sin6.sin6_port = s6->sin6_port;
		out->sin6.sin6_addr = s6->sin6_addr;
		out->sin6.sin6_scope_id = s6->sin6_scope_id;
		return 0;
	}
	if (family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		net_addr_v4mapped(out, &s4->sin_addr);
		out->sin6.sin6_port = s4->sin_port;
		return 0;
	}
	return -1;
}

/* The dotted quad: four decimal numbers 0-255, no leading zeros. */
static int net_pton4(const char *s, unsigned char *out)
{
	unsigned v;
	int i, k;

	for (i = 0; i < 4; i++) {
		for (v = 0, k = 0; k < 3 && s[k] >= '0' && s[k] <= '9'; k++)
			v = v * 10 + (unsigned)(s[k] - '0');
		if (k == 0 || (k > 1 && s[0] == '0') || v > 255)
			return 0;
		out[i] = (unsigned char)v;
		s += k;
		if (*s++ != (i == 3 ? '\0' : '.'))
			return 0;
	}
	return 1;
}

static int net_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Groups of 1-4 hex digits split by ':', at most one "::" standing for
 * one or more zero groups, and a dotted quad in place of the last two;
 * ended by '\0' or by the '%' of a scope. Returns where it ended (at the
 * '\0' or the '%'), or NULL when s is no such address. */
static const char *net_pton6(const char *s, unsigned char *out)
{
	unsigned char b[16];
	unsigned v;
	int n = 0, gap = -1, k, d;

	if (*s == ':' && *++s != ':')
		return NULL;   /* a leading ':' only as part of "::" */
	for (;;) {
		if (*s == ':') {
			if (gap >= 0)
				return NULL;
			gap = n;
			if (!*++s || *s == '%')
				break;
		}
		if (n <= 12 && net_pton4(s, b + n)) {
			n += 4;
			s = "";    /* it ended at the '\0' */
			break;
		}
		for (v = 0, k = 0; k < 4 && (d = net_hexval(s[k])) >= 0; k++)
			v = v * 16 + (unsigned)d;
		if (k == 0 || n == 16)
			return NULL;
		b[n++] = (unsigned char)(v >> 8);
		b[n++] = (unsigned char)v;
		s += k;
		if (!*s || *s == '%')
			break;
		if (*s++ != ':')
			return NULL;
	}
	if (gap < 0 ? n != 16 : n > 14)
		return NULL;
	memset(out, 0, 16);
	if (gap < 0)
		gap = n;
	memcpy(out, b, (size_t)gap);
	memcpy(out + 16 - (n - gap), b + gap, (size_t)(n - gap));
	return s;
}

int net_pton(int family, const char *s, void *out)
{
	const char *end;

	if (family == AF_INET)
		return net_pton4(s, out);
	end = net_pton6(s, out);
	return end && !*end;
}

/* The index of the interface called name (SIOCGIFINDEX, as the system call:
 * libc's if_nametoindex is the same call), or 0 if there is none. */
static unsigned net_ifindex(const char *name)
{
	struct ifreq ifr;
	size_t n = strlen(name);
	int fd;
	long r;

	if (n >= sizeof(ifr.ifr_name))
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, n);   /* "": no interface has that name */
	fd = (int)syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r = syscall(SYS_ioctl, fd, SIOCGIFINDEX, &ifr);   /* fd -1: EBADF */
	close(fd);
	return r < 0 ? 0 : (unsigned)ifr.ifr_ifindex;
}

int net_parse(const char *s, struct net_addr *a)
{
	const char *pct;
	unsigned char v4[4];
	unsigned long scope = 0;

	if (net_pton4(s, v4)) {
		net_addr_v4mapped(a, v4);
		return 0;
	}
	memset(a, 0, sizeof(*a));
	a->sin6.sin6_family = AF_INET6;
	pct = net_pton6(s, a->sin6.sin6_addr.s6_addr);
	if (!pct)
		return -1;
	if (*pct && fmt_parse_uint(pct + 1, 0, 0xffffffffUL, &scope) < 0 && !(scope = net_ifindex(pct + 1)))
		return -2;
	a->sin6.sin6_scope_id = (uint32_t)scope;
	return 0;
}

/* Writes an IPv6 address the RFC 5952 way: lower-case hex, no leading
 * zeros, the longest run of two or more zero groups as "::". Our own, as
 * libc's inet_ntop brings in its whole printf. */
static size_t net_ip6_str(const unsigned char *a, char *out, size_t size)
{
	unsigned g[8];
	int i, best = -1, bestlen = 1, run;
	size_t n = 0;

	for (i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (i = 0; i < 8; i += run ? run : 1) {
		for (run = 0; i + run < 8 && g[i + run] == 0; run++)
			;
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n += (size_t)fmt_snprintf(out + n, size - n, "::");
			i += bestlen - 1;
			continue;
		}
		n += (size_t)fmt_snprintf(out + n, size - n, "%s%x",
					  i && i != best + bestlen ? ":" : "", g[i]);
	}
	return n;
}

const char *net_addr_str(const struct net_addr *a, char *buf)
{
	const unsigned char *b = a->sin6.sin6_addr.s6_addr;
	unsigned port = net_port_host(a->sin6.sin6_port);
	char ip[56];
	size_t n;

	if (IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr)) {
		fmt_snprintf(buf, NET_ADDRSTR, "%u.%u.%u.%u:%u", b[12], b[13], b[14], b[15], port);
	} else {
		n = net_ip6_str(b, ip, sizeof(ip));
		if (a->sin6.sin6_scope_id)
			fmt_snprintf(ip + n, sizeof(ip) - n, "%%%u", (unsigned)a->sin6.sin6_scope_id);
		fmt_snprintf(buf, NET_ADDRSTR, "[%s]:%u", ip, port);
	}
	return buf;
}

socklen_t net_addr_to(const struct net_addr *a, int family, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		memcpy(ss, &a->sin6, sizeof(a->sin6));
		return sizeof(a->sin6);
	}
	if (!IN6_IS_ADDR_V4MAPPED(&a->sin6.sin6_addr))
		return 0;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = a->sin6.sin6_port;
	memcpy(&s4->sin_addr, &a->sin6.sin6_addr.s6_addr[12], 4);
	return sizeof(*s4);
}

int net_socket_family(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return AF_INET6;
	return ss.ss_family;
}

int net_unix_connect(const char *path)
{
	struct sockaddr_un sun;
	size_t len = strlen(path);
	int fd, e;

	if (len >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len); /* the NUL: memset */
	fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Turns on ICMP error reporting for both families the socket may carry. */
static void net_recverr(int fd, int family)
{
	int on = 1;

	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
}

int net_server_socket(const char *bind_addr, unsigned port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct net_addr a;
	socklen_t len;
	int fd, family = AF_INET6, off = 0, any = !bind_addr || !*bind_addr, dev = 0;

	memset(&a, 0, sizeof(a));
	a.sin6.sin6_family = AF_INET6;
	/* dev: 0 an address; -1 none, an interface's name (its every
	 * address: a is ::); -2 an address whose scope names no interface */
	if (!any)
		dev = net_parse(bind_addr, &a);
	if (IN6_IS_ADDR_V4MAPPED(&a.sin6.sin6_addr))
		family = AF_INET;
	fd = (int)syscall(SYS_socket, family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 && (any || dev) && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)) {
		family = AF_INET; /* a kernel without IPv6: IPv4 only */
		net_addr_v4mapped(&a, (const unsigned char[4]){ 0, 0, 0, 0 });
		fd = (int)syscall(SYS_socket, family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		fmt_snprintf(err, errlen, "socket: %s", fmt_strerror(errno));
		return -1;
	}
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	a.sin6.sin6_port = net_port_wire(port);
	len = net_addr_to(&a, family, &ss);
	net_recverr(fd, family);
	if ((dev < -1 && (errno = ENODEV)) ||
	    (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_addr,
			       (socklen_t)strlen(bind_addr) + 1) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0) {
		fmt_snprintf(err, errlen, "cannot bind %s port %u: %s", any ? "all addresses" : bind_addr,
			     port, errno == ENODEV ? "no such address or interface" : fmt_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int64_t net_now_ms(void)
{
#ifdef SYS_clock_gettime64
	/* a 32-bit board: the 64-bit time call (Linux 5.1), else the old one */
	long long t64[2];
	long t32[2];

	if (syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, t64) == 0)
		return (int64_t)t64[0] * 1000 + t64[1] / 1000000;
	syscall(SYS_clock_gettime32, CLOCK_MONOTONIC, t32);
	return (int64_t)t32[0] * 1000 + t32[1] / 1000000;
#else
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
#endif
}

int net_client_socket(const struct net_addr *addrs, int n, const char *host,
		      char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int fd = -1, i, family, saved = 0;
	socklen_t len;

	for (i = 0; i < n; i++) {
		family = IN6_IS_ADDR_V4MAPPED(&addrs[i].sin6.sin6_addr) ? AF_INET : AF_INET6;
		len = net_addr_to(&addrs[i], family, &ss);
		fd = (int)syscall(SYS_socket, family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&ss, len) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fmt_snprintf(err, errlen, "cannot reach %s port %u: %s", host,
			     net_port_host(addrs[0].sin6.sin6_port), fmt_strerror(saved));
	return fd;
}
