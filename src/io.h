/* io.h: the ground floor of every program: the one write-all, the one
 * reader of lines (with one rule for a line too long to hold), and the one
 * signal self-pipe. Includes nothing of udpchat's but libc: anything may
 * use it. */
#ifndef UCHAT_IO_H
#define UCHAT_IO_H
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes all len bytes of buf to fd, continuing a partial write and retrying
 * EINTR. Returns 0, or -1 when write fails or writes nothing (errno set by
 * write when it failed; EAGAIN also when a send timeout, SO_SNDTIMEO, ran
 * out). The program ignores SIGPIPE where fd may be a socket or a pipe whose
 * reader can go away. */
int io_write_all(int fd, const void *buf, size_t len);

/* --- lines ------------------------------------------------------------- */

/* A reader of lines from fd through a buffer the caller owns (static memory;
 * nothing is allocated): buf[0..size) holds a line of at most size - 1 bytes
 * and its "\n". The fields are the reader's own; eof, partial and skip may
 * be read. */
struct io_lines {
	char *buf;
	size_t size;
	size_t start, end;  /* read, not yet handed out: buf[start..end) */
	size_t skip;        /* > 0: inside a line too long, its bytes so far */
	int fd;
	int eof;            /* read() returned 0 (io_lines_read: or failed) */
	int partial;        /* the line last handed out had no "\n" (end of file) */
};

/* What io_lines_next and io_lines_read return. */
enum io_line {
	IO_NONE = 0,   /* no whole line yet; with eof set: none will come */
	IO_LINE = 1,   /* a line: *line, *len */
	IO_LONG = 2    /* a line longer than size - 1 bytes: *len is its whole
			* length (to its "\n"); its bytes are gone (*line
			* points at nothing of use) */
};

/* Starts a reader of fd over buf[0..size), size >= 2; fd -1 reads as an empty
 * file. */
void io_lines_init(struct io_lines *l, int fd, char *buf, size_t size);

/* Reads once from the fd (retrying EINTR) into the buffer, after moving the
 * bytes not yet handed out to its start. Call io_lines_next until it
 * returns IO_NONE first: lines handed out stay valid until the next fill.
 * Returns the bytes read; 0 at end of file (eof is set); -1 with errno
 * (EAGAIN: nothing now, on a non-blocking fd, or lines still wait in a full
 * buffer: take them first). */
ssize_t io_lines_fill(struct io_lines *l);

/* Hands out the next line of what was read, in order, each exactly once:
 * IO_LINE with *line pointing into the buffer and *len its length, "\n"
 * removed, a "\r" before it kept (io_drop_cr), NUL bytes kept, not
 * NUL-terminated; at end of file, the bytes after the last "\n" too, if
 * there are any (partial set: "a\nb" is two lines, "a\n" one). IO_LONG for
 * a line longer than size - 1 bytes, once its end ("\n" or end of file) is
 * read, with *len its whole length: never cut into pieces nor cut short;
 * the next line is handed out whole as usual. IO_NONE when no whole line
 * is buffered (fill, or at eof: done). */
int io_lines_next(struct io_lines *l, const char **line, size_t *len);

/* io_lines_next, filling from a blocking fd as needed. Returns IO_LINE or
 * IO_LONG as io_lines_next, or IO_NONE at end of file (eof set; a read error
 * ends the input as end of file does), or on a non-blocking fd with nothing
 * now (eof not set). */
int io_lines_read(struct io_lines *l, const char **line, size_t *len);

/* The length of line[0..len) without one trailing "\r" (CRLF input). */
static inline size_t io_drop_cr(const char *line, size_t len)
{
	return len > 0 && line[len - 1] == '\r' ? len - 1 : len;
}

/* --- the signal self-pipe ------------------------------------------------ */

/* The bit of signal s (1..31) in what io_sigpipe_take returns. */
#define IO_SIG(s) (1u << (s))

/* Catches the signals sigs[0..n) (each 1..31, SA_RESTART): the handler sets
 * the signal's flag and writes its number as one byte to a non-blocking,
 * close-on-exec pipe, saving errno, and does nothing else (a full pipe loses
 * the byte, never the flag). One pipe per process. Returns its read end, to
 * poll for POLLIN, or -1 with errno. */
int io_sigpipe_open(const int *sigs, int n);

/* Moves len bytes from src down to dst (dst <= src; they may overlap), a
 * byte at a time: memmove for the line buffers (never the relay path),
 * without musl's memmove (0.4 kB). */
void io_move_down(char *dst, const char *src, size_t len);

/* sigprocmask(how, set, old) as the system call (musl's pthread_sigmask
 * and sigprocmask go; no threads here). */
int io_sigmask(int how, const sigset_t *set, sigset_t *old);

/* Sets sig's disposition to handler (SIG_IGN or SIG_DFL; no flags): what
 * signal() does, without musl's signal(). */
void io_signal(int sig, void (*handler)(int));

/* Empties the pipe. Returns the signals caught since the last call, as
 * IO_SIG bits (0: none). */
unsigned io_sigpipe_take(void);

/* Closes both ends (a forked child that leaves the signals to its parent;
 * the handlers stay, the caller resets them). */
void io_sigpipe_close(void);

#endif
