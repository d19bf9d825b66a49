#!/bin/sh
# What cannot run here for real, checked as far as it can be:
# - shellcheck on every shell script of the project;
# - the OpenWrt procd script's start_service against a stand-in for procd's
#   and UCI's shell functions and OpenWrt's network.sh: the command lines
#   it builds from UCI files (one instance per room, the interface's
#   device as -b), and that the real udpchatd accepts them, two rooms at
#   once;
# - the IRC bridge's procd script (udpchatirc.init, /etc/config/udpchatirc)
#   against the same stand-in, its command line run by the OpenWrt
#   package's udpchatirc under qemu;
# - udpchatweb's procd script (udpchatweb.init, /etc/config/udpchatweb)
#   against the same stand-in, its command line run by the OpenWrt
#   package's udpchatweb under qemu, which serves its page and a join;
# - the systemd unit and the template udpchatd@.service (systemd-analyze),
#   the bridge's udpchatirc.service and udpchatirc@.service, and
#   udpchatweb.service and udpchatweb@.service;
# - the Buildroot package (.mk) and the OpenWrt package Makefile, run by
#   stand-ins of their build systems (tests/board/lib), with toolchains named
#   and behaving as theirs do (musl cross gcc, their CFLAGS): each builds and
#   installs through the project's Makefile (dynamic, unstripped: their
#   build systems strip), and the installed binary serves a chat join under
#   qemu-user; the version each computes, BR2_STATIC_LIBS, the init files
#   a BusyBox and a systemd image get, and OpenWrt's build stamps
#   (PKG_FILE_DEPENDS);
# - with BUILDROOT=DIR, a real Buildroot tree (tests/board/lib/buildroot-check.sh:
#   the defconfigs, printvars, utils/check-package); skipped without.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/board/lib/tap.sh
trap '' PIPE

S=packaging
T=$(pwd)/build/board-packaging
SRV=''
trap 'stop_pid "$SRV"' EXIT
rm -rf "$T"
mkdir -p "$T/bin"

sh tests/deps.sh shellcheck netcat-openbsd make gcc musl-tools uthash-dev tar gzip systemd python3 \
	gcc-aarch64-linux-gnu musl-dev:arm64 gcc-mipsel-linux-gnu musl-dev:mipsel \
	qemu-user-static >"$T/deps.log" 2>&1 ||
	make -s cross-deps >>"$T/deps.log" 2>&1 || {
	notok "$S: setup" "$(diag "$T/deps.log")"
	exit 1
}

# ------------------------------------------------------------- shellcheck
# every file that is a shell script: *.sh, and files whose first line runs sh
files() {
	git ls-files -co --exclude-standard -- . ':!build' 2>/dev/null ||
		find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||'
}
scripts() {
	files | while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*) head -n 1 "$f" | grep -q '^#!.*/bin/\(ba\)\{0,1\}sh' && echo "$f" ;;
		esac
	done
	# sourced by S50udpchatd: shell too
	echo rootfs-overlay/etc/default/udpchatd
	echo rootfs-overlay/etc/default/udpchatirc
	echo rootfs-overlay/etc/default/udpchatweb
}
for f in $(scripts | sort -u); do
	if out=$(shellcheck -x -s sh "$f" 2>&1); then
		ok "$S: shellcheck $f"
	else
		notok "$S: shellcheck $f" "$(echo "$out" | head -n 20)"
	fi
done

# ------------------------------------------------ mDNS: the avahi service file
# well-formed XML as avahi-daemon reads it (avahi.service(5)): one
# service-group with a name and one service of type _udpchat._udp on the
# default port, no element avahi does not know
AVAHI=rootfs-overlay/etc/avahi/services/udpchat.service
if out=$(python3 - "$AVAHI" 2>&1 <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "service-group", root.tag
assert [c.tag for c in root] == ["name", "service"], [c.tag for c in root]
assert (root.findtext("name") or "").strip(), "empty name"
svc = root.find("service")
tags = [c.tag for c in svc]
assert set(tags) <= {"type", "subtype", "domain-name", "host-name", "port", "txt-record"}, tags
assert svc.findtext("type") == "_udpchat._udp", svc.findtext("type")
assert svc.findtext("port") == "8888", svc.findtext("port")
PY
); then
	ok "$S: avahi service file $AVAHI: _udpchat._udp, port 8888, valid"
else
	notok "$S: avahi service file $AVAHI: _udpchat._udp, port 8888, valid" "$out"
fi

# ------------------------------------------------ procd start_service + UCI
INIT=board/openwrt/net/udpchat/files/udpchatd.init
# OpenWrt's network.sh, stood in for (tests/board/lib/network-stub.sh): the
# init script sources $IPKG_INSTROOT/lib/functions/network.sh
mkdir -p "$T/instroot/lib/functions"
cp tests/board/lib/network-stub.sh "$T/instroot/lib/functions/network.sh"
# run_procd UCIDIR: what the init script asks of procd (lan: 192.168.1.1
# on br-lan unless NET_lan_ipaddr, NET_lan_device say otherwise)
run_procd() {
	(
		UCI_DIR=$1
		# shellcheck disable=SC2034 # read by the sourced init script
		IPKG_INSTROOT=$T/instroot
		NET_lan_ipaddr=${NET_lan_ipaddr-192.168.1.1}
		NET_lan_device=${NET_lan_device-br-lan}
		export NET_lan_ipaddr NET_lan_device
		. tests/board/lib/procd-stub.sh
		# shellcheck source=/dev/null
		. "./$INIT"
		start_service
		service_triggers
	)
}
CONF=board/openwrt/net/udpchat/files/udpchatd.config
mkdir -p "$T/uci/default" "$T/uci/custom" "$T/uci/off" "$T/uci/root" "$T/uci/two" "$T/uci/any" "$T/uci/desc"
cp "$CONF" "$T/uci/default/udpchatd"
sed -e "s/option port '8888'/option port '9999'/" -e "s/option lang 'en'/option lang 'zh'/" \
	-e "s/option max_members '256'/option max_members \"32\"/" -e "s/option idle_timeout .*/option idle_timeout 0/" \
	-e "s/option description ''/option description 'kitchen'/" -e "s/option discovery '1'/option discovery '0'/" \
	"$CONF" >"$T/uci/custom/udpchatd"
sed -e "s/option description ''/option description 'the kitchen board'/" "$CONF" >"$T/uci/desc/udpchatd"
sed -e "s/option enabled .*/option enabled '0'/" "$CONF" >"$T/uci/off/udpchatd"
sed -e "s/option user .*/option user ''/" -e "s/option enabled .*/option enabled '1'/" "$CONF" >"$T/uci/root/udpchatd"
# both shipped rooms on, a third disabled, an unnamed fourth (UCI: cfg4)
{
	sed -e "s/option enabled .*/option enabled '1'/" "$CONF"
	printf "config udpchatd 'room3'\n\toption enabled '0'\n\toption port '8890'\n"
	printf "config udpchatd\n\toption port '8891'\n\toption user ''\n"
} >"$T/uci/two/udpchatd"
sed -e "s/option interface .*/option interface ''/" "$CONF" >"$T/uci/any/udpchatd"

