/* test_priv.c: udpchatd -u's user lookup: UID[:GID], /etc/passwd lines, and
 * a whole passwd file read through the line reader (priv_drop needs root and
 * is tested end to end, tests/e2e/test_privileges.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"
#include "test.h"

static int line(const char *l, const char *name, struct priv_user *u)
{
	return priv_passwd_line(l, strlen(l), name, u);
}

static void test_passwd_line(void)
{
	struct priv_user u = { 7, 7 };

	CHECK_INT(line("udpchat:x:101:102:udpchat daemon:/var/empty:/bin/false", "udpchat", &u), 1);
	CHECK_INT(u.uid, 101);
	CHECK_INT(u.gid, 102);
	CHECK_INT(line("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin", "nobody", &u), 1);
	CHECK_INT(u.uid, 65534);
	CHECK_INT(line("a::1:2:::", "a", &u), 1); /* empty password and rest */
	CHECK_INT(u.uid, 1);
	CHECK_INT(u.gid, 2);
	CHECK_INT(line("a:x:3:4", "a", &u), 0);   /* no field after GID: not a passwd line */
	u.uid = u.gid = 7;
	/* other names, prefixes of the name, and malformed lines leave u alone */
	CHECK_INT(line("udpchat:x:101:102::/:", "udp", &u), 0);
	CHECK_INT(line("udp:x:101:102::/:", "udpchat", &u), 0);
	CHECK_INT(line("udpchat", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x:101", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x::102::/:", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x:1o1:102::/:", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x:101:-1::/:", "udpchat", &u), 0);
	CHECK_INT(line("udpchat:x:4294967295:1::/:", "udpchat", &u), 0); /* (uid_t)-1 */
	CHECK_INT(line("# udpchat:x:101:102::/:", "udpchat", &u), 0);
	CHECK_INT(u.uid, 7);
	CHECK_INT(u.gid, 7);
	CHECK_INT(line("big:x:4294967294:4294967294::/:", "big", &u), 1);
	CHECK(u.uid == (uid_t)4294967294UL);
}

static void test_lookup_numbers(void)
{
	struct priv_user u = { 0, 0 };

	CHECK_INT(priv_lookup("65534", "/nonexistent", &u), 0);
	CHECK_INT(u.uid, 65534);
	CHECK_INT(u.gid, 65534); /* GID defaults to UID */
	CHECK_INT(priv_lookup("1000:100", "/nonexistent", &u), 0);
	CHECK_INT(u.uid, 1000);
	CHECK_INT(u.gid, 100);
	/* root drops nothing; bad numbers are names, and there is no such file */
	CHECK_INT(priv_lookup("0", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup("0:5", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup("", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup("12:", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup(":12", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup("4294967295", "/nonexistent", &u), -1);
	CHECK_INT(priv_lookup("nobody", "/nonexistent", &u), -1);
}

static void test_lookup_file(void)
{
	char path[] = "/tmp/udpchat-unit-passwd.XXXXXX";
	static const char text[] =
		"root:x:0:0:root:/root:/bin/sh\n"
		"# a comment\n"
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
		"udpchat:x:101:102:udpchat daemon:/var/empty:/bin/false\n"
		"udpchat:x:201:202:a second line of the same name:/:/bin/false\n"
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"; /* no final '\n' */
	struct priv_user u = { 0, 0 };
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, text, sizeof(text) - 1), (long long)sizeof(text) - 1);
	close(fd);
	CHECK_INT(priv_lookup("udpchat", path, &u), 0);
	CHECK_INT(u.uid, 101); /* the first line of a name counts */
	CHECK_INT(u.gid, 102);
	CHECK_INT(priv_lookup("nobody", path, &u), 0);
	CHECK_INT(u.uid, 65534);
	CHECK_INT(priv_lookup("daemon", path, &u), 0);
	CHECK_INT(u.uid, 1);
	CHECK_INT(priv_lookup("root", path, &u), -1); /* found, but root */
	CHECK_INT(priv_lookup("udp", path, &u), -1);
	CHECK_INT(priv_lookup("# a comment", path, &u), -1);
	unlink(path);
}

void suite_priv(void)
{
	TEST_RUN(test_passwd_line);
	TEST_RUN(test_lookup_numbers);
	TEST_RUN(test_lookup_file);
}
