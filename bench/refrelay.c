/* refrelay.c: the reference relay of `make bench`: the least a UDP chat relay
 * must do for the load generator, done the cheapest way this machine allows,
 * so that udpchatd's figures are ratios to it measured side by side.
 *
 *   refrelay -p PORT [-b IPV4ADDR] [-m MAX_MEMBERS]
 *
 * Speaks two lines of protocol v1: "/join NAME" (reply "+OK welcome NAME")
 * and "/say TEXT" (everyone else gets "NAME: TEXT"). No checks, no names
 * table, no rate limit, no timeouts. Receives with recvmmsg (up to 32
 * datagrams: udpchatd flushes every NET_RECV_COALESCE datagrams read),
 * formats each line once, and after each batch fans out with sendmmsg,
 * coalescing the lines waiting for each member into datagrams of at most
 * 1400 bytes (as FANOUT_DGRAM_MAX), never splitting one.
 * Runs until killed. IPv4 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define RECV_BATCH   32
#define DGRAM_MAX    1400
#define IN_MAX       2048
#define MAX_MEMBERS  8192
#define HASH_SLOTS   16384              /* power of 2, > 2 x MAX_MEMBERS */
#define NAME_MAX_B   48
#define ARENA_BYTES  65536
#define MAX_ITEMS    1024
#define SEND_BATCH   64
#define MAX_IOV      1024

struct member {
	struct sockaddr_in sa;
	char name[NAME_MAX_B];
	size_t name_len;
};

struct item {
	int from;   /* broadcast: every member but this one */
	int to;     /* unicast: only this member (from = -1) */
	uint32_t off, len;
};

static struct member mem[MAX_MEMBERS];
static int nmem, max_mem = MAX_MEMBERS;
static int32_t slot[HASH_SLOTS];          /* member index + 1, 0 = empty */

static char arena[ARENA_BYTES];
static uint32_t arena_used;
static struct item items[MAX_ITEMS];
static int nitems;

static struct mmsghdr out[SEND_BATCH];
static struct iovec iov[MAX_IOV];
static int nout, niov;
static int sock;

static uint32_t addr_hash(const struct sockaddr_in *sa)
{
	uint64_t k = (uint64_t)sa->sin_addr.s_addr << 16 | sa->sin_port;
	k *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 40) & (HASH_SLOTS - 1);
}

static int member_find(const struct sockaddr_in *sa)
{
	for (uint32_t h = addr_hash(sa);; h = (h + 1) & (HASH_SLOTS - 1)) {
		int32_t v = slot[h];
		if (!v)
			return -1;
		const struct member *m = &mem[v - 1];
		if (m->sa.sin_addr.s_addr == sa->sin_addr.s_addr && m->sa.sin_port == sa->sin_port)
			return v - 1;
	}
}

static int member_add(const struct sockaddr_in *sa, const char *name, size_t len)
{
	if (nmem == max_mem)
		return -1;
	uint32_t h = addr_hash(sa);
	while (slot[h])
		h = (h + 1) & (HASH_SLOTS - 1);
	struct member *m = &mem[nmem];
	memset(&m->sa, 0, sizeof m->sa);
	m->sa.sin_family = AF_INET;
	m->sa.sin_addr = sa->sin_addr;
	m->sa.sin_port = sa->sin_port;
	if (len > NAME_MAX_B)
		len = NAME_MAX_B;
	memcpy(m->name, name, len);
	m->name_len = len;
	slot[h] = ++nmem;
	return nmem - 1;
}

static void flush(void)
{
	int done = 0;
	while (done < nout) {
		int r = sendmmsg(sock, out + done, (unsigned)(nout - done), 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			done++;     /* skip the one that failed */
			continue;
		}
		done += r;
	}
	nout = 0;
	niov = 0;
}

/* Queues one line: pieces a (and b) plus "\n". */
static void queue(int from, int to, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t len = alen + blen + 1;
	if (nitems == MAX_ITEMS || arena_used + len > ARENA_BYTES || len > DGRAM_MAX)
		return;
	char *p = arena + arena_used;
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	p[alen + blen] = '\n';
	items[nitems++] = (struct item){from, to, arena_used, (uint32_t)len};
	arena_used += (uint32_t)len;
}

