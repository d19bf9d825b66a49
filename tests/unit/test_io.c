/* test_io.c: io.c's write-all, reader of lines and signal self-pipe, over
 * real pipes and socket pairs: lines split across reads and several in one,
 * the exact fit and one byte over, a 100 kB line, the end of file, EINTR
 * and EAGAIN, arbitrary chunkings against a plain split; the dispositions
 * io_signal and io_sigpipe_open set (the system call: libc reads them back)
 * and compat_fork's child. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "io.h"
#include "test.h"

#define GUARD 16

/* A buffer of size bytes with guard bytes on both sides (checked by
 * guards_ok: the reader never writes outside its buffer). */
static char mem[GUARD + 4096 + GUARD];

static char *guarded(size_t size)
{
	CHECK(size <= sizeof(mem) - 2 * GUARD);
	memset(mem, 'G', sizeof(mem));
	return mem + GUARD;
}

static int guards_ok(size_t size)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (mem[i] != 'G' || mem[GUARD + size + i] != 'G')
			return 0;
	return 1;
}

/* A non-blocking socket pair: sv[0] read by the reader, sv[1] written. */
static void pair(int sv[2])
{
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
}

static void put(int fd, const char *s)
{
	size_t n = strlen(s);

	CHECK_INT(write(fd, s, n), (long long)n);
}

/* The next line must be IO_LINE with text want. */
#define NEXT_LINE(l, want) \
	do { const char *p_; size_t n_; \
	     CHECK_INT(io_lines_next((l), &p_, &n_), IO_LINE); \
	     CHECK_SPAN(p_, n_, (want)); } while (0)
#define NEXT_LONG(l, want_len) \
	do { const char *p_; size_t n_; \
	     CHECK_INT(io_lines_next((l), &p_, &n_), IO_LONG); \
	     CHECK_INT(n_, (want_len)); } while (0)
#define NEXT_NONE(l) \
	do { const char *p_; size_t n_; \
	     CHECK_INT(io_lines_next((l), &p_, &n_), IO_NONE); } while (0)

static void io_lines_split_across_reads(void)
{
	struct io_lines l;
	int sv[2];

	pair(sv);
	io_lines_init(&l, sv[0], guarded(16), 16);
	NEXT_NONE(&l);
	CHECK_INT(io_lines_fill(&l), -1);              /* nothing yet */
	CHECK_INT(errno, EAGAIN);
	CHECK_INT(l.eof, 0);
	put(sv[1], "ab");
	CHECK_INT(io_lines_fill(&l), 2);
	NEXT_NONE(&l);
	put(sv[1], "c\r\nd");
	CHECK_INT(io_lines_fill(&l), 4);
	NEXT_LINE(&l, "abc\r");                        /* "\r" kept */
	NEXT_NONE(&l);
	put(sv[1], "e\n");
	CHECK_INT(io_lines_fill(&l), 2);
	NEXT_LINE(&l, "de");
	NEXT_NONE(&l);
	close(sv[1]);
	CHECK_INT(io_lines_fill(&l), 0);
	CHECK_INT(l.eof, 1);
	NEXT_NONE(&l);
	CHECK(guards_ok(16));
	close(sv[0]);
}

static void io_lines_several_in_one_read(void)
{
	struct io_lines l;
	int sv[2];

	pair(sv);
	io_lines_init(&l, sv[0], guarded(32), 32);
	put(sv[1], "a\nbb\n\nccc\nd");
	CHECK_INT(io_lines_fill(&l), 11);
	NEXT_LINE(&l, "a");
	NEXT_LINE(&l, "bb");
	NEXT_LINE(&l, "");                             /* empty lines too */
	NEXT_LINE(&l, "ccc");
	NEXT_NONE(&l);                                 /* "d" is not whole yet */
	put(sv[1], "\n\n");
	CHECK_INT(io_lines_fill(&l), 2);
	NEXT_LINE(&l, "d");
	CHECK_INT(l.partial, 0);
	NEXT_LINE(&l, "");
	NEXT_NONE(&l);
	CHECK(guards_ok(32));
	close(sv[0]);
	close(sv[1]);
}

