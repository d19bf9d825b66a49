#!/bin/sh
# The BusyBox init service on a BusyBox root fs: busybox-static, rootfs-overlay
# and the x86_64 binaries, BusyBox init as PID 1 of its own PID, mount and
# network namespaces (unshare), chrooted. Checks that rcS starts udpchatd at
# boot, that the host's netcat chats with it, that stop/start/restart work with
# a right pidfile and leave no zombie or stray process, that init's shutdown
# stops it cleanly, and (second boot) that the inittab respawn line documented
# in docs/DEPLOY.md restarts a killed daemon.
# Later boots: the service user, a second room, and (on a root fs of the
# build with every program) the IRC bridge's service S51udpchatirc against
# a real ngIRCd in the board's network namespace, and udpchatweb's service
# S52udpchatweb, whose page a real HTTP client fetches and chats through.
# Needs root (namespaces, chroot). Everything it starts is killed by PID.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/board/lib/tap.sh

S=busybox-init
T=build/board-busybox
INIT='' UNSHARE='' ALICE='' BOB='' NGIRCD='' CAROL='' WEBC=''

cleanup() {
	exec 6>&- 7>&- 8>&- 9>&-
	stop_pid "$WEBC"
	stop_pid "$ALICE"
	stop_pid "$BOB"
	stop_pid "$CAROL"
	stop_pid "$NGIRCD"
	# SIGKILL to a namespace's init kills everything in it
	[ -n "$INIT" ] && kill -9 "$INIT" 2>/dev/null
	stop_pid "$UNSHARE"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# a peer that died must not kill the suite when we write to its fifo
trap '' PIPE

if [ "$(id -u)" != 0 ]; then
	notok "$S: setup" "needs root for namespaces and chroot"
	exit 1
fi
sh tests/deps.sh busybox-static netcat-openbsd util-linux iproute2 procps make gcc musl-tools uthash-dev ngircd python3 >&2 ||
	{ notok "$S: setup" "dependencies missing"; exit 1; }
mkdir -p "$T"
make -s -j2 TARGET=x86_64 rootfs >"$T/make.log" 2>&1 || {
	notok "$S: make rootfs TARGET=x86_64" "$(diag "$T/make.log")"
	exit 1
}

# mkroot DIR [ROOTFS]: a BusyBox root fs laid out like Buildroot's skeleton,
# plus the project's rootfs (binaries + overlay) from make rootfs (default
# the core build's, build/x86_64/rootfs)
mkroot() {
	r=$1
	rm -rf "$r"
	mkdir -p "$r"
	cp -a "${2:-build/x86_64/rootfs}/." "$r/"
	mkdir -p "$r/bin" "$r/sbin" "$r/usr/bin" "$r/usr/sbin" "$r/proc" "$r/dev" \
		"$r/tmp" "$r/var/run" "$r/var/log" "$r/etc/init.d"
	cp /bin/busybox "$r/bin/busybox"
	chroot "$r" /bin/busybox --install -s
	: >"$r/dev/null"
	# rcS/rcK as Buildroot has them: S??* in order with start, reversed with stop
	cat >"$r/etc/init.d/rcS" <<-'EOF'
	#!/bin/sh
	for i in /etc/init.d/S??*; do
		[ -x "$i" ] && "$i" start
	done
	EOF
	cat >"$r/etc/init.d/rcK" <<-'EOF'
	#!/bin/sh
	for i in $(ls -r /etc/init.d/S??*); do
		[ -x "$i" ] && "$i" stop
	done
	EOF
	# syslogd the way the board runs it, so that -S has somewhere to go
	cat >"$r/etc/init.d/S01syslogd" <<-'EOF'
	#!/bin/sh
	case "$1" in
	start) start-stop-daemon -S -q -b -m -p /var/run/syslogd.pid -x /sbin/syslogd -- -n -O /var/log/messages ;;
	stop) start-stop-daemon -K -q -p /var/run/syslogd.pid ;;
	esac
	EOF
	printf '%s\n' '::sysinit:/etc/init.d/rcS' '::shutdown:/etc/init.d/rcK' >"$r/etc/inittab"
	chmod 0755 "$r/etc/init.d/rcS" "$r/etc/init.d/rcK" "$r/etc/init.d/S01syslogd"
}

# boot DIR LOG: BusyBox init as PID 1 in new PID/mount/net namespaces;
# sets UNSHARE (host pid of unshare) and INIT (host pid of init)
boot() {
	# shellcheck disable=SC2016 # $1 is for the inner sh
	unshare --pid --fork --mount --net --mount-proc="$1/proc" \
		sh -c 'mount --bind /dev/null "$1/dev/null" && exec chroot "$1" /sbin/init' sh "$1" \
		</dev/null >"$2" 2>&1 &
	UNSHARE=$!
	INIT=
	wait_until 5 init_pid || return 1
	nsenter -t "$INIT" -n ip link set lo up
}
init_pid() { INIT=$(pgrep -P "$UNSHARE" | head -n 1) && [ -n "$INIT" ]; }

# inns CMD...: run CMD inside the board (its root, PIDs and network)
inns() { timeout 20 nsenter -t "$INIT" -p -m -n -r -w "$@"; }
# pid of the service from its pidfile (a PID of the board's namespace)
svc_pid() { cat "$R/var/run/udpchatd.pid" 2>/dev/null; }
svc_alive() { p=$(svc_pid) && [ -n "$p" ] && inns /bin/kill -0 "$p" 2>/dev/null; }
# every udpchatmulti process as "PID PPID STAT" (names as the board's ps sees them)
procs() { inns /bin/ps -o pid,ppid,stat,args | awk 'NR > 1 && $0 ~ /udpchat/ { print $1, $2, $3 }'; }
# the live ones: an exited daemon stays a zombie until init reaps it
live_procs() { procs | awk '$3 !~ /^Z/'; }
zombies() { inns /bin/ps -o stat | grep -c '^Z'; }
# start-stop-daemon -b leaves its middle process to init, which reaps it when
# a signal wakes it. BusyBox init may sleep through the SIGCHLD of an orphan
# handed to it while rcS ran (a zombie of PID 1 that lasted 10 s was seen):
# a zombie of init is no leak of the service's, so wake init with SIGCHLD and
# look again; a zombie of any other parent (the daemon's own child) stays
no_zombie_now() {
	[ "$(zombies)" = 0 ] && return 0
	inns /bin/kill -CHLD 1
	return 1
}
no_zombies() { wait_until 10 no_zombie_now; }

