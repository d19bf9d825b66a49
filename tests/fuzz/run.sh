#!/bin/sh
# make fuzz: runs each libFuzzer harness of DIR (DIR/fuzz_NAME) for SECONDS,
# one after another, on a working corpus DIR/corpus/NAME that starts as a
# copy of tests/fuzz/corpus/NAME and keeps what each run adds. Prints one
# line per harness (executions, executions per second, corpus size, result)
# and exits 1 if a harness found a crash (the input is DIR/crash-NAME-*).
# Usage: tests/fuzz/run.sh DIR SECONDS NAME...
# Env: FUZZ_ARGS, more libFuzzer options (e.g. -jobs is not for this box).
set -u
cd "$(dirname "$0")/../.." || exit 2
dir=$1 secs=$2
shift 2
found=0
printf '%-12s %12s %9s %7s  %s\n' harness executions exec/s corpus result
for h in "$@"; do
	work=$dir/corpus/$h log=$dir/fuzz_$h.log
	# Inputs up to 4 KiB where one input holds several datagrams (server) or a
	# whole DNS message; 1 KiB where every byte costs the most and the
	# readers' own limits are half of it (client: the longest line a server
	# sends is OUT_LINE_MAX, 672; resolvconf: RESOLV_LINE_MAX, 512; ctl:
	# CTLSOCK_MAX_REQ, 600; irc: IRC_LINE_MAX, 512, without IRCv3 tags). The
	# corpus's longer seeds still run in replay.
	case $h in
	server | dns) maxlen=4096 ;;
	*) maxlen=1024 ;;
	esac
	mkdir -p "$work"
	cp tests/fuzz/corpus/"$h"/* "$work"/
	# -close_fd_mask=3: the harness's own writes (logs, the client's
	# screen) are dropped; libFuzzer's and the sanitizers' reports are kept
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$dir/fuzz_$h" -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=3 \
		-max_len="$maxlen" -artifact_prefix="$dir/crash-$h-" ${FUZZ_ARGS:-} \
		"$work" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" = 0 ]; then
		result="no finding"
	else
		result="FOUND (exit $rc): see $log and $dir/crash-$h-*"
		found=1
	fi
	printf '%-12s %12s %9s %7s  %s\n' "$h" "${execs:-?}" "${rate:-?}" \
		"$(find "$work" -type f | wc -l)" "$result"
done
exit $found