/* buffer of 8: lines of 7 bytes fit, 8 do not, whatever the reads */
static void io_lines_exact_fit_and_one_over(void)
{
	struct io_lines l;
	int sv[2], longs = 0;

	pair(sv);
	io_lines_init(&l, sv[0], guarded(8), 8);
	put(sv[1], "1234567\n");
	CHECK_INT(io_lines_fill(&l), 8);
	NEXT_LINE(&l, "1234567");
	put(sv[1], "12345678\nnext\n");
	while (io_lines_fill(&l) > 0) {
		const char *p;
		size_t n;
		int r;

		while ((r = io_lines_next(&l, &p, &n)) != IO_NONE) {
			if (r == IO_LONG) {
				CHECK_INT(n, 8);               /* its whole length */
				NEXT_LINE(&l, "next");         /* and the next, intact */
				longs++;
			} else {
				CHECK_MSG(0, "a piece of the long line: %s", test_esc(p, n));
			}
		}
	}
	CHECK_INT(longs, 1);
	CHECK(guards_ok(8));
	/* at the end of file, the same: 7 bytes are a line, 8 are too long */
	put(sv[1], "abcdefg");
	close(sv[1]);
	CHECK_INT(io_lines_fill(&l), 7);
	NEXT_NONE(&l);
	CHECK_INT(io_lines_fill(&l), 0);
	NEXT_LINE(&l, "abcdefg");
	CHECK_INT(l.partial, 1);
	NEXT_NONE(&l);
	close(sv[0]);

	pair(sv);
	io_lines_init(&l, sv[0], guarded(8), 8);
	put(sv[1], "abcdefgh");
	close(sv[1]);
	CHECK_INT(io_lines_fill(&l), 8);
	NEXT_NONE(&l);
	CHECK_INT(io_lines_fill(&l), 0);
	NEXT_LONG(&l, 8);
	NEXT_NONE(&l);
	CHECK(guards_ok(8));
	close(sv[0]);
}

/* A child writes 100 kB without a "\n", then one, then "after": the pipe
 * holds less, so the reader sees it in many reads. */
static void io_lines_huge_line(void)
{
	static char big[100000];
	struct io_lines l;
	const char *p;
	size_t n;
	int fd[2], st;
	pid_t pid;

	CHECK(pipe(fd) == 0);
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		memset(big, 'h', sizeof(big));
		big[5000] = '\r';
		_exit(io_write_all(fd[1], big, sizeof(big)) < 0 || io_write_all(fd[1], "\nafter\n", 7) < 0);
	}
	close(fd[1]);
	io_lines_init(&l, fd[0], guarded(64), 64);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LONG);
	CHECK_INT(n, 100000);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_SPAN(p, n, "after");
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	CHECK_INT(l.eof, 1);
	CHECK(guards_ok(64));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd[0]);
}

static void io_lines_end_of_file(void)
{
	struct io_lines l;
	const char *p;
	size_t n;
	int sv[2];

	/* a last line without "\n" is handed out, once */
	pair(sv);
	put(sv[1], "x\ny");
	close(sv[1]);
	io_lines_init(&l, sv[0], guarded(16), 16);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_SPAN(p, n, "x");
	CHECK_INT(l.partial, 0);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_SPAN(p, n, "y");
	CHECK_INT(l.partial, 1);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	close(sv[0]);

	/* "a\n" is one line, "" none, "\n\n" two empty ones */
	pair(sv);
	put(sv[1], "\n\n");
	close(sv[1]);
	io_lines_init(&l, sv[0], guarded(16), 16);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_INT(n, 0);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_INT(n, 0);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	close(sv[0]);
	pair(sv);
	close(sv[1]);
	io_lines_init(&l, sv[0], guarded(16), 16);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	CHECK_INT(l.eof, 1);
	close(sv[0]);

	/* no fd: an empty file; a read error ends the input as the end does */
	io_lines_init(&l, -1, guarded(16), 16);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE);
	CHECK_INT(io_lines_fill(&l), 0);
	pair(sv);
	put(sv[1], "part");
	io_lines_init(&l, sv[0], guarded(16), 16);
	CHECK_INT(io_lines_fill(&l), 4);
	close(sv[0]);                                  /* EBADF from now on */
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_SPAN(p, n, "part");
	CHECK_INT(l.eof, 1);
	close(sv[1]);
	CHECK(guards_ok(16));
}

