/* test.h: the unit tests' harness. Each suite file exports one function that
 * runs its tests with TEST_RUN; a CHECK that fails records file:line and a
 * message and marks the running test failed. The test binary prints
 * "ok NAME" / "not ok NAME" per test (the contract of tests/run.sh), then
 * "N passed, N failed", and exits 1 if any test failed. Each test runs in a
 * child process of its own (fork), bounded by 30 s times
 * UDPCHAT_TIMEOUT_SCALE: one that hangs is "not ok NAME: timed out after Ns",
 * one that crashes "not ok NAME: killed by signal N", and the rest still run.
 * A test therefore sees the state main() started with, never what an earlier
 * test left behind. */
#ifndef UCHAT_TEST_H
#define UCHAT_TEST_H
#include <stddef.h>

/* Records a failed check at file:line with a printf-style message. */
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Runs fn as the test called name, in a child process with a deadline, and
 * prints its result line. */
void test_run(const char *name, void (*fn)(void));
/* Prints a "# ..." diagnostic line (ignored by tests/run.sh's counters). */
void test_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Hex-escaped copy of s[0..len) for messages; one of a few rotating buffers. */
const char *test_esc(const char *s, size_t len);

#define TEST_RUN(fn) test_run(#fn, fn)

#define CHECK(cond) \
	do { if (!(cond)) test_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define CHECK_MSG(cond, ...) \
	do { if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define CHECK_INT(got, want) \
	do { long long g_ = (long long)(got), w_ = (long long)(want); \
	     if (g_ != w_) test_fail(__FILE__, __LINE__, "%s is %lld, want %lld", \
				     #got, g_, w_); } while (0)
/* Strings that may be NULL (NULL equals only NULL). */
#define CHECK_STR(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
	     if (!test_str_eq(g_, w_)) test_fail(__FILE__, __LINE__, \
		"%s is \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)", \
		w_ ? w_ : "(null)"); } while (0)
/* A span (pointer + length) against a NUL-terminated string. */
#define CHECK_SPAN(p_, len_, want) \
	do { const char *w_ = (want); size_t l_ = (len_); \
	     if (!test_mem_eq((p_), l_, w_)) test_fail(__FILE__, __LINE__, \
		"%s is \"%s\" (%zu bytes), want \"%s\"", #p_, test_esc((p_), l_), \
		l_, test_esc(w_, test_strlen(w_))); } while (0)

int test_str_eq(const char *a, const char *b);
int test_mem_eq(const char *p, size_t len, const char *s);
size_t test_strlen(const char *s);

/* Removes every member (giving uthash's tables back to the arena), then
 * room_init(max). room_init alone drops the tables of a non-empty
 * room without freeing them: fine once at start-up, a leak for tests. */
void test_room_reset(unsigned max);

/* The suites, one per module (tests/unit/test_MODULE.c). */
void suite_proto(void);
void suite_bridge(void);
void suite_utf8(void);
void suite_room(void);
void suite_ratelimit(void);
void suite_fanout(void);
void suite_catalog(void);
void suite_fmt(void);
void suite_net(void);
void suite_resolv(void);
void suite_priv(void);
void suite_opt(void);
void suite_term(void);
void suite_ctlsock(void);
void suite_seqwin(void);
void suite_io(void);
void suite_ring(void);
void suite_irc(void);
void suite_webhttp(void);

#endif
