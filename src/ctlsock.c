/* ctlsock.c: control socket plumbing. Requests are read without blocking,
 * a few connections at a time, each within a deadline; replies are written
 * with a short send timeout, so a stuck udpchatctl can stall the relay for a
 * second at most. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "ctlsock.h"
#include "fmt.h"
#include "io.h"

static uid_t ctlsock_owner; /* the socket file's, set by ctlsock_open */

static int ctlsock_addr(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		fmt_snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path));   /* the NUL: memset */
	return 0;
}

/* Stores the file type bits of path itself (a symbolic link not followed)
 * in *type. Returns 0, or -1 with errno (ENOSYS: a kernel before 4.11, which
 * has no statx). The system call itself: musl's lstat() brings 1.8 kB of
 * struct conversion along on 32-bit boards, for the one field needed here. */
static int ctlsock_type(const char *path, unsigned *type)
{
	uint32_t stx[64];   /* the kernel's struct statx, 256 bytes: stx_mask */
	uint16_t mode;      /* first, stx_mode at byte 28 (linux/stat.h) */

	if (syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 1 /* STATX_TYPE */, stx) < 0)
		return -1;
	if (!(stx[0] & 1)) {
		errno = ENOSYS; /* the type was not given: tell as without statx */
		return -1;
	}
	memcpy(&mode, (const char *)stx + 28, sizeof(mode));
	*type = mode & S_IFMT;
	return 0;
}

int ctlsock_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	unsigned type;
	mode_t old;
	int fd, probe, rc;

	if (ctlsock_addr(path, &sun, err, errlen) < 0)
		return -1;
	/* only a socket may be replaced (never a file a mistyped -c names), and
	 * only one nobody answers on: a dead server's */
	rc = ctlsock_type(path, &type);
	if (rc == 0 && !S_ISSOCK(type)) {
		fmt_snprintf(err, errlen, "%s exists and is not a socket; not replacing it", path);
		return -1;
	}
	if (rc == 0 || errno == ENOSYS) { /* no statx: as before it, a connect decides */
		probe = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0) {
			rc = connect(probe, (struct sockaddr *)&sun, sizeof(sun));
			if (rc < 0 && errno == ECONNREFUSED)
				unlink(path);
			close(probe);
			if (rc == 0) {
				fmt_snprintf(err, errlen, "%s: another udpchatd is running", path);
				return -1;
			}
		}
	}
	fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fmt_snprintf(err, errlen, "socket: %s", fmt_strerror(errno));
		return -1;
	}
	ctlsock_owner = geteuid();
	old = umask(0077);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 4) < 0) {
		fmt_snprintf(err, errlen, "cannot create control socket %s: %s", path, fmt_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int ctlsock_close(int fd, const char *path)
{
	if (fd < 0)
		return 0;
	close(fd);
	return unlink(path);
}

/* The reply being written: one at a time (a request is answered at once). */
static char ctlsock_out[4096];
static size_t ctlsock_outlen;
static int ctlsock_failed;

int ctlsock_accept(int lfd, struct ctlsock_conn *slots, int n, int64_t now_ms)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctlsock_conn *c = NULL;
	int fd = (int)syscall(SYS_accept4, lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (slots[i].fd < 0 || !c || (c->fd >= 0 && slots[i].since_ms < c->since_ms))
			c = &slots[i];
	if (c->fd >= 0) {
		ctlsock_printf(c, "-ERR busy: %d connections wait for their request", n);
		ctlsock_finish(c);
	}
	ctlsock_start(c, fd, now_ms);
	/* the system call itself: musl's getsockopt (0.5 kB on 32-bit boards)
	 * only adds time64 conversions for options that carry a time */
	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != ctlsock_owner)) {
		ctlsock_printf(c, "-ERR permission denied");
		ctlsock_finish(c);
		return -1;
	}
	return 0;
}

void ctlsock_start(struct ctlsock_conn *c, int fd, int64_t now_ms)
{
	c->fd = fd;
	c->since_ms = now_ms;
	io_lines_init(&c->in, fd, c->req, sizeof(c->req));
}

int ctlsock_read(struct ctlsock_conn *c)
{
	struct timeval tv = { 1, 0 };
	const char *line;
	size_t len;
	ssize_t n = io_lines_fill(&c->in);
	int r;

	if (n < 0 && errno == EAGAIN)
		return 0;
	r = n < 0 ? IO_NONE : io_lines_next(&c->in, &line, &len);
	if (r == IO_NONE && n > 0)
		return 0;
	if (r == IO_NONE || (r == IO_LINE && c->in.partial)) { /* the peer went away */
		ctlsock_finish(c);
		return -1;
	}
	if (r == IO_LONG) {
		ctlsock_printf(c, "-ERR request too long (%zu bytes, max %d)", len, CTLSOCK_MAX_REQ);
		ctlsock_finish(c);
		return -1;
	}
	if (memchr(line, '\0', len)) {
		/* the request is a C string from here on: nothing may be cut off */
		ctlsock_printf(c, "-ERR request contains a NUL byte");
		ctlsock_finish(c);
		return -1;
	}
	len = io_drop_cr(line, len);
	io_move_down(c->req, line, len); /* it is the first line: it starts there */
	c->req[len] = '\0';
	/* from here on replies are written with a bounded wait (the one-line
	 * errors above go into an empty socket buffer without one) */
	syscall(SYS_fcntl, c->fd, F_SETFL, 0);   /* blocking; musl's fcntl is 0.4-0.6 kB */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 1;
}

int ctlsock_expire(struct ctlsock_conn *slots, int n, int64_t now_ms, int timeout)
{
	int64_t left;
	int i;

	for (i = 0; i < n; i++) {
		if (slots[i].fd < 0)
			continue;
		left = slots[i].since_ms + CTLSOCK_REQ_MS - now_ms;
		if (left <= 0 && slots[i].in.skip > 0) {
			ctlsock_printf(&slots[i], "-ERR request too long (%zu bytes so far, max %d), "
				       "and no end within %d ms", slots[i].in.skip, CTLSOCK_MAX_REQ,
				       CTLSOCK_REQ_MS);
			ctlsock_finish(&slots[i]);
		} else if (left <= 0) {
			ctlsock_printf(&slots[i], "-ERR no request within %d ms", CTLSOCK_REQ_MS);
			ctlsock_finish(&slots[i]);
		} else if (timeout < 0 || left < timeout) {
			timeout = (int)left;
		}
	}
	return timeout;
}

/* Writes out the reply so far: io_write_all, bounded by the send timeout set
 * once the request came; SIGPIPE is ignored (server.c). After a failure the
 * rest of this reply is dropped. */
static void ctlsock_flush(struct ctlsock_conn *c)
{
	if (!ctlsock_failed && io_write_all(c->fd, ctlsock_out, ctlsock_outlen) < 0)
		ctlsock_failed = 1;
	ctlsock_outlen = 0;
}

void ctlsock_printf(struct ctlsock_conn *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2; /* lines are bounded well below this */
	line[n++] = '\n';
	if (ctlsock_outlen + (size_t)n > sizeof(ctlsock_out))
		ctlsock_flush(c);
	memcpy(ctlsock_out + ctlsock_outlen, line, (size_t)n);
	ctlsock_outlen += (size_t)n;
}

void ctlsock_finish(struct ctlsock_conn *c)
{
	if (c->fd < 0)
		return;
	ctlsock_flush(c);
	ctlsock_failed = 0;
	close(c->fd);
	c->fd = -1;
}