static volatile sig_atomic_t io_signals;

static void io_on_signal(int sig)
{
	(void)sig;
	io_signals++;
}

/* Makes the pipe fd and a child that sends this process sig after 100 ms,
 * then writes s to fd[1] 200 ms later (fd[1] is closed here). Returns the
 * child's pid, for late_done. */
static pid_t late_writer(int fd[2], int sig, const char *s)
{
	pid_t pid;

	CHECK(pipe(fd) == 0);
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		poll(NULL, 0, 100);
		kill(getppid(), sig);
		poll(NULL, 0, 200);
		_exit(io_write_all(fd[1], s, strlen(s)) < 0);
	}
	CHECK(pid > 0);
	close(fd[1]);
	return pid;
}

/* Checks that late_writer's child wrote all and exited; closes fd0. */
static void late_done(pid_t pid, int fd0)
{
	int st;

	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd0);
}

/* A read interrupted by a signal (no SA_RESTART) is retried; a
 * non-blocking fd with nothing is EAGAIN and changes nothing. */
static void io_lines_eintr_eagain(void)
{
	struct sigaction sa;
	struct io_lines l;
	const char *p;
	size_t n;
	int fd[2];
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = io_on_signal;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	pid = late_writer(fd, SIGUSR1, "late\n");       /* a signal, then the line */
	io_lines_init(&l, fd[0], guarded(16), 16);
	CHECK_INT(io_lines_fill(&l), 5);               /* blocks through the signal */
	CHECK_INT(io_signals, 1);
	NEXT_LINE(&l, "late");
	late_done(pid, fd[0]);

	CHECK(pipe2(fd, O_NONBLOCK) == 0);
	put(fd[1], "half");
	io_lines_init(&l, fd[0], guarded(16), 16);
	CHECK_INT(io_lines_fill(&l), 4);
	CHECK_INT(io_lines_fill(&l), -1);
	CHECK_INT(errno, EAGAIN);
	CHECK_INT(io_lines_read(&l, &p, &n), IO_NONE); /* nothing now: not the end */
	CHECK_INT(l.eof, 0);
	put(fd[1], "\n");
	CHECK_INT(io_lines_read(&l, &p, &n), IO_LINE);
	CHECK_SPAN(p, n, "half");
	close(fd[0]);
	close(fd[1]);
	CHECK(guards_ok(16));
}

/* A full buffer of lines not yet taken: fill reads nothing (EAGAIN), never
 * 0 (which would look like the end). */
static void io_lines_fill_when_full(void)
{
	struct io_lines l;
	int sv[2];

	pair(sv);
	io_lines_init(&l, sv[0], guarded(4), 4);
	put(sv[1], "a\nb\n");
	CHECK_INT(io_lines_fill(&l), 4);
	CHECK_INT(io_lines_fill(&l), -1);
	CHECK_INT(errno, EAGAIN);
	CHECK_INT(l.eof, 0);
	NEXT_LINE(&l, "a");
	NEXT_LINE(&l, "b");
	NEXT_NONE(&l);
	close(sv[0]);
	close(sv[1]);
	CHECK(guards_ok(4));
}

/* Random texts in random chunks through buffers of random sizes, against
 * a plain split: every line in order, the long ones by length only. */