# the daemon is the pidfile's process, its only other process is its own
# child (the admin reader), and no process of the board is a zombie: one
# look, printing what is wrong
clean_procs_now() {
	p=$(svc_pid) || { echo "no pidfile"; return 1; }
	no_zombie_now || { echo "zombie on the board:"; inns /bin/ps -o pid,ppid,stat,args; return 1; }
	procs >"$T/procs"
	grep -q "^$p " "$T/procs" || { echo "pid $p of the pidfile is not udpchatd"; return 1; }
	awk -v p="$p" '$1 != p && $2 != p { bad = 1 } END { exit bad }' "$T/procs" ||
		{ echo "stray process:"; cat "$T/procs"; return 1; }
}
# polled until it holds (init reaps asynchronously), for 10 s; then one more
# look prints what is still wrong
clean_procs() { wait_until 10 clean_procs_now >/dev/null || clean_procs_now; }
# no second daemon, checked over a window: every udpchatmulti process that
# lives is the pidfile's daemon or its child, and the daemon is alive
one_daemon() {
	p=$(svc_pid) && svc_alive || return 1
	procs | awk -v p="$p" '$1 != p && $2 != p && $3 !~ /^Z/ { bad = 1 } END { exit bad }'
}

# nc peers: the host's netcat-openbsd in the board's network namespace;
# fd 7 feeds alice, fd 8 feeds bob
start_peers() {
	rm -f "$T/alice.in" "$T/bob.in"
	mkfifo "$T/alice.in" "$T/bob.in"
	nsenter -t "$INIT" -n nc -u 127.0.0.1 8888 <"$T/alice.in" >"$T/alice.out" 2>&1 &
	ALICE=$!
	exec 7>"$T/alice.in"
	nsenter -t "$INIT" -n nc -u 127.0.0.1 8888 <"$T/bob.in" >"$T/bob.out" 2>&1 &
	BOB=$!
	exec 8>"$T/bob.in"
}
got() { grep -qF -- "$2" "$T/$1.out"; }

# SIGTERM to init (BusyBox runs its shutdown, rcK) must end the board: checks
# that, under test name $1, showing boot log $2 if not.
shutdown_board() {
	kill -TERM "$INIT"
	if wait_until 20 gone "$UNSHARE"; then
		wait "$UNSHARE" 2>/dev/null
		ok "$S: $1"
	else
		notok "$S: $1" "$(diag "$2")"
	fi
	UNSHARE='' INIT=''
}
# rck_order LOG PROG WHAT: rcK (S??* in reverse) stopped PROG-room2, PROG,
# udpchatd-room2 and udpchatd in that order ("both WHAT, then both rooms")
rck_order() {
	order=$(grep -o "Stopping \($2\|udpchatd\)[a-z0-9-]*: OK" "$1" | tail -n 4 | sed 's/^Stopping //; s/: OK$//' | tr '\n' ' ')
	if [ "$order" = "$2-room2 $2 udpchatd-room2 udpchatd " ]; then
		ok "$S: rcK stops both $3, then both rooms"
	else
		notok "$S: rcK stops both $3, then both rooms" "$(diag "$1")"
	fi
}
# stops SCRIPT PROG WHAT GONE PROCS: "SCRIPT stop" says it stopped PROG and
# returns once WHAT is gone (GONE: no process, no pidfile; PROCS lists them
# if not), the room running on
stops() {
	inns "/etc/init.d/$1" stop >"$T/$2-stop.log" 2>&1
	if grep -q "Stopping $2: OK" "$T/$2-stop.log" && $4 && svc_alive; then
		ok "$S: $1 stop returns once $3 is gone, pidfile removed, the room runs on"
	else
		notok "$S: $1 stop returns once $3 is gone, pidfile removed, the room runs on" \
			"$(cat "$T/$2-stop.log")" "$($5)"
	fi
}
# syslogged WHAT PROG PID TEXT: the service's PROG (pid PID, -S) logged TEXT
syslogged() {
	if [ -n "$3" ] && grep -q "$2\[$3\]: $4" "$R/var/log/messages" 2>/dev/null; then
		ok "$S: the service's $1 logs to syslog (-S)"
	else
		notok "$S: the service's $1 logs to syslog (-S)" "pid $3" "$(diag "$R/var/log/messages")"
	fi
}

R=$T/root
mkdir -p "$T"
mkroot "$R"
# ---------------------------------------------------------------- boot 1: rcS
if ! boot "$R" "$T/boot1.log"; then
	notok "$S: boot" "init did not come up" "$(diag "$T/boot1.log")"
	exit 1
fi
if wait_until 10 svc_alive && grep -q 'Starting udpchatd: OK' "$T/boot1.log"; then
	ok "$S: rcS starts udpchatd at boot"
else
	notok "$S: rcS starts udpchatd at boot" "$(diag "$T/boot1.log")"
fi
P1=$(svc_pid)
if inns /bin/cat "/proc/$P1/cmdline" | tr '\0' ' ' | grep -q '^/usr/sbin/udpchatd -S -p 8888 -L en'; then
	ok "$S: pidfile names the daemon, run with -S and /etc/default/udpchatd's args"
else
	notok "$S: pidfile names the daemon, run with -S and /etc/default/udpchatd's args" \
		"pid $P1: $(inns /bin/cat "/proc/$P1/cmdline" | tr '\0' ' ')"
fi

start_peers
echo bob >&8
wait_until 5 got bob '+OK welcome bob'
# Enter: bob's second datagram confirms his address, so the room's lines
# reach him past the bound on a stranger (docs/PROTOCOL.md)
echo >&8
echo alice >&7
wait_until 5 got alice '+OK welcome alice'
echo 'hello from netcat' >&7
if wait_until 5 got bob 'alice: hello from netcat'; then
	ok "$S: netcat chats through the service"
else
	notok "$S: netcat chats through the service" "alice:" "$(diag "$T/alice.out")" "bob:" "$(diag "$T/bob.out")"
fi
if inns /usr/bin/udpchatctl who 2>&1 | grep -q alice; then
	ok "$S: udpchatctl reaches the default control socket"
else
	notok "$S: udpchatctl reaches the default control socket" "$(inns /usr/bin/udpchatctl who 2>&1)"
fi
check "$S: no zombie or stray process while running" clean_procs

# stop: waits until the daemon is gone, removes the pidfile, members are told
inns /etc/init.d/S50udpchatd stop >"$T/stop.log" 2>&1
if grep -q 'Stopping udpchatd: OK' "$T/stop.log" && [ -z "$(live_procs)" ] &&
	[ ! -e "$R/var/run/udpchatd.pid" ]; then
	ok "$S: stop returns once udpchatd is gone, pidfile removed"
else
	notok "$S: stop returns once udpchatd is gone, pidfile removed" "$(cat "$T/stop.log")" "$(procs)"
fi
if wait_until 3 got bob '[admin] server is going down'; then
	ok "$S: stop is a clean SIGTERM (members told)"
else
	notok "$S: stop is a clean SIGTERM (members told)" "$(diag "$T/bob.out")"
