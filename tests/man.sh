#!/bin/sh
# The man pages in docs/man, checked against the programs they describe:
# - mandoc -Tlint (errors, warnings and style) prints nothing for each page,
#   its cross-references to the project's pages included (only a reference to
#   a page of another package that this machine lacks, such as nc(1), is let
#   pass; a udpchat* page must exist);
# - every flag a program's -h lists is in its page's OPTIONS and the other
#   way round, and the page's SYNOPSIS names the same flags (udpchatd,
#   udpchat, udpchatctl, and udpchatirc when the build holds it);
# - udpchat(1)'s COMMANDS are the commands a running server's /help lists,
#   and hold those of udpchat -h;
# - udpchatctl(8)'s REQUESTS are those of udpchatctl -h and those a running
#   server names when it refuses an unknown request.
# Usage: tests/man.sh [BUILD]   (default build/host; `make` first)
set -u
cd "$(dirname "$0")/.." || exit 2
. tests/board/lib/tap.sh

S="man"
B=${1:-build/host}
T=$(pwd)/build/test-man
M=docs/man
SRV=''
trap 'stop_pid "$SRV"' EXIT
rm -rf "$T"
mkdir -p "$T"
sh tests/deps.sh mandoc python3 >"$T/deps.log" 2>&1 || {
	notok "$S: setup" "$(diag "$T/deps.log")"
	exit 1
}
for p in udpchatd udpchat udpchatctl; do
	[ -x "$B/$p" ] || {
		notok "$S: setup" "$B/$p missing (make)"
		exit 1
	}
done

# sect PAGE NAME: the lines of section NAME of a page (.Sh NAME up to the next .Sh)
sect() { awk -v s=".Sh $2" '/^\.Sh / { on = ($0 == s); next } on' "$1"; }
# same NAME A B: the two lists (files, one item a line) are equal, and not empty
same() {
	sort -u "$2" >"$2.s"
	sort -u "$3" >"$3.s"
	if [ -s "$2.s" ] && cmp -s "$2.s" "$3.s"; then
		ok "$1"
	else
		notok "$1" "only in $(basename "$2"): $(comm -23 "$2.s" "$3.s" | tr '\n' ' ')" \
			"only in $(basename "$3"): $(comm -13 "$2.s" "$3.s" | tr '\n' ' ')"
	fi
}

