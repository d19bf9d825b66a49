/* priv.h: giving up root after start-up (udpchatd -u USER). The user is
 * found without libc's getpwnam (it links stdio and musl's passwd parser,
 * 2 kB+): a number, or a name read from /etc/passwd through io.c's line
 * reader (a line longer than RESOLV_LINE_MAX - 1 bytes is skipped). The ids change by raw system calls: the server has one thread
 * then, and musl's setuid would link its all-threads machinery. */
#ifndef UCHAT_PRIV_H
#define UCHAT_PRIV_H
#include <sys/types.h>

#define PRIV_ID_MAX 4294967294UL /* (uid_t)-1 means "unchanged" to the kernel */

struct priv_user {
	uid_t uid;
	gid_t gid;
};

/* Resolves spec: "UID" or "UID:GID" (decimal; GID defaults to UID), else a
 * user name, looked up in the passwd file at path ("name:pw:UID:GID:..."
 * lines; the first line of that name counts). Returns 0 with *u set, or -1
 * for an unknown user, an unreadable file, or root (uid 0 drops nothing). */
int priv_lookup(const char *spec, const char *path, struct priv_user *u);

/* If the passwd line line[0..len) is name's, sets *u from it and returns 1;
 * else (another name, a short or malformed line) returns 0. */
int priv_passwd_line(const char *line, size_t len, const char *name, struct priv_user *u);

/* Becomes u for good: no supplementary groups, real/effective/saved gid and
 * uid set, no_new_privs on (no exec can gain privileges again), then checks
 * that setuid(0) fails. Needs root (CAP_SETUID and CAP_SETGID). Returns 0, or
 * -1 with errno set (EPERM as well when root could be regained). */
int priv_drop(const struct priv_user *u);

#endif
