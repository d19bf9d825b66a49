/* io.c: the one write-all, the one reader of lines and the one signal
 * self-pipe (contracts in io.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "io.h"

int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* --- lines ------------------------------------------------------------- */

/* noinline: with link-time optimisation each of its nine callers took a
 * copy (0.1 kB on every target) */
__attribute__((noinline)) void io_lines_init(struct io_lines *l, int fd, char *buf, size_t size)
{
	memset(l, 0, sizeof(*l));
	l->buf = buf;
	l->size = size;
	l->fd = fd;
	l->eof = fd < 0;
}

void io_move_down(char *dst, const char *src, size_t len)
{
	while (len--)
		*dst++ = *src++;
}

ssize_t io_lines_fill(struct io_lines *l)
{
	ssize_t n;

	if (l->eof)
		return 0;
	if (l->start > 0) {
		io_move_down(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->end == l->size) { /* lines wait: io_lines_next empties a full buffer */
		errno = EAGAIN;
		return -1;
	}
	do
		n = read(l->fd, l->buf + l->end, l->size - l->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		l->end += (size_t)n;
	else if (n == 0)
		l->eof = 1;
	return n;
}

/* a + b, or SIZE_MAX past it (a line of 4 GB on a 32-bit board) */
static size_t io_add(size_t a, size_t b)
{
	return b > SIZE_MAX - a ? SIZE_MAX : a + b;
}

int io_lines_next(struct io_lines *l, const char **line, size_t *len)
{
	char *p = l->buf + l->start;
	size_t n = l->end - l->start;
	const char *nl = memchr(p, '\n', n);

	if (nl) {
		n = (size_t)(nl - p);
		l->start += n + 1;
	} else if (l->eof && (n > 0 || l->skip > 0)) {
		l->start = l->end;
	} else {
		if (!l->eof && (l->skip > 0 || n == l->size)) {
			/* no "\n" in reach: the line is too long; count it, drop it */
			l->skip = io_add(l->skip, n);
			l->start = l->end = 0;
		}
		return IO_NONE;
	}
	l->partial = !nl;
	*line = p;
	*len = io_add(l->skip, n);
	if (l->skip > 0) {
		l->skip = 0;
		return IO_LONG;
	}
	return IO_LINE;
}

int io_lines_read(struct io_lines *l, const char **line, size_t *len)
{
	int r;

	for (;;) {
		r = io_lines_next(l, line, len);
		if (r != IO_NONE || l->eof)
			return r;
		if (io_lines_fill(l) < 0) {
			if (errno == EAGAIN)
				return IO_NONE;
			l->eof = 1;
		}
	}
}

/* --- the signal self-pipe ------------------------------------------------ */

static int io_sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t io_sig_seen[32];

static void io_sig_handler(int sig)
{
	int saved = errno;
	char b = (char)sig;

	io_sig_seen[sig & 31] = 1;
	if (write(io_sig_pipe[1], &b, 1) < 0) {
		/* full: a wake-up is pending anyway, and the flag is set */
	}
	errno = saved;
}

int io_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return (int)syscall(SYS_rt_sigprocmask, how, set, old, _NSIG / 8);
}

/* The kernel's struct sigaction, which the system call takes (not libc's):
 * musl's sigaction() brings its lock, the abort lock and its restorer (1 kB
 * with _Fork's share, compat.h). MIPS puts the flags first and has 128
 * signals; the others: handler, flags, restorer, 64 signals. x86_64's
 * kernel returns from a handler only through a restorer of the program's
 * (SA_RESTORER); the other targets' kernels have their own (vdso or
 * sigpage). An architecture not named here keeps libc's sigaction(). */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__arm__) || defined(__mips__)
struct io_ksigaction {
#ifdef __mips__
	unsigned flags;
	void (*handler)(int);
#else
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
#endif
	unsigned char mask[_NSIG / 8]; /* empty: nothing else blocked in a handler */
};

#ifdef __x86_64__
#ifndef SA_RESTORER /* glibc does not show it */
#define SA_RESTORER 0x04000000
#endif
/* rt_sigreturn: where a handler returns to (its frame is the kernel's) */
void io_restore_rt(void);
__asm__(".pushsection .text\n.globl io_restore_rt\n.type io_restore_rt,@function\n"
	"io_restore_rt:\n\tmov $15, %rax\n\tsyscall\n.popsection\n");
#endif

static int io_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct io_ksigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.handler = handler;
#ifdef __x86_64__
	flags |= SA_RESTORER;
	sa.restorer = io_restore_rt;
#endif
	sa.flags = flags;
	return (int)syscall(SYS_rt_sigaction, sig, &sa, NULL, sizeof(sa.mask));
}
#else
static int io_sigaction(int sig, void (*handler)(int), unsigned long flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa)); /* sa_mask empty */
	sa.sa_handler = handler;
	sa.sa_flags = (int)flags;
	return sigaction(sig, &sa, NULL);
}
#endif

void io_signal(int sig, void (*handler)(int))
{
	(void)io_sigaction(sig, handler, 0);
}

int io_sigpipe_open(const int *sigs, int n)
{
	int i;

	if (syscall(SYS_pipe2, io_sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (io_sigaction(sigs[i], io_sig_handler, SA_RESTART) < 0)
			return -1;
	return io_sig_pipe[0];
}

unsigned io_sigpipe_take(void)
{
	char drain[16];
	unsigned seen = 0;
	int s;

	while (read(io_sig_pipe[0], drain, sizeof(drain)) > 0)
		;
	for (s = 1; s < 32; s++) {
		if (io_sig_seen[s]) {
			io_sig_seen[s] = 0;
			seen |= IO_SIG(s);
		}
	}
	return seen;
}

void io_sigpipe_close(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (io_sig_pipe[i] >= 0)
			close(io_sig_pipe[i]);
		io_sig_pipe[i] = -1;
	}
}
