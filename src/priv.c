/* priv.c: see priv.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fmt.h"
#include "io.h"
#include "priv.h"
#include "resolv.h"

/* 32-bit ARM has 16-bit-id calls under the plain names; these take 32 bits */
#ifdef SYS_setresuid32
#define PRIV_SETGROUPS SYS_setgroups32
#define PRIV_SETRESGID SYS_setresgid32
#define PRIV_SETRESUID SYS_setresuid32
#define PRIV_SETUID    SYS_setuid32
#else
#define PRIV_SETGROUPS SYS_setgroups
#define PRIV_SETRESGID SYS_setresgid
#define PRIV_SETRESUID SYS_setresuid
#define PRIV_SETUID    SYS_setuid
#endif

/* Parses "UID" or "UID:GID" (s is cut at the ':'). Returns 0 or -1. */
static int priv_ids(char *s, struct priv_user *u)
{
	char *colon = memchr(s, ':', strlen(s));
	unsigned long uid, gid;

	if (colon)
		*colon++ = '\0';
	if (fmt_parse_uint(s, 0, PRIV_ID_MAX, &uid) < 0)
		return -1;
	gid = uid;
	if (colon && fmt_parse_uint(colon, 0, PRIV_ID_MAX, &gid) < 0)
		return -1;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	return 0;
}

int priv_passwd_line(const char *line, size_t len, const char *name, struct priv_user *u)
{
	char buf[RESOLV_LINE_MAX + 1], *ids, *end;
	size_t n = strlen(name);

	if (len >= sizeof(buf) || len <= n || memcmp(line, name, n) != 0 || line[n] != ':')
		return 0;
	memcpy(buf, line, len);
	buf[len] = '\0';
	ids = memchr(buf + n + 1, ':', len - n - 1); /* after the password field */
	if (!ids)
		return 0;
	ids++;
	end = memchr(ids, ':', (size_t)(buf + len - ids));
	end = end ? memchr(end + 1, ':', (size_t)(buf + len - end - 1)) : NULL; /* the end of the GID field */
	if (!end)
		return 0;
	*end = '\0';
	return priv_ids(ids, u) == 0;
}

int priv_lookup(const char *spec, const char *path, struct priv_user *u)
{
	char buf[24], lines[RESOLV_LINE_MAX];
	struct io_lines r;
	const char *line;
	size_t len;
	int fd, k, found = 0;

	if (strlen(spec) < sizeof(buf)) {
		memcpy(buf, spec, strlen(spec) + 1);
		found = priv_ids(buf, u) == 0;
	}
	if (!found && *spec) {
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
		io_lines_init(&r, fd, lines, sizeof(lines));
		while (!found && (k = io_lines_read(&r, &line, &len)) != IO_NONE)
			found = k == IO_LINE && priv_passwd_line(line, len, spec, u);
		if (fd >= 0)
			close(fd);
	}
	return found && u->uid ? 0 : -1;
}

int priv_drop(const struct priv_user *u)
{
	if (syscall(PRIV_SETGROUPS, 0, NULL) < 0 ||
	    syscall(PRIV_SETRESGID, u->gid, u->gid, u->gid) < 0 ||
	    syscall(PRIV_SETRESUID, u->uid, u->uid, u->uid) < 0 ||
	    syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	if (syscall(PRIV_SETUID, 0) == 0) {
		errno = EPERM; /* root came back: never go on like this */
		return -1;
	}
	return 0;
}