fi
check "$S: no zombie after stop" no_zombies

inns /etc/init.d/S50udpchatd start >"$T/start.log" 2>&1
if grep -q 'Starting udpchatd: OK' "$T/start.log" && wait_until 5 svc_alive; then
	ok "$S: start"
else
	notok "$S: start" "$(cat "$T/start.log")"
fi
# a second start must not start a second daemon
inns /etc/init.d/S50udpchatd start >/dev/null 2>&1
if holds 2 one_daemon && clean_procs; then
	ok "$S: start when running starts nothing more"
else
	notok "$S: start when running starts nothing more" "$(inns /bin/ps -o pid,ppid,stat,args)"
fi
P2=$(svc_pid)
inns /etc/init.d/S50udpchatd restart >"$T/restart.log" 2>&1
P3=$(svc_pid)
if grep -q 'Stopping udpchatd: OK' "$T/restart.log" && grep -q 'Starting udpchatd: OK' "$T/restart.log" &&
	[ -n "$P3" ] && [ "$P3" != "$P2" ] && wait_until 5 svc_alive; then
	ok "$S: restart replaces the daemon (pid $P2 -> $P3)"
else
	notok "$S: restart replaces the daemon" "$(cat "$T/restart.log")" "pids $P2 -> $P3"
fi
# members re-join the new daemon; chat works again
: >"$T/alice.out"
: >"$T/bob.out"
echo '/join bob' >&8
wait_until 5 got bob '+OK welcome bob'
echo >&8
echo '/join alice' >&7
wait_until 5 got alice '+OK welcome alice'
echo 'after restart' >&7
if wait_until 5 got bob 'alice: after restart'; then
	ok "$S: netcat chats after restart"
else
	notok "$S: netcat chats after restart" "$(diag "$T/alice.out")" "$(diag "$T/bob.out")"
fi
check "$S: no zombie or stray process after restart" clean_procs

# ------------------------------------------------------- boot 1: shutdown
: >"$T/bob.out"
shutdown_board "init's shutdown (SIGTERM to init) ends the board" "$T/boot1.log"
if grep -q 'Stopping udpchatd: OK' "$T/boot1.log" && wait_until 5 got bob '[admin] server is going down'; then
	ok "$S: shutdown stops udpchatd cleanly through rcK"
else
	notok "$S: shutdown stops udpchatd cleanly through rcK" "$(diag "$T/boot1.log")" "$(diag "$T/bob.out")"
fi
if grep -q 'udpchatd' "$R/var/log/messages" 2>/dev/null; then
	ok "$S: the service logs to syslog"
else
	notok "$S: the service logs to syslog" "$(diag "$R/var/log/messages")"
fi
exec 7>&- 8>&-
stop_pid "$ALICE"
stop_pid "$BOB"
ALICE='' BOB=''

# ------------------------------------------- boot 2: the inittab respawn line
line=$(grep -m1 '^::respawn:/usr/sbin/udpchatd' docs/DEPLOY.md)
if [ -z "$line" ]; then
	notok "$S: inittab respawn line" "no ::respawn:/usr/sbin/udpchatd line in docs/DEPLOY.md"
	exit 1
fi
R=$T/root-respawn
mkroot "$R"
rm -f "$R/etc/init.d/S50udpchatd"
cat >"$R/etc/inittab" <<EOF
::sysinit:/etc/init.d/rcS
$line
::shutdown:/etc/init.d/rcK
EOF
boot "$R" "$T/boot2.log" || { notok "$S: boot with respawn" "$(diag "$T/boot2.log")"; exit 1; }
# the daemon's pid as the board sees it (a child of init, PPID 1)
respawned() { procs | awk '$2 == 1 { print $1; exit }'; }
has_daemon() { q=$(respawned) && [ -n "$q" ]; }
wait_until 10 has_daemon
Q1=$(respawned)
inns /bin/kill -9 "$Q1" 2>/dev/null
new_daemon() { q=$(respawned) && [ -n "$q" ] && [ "$q" != "$Q1" ]; }
if [ -n "$Q1" ] && wait_until 10 new_daemon; then
	ok "$S: inittab '$line' restarts a killed daemon ($Q1 -> $(respawned))"
else
	notok "$S: inittab '$line' restarts a killed daemon" "first pid '$Q1'" "$(diag "$T/boot2.log")"
fi
# the new daemon may still be binding: ask until it answers
join_carol() {
	nsenter -t "$INIT" -n sh -c 'printf "carol\n" | timeout 5 nc -u -w1 127.0.0.1 8888' >"$T/carol.out" 2>&1
	got carol '+OK welcome carol'
}
if wait_until 15 join_carol; then
	ok "$S: the respawned daemon answers netcat"
else
	notok "$S: the respawned daemon answers netcat" "$(diag "$T/carol.out")"
fi
check "$S: no zombie with respawn" no_zombies
shutdown_board "shutdown with the respawn entry ends the board" "$T/boot2.log"

# ------------------------------------- boot 3: the service user (least privilege)
# /etc/default/udpchatd's UDPCHATD_USER: the daemon runs as that user with no capability, the control socket sits in the user's
# /var/run/udpchatd/ behind udpchatctl's default path, and stop leaves
# nothing behind; no user keeps root (the positive control of the reading);
# an unknown user is a failed start.
R=$T/root-user
mkroot "$R"
boot "$R" "$T/boot3.log" || { notok "$S: boot 3 (user)" "$(diag "$T/boot3.log")"; exit 1; }
wait_until 10 svc_alive
# status FIELD PID: a field of the board's /proc/PID/status, blanks squeezed
status() { inns /bin/cat "/proc/$2/status" | awk -v f="$1:" '$1 == f { $1 = ""; print substr($0, 2) }'; }
# unprivileged PID: uid/gid 65534 (all four), no group, no capability, no_new_privs
unprivileged() {
	[ "$(status Uid "$1")" = "65534 65534 65534 65534" ] &&
		[ "$(status Gid "$1")" = "65534 65534 65534 65534" ] &&
		[ -z "$(status Groups "$1")" ] &&
		[ "$(status CapEff "$1")" = 0000000000000000 ] &&
		[ "$(status CapPrm "$1")" = 0000000000000000 ] &&
		[ "$(status NoNewPrivs "$1")" = 1 ]
}
creds() { for f in Uid Gid Groups CapEff CapPrm NoNewPrivs; do echo "$f: $(status "$f" "$1")"; done; }
# (its admin child has read EOF from start-stop-daemon's /dev/null and is
# gone; tests/e2e/test_privileges.py checks a living one)
U1=$(svc_pid)
if [ -n "$U1" ] && unprivileged "$U1"; then
	ok "$S: UDPCHATD_USER=65534:65534 (no /etc/passwd): the daemon runs as 65534, no capability, no_new_privs"
