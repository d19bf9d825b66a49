/* replay.c: runs a harness without libFuzzer: each file named on the command
 * line (or each file in a directory named there) is one input. Prints
 * "ok fuzz-NAME (N inputs)" for tests/run.sh, or "not ok" when a file cannot
 * be read; a crash is ASan's or UBSan's report and a non-zero exit. The
 * harness's own output (logs, the client's screen) goes to /dev/null. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	static uint8_t buf[1 << 20];
	uint8_t *copy;
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(fd);
	/* exactly len bytes on the heap, as libFuzzer does: reads past the end show */
	copy = malloc(len + (len == 0)); /* malloc(0) may be NULL */
	if (!copy)
		return -1;
	memcpy(copy, buf, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "?";
	int err = dup(2), null = open("/dev/null", O_WRONLY), i, count = 0, bad = 0;
	FILE *out;

	if (err < 0 || null < 0 || !(out = fdopen(err, "w")))
		return 2;
	/* reports (ASan, UBSan) to the real stderr; the harness's writes nowhere */
	__sanitizer_set_report_fd((void *)(intptr_t)err);
	dup2(null, 1);
	dup2(null, 2);
	for (i = 2; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char path[4096];

		if (stat(argv[i], &st) < 0) {
			fprintf(out, "# cannot read %s\n", argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		d = opendir(argv[i]);
		while (d && (e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (replay_file(path) < 0) {
				fprintf(out, "# cannot read %s\n", path);
				bad++;
			}
			count++;
		}
		if (d)
			closedir(d);
	}
	if (bad || count == 0)
		fprintf(out, "not ok fuzz-%s (%d inputs, %d unreadable)\n", name, count, bad);
	else
		fprintf(out, "ok fuzz-%s (%d inputs)\n", name, count);
	fflush(out);
	return bad || count == 0;
}
