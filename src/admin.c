/* admin.c: the announcement reader (the classic chat room's 管理员 process). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "bounds.h"
#include "compat.h"
#include "fmt.h"
#include "proto.h"
#include "utf8.h"

/* Checks one operator line; returns NULL if it may be announced. */
static const char *admin_check(const char *line, size_t len)
{
	static char why[64];
	long c;

	if (len > PROTO_MAX_LINE)
		return "longer than " UCHAT_STR(PROTO_MAX_LINE) " bytes";
	c = utf8_check_text(line, len);
	if (c < 0)
		return "not valid UTF-8";
	if (c > 0) {
		fmt_snprintf(why, sizeof(why), "contains a control character (0x%02lx)", c - 1);
		return why;
	}
	return NULL;
}

static void admin_write_all(int fd, const char *p, size_t len)
{
	if (fmt_write_all(fd, p, len) < 0)
		_exit(0); /* the relay is gone */
}

/* Sends one operator line on to the relay, or says on stderr why not. */
static void admin_line(int wfd, const char *p, size_t len)
{
	char out[PROTO_MAX_LINE + 1];
	struct proto_lines it;
	struct proto_span line;
	const char *why;

	proto_lines_init(&it, p, len);
	if (!proto_lines_next(&it, &line) || line.len == 0)
		return;
	why = admin_check(line.p, line.len);
	if (why) {
		fmt_dprintf(2, "udpchatd: announcement not sent: %s\n", why);
		return;
	}
	memcpy(out, line.p, line.len);
	out[line.len] = '\n';
	admin_write_all(wfd, out, line.len + 1);
}

/* The child: stdin -> checked lines -> pipe. */
static void admin_child(int wfd)
{
	char buf[PROTO_MAX_LINE + 2];
	size_t len = 0;
	int skipping = 0; /* inside a line already reported as too long */

	for (;;) {
		ssize_t n = read(0, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		for (;;) {
			char *nl = memchr(buf, '\n', len);
			size_t used;
			if (!nl) {
				if (len == sizeof(buf)) { /* no newline in reach */
					if (!skipping)
						fmt_dprintf(2, "udpchatd: announcement not sent: longer than 512 bytes\n");
					skipping = 1;
					len = 0;
				}
				break;
			}
			used = (size_t)(nl - buf) + 1;
			if (!skipping)
				admin_line(wfd, buf, used);
			skipping = 0;
			memmove(buf, buf + used, len - used);
			len -= used;
		}
	}
	/* a last line without "\n" at EOF still counts */
	if (len > 0 && !skipping)
		admin_line(wfd, buf, len);
	_exit(0);
}

pid_t admin_start(int *rfd, const int *close_fds, int n)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE };
	sigset_t all, old;
	int p[2], i;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	/* Signals stay blocked until the child has dropped the relay's
	 * handlers: a SIGTERM sent to it in between must kill it, not run the
	 * relay's handler in the child. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* _Fork where the libc has it: fork() without the atfork handlers
	 * and libc-wide locks that only threaded programs need (compat.h). */
	pid = compat_fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
			signal(sigs[i], SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		sigprocmask(SIG_SETMASK, &old, NULL);
		for (i = 0; i < n; i++)
			if (close_fds[i] >= 0)
				close(close_fds[i]);
		close(p[0]);
		admin_child(p[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	*rfd = p[0];
	return pid;
}

int admin_read(int fd, struct admin_reader *r,
	       void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	ssize_t n;
	char *nl;

	n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return -1;
	r->len += (size_t)n;
	while ((nl = memchr(r->buf, '\n', r->len)) != NULL) {
		size_t used = (size_t)(nl - r->buf) + 1;
		fn(r->buf, used - 1, arg);
		memmove(r->buf, r->buf + used, r->len - used);
		r->len -= used;
	}
	if (r->len == sizeof(r->buf))
		r->len = 0; /* cannot happen: the child writes checked lines */
	return 0;
}
