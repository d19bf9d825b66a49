/* fanout.c: the relay's way out. A queued line names its recipients by
 * member (a broadcast names the one it skips). Flush walks each member's
 * lines in order (the broadcast chain merged with its own unicast chain) and
 * packs them into iovecs: no copy, no allocation, one sendmmsg for many
 * datagrams. Lines have a sequence number (by their place in the batch)
 * and members the one current when they joined, so a member gets no
 * broadcast queued before it came in; a leaver is served at once and then
 * forgotten. So joins and leaves need no
 * flush, and a burst of joins (every client after a server restart) is
 * coalesced like chat. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bridge.h"
#include "fanout.h"
#include "fmt.h"

struct fanout_item {
	uint32_t ev;              /* its room event (protocol v1.1), 0: none */
	uint16_t off, len;        /* line in the arena, "\n" included */
	int16_t next;             /* next item in the same chain, -1 = end */
	uint16_t skip;            /* broadcast: room_index of the member it skips */
};

_Static_assert(FANOUT_MAX_ITEMS <= INT16_MAX, "item indices are int16_t");
_Static_assert(FANOUT_ARENA_BYTES <= UINT16_MAX, "arena offsets are uint16_t");
#define FANOUT_NEXT_LEN (sizeof(REPLY_NEXT) - 1)

struct fanout_counters fanout_stats;

static int fanout_fd, fanout_family;
static char fanout_arena[FANOUT_ARENA_BYTES];
static size_t fanout_used;
static struct fanout_item fanout_items[FANOUT_MAX_ITEMS];
/* the room event of the next item (fanout_event). A v1.1 member gets an
 * event as "= line" (the event after the previous event line of the same
 * datagram) or as "=SEQ line". While the room has v1.1 members
 * (fanout_nv11), every line is queued FANOUT_NEXT_LEN bytes after the one
 * before it and the gap holds "= ": a run of events is one iovec of
 * "= line"s for a v1.1 member, from the one copy of the lines a v1 member
 * gets (a v1 member, an iovec a line then). The full form is "=SEQ" (by
 * item in fanout_pfx, formatted when first needed: pev) in an iovec of its
 * own, then " line" from the gap's space on. No copy of a line: the peak
 * RSS with every member in v1.1. */
static uint32_t fanout_next_ev;
/* v1.1 members in the room (fanout_seq_on, fanout_leave). One that
 * leaves otherwise (room_rename's out of memory) is still counted: the
 * gaps stay, which costs v1 members their runs, never a wrong byte. */
static unsigned fanout_nv11;
static size_t fanout_gap; /* FANOUT_NEXT_LEN while fanout_nv11, else 0 */
static struct {
	uint32_t pev;             /* the event pfx was formatted for */
	uint8_t plen;
	char pfx[FANOUT_PFX_MAX]; /* "=SEQ" (no space: the line's gap has it) */
} fanout_pfx[FANOUT_MAX_ITEMS];
/* Replies (fanout_reply) lie at the arena's top, growing down, out of the
 * way of the broadcasts' runs (a reply between two broadcasts parted every
 * other member's run there). A line may start at fanout_used (its gap
 * before it) while fanout_used <= fanout_end: OUT_LINE_MAX + 1 bytes below
 * the replies. */
static long fanout_end;
#define FANOUT_END0 ((long)(FANOUT_ARENA_BYTES - OUT_LINE_MAX - 1))
/* the sequence number of every line queued, counted from 1: item i of the
 * batch is line fanout_seq0 + i (not stored: items are made in order and
 * all go at each flush) */
static uint64_t fanout_seq0 = 1;
static int32_t fanout_nitems, fanout_bcast_head = -1, fanout_bcast_tail = -1;
static struct room_member *fanout_touched[FANOUT_MAX_ITEMS]; /* with unicasts */
static unsigned fanout_ntouched;

static struct mmsghdr fanout_msgs[FANOUT_SEND_BATCH];
/* destinations for an IPv4-only socket; an IPv6 one sends to m->addr itself */
static struct sockaddr_in fanout_names[FANOUT_SEND_BATCH];
static struct iovec fanout_iov[FANOUT_MAX_IOV];
static unsigned fanout_nmsgs, fanout_niov;
static uint32_t fanout_ndgrams; /* datagrams started (fanout_dgram), ever */