else
	notok "$S: UDPCHATD_USER=65534:65534 (no /etc/passwd): the daemon runs as 65534, no capability, no_new_privs" \
		"daemon $U1: $(creds "$U1")" "$(diag "$T/boot3.log")"
fi
if [ "$(inns /bin/stat -c '%u %a' /var/run/udpchatd)" = "65534 700" ] &&
	[ "$(inns /bin/stat -c '%u %a %F' /var/run/udpchatd/udpchatd.sock)" = "0 600 socket" ] &&
	[ "$(inns /bin/readlink /var/run/udpchatd.sock)" = udpchatd/udpchatd.sock ] &&
	inns /usr/bin/udpchatctl who 2>&1 | grep -q '^+OK 0 members'; then
	ok "$S: control socket root's (0600) in 65534's /var/run/udpchatd, udpchatctl's default path reaches it"
else
	notok "$S: control socket root's (0600) in 65534's /var/run/udpchatd, udpchatctl's default path reaches it" \
		"$(inns /bin/ls -la /var/run /var/run/udpchatd 2>&1)" "$(inns /usr/bin/udpchatctl who 2>&1)"
fi
nsenter -t "$INIT" -n sh -c 'printf "dave\n" | timeout 5 nc -u -w1 127.0.0.1 8888' >"$T/dave.out" 2>&1
if got dave '+OK welcome dave'; then
	ok "$S: the unprivileged daemon answers netcat"
else
	notok "$S: the unprivileged daemon answers netcat" "$(diag "$T/dave.out")"
fi
inns /etc/init.d/S50udpchatd stop >"$T/stop3.log" 2>&1
if grep -q 'Stopping udpchatd: OK' "$T/stop3.log" && [ -z "$(live_procs)" ] &&
	[ -z "$(inns /bin/ls -A /var/run/udpchatd)" ] && ! inns /bin/ls /var/run/udpchatd.sock >/dev/null 2>&1 &&
	! grep -q 'cannot remove' "$R/var/log/messages"; then
	ok "$S: stop: the unprivileged daemon removes its socket, the link is gone"
else
	notok "$S: stop: the unprivileged daemon removes its socket, the link is gone" "$(cat "$T/stop3.log")" \
		"$(inns /bin/ls -la /var/run /var/run/udpchatd 2>&1)" "$(diag "$R/var/log/messages")"
fi
# positive control: without a user the same reading shows root
sed -i 's/^UDPCHATD_USER=.*/UDPCHATD_USER=""/' "$R/etc/default/udpchatd"
inns /etc/init.d/S50udpchatd start >"$T/start3.log" 2>&1
wait_until 5 svc_alive
U2=$(svc_pid)
if [ -n "$U2" ] && [ "$(status Uid "$U2")" = "0 0 0 0" ] && [ "$(status CapEff "$U2")" != 0000000000000000 ] &&
	inns /bin/stat -c %F /var/run/udpchatd.sock | grep -q socket; then
	ok "$S: UDPCHATD_USER empty: root, the socket at the default path (the reading's positive control)"
else
	notok "$S: UDPCHATD_USER empty: root, the socket at the default path" "$(cat "$T/start3.log")" "$(creds "$U2")"
fi
inns /etc/init.d/S50udpchatd stop >/dev/null 2>&1
sed -i 's/^UDPCHATD_USER=.*/UDPCHATD_USER="no-such-user"/' "$R/etc/default/udpchatd"
inns /etc/init.d/S50udpchatd start >"$T/start3b.log" 2>&1
# start fails before it starts anything (chown of the socket directory)
if grep -q 'FAIL' "$T/start3b.log" && [ -z "$(live_procs)" ]; then
	ok "$S: an unknown UDPCHATD_USER fails the start"
else
	notok "$S: an unknown UDPCHATD_USER fails the start" "$(cat "$T/start3b.log")" "$(procs)"
fi
shutdown_board "shutdown of the user board" "$T/boot3.log"

# ------------------------------------------- boot 4: a second room (docs/DEPLOY.md)
# a link S50udpchatd-room2 to the script and /etc/default/udpchatd-room2
# (another port, Chinese, a description, the same unprivileged user): rcS
# starts both; each has its own pidfile and control socket; stopping one
# leaves the other; rcK stops both; room2 answers discovery with its
# description (UDPCHATD_DESCRIPTION: one -D however many words)
R=$T/root-rooms
mkroot "$R"
ln -s S50udpchatd "$R/etc/init.d/S50udpchatd-room2"
sed -e 's/^UDPCHATD_ARGS=.*/UDPCHATD_ARGS="-p 8889 -L zh"/' \
	-e 's/^UDPCHATD_DESCRIPTION=.*/UDPCHATD_DESCRIPTION="the garage room"/' \
	"$R/etc/default/udpchatd" >"$R/etc/default/udpchatd-room2"
boot "$R" "$T/boot4.log" || { notok "$S: boot 4 (two rooms)" "$(diag "$T/boot4.log")"; exit 1; }
room_pid() { cat "$R/var/run/$1.pid" 2>/dev/null; }
room_alive() { p=$(room_pid "$1") && [ -n "$p" ] && inns /bin/kill -0 "$p" 2>/dev/null; }
both_rooms() { room_alive udpchatd && room_alive udpchatd-room2; }
if wait_until 10 both_rooms && grep -q 'Starting udpchatd: OK' "$T/boot4.log" &&
	grep -q 'Starting udpchatd-room2: OK' "$T/boot4.log" &&
	[ "$(room_pid udpchatd)" != "$(room_pid udpchatd-room2)" ] &&
	inns /bin/cat "/proc/$(room_pid udpchatd-room2)/cmdline" | tr '\0' ' ' | grep -q -- '-p 8889 -L zh' &&
	inns /bin/cat "/proc/$(room_pid udpchatd-room2)/cmdline" | tr '\0' '|' | grep -q -- '|-D|the garage room|' &&
	! inns /bin/cat "/proc/$(room_pid udpchatd)/cmdline" | tr '\0' ' ' | grep -q -- ' -D '; then
	ok "$S: rcS starts both rooms (S50udpchatd-room2 reads /etc/default/udpchatd-room2, its description one -D), a pidfile each"
else
	notok "$S: rcS starts both rooms (S50udpchatd-room2 reads /etc/default/udpchatd-room2, its description one -D), a pidfile each" \
		"$(diag "$T/boot4.log")" "$(inns /bin/ps -o pid,ppid,stat,args)"
