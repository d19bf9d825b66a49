/* test_opt.c: opt_next against the POSIX getopt rules the three programs
 * rely on: clusters, attached and separate values, "--", a lone "-", the
 * first operand ending the options, and both kinds of error. */
#include <stdio.h>
#include <string.h>

#include "opt.h"
#include "test.h"

/* Runs opt_next over argv (NULL-terminated) with spec and writes what it
 * returned into out as items "c", "c=value", "?x" or ":x", space-separated;
 * returns the index of the first operand (o.ind at the end). */
static int opt_trace(char **argv, const char *spec, char *out, size_t size)
{
	struct opt o = OPT_INIT;
	size_t len = 0;
	int argc = 0, c;

	while (argv[argc])
		argc++;
	out[0] = '\0';
	while ((c = opt_next(&o, argc, argv, spec)) != -1 && len + 64 < size) {
		if (c == '?' || c == ':')
			len += (size_t)snprintf(out + len, size - len, "%s%c%c", len ? " " : "", c, o.opt);
		else if (o.arg)
			len += (size_t)snprintf(out + len, size - len, "%s%c=%s", len ? " " : "", c, o.arg);
		else
			len += (size_t)snprintf(out + len, size - len, "%s%c", len ? " " : "", c);
	}
	return o.ind;
}

#define TRACE(want, want_ind, spec, ...) \
	do { char *av_[] = { "prog", __VA_ARGS__, NULL }; char got_[256]; \
	     int ind_ = opt_trace(av_, spec, got_, sizeof(got_)); \
	     CHECK_STR(got_, want); CHECK_INT(ind_, want_ind); } while (0)

static void opt_values(void)
{
	TRACE("p=9000 S", 4, "p:Sh", "-p", "9000", "-S");
	TRACE("p=9000", 2, "p:Sh", "-p9000");
	TRACE("S p=9000", 2, "p:Sh", "-Sp9000");
	TRACE("S p=9000", 3, "p:Sh", "-Sp", "9000");
	TRACE("S h", 2, "p:Sh", "-Sh");
	TRACE("p=-S", 3, "p:Sh", "-p", "-S");   /* a value may start with '-' */
	TRACE("p=", 3, "p:Sh", "-p", "");       /* an empty value is a value */
}

static void opt_operands(void)
{
	TRACE("S", 2, "p:S", "-S", "host", "-p", "1");  /* the first operand ends options */
	TRACE("S", 3, "p:S", "-S", "--", "-p");          /* "--" ends them and is skipped */
	TRACE("", 1, "p:S", "-", "-S");                  /* a lone "-" is an operand */
	TRACE("", 1, "p:S", "host");
	{
		char *av[] = { "prog", NULL };
		struct opt o = OPT_INIT;

		CHECK_INT(opt_next(&o, 1, av, "p:"), -1);
		CHECK_INT(o.ind, 1);
	}
}

static void opt_errors(void)
{
	TRACE("?x S", 3, "p:S", "-x", "-S");
	TRACE("S ?x", 2, "p:S", "-Sx");
	TRACE(":p", 2, "p:S", "-p");                     /* missing value, last argument */
	TRACE("S :p", 2, "p:S", "-Sp");
	TRACE("?:", 2, "p:S", "-:");                     /* ':' is never an option */
	TRACE("?\xc3 ?\xa9", 2, "p:S", "-\xc3\xa9");     /* bytes, one at a time */
	/* a value is never taken past argc, even if argv goes on */
	{
		char *av[] = { "prog", "-p", "9000", NULL };
		struct opt o = OPT_INIT;

		CHECK_INT(opt_next(&o, 2, av, "p:"), ':');
		CHECK_INT(o.opt, 'p');
		CHECK(o.arg == NULL);
		CHECK_INT(opt_next(&o, 2, av, "p:"), -1);
	}
}

/* opt_name: printable ASCII as it is, every other byte as \xNN. */
static void opt_names(void)
{
	struct opt o = OPT_INIT;
	char b[OPT_NAME_MAX];

	o.opt = 'p';
	CHECK_STR(opt_name(&o, b), "-p");
	o.opt = '~';
	CHECK_STR(opt_name(&o, b), "-~");
	o.opt = 0xc3;
	CHECK_STR(opt_name(&o, b), "-\\xc3");
	o.opt = 0x7f;
	CHECK_STR(opt_name(&o, b), "-\\x7f");
	o.opt = ' ';
	CHECK_STR(opt_name(&o, b), "-\\x20");
	o.opt = 0x1b; /* ESC: never raw to a terminal */
	CHECK_STR(opt_name(&o, b), "-\\x1b");
}

void suite_opt(void)
{
	TEST_RUN(opt_values);
	TEST_RUN(opt_operands);
	TEST_RUN(opt_errors);
	TEST_RUN(opt_names);
}
