#!/bin/sh
# A virtual aarch64 board: Debian's arm64 cloud kernel and busybox-static:arm64
# (apt-get download, cached in build/vboard/debs), the aarch64 binaries and
# rootfs-overlay in an initramfs, booted with qemu-system-aarch64. BusyBox init
# starts udpchatd from the overlay's S50udpchatd; the host chats with it through
# a UDP port forwarded on 127.0.0.1 with netcat and with udpchat.
# Bounded: boot wait 90 s, chat waits 10 s. qemu is killed by its PID.
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/board/lib/tap.sh

S=vboard
V=build/vboard
QEMU='' ALICE='' CAROL=''
cleanup() {
	exec 7>&- 8>&-
	stop_pid "$ALICE"
	stop_pid "$CAROL"
	stop_pid "$QEMU"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# a peer that died must not kill the suite when we write to its fifo
trap '' PIPE

setup_fail() {
	notok "$S: $1" "$(diag "$2")"
	exit 1
}

mkdir -p "$V/debs"
# ipxe-qemu: the boot ROM of the virtio-net-pci device (efi-virtio.rom), a
# Recommends of qemu-system-arm that --no-install-recommends leaves out;
# kmod: modinfo reads each module's depends=; xz-utils: compressed modules
sh tests/deps.sh --arch arm64 qemu-system-arm ipxe-qemu kmod xz-utils cpio gzip \
	netcat-openbsd iproute2 procps make gcc musl-tools uthash-dev gcc-aarch64-linux-gnu \
	musl-dev:arm64 >"$V/deps.log" 2>&1 ||
	setup_fail "setup (Debian packages)" "$V/deps.log"
make -s -j2 TARGET=aarch64 rootfs >"$V/make.log" 2>&1 || setup_fail "make rootfs TARGET=aarch64" "$V/make.log"
make -s -j2 >>"$V/make.log" 2>&1 || setup_fail "make (host udpchat)" "$V/make.log"

# --- the Debian pieces, downloaded once ----------------------------------
# first GLOB...: the first existing path a glob expanded to
first() {
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
# dl PKG: PKG's .deb into $V/debs
dl() { (cd "$V/debs" && apt-get -q -o APT::Sandbox::User=root download "$1"); }
# a fresh machine may lack the arm64 index, an old one may name a kernel
# the mirror no longer has
apt_update() {
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	apt-get update -q >/dev/null 2>&1 || echo "apt-get update reported errors; going on"
}
# get PKG: PKG's .deb into $V/debs unless a version of it is there already
get() {
	first "$V/debs/${1%%:*}"_*.deb >/dev/null && return 0
	dl "$1" || { apt_update && dl "$1"; }
}
# the kernel package that linux-image-cloud-arm64 depends on now
get_kernel() {
	kname=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-arm64\).*/\1/p' | head -n 1)
	[ -n "$kname" ] && dl "$kname:arm64"
}
if ! first "$V"/debs/linux-image-*-cloud-arm64_*.deb >/dev/null; then
	get_kernel >"$V/get.log" 2>&1 || { apt_update && get_kernel; } >>"$V/get.log" 2>&1 ||
		setup_fail "apt-get download of Debian's arm64 cloud kernel" "$V/get.log"
fi
kpkg=$(first "$V"/debs/linux-image-*-cloud-arm64_*.deb)
get busybox-static:arm64 >"$V/get.log" 2>&1 || setup_fail "apt-get download busybox-static:arm64" "$V/get.log"

# the kernel and its modules (the virtio network driver is not built in)
K=$V/kernel
if [ ! -f "$K/stamp" ] || [ "$(cat "$K/stamp")" != "$kpkg all modules" ]; then
	rm -rf "$K"
	mkdir -p "$K"
	dpkg-deb --fsys-tarfile "$kpkg" | tar -x -C "$K" --wildcards './boot/vmlinuz-*' '*.ko' '*.ko.xz' 2>/dev/null
	echo "$kpkg all modules" >"$K/stamp"
fi
VMLINUZ=$(first "$K"/boot/vmlinuz-*)
[ -n "$VMLINUZ" ] || setup_fail "setup (no vmlinuz in $kpkg)" /dev/null

# --- the initramfs: busybox + make rootfs TARGET=aarch64 + board scripts ----
I=$V/initramfs
rm -rf "$I"
mkdir -p "$I"
cp -a build/aarch64/rootfs/. "$I/"
mkdir -p "$I/bin" "$I/sbin" "$I/usr/bin" "$I/usr/sbin" "$I/proc" "$I/sys" "$I/dev" \
	"$I/tmp" "$I/run" "$I/var/log" "$I/etc/init.d" "$I/lib/modules"
ln -s ../run "$I/var/run"
dpkg-deb --fsys-tarfile "$(first "$V"/debs/busybox-static_*_arm64.deb)" |
	tar -x -O ./bin/busybox >"$I/bin/busybox"
chmod 0755 "$I/bin/busybox"
# the applet links, as busybox --install would make them on the board
for a in sh ash ls cat echo mount insmod ip ps kill sleep printf start-stop-daemon \
	syslogd ifconfig mkdir rm ln chmod poweroff reboot halt; do
	ln -s /bin/busybox "$I/bin/$a"
done
ln -s /bin/busybox "$I/sbin/init"
# the modules in load order: the virtio PCI transport and the network driver,
# each after what its own modinfo depends= names (that changes between Debian
# kernel updates: in 6.1.0-57 virtio needs virtio_ring first)
modfile() {
	find "$K/lib/modules" \( -name "$1.ko" -o -name "$1.ko.xz" -o \
		-name "$(echo "$1" | tr _ -).ko" -o -name "$(echo "$1" | tr _ -).ko.xz" \) | head -n 1
}
MODS=
# add_mod NAME: NAME's dependencies, then NAME, onto MODS (once each)
add_mod() {
	case " $MODS " in *" $1 "*) return 0 ;; esac
	f=$(modfile "$1")
	[ -n "$f" ] || { echo "no module $1 in $kpkg"; return 1; }
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		add_mod "$d" || return 1
	done
	f=$(modfile "$1")
	case $f in
	*.xz) xz -dc "$f" >"$I/lib/modules/$1.ko" ;;
	*) cp "$f" "$I/lib/modules/$1.ko" ;;
	esac || return 1
	MODS="$MODS $1"
}
for m in virtio_pci virtio_net; do
	add_mod "$m" >"$V/modules.log" 2>&1 || setup_fail "kernel modules" "$V/modules.log"