# expect_start WHAT RUNNER NAME UCIDIR EXPECTED: RUNNER UCIDIR (run_procd,
# run_bridge, run_web) says EXPECTED
expect_start() {
	got=$($2 "$4" 2>&1)
	if [ "$got" = "$5" ]; then
		ok "$S: $1 start_service, $3"
	else
		notok "$S: $1 start_service, $3" "got:" "$got" "expected:" "$5"
	fi
}
expect_procd() { expect_start procd run_procd "$@"; } # NAME UCIDIR EXPECTED
# a room's instance up to its mDNS record: SECTION PORT ARGS (udpchatd's,
# each in brackets); a room run as root: this, then close_instance
room_as_root() {
	printf '%s\n' "open_instance $1
set_param command [/usr/sbin/udpchatd] $3
set_param respawn
set_param stdout [1]
set_param stderr [1]
add_mdns udpchat udp $2 room=$1"
}
# the instance of a room run as udpchat: NAME SECTION PORT ARGS
room_args_as_user() {
	printf '%s\n' "mkdir -p /var/run/$1
chown udpchat /var/run/$1
chmod 0700 /var/run/$1
ln -sfn $1/udpchatd.sock /var/run/$1.sock
$(room_as_root "$2" "$3" "$4")
set_param user [udpchat]
set_param group [udpchat]
set_param no_new_privs [1]
add_jail $1 log
add_jail_mount_rw /var/run/$1
close_instance"
}
# the same with the usual arguments: NAME SECTION PORT LANG MEMBERS ADDR
room_as_user() {
	room_args_as_user "$1" "$2" "$3" "[-p] [$3] [-L] [$4] [-m] [$5] [-t] [600] [-b] [$6] [-c] [/var/run/$1/udpchatd.sock]"
}
expect_procd "shipped UCI file: room main on the lan device, as udpchat" "$T/uci/default" "network_get_device lan
$(room_as_user udpchatd main 8888 en 256 br-lan)
reload_trigger udpchatd
reload_interface_trigger lan"
expect_procd "port 9999, zh, 32 members, no idle timeout, a description, no discovery" "$T/uci/custom" "network_get_device lan
$(room_args_as_user udpchatd main 9999 "[-p] [9999] [-L] [zh] [-m] [32] [-t] [0] [-b] [br-lan] [-c] [/var/run/udpchatd/udpchatd.sock] [-D] [kitchen] [-Q]")
reload_trigger udpchatd
reload_interface_trigger lan"
expect_procd "enabled 0 starts nothing" "$T/uci/off" "reload_trigger udpchatd"
expect_procd "a description of three words: one -D argument" "$T/uci/desc" "network_get_device lan
$(room_args_as_user udpchatd main 8888 "[-p] [8888] [-L] [en] [-m] [256] [-t] [600] [-b] [br-lan] [-c] [/var/run/udpchatd/udpchatd.sock] [-D] [the kitchen board]")
reload_trigger udpchatd
reload_interface_trigger lan"
expect_procd "two rooms: two instances, own ports and sockets; a disabled section none; an unnamed one" \
	"$T/uci/two" "network_get_device lan
$(room_as_user udpchatd main 8888 en 256 br-lan)
network_get_device lan
$(room_as_user udpchatd-room2 room2 8889 zh 64 br-lan)
$(room_as_root cfg4 8891 "[-p] [8891] [-L] [en] [-m] [256] [-t] [600] [-c] [/var/run/udpchatd-cfg4.sock]")
close_instance
reload_trigger udpchatd
reload_interface_trigger lan
reload_interface_trigger lan"
expect_procd "user '' keeps root: main at the default socket, room2 at its own" "$T/uci/root" "network_get_device lan
$(room_as_root main 8888 "[-p] [8888] [-L] [en] [-m] [256] [-t] [600] [-b] [br-lan]")
close_instance
network_get_device lan
$(room_as_root room2 8889 "[-p] [8889] [-L] [zh] [-m] [64] [-t] [600] [-b] [br-lan] [-c] [/var/run/udpchatd-room2.sock]")
close_instance
reload_trigger udpchatd
reload_interface_trigger lan
reload_interface_trigger lan"
expect_procd "interface '': every address, no interface lookup or trigger" "$T/uci/any" "$(room_args_as_user udpchatd main 8888 "[-p] [8888] [-L] [en] [-m] [256] [-t] [600] [-c] [/var/run/udpchatd/udpchatd.sock]")
reload_trigger udpchatd"
NET_lan_device=eth0.1 expect_procd "lan on another device: -b that device" "$T/uci/default" \
	"network_get_device lan
$(room_as_user udpchatd main 8888 en 256 eth0.1)
reload_trigger udpchatd
reload_interface_trigger lan"
NET_lan_device='' expect_procd "lan down (no device): no room until its trigger" "$T/uci/default" \
	"network_get_device lan
udpchatd: room main: interface lan is not up yet
reload_trigger udpchatd
reload_interface_trigger lan"

# ------------------------------------- procd: the bridge (udpchatirc.init)
# /etc/config/udpchatirc beside /etc/config/udpchatd: each enabled
# `config bridge` section with a server and a channel is one instance, run
# as its room's user through that room's socket; the shipped file starts
# nothing
IINIT=board/openwrt/net/udpchat/files/udpchatirc.init
ICONF=board/openwrt/net/udpchat/files/udpchatirc.config
# run_bridge UCIDIR: what udpchatirc.init asks of procd
run_bridge() {
	(
		UCI_DIR=$1
		. tests/board/lib/procd-stub.sh
		# shellcheck source=/dev/null
		. "./$IINIT"
		start_service
		service_triggers
	)
}
expect_bridge() { expect_start "procd udpchatirc" run_bridge "$@"; } # NAME UCIDIR EXPECTED
# ib NAME: a UCI folder NAME holding the shipped /etc/config/udpchatd
ib() { mkdir -p "$T/ib/$1" && cp "$CONF" "$T/ib/$1/udpchatd"; }
ib off && cp "$ICONF" "$T/ib/off/udpchatirc"
ib on && sed -e "s/option enabled .*/option enabled '1'/" -e "s/option server .*/option server 'irc.lan'/" \
	-e "s/option channel .*/option channel '#lan'/" "$ICONF" >"$T/ib/on/udpchatirc"
ib noserver && sed -e "s/option enabled .*/option enabled '1'/" -e "s/option channel .*/option channel '#lan'/" \
	"$ICONF" >"$T/ib/noserver/udpchatirc"
# two rooms (room2 as root), three bridges: main's (key, no notices, pacing,
# idle, two peers), room2's (one peer), and one for room3, which does not
# exist
ib two && sed -e "s/option enabled .*/option enabled '1'/" -e "/^config udpchatd 'room2'/,\$ s/option user .*/option user ''/" \
	"$CONF" >"$T/ib/two/udpchatd"
{
	sed -e "s/option enabled .*/option enabled '1'/" -e "s/option server .*/option server '127.0.0.1:1'/" \
		-e "s/option channel .*/option channel '#lan'/" -e "s/option key .*/option key 'sesame'/" \
		-e "s/option notices .*/option notices '0'/" -e "s/option nick .*/option nick 'boardA'/" \
		-e "s|option pacing .*|option pacing '10/0.5'|" -e "s/option idle .*/option idle '60'/" "$ICONF"
	printf "\tlist peer 'boardB=B'\n\tlist peer 'boardC=C'\n"
	printf "config bridge 'b2'\n\toption enabled '1'\n\toption room 'room2'\n\toption server '10.0.0.1'\n\toption channel '#zh'\n\toption tag 'zh'\n"
	printf "\tlist peer 'zhB=B'\n"
	printf "config bridge 'b3'\n\toption enabled '1'\n\toption room 'room3'\n\toption server '10.0.0.1'\n\toption channel '#x'\n"
} >"$T/ib/two/udpchatirc"
# the room main disabled: its bridge does not start
ib roomoff && sed -e "s/option enabled .*/option enabled '0'/" "$CONF" >"$T/ib/roomoff/udpchatd" &&
	cp "$T/ib/on/udpchatirc" "$T/ib/roomoff/udpchatirc"
