/* compat.h: what one C library has and another lacks, decided here once. */
#ifndef UCHAT_COMPAT_H
#define UCHAT_COMPAT_H

#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>

/* compat_fork: fork() as the system call itself with musl (clone where the
 * architecture has no fork, as musl's own _Fork does): musl's _Fork also
 * takes its abort lock and blocks signals around the call, and resets the
 * thread descriptor in the child (its tid, robust list, thread count),
 * which a single-threaded program that never calls raise(), abort() nor
 * pthreads does not need (0.6 kB of musl, with sigaction's share: io.c).
 * The child's descriptor keeps the parent's tid: raise() in it would
 * signal the parent. With glibc (2.34+), _Fork(); with uClibc-ng (which
 * also defines __GLIBC__) and older glibc, fork(): glibc's descriptor is
 * used by more of the library. Same child and return value either way.
 * COMPAT_USE_FORK (-DCOMPAT_USE_FORK) forces the fork() path: the tests
 * build that path on Debian's glibc. */
#if !defined(COMPAT_USE_FORK) && defined(__GLIBC__)
#if defined(__UCLIBC__) || !__GLIBC_PREREQ(2, 34)
#define COMPAT_USE_FORK 1
#endif
#endif

static inline pid_t compat_fork(void)
{
#if defined(COMPAT_USE_FORK)
	return fork();
#elif defined(__GLIBC__)
	return _Fork();
#elif defined(SYS_fork)
	return (pid_t)syscall(SYS_fork);
#else
	return (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
#endif
}

#endif