done
printf '%s\n' '::sysinit:/etc/init.d/rcS' '::shutdown:/etc/init.d/rcK' >"$I/etc/inittab"
cat >"$I/etc/init.d/rcS" <<'EOF'
#!/bin/sh
for i in /etc/init.d/S??*; do
	[ -x "$i" ] && "$i" start
done
EOF
cat >"$I/etc/init.d/rcK" <<'EOF'
#!/bin/sh
for i in $(ls -r /etc/init.d/S??*); do
	[ -x "$i" ] && "$i" stop
done
EOF
# what a Buildroot image does before S50: file systems, syslog, network
cat >"$I/etc/init.d/S01board" <<EOF
#!/bin/sh
[ "\$1" = start ] || exit 0
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
for m in $MODS; do
	insmod /lib/modules/\$m.ko || echo "board: insmod \$m failed"
done
start-stop-daemon -S -q -b -m -p /var/run/syslogd.pid -x /bin/syslogd -- -n -O /var/log/messages
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo "board: \$(ip -o -4 addr show dev eth0)"
EOF
# test-only: after S50 at boot, restart the service on the real kernel and
# report its pids and syslog lines on the console
cat >"$I/etc/init.d/S99check" <<'EOF'
#!/bin/sh
[ "$1" = start ] || exit 0
p1=$(cat /var/run/udpchatd.pid)
/etc/init.d/S50udpchatd restart
p2=$(cat /var/run/udpchatd.pid)
kill -0 "$p2" && alive=alive
echo "board: restart $p1 -> $p2 $alive"
sleep 1
echo "board: syslog has $(grep -c udpchatd /var/log/messages) udpchatd lines"
echo "board: ready"
EOF
chmod 0755 "$I/etc/init.d/rcS" "$I/etc/init.d/rcK" "$I/etc/init.d/S01board" "$I/etc/init.d/S99check"
# the kernel needs /dev/console before init mounts devtmpfs
mknod -m 600 "$I/dev/console" c 5 1 2>/dev/null
(cd "$I" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$V/initrd.gz" ||
	setup_fail "initramfs" /dev/null

# --- boot ---------------------------------------------------------------
PORT=$(free_udp_port)
qemu-system-aarch64 -M virt -cpu cortex-a53 -m 256 -nographic -no-reboot \
	-kernel "$VMLINUZ" -initrd "$V/initrd.gz" -append "console=ttyAMA0 quiet rdinit=/sbin/init panic=-1" \
	-netdev "user,id=n0,hostfwd=udp:127.0.0.1:$PORT-:8888" -device virtio-net-pci,netdev=n0 \
	</dev/null >"$V/console.log" 2>&1 &
QEMU=$!
t0=$(date +%s)
booted() { grep -q 'board: ready' "$V/console.log" || gone "$QEMU"; }
wait_until 90 booted
if grep -q 'Starting udpchatd: OK' "$V/console.log" && ! grep -q 'board: insmod' "$V/console.log"; then
	echo "# modules loaded in this order:$MODS"
	ok "$S: BusyBox init starts udpchatd at boot ($(($(date +%s) - t0)) s to the end of rcS)"
else
	notok "$S: BusyBox init starts udpchatd at boot" "$(diag "$V/console.log" 30)"
	exit 1
fi
# the serial console ends lines with \r\n
restart=$(grep 'board: restart' "$V/console.log" | tr -d '\r')
# shellcheck disable=SC2086 # the words of the board's report
set -- $restart
if [ "${6:-}" = alive ] && [ "$3" != "$5" ] && grep -q 'Stopping udpchatd: OK' "$V/console.log"; then
	ok "$S: S50udpchatd restart on the board (pid $3 -> $5)"
else
	notok "$S: S50udpchatd restart on the board" "$(diag "$V/console.log" 30)"
fi
if grep -q 'board: syslog has [1-9]' "$V/console.log"; then
	ok "$S: the service logs to the board's syslog"
else
	notok "$S: the service logs to the board's syslog" "$(diag "$V/console.log" 30)"
fi

# --- chat from the host through 127.0.0.1:PORT ----------------------------
rm -f "$V/alice.in" "$V/carol.in"
mkfifo "$V/alice.in" "$V/carol.in"
got() { grep -qF -- "$2" "$V/$1.out"; }
nc -u 127.0.0.1 "$PORT" <"$V/alice.in" >"$V/alice.out" 2>&1 &
ALICE=$!
exec 7>"$V/alice.in"
# the daemon may still be binding: retry the join until it answers
join_alice() {
	echo alice >&7
	wait_until 2 got alice '+OK welcome alice'
}
wait_until 20 join_alice
if got alice '+OK welcome alice'; then
	ok "$S: netcat joins on 127.0.0.1:$PORT (forwarded to the board's 8888)"
else
	notok "$S: netcat joins on 127.0.0.1:$PORT" "$(diag "$V/alice.out")" "$(diag "$V/console.log")"
fi
# Enter: alice's second datagram confirms her address, so the room's lines
# reach her past the bound on a stranger (docs/PROTOCOL.md)
echo >&7
UDPCHAT=build/host/udpchat
build/host/udpchat <"$V/carol.in" >"$V/carol.out" 2>&1 -n carol 127.0.0.1 "$PORT" &
CAROL=$!
exec 8>"$V/carol.in"
if wait_until 10 got alice 'carol joined the room'; then
	ok "$S: udpchat joins the board's room"
else
	notok "$S: udpchat joins the board's room" "$(diag "$V/carol.out")" "$(diag "$V/alice.out")"
fi
echo 'hello from netcat' >&7
echo 'hello from udpchat' >&8
if wait_until 10 got carol 'alice: hello from netcat' && wait_until 10 got alice 'carol: hello from udpchat'; then
	ok "$S: netcat and udpchat chat through the board"
else
	notok "$S: netcat and udpchat chat through the board" "carol ($UDPCHAT):" "$(diag "$V/carol.out")" \
		"alice (nc):" "$(diag "$V/alice.out")"
fi
# udpchat leaves cleanly on EOF
exec 8>&-
if wait_until 10 gone "$CAROL" && wait_until 5 got alice 'carol left the room'; then
	wait "$CAROL" 2>/dev/null
	CAROL=''
	ok "$S: udpchat leaves on EOF"
else
	notok "$S: udpchat leaves on EOF" "$(diag "$V/carol.out")" "$(diag "$V/alice.out")"
fi
