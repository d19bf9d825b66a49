/* ctl.c: udpchatctl, the operator's tool: say, who, kick and stats over the
 * server's control socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "bounds.h"
#include "ctlsock.h"
#include "fmt.h"
#include "io.h"
#include "log.h"
#include "opt.h"
#include "progs.h"
#include "utf8.h"

/* udpchatctl -h, one call: each request's line is "  %-10s  HELP\n" with its
 * usage as the argument, so a help text holds no '%'. The usage line says
 * "say TEXT...": udpchatctl joins the words of a text. */
#define CTL_DOTS_CTLSOCK_ARGS_NONE
#define CTL_DOTS_CTLSOCK_ARGS_ONE
#define CTL_DOTS_CTLSOCK_ARGS_TEXT "..."
#define CTL_USAGE(name, usage, args, help) " | " usage CTL_DOTS_##args
#define CTL_HELP_FMT(name, usage, args, help) "  %-10s  " help "\n"
#define CTL_HELP_ARG(name, usage, args, help) , usage

static void ctl_usage(int fd)
{
	fmt_dprintf(fd,
		"usage: udpchatctl [-c PATH] %s\n"
		"Talks to a running udpchatd over its control socket.\n"
		CTLSOCK_REQUESTS(CTL_HELP_FMT)
		"  -c PATH     control socket (default " CTLSOCK_DEFAULT_PATH ")\n"
		"  -h          show this help\n"
		"  -V          show the version\n"
		"Exit status: 0 done, 1 refused or no server, 2 bad usage.\n",
		CTLSOCK_REQUESTS(CTL_USAGE) + 3 CTLSOCK_REQUESTS(CTL_HELP_ARG));
}

/* How many words follow a request's word (-1: one or more, a text), or -2
 * if argv0 is no request's word. */
#define CTL_NARGS_CTLSOCK_ARGS_NONE 0
#define CTL_NARGS_CTLSOCK_ARGS_ONE  1
#define CTL_NARGS_CTLSOCK_ARGS_TEXT -1
#define CTL_WANT(name, usage, args, help) strcmp(argv0, #name) == 0 ? CTL_NARGS_##args :
static int ctl_want(const char *argv0)
{
	return CTLSOCK_REQUESTS(CTL_WANT) -2;
}

/* Builds the request line from the command words into req (size n).
 * Returns its length, or dies with status 2 on bad usage. */
static size_t ctl_request(int argc, char **argv, char *req, size_t n)
{
	size_t len = 0, w;
	long bad;
	int i, want;

	if (argc < 1)
		log_die(2, "missing command: %s (see -h)", CTLSOCK_USAGES + 3);
	want = ctl_want(argv[0]);
	if (want == -2)
		log_die(2, "unknown command '%s': %s (see -h)", argv[0], CTLSOCK_USAGES + 3);
	if (want == -1 && argc < 2)
		log_die(2, "%s needs the text", argv[0]);
	if (want >= 0 && argc - 1 != want)
		log_die(2, "%s takes %s", argv[0], want ? "one argument" : "no arguments");
	for (i = 0; i < argc; i++) {
		w = strlen(argv[i]);
		bad = utf8_check_text(argv[i], w);
		/* the server would refuse these; say why before connecting */
		if (bad < 0)
			log_die(2, "arguments must be valid UTF-8");
		if (bad > 0)
			log_die(2, "arguments must not contain control characters (0x%02lx)", bad - 1);
		if (len + w + 2 > n)
			log_die(2, "request too long (announcements are at most %d bytes)",
				PROTO_MAX_LINE);
		if (i)
			req[len++] = ' ';
		memcpy(req + len, argv[i], w);
		len += w;
	}
	req[len++] = '\n';
	return len;
}

int ctl_main(int argc, char **argv)
{
	const char *path = CTLSOCK_DEFAULT_PATH;
	char req[PROTO_MAX_LINE + 64], buf[4096], last[8] = "";
	struct sockaddr_un sun;
	struct timeval tv = { 5, 0 };
	size_t len, lastlen = 0;
	ssize_t n, i;
	struct opt o = OPT_INIT;
	char on[OPT_NAME_MAX];
	int c, fd, at_line_start = 1;

	while ((c = opt_next(&o, argc, argv, "c:hV")) != -1) {
		switch (c) {
		case 'c': path = o.arg; break;
		case 'h': ctl_usage(1); return 0;
		case 'V': fmt_dprintf(1, "udpchatctl %s\n", UCHAT_VERSION); return 0;
		default: /* '?' or ':' */
			log_die(2, c == ':' ? "option %s needs a value (see -h)" : "unknown option %s (see -h)",
				opt_name(&o, on));
		}
	}
	len = ctl_request(argc - o.ind, argv + o.ind, req, sizeof(req));

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		log_die(2, "control socket path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path));   /* the NUL: memset */
	fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		log_die(1, "socket: %s", fmt_strerror(errno));
	if (memcmp(req, "bridge ", 7) != 0) /* a bridge's events come when they come */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		log_die(1, "cannot connect to %s: %s (is udpchatd running? -c PATH)",
			path, fmt_strerror(errno));
	if (sendto(fd, req, len, MSG_NOSIGNAL, NULL, 0) != (ssize_t)len)
		log_die(1, "cannot send to %s: %s", path, fmt_strerror(errno));

	/* copy the reply out; remember how its last line starts */
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (io_write_all(1, buf, (size_t)n) < 0)
			return 1; /* stdout closed: nobody is reading */
		for (i = 0; i < n; i++) {
			if (at_line_start)
				lastlen = 0;
			at_line_start = buf[i] == '\n';
			if (!at_line_start && lastlen < sizeof(last) - 1)
				last[lastlen++] = buf[i];
			last[lastlen] = '\0';
		}
	}
	if (n < 0)
		log_die(1, "no reply from %s: %s", path, fmt_strerror(errno));
	close(fd);
	if (memcmp(last, "+OK", 3) == 0)
		return 0;
	if (memcmp(last, "-ERR", 4) != 0)
		log_warn("incomplete reply from %s", path);
	return 1;
}