static void io_lines_random_chunks(void)
{
	static char text[3000];
	struct io_lines l;
	const char *p, *want;
	size_t len, size, off, chunk, n, i, wlen;
	int round, sv[2], r;

	srand(7);
	for (round = 0; round < 300; round++) {
		len = (size_t)rand() % sizeof(text);
		for (i = 0; i < len; i++)
			text[i] = rand() % 6 == 0 ? '\n' : (char)('a' + rand() % 3);
		if (round % 3 == 0)
			for (i = 0; i < len; i += 1 + (size_t)rand() % 400)
				text[i] = '\n';
		size = 2 + (size_t)rand() % 40;
		pair(sv);
		io_lines_init(&l, sv[0], guarded(size), size);
		want = text;
		off = 0;
		for (;;) {
			if (off < len) {
				chunk = 1 + (size_t)rand() % 64;
				if (chunk > len - off)
					chunk = len - off;
				CHECK_INT(write(sv[1], text + off, chunk), (long long)chunk);
				off += chunk;
				if (off == len)
					close(sv[1]);
			}
			while (io_lines_fill(&l) > 0)
				while ((r = io_lines_next(&l, &p, &n)) != IO_NONE) {
					const char *nl = memchr(want, '\n', (size_t)(text + len - want));

					wlen = (size_t)((nl ? nl : text + len) - want);
					CHECK_INT(n, wlen);
					CHECK_INT(r, wlen > size - 1 ? IO_LONG : IO_LINE);
					if (r == IO_LINE && memcmp(p, want, n) != 0)
						CHECK_MSG(0, "round %d: %s", round, test_esc(p, n));
					want += wlen + (nl != NULL);
				}
			if (l.eof) {
				while ((r = io_lines_next(&l, &p, &n)) != IO_NONE) {
					wlen = (size_t)(text + len - want);
					CHECK_INT(n, wlen);
					CHECK_INT(r, wlen > size - 1 ? IO_LONG : IO_LINE);
					CHECK_INT(l.partial, 1);
					want += wlen;
				}
				break;
			}
		}
		CHECK_MSG(want == text + len, "round %d: %zu of %zu bytes seen", round,
			  (size_t)(want - text), len);
		CHECK(guards_ok(size));
		close(sv[0]);
		if (want != text + len)
			break;
	}
}

static void io_drop_cr_once(void)
{
	CHECK_INT(io_drop_cr("ab\r", 3), 2);
	CHECK_INT(io_drop_cr("ab\r\r", 4), 3);
	CHECK_INT(io_drop_cr("\r", 1), 0);
	CHECK_INT(io_drop_cr("", 0), 0);
	CHECK_INT(io_drop_cr("a\rb", 3), 3);
}

