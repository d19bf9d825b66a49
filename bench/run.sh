#!/bin/sh
# bench/run.sh: `make bench`. Builds udpchatd (the shipped way: musl, -Os,
# static) and the bench tools (gcc -O2) into build/bench/, then measures
# udpchatd side by side with the reference relay (bench/refrelay.c) on
# 127.0.0.1 and prints the table of docs/PERFORMANCE.md.
#
# Env: BENCH_REPS (runs per shape and relay, best kept; default 4),
#      BENCH_LAT_REPS (latency runs per relay, in pairs; default 9),
#      BENCH_SHAPES ("M:S:Z ..." members:senders:text bytes; default: issue 4's),
#      BENCH_WINDOW (messages in flight, default 64: a full window of 400-byte
#      messages fits a relay socket's default 208 KiB receive buffer),
#      BENCH_PARTS (default "tp v11 lat size cg loss scaleout"), BENCH_KEEP=1 to keep the logs,
#      BENCH_SCALEOUT_S (part scaleout's seconds of chat, default 30),
#      BENCH_V11_SHAPES (part v11's shapes, default "100:1:32 1000:1:32 256:4:400"),
#      BENCH_V11_REPS (part v11's runs per shape and protocol, in pairs; default 6),
#      BENCH_V11_TICKS (the relay's CPU clock ticks each v11 run is sized for, default 300),
#      BENCH_WEB_SHAPES (part web's shapes, default "100:1:32"; not in the default
#      BENCH_PARTS: BENCH_PARTS=web), BENCH_WEB_PAGES (its open pages, default 32),
#      BENCH_WEB_NICE (udpchatweb's nice value in part web, default 0),
#      BENCH_UDPCHATD=PATH to measure another udpchatd build (e.g. a candidate
#      change) instead of building one from src/.
# Every load is bounded (message count and loadgen -T); every process started
# here is stopped by its PID.
set -u
cd "$(dirname "$0")/.." || exit 2
B=build/bench
LOG=$B/logs
REPS=${BENCH_REPS:-4}
LREPS=${BENCH_LAT_REPS:-9}
SHAPES=${BENCH_SHAPES:-"10:1:32 100:1:32 200:4:32 1000:1:32 10:1:400 100:1:400 200:4:400 1000:1:400 256:4:400"}
WINDOW=${BENCH_WINDOW:-64}
PARTS=${BENCH_PARTS:-"tp v11 lat size cg loss scaleout"}
V11_SHAPES=${BENCH_V11_SHAPES:-"100:1:32 1000:1:32 256:4:400"}
V11_REPS=${BENCH_V11_REPS:-6}
V11_TICKS=${BENCH_V11_TICKS:-300}
WEB_SHAPES=${BENCH_WEB_SHAPES:-"100:1:32"}
WEB_PAGES=${BENCH_WEB_PAGES:-32}
WEB_NICE=${BENCH_WEB_NICE:-0}
mkdir -p "$LOG"
rm -f "$LOG"/*

# --- build ---------------------------------------------------------------
UD=${BENCH_UDPCHATD:-}
if [ -z "$UD" ]; then
	echo "# building udpchatd into $B (musl-gcc -Os, static, unstripped for callgrind)"
	make -s BUILD=$B NOSTRIP=1 all >"$LOG/make.log" 2>&1 || { cat "$LOG/make.log"; echo "bench: udpchatd build failed"; exit 1; }
	UD=$B/udpchatd
else
	echo "# measuring $UD (BENCH_UDPCHATD)"
fi
strip -o $B/udpchatmulti.stripped "$(readlink -f "$UD")" || exit 1
for t in loadgen refrelay; do
	gcc -O2 -Wall -Wextra -Werror -o $B/$t bench/$t.c || { echo "bench: $t build failed"; exit 1; }
done

PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ "${BENCH_KEEP:-}" = 1 ] || rm -rf "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$((20000 + $$ % 20000))
next_port() { port=$((port + 1)); [ $port -lt 60000 ] || port=20000; }

# key=value from loadgen's line
kv() { awk -v k="$1" '{for (i = 1; i <= NF; i++) { n = index($i, "="); if (substr($i, 1, n - 1) == k) print substr($i, n + 1) }}' "$2" | tail -1; }

# start KIND MAXMEMBERS [WRAP...]: starts a relay on $port; sets RPID
start() {
	kind=$1 maxm=$2
	shift 2
	next_port
	if [ "$kind" = udpchatd ]; then
		CTL=$LOG/ctl.$port
		"$@" "$UD" -p $port -b 127.0.0.1 -m "$maxm" -t 0 -r 0 -c "$CTL" \
			</dev/null >"$LOG/relay.$port.log" 2>&1 &
	else
		"$@" $B/refrelay -p $port -m "$maxm" </dev/null >"$LOG/relay.$port.log" 2>&1 &
	fi
	RPID=$!
	PIDS="$PIDS $RPID"
}

stop() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$RPID" | tr '\n' ' ')
}

hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# utime + stime (clock ticks) from a copy of /proc/PID/stat (fields 14, 15;
# the name in parentheses may hold spaces)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$1" 2>/dev/null; }
HZ=$(getconf CLK_TCK)

# run KIND M S Z OUT [loadgen flags...]: one bounded run; loadgen line in OUT,
# udpchatd's VmHWM (kB) appended as hwm_kb=; with RUN_CPU=1 also the relay's
# CPU time (user + system) over the chat phase alone (sampled by loadgen's -x
# and -X, after the joins and after the last delivery) as relay_ticks= and
# deliveries per relay CPU-second as relay_dpc=
run() {
	kind=$1 m=$2 s=$3 z=$4 out=$5
	shift 5
	start "$kind" "$m"
	sleep 0.1
	if [ "${RUN_CPU:-}" = 1 ]; then
		set -- "$@" -x "cat /proc/$RPID/stat >$out.stat0" -X "cat /proc/$RPID/stat >$out.stat1"
	fi
	timeout 60 $B/loadgen -p $port -m "$m" -s "$s" -z "$z" "$@" >"$out" 2>>"$LOG/loadgen.log"
	rc=$?
	h=$(hwm "$RPID")
	stop
	[ $rc = 0 ] || echo "members=$m senders=$s size=$z failed=$rc" >"$out"
	echo " hwm_kb=${h:-0}" >>"$out"
	if [ "${RUN_CPU:-}" = 1 ]; then
		t0=$(ticks "$out.stat0") t1=$(ticks "$out.stat1")
		echo " $(awk -v a="${t0:-0}" -v b="${t1:-0}" -v d="$(kv delivered "$out")" -v hz="$HZ" \
			'BEGIN { t = b - a; printf "relay_ticks=%d relay_dpc=%.0f", t, (t > 0 ? d * hz / t : 0) }')" >>"$out"
	fi
}

msgs_for() { awk -v m="$1" 'BEGIN { n = int(2000000 / (m - 1)); if (n > 150000) n = 150000; if (n < 500) n = 500; print n }'; }

has() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
# stdin: lines "udpchatd_figure reference_figure", one per pair of runs;
# prints the median of their ratios (%.2f)
median_ratio() {
	awk '$2 > 0 { print $1 / $2 } $2 <= 0 { print 0 }' | sort -g |
		awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
TARGET_SHAPES="10:1:32 100:1:32 200:4:32 1000:1:32 10:1:400 100:1:400 200:4:400 1000:1:400"
: >"$LOG/verdicts"
verdict() { printf '%s  %s\n' "$1" "$2" >>"$LOG/verdicts"; }

if has tp; then
echo "# throughput: window of $WINDOW messages in flight, $REPS runs per relay in adjacent pairs;"
echo "#   deliveries/s and latency: the median run of each relay; ratio: the median of the pairs' ratios"
printf '%-10s %5s %12s %12s %6s %11s %17s %17s %8s\n' shape bytes "udpchatd/s" "reference/s" ratio "loss u/r" "p50/p99 ms (u)" "p50/p99 ms (ref)" "VmHWM kB"
for sh in $SHAPES; do
	m=${sh%%:*} rest=${sh#*:}
	s=${rest%%:*} z=${rest#*:}
	n=$(msgs_for "$m")
	i=0
	while [ $i -lt "$REPS" ]; do
		# the pair's order alternates so neither relay always runs first
		if [ $((i % 2)) = 0 ]; then pair="refrelay udpchatd"; else pair="udpchatd refrelay"; fi
		for kind in $pair; do
			run $kind "$m" "$s" "$z" "$LOG/tp.$sh.$kind.$i" -n "$n" -w "$WINDOW" -T 10
		done
		i=$((i + 1))
	done
	# median run of each by deliveries/s (the upper one of an even count);
	# loss is the worst over the runs
	median() { for f in "$LOG/tp.$sh.$1".*; do echo "$(kv dps "$f") $f"; done | sort -n |
		awk '{ f[NR] = $2 } END { print f[int(NR / 2) + 1] }'; }
	worstloss() { for f in "$LOG/tp.$sh.$1".*; do kv lost "$f"; done | sort -n | tail -1; }
	peak() { for f in "$LOG/tp.$sh.$1".*; do kv hwm_kb "$f"; done | sort -n | tail -1; }
	bu=$(median udpchatd) br=$(median refrelay)
	du=$(kv dps "$bu") dr=$(kv dps "$br")
	i=0
	r=$(while [ $i -lt "$REPS" ]; do
		echo "$(kv dps "$LOG/tp.$sh.udpchatd.$i") $(kv dps "$LOG/tp.$sh.refrelay.$i")"
		i=$((i + 1))
	done | median_ratio)
	printf '%-10s %5s %12s %12s %6s %11s %17s %17s %8s\n' "${m}x$s" "$z" "${du:-fail}" "${dr:-fail}" "$r" \
		"$(worstloss udpchatd)/$(worstloss refrelay)" \
		"$(awk -v a="$(kv p50_us "$bu")" -v b="$(kv p99_us "$bu")" 'BEGIN { printf "%.1f/%.1f", a / 1e3, b / 1e3 }')" \
		"$(awk -v a="$(kv p50_us "$br")" -v b="$(kv p99_us "$br")" 'BEGIN { printf "%.1f/%.1f", a / 1e3, b / 1e3 }')" \
		"$(peak udpchatd)"
	lu=$(worstloss udpchatd)
	case " $TARGET_SHAPES " in *" $sh "*)
		verdict "$(awk -v r="$r" -v l="${lu:-1}" 'BEGIN { print (r >= 0.85 && l == 0) ? "met   " : "MISSED" }')" \
			"${m}x$s ${z} B: deliveries/s ratio $r >= 0.85, loss ${lu:-?} = 0" ;;
	esac
	if [ "$m" -ge 1000 ]; then
		for f in "$LOG/tp.$sh.udpchatd".*; do break; done
		echo "           join phase, udpchatd: $m members joined in $(kv join_s "$f") s, $(kv join_lines "$f") lines in $(kv join_dgrams "$f") datagrams"
	fi
	if [ "$sh" = 256:4:400 ]; then
		h=$(peak udpchatd)
		verdict "$([ "${h:-999999}" -le 256 ] && echo "met   " || echo MISSED)" "peak RSS (VmHWM) ${h:-?} KiB <= 256 KiB with 256 members chatting"
	fi
done

fi

if has v11; then
echo
echo "# protocol v1.1: the same load to udpchatd with every member opted in (/seq: each event as"
echo "#   \"=SEQ TEXT\", \"= TEXT\" after the event before it in a datagram) and the senders' lines"
echo "#   acknowledged (/id), against v1 members (loadgen -q); $V11_REPS runs each in adjacent pairs"
echo "#   (order alternating), each run long enough for >= $V11_TICKS clock ticks of the relay's CPU (a short v1"
echo "#   run per shape, not counted, sets the message count). /s: deliveries per wall-clock second (median"
echo "#   run); ratio: the median of the pairs' ratios of them. /cpu-s: deliveries per CPU-second of udpchatd"
echo "#   (its user + system time over the chat phase, /proc/PID/stat, $HZ ticks/s), median run; cpu ratio: the"
echo "#   median of the pairs' ratios of them; ticks: the fewest of any run. The verdict is on cpu ratio: what"
echo "#   the relay sustains when it is the bottleneck, and the figure that moves least when other jobs share the CPUs"
printf '%-10s %5s %12s %12s %6s %11s %13s %12s %12s %9s %6s\n' shape bytes "v1.1/s" "v1/s" ratio "loss 1.1/1" "VmHWM kB 1.1" \
	"v1.1/cpu-s" "v1/cpu-s" "cpu ratio" ticks
RUN_CPU=1
for sh in $V11_SHAPES; do
	m=${sh%%:*} rest=${sh#*:}
	s=${rest%%:*} z=${rest#*:}
	# calibration: a quarter of tp's messages, then as many as give about
	# 1.5 x V11_TICKS ticks to a v1 run (a v1.1 run costs more), at most
	# about 20 s of wall clock a run
	n0=$(($(msgs_for "$m") / 4))
	run udpchatd "$m" "$s" "$z" "$LOG/v11.$sh.cal" -n "$n0" -w "$WINDOW" -T 30
	n=$(awk -v n0="$n0" -v t="$(kv relay_ticks "$LOG/v11.$sh.cal")" -v s="$(kv secs "$LOG/v11.$sh.cal")" -v want="$V11_TICKS" \
		'BEGIN { if (t < 1) t = 1; n = int(n0 * 1.5 * want / t) + 1
			if (s > 0 && n * s / n0 > 20) n = int(n0 * 20 / s); if (n < n0) n = n0; print n }')
	i=0
	while [ $i -lt "$V11_REPS" ]; do
		if [ $((i % 2)) = 0 ]; then pair="v1 v11"; else pair="v11 v1"; fi
		for p in $pair; do
			if [ "$p" = v11 ]; then
				run udpchatd "$m" "$s" "$z" "$LOG/v11.$sh.$p.$i" -n "$n" -w "$WINDOW" -T 30 -q
			else
				run udpchatd "$m" "$s" "$z" "$LOG/v11.$sh.$p.$i" -n "$n" -w "$WINDOW" -T 30
			fi
		done
		i=$((i + 1))
	done
	# each KIND KEY: KEY of every run of KIND, one a line
	each() { j=0; while [ $j -lt "$V11_REPS" ]; do kv "$2" "$LOG/v11.$sh.$1.$j"; j=$((j + 1)); done; }
	med() { each "$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'; }
	worst() { each "$1" "$2" | sort -n | tail -1; }
	# pairs KEY: the pairs' ratio v1.1 / v1 of KEY, median
	pairs() { j=0; while [ $j -lt "$V11_REPS" ]; do
		echo "$(kv "$1" "$LOG/v11.$sh.v11.$j") $(kv "$1" "$LOG/v11.$sh.v1.$j")"; j=$((j + 1)); done | median_ratio; }
	r=$(pairs dps) rc=$(pairs relay_dpc)
	lq=$(worst v11 lost) h=$(worst v11 hwm_kb)
	tmin=$( (each v1 relay_ticks; each v11 relay_ticks) | sort -n | head -1)
	printf '%-10s %5s %12s %12s %6s %11s %13s %12s %12s %9s %6s\n' "${m}x$s" "$z" "$(med v11 dps)" "$(med v1 dps)" "$r" \
		"${lq:-?}/$(worst v1 lost)" "$h" "$(med v11 relay_dpc)" "$(med v1 relay_dpc)" "$rc" "${tmin:-0}"
	verdict "$(awk -v r="$rc" -v l="${lq:-1}" 'BEGIN { print (r >= 0.9 && l == 0) ? "met   " : "MISSED" }')" \
		"${m}x$s ${z} B: deliveries per relay CPU-second with protocol v1.1 in use $rc x without (>= 0.9; wall clock $r x), loss ${lq:-?} = 0"
	if [ "$m" = 256 ]; then
		verdict "$([ "${h:-999999}" -le 256 ] && echo "met   " || echo MISSED)" \
			"peak RSS (VmHWM) ${h:-?} KiB <= 256 KiB with 256 members chatting in protocol v1.1 (default ring)"
	fi
done
RUN_CPU=
fi

if has lat; then
echo
echo "# latency: fixed 1000 messages/s from 1 sender to 100 members, 32 bytes, 2 s; $LREPS runs per relay in"
echo "#   adjacent pairs (order alternating); the median run of each; ratio: the median of the pairs' p99 ratios"
printf '%-10s %9s %9s %9s %6s\n' relay "p50 us" "p99 us" "max us" loss
i=0
while [ $i -lt "$LREPS" ]; do
	if [ $((i % 2)) = 0 ]; then pair="refrelay udpchatd"; else pair="udpchatd refrelay"; fi
	for kind in $pair; do
		run $kind 100 1 32 "$LOG/lat.$kind.$i" -R 1000 -n 2000 -T 10
	done
	i=$((i + 1))
done
for kind in udpchatd refrelay; do
	f=$(for f in "$LOG/lat.$kind".*; do echo "$(kv p99_us "$f") $f"; done | sort -n |
		awk '{ f[NR] = $2 } END { print f[int((NR + 1) / 2)] }')
	printf '%-10s %9s %9s %9s %6s\n' $kind "$(kv p50_us "$f")" "$(kv p99_us "$f")" "$(kv max_us "$f")" "$(kv lost "$f")"
done
i=0
r=$(while [ $i -lt "$LREPS" ]; do
	echo "$(kv p99_us "$LOG/lat.udpchatd.$i") $(kv p99_us "$LOG/lat.refrelay.$i")"
	i=$((i + 1))
done | median_ratio)
echo "p99 ratio udpchatd/reference: $r (target <= 1.2)"
verdict "$(awk -v r="$r" 'BEGIN { print (r <= 1.2) ? "met   " : "MISSED" }')" "p99 latency at 1000 msg/s to 100 members: $r x the reference's (<= 1.2)"

fi

if has size; then
echo
echo "# sizes (bytes)"
size_s=$(wc -c <$B/udpchatmulti.stripped)
echo "udpchatmulti stripped (musl, -Os, static): $size_s (target <= 65536)"
verdict "$([ "$size_s" -le 65536 ] && echo "met   " || echo MISSED)" "stripped multi-call binary $size_s bytes <= 65536"
size $B/udpchatmulti.stripped | tail -1 | awk '{ printf "  text %s data %s bss %s\n", $1, $2, $3 }'
# every cross target too (make cross-deps installs the toolchains)
if make -s cross-deps >"$LOG/cross-deps.log" 2>&1; then
	for t in aarch64 armhf armel mipsel x86_64; do
		if ! make -s TARGET=$t >"$LOG/cross-$t.log" 2>&1; then
			verdict MISSED "make TARGET=$t failed (see $LOG/cross-$t.log)"
			continue
		fi
		s=$(wc -c <build/$t/udpchatmulti)
		echo "udpchatmulti stripped, make TARGET=$t: $s"
		verdict "$([ "$s" -le 65536 ] && echo "met   " || echo MISSED)" "$t stripped multi-call binary $s bytes <= 65536"
	done
else
	echo "# cross targets: make cross-deps failed (see $LOG/cross-deps.log)"
fi

fi

if has cg && ! command -v callgrind_control >/dev/null; then
	echo "# callgrind: valgrind not installed (make bench installs it via tests/deps.sh)"
elif has cg; then
echo
echo "# callgrind: user-space instructions (Ir) of the relay, 1 sender, 32-byte text, window 32"
echo "#   chat Ir/line: chat phase only; join Ir/line: start-up + all joins, per join-phase line"
printf '%-8s %-9s %9s %14s %14s %11s %14s\n' members relay lines "chat Ir/line" "lines/dgram" "join Ir" "join Ir/line"
ir_100=0 ir_1000=0
for m in 10 100 1000; do
	for kind in udpchatd refrelay; do
		start $kind $m valgrind --tool=callgrind --callgrind-out-file="$LOG/cg.$kind.$m.%p"
		sleep 1
		out=$LOG/cg.$kind.$m.txt
		n=$(awk -v m=$m 'BEGIN { n = int(100000 / (m - 1)); if (n < 50) n = 50; print n }')
		timeout 120 $B/loadgen -p $port -m $m -s 1 -z 32 -n "$n" -w 32 -T 60 \
			-x "callgrind_control -d $RPID >/dev/null 2>&1" \
			-X "callgrind_control -d $RPID >/dev/null 2>&1" >"$out" 2>>"$LOG/loadgen.log"
		stop
		j=$(awk '/^totals:/ {print $2}' "$LOG/cg.$kind.$m.$RPID.1" 2>/dev/null)
		c=$(awk '/^totals:/ {print $2}' "$LOG/cg.$kind.$m.$RPID.2" 2>/dev/null)
		jl=$(kv join_lines "$out")
		d=$(kv delivered "$out")
		printf '%-8s %-9s %9s %14s %14s %11s %14s\n' "$m" "$kind" "${d:-0}" \
			"$(awk -v a="${c:-0}" -v b="${d:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')" \
			"$(kv lines_per_dgram "$out")" "${j:-0}" \
			"$(awk -v a="${j:-0}" -v b="${jl:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }')"
		[ "$kind" = udpchatd ] && eval "ir_$m=$(awk -v a="${c:-0}" -v b="${d:-0}" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print 0 }')"
	done
done
verdict "$(awk -v a="$ir_100" -v b="$ir_1000" 'BEGIN { print (b > 0 && b <= 1.1 * a) ? "met   " : "MISSED" }')" \
	"cost per delivery flat: chat Ir/line at 1000 members $ir_1000 <= 1.1 x at 100 members $ir_100"
fi

if has loss; then
echo
echo "# loss: udpchat (protocol v1.1) through 5% random loss each way (nftables, a network namespace):"
echo "#   3 clients x 60 lines at 4 lines/s; lines shown within 3 s of being said (tests/e2e/test_loss.py)"
out=$(python3 tests/e2e/test_loss.py --bench "$(dirname "$UD")")
echo "$out"
got=$(echo "$out" | sed -n 's/^shown_3s=\([0-9]*\) total=\([0-9]*\)$/\1 \2/p')
if [ -n "$got" ]; then
	verdict "$(echo "$got" | awk '{ print ($1 >= 0.99 * $2) ? "met   " : "MISSED" }')" \
		"lines shown within 3 s at 5% loss each way: $(echo "$got" | awk '{ printf "%.1f%%", 100 * $1 / $2 }') >= 99%"
else
	verdict MISSED "lines shown within 3 s at 5% loss each way: not measured ($out)"
fi
fi

if has scaleout; then
echo
echo "# scale-out (issue 8): 3 linked ngIRCds, 6 boards (udpchatd + udpchatirc) with 20 members each;"
echo "#   latency from a member of one board to the members of the 5 others; the bridges' CPU per line"
echo "#   (bench/scaleout.py; udpchatirc built in build/bench-full: musl, -Os, static)"
if make -s BUILD=build/bench-full PROGS="udpchatd udpchat udpchatctl udpchatirc" all >"$LOG/make-full.log" 2>&1; then
	out=$(python3 bench/scaleout.py build/bench-full "${BENCH_SCALEOUT_S:-30}")
	echo "$out"
	lost=$(echo "$out" | sed -n 's/.* lost=\([0-9]*\) .*/\1/p')
	verdict "$([ "${lost:-1}" = 0 ] && echo "met   " || echo MISSED)" \
		"scale-out: every line to every member of the 5 other boards (lost ${lost:-?} = 0)"
