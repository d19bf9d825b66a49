#!/bin/sh
# The fuzz-replay suite of tests/run.sh: feeds the committed corpus
# (tests/fuzz/corpus/NAME) to each harness built with gcc, ASan and UBSan and
# without libFuzzer (make fuzz-replay: build/asan/fuzz_NAME). One "ok" /
# "not ok" line per harness; a sanitizer report fails it.
# Usage: tests/fuzz/replay.sh [BUILD]   (default build/asan)
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build/asan}
rc=0
for dir in tests/fuzz/corpus/*/; do
	h=$(basename "$dir")
	if [ ! -x "$build/fuzz_$h" ]; then
		echo "not ok fuzz-$h: no $build/fuzz_$h (make fuzz-replay)"
		rc=1
		continue
	fi
	out=$("$build/fuzz_$h" "$h" "$dir" 2>&1)
	st=$?
	case $out in
	*"ok fuzz-$h"*) ;;
	*) out="not ok fuzz-$h" ;;
	esac
	if [ "$st" != 0 ]; then
		# the sanitizer's report, then the verdict tests/run.sh counts
		printf '%s\n' "$out" | grep -v "^ok fuzz-" | sed 's/^/# /'
		echo "not ok fuzz-$h (exit $st)"
		rc=1
	else
		printf '%s\n' "$out"
	fi
done
exit $rc
