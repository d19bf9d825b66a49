#!/bin/sh
# Every cross target: `make TARGET=T` gives a static, stripped binary for T's
# machine, and the basic end-to-end chat tests (tests/e2e/run.py --basic:
# join, duplicate name, chat, admin notice, leave, netcat) pass against T's
# own udpchatd run under qemu-user: the binary users copy is the one tested;
# and the unit tests, built for T, pass on T's CPU under qemu-user.
# mipsel runs the whole end-to-end suite (tests that need POLLERR, which
# qemu-user loses, skip themselves).
# Env: CROSS_TARGETS="aarch64 mipsel" to run a subset of targets;
#      UDPCHAT_TIMEOUT_SCALE: every wait of a test run under qemu (default 4);
#      CROSS_FULL_E2E="..." the targets that run the whole suite (default mipsel).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/board/lib/tap.sh

S=cross
# every target is a cross/T.mk; the Makefile lists them and reads their facts
mk() { make -s --no-print-directory "$@"; }
TARGETS=${CROSS_TARGETS:-$(mk print-CROSS_TARGETS)}
# targets that run the whole end-to-end suite, not only --basic: mipsel, the
# router target, 32-bit, with the most unusual build (MIPS16e, LTO)
FULL=${CROSS_FULL_E2E-mipsel}
mkdir -p build
make -s cross-deps >build/cross-deps.log 2>&1 || {
	notok "$S: make cross-deps" "$(diag build/cross-deps.log)"
	exit 1
}

# machine T: the ELF machine readelf names for target T (cross/T.mk)
machine() { mk TARGET="$1" print-CROSS_ELF_MACHINE; }

for t in $TARGETS; do
	b=build/$t
	if ! make -s -j2 TARGET="$t" >"build/cross-$t.log" 2>&1; then
		notok "$S: make TARGET=$t" "$(diag "build/cross-$t.log")"
		continue
	fi
	f=$b/udpchatmulti
	h=$(readelf -h "$f" 2>&1)
	l=$(readelf -l "$f" 2>&1)
	sy=$(readelf -S "$f" 2>&1)
	m=$(machine "$t")
	if [ -n "$m" ] && echo "$h" | grep -q "Machine:.*$m" &&
		echo "$h" | grep -q 'Type:.*EXEC' &&
		! echo "$l" | grep -q -e INTERP -e DYNAMIC &&
		! echo "$sy" | grep -q '\.symtab'; then
		ok "$S: make TARGET=$t gives a static stripped $m binary ($(wc -c <"$f" | tr -d ' ') bytes)"
	else
		notok "$S: make TARGET=$t gives a static stripped ${m:-(no CROSS_ELF_MACHINE in cross/$t.mk)} binary" \
			"$(echo "$h" | grep -e Machine -e Type)" "$(echo "$l" | grep -e INTERP -e DYNAMIC)"
	fi
	for p in udpchatd udpchat udpchatctl; do
		[ "$(readlink "$b/$p")" = udpchatmulti ] || notok "$S: $b/$p is a link to udpchatmulti"
	done
	# the qemu-user that runs T's binaries, from cross/T.mk
	wrap=$(mk TARGET="$t" print-QEMU_USER)
	# every wait of the e2e harness and every unit test's deadline is
	# multiplied by UDPCHAT_TIMEOUT_SCALE: qemu-user runs the tests' binaries
	# several times slower than the host (default 4 under qemu, else 1)
	if [ -n "$wrap" ]; then scale=${UDPCHAT_TIMEOUT_SCALE:-4}; else scale=${UDPCHAT_TIMEOUT_SCALE:-1}; fi
	# the whole suite with 3 workers: under qemu most of a test's time is
	# waiting (scaled timers), so a third worker overlaps the waits
	case " $FULL " in *" $t "*) subset='' jobs=3 ;; *) subset=--basic jobs=2 ;; esac
	UDPCHAT_WRAP=$wrap UDPCHAT_TIMEOUT_SCALE=$scale timeout 300 python3 tests/e2e/run.py "$b" $subset -j "$jobs" >"build/cross-$t.e2e" 2>&1
	rc=$?
	# one line per test, named after the target
	sed -e "s|^ok |ok $S: $t${wrap:+ under $wrap}: |" -e "s|^not ok |not ok $S: $t${wrap:+ under $wrap}: |" \
		"build/cross-$t.e2e"
	n=$(grep -c '^ok ' "build/cross-$t.e2e")
	if [ "$rc" != 0 ] || [ "$n" = 0 ]; then
		notok "$S: $t: e2e ${subset:-(all)} exited with status $rc after $n passing tests"
	fi
	# the unit tests built for T and run on T's CPU: word size and byte
	# order bugs (a %zu read as 64 bits on a 32-bit board) show up here
	if ! make -s TARGET="$t" unit >"build/cross-$t.unit-build" 2>&1; then
		notok "$S: make TARGET=$t unit" "$(diag "build/cross-$t.unit-build")"
		continue
	fi
	# shellcheck disable=SC2086 # $wrap is empty for the host's own machine
	UDPCHAT_TIMEOUT_SCALE=$scale timeout 300 $wrap "$b/test_unit" >"build/cross-$t.unit" 2>&1
	rc=$?
	sed -n -e "s|^ok |ok $S: $t unit: |p" -e "s|^not ok |not ok $S: $t unit: |p" "build/cross-$t.unit"
	n=$(grep -c '^ok ' "build/cross-$t.unit")
	if [ "$rc" != 0 ] || [ "$n" = 0 ]; then
		notok "$S: $t: unit tests exited with status $rc after $n passing tests" "$(diag "build/cross-$t.unit")"
	fi
done
