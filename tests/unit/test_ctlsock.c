/* test_ctlsock.c: the control socket's reader, deadlines and slots, and what
 * ctlsock_open may replace (ctlsock.c), over real Unix sockets in /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bounds.h"
#include "ctlsock.h"
#include "test.h"

/* A connection in c whose peer end is *peer. */
static void ctlsock_pair(struct ctlsock_conn *c, int *peer)
{
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	memset(c, 0, sizeof(*c));
	ctlsock_start(c, sv[0], 0);
	*peer = sv[1];
}

/* What the server wrote to peer before closing, NUL-terminated in buf. */
static const char *ctlsock_reply(int peer, char *buf, size_t n)
{
	ssize_t got = recv(peer, buf, n - 1, MSG_DONTWAIT); /* written before: never waits */

	buf[got > 0 ? got : 0] = '\0';
	return buf;
}

static void ctlsock_read_requests(void)
{
	struct ctlsock_conn c;
	char buf[256];
	int peer;

	ctlsock_pair(&c, &peer);
	CHECK_INT(ctlsock_read(&c), 0);                 /* nothing yet */
	CHECK_INT(write(peer, "sa", 2), 2);
	CHECK_INT(ctlsock_read(&c), 0);                 /* not a whole line */
	CHECK_INT(write(peer, "y hi\r\n", 6), 6);
	CHECK_INT(ctlsock_read(&c), 1);
	CHECK_STR(c.req, "say hi");
	ctlsock_printf(&c, "+OK sent to %d members", 0);
	ctlsock_finish(&c);
	CHECK_INT(c.fd, -1);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), "+OK sent to 0 members\n");
	close(peer);

	/* a NUL anywhere in the line: refused, not cut there */
	ctlsock_pair(&c, &peer);
	CHECK_INT(write(peer, "say x\0y\n", 8), 8);
	CHECK_INT(ctlsock_read(&c), -1);
	CHECK_INT(c.fd, -1);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), "-ERR request contains a NUL byte\n");
	close(peer);
	ctlsock_pair(&c, &peer);
	CHECK_INT(write(peer, "\0\n", 2), 2);
	CHECK_INT(ctlsock_read(&c), -1);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), "-ERR request contains a NUL byte\n");
	close(peer);

	/* the peer goes away before a whole line */
	ctlsock_pair(&c, &peer);
	CHECK_INT(write(peer, "who", 3), 3);
	close(peer);
	CHECK_INT(ctlsock_read(&c), 0);                 /* "who", then the end */
	CHECK_INT(ctlsock_read(&c), -1);
	CHECK_INT(c.fd, -1);
}

static void ctlsock_read_too_long(void)
{
	char big[CTLSOCK_MAX_REQ + 2], buf[256], want[256];
	struct ctlsock_conn c;
	int peer, i;

	/* one byte too many: refused with its length once its end has come */
	ctlsock_pair(&c, &peer);
	memset(big, 'a', sizeof(big));
	CHECK_INT(write(peer, big, CTLSOCK_MAX_REQ + 1), CTLSOCK_MAX_REQ + 1);
	CHECK_INT(ctlsock_read(&c), 0);
	CHECK_INT(write(peer, "\n", 1), 1);
	CHECK_INT(ctlsock_read(&c), -1);
	CHECK_INT(c.fd, -1);
	snprintf(want, sizeof(want), "-ERR request too long (%d bytes, max %d)\n",
		 CTLSOCK_MAX_REQ + 1, CTLSOCK_MAX_REQ);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), want);
	close(peer);
	/* 5 kB in pieces, the end by the peer going away: the whole length */
	ctlsock_pair(&c, &peer);
	for (i = 0; i < 10; i++) {
		CHECK_INT(write(peer, big, 500), 500);
		CHECK_INT(ctlsock_read(&c), 0);
	}
	shutdown(peer, SHUT_WR);
	CHECK_INT(ctlsock_read(&c), -1);
	snprintf(want, sizeof(want), "-ERR request too long (5000 bytes, max %d)\n", CTLSOCK_MAX_REQ);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), want);
	close(peer);
	/* too long and no end within the deadline: told so, not "no request" */
	ctlsock_pair(&c, &peer);
	c.since_ms = 0;
	CHECK_INT(write(peer, big, CTLSOCK_MAX_REQ + 1), CTLSOCK_MAX_REQ + 1);
	CHECK_INT(ctlsock_read(&c), 0);
	CHECK_INT(ctlsock_expire(&c, 1, CTLSOCK_REQ_MS, -1), -1);
	CHECK_INT(c.fd, -1);
	snprintf(want, sizeof(want), "-ERR request too long (%d bytes so far, max %d), "
		 "and no end within %d ms\n", CTLSOCK_MAX_REQ + 1, CTLSOCK_MAX_REQ, CTLSOCK_REQ_MS);
	CHECK_STR(ctlsock_reply(peer, buf, sizeof(buf)), want);
	close(peer);
	/* exactly the longest request and a newline fit */
	ctlsock_pair(&c, &peer);
	big[CTLSOCK_MAX_REQ] = '\n';
	CHECK_INT(write(peer, big, CTLSOCK_MAX_REQ + 1), CTLSOCK_MAX_REQ + 1);
	CHECK_INT(ctlsock_read(&c), 1);
	CHECK_INT((int)strlen(c.req), CTLSOCK_MAX_REQ);
	ctlsock_finish(&c);
	close(peer);
}