/* 1 MB through a pipe a child reads slowly: partial writes continued. */
static void io_write_all_pipe(void)
{
	static char big[1 << 20];
	char buf[4096];
	size_t got = 0, i;
	int fd[2], st, bad = 0;
	ssize_t n;
	pid_t pid;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	CHECK(pipe(fd) == 0);
	pid = fork();
	if (pid == 0) {
		close(fd[1]);
		while ((n = read(fd[0], buf, sizeof(buf))) > 0) {
			for (i = 0; i < (size_t)n; i++)
				bad |= buf[i] != (char)((got + i) * 7);
			got += (size_t)n;
		}
		_exit(bad || got != sizeof(big));
	}
	close(fd[0]);
	CHECK_INT(io_write_all(fd[1], big, sizeof(big)), 0);
	close(fd[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* nobody reads: -1, EPIPE (SIGPIPE ignored, as the programs do) */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(fd) == 0);
	close(fd[0]);
	CHECK_INT(io_write_all(fd[1], "x", 1), -1);
	CHECK_INT(errno, EPIPE);
	close(fd[1]);
	CHECK_INT(io_write_all(fd[1], "", 0), 0);      /* nothing to write: done */
}

/* Sends sig to this process: delivered before kill returns (POSIX), as
 * raise does (which cppcheck takes for a function that never returns). */
static void to_self(int sig)
{
	kill(getpid(), sig);
}

static void io_sigpipe_signals(void)
{
	static const int sigs[] = { SIGUSR1, SIGUSR2, SIGCHLD };
	struct pollfd pfd;
	int fd, i;

	fd = io_sigpipe_open(sigs, 3);
	CHECK(fd >= 0);
	CHECK_INT(io_sigpipe_take(), 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_INT(poll(&pfd, 1, 0), 0);
	errno = 1234;
	to_self(SIGUSR1);
	to_self(SIGUSR1);
	to_self(SIGUSR2);
	CHECK_INT(errno, 1234);                        /* the handler keeps errno */
	CHECK_INT(poll(&pfd, 1, 0), 1);                /* the loop wakes */
	CHECK_INT(io_sigpipe_take(), IO_SIG(SIGUSR1) | IO_SIG(SIGUSR2));
	CHECK_INT(poll(&pfd, 1, 0), 0);                /* emptied */
	CHECK_INT(io_sigpipe_take(), 0);
	to_self(SIGCHLD);
	CHECK_INT(io_sigpipe_take(), IO_SIG(SIGCHLD));
	/* a full pipe loses wake-ups, never a signal */
	CHECK(fcntl(fd, F_SETPIPE_SZ, 4096) >= 0);
	errno = 1234;
	for (i = 0; i < 5000; i++)
		to_self(SIGUSR2);
	to_self(SIGUSR1);
	CHECK_INT(errno, 1234);                        /* EAGAIN did not leak out */
	CHECK_INT(io_sigpipe_take(), IO_SIG(SIGUSR1) | IO_SIG(SIGUSR2));
	io_sigpipe_close();
	CHECK(fcntl(fd, F_GETFD) < 0);                 /* closed */
	CHECK_INT(io_sigpipe_take(), 0);
}

/* What libc reads back of sig's disposition. */
static struct sigaction disposition(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	CHECK(sigaction(sig, NULL, &sa) == 0);
	return sa;
}

static int mask_empty(const sigset_t *set)
{
	int s;

	for (s = 1; s < 32; s++)
		if (sigismember(set, s))
			return 0;
	return 1;
}

/* io_signal and io_sigpipe_open set the kernel's disposition (io.c's own
 * struct, not libc's): the handler, SA_RESTART only for the self-pipe's,
 * an empty mask; an ignored signal is ignored, a caught one returns to the
 * program (x86_64: through io.c's restorer), and a blocking read it
 * interrupts is restarted, not failed with EINTR. */
static void io_signal_dispositions(void)
{
	static const int sigs[] = { SIGUSR2 };
	struct sigaction sa;
	char buf[8];
	int fd[2], sfd;
	pid_t pid;

	io_signal(SIGUSR1, SIG_IGN);
	sa = disposition(SIGUSR1);
	CHECK(sa.sa_handler == SIG_IGN);
	CHECK_INT(sa.sa_flags & SA_RESTART, 0);
	CHECK(mask_empty(&sa.sa_mask));
	kill(getpid(), SIGUSR1);                       /* ignored: we are still here */
	io_signal(SIGUSR1, SIG_DFL);
	CHECK(disposition(SIGUSR1).sa_handler == SIG_DFL);

	sfd = io_sigpipe_open(sigs, 1);
	CHECK(sfd >= 0);
	sa = disposition(SIGUSR2);
	CHECK(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
	CHECK(sa.sa_flags & SA_RESTART);
	CHECK_INT(sa.sa_flags & SA_SIGINFO, 0);
	CHECK(mask_empty(&sa.sa_mask));
	pid = late_writer(fd, SIGUSR2, "late");        /* a signal, then the bytes */
	CHECK_INT(read(fd[0], buf, sizeof(buf)), 4);   /* restarted through the signal */
	CHECK_INT(io_sigpipe_take(), IO_SIG(SIGUSR2));
	late_done(pid, fd[0]);
	io_sigpipe_close();
	io_signal(SIGUSR2, SIG_DFL);
}

/* compat_fork: 0 in the child, whose parent is this process; the child's
 * pid here, and its exit seen by waitpid (it ends with SIGCHLD, as fork's
 * children do: waitpid without __WALL finds it). */
static void io_compat_fork(void)
{
	pid_t me = getpid(), pid, got;
	int st;

	pid = compat_fork();
	if (pid == 0)
		_exit(getppid() == me && getpid() != me ? 7 : 1);
	CHECK(pid > 0);
	got = waitpid(-1, &st, 0);
	CHECK_INT(got, pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
}

void suite_io(void)
{
	TEST_RUN(io_lines_split_across_reads);
	TEST_RUN(io_lines_several_in_one_read);
	TEST_RUN(io_lines_exact_fit_and_one_over);
	TEST_RUN(io_lines_huge_line);
	TEST_RUN(io_lines_end_of_file);
	TEST_RUN(io_lines_eintr_eagain);
	TEST_RUN(io_lines_fill_when_full);
	TEST_RUN(io_lines_random_chunks);
	TEST_RUN(io_drop_cr_once);
	TEST_RUN(io_write_all_pipe);
	TEST_RUN(io_sigpipe_signals);
	TEST_RUN(io_signal_dispositions);
	TEST_RUN(io_compat_fork);
}
