/* fuzz_resolvconf.c: the readers of /etc/resolv.conf and /etc/hosts (files
 * that a board's DHCP client or its user writes): resolv_reader over a file
 * (long lines skipped, a last line without "\n"), resolv_cfg_line
 * (nameserver, search/domain, options), resolv_hosts_line, then the search
 * candidates of a name under the configuration read.
 *
 * Input: the file's bytes; the same bytes are read as resolv.conf and as
 * hosts, the hosts file looked up for one of four names (the first byte's
 * low two bits choose), the search candidates made for all four. The file
 * is a memfd, rewritten for each input. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/resolv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "host", "localhost", "a.b", "x.example.com." };
	static int fd = -1;
	struct resolv_cfg conf;
	struct net_addr out[RESOLV_MAX_ADDRS];
	char cand[RESOLV_NAME_MAX + 1];
	size_t i;
	int k, n;

	if (fd < 0)
		fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) < 0)
		abort();
	resolv_cfg_read(&conf, fd);
	if (conf.nns < 1 || conf.nns > RESOLV_MAX_NS || conf.nsearch < 0 ||
	    conf.nsearch > RESOLV_MAX_SEARCH)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (k = 0; resolv_candidate(&conf, names[i], k, cand) != 0; k++)
			if (strlen(cand) > RESOLV_NAME_MAX)
				abort();
	if (lseek(fd, 0, SEEK_SET) < 0)
		abort();
	n = resolv_hosts_read(fd, names[size ? data[0] & 3 : 0], out, RESOLV_MAX_ADDRS);
	if (n < 0 || n > RESOLV_MAX_ADDRS)
		abort();
	return 0;
}