void fanout_init(int fd, int family)
{
	fanout_fd = fd;
	fanout_family = family;
	fanout_end = FANOUT_END0;
}

char *fanout_begin(void)
{
	if ((long)fanout_used > fanout_end ||
	    fanout_nitems == FANOUT_MAX_ITEMS)
		fanout_flush();
	return fanout_arena + fanout_used;
}

/* Terminates the line at fanout_begin() and makes it an item. */
static int16_t fanout_commit(size_t len, const struct room_member *skip)
{
	struct fanout_item *it = &fanout_items[fanout_nitems];
	size_t off = fanout_used;

	if (len > OUT_LINE_MAX)
		len = OUT_LINE_MAX; /* callers format within bounds; never overrun */
	fanout_arena[off + len] = '\n';
	it->off = (uint16_t)off;
	it->len = (uint16_t)(len + 1);
	it->next = -1;
	it->skip = skip ? (uint16_t)room_index(skip) : ROOM_NONE;
	it->ev = fanout_next_ev;
	fanout_next_ev = 0;
	fanout_used = off + len + 1 + fanout_gap;
	return fanout_nitems++;
}

void fanout_event(uint32_t seq)
{
	fanout_next_ev = seq;
}

void fanout_to_all(size_t len, const struct room_member *except)
{
	int16_t i = fanout_commit(len, except);

	if (fanout_bcast_tail >= 0)
		fanout_items[fanout_bcast_tail].next = i;
	else
		fanout_bcast_head = i;
	fanout_bcast_tail = i;
}

void fanout_to_one(size_t len, const struct room_member *to)
{
	struct room_member *m = (struct room_member *)to;
	int16_t i;

	if (bridge_to(&m->addr, fanout_next_ev, fanout_arena + fanout_used, len) == 0) {
		fanout_next_ev = 0; /* a bridge's member: written to the bridge now */
		return;
	}
	i = fanout_commit(len, NULL);
	if (m->q_tail >= 0) {
		fanout_items[m->q_tail].next = i;
	} else {
		m->q_head = i;
		fanout_touched[fanout_ntouched++] = m;
	}
	m->q_tail = i;
}

void fanout_reply(const struct room_member *to, const char *line, size_t len)
{
	size_t used;

	fanout_begin(); /* room for a line below the top */
	if (len > OUT_LINE_MAX)
		len = OUT_LINE_MAX;
	used = fanout_used;
	fanout_end -= (long)len + 1;
	fanout_used = (size_t)(fanout_end + OUT_LINE_MAX + 1); /* for fanout_commit */
	memcpy(fanout_arena + fanout_used, line, len);
	fanout_to_one(len, to);
	fanout_used = used;
}

void fanout_seq_on(struct room_member *m)
{
	if (m->v11)
		return;
	if (!fanout_nv11++) {
		fanout_flush(); /* what is queued has no gaps */
		fanout_used = fanout_gap = FANOUT_NEXT_LEN;
	}
	m->v11 = 1;
}

/* Retries a send the kernel refused for a passing reason. An ICMP error
 * pending on the socket (IP_RECVERR) is reported once by the next send,
 * though it belongs to another peer: that send must be retried. */
static int fanout_retryable(int err, int *tries)
{
	struct pollfd pfd = { .fd = fanout_fd, .events = POLLOUT };

	if (++*tries > 3)
		return 0;
	switch (err) {
	case EINTR:
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
		return 1;
	case EAGAIN:
	case ENOBUFS:
		poll(&pfd, 1, 20);
		return 1;
	default:
		return 0;
	}
}

static void fanout_send_batch(void)
{
	unsigned i = 0;
	int tries = 0, r;

	while (i < fanout_nmsgs) {
		/* The system call itself: musl's 64-bit sendmmsg() is a loop of
		 * sendmsg() (to fix msghdr padding, which fanout_dgram zeroes), and
		 * each return to user space lets the woken receiver preempt us. */
		r = (int)syscall(SYS_sendmmsg, fanout_fd, fanout_msgs + i, fanout_nmsgs - i, 0);
		if (r > 0) {
			fanout_stats.datagrams += (unsigned)r;
			i += (unsigned)r;
			tries = 0;
		} else if (!fanout_retryable(errno, &tries)) {
			fanout_stats.errors++;
			i++;
			tries = 0;
		}
	}
	fanout_nmsgs = fanout_niov = 0;
}