fi
join_port() { # NAME PORT: NAME joins the room on PORT
	nsenter -t "$INIT" -n sh -c "printf '$1\n' | timeout 5 nc -u -w1 127.0.0.1 $2" >"$T/$1.out" 2>&1
	got "$1" "+OK welcome $1"
}
if wait_until 10 join_port erin 8888 && wait_until 10 join_port frank 8889 &&
	inns /usr/bin/udpchatctl who 2>&1 | grep -q erin &&
	! inns /usr/bin/udpchatctl who 2>&1 | grep -q frank &&
	inns /usr/bin/udpchatctl -c /var/run/udpchatd-room2.sock who 2>&1 | grep -q frank &&
	! inns /usr/bin/udpchatctl -c /var/run/udpchatd-room2.sock who 2>&1 | grep -q erin; then
	ok "$S: each room answers on its port; udpchatctl reaches each room's own socket"
else
	notok "$S: each room answers on its port; udpchatctl reaches each room's own socket" \
		"$(diag "$T/erin.out")" "$(diag "$T/frank.out")" "$(inns /bin/ls -la /var/run 2>&1)"
fi
disco_room2() { # a padded discovery request: room2 answers with its description
	nsenter -t "$INIT" -n sh -c "printf '/discover%300s\n' | timeout 5 nc -u -w1 127.0.0.1 8889" >"$T/disco4.out" 2>&1
	grep -q '^+OK discover [0-9a-f]* [0-9]* online: the garage room$' "$T/disco4.out"
}
if wait_until 10 disco_room2; then
	ok "$S: room2 answers discovery with UDPCHATD_DESCRIPTION"
else
	notok "$S: room2 answers discovery with UDPCHATD_DESCRIPTION" "$(diag "$T/disco4.out")"
fi
M1=$(room_pid udpchatd)
inns /etc/init.d/S50udpchatd-room2 stop >"$T/stop4.log" 2>&1
if grep -q 'Stopping udpchatd-room2: OK' "$T/stop4.log" && ! room_alive udpchatd-room2 &&
	[ ! -e "$R/var/run/udpchatd-room2.pid" ] && ! inns /bin/ls /var/run/udpchatd-room2.sock >/dev/null 2>&1 &&
	holds 1 room_alive udpchatd && [ "$(room_pid udpchatd)" = "$M1" ]; then
	ok "$S: stopping room2 stops it alone (its pidfile and socket link gone, main untouched)"
else
	notok "$S: stopping room2 stops it alone (its pidfile and socket link gone, main untouched)" \
		"$(cat "$T/stop4.log")" "$(inns /bin/ps -o pid,ppid,stat,args)"
fi
inns /etc/init.d/S50udpchatd-room2 start >/dev/null 2>&1
wait_until 5 room_alive udpchatd-room2
shutdown_board "shutdown of the two-room board" "$T/boot4.log"
if grep -q 'Stopping udpchatd: OK' "$T/boot4.log" && grep -q 'Stopping udpchatd-room2: OK' "$T/boot4.log"; then
	ok "$S: rcK stops both rooms"
else
	notok "$S: rcK stops both rooms" "$(diag "$T/boot4.log")"
fi

# ------------------------------- boot 5: the IRC bridge (S51udpchatirc)
# The core root fs carries no bridge; the root fs of the build with every
# program does: S51udpchatirc stays off until /etc/default/udpchatirc sets
# a server and a channel; configured, it starts udpchatirc (as root: the
# room's socket admits root and its owner, root here) against a real
# ngIRCd on the board's own 127.0.0.1, and a member's line and an IRC
# user's line cross; it re-attaches when the room restarts; stop is a
# clean SIGTERM by the pidfile; rcK stops the bridge before the room.
if [ ! -e build/x86_64/rootfs/etc/init.d/S51udpchatirc ] && [ ! -e build/x86_64/rootfs/etc/default/udpchatirc ] &&
	[ ! -e build/x86_64/rootfs/usr/bin/udpchatirc ] && [ -x build/x86_64/rootfs/etc/init.d/S50udpchatd ]; then
	ok "$S: the core root fs (default PROGS) has no udpchatirc, no S51udpchatirc"
else
	notok "$S: the core root fs (default PROGS) has no udpchatirc, no S51udpchatirc" \
		"$(find build/x86_64/rootfs -name '*udpchatirc*')"
fi
# (every program: udpchatweb too, for boot 6; the folder and PROGS of make
# size's build with every program)
FULL=build/x86_64-full
make -s -j2 TARGET=x86_64 BUILD="$FULL" PROGS="$(make -s print-ALL_PROGS)" rootfs \
	>"$T/make-full.log" 2>&1 || {
	notok "$S: make rootfs with udpchatirc" "$(diag "$T/make-full.log")"
	exit 1
}
R=$T/root-irc
mkroot "$R" "$FULL/rootfs"
# the page's service is boot 6's
rm -f "$R/etc/init.d/S52udpchatweb"
boot "$R" "$T/boot5.log" || { notok "$S: boot 5 (bridge)" "$(diag "$T/boot5.log")"; exit 1; }
irc_pid() { cat "$R/var/run/udpchatirc.pid" 2>/dev/null; }
# the live udpchatirc processes of the board, "PID PPID STAT"
irc_procs() { inns /bin/ps -o pid,ppid,stat,args | awk 'NR > 1 && $0 ~ /udpchatirc/ && $3 !~ /^Z/ { print $1, $2, $3 }'; }
no_bridge() { [ -z "$(irc_procs)" ] && [ ! -e "$R/var/run/udpchatirc.pid" ]; }
if wait_until 10 svc_alive && grep -q 'Starting udpchatirc: off' "$T/boot5.log" && holds 2 no_bridge; then
	ok "$S: unconfigured, S51udpchatirc starts no bridge (off until a server and a channel are set)"
else
	notok "$S: unconfigured, S51udpchatirc starts no bridge" "$(diag "$T/boot5.log")" "$(irc_procs)"
fi

# ngIRCd on the board's 127.0.0.1:6667 (the host's binary in the board's
# network namespace, never the system service), and carol, an IRC user
# (netcat over TCP; fd 9 feeds her)
cat >"$T/ngircd.conf" <<NG
[Global]
Name = irc.board.test
Info = udpchat board test
Listen = 127.0.0.1
Ports = 6667
PidFile = $T/ngircd.pid
MotdPhrase = test
[Options]
PAM = no
Ident = no
DNS = no
NG
nsenter -t "$INIT" -n /usr/sbin/ngircd -n -f "$T/ngircd.conf" >"$T/ngircd.log" 2>&1 &
NGIRCD=$!
irc_up() { nsenter -t "$INIT" -n nc -z 127.0.0.1 6667 2>/dev/null; }
wait_until 10 irc_up || notok "$S: ngIRCd listens in the board" "$(diag "$T/ngircd.log")"
rm -f "$T/carol.in"
mkfifo "$T/carol.in"
nsenter -t "$INIT" -n nc 127.0.0.1 6667 <"$T/carol.in" >"$T/carol.out" 2>&1 &
CAROL=$!
exec 9>"$T/carol.in"
printf 'NICK carol\r\nUSER carol 0 * :carol\r\nJOIN #lan\r\n' >&9
wait_until 10 got carol ' 366 carol #lan '

