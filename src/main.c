/* main.c: the multi-call entry point. Dispatches on basename(argv[0]), or on
 * argv[1] when called as udpchatmulti (the BusyBox / dropbearmulti habit).
 * The Makefile's PROGS picks the programs held: -DUCHAT_PROG_NAME for each,
 * and UCHAT_PROGS, their names split by '|' for the usage line; without
 * them (a build by hand), all three. */
#include <string.h>

#include "fmt.h"
#include "log.h"
#include "progs.h"

#ifndef UCHAT_PROGS
#define UCHAT_PROG_udpchatd
#define UCHAT_PROG_udpchat
#define UCHAT_PROG_udpchatctl
#define UCHAT_PROGS "udpchatd|udpchat|udpchatctl"
#endif

static const struct {
	const char *name;
	int (*main)(int, char **);
} progs[] = {
#ifdef UCHAT_PROG_udpchatd
	{ "udpchatd", server_main },
#endif
#ifdef UCHAT_PROG_udpchat
	{ "udpchat", client_main },
#endif
#ifdef UCHAT_PROG_udpchatctl
	{ "udpchatctl", ctl_main },
#endif
#ifdef UCHAT_PROG_udpchatirc
	{ "udpchatirc", ircbot_main },
#endif
#ifdef UCHAT_PROG_udpchatweb
	{ "udpchatweb", web_main },
#endif
};

static const char *base(const char *path)
{
	const char *s = path;

	for (; *path; path++)
		if (*path == '/')
			s = path + 1;
	return s;
}

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? base(argv[0]) : "udpchatmulti";
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
			if (strcmp(name, progs[i].name) == 0) {
				log_set_name(progs[i].name);
				return progs[i].main(argc, argv);
			}
		}
		if (pass == 0 && argc > 1) { /* udpchatmulti PROG ARGS... */
			argc--;
			argv++;
			name = base(argv[0]);
		}
	}
	fmt_dprintf(2, "usage: udpchatmulti " UCHAT_PROGS " [ARGS...]\n"
			"  (or call it through a link of one of those names)\n");
	return 2;
}