/* Starts a datagram to a; sends the batch first if it is full. a is not
 * const: the datagram's msg_name points at it. */
static struct msghdr *fanout_dgram(struct net_addr *a)
{
	struct msghdr *h;

	if (fanout_nmsgs == FANOUT_SEND_BATCH || fanout_niov >= FANOUT_MAX_IOV - 1)
		fanout_send_batch();
	h = &fanout_msgs[fanout_nmsgs].msg_hdr;
	memset(h, 0, sizeof(*h));
	if (fanout_family == AF_INET6) {
		h->msg_name = &a->sin6;
		h->msg_namelen = sizeof(a->sin6);
	} else {
		struct sockaddr_storage ss;

		h->msg_name = &fanout_names[fanout_nmsgs];
		h->msg_namelen = net_addr_to(a, AF_INET, &ss);
		if (h->msg_namelen == sizeof(fanout_names[0]))
			memcpy(&fanout_names[fanout_nmsgs], &ss, sizeof(fanout_names[0]));
	}
	fanout_nmsgs++;
	fanout_ndgrams++;
	h->msg_iov = &fanout_iov[fanout_niov];
	return h;
}

/* The line an unconfirmed member gets in place of the first that no longer
 * fits its credit (not const: an iovec points at it). */
static char fanout_held[] = FANOUT_HELD;

/* Packs every line waiting for m into datagrams. Lines next to each other
 * in the arena (a run of broadcasts) share one iovec. An unconfirmed m gets
 * lines while its credit lasts: room lines only while FANOUT_HELD_LEN bytes
 * stay, its own replies to the last byte; the first that does not fit is
 * replaced by fanout_held, once, if it still fits, and ends it. */
static void fanout_member(struct room_member *m)
{
	int32_t b = fanout_bcast_head, u = m->q_head, i;
	uint16_t self = (uint16_t)room_index(m);
	struct msghdr *h = NULL;
	struct iovec *last;
	size_t size = 0, len;
	char *line;
	/* v1.1: the last event line put, and the datagram it went in (its
	 * number: fanout_ndgrams) */
	uint32_t ev, dev = 0, ddg = 0;
	/* slow: a credit to count, or v1.1 prefixes (a confirmed member's):
	 * one test of a register per line on a v1 member's path */
	int own, slow = m->credit != ROOM_CONFIRMED || m->v11;

	if (m->addr.sin6.sin6_family == AF_UNIX)
		return; /* a bridge's member: its bridge carries the room's events */
	while (b >= 0 || u >= 0) {
		if (u < 0 || (b >= 0 && b < u)) {
			i = b;
			b = fanout_items[b].next;
			own = 0;
			if (fanout_items[i].skip == self || fanout_seq0 + (uint32_t)i < m->join_seq)
				continue; /* its own broadcast, or one from before it came */
		} else {
			i = u;
			u = fanout_items[u].next;
			own = 1;
		}
		line = fanout_arena + fanout_items[i].off;
		len = fanout_items[i].len;
		if (!slow) {
			/* a confirmed v1 member: the line as it is */
		} else if (m->credit != ROOM_CONFIRMED) {
			if (len + FANOUT_HELD_LEN > m->credit && !(own && len <= m->credit)) {
				if (m->credit < FANOUT_HELD_LEN)
					continue;        /* told already, or no room left */
				line = fanout_held;
				len = FANOUT_HELD_LEN;
				b = u = -1;              /* nothing after it */
			}
			m->credit = (uint16_t)(line == fanout_held ? 0 : m->credit - len);
		} else if ((ev = fanout_items[i].ev) != 0) {
			line -= FANOUT_NEXT_LEN; /* "= line", "= " in its gap */
			memcpy(line, REPLY_NEXT, FANOUT_NEXT_LEN);
			len += FANOUT_NEXT_LEN;
			if (!h || ev != dev + 1 || ddg != fanout_ndgrams || size + len > FANOUT_DGRAM_MAX ||
			    fanout_niov == FANOUT_MAX_IOV) {
				/* the full form: "=SEQ", then " line" from the gap on */
				if (fanout_pfx[i].pev != ev) {
					fanout_pfx[i].plen = (uint8_t)fmt_snprintf(fanout_pfx[i].pfx, FANOUT_PFX_MAX,
										   "=%u", (unsigned)ev);
					fanout_pfx[i].pev = ev;
				}
				if (!h || size + fanout_pfx[i].plen + len - 1 > FANOUT_DGRAM_MAX ||
				    fanout_niov >= FANOUT_MAX_IOV - 1) {
					h = fanout_dgram(&m->addr);
					size = 0;
				}
				/* never merged with the line below: pfx is not
				 * in the arena */
				fanout_iov[fanout_niov].iov_base = fanout_pfx[i].pfx;
				fanout_iov[fanout_niov++].iov_len = fanout_pfx[i].plen;
				h->msg_iovlen++;
				size += fanout_pfx[i].plen;
				line++;
				len--;
			}
			dev = ev;
			ddg = fanout_ndgrams;
		}
		/* an event line always fits here (above) */
		if (!h || size + len > FANOUT_DGRAM_MAX) {
			h = fanout_dgram(&m->addr);
			size = 0;
		}
		last = h->msg_iovlen ? &fanout_iov[fanout_niov - 1] : NULL;
		if (last && (char *)last->iov_base + last->iov_len == line) {
			last->iov_len += len;
		} else {
			if (fanout_niov == FANOUT_MAX_IOV) {
				h = fanout_dgram(&m->addr);
				size = 0;
			}
			fanout_iov[fanout_niov].iov_base = line;
			fanout_iov[fanout_niov].iov_len = len;
			fanout_niov++;
			h->msg_iovlen++;
		}
		size += len;
		fanout_stats.deliveries++;
	}
}