# configured: the bridge starts, by its pidfile, with the settings
sed -i -e 's/^UDPCHATIRC_SERVER=.*/UDPCHATIRC_SERVER="127.0.0.1:6667"/' \
	-e 's/^UDPCHATIRC_CHANNEL=.*/UDPCHATIRC_CHANNEL="#lan"/' \
	-e 's/^UDPCHATIRC_NICK=.*/UDPCHATIRC_NICK="boardbot"/' \
	-e 's/^UDPCHATIRC_TAG=.*/UDPCHATIRC_TAG="lan"/' "$R/etc/default/udpchatirc"
inns /etc/init.d/S51udpchatirc start >"$T/irc-start.log" 2>&1
I1=$(irc_pid)
# (udpchatirc cuts SERVER:PORT in its argv: the cmdline shows a NUL there)
irc_cmdline() {
	case $(inns /bin/cat "/proc/$1/cmdline" | tr '\0' ' ') in
	"/usr/bin/udpchatirc -S -c /var/run/udpchatd.sock -n boardbot -t lan 127.0.0.1"?"6667 #lan ") return 0 ;;
	*) return 1 ;;
	esac
}
if grep -q 'Starting udpchatirc: OK' "$T/irc-start.log" && [ -n "$I1" ] && irc_cmdline "$I1"; then
	ok "$S: S51udpchatirc start: pidfile names the bridge, run with -S, the room's socket and /etc/default/udpchatirc's settings"
else
	notok "$S: S51udpchatirc start: pidfile names the bridge, run with -S, the room's socket and /etc/default/udpchatirc's settings" \
		"$(cat "$T/irc-start.log")" "pid $I1: $(inns /bin/cat "/proc/$I1/cmdline" 2>&1 | tr '\0' ' ')"
fi
if wait_until 15 got carol ':boardbot!'; then
	ok "$S: the bridge joins the channel on ngIRCd"
else
	notok "$S: the bridge joins the channel on ngIRCd" "$(diag "$T/carol.out")" "$(diag "$R/var/log/messages")"
fi
: >"$T/alice.out"
rm -f "$T/alice.in"
mkfifo "$T/alice.in"
nsenter -t "$INIT" -n nc -u 127.0.0.1 8888 <"$T/alice.in" >"$T/alice.out" 2>&1 &
ALICE=$!
exec 7>"$T/alice.in"
echo alice >&7
wait_until 5 got alice '+OK welcome alice'
echo 'hello irc' >&7
printf 'PRIVMSG #lan :hello room\r\n' >&9
if wait_until 10 got carol 'PRIVMSG #lan :<alice> hello irc' && wait_until 10 got alice 'carol@lan: hello room'; then
	ok "$S: through the service, a member's line reaches IRC and an IRC user's line the room"
else
	notok "$S: through the service, a member's line reaches IRC and an IRC user's line the room" \
		"carol:" "$(diag "$T/carol.out")" "alice:" "$(diag "$T/alice.out")"
fi
# the room restarts: the same bridge attaches again by itself
inns /etc/init.d/S50udpchatd restart >/dev/null 2>&1
wait_until 5 svc_alive
: >"$T/alice.out"
# alice re-joins and speaks until her line reaches IRC (the bridge
# re-attaches after its backoff, 1 s doubling)
reattached() {
	echo '/join alice' >&7
	echo "again $n_try" >&7
	n_try=$((n_try + 1))
	sleep 1
	grep -q 'PRIVMSG #lan :<alice> again' "$T/carol.out"
}
n_try=0
if wait_until 20 reattached && [ "$(irc_pid)" = "$I1" ]; then
	ok "$S: the room restarted (S50udpchatd restart): the bridge re-attaches by itself"
else
	notok "$S: the room restarted: the bridge re-attaches by itself" "$(diag "$T/carol.out")" \
		"$(diag "$R/var/log/messages")" "pid $I1 -> $(irc_pid)"
fi
stops S51udpchatirc udpchatirc "the bridge" no_bridge irc_procs
bot_quit() { grep -q '^:boardbot![^ ]* QUIT' "$T/carol.out"; }
if wait_until 5 got alice '[bridge lan] bridge stopped' && wait_until 5 bot_quit; then
	ok "$S: stop is a clean SIGTERM (the room told, the bot quits IRC)"
else
	notok "$S: stop is a clean SIGTERM (the room told, the bot quits IRC)" "$(diag "$T/alice.out")" "$(diag "$T/carol.out")"
fi
# the inittab respawn line of docs/DEPLOY.md (it reads the settings file,
# set up above): init starts the bridge on SIGHUP and again after a SIGKILL
iline=$(grep -m1 '^ *::respawn:.*/usr/bin/udpchatirc' docs/DEPLOY.md | sed -e 's/^ *//')
cp "$R/etc/inittab" "$T/inittab.orig"
printf '%s\n' "$iline" >>"$R/etc/inittab"
inns /bin/kill -HUP 1
# the bridge init respawns (a child of init, PPID 1) and that is in the channel
respawned_irc() { irc_procs | awk '$2 == 1 { print $1; exit }'; }
irc_child() { q=$(respawned_irc) && [ -n "$q" ] && [ "$q" != "${J1:-}" ]; }
J1=''
wait_until 10 irc_child
J1=$(respawned_irc)
inns /bin/kill -9 "$J1" 2>/dev/null
: >"$T/carol.out"
if [ -n "$iline" ] && [ -n "$J1" ] && wait_until 10 irc_child && wait_until 15 got carol ':boardbot!'; then
	ok "$S: the bridge's inittab respawn line (docs/DEPLOY.md) restarts a killed bridge ($J1 -> $(respawned_irc)), which joins"
else
	notok "$S: inittab respawn line of the bridge restarts a killed bridge" "line: '$iline'" "first pid '$J1'" \
		"$(irc_procs)" "$(diag "$T/carol.out")" "$(diag "$R/var/log/messages")"
fi
cp "$T/inittab.orig" "$R/etc/inittab"
inns /bin/kill -HUP 1
J2=$(respawned_irc)
[ -n "$J2" ] && inns /bin/kill "$J2" 2>/dev/null
gone_irc() { [ -z "$(respawned_irc)" ]; }
wait_until 10 gone_irc

