/* test.c: the harness (test.h) and main(), which runs every suite.
 * Each test runs in a child process of its own with a deadline (alarm), so
 * that a test that hangs or crashes is reported as that test's failure and
 * the others still run. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

static int test_passed, test_failed, test_cur_failed;
/* seconds a test may take: TEST_DEADLINE s times UDPCHAT_TIMEOUT_SCALE */
#ifndef TEST_DEADLINE
#define TEST_DEADLINE 30
#endif
static unsigned test_deadline = TEST_DEADLINE;

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

/* The child: runs fn under alarm(test_deadline) (SIGALRM's default action
 * ends it) and exits with the number of failed checks, at most 100. */
static void test_child(void (*fn)(void))
{
	alarm(test_deadline);
	test_cur_failed = 0;
	fn();
	fflush(stdout);
	exit(test_cur_failed > 100 ? 100 : test_cur_failed);
}

void test_run(const char *name, void (*fn)(void))
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("not ok %s: fork failed\n", name);
		test_failed++;
		return;
	}
	if (pid == 0)
		test_child(fn);
	while (waitpid(pid, &st, 0) < 0) {
		/* EINTR only: nothing else can fail for our own child */
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		printf("not ok %s: timed out after %us\n", name, test_deadline);
	else if (WIFSIGNALED(st))
		printf("not ok %s: killed by signal %d\n", name, WTERMSIG(st));
	else if (WEXITSTATUS(st) > 100)
		printf("not ok %s: exit status %d (a sanitizer's report?)\n", name,
		       WEXITSTATUS(st));
	else if (WEXITSTATUS(st))
		printf("not ok %s (%d failed checks)\n", name, WEXITSTATUS(st));
	else
		printf("ok %s\n", name);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		test_passed++;
	else
		test_failed++;
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
	const char *sc = getenv("UDPCHAT_TIMEOUT_SCALE");
	unsigned tenths = 0, frac = 0;

	/* "4" or "1.5", read in tenths: no floating point, which the size
	 * flags of some targets (-mgeneral-regs-only) rule out */
	for (; sc && *sc >= '0' && *sc <= '9' && tenths < 10000; sc++)
		tenths = tenths * 10 + (unsigned)(*sc - '0');
	tenths *= 10;
	if (sc && *sc == '.' && sc[1] >= '0' && sc[1] <= '9')
		frac = (unsigned)(sc[1] - '0');
	tenths += frac;
	if (tenths >= 10 && tenths <= 1000)
		test_deadline = TEST_DEADLINE * tenths / 10;
	setvbuf(stdout, NULL, _IOLBF, 0);
	suite_io();
	suite_ring();
	suite_proto();
	suite_utf8();
	suite_catalog();
	suite_ratelimit();
	suite_room();
	suite_fanout();
	suite_fmt();
	suite_net();
	suite_resolv();
	suite_priv();
	suite_opt();
	suite_term();
	suite_ctlsock();
	suite_bridge();
	suite_seqwin();
	suite_irc();
	suite_webhttp();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed ? 1 : 0;
}