else
	cat "$LOG/make-full.log"
	verdict MISSED "scale-out: the build with udpchatirc failed"
fi
fi

if has web; then
echo
echo "# udpchatweb (issue 12): the same load to udpchatd with $WEB_PAGES web members beside it (udpchatweb -s $WEB_PAGES,"
echo "#   nice $WEB_NICE, one bridge on udpchatd's control socket: the relay writes each event once to it and"
echo "#   udpchatweb fans it out to its pages; each member's event stream open and read by bench/webpages.py, raw"
echo "#   sockets, nice 19, a stream udpchatweb ended opened again with Last-Event-ID) and without them;"
echo "#   $REPS runs each in adjacent pairs (order alternating), 4x tp's messages; relay -m M+$WEB_PAGES in both."
echo "#   lg/s: the relay's deliveries/s to loadgen's M members (median run): all of its copies, the web members'"
echo "#   being one line to udpchatweb an event; ratio: median of the pairs'; events/s: SSE events the pages"
echo "#   read; closed: event streams udpchatweb ended (worst run; reopened); web cpu: udpchatweb's user +"
echo "#   system time over the run, % of one core (median run)"
printf '%-10s %5s %12s %12s %8s %11s %9s %7s %8s\n' shape bytes "pages lg/s" "none lg/s" "ratio" "loss p/n" "events/s" closed "web cpu"
if make -s BUILD=build/bench-web PROGS="udpchatd udpchatweb" all >"$LOG/make-web.log" 2>&1; then
for sh in $WEB_SHAPES; do
	m=${sh%%:*} rest=${sh#*:}
	s=${rest%%:*} z=${rest#*:}
	n=$(($(msgs_for "$m") * 4))   # a few seconds a run: the pages' side is slower to settle
	i=0
	while [ $i -lt "$REPS" ]; do
		if [ $((i % 2)) = 0 ]; then pair="none pages"; else pair="pages none"; fi
		for p in $pair; do
			out=$LOG/web.$sh.$p.$i
			start udpchatd $((m + WEB_PAGES))
			rport=$port
			if [ "$p" = pages ]; then
				next_port
				nice -n "$WEB_NICE" build/bench-web/udpchatweb -p $port -b 127.0.0.1 -m $((WEB_PAGES + 8)) -s "$WEB_PAGES" \
					-t 60 -c "$CTL" </dev/null >"$LOG/web.$port.log" 2>&1 &
				WPID=$!
				PIDS="$PIDS $WPID"
				# the pages stand for phones, which are not on the board: their reader
				# yields the CPU (and reconnects when it fell behind)
				nice -n 19 python3 bench/webpages.py $port "$WEB_PAGES" "$out.ready" 120 >"$out.pages" 2>&1 &
				PPID_=$!
				PIDS="$PIDS $PPID_"
				k=0
				while [ ! -s "$out.ready" ] && [ $k -lt 200 ] && kill -0 $PPID_ 2>/dev/null; do
					sleep 0.1
					k=$((k + 1))
				done
			fi
			sleep 0.1
			[ "$p" = pages ] && wt0=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$WPID/stat" 2>/dev/null)
			timeout 60 $B/loadgen -p $rport -m "$m" -s "$s" -z "$z" -n "$n" -w "$WINDOW" -T 10 \
				>"$out" 2>>"$LOG/loadgen.log" || echo "members=$m failed=$?" >"$out"
			if [ "$p" = pages ]; then
				[ -s "$out.ready" ] || echo " pages_failed=1" >>"$out"
				# udpchatweb's CPU (user + system) over the run, in % of one core
				echo " web_cpu=$(awk -v hz="$(getconf CLK_TCK)" -v t0="$wt0" -v s="$(kv secs "$out")" \
					'{ sub(/^.*\) /, ""); printf "%.0f", (s > 0 ? 100 * ($12 + $13 - t0) / hz / s : 0) }' \
					"/proc/$WPID/stat" 2>/dev/null)" >>"$out"
				kill "$PPID_" 2>/dev/null
				wait "$PPID_" 2>/dev/null
				kill "$WPID" 2>/dev/null
				wait "$WPID" 2>/dev/null
				PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx -e "$PPID_" -e "$WPID" | tr '\n' ' ')
				# the pages' events over the loadgen run's own seconds
				echo " $(cat "$out.pages")" >>"$out"
			fi
			port=$rport
			stop
		done
		i=$((i + 1))
	done
	med() { for f in "$LOG/web.$sh.$1".?; do kv dps "$f"; done | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'; }
	worst() { for f in "$LOG/web.$sh.$1".?; do kv "$2" "$f"; done | sort -n | tail -1; }
	med2() { for f in "$LOG/web.$sh.pages".?; do kv "$1" "$f"; done | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }'; }
	i=0
	r=$(while [ $i -lt "$REPS" ]; do
		echo "$(kv dps "$LOG/web.$sh.pages.$i") $(kv dps "$LOG/web.$sh.none.$i")"
		i=$((i + 1))
	done | median_ratio)
	ev=$(for f in "$LOG/web.$sh.pages".?; do
		awk -v e="$(kv events "$f")" -v d="$(kv delivered "$f")" -v r="$(kv dps "$f")" \
			'BEGIN { if (d > 0 && r > 0) printf "%.0f\n", e / (d / r); else print 0 }'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 2) + 1] }')
	lp=$(worst pages lost)
	printf '%-10s %5s %12s %12s %8s %11s %9s %7s %8s\n' "${m}x$s" "$z" "$(med pages)" "$(med none)" \
		"$r" "${lp:-?}/$(worst none lost)" "$ev" "$(worst pages closed)" "$(med2 web_cpu)%"
	verdict "$(awk -v r="$r" -v l="${lp:-1}" 'BEGIN { print (r >= 0.95 && l == 0) ? "met   " : "MISSED" }')" \
		"${m}x$s ${z} B: the relay's deliveries/s with $WEB_PAGES open SSE pages beside it $r x without (>= 0.95), loss ${lp:-?} = 0"
done
else
	cat "$LOG/make-web.log"
	verdict MISSED "web: the build with udpchatweb failed"
fi
fi

echo
echo "# targets (issue 4)"
cat "$LOG/verdicts"