inns /etc/init.d/S51udpchatirc start >/dev/null 2>&1
wait_until 5 test -n "$(irc_pid)"
# a second room's bridge (docs/DEPLOY.md): the links S50udpchatd-room2 and
# S51udpchatirc-room2 with their settings files; the bridge goes through
# room2's socket into its own channel, and a line of room2 reaches it
printf 'JOIN #room2\r\n' >&9
wait_until 10 got carol ' 366 carol #room2 '
ln -s S50udpchatd "$R/etc/init.d/S50udpchatd-room2"
ln -s S51udpchatirc "$R/etc/init.d/S51udpchatirc-room2"
sed 's/^UDPCHATD_ARGS=.*/UDPCHATD_ARGS="-p 8889"/' "$R/etc/default/udpchatd" >"$R/etc/default/udpchatd-room2"
sed -e 's/^UDPCHATIRC_CHANNEL=.*/UDPCHATIRC_CHANNEL="#room2"/' -e 's/^UDPCHATIRC_NICK=.*/UDPCHATIRC_NICK="bot2"/' \
	-e 's/^UDPCHATIRC_TAG=.*/UDPCHATIRC_TAG="r2"/' "$R/etc/default/udpchatirc" >"$R/etc/default/udpchatirc-room2"
inns /etc/init.d/S50udpchatd-room2 start >/dev/null 2>&1
inns /etc/init.d/S51udpchatirc-room2 start >"$T/irc2-start.log" 2>&1
K1=$(cat "$R/var/run/udpchatirc-room2.pid" 2>/dev/null)
room2_line() {
	nsenter -t "$INIT" -n sh -c 'printf "frank\nhi room2\n/quit\n" | timeout 5 nc -u -w1 127.0.0.1 8889' >/dev/null 2>&1
	got carol 'PRIVMSG #room2 :<frank> hi room2'
}
if grep -q 'Starting udpchatirc-room2: OK' "$T/irc2-start.log" && [ -n "$K1" ] &&
	inns /bin/cat "/proc/$K1/cmdline" | tr '\0' ' ' | grep -q -- '-c /var/run/udpchatd-room2.sock -n bot2 -t r2 ' &&
	wait_until 15 got carol ':bot2!' && wait_until 15 room2_line && ! got carol 'PRIVMSG #lan :<frank>'; then
	ok "$S: S51udpchatirc-room2 bridges the room udpchatd-room2 (its socket, settings and pidfile) into its own channel"
else
	notok "$S: S51udpchatirc-room2 bridges the room udpchatd-room2 into its own channel" "$(cat "$T/irc2-start.log")" \
		"pid $K1: $(inns /bin/cat "/proc/$K1/cmdline" 2>&1 | tr '\0' ' ')" "$(diag "$T/carol.out")"
fi
check "$S: no zombie with the bridge" no_zombies
shutdown_board "shutdown of the bridge board" "$T/boot5.log"
# rcK runs S??* in reverse: the bridges stop before the rooms
rck_order "$T/boot5.log" udpchatirc bridges
# (the service's bridge, by its pid: the respawn line's logs too)
syslogged bridge udpchatirc "$I1" "attached to /var/run/udpchatd.sock as bridge lan"

# ------------------------------- boot 6: the room in a browser (S52udpchatweb)
# The core root fs carries no udpchatweb; the root fs of the build with
# every program does: S52udpchatweb is on as shipped (it needs no
# settings) and starts udpchatweb as root (a bridge on the room's socket,
# as udpchatirc), with -S, after the room; busybox wget on the board fetches
# its page, and a web member (tests/board/lib/webchat.py: HTTP from the
# board's network namespace) and a netcat member chat both ways; stop is a
# clean SIGTERM (the web member leaves the room); UDPCHATWEB_ENABLED="no"
# starts nothing; a second room's page
# (S52udpchatweb-room2); rcK stops the pages before the rooms; syslog.
if [ ! -e build/x86_64/rootfs/etc/init.d/S52udpchatweb ] && [ ! -e build/x86_64/rootfs/etc/default/udpchatweb ] &&
	[ ! -e build/x86_64/rootfs/usr/sbin/udpchatweb ] && [ ! -e build/x86_64/rootfs/usr/lib/systemd/system/udpchatweb.service ]; then
	ok "$S: the core root fs (default PROGS) has no udpchatweb, no S52udpchatweb"
else
	notok "$S: the core root fs (default PROGS) has no udpchatweb, no S52udpchatweb" \
		"$(find build/x86_64/rootfs -name '*udpchatweb*')"
fi
# make rootfs with udpchatweb in PROGS lays its script, settings and units
if [ -x "$FULL/rootfs/etc/init.d/S52udpchatweb" ] &&
	[ "$(stat -c %a "$FULL/rootfs/etc/default/udpchatweb")" = 644 ] &&
	cmp -s "$FULL/rootfs/usr/lib/systemd/system/udpchatweb.service" board/raspberrypi/systemd/udpchatweb.service &&
	cmp -s "$FULL/rootfs/usr/lib/systemd/system/udpchatweb@.service" board/raspberrypi/systemd/udpchatweb@.service &&
	[ "$(readlink -f "$FULL/rootfs/usr/sbin/udpchatweb")" = "$(readlink -f "$FULL/rootfs/usr/bin/udpchatmulti")" ]; then
	ok "$S: make rootfs with udpchatweb lays /usr/sbin/udpchatweb, S52udpchatweb (0755), /etc/default/udpchatweb, udpchatweb(@).service"
else
	notok "$S: make rootfs with udpchatweb lays /usr/sbin/udpchatweb, S52udpchatweb, /etc/default/udpchatweb, udpchatweb(@).service" \
		"$(find "$FULL/rootfs" -name '*udpchatweb*' -exec ls -l {} +)"
fi
R=$T/root-web
mkroot "$R" "$FULL/rootfs"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$R/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$R/etc/group"
boot "$R" "$T/boot6.log" || { notok "$S: boot 6 (web)" "$(diag "$T/boot6.log")"; exit 1; }
web_pid() { cat "$R/var/run/${1:-udpchatweb}.pid" 2>/dev/null; }
web_alive() { p=$(web_pid "$@") && [ -n "$p" ] && inns /bin/kill -0 "$p" 2>/dev/null; }
# the live udpchatweb processes of the board, "PID PPID STAT"
web_procs() { inns /bin/ps -o pid,ppid,stat,args | awk 'NR > 1 && $0 ~ /udpchatweb/ && $3 !~ /^Z/ { print $1, $2, $3 }'; }
no_web() { [ -z "$(web_procs)" ] && [ ! -e "$R/var/run/udpchatweb.pid" ]; }
W1=''
wait_until 10 svc_alive && wait_until 10 web_alive && W1=$(web_pid)
if grep -q 'Starting udpchatweb: OK' "$T/boot6.log" && [ -n "$W1" ] &&
	[ "$(inns /bin/cat "/proc/$W1/cmdline" | tr '\0' ' ')" = "/usr/sbin/udpchatweb -S -c /var/run/udpchatd.sock -p 8080 " ]; then
	ok "$S: rcS starts udpchatweb at boot (on as shipped): pidfile, -S, the room's socket, /etc/default/udpchatweb's port"