# --- mandoc -Tlint: the pages installed in a man tree of their own, indexed
# with makewhatis, so that mandoc finds the project's cross-references
mkdir -p "$T/tree/man1" "$T/tree/man8"
cp "$M"/*.1 "$T/tree/man1/"
cp "$M"/*.8 "$T/tree/man8/"
makewhatis "$T/tree" >"$T/makewhatis.log" 2>&1
for f in "$M"/*.[0-9]; do
	MANPATH="$T/tree:/usr/share/man" mandoc -Tlint -W style "$f" >"$T/lint.out" 2>&1
	# a missing page of another package is this machine's business, not the page's
	msgs=$(grep -v -e 'outdated mandoc.db' "$T/lint.out" | while IFS= read -r l; do
		case $l in
		*"referenced manual not found: Xr "*)
			case $l in *"Xr udpchat"*) echo "$l" ;; esac ;;
		*) echo "$l" ;;
		esac
	done)
	if [ -z "$msgs" ] && [ -s "$f" ]; then
		ok "$S: mandoc -Tlint $f"
	else
		notok "$S: mandoc -Tlint $f" "$msgs"
	fi
done

# --- flags: -h against OPTIONS and SYNOPSIS
# help_flags PROG: the flags -h describes, one a line ("  -p PORT  ...")
help_flags() { "$B/$1" -h 2>&1 | sed -n 's/^ \{1,\}-\([A-Za-z0-9]\)\( .*\)\{0,1\}$/-\1/p'; }
# usage_flags PROG: the flags of -h's usage line ("[-p PORT]")
usage_flags() { "$B/$1" -h 2>&1 | grep -o '\[-[A-Za-z0-9]' | sed 's/^\[//'; }
# man_flags PAGE SECTION: the flags a section lists (.It Fl p / .Op Fl p)
man_flags() { sect "$1" "$2" | grep -o '^\.\(It\|Op\) Fl [A-Za-z0-9]' | sed 's/.* /-/'; }
# udpchatirc and udpchatweb are not in the default PROGS: each page is
# checked against a build that holds its program (make test's build/host
# does), and skipped otherwise
PAGES="udpchatd.8 udpchat.1 udpchatctl.8"
for pg in udpchatirc.1 udpchatweb.8; do
	if [ -x "$B/${pg%.*}" ]; then
		PAGES="$PAGES $pg"
	else
		ok "$S: $pg against ${pg%.*} -h # SKIP $B holds no ${pg%.*} (make PROGS=\"udpchatd udpchat udpchatctl ${pg%.*}\")"
	fi
done
for pg in $PAGES; do
	p=${pg%.*}
	help_flags "$p" >"$T/$p-h"
	man_flags "$M/$pg" OPTIONS >"$T/$pg-OPTIONS"
	man_flags "$M/$pg" SYNOPSIS >"$T/$pg-SYNOPSIS"
	same "$S: $p -h and $pg OPTIONS list the same flags" "$T/$p-h" "$T/$pg-OPTIONS"
	same "$S: $pg SYNOPSIS and OPTIONS list the same flags" "$T/$pg-SYNOPSIS" "$T/$pg-OPTIONS"
	usage_flags "$p" | sort -u >"$T/$p-usage"
	if [ -s "$T/$p-usage" ] && [ -z "$(sort -u "$T/$pg-SYNOPSIS" | comm -23 "$T/$p-usage" -)" ]; then
		ok "$S: every flag of $p -h's usage line is in $pg SYNOPSIS"
	else
		notok "$S: every flag of $p -h's usage line is in $pg SYNOPSIS" \
			"usage: $(tr '\n' ' ' <"$T/$p-usage")" "SYNOPSIS: $(tr '\n' ' ' <"$T/$pg-SYNOPSIS")"
	fi
done

# --- a running server: its /help and its list of control requests
port=$(free_udp_port)
sock=$T/ctl.sock
"$B/udpchatd" -p "$port" -b 127.0.0.1 -c "$sock" </dev/null >"$T/srv.log" 2>&1 &
SRV=$!
if ! wait_until 10 test -S "$sock"; then
	notok "$S: udpchatd starts" "$(diag "$T/srv.log")"
	exit 1
fi
# ask KIND: /help over UDP (as a member: join, then ask; resent until the
# answer comes, 10 s at most) or an unknown request on the control socket
ask() {
	python3 - "$1" "$port" "$sock" <<'PY'
import socket, sys, time
kind, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
end = time.monotonic() + 10
if kind == "help":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(b"/join mancheck\n", ("127.0.0.1", port))
    while time.monotonic() < end:
        s.sendto(b"/help\n", ("127.0.0.1", port))
        try:
            data = s.recv(4096).decode()
        except socket.timeout:
            continue
        for line in data.split("\n"):
            if line.startswith("+OK commands"):
                print(line)
                s.sendto(b"/quit\n", ("127.0.0.1", port))
                sys.exit(0)
    sys.exit(1)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(path)
s.sendall(b"no-such-request\n")
out = b""
while time.monotonic() < end:
    d = s.recv(4096)
    if not d:
        break
    out += d
print(out.decode(), end="")
PY
}
# commands FILE: the /words of a text, one a line (a word that starts the
# line or follows a space: not the /hosts of "(/etc/hosts")
commands() { grep -o '\(^\| \)/[a-z]\{1,\}' "$1" | sed 's/^ //'; }
ask help >"$T/help.out" 2>&1
commands "$T/help.out" >"$T/server-help"
sect "$M/udpchat.1" COMMANDS | sed -n 's|^\.It Ic \(/[a-z]*\).*|\1|p' >"$T/udpchat.1-COMMANDS"
same "$S: the server's /help and udpchat.1 COMMANDS list the same commands" \
	"$T/server-help" "$T/udpchat.1-COMMANDS"
"$B/udpchat" -h >"$T/udpchat-h" 2>&1
commands "$T/udpchat-h" | sort -u >"$T/udpchat-h-commands"
if [ -s "$T/udpchat-h-commands" ] &&
	[ -z "$(sort -u "$T/udpchat.1-COMMANDS" | comm -23 "$T/udpchat-h-commands" -)" ]; then
	ok "$S: every command of udpchat -h is in udpchat.1 COMMANDS"
else
	notok "$S: every command of udpchat -h is in udpchat.1 COMMANDS" \
		"udpchat -h: $(tr '\n' ' ' <"$T/udpchat-h-commands")"
fi

# udpchatctl -h: "  say TEXT    announce ..." (a word, not a flag, after two spaces)
"$B/udpchatctl" -h 2>&1 | sed -n 's/^  \([a-z]\{1,\}\) .*/\1/p' >"$T/udpchatctl-h"
sect "$M/udpchatctl.8" REQUESTS | sed -n 's/^\.It Cm \([a-z]*\).*/\1/p' >"$T/udpchatctl.8-REQUESTS"
same "$S: udpchatctl -h and udpchatctl.8 REQUESTS list the same requests" \
	"$T/udpchatctl-h" "$T/udpchatctl.8-REQUESTS"
# the server's refusal names what it serves: "-ERR unknown request (say TEXT | who | ...)"
ask ctl >"$T/ctl.out" 2>&1
sed -n 's/^-ERR unknown request (\(.*\))$/\1/p' "$T/ctl.out" | tr '|' '\n' |
	awk 'NF { print $1 }' >"$T/server-requests"
same "$S: the server's control requests and udpchatctl.8 REQUESTS are the same" \
	"$T/server-requests" "$T/udpchatctl.8-REQUESTS"