static void ctlsock_deadlines(void)
{
	struct ctlsock_conn s[3];
	char buf[256];
	int peer[2];

	ctlsock_pair(&s[0], &peer[0]);
	ctlsock_pair(&s[1], &peer[1]);
	s[2].fd = -1;
	s[0].since_ms = 1000;
	s[1].since_ms = 2000;
	/* nothing due: the nearest deadline, or the caller's timeout if sooner */
	CHECK_INT(ctlsock_expire(s, 3, 1000, -1), CTLSOCK_REQ_MS);
	CHECK_INT(ctlsock_expire(s, 3, 1500, -1), CTLSOCK_REQ_MS - 500);
	CHECK_INT(ctlsock_expire(s, 3, 1500, 7), 7);
	CHECK_INT(s[0].fd >= 0 && s[1].fd >= 0, 1);
	/* the first is due: told and closed; the second's deadline is next */
	CHECK_INT(ctlsock_expire(s, 3, 1000 + CTLSOCK_REQ_MS, -1), 1000);
	CHECK_INT(s[0].fd, -1);
	CHECK_INT(s[1].fd >= 0, 1);
	snprintf(buf, sizeof(buf), "-ERR no request within %d ms\n", CTLSOCK_REQ_MS);
	{
		char got[256];
		CHECK_STR(ctlsock_reply(peer[0], got, sizeof(got)), buf);
	}
	CHECK_INT(ctlsock_expire(s, 3, 2000 + CTLSOCK_REQ_MS, -1), -1);
	CHECK_INT(s[1].fd, -1);
	close(peer[0]);
	close(peer[1]);
}

static void ctlsock_slots_and_paths(void)
{
	char dir[] = "/tmp/udpchat-unit.XXXXXX", path[128], err[256], buf[256];
	struct ctlsock_conn s[2];
	int lfd, peers[3], i, fd;
	struct sockaddr_un sun;

	if (!mkdtemp(dir)) {
		CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/ctl", dir);
	/* a regular file is left alone */
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHECK_INT(write(fd, "x\n", 2), 2);
	close(fd);
	CHECK_INT(ctlsock_open(path, err, sizeof(err)), -1);
	snprintf(buf, sizeof(buf), "%s exists and is not a socket; not replacing it", path);
	CHECK_STR(err, buf);
	fd = open(path, O_RDONLY);
	CHECK_INT(read(fd, buf, sizeof(buf)), 2);
	close(fd);
	unlink(path);
	/* a stale socket is replaced */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_INT(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	lfd = ctlsock_open(path, err, sizeof(err));
	CHECK_MSG(lfd >= 0, "stale socket not replaced: %s", err);
	/* two slots, three connections: the third takes the oldest one's slot */
	s[0].fd = s[1].fd = -1;
	for (i = 0; i < 3; i++) {
		peers[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK_INT(connect(peers[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
		CHECK_INT(ctlsock_accept(lfd, s, 2, 100 + i), 0);
	}
	CHECK_STR(ctlsock_reply(peers[0], buf, sizeof(buf)),
		  "-ERR busy: 2 connections wait for their request\n");
	CHECK_INT((int)s[0].since_ms + (int)s[1].since_ms, 101 + 102);
	for (i = 0; i < 2; i++)
		ctlsock_finish(&s[i]);
	for (i = 0; i < 3; i++)
		close(peers[i]);
	/* a live socket is not replaced */
	CHECK_INT(ctlsock_open(path, err, sizeof(err)), -1);
	CHECK_INT(strstr(err, "another udpchatd is running") != NULL, 1);
	ctlsock_close(lfd, path);
	CHECK_INT(access(path, F_OK), -1);
	rmdir(dir);
}

void suite_ctlsock(void)
{
	TEST_RUN(ctlsock_read_requests);
	TEST_RUN(ctlsock_read_too_long);
	TEST_RUN(ctlsock_deadlines);
	TEST_RUN(ctlsock_slots_and_paths);
}
