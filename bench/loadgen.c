/* loadgen.c: load generator for udpchat relays: many members on 127.0.0.1 in
 * one process, bounded in message count and time.
 *
 *   loadgen -p PORT -m MEMBERS [-s SENDERS] [-z TEXT_BYTES] [-n MESSAGES]
 *           [-w WINDOW | -R MSGS_PER_S] [-T SECONDS] [-x CMD] [-X CMD] [-q]
 *
 * Every member is a UDP socket bound to 127.0.0.1:0 and connected to the
 * relay. All join ("/join NAME", padded as udpchat pads it) and confirm at the
 * welcome (an empty line), the join events are drained, then the first
 * SENDERS members send "/say TEXT" where TEXT carries the sender, a sequence
 * number and the send time (CLOCK_MONOTONIC), padded to TEXT_BYTES.
 * With -q (protocol v1.1, docs/PROTOCOL.md) every member confirms with
 * "/seq" instead of the empty line, so each event comes as "=SEQ TEXT" (or
 * "= TEXT" after the event before it in a datagram: the same to on_line), and
 * the senders send "/id ID TEXT" (ID: the message's number in hex), each
 * acknowledged with "+OK ack ID SEQ" (counted as an other line).
 * Every line of every datagram received counts as a delivery; a chat line is
 * expected by every member but its sender (MEMBERS - 1 deliveries).
 *
 * Loads: window (-w, default): at most WINDOW messages in flight over all
 * senders, a message leaving the window when all its deliveries arrived (or
 * after a stall of STALL_MS without any delivery: then it counts as lost);
 * fixed rate (-R): MSGS_PER_S messages per second, no window.
 *
 * Prints one line of key=value pairs on stdout (see report()). Exit 0 when the
 * run completed, 1 on set-up failure (a member could not join, ...). Only
 * 127.0.0.1 is ever sent to.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_MEMBERS   8192
#define MAX_SENDERS   64
#define RING          65536          /* per-sender in-flight slots (power of 2) */
#define RECV_BATCH    64
#define DGRAM_MAX     65536
#define HIST_NS       100            /* latency histogram bucket width */
#define HIST_N        (1 << 20)      /* 100 ns x 1M = 105 ms, then overflow */
#define STALL_MS      300
#define JOIN_CHUNK    64
/* A join is padded with empty lines to this many bytes, as udpchat pads
 * its own: until a member's second datagram confirms its address, the relay
 * sends it at most 3x the bytes it got (docs/PROTOCOL.md), and the welcome
 * and the other members' join notices must fit. */
#define JOIN_PAD      192
#define HDR_LEN       26             /* "SSSS QQQQQQQQ TTTTTTTTTTTT" */

struct member {
	int fd;
	int joined;
	uint32_t *next;                  /* per sender: next expected seq */
};

static struct member mem[MAX_MEMBERS];
static int nmem, nsend = 1, text_len = 32;
static long nmsgs = 10000, window = 128, rate;
static double tlimit = 10;
static unsigned port;
static const char *pre_cmd, *post_cmd;
static int v11;                      /* -q */

/* per sender */
static uint32_t sent_seq[MAX_SENDERS], done_seq[MAX_SENDERS];
static uint32_t *ring[MAX_SENDERS];

/* counters of the chat phase */
static uint64_t deliveries, other_lines, dgrams_in, ooo, lost_forced, join_lines, join_dgrams;
static uint64_t total_sent;
static uint32_t hist[HIST_N];
static uint64_t hist_over, lat_max, lat_n;
static uint64_t t_first_send, t_last_deliv, t_origin;
static double join_secs;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *msg)
{
	fprintf(stderr, "loadgen: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: loadgen -p PORT -m MEMBERS [-s SENDERS] [-z TEXT_BYTES] [-n MESSAGES]\n"
	                "               [-w WINDOW | -R MSGS_PER_S] [-T SECONDS] [-x CMD] [-X CMD] [-q]\n");
	exit(2);
}

