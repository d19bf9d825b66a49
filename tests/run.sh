#!/bin/sh
# Runs every suite and prints one closing line "N passed, N failed".
# A suite is a command that prints "ok NAME" / "not ok NAME" lines (TAP-like);
# anything else it prints is passed through as diagnostics.
# Env: SUITES="unit e2e ..." to run a subset.
set -u
cd "$(dirname "$0")/.." || exit 2
out=$(mktemp -d /tmp/udpchat-test.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM

# name|command ; each is run with a time bound so a hang cannot eat CI
suites() {
	echo "unit|build/host/test_unit"
	echo "unit-asan|build/asan/test_unit"
	echo "e2e|python3 tests/e2e/run.py build/host"
	echo "e2e-asan|python3 tests/e2e/run.py build/asan"
	echo "fuzz-replay|sh tests/fuzz/replay.sh build/asan"
	echo "cppcheck|sh tests/cppcheck.sh"
	for f in tests/board/*.sh tests/bench/*.sh; do
		[ -f "$f" ] && echo "$(basename "$f" .sh)|sh $f"
	done
}

pass=0 fail=0
suites > "$out/list"
while IFS='|' read -r name cmd; do
	if [ -n "${SUITES:-}" ]; then
		case " $SUITES " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "# suite $name: $cmd"
	# shellcheck disable=SC2086 # cmd is a command line: split on purpose
	timeout 600 $cmd > "$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log"
	p=$(grep -c '^ok ' "$out/$name.log")
	f=$(grep -c '^not ok ' "$out/$name.log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok $name: suite exited with status $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f))
done < "$out/list"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