expect_bridge "shipped /etc/config/udpchatirc: off, nothing started" "$T/ib/off" "reload_trigger udpchatirc udpchatd"
expect_bridge "enabled: an instance as the room's user udpchat, through its socket" "$T/ib/on" "open_instance main
set_param command [/usr/bin/udpchatirc] [-c] [/var/run/udpchatd/udpchatd.sock] [-n] [udpchat] [-t] [irc] [irc.lan] [#lan]
set_param respawn
set_param stdout [1]
set_param stderr [1]
set_param user [udpchat]
set_param group [udpchat]
set_param no_new_privs [1]
close_instance
reload_trigger udpchatirc udpchatd"
expect_bridge "enabled without a server: nothing started, said why" "$T/ib/noserver" "udpchatirc: bridge main: no server or channel set
reload_trigger udpchatirc udpchatd"
expect_bridge "three bridges: main's (key, -N, pacing -r, idle -i, its list peer as one -P), room2's (a root room: its own socket; one peer), none for a room that does not exist" \
	"$T/ib/two" "open_instance main
set_param command [/usr/bin/udpchatirc] [-c] [/var/run/udpchatd/udpchatd.sock] [-n] [boardA] [-t] [irc] [-k] [sesame] [-N] [-r] [10/0.5] [-i] [60] [-P] [boardB=B,boardC=C] [127.0.0.1:1] [#lan]
set_param respawn
set_param stdout [1]
set_param stderr [1]
set_param user [udpchat]
set_param group [udpchat]
set_param no_new_privs [1]
close_instance
open_instance b2
set_param command [/usr/bin/udpchatirc] [-c] [/var/run/udpchatd-room2.sock] [-n] [udpchat] [-t] [zh] [-P] [zhB=B] [10.0.0.1] [#zh]
set_param respawn
set_param stdout [1]
set_param stderr [1]
close_instance
udpchatirc: bridge b3: no enabled room 'room3' in /etc/config/udpchatd
reload_trigger udpchatirc udpchatd"
expect_bridge "its room disabled: no bridge" "$T/ib/roomoff" "udpchatirc: bridge main: no enabled room 'main' in /etc/config/udpchatd
reload_trigger udpchatirc udpchatd"
# ------------------------------------- procd: the page (udpchatweb.init)
# /etc/config/udpchatweb beside /etc/config/udpchatd: each enabled `config
# web` section is one instance, on its port and interface's address, a
# bridge on its room's control socket as the room's user (its socket
# directory mounted into the jail); the shipped file starts main's
WINIT=board/openwrt/net/udpchat/files/udpchatweb.init
WCONF=board/openwrt/net/udpchat/files/udpchatweb.config
# run_web UCIDIR: what udpchatweb.init asks of procd (run_procd's stand-ins
# and lan address)
run_web() { (INIT=$WINIT && run_procd "$1"); }
expect_web() { expect_start "procd udpchatweb" run_web "$@"; } # NAME UCIDIR EXPECTED
# wb NAME [UDPCHATD-SED [UDPCHATWEB-SED]]: a UCI folder NAME with the
# shipped files, edited
wb() {
	mkdir -p "$T/wb/$1"
	sed -e "${2:-}" "$CONF" >"$T/wb/$1/udpchatd"
	sed -e "${3:-}" "$WCONF" >"$T/wb/$1/udpchatweb"
}
# the instance of a page run as the room's user udpchat: SECTION NAME ROOM ARGS...
web_as_user() {
	s=$1 n=$2 r=$3
	shift 3
	printf 'open_instance %s\nset_param command [/usr/sbin/udpchatweb] [-c] [/var/run/%s/udpchatd.sock]' "$s" "$r"
	printf ' [%s]' "$@"
	printf '\n%s\n' "set_param respawn
set_param stdout [1]
set_param stderr [1]
set_param user [udpchat]
set_param group [udpchat]
set_param no_new_privs [1]
add_jail $n log
add_jail_mount_rw /var/run/$r
close_instance"
}
wb shipped
wb both "s/option enabled .*/option enabled '1'/" "s/option enabled .*/option enabled '1'/"
wb any "s/option interface .*/option interface ''/" "s/option interface .*/option interface ''/"
wb off '' "s/option enabled .*/option enabled '0'/"
wb roomoff "/^config udpchatd 'main'/,/^config/ s/option enabled .*/option enabled '0'/"
wb root "s/option user .*/option user 'root'/"
expect_web "shipped UCI files: main's page on lan's 8080, for the room main's socket, as its user udpchat" "$T/wb/shipped" \
	"network_get_ipaddr lan
$(web_as_user main udpchatweb udpchatd -p 8080 -m 32 -s 16 -t 30 -b 192.168.1.1)
reload_trigger udpchatweb udpchatd
reload_interface_trigger lan"
expect_web "both rooms and both pages on: room2's on 8081 for room2's socket" "$T/wb/both" "network_get_ipaddr lan
$(web_as_user main udpchatweb udpchatd -p 8080 -m 32 -s 16 -t 30 -b 192.168.1.1)
network_get_ipaddr lan
$(web_as_user room2 udpchatweb-room2 udpchatd-room2 -p 8081 -m 32 -s 16 -t 30 -b 192.168.1.1)
reload_trigger udpchatweb udpchatd
reload_interface_trigger lan
reload_interface_trigger lan"
expect_web "interface '': every address, no trigger" "$T/wb/any" \
	"$(web_as_user main udpchatweb udpchatd -p 8080 -m 32 -s 16 -t 30)
reload_trigger udpchatweb udpchatd"
expect_web "enabled 0 starts nothing" "$T/wb/off" "reload_trigger udpchatweb udpchatd"
expect_web "its room disabled: no page, said why" "$T/wb/roomoff" \
	"udpchatweb: web main: no enabled room 'main' in /etc/config/udpchatd
reload_trigger udpchatweb udpchatd
reload_interface_trigger lan"
expect_web "a room run as root: root, its socket /var/run/NAME.sock (no user, group, jail)" "$T/wb/root" "network_get_ipaddr lan
open_instance main
set_param command [/usr/sbin/udpchatweb] [-c] [/var/run/udpchatd.sock] [-p] [8080] [-m] [32] [-s] [16] [-t] [30] [-b] [192.168.1.1]
set_param respawn
set_param stdout [1]
set_param stderr [1]
close_instance
reload_trigger udpchatweb udpchatd
reload_interface_trigger lan"
NET_lan_ipaddr='' expect_web "lan down (no address): no page until its trigger" "$T/wb/shipped" \
	"network_get_ipaddr lan
network_get_ipaddr6 lan
udpchatweb: web main: interface lan has no address yet
reload_trigger udpchatweb udpchatd
reload_interface_trigger lan"
if ! sed -n '/^define Package\/udpchat-web$/,/^endef/p' board/openwrt/net/udpchat/Makefile | grep -q 'USERID'; then
	ok "$S: OpenWrt: udpchat-web makes no user of its own (it runs as its room's)"
else
	notok "$S: OpenWrt: udpchat-web makes no user of its own (it runs as its room's)" \
		"$(sed -n '/^define Package\/udpchat-web$/,/^endef/p' board/openwrt/net/udpchat/Makefile)"
fi

if grep -q '^  USERID:=udpchat:udpchat$' board/openwrt/net/udpchat/Makefile; then
	ok "$S: OpenWrt package makes the udpchat user and group (USERID)"
else
	notok "$S: OpenWrt package makes the udpchat user and group (USERID)" "$(grep -n USERID board/openwrt/net/udpchat/Makefile)"
fi

# ------------------------------------------------------------ systemd unit
# systemd-analyze verify in a root with Debian's units and the installed
# binary (nothing is started); it only warns about a bad setting, so any
# output fails, and a misspelt copy shows that it would be noticed
UNIT=board/raspberrypi/systemd/udpchatd.service
SD=$T/systemd-root
mkdir -p "$SD/usr/lib/systemd/system" "$SD/usr/sbin" "$SD/bin"
cp -a /usr/lib/systemd/system/. "$SD/usr/lib/systemd/system/"
cp /bin/ln /bin/rm "$SD/bin/"
: >"$SD/usr/sbin/udpchatd"
chmod 0755 "$SD/usr/sbin/udpchatd"
# verify_unit FILE AS INSTANCE: FILE installed as unit AS and verified as
# INSTANCE (an instance of a template: a link to it)
verify_unit() {
	cp "$1" "$SD/usr/lib/systemd/system/$2"
	[ "$3" = "$2" ] || ln -sf "$2" "$SD/usr/lib/systemd/system/$3"
	systemd-analyze verify --man=no --root="$SD" "$SD/usr/lib/systemd/system/$3" 2>&1
}
# check_unit FILE AS INSTANCE: verify prints nothing, and it notices a
# misspelt copy
check_unit() {
	out=$(verify_unit "$@")
	rc=$?
	sed 's/^RestrictAddressFamilies=AF_INET /RestrictAddressFamilies=AF_INETT /' "$1" >"$T/bad.service"
	bad=$(verify_unit "$T/bad.service" "$2" "$3")
	if [ "$rc" = 0 ] && [ -z "$out" ] && echo "$bad" | grep -q 'AF_INETT'; then
		ok "$S: systemd-analyze verify $3 (and notices a misspelt family)"
	else
		notok "$S: systemd-analyze verify $3 (and notices a misspelt family)" \
			"rc $rc: $out" "misspelt copy: $bad"
	fi
}
check_unit "$UNIT" udpchatd.service udpchatd.service
# the template udpchatd@.service (a room per instance), as udpchatd@room2
TPL=board/raspberrypi/systemd/udpchatd@.service
check_unit "$TPL" udpchatd@.service udpchatd@room2.service
# its settings are the first room's with the room's name in the paths
# (tests/board/lib/unit-template.sed), so the two cannot drift apart
settings() { grep -v '^#' "$1"; }
settings "$UNIT" | sed -f tests/board/lib/unit-template.sed >"$T/tpl.want"
if settings "$TPL" | cmp -s - "$T/tpl.want"; then
	ok "$S: udpchatd@.service is udpchatd.service with %i in its paths, line for line"
else
	notok "$S: udpchatd@.service is udpchatd.service with %i in its paths, line for line" \
		"$(settings "$TPL" | diff "$T/tpl.want" - | head -n 20)"
fi
# missing_lines FILE LINE...: each LINE that is not a whole line of FILE,
# after a newline
missing_lines() {
	f=$1
	shift
	for l in "$@"; do
		grep -qx -- "$l" "$f" || printf '\n%s' "$l"
	done
}
# none_missing NAME: ok NAME when $missing (missing_lines' and the
# checks' own) is empty
none_missing() {
	if [ -z "$missing" ]; then
		ok "$S: $1"
	else
		notok "$S: $1" "missing lines:$missing"
	fi
}
# shellcheck disable=SC2016 # $UDPCHATD_ARGS is the unit's, not ours
missing=$(missing_lines "$UNIT" DynamicUser=yes NoNewPrivileges=yes CapabilityBoundingSet= ProtectSystem=strict \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' SystemCallFilter=@system-service \
	RuntimeDirectory=udpchatd RuntimeDirectoryMode=0700 \
	'ExecStart=/usr/sbin/udpchatd $UDPCHATD_ARGS -D ${UDPCHATD_DESCRIPTION} -c /run/udpchatd/udpchatd.sock')
# its default description is the settings file's: the same room with or
# without the file
(. rootfs-overlay/etc/default/udpchatd && [ "$(sed -n 's/^Environment=UDPCHATD_DESCRIPTION=//p' "$UNIT")" = "$UDPCHATD_DESCRIPTION" ]) ||
	missing="$missing
(Environment=UDPCHATD_DESCRIPTION= is not the settings file's)"
none_missing "systemd unit: own user, no capability, read-only system, socket families, syscall filter, the description as one -D"

# the bridge's units: udpchatirc.service verified beside udpchatd.service
# (which it requires), the template as udpchatirc@room2 beside
# udpchatd@.service, the template's settings the unit's with the room's
# name (tests/board/lib/irc-unit-template.sed), the sandbox line for line
# udpchatd.service's, and the lines that make it the room's bridge
IUNIT=board/raspberrypi/systemd/udpchatirc.service
ITPL=board/raspberrypi/systemd/udpchatirc@.service
cp /bin/sh "$SD/bin/"
mkdir -p "$SD/usr/bin"
: >"$SD/usr/bin/udpchatirc"
chmod 0755 "$SD/usr/bin/udpchatirc"
cp "$UNIT" "$SD/usr/lib/systemd/system/udpchatd.service"
cp "$TPL" "$SD/usr/lib/systemd/system/udpchatd@.service"
sandbox() { sed -n '/^CapabilityBoundingSet=/,/^SystemCallErrorNumber=/p' "$1"; }
sandbox "$UNIT" >"$T/sandbox.d"
# bridge_units PROG UNIT TEMPLATE SED: PROG's unit and its template (as
# PROG@room2) verified, the template's settings the unit's edited by SED
# (the room's name), the unit's sandbox udpchatd.service's, line for line
bridge_units() {
	check_unit "$2" "$1.service" "$1.service"
	check_unit "$3" "$1@.service" "$1@room2.service"
	settings "$2" | sed -f "$4" >"$T/$1.tpl.want"
	if settings "$3" | cmp -s - "$T/$1.tpl.want"; then
		ok "$S: $1@.service is $1.service with the room's name, line for line"
	else
		notok "$S: $1@.service is $1.service with the room's name, line for line" \
			"$(settings "$3" | diff "$T/$1.tpl.want" - | head -n 20)"
	fi
	sandbox "$2" >"$T/sandbox.$1"
	if [ -s "$T/sandbox.d" ] && cmp -s "$T/sandbox.d" "$T/sandbox.$1"; then
		ok "$S: $1.service has udpchatd.service's sandbox, line for line"
	else
		notok "$S: $1.service has udpchatd.service's sandbox, line for line" \
			"$(diff "$T/sandbox.d" "$T/sandbox.$1")"
	fi
}
bridge_units udpchatirc "$IUNIT" "$ITPL" tests/board/lib/irc-unit-template.sed
# shellcheck disable=SC2016 # the unit's variables, not ours
missing=$(missing_lines "$IUNIT" Requires=udpchatd.service 'After=udpchatd.service network-online.target' \
	EnvironmentFile=-/etc/default/udpchatirc Restart=on-failure RestartPreventExitStatus=2 \
	DynamicUser=yes User=udpchatd \
	'ExecStart=/usr/bin/udpchatirc -c /run/udpchatd/udpchatd.sock -n ${UDPCHATIRC_NICK} -t ${UDPCHATIRC_TAG} $UDPCHATIRC_ARGS ${UDPCHATIRC_SERVER} ${UDPCHATIRC_CHANNEL}')
# the room's own unit: its dynamic user is named after it (udpchatd), and
# its socket is where the bridge looks
grep -qx 'RuntimeDirectory=udpchatd' "$UNIT" && ! grep -q '^User=' "$UNIT" || missing="$missing
(udpchatd.service: RuntimeDirectory=udpchatd, no User=: its dynamic user is udpchatd)"
none_missing "udpchatirc.service: requires and follows udpchatd.service, shares its user and socket, restarts on failure but not on bad settings"
# ExecCondition with the settings file: the shipped one (off) skips the
# start, a configured one runs it (the command as systemd hands it to the
# shell: $$ is $)
cond=$(sed -n "s/^ExecCondition=\/bin\/sh -c '\(.*\)'$/\1/p" "$IUNIT" | sed 's/\$\$/$/g')
envrun() { # FILE: the condition, with FILE's settings in the environment
	env -i sh -c "set -a; . '$1'; exec sh -c '$cond'" 2>&1
}
sed -e 's/^UDPCHATIRC_SERVER=.*/UDPCHATIRC_SERVER="irc.lan"/' -e 's/^UDPCHATIRC_CHANNEL=.*/UDPCHATIRC_CHANNEL="#lan"/' \
	rootfs-overlay/etc/default/udpchatirc >"$T/udpchatirc.on"
if [ -n "$cond" ] && ! envrun rootfs-overlay/etc/default/udpchatirc && envrun "$T/udpchatirc.on"; then
	ok "$S: udpchatirc.service's ExecCondition: the shipped /etc/default/udpchatirc skips the start, a server and a channel let it run"
else
	notok "$S: udpchatirc.service's ExecCondition: the shipped /etc/default/udpchatirc skips the start, a server and a channel let it run" \
		"condition: $cond"
fi

# udpchatweb's units: udpchatweb.service verified beside udpchatd.service
# (which it requires), the template as udpchatweb@room2 beside
# udpchatd@.service, the template the unit with the room's name
# (tests/board/lib/web-unit-template.sed), the sandbox line for line
# udpchatd.service's, the lines that make it the room's page, and its
# defaults those of the shipped /etc/default/udpchatweb
WUNIT=board/raspberrypi/systemd/udpchatweb.service
WTPL=board/raspberrypi/systemd/udpchatweb@.service
: >"$SD/usr/sbin/udpchatweb"
chmod 0755 "$SD/usr/sbin/udpchatweb"
bridge_units udpchatweb "$WUNIT" "$WTPL" tests/board/lib/web-unit-template.sed
# shellcheck disable=SC2016 # the unit's variables, not ours
missing=$(missing_lines "$WUNIT" Requires=udpchatd.service 'After=udpchatd.service network.target' \
	EnvironmentFile=-/etc/default/udpchatweb Restart=on-failure RestartPreventExitStatus=2 \
	DynamicUser=yes User=udpchatd \
	'ExecStart=/usr/sbin/udpchatweb -c /run/udpchatd/udpchatd.sock -p ${UDPCHATWEB_PORT} $UDPCHATWEB_ARGS')
# the unit's defaults (Environment=) are the shipped settings file's
# values: the same page with or without the file
shipped() { (. rootfs-overlay/etc/default/udpchatweb && echo "UDPCHATWEB_PORT=$UDPCHATWEB_PORT"); }
unitenv() { sed -n 's/^Environment=//p' "$WUNIT" | sed 's/"//g'; }
[ "$(unitenv)" = "$(shipped)" ] || missing="$missing
(Environment= '$(unitenv)' is not the settings file's '$(shipped)')"
none_missing "udpchatweb.service: requires and follows udpchatd.service, shares its user and socket, the settings file over defaults equal to its values, no restart on bad settings"

# serve WRAP BIN ARGS...: starts BIN (under WRAP, may be empty) on a free port
# with a private control socket; ok when a netcat join gets the welcome
serve() {
	wrap=$1 bin=$2
	shift 2
	port=$(free_udp_port)
	# shellcheck disable=SC2086 # WRAP is a command prefix: words
	$wrap "$bin" "$@" -p "$port" -c "$T/ctl.$port" </dev/null >"$T/srv.log" 2>&1 &
	SRV=$!
	joined() {
		printf 'zoe\n' | timeout 3 nc -u -w1 127.0.0.1 "$port" >"$T/nc.out" 2>&1
		grep -q '+OK welcome zoe' "$T/nc.out"
	}
	wait_until 10 joined
	rc=$?
	stop_pid "$SRV"
	SRV=''
	return $rc
}
# the procd command line, run for real (the host build; the port and the
# control socket made private to this test)
make -s -j2 >"$T/make-host.log" 2>&1
cmd=$(NET_lan_device=lo run_procd "$T/uci/custom" 2>/dev/null | sed -n 's/^set_param command //p' | tr -d '[]')
# shellcheck disable=SC2086 # the recorded words, minus the program and its -p
set -- $cmd
shift 3
if serve '' build/host/udpchatd "$@"; then
	ok "$S: udpchatd accepts the procd command line ($*)"
else
	notok "$S: udpchatd accepts the procd command line ($*)" "$(diag "$T/srv.log")"
fi
# two rooms at once, from the two-room UCI file with lan on lo: each
# command line (its port and socket made private to this test) serves joins
# on its own port while the other runs, bound to the lan device
NET_lan_device=lo run_procd "$T/uci/two" 2>/dev/null | sed -n 's/^set_param command //p' |
	tr -d '[]' | head -n 2 >"$T/rooms"
ROOMS=''
WSRV=''
trap 'stop_pid "$SRV"; stop_pid "$WSRV"; for r in $ROOMS; do stop_pid "${r%%:*}"; done' EXIT
while read -r cmd; do
	# shellcheck disable=SC2086 # the recorded words, minus the program and its -p
	set -- $cmd
	shift 3
	rp=$(free_udp_port)
	build/host/udpchatd "$@" -p "$rp" -c "$T/room.$rp" </dev/null >"$T/room.$rp.log" 2>&1 &
	ROOMS="$ROOMS $!:$rp"
done <"$T/rooms"
room_joins() { # PORT: a netcat join gets the welcome
	printf 'zoe\n' | timeout 3 nc -u -w1 127.0.0.1 "$1" >"$T/nc.$1" 2>&1
	grep -q '+OK welcome zoe' "$T/nc.$1"
}
both=0
for r in $ROOMS; do
	wait_until 10 room_joins "${r#*:}" && [ -S "$T/room.${r#*:}" ] && both=$((both + 1))
done
if [ "$both" = 2 ] && [ "$(wc -l <"$T/rooms")" = 2 ] && grep -q -- '-b lo' "$T/rooms"; then
	ok "$S: two rooms' procd command lines run at once, each answering on its own port and socket"
else
	notok "$S: two rooms' procd command lines run at once, each answering on its own port and socket" \
		"$both of 2 rooms answered" "$(cat "$T/rooms")" "$(for r in $ROOMS; do diag "$T/room.${r#*:}.log"; done)"
fi
for r in $ROOMS; do stop_pid "${r%%:*}"; done
ROOMS=''

# ------------------------------------------- toolchains named as theirs are
# wrap NAME REALGCC SPECS: $T/bin/NAME-gcc, a musl gcc as Buildroot/OpenWrt
# ship it (no -specs needed by its callers), and NAME-strip
wrap_tc() {
	printf '#!/bin/sh\nexec %s -specs %s "$@"\n' "$2" "$3" >"$T/bin/$1-gcc"
	printf '#!/bin/sh\nexec %s "$@"\n' "${2%gcc}strip" >"$T/bin/$1-strip"
	chmod 0755 "$T/bin/$1-gcc" "$T/bin/$1-strip"
}
wrap_tc aarch64-buildroot-linux-musl aarch64-linux-gnu-gcc /usr/lib/aarch64-linux-musl/musl-gcc.specs
wrap_tc mipsel-openwrt-linux-musl mipsel-linux-gnu-gcc /usr/lib/mipsel-linux-musl/musl-gcc.specs
# the uthash release tarball, stood in for by Debian's uthash-dev headers of
# the same version (2.3.0): no download in tests
mkdir -p "$T/dl/uthash-2.3.0/src"
for h in uthash utlist utarray utstring utstack utringbuffer; do
	cp "/usr/include/$h.h" "$T/dl/uthash-2.3.0/src/"
done
echo "stand-in for the upstream LICENSE" >"$T/dl/uthash-2.3.0/LICENSE"
tar -C "$T/dl" -czf "$T/dl/uthash-2.3.0.tar.gz" uthash-2.3.0

# installed ROOT MACHINE LINKING: the package's files in ROOT are right; the
# binary is static, or dynamic against musl's loader, as LINKING says, and
# left unstripped for the build system to strip (both strip when they pack)
installed() {
	r=$1
	b=$r/usr/bin/udpchatmulti
	readelf -h "$b" 2>/dev/null | grep -q "Machine:.*$2" &&
		case $3 in
		static) ! readelf -l "$b" | grep -q INTERP ;;
		dynamic) readelf -l "$b" | grep -q 'interpreter: /lib/ld-musl-' ;;
		esac &&
		readelf -S "$b" | grep -q '\.symtab' &&
		[ "$(readlink -f "$r/usr/sbin/udpchatd")" = "$(readlink -f "$b")" ] &&
		[ "$(readlink -f "$r/usr/bin/udpchat")" = "$(readlink -f "$b")" ] &&
		[ "$(readlink -f "$r/usr/bin/udpchatctl")" = "$(readlink -f "$b")" ]
}
# flags_kept FLAGSFILE CC FLAG: the build used the toolchain's CC with the
# build system's CFLAGS and the project's own required flags, and neither
# -static nor the static build's -z norelro (both link dynamically here)
flags_kept() {
	grep -q -- "^$2 " "$1" && grep -q -- "$3" "$1" && grep -q -- '-ffunction-sections' "$1" &&
		grep -q -- '-Wl,--gc-sections' "$1" && ! grep -q -- '-static' "$1" &&
		! grep -q -- 'norelro' "$1"
}
VER=$(sed -n 's/^VERSION *= *//p' Makefile)

# ------------------------------------------------------------ Buildroot
B=$T/buildroot
brstub() {
	make -f tests/board/lib/buildroot-stub.mk BASE="$B" DL_DIR="$T/dl" \
		BR2_EXTERNAL_UDPCHAT_PATH="$(pwd)/board/raspberrypi" \
		TARGET_CC="$T/bin/aarch64-buildroot-linux-musl-gcc" \
		TARGET_STRIP="$T/bin/aarch64-buildroot-linux-musl-strip" "$@"
}
# the version written once: what the .mk computes is the Makefile's
check "$S: Buildroot: UDPCHAT_VERSION is the Makefile's VERSION ($VER)" \
	test "$(brstub -s print-UDPCHAT_VERSION)" = "$VER"
# BR2_STATIC_LIBS: static only in a static image; never self-stripped
case $(brstub -s print-UDPCHAT_MAKE_OPTS BR2_STATIC_LIBS=y) in
*STATIC=*) static_opts=no ;;
*NOSTRIP=1*) static_opts=yes ;;
*) static_opts=no ;;
esac
check "$S: Buildroot: BR2_STATIC_LIBS=y keeps the static build (no STATIC=), NOSTRIP=1" test "$static_opts" = yes
if brstub udpchat >"$T/buildroot.log" 2>&1; then
	ok "$S: Buildroot package udpchat.mk (+ uthash.mk) builds and installs"
else
	notok "$S: Buildroot package udpchat.mk (+ uthash.mk) builds and installs" "$(diag "$T/buildroot.log")"
fi
check "$S: Buildroot: UDPCHAT_USERS makes the udpchat system user and group" \
	test "$(cat "$B/users_table.txt" 2>/dev/null)" = "udpchat -1 udpchat -1 * - - - udpchat daemon"
check "$S: Buildroot: /etc/default/udpchatd runs the daemon as udpchat" \
	grep -qx 'UDPCHATD_USER="udpchat"' "$B/target/etc/default/udpchatd"
check "$S: Buildroot: the avahi service file (mDNS: _udpchat._udp) in /etc/avahi/services" \
	cmp -s rootfs-overlay/etc/avahi/services/udpchat.service "$B/target/etc/avahi/services/udpchat.service"
check "$S: Buildroot: uthash.h staged from the release layout" test -f "$B/staging/usr/include/uthash.h"
check "$S: Buildroot: shared-libs image: dynamic (musl), unstripped AArch64 udpchatmulti and the three links in TARGET_DIR" \
	installed "$B/target" AArch64 dynamic
check "$S: Buildroot: the man pages in TARGET_DIR/usr/share/man (target-finalize drops them)" \
	test -f "$B/target/usr/share/man/man1/udpchat.1" -a -f "$B/target/usr/share/man/man8/udpchatd.8" \
	-a -f "$B/target/usr/share/man/man8/udpchatctl.8"
check "$S: Buildroot: S50udpchatd (0755) and /etc/default/udpchatd installed, no systemd unit (BusyBox init)" \
	test -x "$B/target/etc/init.d/S50udpchatd" -a -f "$B/target/etc/default/udpchatd" \
	-a ! -e "$B/target/usr/lib/systemd/system/udpchatd.service"
check "$S: Buildroot: built with TARGET_CC and TARGET_CFLAGS, required flags kept, not -static" \
	flags_kept "$B/build/udpchat-$VER/build/buildroot/.flags" "$T/bin/aarch64-buildroot-linux-musl-gcc" \
	-D_FILE_OFFSET_BITS=64
if serve qemu-aarch64-static "$B/target/usr/sbin/udpchatd"; then
	ok "$S: Buildroot: the installed udpchatd serves a join (qemu-aarch64)"
else
	notok "$S: Buildroot: the installed udpchatd serves a join (qemu-aarch64)" "$(diag "$T/srv.log")"
fi

# a real Buildroot tree, when one is given (make buildroot-check; none on CI)
if [ -n "${BUILDROOT:-}" ]; then
	sh tests/board/lib/buildroot-check.sh "$BUILDROOT"
else
	ok "$S: real Buildroot: defconfigs, printvars, check-package # SKIP no BUILDROOT=DIR (make buildroot-check)"
fi

# the default package has no bridge (the positive control: the
# BR2_PACKAGE_UDPCHAT_IRC=y image below)
check "$S: Buildroot: without BR2_PACKAGE_UDPCHAT_IRC no udpchatirc, S51udpchatirc or its settings in TARGET_DIR" \
	test -z "$(find "$B/target" -name '*udpchatirc*')" -a -x "$B/target/etc/init.d/S50udpchatd"
check "$S: Buildroot: without BR2_PACKAGE_UDPCHAT_WEB no udpchatweb, S52udpchatweb or its settings in TARGET_DIR" \
	test -z "$(find "$B/target" -name '*udpchatweb*')" -a -x "$B/target/etc/init.d/S50udpchatd"

# a systemd image gets the package's unit and no S50 script (no overlay: the
# package installs what the image's init needs); this one with the bridge
# and the page (BR2_PACKAGE_UDPCHAT_IRC=y, BR2_PACKAGE_UDPCHAT_WEB=y)
BS=$T/buildroot-systemd
if make -f tests/board/lib/buildroot-stub.mk BASE="$BS" DL_DIR="$T/dl" BR2_INIT_SYSTEMD=y BR2_PACKAGE_UDPCHAT_IRC=y \
	BR2_PACKAGE_UDPCHAT_WEB=y \
	BR2_EXTERNAL_UDPCHAT_PATH="$(pwd)/board/raspberrypi" \
	TARGET_CC="$T/bin/aarch64-buildroot-linux-musl-gcc" \
	TARGET_STRIP="$T/bin/aarch64-buildroot-linux-musl-strip" udpchat >"$T/buildroot-systemd.log" 2>&1 &&
	cmp -s "$BS/target/usr/lib/systemd/system/udpchatd.service" board/raspberrypi/systemd/udpchatd.service &&
	cmp -s "$BS/target/usr/lib/systemd/system/udpchatd@.service" board/raspberrypi/systemd/udpchatd@.service &&
	[ ! -e "$BS/target/etc/init.d/S50udpchatd" ]; then
	ok "$S: Buildroot: BR2_INIT_SYSTEMD=y installs udpchatd.service, udpchatd@.service and no S50udpchatd"
else
	notok "$S: Buildroot: BR2_INIT_SYSTEMD=y installs udpchatd.service, udpchatd@.service and no S50udpchatd" \
		"$(diag "$T/buildroot-systemd.log")" "$(find "$BS/target" -name '*udpchatd*')"
fi
# the bridge: udpchatirc in the binary (answers under qemu), its units and
# settings file; then the same package installed into a BusyBox image
# (only the install step again: the build is kept) gets S51udpchatirc
irc_units() {
	cmp -s "$BS/target/usr/lib/systemd/system/udpchatirc.service" board/raspberrypi/systemd/udpchatirc.service &&
		cmp -s "$BS/target/usr/lib/systemd/system/udpchatirc@.service" board/raspberrypi/systemd/udpchatirc@.service &&
		cmp -s "$BS/target/etc/default/udpchatirc" rootfs-overlay/etc/default/udpchatirc &&
		[ ! -e "$BS/target/etc/init.d/S51udpchatirc" ] &&
		[ "$(readlink -f "$BS/target/usr/bin/udpchatirc")" = "$(readlink -f "$BS/target/usr/bin/udpchatmulti")" ] &&
		[ "$(qemu-aarch64-static "$BS/target/usr/bin/udpchatirc" -V 2>&1)" = "udpchatirc $VER" ]
}
check "$S: Buildroot: BR2_PACKAGE_UDPCHAT_IRC=y: udpchatirc in the binary (qemu-aarch64), udpchatirc.service, udpchatirc@.service, /etc/default/udpchatirc, no S51" \
	irc_units
# the page: udpchatweb in the same binary (both options: PROGS holds both),
# its units and settings file, no S52 script
web_units() {
	cmp -s "$BS/target/usr/lib/systemd/system/udpchatweb.service" board/raspberrypi/systemd/udpchatweb.service &&
		cmp -s "$BS/target/usr/lib/systemd/system/udpchatweb@.service" board/raspberrypi/systemd/udpchatweb@.service &&
		cmp -s "$BS/target/etc/default/udpchatweb" rootfs-overlay/etc/default/udpchatweb &&
		[ ! -e "$BS/target/etc/init.d/S52udpchatweb" ] &&
		[ "$(readlink -f "$BS/target/usr/sbin/udpchatweb")" = "$(readlink -f "$BS/target/usr/bin/udpchatmulti")" ] &&
		[ "$(qemu-aarch64-static "$BS/target/usr/sbin/udpchatweb" -V 2>&1)" = "udpchatweb $VER" ] &&
		[ "$(qemu-aarch64-static "$BS/target/usr/bin/udpchatirc" -V 2>&1)" = "udpchatirc $VER" ]
}
check "$S: Buildroot: BR2_PACKAGE_UDPCHAT_WEB=y (with _IRC=y): udpchatweb and udpchatirc in the binary (qemu-aarch64), udpchatweb.service, udpchatweb@.service, /etc/default/udpchatweb, no S52" \
	web_units
rm -f "$BS/build/udpchat-$VER/.stamp_installed"
if make -f tests/board/lib/buildroot-stub.mk BASE="$BS" DL_DIR="$T/dl" BR2_PACKAGE_UDPCHAT_IRC=y \
	BR2_PACKAGE_UDPCHAT_WEB=y \
	BR2_EXTERNAL_UDPCHAT_PATH="$(pwd)/board/raspberrypi" \
	TARGET_CC="$T/bin/aarch64-buildroot-linux-musl-gcc" \
	TARGET_STRIP="$T/bin/aarch64-buildroot-linux-musl-strip" \
	-o "$BS/build/udpchat-$VER/.stamp_built" udpchat >"$T/buildroot-irc-sysv.log" 2>&1 &&
	cmp -s "$BS/target/etc/init.d/S51udpchatirc" rootfs-overlay/etc/init.d/S51udpchatirc &&
	[ "$(stat -c %a "$BS/target/etc/init.d/S51udpchatirc")" = 755 ]; then
	ok "$S: Buildroot: BR2_PACKAGE_UDPCHAT_IRC=y in a BusyBox image installs S51udpchatirc (0755)"
else
	notok "$S: Buildroot: BR2_PACKAGE_UDPCHAT_IRC=y in a BusyBox image installs S51udpchatirc (0755)" \
		"$(diag "$T/buildroot-irc-sysv.log")" "$(find "$BS/target" -name '*udpchatirc*')"
fi
if cmp -s "$BS/target/etc/init.d/S52udpchatweb" rootfs-overlay/etc/init.d/S52udpchatweb &&
	[ "$(stat -c %a "$BS/target/etc/init.d/S52udpchatweb")" = 755 ]; then
	ok "$S: Buildroot: BR2_PACKAGE_UDPCHAT_WEB=y in a BusyBox image installs S52udpchatweb (0755)"
else
	notok "$S: Buildroot: BR2_PACKAGE_UDPCHAT_WEB=y in a BusyBox image installs S52udpchatweb (0755)" \
		"$(diag "$T/buildroot-irc-sysv.log")" "$(find "$BS/target" -name '*udpchatweb*')"
fi
if grep -q ROOTFS_OVERLAY board/raspberrypi/configs/*; then
	notok "$S: Buildroot: the defconfigs need no rootfs overlay" "$(grep -n ROOTFS_OVERLAY board/raspberrypi/configs/*)"
else
	ok "$S: Buildroot: the defconfigs need no rootfs overlay"
fi

# ------------------------------------------------------------ OpenWrt
W=$T/openwrt
# a copy of the project as the feed's source (UDPCHAT_SRC), so that the
# build stamp test can edit it
OSRC=$T/udpchat-src
mkdir -p "$OSRC"
files | grep -v '^build/' | tar -cf - -T - | tar -C "$OSRC" -xf -
owrt() { # DIR TARGET...
	d=$1
	shift
	make -C "$d" TOPDIR="$(pwd)/tests/board/lib/openwrt" BASE="$W" DL_DIR="$T/dl" \
		TARGET_CC="$T/bin/mipsel-openwrt-linux-musl-gcc" TARGET_CROSS="$T/bin/mipsel-openwrt-linux-musl-" \
		UDPCHAT_SRC="$OSRC" "$@"
}
if owrt board/openwrt/libs/uthash compile >"$T/openwrt.log" 2>&1 &&
	owrt board/openwrt/net/udpchat compile install >>"$T/openwrt.log" 2>&1; then
	ok "$S: OpenWrt feed net/udpchat (+ libs/uthash) builds and installs"
else
	notok "$S: OpenWrt feed net/udpchat (+ libs/uthash) builds and installs" "$(diag "$T/openwrt.log")"
fi
check "$S: OpenWrt: dynamic (musl), unstripped MIPS udpchatmulti and the three links in the package" \
	installed "$W/ipkg/udpchat" MIPS dynamic
# the positive control of this absence: the binary and links in the same folder
no_man() { installed "$1" "$2" dynamic && [ ! -e "$1/usr/share/man" ]; }
check "$S: OpenWrt: no man pages in the package (an .ipk ships no documentation)" \
	no_man "$W/ipkg/udpchat" MIPS
check "$S: OpenWrt: /etc/init.d/udpchatd (0755) and /etc/config/udpchatd (conffile) installed" \
	test -x "$W/ipkg/udpchat/etc/init.d/udpchatd" -a -f "$W/ipkg/udpchat/etc/config/udpchatd"
check "$S: OpenWrt: built with the SDK's CC and TARGET_CFLAGS, required flags kept, not -static" \
	flags_kept "$W/build/udpchat-$VER/build/openwrt/.flags" "$T/bin/mipsel-openwrt-linux-musl-gcc" \
	-mtune=24kc
check "$S: OpenWrt: TARGET_LDFLAGS' -zrelro kept" grep -q -- -zrelro "$W/build/udpchat-$VER/build/openwrt/.flags"
if serve qemu-mipsel-static "$W/ipkg/udpchat/usr/sbin/udpchatd"; then
	ok "$S: OpenWrt: the installed udpchatd serves a join (qemu-mipsel)"
else
	notok "$S: OpenWrt: the installed udpchatd serves a join (qemu-mipsel)" "$(diag "$T/srv.log")"
fi

# udpchat-irc: udpchatirc, a binary of its own that holds the bridge alone
# (dynamic, unstripped MIPS; answers to udpchatirc under qemu), its procd
# init script and UCI file; the udpchat package has none of it
WI=$W/ipkg/udpchat-irc
# sub_ipk DIR BINDIR PROG: OpenWrt's sub-package DIR holds BINDIR/PROG (its
# own MIPS binary: dynamic, unstripped, answering -V as PROG under qemu),
# /etc/init.d/PROG (0755, the board file) and /etc/config/PROG (0600), only
sub_ipk() {
	b=$1/$2/$3
	[ -f "$b" ] && [ ! -L "$b" ] && readelf -h "$b" | grep -q 'Machine:.*MIPS' &&
		readelf -l "$b" | grep -q 'interpreter: /lib/ld-musl-' && readelf -S "$b" | grep -q '\.symtab' &&
		[ "$(qemu-mipsel-static "$b" -V 2>&1)" = "$3 $VER" ] &&
		[ "$(cd "$1" && find . ! -type d | sort | tr '\n' ' ')" = "./etc/config/$3 ./etc/init.d/$3 ./$2/$3 " ] &&
		cmp -s "$1/etc/init.d/$3" "board/openwrt/net/udpchat/files/$3.init" &&
		[ "$(stat -c %a "$1/etc/init.d/$3")" = 755 ] && [ "$(stat -c %a "$1/etc/config/$3")" = 600 ]
}
irc_ipk() {
	sub_ipk "$WI" usr/bin udpchatirc &&
		qemu-mipsel-static "$WI/usr/bin/udpchatirc" -h 2>&1 | grep -q '^usage: udpchatirc '
}
check "$S: OpenWrt: udpchat-irc holds /usr/bin/udpchatirc (its own MIPS binary, qemu-mipsel), /etc/init.d/udpchatirc and /etc/config/udpchatirc only" \
	irc_ipk
# the bridge-only binary is the bridge alone: called as udpchatd it
# refuses with the usage that lists what it holds
ln -sf "$WI/usr/bin/udpchatirc" "$T/udpchatd"
check "$S: OpenWrt: udpchat-irc's binary refuses the name udpchatd; udpchat's package has no udpchatirc" \
	sh -c "qemu-mipsel-static '$T/udpchatd' -V 2>&1 | grep -q '^usage: udpchatmulti udpchatirc ' &&
		test -z \"\$(find '$W/ipkg/udpchat' -name '*udpchatirc*')\""
check "$S: OpenWrt: udpchat-irc depends on udpchat" \
	sh -c "sed -n '/^define Package\/udpchat-irc\$/,/^endef/p' board/openwrt/net/udpchat/Makefile | grep -qx '  DEPENDS:=+udpchat'"

# the bridge's procd command line, run for real by the package's own
# binary (qemu-mipsel): it takes it (a bad word would end it at once with
# status 2) and keeps trying the (absent) socket and the server
# (127.0.0.1:1, where nothing listens)
cmd=$(run_bridge "$T/ib/two" 2>/dev/null | sed -n 's/^set_param command //p' | head -n 1 | tr -d '[]')
# shellcheck disable=SC2086 # the recorded words, minus the program
set -- $cmd
shift
qemu-mipsel-static "$WI/usr/bin/udpchatirc" "$@" </dev/null >"$T/irc-cmd.log" 2>&1 &
SRV=$!
if holds 2 kill -0 "$SRV" && grep -q 'cannot connect to /var/run/udpchatd/udpchatd.sock' "$T/irc-cmd.log"; then
	ok "$S: OpenWrt: udpchat-irc's udpchatirc accepts the procd command line ($*)"
else
	notok "$S: OpenWrt: udpchat-irc's udpchatirc accepts the procd command line ($*)" "$(diag "$T/irc-cmd.log")"
fi
stop_pid "$SRV"
SRV=''

# udpchat-web: udpchatweb, a binary of its own that holds the page alone
# (dynamic, unstripped MIPS; answers to udpchatweb under qemu), its procd
# init script and UCI file; the udpchat package has none of it
WW=$W/ipkg/udpchat-web
check "$S: OpenWrt: udpchat-web holds /usr/sbin/udpchatweb (its own MIPS binary, qemu-mipsel), /etc/init.d/udpchatweb and /etc/config/udpchatweb only" \
	sub_ipk "$WW" usr/sbin udpchatweb
ln -sf "$WW/usr/sbin/udpchatweb" "$T/udpchatd"
check "$S: OpenWrt: udpchat-web's binary refuses the name udpchatd; udpchat's package has no udpchatweb; DEPENDS +udpchat" \
	sh -c "qemu-mipsel-static '$T/udpchatd' -V 2>&1 | grep -q '^usage: udpchatmulti udpchatweb ' &&
		test -z \"\$(find '$W/ipkg/udpchat' -name '*udpchatweb*')\" &&
		sed -n '/^define Package\/udpchat-web\$/,/^endef/p' board/openwrt/net/udpchat/Makefile | grep -qx '  DEPENDS:=+udpchat'"
# the page's procd command line, run for real by the package's own binary
# (qemu-mipsel), from UCI files whose ports are free ones here and whose
# lan is 127.0.0.1: it serves the page and a join into the host's
# udpchatd through its control socket (the room's socket made private to
# this test; python's http.client)
rp=$(free_udp_port)
wp=$(free_udp_port)
wb run "s/option port '8888'/option port '$rp'/" "s/option port '8080'/option port '$wp'/"
cmd=$(NET_lan_ipaddr=127.0.0.1 run_web "$T/wb/run" 2>/dev/null | sed -n 's/^set_param command //p' | tr -d '[]')
# shellcheck disable=SC2086 # the recorded words, minus the program
set -- $cmd
shift
wargs=$*
[ "$1" = -c ] && shift 2
set -- -c "$T/webroom.sock" "$@"
build/host/udpchatd -p "$rp" -c "$T/webroom.sock" </dev/null >"$T/webroom.log" 2>&1 &
SRV=$!
qemu-mipsel-static "$WW/usr/sbin/udpchatweb" "$@" </dev/null >"$T/web-cmd.log" 2>&1 &
WSRV=$!
web_joins() {
	timeout 20 python3 tests/board/lib/webchat.py 127.0.0.1 "$wp" zoe 5 </dev/null >"$T/web-cmd.out" 2>&1
	grep -q '^join 200 ' "$T/web-cmd.out"
}
if [ "$wargs" = "-c /var/run/udpchatd/udpchatd.sock -p $wp -m 32 -s 16 -t 30 -b 127.0.0.1" ] &&
	wait_until 20 web_joins && grep -q '^page 200 [0-9]* True$' "$T/web-cmd.out"; then
	ok "$S: OpenWrt: udpchat-web's udpchatweb runs the procd command line (-b lan's address, the room's socket): serves the page and a join"
else
	notok "$S: OpenWrt: udpchat-web's udpchatweb runs the procd command line: serves the page and a join" \
		"args: $wargs" "$(diag "$T/web-cmd.log")" "$(diag "$T/web-cmd.out")"
fi
stop_pid "$WSRV"
stop_pid "$SRV"
SRV='' WSRV=''

# the build stamp (PKG_FILE_DEPENDS): a compile with nothing changed does
# nothing, an edit of the project's src/ or Makefile prepares and builds
# again, and the package then has the edited source
OB=$W/build/udpchat-$VER
stamps() { find "$OB" -maxdepth 1 -name '.prepared_*' 2>/dev/null | wc -l; }
owrt board/openwrt/net/udpchat compile >"$T/openwrt-stamp.log" 2>&1
check "$S: OpenWrt: compile again with nothing changed: no new prepare" \
	sh -c "! grep -q 'tar -C' '$T/openwrt-stamp.log' && test \"\$(find '$OB' -maxdepth 1 -name '.prepared_*' | wc -l)\" = 1"
rebuilt() { # FILE TEXT: after TEXT is added to FILE (in the copy), compile
	# prepares and builds again and the build has the edited FILE
	printf '%s\n' "$2" >>"$OSRC/$1"
	owrt board/openwrt/net/udpchat compile >"$T/openwrt-stamp.log" 2>&1 &&
		grep -q 'tar -C' "$T/openwrt-stamp.log" && cmp -s "$OSRC/$1" "$OB/$1" &&
		find "$OB/build/openwrt/udpchatmulti" -newer "$OSRC/$1" | grep -q .
}
check "$S: OpenWrt: an edit of src/fmt.c rebuilds (PKG_FILE_DEPENDS)" rebuilt src/fmt.c '/* edited */'
check "$S: OpenWrt: an edit of the project's Makefile rebuilds" rebuilt Makefile '# edited'
