/* log.c: one-line messages to stderr or syslog. The syslog client is our
 * own few lines: libc's pulls in time zones and strftime, which a board's
 * syslogd (BusyBox, rsyslog) does not need: it stamps the time itself. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "fmt.h"
#include "io.h"
#include "log.h"

/* The longest line logged, "NAME: " or "<PRI>NAME[PID]: " and "\n"
 * included. One buffer of it on the stack, not two: the relay's stack is
 * deepest when it logs a join. */
#define LOG_LINE_MAX 640

static const char *log_name = "udpchat";
static int log_syslog, log_fd = -1;

/* (Re)connects to /dev/log; returns 0 or -1. The address is as long as
 * its path and NUL (a struct sockaddr_un would be a 110-byte template to
 * copy). */
static int log_connect(void)
{
	static const struct {
		sa_family_t family;
		char path[sizeof("/dev/log")];
	} sun = { AF_UNIX, "/dev/log" };

	if (log_fd < 0)
		log_fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_fd < 0)
		return -1;
	if (connect(log_fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(log_fd);
		log_fd = -1;
		return -1;
	}
	return 0;
}

void log_set_name(const char *name)
{
	log_name = name;
}

void log_use_syslog(const char *ident)
{
	log_name = ident;
	log_syslog = 1;
	log_connect(); /* now, while the path is surely reachable */
}

/* Formats "NAME: message", or with syslog "<PRI>NAME[PID]: message" and
 * sends it to syslogd (reconnecting once: syslogd restarted), falling back
 * to stderr without the "<PRI>". One write: lines never mix. */
static void log_v(int prio, const char *fmt, va_list ap)
{
	char buf[LOG_LINE_MAX], *p = buf;
	int n, m, tries;

	if (log_syslog)
		n = fmt_snprintf(buf, sizeof(buf), "<%d>%s[%d]: ", LOG_DAEMON | prio, log_name, (int)getpid());
	else
		n = fmt_snprintf(buf, sizeof(buf), "%s: ", log_name);
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	m = fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (m > 0)
		n += m;
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	for (tries = 0; log_syslog && tries < 2; tries++) {
		if ((log_fd >= 0 || log_connect() == 0) &&
		    sendto(log_fd, buf, (size_t)n, MSG_NOSIGNAL, NULL, 0) == n)
			return;
		if (log_fd >= 0) { /* syslogd restarted: reconnect once */
			close(log_fd);
			log_fd = -1;
		}
	}
	if (log_syslog)
		p = (char *)memchr(buf, '>', (size_t)n) + 1;
	buf[n] = '\n';
	(void)io_write_all(2, p, (size_t)(buf + n + 1 - p));
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_ERR, fmt, ap);
	va_end(ap);
	exit(status);
}