static int hexval(const char *p, int n, uint64_t *out)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++) {
		char c = p[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static void hex(char *p, int n, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = digits[v & 15];
}

/* Records one line received by member r at time t (chat phase). */
static void on_line(int r, const char *p, size_t len, uint64_t t, int chat)
{
	const char *c = memchr(p, ':', len);
	uint64_t s, q, ts;
	if (!chat || !c || (size_t)(c - p) + 2 + HDR_LEN > len || c[1] != ' ') {
		if (chat)
			other_lines++;
		else
			join_lines++;
		return;
	}
	c += 2;
	if (hexval(c, 4, &s) || hexval(c + 5, 8, &q) || hexval(c + 14, 12, &ts) || s >= (uint64_t)nsend) {
		other_lines++;
		return;
	}
	deliveries++;
	t_last_deliv = t;
	uint64_t lat = t > ts ? t - ts : 0;
	if (lat / HIST_NS < HIST_N)
		hist[lat / HIST_NS]++;
	else
		hist_over++;
	if (lat > lat_max)
		lat_max = lat;
	lat_n++;
	/* per-member order */
	uint32_t *nx = &mem[r].next[s];
	if ((uint32_t)q < *nx)
		ooo++;
	else
		*nx = (uint32_t)q + 1;
	/* window accounting: only messages still in flight */
	if ((uint32_t)q >= done_seq[s] && (uint32_t)q < sent_seq[s])
		ring[s][q & (RING - 1)]++;
}

static void send_text(int fd, const char *buf, size_t len)
{
	if (send(fd, buf, len, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
		die("send");
}

/* Reads what is waiting on member r's socket. Returns datagrams read. */
static int drain_member(int r, int chat)
{
	static char bufs[RECV_BATCH][2048];
	static struct iovec iov[RECV_BATCH];
	static struct mmsghdr mm[RECV_BATCH];
	for (int i = 0; i < RECV_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		memset(&mm[i].msg_hdr, 0, sizeof mm[i].msg_hdr);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int n = recvmmsg(mem[r].fd, mm, RECV_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	uint64_t t = now_ns() - t_origin;
	if (chat)
		dgrams_in += (uint64_t)n;
	else
		join_dgrams += (uint64_t)n;
	for (int i = 0; i < n; i++) {
		const char *p = bufs[i], *end = p + mm[i].msg_len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (len > 0) {
				if (!chat && len > 11 && !memcmp(p, "+OK welcome", 11)) {
					mem[r].joined = 1;
					/* a second datagram confirms the address, as
					 * udpchat's empty line (v1) or /seq does */
					if (v11)
						send_text(mem[r].fd, "/seq\n", 5);
					else
						send_text(mem[r].fd, "\n", 1);
				}
				else if (!chat && len >= 24 && !memcmp(p, "-ERR already in the room", 24))
					mem[r].joined = 1;
				else if (!chat && len >= 16 && !memcmp(p, "-ERR send a line", 16))
					; /* notices came before our confirmation: fine */
				else if (!chat && len > 4 && !memcmp(p, "-ERR", 4)) {
					fprintf(stderr, "loadgen: member %d: %.*s\n", r, (int)len, p);
					exit(1);
				}
				on_line(r, p, len, t, chat);
			}
			p += len + 1;
		}
	}
	return n;
}

/* Waits up to ms for readable members and drains them; returns datagrams. */
static int poll_members(int ep, int ms, int chat, int tfd, uint64_t *ticks)
{
	static struct epoll_event ev[512];
	int n = epoll_wait(ep, ev, 512, ms), got = 0;
	for (int i = 0; i < n; i++) {
		int r = (int)ev[i].data.u32;
		if (r == MAX_MEMBERS) {
			uint64_t x;
			if (read(tfd, &x, sizeof x) == (ssize_t)sizeof x)
				*ticks += x;
			continue;
		}
		got += drain_member(r, chat);
	}
	return got;
}

static void join_all(int ep)
{
	char buf[JOIN_PAD];
	uint64_t t0 = now_ns();
	for (int base = 0; base < nmem; base += JOIN_CHUNK) {
		int end = base + JOIN_CHUNK < nmem ? base + JOIN_CHUNK : nmem;
		for (int tries = 0;; tries++) {
			int missing = 0;
			for (int i = base; i < end; i++) {
				if (mem[i].joined)
					continue;
				missing++;
				int l = snprintf(buf, sizeof buf, "/join m%d\n", i);
				memset(buf + l, '\n', sizeof buf - (size_t)l);
				send_text(mem[i].fd, buf, sizeof buf);
			}
			if (!missing)
				break;
			if (tries == 10) {
				fprintf(stderr, "loadgen: %d members could not join\n", missing);
				exit(1);
			}
			uint64_t until = now_ns() + 200000000u * (uint64_t)(tries + 1);
			for (;;) {
				int all = 1;
				for (int i = base; i < end; i++)
					all &= mem[i].joined;
				if (all || now_ns() > until)
					break;
				poll_members(ep, 10, 0, -1, NULL);
			}
		}
	}
	/* drain join events until quiet */
	uint64_t quiet = now_ns(), stop = now_ns() + 30000000000u;
	while (now_ns() - quiet < 150000000u && now_ns() < stop)
		if (poll_members(ep, 20, 0, -1, NULL) > 0)
			quiet = now_ns();
	join_secs = (double)(now_ns() - t0) / 1e9;
}

/* Sends the next message of sender s. */
static void send_msg(int s)
{
	static char buf[2048];
	uint32_t q = sent_seq[s];
	size_t head = 5;
	if (v11) {   /* "/id QQQQQQQQ " */
		memcpy(buf, "/id ", 4);
		hex(buf + 4, 8, q);
		buf[12] = ' ';
		head = 13;
	} else {
		memcpy(buf, "/say ", 5);
	}
	char *t = buf + head;
	hex(t, 4, (uint64_t)s);
	t[4] = ' ';
	hex(t + 5, 8, q);
	t[13] = ' ';
	uint64_t now = now_ns() - t_origin;
	hex(t + 14, 12, now);
	if (text_len > HDR_LEN) {
		t[HDR_LEN] = ' ';
		memset(t + HDR_LEN + 1, 'x', (size_t)(text_len - HDR_LEN - 1));
	}
	t[text_len] = '\n';
	ring[s][q & (RING - 1)] = 0;
	sent_seq[s] = q + 1;
	if (!t_first_send)
		t_first_send = now ? now : 1;
	total_sent++;
	send_text(mem[s].fd, buf, head + (size_t)text_len + 1);
}

/* Moves each sender's window past completed messages; returns in-flight count. */
static long advance(void)
{
	long inflight = 0;
	uint32_t want = (uint32_t)(nmem - 1);
	for (int s = 0; s < nsend; s++) {
		while (done_seq[s] < sent_seq[s] && ring[s][done_seq[s] & (RING - 1)] >= want)
			done_seq[s]++;
		inflight += sent_seq[s] - done_seq[s];
	}
	return inflight;
}

static void give_up_inflight(void)
{
	for (int s = 0; s < nsend; s++) {
		lost_forced += sent_seq[s] - done_seq[s];
		done_seq[s] = sent_seq[s];
	}
}

static uint64_t percentile(double p)
{
	uint64_t want = (uint64_t)(p * (double)lat_n), acc = 0;
	if (want >= lat_n)
		want = lat_n ? lat_n - 1 : 0;
	for (uint64_t i = 0; i < HIST_N; i++) {
		acc += hist[i];
		if (acc > want)
			return i * HIST_NS + HIST_NS / 2;
	}
	return lat_max;
}

static void chat(int ep)
{
	int tfd = -1;
	uint64_t ticks = 0;
	if (rate > 0) {
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
		if (tfd < 0)
			die("timerfd_create");
		struct itimerspec it = {0};
		long per = 1000000000L / rate;
		it.it_interval.tv_sec = per / 1000000000L;
		it.it_interval.tv_nsec = per % 1000000000L;
		it.it_value = it.it_interval;
		if (timerfd_settime(tfd, 0, &it, NULL) < 0)
			die("timerfd_settime");
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = MAX_MEMBERS};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e) < 0)
			die("epoll_ctl");
	}
	uint64_t start = now_ns(), deadline = start + (uint64_t)(tlimit * 1e9);
	uint64_t last_progress = start;
	int rr = 0;
	long wnd_s = window / nsend > 0 ? window / nsend : 1;
	if (rate <= 0)
		ticks = 0;
	for (;;) {
		long inflight = advance();
		uint64_t now = now_ns();
		if (now > deadline)
			break;
		if ((long)total_sent >= nmsgs && inflight == 0)
			break;
		if (rate > 0) {
			while (ticks > 0 && (long)total_sent < nmsgs) {
				if (inflight < RING / 2) {
					send_msg(rr);
					inflight++;
				}
				rr = (rr + 1) % nsend;
				ticks--;
			}
		} else {
			for (int s = 0; s < nsend && (long)total_sent < nmsgs; s++)
				while ((long)(sent_seq[s] - done_seq[s]) < wnd_s && (long)total_sent < nmsgs)
					send_msg(s);
		}
		int got = poll_members(ep, 5, 1, tfd, &ticks);
		now = now_ns();
		if (got > 0)
			last_progress = now;
		else if (inflight > 0 && now - last_progress > (uint64_t)STALL_MS * 1000000u) {
			give_up_inflight();
			last_progress = now;
		}
	}
	/* late stragglers, briefly */
	uint64_t quiet = now_ns();
	while (now_ns() - quiet < 50000000u)
		if (poll_members(ep, 10, 1, tfd, &ticks) > 0)
			quiet = now_ns();
	if (tfd >= 0)
		close(tfd);
}

static void report(void)
{
	uint64_t expected = total_sent * (uint64_t)(nmem - 1);
	uint64_t uniq = deliveries - ooo;
	int64_t lost = (int64_t)expected - (int64_t)uniq;
	double secs = t_last_deliv > t_first_send ? (double)(t_last_deliv - t_first_send) / 1e9 : 0;
	printf("members=%d senders=%d size=%d mode=%s sent=%llu expected=%llu delivered=%llu "
	       "lost=%lld ooo=%llu other=%llu dgrams=%llu lines_per_dgram=%.2f secs=%.3f dps=%.0f "
	       "p50_us=%.1f p99_us=%.1f max_us=%.1f stalls=%llu join_lines=%llu join_dgrams=%llu join_s=%.2f\n",
	       nmem, nsend, text_len, rate > 0 ? "rate" : "window",
	       (unsigned long long)total_sent, (unsigned long long)expected,
	       (unsigned long long)deliveries, (long long)lost, (unsigned long long)ooo,
	       (unsigned long long)other_lines, (unsigned long long)dgrams_in,
	       dgrams_in ? (double)(deliveries + other_lines) / (double)dgrams_in : 0.0, secs,
	       secs > 0 ? (double)deliveries / secs : 0.0, (double)percentile(0.50) / 1e3,
	       (double)percentile(0.99) / 1e3, (double)lat_max / 1e3,
	       (unsigned long long)lost_forced, (unsigned long long)join_lines,
	       (unsigned long long)join_dgrams, join_secs);
}

int main(int argc, char **argv)
{
	int o;
	while ((o = getopt(argc, argv, "p:m:s:z:n:w:R:T:x:X:q")) != -1) {
		switch (o) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'm': nmem = atoi(optarg); break;
		case 's': nsend = atoi(optarg); break;
		case 'z': text_len = atoi(optarg); break;
		case 'n': nmsgs = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		case 'R': rate = atol(optarg); break;
		case 'T': tlimit = atof(optarg); break;
		case 'x': pre_cmd = optarg; break;
		case 'X': post_cmd = optarg; break;
		case 'q': v11 = 1; break;
		default: usage();
		}
	}
	if (!port || port > 65535 || nmem < 2 || nmem > MAX_MEMBERS || nsend < 1 ||
	    nsend > MAX_SENDERS || nsend > nmem || text_len < HDR_LEN || text_len > 500 ||
	    nmsgs < 0 || window < 1 || tlimit <= 0 || tlimit > 600)
		usage();

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nmem + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	t_origin = now_ns() - 1000000000u;
	int ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	struct sockaddr_in srv = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	uint32_t *nexts = calloc((size_t)nmem * (size_t)nsend, sizeof *nexts);
	if (!nexts)
		die("calloc");
	for (int s = 0; s < nsend; s++)
		if (!(ring[s] = calloc(RING, sizeof *ring[s])))
			die("calloc");
	for (int i = 0; i < nmem; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket");
		int sz = 4 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		struct sockaddr_in me = {.sin_family = AF_INET};
		me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0)
			die("bind");
		if (connect(fd, (struct sockaddr *)&srv, sizeof srv) < 0)
			die("connect");
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0)
			die("epoll_ctl");
		mem[i].fd = fd;
		mem[i].next = nexts + (size_t)i * (size_t)nsend;
	}
	join_all(ep);
	if (pre_cmd && system(pre_cmd) != 0)
		fprintf(stderr, "loadgen: -x command failed: %s\n", pre_cmd);
	chat(ep);
	if (post_cmd && system(post_cmd) != 0)
		fprintf(stderr, "loadgen: -X command failed: %s\n", post_cmd);
	report();
	/* no /quit: the relay is stopped after the run, and leave events would
	 * only add load to a measurement that is over */
	return 0;
}
