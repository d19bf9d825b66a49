/* wrap.c: counts heap allocations of the process that loads it, for the
 * allocation-count build (make alloccount, linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free and the aligned
 * allocators: --wrap=aligned_alloc,--wrap=posix_memalign,--wrap=memalign).
 *
 * When the environment names a file in UDPCHAT_ALLOC_LOG, the process that
 * started (not a forked child) writes there at exit:
 *   wrapped 1          the wrappers are in the call path (self-test: each
 *                      of the six allocators counted one call of its own)
 *   allocations N      malloc + calloc + realloc + aligned_alloc +
 *                      posix_memalign + memalign calls since start-up
 *                      (libc may build one on another: then one call is
 *                      counted twice, the same way every time)
 *   frees N            free calls with a non-NULL pointer
 *   libc_allocations N   musl's internal __libc_malloc/calloc/realloc calls
 *                      (time zone, locale, atexit...), when the link also
 *                      wraps those names; one call may be counted in both
 * Without UDPCHAT_ALLOC_LOG it only counts. Counters are plain integers:
 * the server is single-threaded; a forked child has its own copy. */
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__real_memalign(size_t align, size_t n);
/* weak: not every libc has these internal names */
void *__real___libc_malloc(size_t n) __attribute__((weak));
void *__real___libc_calloc(size_t n, size_t size) __attribute__((weak));
void *__real___libc_realloc(void *p, size_t n) __attribute__((weak));

static unsigned long alloc_count, free_count, libc_count;
static int alloc_wrapped;
static pid_t alloc_pid;

void *__wrap_malloc(size_t n)
{
	alloc_count++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	alloc_count++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	alloc_count++;
	return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	alloc_count++;
	return __real_aligned_alloc(align, n);
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
	alloc_count++;
	return __real_posix_memalign(p, align, n);
}

void *__wrap_memalign(size_t align, size_t n)
{
	alloc_count++;
	return __real_memalign(align, n);
}

void __wrap_free(void *p)
{
	if (p)
		free_count++;
	__real_free(p);
}

void *__wrap___libc_malloc(size_t n)
{
	libc_count++;
	return __real___libc_malloc(n);
}

void *__wrap___libc_calloc(size_t n, size_t size)
{
	libc_count++;
	return __real___libc_calloc(n, size);
}

void *__wrap___libc_realloc(void *p, size_t n)
{
	libc_count++;
	return __real___libc_realloc(p, n);
}

/* Calls one allocator and frees what it gave; returns 1 when exactly that
 * allocator's wrapper counted it (at least one call: libc may build one
 * allocator on another, each wrapped). */
static int alloc_probe(int which)
{
	unsigned long before = alloc_count;
	void *volatile p = NULL;
	void *q = NULL;

	switch (which) {
	case 0: p = malloc(16); break;
	case 1: p = calloc(1, 16); break;
	case 2: p = realloc(NULL, 16); break;
	case 3: p = aligned_alloc(64, 64); break;
	case 4: if (posix_memalign(&q, 64, 64) == 0) p = q; break;
	default: p = memalign(64, 64); break;
	}
	free(p);
	/* the compiler assumes malloc leaves our globals alone: make it look again */
	__asm__ __volatile__("" ::: "memory");
	return alloc_count > before;
}

__attribute__((constructor)) static void alloc_start(void)
{
	int i;

	/* this file's own calls are wrapped too: proves the link flags */
	alloc_wrapped = 1;
	for (i = 0; i < 6; i++)
		alloc_wrapped &= alloc_probe(i);
	alloc_count = 0;
	free_count = 0;
	libc_count = 0;
	alloc_pid = getpid();
}

__attribute__((destructor)) static void alloc_report(void)
{
	const char *path = getenv("UDPCHAT_ALLOC_LOG");
	char buf[160];
	int fd, len;

	if (!path || !*path || getpid() != alloc_pid)
		return;
	/* snprintf to a stack buffer and write(2): no stdio buffer to allocate */
	len = snprintf(buf, sizeof buf,
		       "wrapped %d\nallocations %lu\nfrees %lu\nlibc_allocations %lu\n",
		       alloc_wrapped, alloc_count, free_count, libc_count);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (len > 0 && write(fd, buf, (size_t)len) != len) {
		/* a short report is caught by the test reading it */
	}
	close(fd);
}
