/* admin.h: the operator's announcements from the server's standard input,
 * read by a forked child and handed to the relay over a pipe (never through
 * the UDP socket, so no LAN user can forge one). */
#ifndef UCHAT_ADMIN_H
#define UCHAT_ADMIN_H
#include <sys/types.h>

#include "bounds.h"
#include "io.h"

/* Forks the reader. In the child, closes the fds in close_fds[0..n), reads
 * stdin line by line, checks each (length, UTF-8, control characters; errors
 * go to stderr) and writes good ones to the pipe; exits at EOF. Returns the
 * child's pid and the pipe's read end in *rfd, or -1 (errno set). */
pid_t admin_start(int *rfd, const int *close_fds, int n);

/* The relay's end of the pipe; starts zeroed (static). */
struct admin_reader {
	struct io_lines in;
	char buf[2 * PROTO_MAX_LINE + 2];
};

/* Reads what the pipe fd has (once: poll said it is readable) and calls
 * fn(line, len, arg) for each complete line. Returns 0 while the pipe is
 * open, -1 at EOF or error. */
int admin_read(int fd, struct admin_reader *r,
	       void (*fn)(const char *line, size_t len, void *arg), void *arg);

#endif
