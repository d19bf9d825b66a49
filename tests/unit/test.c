/* test.c: the harness (test.h) and main(), which runs every suite. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static int test_passed, test_failed, test_cur_failed;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	test_cur_failed++;
}

void test_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void test_run(const char *name, void (*fn)(void))
{
	test_cur_failed = 0;
	fn();
	if (test_cur_failed) {
		printf("not ok %s (%d failed checks)\n", name, test_cur_failed);
		test_failed++;
	} else {
		printf("ok %s\n", name);
		test_passed++;
	}
	fflush(stdout);
}

int test_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

size_t test_strlen(const char *s)
{
	return s ? strlen(s) : 0;
}

int test_mem_eq(const char *p, size_t len, const char *s)
{
	return len == test_strlen(s) && (len == 0 || memcmp(p, s, len) == 0);
}

const char *test_esc(const char *s, size_t len)
{
	static char bufs[4][256];
	static unsigned next;
	char *b = bufs[next++ % 4];
	size_t i, o = 0;

	for (i = 0; i < len && o + 5 < sizeof(bufs[0]); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			b[o++] = (char)c;
		else
			o += (size_t)snprintf(b + o, 5, "\\x%02x", c);
	}
	if (i < len && o + 4 <= sizeof(bufs[0])) {
		memcpy(b + o, "...", 3);
		o += 3;
	}
	b[o] = '\0';
	return b;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	suite_proto();
	suite_utf8();
	suite_catalog();
	suite_ratelimit();
	suite_room();
	suite_fanout();
	suite_fmt();
	suite_resolv();
	suite_opt();
	suite_ctlsock();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
