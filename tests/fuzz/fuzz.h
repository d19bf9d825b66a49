/* fuzz.h: what every harness in tests/fuzz shares. A harness defines
 * LLVMFuzzerTestOneInput (libFuzzer's entry point); `make fuzz` links it with
 * libFuzzer (clang), `make fuzz-replay` with tests/fuzz/replay.c (gcc), which
 * feeds it the committed corpus. Harnesses that need a static function of a
 * program include that program's .c file: the product needs no seam. */
#ifndef UCHAT_FUZZ_H
#define UCHAT_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a little-endian 16-bit length at *p; a lone last byte is taken
 * whole (length 0), so that a loop over records always ends. */
static inline size_t fuzz_len16(const uint8_t **p, const uint8_t *end)
{
	size_t n;

	if (end - *p < 2) {
		*p = end;
		return 0;
	}
	n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
	*p += 2;
	return n;
}

#endif
