/* resolv.h: host names to addresses without libc's resolver (a quarter of
 * the static binary): /etc/hosts first, then DNS over UDP to the nameservers
 * of /etc/resolv.conf. No stdio, no malloc: fixed buffers sized below.
 *
 * What it does, and where it differs from musl:
 * - /etc/hosts: one line at a time through a fixed buffer; '#' starts a
 *   comment; fields split on blanks; the first is an IPv4 or IPv6 address
 *   (a scope as "%N" or "%IFNAME"), the rest are names and aliases, matched
 *   ignoring case (a final '.' of the asked name is ignored). Every matching
 *   line counts. Lines longer than RESOLV_LINE_MAX - 1 bytes are skipped.
 * - "localhost" and names under it, when /etc/hosts does not name them:
 *   127.0.0.1 and ::1, without asking DNS (RFC 6761; resolv_localhost).
 * - /etc/resolv.conf (missing = defaults): "nameserver ADDR" (IPv4 or IPv6,
 *   the first RESOLV_MAX_NS; none -> 127.0.0.1, as musl), "search D..." or
 *   "domain D" (the last such line wins; the first RESOLV_MAX_SEARCH valid
 *   domains), "options ndots:N timeout:N attempts:N" (default 1, 5, 2;
 *   capped at 15, 30, 5; other options ignored). Lines starting with ';' or
 *   '#' and unknown keywords are ignored.
 * - Candidates: a name ending in '.' is tried alone. A name with at least
 *   ndots dots is tried as it is, then with each search domain; one with
 *   fewer is tried with each search domain, then as it is. (musl never
 *   searches a dotted name; glibc does, and so do we.)
 * - Each candidate: an A and an AAAA query (RD set, random IDs from
 *   getrandom(2) or /dev/urandom) go to every nameserver at once from one
 *   socket on an ephemeral port, and again every timeout/attempts seconds
 *   (2.5 s by default) until timeout seconds have passed. A reply counts only
 *   if it comes from a nameserver's address and port 53, with the query's ID
 *   and question. NXDOMAIN or no address (NODATA) moves to the next
 *   candidate; addresses end the search; no answer in time, or every server
 *   failing (SERVFAIL, REFUSED, truncated with no record) ends it with an
 *   error. Once one family has answered with addresses, the other gets at
 *   most one more second.
 * - Answers: the A/AAAA records owned by the question's name or by the end
 *   of a CNAME chain from it (at most 8 steps), class IN only. */
#ifndef UCHAT_RESOLV_H
#define UCHAT_RESOLV_H
#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define RESOLV_MAX_NS     3    /* nameserver lines used (as musl and glibc) */
#define RESOLV_MAX_SEARCH 6    /* search domains used */
#define RESOLV_NAME_MAX   253  /* characters in a name, without a final '.' */
#define RESOLV_LABEL_MAX  63   /* characters between two dots */
#define RESOLV_LINE_MAX   512  /* hosts/resolv.conf line buffer, '\n' included */
#define RESOLV_MAX_ADDRS  8    /* addresses of one family kept per lookup */

#define RESOLV_A     1         /* query types */
#define RESOLV_AAAA  28

/* What resolv_parse_reply returns besides a count of addresses (>= 0). */
#define RESOLV_NOT_OURS  (-1)  /* not a reply to this query: ignore it */
#define RESOLV_NXDOMAIN  (-2)  /* the name does not exist */
#define RESOLV_FAILED    (-3)  /* a reply, of no use: SERVFAIL, REFUSED, a
				  truncated or malformed answer with no record */

struct resolv_cfg {
	struct net_addr ns[RESOLV_MAX_NS]; /* port 53 */
	int nns;
	char search[RESOLV_MAX_SEARCH][RESOLV_NAME_MAX + 1]; /* no final '.' */
	int nsearch;
	int ndots, timeout_s, attempts;
};

/* Resolves host for a client that dials it: an IPv4 or IPv6 address
 * literal (a scope as net_parse reads it) is itself; a name gets at most max (>= 1) addresses,
 * IPv4 first, then IPv6: from /etc/hosts, else the loopback for
 * "localhost", else from DNS. Each DNS candidate waits at most the timeout
 * (5 s by default), and one that gets no answer ends the search. Every
 * address is v4-mapped IPv6 for IPv4 and carries port. Returns the count
 * (> 0), or -1 with "cannot resolve HOST: reason" in err, the reason one of
 * "bad name ...", "unknown host", "no address ...", "no answer from the DNS
 * servers in /etc/resolv.conf", "DNS server failure ...", or a socket error. */
int resolv_lookup(const char *host, unsigned port, struct net_addr *out, int max,
		  char *err, size_t errlen);

/* RFC 6761: "localhost", and any name under it, is the loopback: 127.0.0.1
 * then ::1 (at most max), even on a board whose /etc/hosts lacks the line
 * and that runs no DNS server. A final '.' and ASCII case do not matter.
 * Returns the count written, or 0 for any other name. */
int resolv_localhost(const char *name, struct net_addr *out, int max);

/* The DNS part of resolv_lookup with a given configuration (replies are
 * accepted from conf->ns addresses and ports). Same returns. */
int resolv_dns(const struct resolv_cfg *conf, const char *name, struct net_addr *out, int max,
	       char *err, size_t errlen);

/* Writes into out (RESOLV_NAME_MAX + 1 bytes) the i-th name to ask for name
 * under conf's search list and ndots (see above). Returns 1, 0 when there is
 * no i-th candidate, or -1 when this one is too long (skip it). */
int resolv_candidate(const struct resolv_cfg *conf, const char *name, int i, char *out);

/* Writes a standard query (RD set, one question of qtype, class IN) for name
 * with id into buf. Returns its length, or -1 if name is not a host name
 * (empty, too long, an empty or long label, a character other than a letter,
 * digit, '-' or '_') or buf is too small. */
int resolv_build_query(unsigned char *buf, size_t size, uint16_t id, const char *name, int qtype);

/* Parses the datagram msg[0..len) as a reply to the query (id, qname, qtype):
 * a pure function, every length and compression pointer checked, names
 * compared ignoring case. Returns the number of addresses written to out (at
 * most max; 0 = the name has no record of that type), or RESOLV_NOT_OURS,
 * RESOLV_NXDOMAIN or RESOLV_FAILED. */
int resolv_parse_reply(const unsigned char *msg, size_t len, uint16_t id, const char *qname,
		       int qtype, struct net_addr *out, int max);

/* If the hosts-file line line[0..len) names name, writes its address (port 0)
 * to *addr and returns 1; else (comment, blank, bad address, other names)
 * returns 0. */
int resolv_hosts_line(const char *line, size_t len, const char *name, struct net_addr *addr);

/* Reads a hosts file from fd; returns the number of addresses for name
 * written to out (at most max, IPv4 first, then IPv6, each in file order). */
int resolv_hosts_read(int fd, const char *name, struct net_addr *out, int max);

/* resolv.conf: init sets the defaults; line applies one line; done adds
 * 127.0.0.1 if no nameserver was given. read does all three over fd (-1:
 * no file, defaults only). */
void resolv_cfg_init(struct resolv_cfg *conf);
void resolv_cfg_line(struct resolv_cfg *conf, const char *line, size_t len);
void resolv_cfg_done(struct resolv_cfg *conf);
void resolv_cfg_read(struct resolv_cfg *conf, int fd);

#endif
