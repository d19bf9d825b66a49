/* opt.c: see opt.h. */
#include <string.h>

#include "fmt.h"
#include "opt.h"

/* Steps past the current argument when its cluster is used up. */
static void opt_step(struct opt *o, const char *a)
{
	if (!a[o->pos]) {
		o->ind++;
		o->pos = 0;
	}
}

int opt_next(struct opt *o, int argc, char **argv, const char *spec)
{
	const char *a, *s;
	int c;

	o->arg = 0;
	if (o->ind >= argc)
		return -1;
	a = argv[o->ind];
	if (o->pos == 0) {
		if (a[0] != '-' || a[1] == '\0')
			return -1;
		if (a[1] == '-' && a[2] == '\0') {
			o->ind++;
			return -1;
		}
		o->pos = 1;
	}
	c = (unsigned char)a[o->pos++];
	o->opt = c;
	s = c == ':' ? 0 : memchr(spec, c, strlen(spec));
	if (!s || s[1] != ':') {
		opt_step(o, a);
		return s ? c : '?';
	}
	if (a[o->pos])
		o->arg = a + o->pos;
	else if (o->ind + 1 < argc)
		o->arg = argv[++o->ind];
	o->ind++;
	o->pos = 0;
	return o->arg ? c : ':';
}

const char *opt_name(const struct opt *o, char *buf)
{
	if (o->opt > ' ' && o->opt < 0x7f)
		fmt_snprintf(buf, OPT_NAME_MAX, "-%c", o->opt);
	else
		fmt_snprintf(buf, OPT_NAME_MAX, "-\\x%02x", (unsigned)o->opt & 0xff);
	return buf;
}
