/* noipv6.c: runs a program as on a kernel without IPv6 (booted with
 * ipv6.disable=1, or built without it): its socket(AF_INET6, ...) fails
 * with EAFNOSUPPORT, as there; every other call works as usual.
 *
 *     noipv6 PROGRAM [ARG]...
 *
 * A seccomp filter (with no_new_privs: no root needed) on the host's
 * socket call, then execvp. It holds for PROGRAM and all it starts, and
 * for a program run by qemu-user too (qemu makes the host's socket call
 * for its guest's). Built by tests/e2e/test_disco.py with the host's gcc;
 * a host of another architecture than those below fails to build it
 * ("noipv6: no seccomp architecture"), and the test is skipped. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(__ILP32__)
#define NOIPV6_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define NOIPV6_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define NOIPV6_ARCH AUDIT_ARCH_RISCV64
#else
#error "noipv6: no seccomp architecture for this host"
#endif

/* The low 32 bits of the socket call's first argument, the family
 * (these architectures are little-endian). */
#define NOIPV6_ARG0 offsetof(struct seccomp_data, args[0])

int main(int argc, char **argv)
{
	struct sock_filter filter[] = {
		/* another architecture's call (a 32-bit one): allowed */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NOIPV6_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NOIPV6_ARG0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof filter / sizeof filter[0], filter };

	if (argc < 2) {
		fputs("usage: noipv6 PROGRAM [ARG]...\n", stderr);
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("noipv6: seccomp");
		return 127;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
