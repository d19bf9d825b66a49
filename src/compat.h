/* compat.h: what one C library has and another lacks, decided here once. */
#ifndef UCHAT_COMPAT_H
#define UCHAT_COMPAT_H

#include <unistd.h>

/* compat_fork: _Fork() where the C library has it (musl 1.2.2+, glibc
 * 2.34+), else fork() (uClibc-ng, which also defines __GLIBC__, and older
 * glibc: both Buildroot choices). Same child and return value either way:
 * _Fork only skips the atfork handlers and libc-wide locks, which a
 * single-threaded program does not need (4 kB of a static musl binary).
 * COMPAT_USE_FORK (-DCOMPAT_USE_FORK) forces the fork() path: the tests
 * build that path on Debian's glibc. */
#if !defined(COMPAT_USE_FORK) && defined(__GLIBC__)
#if defined(__UCLIBC__) || !__GLIBC_PREREQ(2, 34)
#define COMPAT_USE_FORK 1
#endif
#endif

static inline pid_t compat_fork(void)
{
#ifdef COMPAT_USE_FORK
	return fork();
#else
	return _Fork();
#endif
}

#endif