void fanout_joined(struct room_member *m)
{
	m->join_seq = fanout_seq0 + (uint32_t)fanout_nitems;
	m->q_head = m->q_tail = -1;
}

void fanout_leave(struct room_member *m, int deliver)
{
	if (deliver && (fanout_bcast_head >= 0 || m->q_head >= 0)) {
		fanout_member(m);
		fanout_send_batch();
	}
	/* it may still be on fanout_touched: an empty chain makes that a no-op */
	m->q_head = m->q_tail = -1;
	m->join_seq = UINT64_MAX; /* no broadcast is for it any more */
	if (m->v11 && !--fanout_nv11)
		fanout_gap = 0; /* the last v1.1 member: no gaps from now on */
	m->v11 = 0;
}

void fanout_flush(void)
{
	struct room_member *m;
	unsigned k;

	if (fanout_nitems == 0)
		return;
	if (fanout_bcast_head >= 0) {
		for (m = room_first(); m; m = room_next(m))
			fanout_member(m);
	} else {
		for (k = 0; k < fanout_ntouched; k++) {
			fanout_member(fanout_touched[k]);
			/* a slot reused within the batch may be listed twice */
			fanout_touched[k]->q_head = -1;
		}
	}
	if (fanout_nmsgs)
		fanout_send_batch();
	for (k = 0; k < fanout_ntouched; k++)
		fanout_touched[k]->q_head = fanout_touched[k]->q_tail = -1;
	fanout_ntouched = 0;
	fanout_seq0 += (uint32_t)fanout_nitems;
	fanout_nitems = 0;
	fanout_used = fanout_gap;
	fanout_end = FANOUT_END0;
	fanout_bcast_head = fanout_bcast_tail = -1;
}

void fanout_send_now(const struct net_addr *to, char *line, size_t len)
{
	struct msghdr *h;

	if (bridge_to(to, 0, line, len) == 0)
		return;
	h = fanout_dgram((struct net_addr *)to);
	line[len] = '\n';
	fanout_iov[fanout_niov].iov_base = line;
	fanout_iov[fanout_niov++].iov_len = len + 1;
	h->msg_iovlen = 1;
	fanout_send_batch();
}
