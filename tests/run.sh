#!/bin/sh
# Runs every suite and ends with one closing line "N passed, N failed, N skipped".
# A suite is a command that prints "ok NAME" / "not ok NAME" lines (TAP-like);
# "ok NAME # SKIP reason" is a skip, not a pass; anything else it prints is
# passed through as diagnostics.
# Each suite's time follows its output ("# suite NAME took N s"). Before the
# closing line: how many distinct tests ran beside how many runs.
# The same test runs on several builds and targets (e2e on build/host,
# build/asan and under qemu for each cross target; the unit tests likewise):
# a test's distinct name is its name with the build or target part removed.
# Env: SUITES="unit e2e ..." to run a subset.
set -u
cd "$(dirname "$0")/.." || exit 2
out=$(mktemp -d /tmp/udpchat-test.XXXXXX)
trap 'rm -rf "$out"' EXIT INT TERM

# name|seconds|command ; each is run with a time bound so a hang cannot eat
# CI (every test inside is bounded on its own as well); cross runs every
# target under qemu with waits scaled by UDPCHAT_TIMEOUT_SCALE
suites() {
	echo "unit|600|build/host/test_unit"
	echo "unit-asan|600|build/asan/test_unit"
	# -j 3 on 2 cores: many tests mostly wait (IRC pacing, timers, loss
	# recovery), so a third worker overlaps the waits (every test is bounded
	# and polls with deadlines that tolerate a loaded machine)
	echo "e2e|600|python3 tests/e2e/run.py build/host -j 3"
	echo "e2e-asan|600|python3 tests/e2e/run.py build/asan --no-long -j 3"
	echo "fuzz-replay|600|sh tests/fuzz/replay.sh build/asan"
	echo "cppcheck|600|sh tests/cppcheck.sh"
	echo "man|300|sh tests/man.sh"
	for f in tests/board/*.sh; do
		n=$(basename "$f" .sh)
		case $n in cross) t=1200 ;; *) t=600 ;; esac
		[ -f "$f" ] && echo "$n|$t|sh $f"
	done
}

# the cross targets (cross/*.mk) and their ELF machines, as alternatives
# of a sed pattern: aarch64\|armel\|...
mk() { make -s --no-print-directory "$@"; }
alt() { tr ' ' '\n' | sed '/^$/d' | paste -s -d '|' - | sed 's/|/\\|/g'; }
targets=$(mk print-CROSS_TARGETS)
machines=$(for t in $targets; do mk TARGET="$t" print-CROSS_ELF_MACHINE; done | sort -u | alt)
targets=$(echo "$targets" | alt)

# distinct SUITE < results > names: each result line's test name without
# the build or target it ran on ("unit: NAME", "e2e: NAME", or the suite's
# own name with target and machine names replaced by T and M)
distinct() {
	case $1 in
	unit | unit-asan) sed -e 's/^\(not \)\{0,1\}ok /unit: /' ;;
	e2e | e2e-asan) sed -e 's/^\(not \)\{0,1\}ok /e2e: /' ;;
	*) sed -e 's/^\(not \)\{0,1\}ok //' \
		-e 's/^cross: [a-z0-9_]* unit: /unit: /' \
		-e 's/^cross: [a-z0-9_]*\( under [^:]*\)\{0,1\}: \([a-z0-9_]*\.test_\)/e2e: \2/' \
		-e "s/\\($targets\\)/T/g" \
		-e "s/\\($machines\\)/M/g" \
		-e 's/ ([^)]*)$//' ;;
	esac | sed -e 's/ *# .*//' -e 's/: \(timed out after\|killed by signal\|exit status\|fork failed\).*//' -e 's/ ([0-9]* failed checks)$//'
}

pass=0 fail=0 skip=0
: > "$out/names"
suites > "$out/list"
while IFS='|' read -r name secs cmd; do
	if [ -n "${SUITES:-}" ]; then
		case " $SUITES " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "# suite $name: $cmd"
	t0=$(date +%s)
	# shellcheck disable=SC2086 # cmd is a command line: split on purpose
	timeout "$secs" $cmd > "$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log"
	echo "# suite $name took $(($(date +%s) - t0)) s"
	s=$(grep -c '^ok .*# SKIP' "$out/$name.log")
	p=$(($(grep -c '^ok ' "$out/$name.log") - s))
	f=$(grep -c '^not ok ' "$out/$name.log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		if [ "$rc" = 124 ]; then
			echo "not ok $name: suite timed out after ${secs}s"
		else
			echo "not ok $name: suite exited with status $rc"
		fi
		f=1
	fi
	grep -e '^ok ' -e '^not ok ' "$out/$name.log" | distinct "$name" >> "$out/names"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done < "$out/list"

runs=$(wc -l < "$out/names")
tests=$(sort -u "$out/names" | wc -l)
echo "# $((tests)) distinct tests in $((runs)) runs (a test run on several builds or targets counts once: its name without the build or target)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
