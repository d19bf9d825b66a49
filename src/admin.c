/* admin.c: the announcement reader (the classic chat room's 管理员 process). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "admin.h"
#include "bounds.h"
#include "compat.h"
#include "fmt.h"
#include "io.h"
#include "utf8.h"

/* Checks one operator line: its bytes, or only its length when the reader
 * could not hold it (line NULL: len is then over PROTO_MAX_LINE). Returns
 * NULL if it may be announced, else why not. */
static const char *admin_check(const char *line, size_t len)
{
	static char why[64];
	long c;

	if (len > PROTO_MAX_LINE) {
		fmt_snprintf(why, sizeof(why), "longer than %d bytes (%zu bytes)", PROTO_MAX_LINE, len);
		return why;
	}
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
	if (io_write_all(fd, p, len) < 0)
		_exit(0); /* the relay is gone */
}

/* The child: stdin -> checked lines -> pipe; a last line without "\n" at
 * EOF still counts. Says on stderr why a line is not sent. */
static void admin_child(int wfd)
{
	/* a line, "\r", "\n". Static, in .bss: on the stack they would sit
	 * in the relay's frame, into which admin_start and this may be inlined
	 * (and past 1 kB a MIPS16 frame needs longer instructions). */
	static char buf[PROTO_MAX_LINE + 2], out[PROTO_MAX_LINE + 1];
	struct io_lines in;
	const char *line, *why;
	size_t len;
	int r;

	io_lines_init(&in, 0, buf, sizeof(buf));
	while ((r = io_lines_read(&in, &line, &len)) != IO_NONE) {
		if (r == IO_LONG)
			line = NULL; /* only its length is left */
		else
			len = io_drop_cr(line, len);
		if (len == 0)
			continue;
		why = admin_check(line, len);
		if (why) {
			fmt_dprintf(2, "udpchatd: announcement not sent: %s\n", why);
			continue;
		}
		memcpy(out, line, len);
		out[len] = '\n';
		admin_write_all(wfd, out, len + 1);
	}
	_exit(0);
}

pid_t admin_start(int *rfd, const int *close_fds, int n)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE };
	sigset_t all, old;
	int p[2], i;
	pid_t pid;

	if (syscall(SYS_pipe2, p, 0) < 0)
		return -1;
	/* Signals stay blocked until the child has dropped the relay's
	 * handlers: a SIGTERM sent to it in between must kill it, not run the
	 * relay's handler in the child. */
	sigfillset(&all);
	io_sigmask(SIG_BLOCK, &all, &old);
	/* _Fork where the libc has it: fork() without the atfork handlers
	 * and libc-wide locks that only threaded programs need (compat.h). */
	pid = compat_fork();
	if (pid < 0) {
		io_sigmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
			io_signal(sigs[i], SIG_DFL);
		io_signal(SIGPIPE, SIG_IGN);
		io_sigmask(SIG_SETMASK, &old, NULL);
		for (i = 0; i < n; i++)
			if (close_fds[i] >= 0)
				close(close_fds[i]);
		close(p[0]);
		admin_child(p[1]);
	}
	io_sigmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	*rfd = p[0];
	return pid;
}

int admin_read(int fd, struct admin_reader *r,
	       void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const char *line;
	size_t len;
	ssize_t n;

	if (r->in.buf != r->buf) /* the first call */
		io_lines_init(&r->in, fd, r->buf, sizeof(r->buf));
	n = io_lines_fill(&r->in);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		return -1;
	/* a line too long cannot come: the child writes checked lines */
	while ((n = io_lines_next(&r->in, &line, &len)) != IO_NONE)
		if (n == IO_LINE)
			fn(line, len, arg);
	return 0;
}