/* Sends every queued line to whoever gets it, coalesced per member. */
static void fanout(void)
{
	for (int m = 0; m < nmem; m++) {
		struct msghdr *h = NULL;
		size_t dlen = 0;
		for (int i = 0; i < nitems; i++) {
			const struct item *it = &items[i];
			if (it->from < 0 ? it->to != m : it->from == m)
				continue;
			if (!h || dlen + it->len > DGRAM_MAX || niov == MAX_IOV) {
				if (nout == SEND_BATCH || niov == MAX_IOV)
					flush();
				h = &out[nout++].msg_hdr;
				h->msg_name = &mem[m].sa;
				h->msg_namelen = sizeof mem[m].sa;
				h->msg_iov = &iov[niov];
				h->msg_iovlen = 0;
				h->msg_control = NULL;
				h->msg_controllen = 0;
				h->msg_flags = 0;
				dlen = 0;
			}
			iov[niov].iov_base = arena + it->off;
			iov[niov].iov_len = it->len;
			niov++;
			h->msg_iovlen++;
			dlen += it->len;
		}
	}
	flush();
	nitems = 0;
	arena_used = 0;
}

static void handle_line(const struct sockaddr_in *sa, int *who, const char *p, size_t len)
{
	if (*who == -2)
		*who = member_find(sa);
	if (len > 6 && !memcmp(p, "/join ", 6)) {
		if (*who >= 0) {
			queue(-1, *who, "-ERR already in the room", 24, "", 0);
			return;
		}
		*who = member_add(sa, p + 6, len - 6);
		if (*who >= 0) {
			queue(-1, *who, "+OK welcome ", 12, p + 6, len - 6);
		}
		return;
	}
	if (len > 5 && !memcmp(p, "/say ", 5) && *who >= 0) {
		const struct member *m = &mem[*who];
		char pre[NAME_MAX_B + 2];
		memcpy(pre, m->name, m->name_len);
		pre[m->name_len] = ':';
		pre[m->name_len + 1] = ' ';
		queue(*who, -1, pre, m->name_len + 2, p + 5, len - 5);
	}
}

int main(int argc, char **argv)
{
	unsigned port = 0;
	const char *bind_addr = "127.0.0.1";
	int o;
	while ((o = getopt(argc, argv, "p:b:m:")) != -1) {
		switch (o) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'b': bind_addr = optarg; break;
		case 'm': max_mem = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: refrelay -p PORT [-b IPV4ADDR] [-m MAX_MEMBERS]\n");
			return 2;
		}
	}
	if (!port || port > 65535 || max_mem < 1 || max_mem > MAX_MEMBERS) {
		fprintf(stderr, "refrelay: bad -p or -m\n");
		return 2;
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (sock < 0 || inet_pton(AF_INET, bind_addr, &me.sin_addr) != 1 ||
	    bind(sock, (struct sockaddr *)&me, sizeof me) < 0) {
		perror("refrelay: socket");
		return 1;
	}

	static char bufs[RECV_BATCH][IN_MAX];
	static struct iovec riov[RECV_BATCH];
	static struct sockaddr_in from[RECV_BATCH];
	static struct mmsghdr in[RECV_BATCH];
	for (;;) {
		for (int i = 0; i < RECV_BATCH; i++) {
			riov[i].iov_base = bufs[i];
			riov[i].iov_len = IN_MAX;
			in[i].msg_hdr.msg_name = &from[i];
			in[i].msg_hdr.msg_namelen = sizeof from[i];
			in[i].msg_hdr.msg_iov = &riov[i];
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_control = NULL;
			in[i].msg_hdr.msg_controllen = 0;
		}
		int n = recvmmsg(sock, in, RECV_BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			perror("refrelay: recvmmsg");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			const char *p = bufs[i], *end = p + in[i].msg_len;
			int who = -2;
			if (from[i].sin_family != AF_INET)
				continue;
			while (p < end) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
				if (len && p[len - 1] == '\r')
					len--;
				if (len)
					handle_line(&from[i], &who, p, len);
				p = nl ? nl + 1 : end;
			}
		}
		fanout();
	}
}