else
	notok "$S: rcS starts udpchatweb at boot (on as shipped): pidfile, -S, the room's socket, /etc/default/udpchatweb's port" \
		"$(diag "$T/boot6.log")" "pid $W1: $(inns /bin/cat "/proc/$W1/cmdline" 2>&1 | tr '\0' ' ')"
fi
if [ -n "$W1" ] && [ "$(status Uid "$W1")" = "0 0 0 0" ]; then
	ok "$S: udpchatweb runs as root, as udpchatirc (the room's socket admits root and its owner, root here)"
else
	notok "$S: udpchatweb runs as root, as udpchatirc" "$(creds "$W1")"
fi
# the page, fetched by the board's own busybox wget
page_ok() { inns /bin/busybox wget -q -O - http://127.0.0.1:8080/ 2>&1 | grep -q '<title>udpchat</title>'; }
if wait_until 10 page_ok; then
	ok "$S: busybox wget on the board fetches udpchatweb's page from http://127.0.0.1:8080/"
else
	notok "$S: busybox wget on the board fetches udpchatweb's page" "$(inns /bin/busybox wget -O - http://127.0.0.1:8080/ 2>&1 | tail -n 5)"
fi
# a web member (python's http.client in the board's network namespace; fd
# 6 feeds the lines it sends) and alice, a netcat member
rm -f "$T/webc.in" "$T/alice.in"
mkfifo "$T/webc.in" "$T/alice.in"
nsenter -t "$INIT" -n python3 tests/board/lib/webchat.py 127.0.0.1 8080 webby 120 <"$T/webc.in" >"$T/webc.out" 2>&1 &
WEBC=$!
exec 6>"$T/webc.in"
: >"$T/alice.out"
nsenter -t "$INIT" -n nc -u 127.0.0.1 8888 <"$T/alice.in" >"$T/alice.out" 2>&1 &
ALICE=$!
exec 7>"$T/alice.in"
wait_until 10 got webc 'events 200 text/event-stream'
echo alice >&7
wait_until 5 got alice '+OK welcome alice'
echo >&7
echo 'hello page' >&7
# the page speaks once alice's line is in: she is in the room then (a
# netcat member gets the room's lines once her second line confirmed her)
if got webc 'join 200 ' && wait_until 10 got webc 'message ' && wait_until 10 got webc ' alice: hello page' &&
	echo 'hello netcat' >&6 &&
	wait_until 10 got alice 'webby: hello netcat' && inns /usr/bin/udpchatctl who 2>&1 | grep -q webby; then
	ok "$S: through the service, a web member (HTTP join, event stream, send) and a netcat member chat both ways"
else
	notok "$S: through the service, a web member and a netcat member chat both ways" \
		"web:" "$(diag "$T/webc.out")" "alice:" "$(diag "$T/alice.out")"
fi
stops S52udpchatweb udpchatweb udpchatweb no_web web_procs
if wait_until 5 got alice 'webby left the room' && ! inns /usr/bin/udpchatctl who 2>&1 | grep -q webby; then
	ok "$S: stop is a clean SIGTERM (the web member leaves the room)"
else
	notok "$S: stop is a clean SIGTERM (the web member leaves the room)" "$(diag "$T/alice.out")"
fi
exec 6>&-
stop_pid "$WEBC"
WEBC=''
# off: nothing started, said why
sed -i 's/^UDPCHATWEB_ENABLED=.*/UDPCHATWEB_ENABLED="no"/' "$R/etc/default/udpchatweb"
inns /etc/init.d/S52udpchatweb start >"$T/web-off.log" 2>&1
if grep -q 'Starting udpchatweb: off' "$T/web-off.log" && holds 1 no_web; then
	ok "$S: UDPCHATWEB_ENABLED=\"no\" starts nothing, and says so"
else
	notok "$S: UDPCHATWEB_ENABLED=\"no\" starts nothing, and says so" "$(cat "$T/web-off.log")" "$(web_procs)"
fi
sed -i 's/^UDPCHATWEB_ENABLED=.*/UDPCHATWEB_ENABLED="yes"/' "$R/etc/default/udpchatweb"
inns /etc/init.d/S52udpchatweb start >/dev/null 2>&1
wait_until 5 web_alive
W2=$(web_pid)
# a second room's page (docs/DEPLOY.md): the links S50udpchatd-room2 and
# S52udpchatweb-room2 with their settings files; a web member of port 8081
# is a member of room2, not of the first room
ln -s S50udpchatd "$R/etc/init.d/S50udpchatd-room2"
ln -s S52udpchatweb "$R/etc/init.d/S52udpchatweb-room2"
sed 's/^UDPCHATD_ARGS=.*/UDPCHATD_ARGS="-p 8889"/' "$R/etc/default/udpchatd" >"$R/etc/default/udpchatd-room2"
sed -e 's/^UDPCHATWEB_PORT=.*/UDPCHATWEB_PORT="8081"/' "$R/etc/default/udpchatweb" >"$R/etc/default/udpchatweb-room2"
inns /etc/init.d/S50udpchatd-room2 start >/dev/null 2>&1
inns /etc/init.d/S52udpchatweb-room2 start >"$T/web2-start.log" 2>&1
nsenter -t "$INIT" -n timeout 20 python3 tests/board/lib/webchat.py 127.0.0.1 8081 frank 10 </dev/null >"$T/webc2.out" 2>&1
if grep -q 'Starting udpchatweb-room2: OK' "$T/web2-start.log" && web_alive udpchatweb-room2 &&
	got webc2 'join 200 ' && inns /usr/bin/udpchatctl -c /var/run/udpchatd-room2.sock who 2>&1 | grep -q frank &&
	! inns /usr/bin/udpchatctl who 2>&1 | grep -q frank && [ "$(web_pid)" = "$W2" ]; then
	ok "$S: S52udpchatweb-room2 serves the room udpchatd-room2 on its own port (its settings and pidfile)"
else
	notok "$S: S52udpchatweb-room2 serves the room udpchatd-room2 on its own port" "$(cat "$T/web2-start.log")" \
		"$(diag "$T/webc2.out")" "$(inns /usr/bin/udpchatctl -c /var/run/udpchatd-room2.sock who 2>&1)"
fi
check "$S: no zombie with udpchatweb" no_zombies
shutdown_board "shutdown of the web board" "$T/boot6.log"
# rcK runs S??* in reverse: the pages stop before the rooms
rck_order "$T/boot6.log" udpchatweb pages
syslogged udpchatweb udpchatweb "$W1" "serving udpchatd's room (/var/run/udpchatd.sock) on http port 8080"
