# Sourced by the tests/board suites: "ok NAME" / "not ok NAME" lines
# shellcheck shell=sh
# (tests/run.sh counts them) and small waiting helpers. POSIX sh.

# ok NAME / notok NAME [WHY...]
ok() { echo "ok $1"; }
notok() {
	n=$1
	shift
	echo "not ok $n"
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

# check NAME CMD...: ok when CMD succeeds
check() {
	n=$1
	shift
	if "$@"; then ok "$n"; else notok "$n" "failed: $*"; fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; status 0 once it succeeds,
# 1 when the time is up. Time-bounded so that a hang cannot eat CI.
wait_until() {
	w_left=$(($1 * 10))
	shift
	while ! "$@"; do
		w_left=$((w_left - 1))
		[ "$w_left" -gt 0 ] || return 1
		sleep 0.1
	done
}

# holds SECONDS CMD...: CMD keeps succeeding, checked every 0.1 s for that
# long (a negative check over a window, not one snapshot); 1 at its first failure
holds() {
	h_left=$(($1 * 10))
	shift
	while [ "$h_left" -gt 0 ]; do
		"$@" || return 1
		h_left=$((h_left - 1))
		sleep 0.1
	done
}

# gone PID: true once PID is no longer a live process (a zombie counts as gone
# only for processes that are not ours: our children are reaped by wait)
gone() { ! kill -0 "$1" 2>/dev/null; }

# stop_pid PID: SIGTERM, then SIGKILL after 3 s; for processes this suite started
stop_pid() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null || return 0
	wait_until 3 gone "$1" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# free_udp_port: a UDP port on 127.0.0.1 that nothing listens on now, below
# the kernel's ephemeral range (32768 up): a socket bound to port 0 meanwhile
# is never handed it
free_udp_port() {
	while :; do
		p=$(($(od -An -N2 -tu2 /dev/urandom) % 22000 + 10000))
		ss -Hlun "sport = :$p" 2>/dev/null | grep -q . || break
	done
	echo "$p"
}

# diag FILE [N]: a file's last N (20) lines, for notok's diagnostics
diag() { [ -f "$1" ] && tail -n "${2:-20}" "$1"; }
