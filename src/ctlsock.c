/* ctlsock.c: control socket plumbing. Replies are written with a short send
 * timeout, so a stuck udpchatctl can stall the relay for a second at most. */
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

#include "ctlsock.h"
#include "fmt.h"

static uid_t ctlsock_owner; /* the socket file's, set by ctlsock_open */

static int ctlsock_addr(const char *path, struct sockaddr_un *sun, char *err, size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		fmt_snprintf(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

int ctlsock_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, probe, rc;

	if (ctlsock_addr(path, &sun, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fmt_snprintf(err, errlen, "socket: %s", fmt_strerror(errno));
		return -1;
	}
	/* a socket file that nobody answers on is a dead server's: replace it */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			close(fd);
			fmt_snprintf(err, errlen, "%s: another udpchatd is running", path);
			return -1;
		}
		if (errno == ECONNREFUSED)
			unlink(path);
		close(probe);
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

int ctlsock_accept(int lfd, struct ctlsock_conn *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	c->fd = fd;
	c->len = c->outlen = 0;
	c->failed = 0;
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

int ctlsock_read(struct ctlsock_conn *c)
{
	ssize_t n = read(c->fd, c->req + c->len, CTLSOCK_MAX_REQ - c->len);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		ctlsock_finish(c);
		return -1;
	}
	c->len += (size_t)n;
	nl = memchr(c->req, '\n', c->len);
	if (!nl) {
		if (c->len < CTLSOCK_MAX_REQ)
			return 0;
		ctlsock_printf(c, "-ERR request too long");
		ctlsock_finish(c);
		return -1;
	}
	*nl = '\0';
	if (nl > c->req && nl[-1] == '\r')
		nl[-1] = '\0';
	/* from here on replies are written with a bounded wait */
	struct timeval tv = { 1, 0 };
	syscall(SYS_fcntl, c->fd, F_SETFL, 0);   /* blocking; musl's fcntl is 0.4-0.6 kB */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return 1;
}

static void ctlsock_flush(struct ctlsock_conn *c)
{
	size_t off = 0;

	while (!c->failed && off < c->outlen) {
		ssize_t w = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			c->failed = 1;
		else
			off += (size_t)w;
	}
	c->outlen = 0;
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
	if (c->outlen + (size_t)n > sizeof(c->out))
		ctlsock_flush(c);
	memcpy(c->out + c->outlen, line, (size_t)n);
	c->outlen += (size_t)n;
}

void ctlsock_finish(struct ctlsock_conn *c)
{
	if (c->fd < 0)
		return;
	ctlsock_flush(c);
	close(c->fd);
	c->fd = -1;
}
