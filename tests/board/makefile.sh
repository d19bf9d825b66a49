#!/bin/sh
# The Makefile's promises to packagers and users: CROSS_COMPILE, CC, CFLAGS,
# LDFLAGS from the environment or the command line with the required flags
# kept; install with DESTDIR, PREFIX, BINDIR, SBINDIR, MANDIR (the man pages,
# and install-bin without them); make rootfs, make dist (tarballs that untar
# onto a board's root), make size; PROGS (the programs the binary holds);
# a cross target is one file (cross/T.mk).
set -u
cd "$(dirname "$0")/../.." || exit 2
. tests/board/lib/tap.sh

S=makefile
T=$(pwd)/build/board-makefile
rm -rf "$T"
mkdir -p "$T"
make -s cross-deps >"$T/deps.log" 2>&1 || {
	notok "$S: make cross-deps" "$(diag "$T/deps.log")"
	exit 1
}
# every cross target: one cross/T.mk each, listed by the Makefile
TARGETS=$(make -s --no-print-directory print-CROSS_TARGETS)
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)
A64=/usr/lib/aarch64-linux-musl/musl-gcc.specs
MIPS=/usr/lib/mipsel-linux-musl/musl-gcc.specs

# static_for FILE MACHINE: a static, stripped ELF for MACHINE
static_for() {
	readelf -h "$1" 2>/dev/null | grep -q "Machine:.*$2" &&
		! readelf -l "$1" | grep -q INTERP && ! readelf -S "$1" | grep -q '\.symtab'
}
# flags BUILD: the compile and link line the build used
flags() { cat "$1/.flags" 2>/dev/null; }
has() { case $1 in *"$2"*) return 0 ;; *) return 1 ;; esac; }
required() { has "$1" -ffunction-sections && has "$1" -Wl,--gc-sections && has "$1" -static; }

# --- the environment, as Buildroot passes it
# (the musl specs go in once: the link line has CFLAGS and LDFLAGS both)
if env CROSS_COMPILE=aarch64-linux-gnu- MUSL_SPECS="-specs $A64" CFLAGS="-O2" LDFLAGS="-Wl,-O1" \
	make -s -j2 BUILD="$T/env" >"$T/env.log" 2>&1 &&
	static_for "$T/env/udpchatmulti" AArch64 && f=$(flags "$T/env") &&
	has "$f" "aarch64-linux-gnu-gcc -O2 " && has "$f" -Wl,-O1 && required "$f"; then
	ok "$S: CROSS_COMPILE, CFLAGS, LDFLAGS from the environment (AArch64, -O2, required flags kept)"
else
	notok "$S: CROSS_COMPILE, CFLAGS, LDFLAGS from the environment" "$(diag "$T/env.log")" "$(flags "$T/env")"
fi

# --- the command line, as OpenWrt passes it: CC alone names the toolchain
if make -s -j2 BUILD="$T/cmd" CC="mipsel-linux-gnu-gcc -specs $MIPS" CFLAGS="-Os -pipe" \
	LDFLAGS="-znow" >"$T/cmd.log" 2>&1 &&
	static_for "$T/cmd/udpchatmulti" MIPS && f=$(flags "$T/cmd") &&
	has "$f" "mipsel-linux-gnu-gcc -specs $MIPS -Os -pipe" && has "$f" -znow && required "$f"; then
	ok "$S: CC, CFLAGS, LDFLAGS on the command line (MIPS, stripped with the matching strip)"
else
	notok "$S: CC, CFLAGS, LDFLAGS on the command line" "$(diag "$T/cmd.log")" "$(flags "$T/cmd")"
fi

# --- compat_fork (src/compat.h): _Fork where the C library has it, fork()
# where it does not (uClibc-ng, glibc before 2.34). Debian's glibc (2.36)
# builds both paths; -DCOMPAT_USE_FORK stands in for an older libc. Each
# build's dynamic symbols say which it calls, and the fork() build's server
# (admin reader child) and client (receiver child) pass their e2e tests.
# undef_syms BUILD: the libc functions the build's binary calls
undef_syms() { nm -D --undefined-only "$1/udpchatmulti" 2>/dev/null | awk '{print $2}' | sed 's/@.*//'; }
glibc_build() { # BUILD CFLAGS
	make -s -j2 BUILD="$1" CC=gcc STATIC= NOSTRIP=1 MUSL_SPECS= CFLAGS="$2" all
}
if glibc_build "$T/glibc" "-Os" >"$T/glibc.log" 2>&1 &&
	undef_syms "$T/glibc" | grep -qx _Fork && ! undef_syms "$T/glibc" | grep -qx fork; then
	ok "$S: glibc 2.34+ build calls _Fork, not fork"
else
	notok "$S: glibc 2.34+ build calls _Fork, not fork" "$(diag "$T/glibc.log")" "$(undef_syms "$T/glibc" | grep -i fork)"
fi
if glibc_build "$T/forkpath" "-Os -DCOMPAT_USE_FORK" >"$T/forkpath.log" 2>&1 &&
	undef_syms "$T/forkpath" | grep -qx fork && ! undef_syms "$T/forkpath" | grep -qx _Fork; then
	ok "$S: a libc without _Fork (-DCOMPAT_USE_FORK) builds with fork"
else
	notok "$S: a libc without _Fork (-DCOMPAT_USE_FORK) builds with fork" "$(diag "$T/forkpath.log")" "$(undef_syms "$T/forkpath" | grep -i fork)"
fi
if python3 tests/e2e/run.py "$T/forkpath" -j 1 -k test_admin_notice_stdin -k test_client_pipe_chat_and_quit \
	>"$T/forkpath-e2e.log" 2>&1 && [ "$(grep -c '^ok ' "$T/forkpath-e2e.log")" -ge 3 ]; then
	ok "$S: the fork() build's admin reader and client receiver pass their e2e tests"
else
	notok "$S: the fork() build's admin reader and client receiver pass their e2e tests" "$(diag "$T/forkpath-e2e.log")"
fi

# --- install
# links_ok ROOT BINDIR SBINDIR: the three names resolve to the binary
links_ok() {
	b=$1$2/udpchatmulti
	[ -x "$b" ] && [ ! -L "$b" ] &&
		[ "$(readlink -f "$1$3/udpchatd")" = "$(readlink -f "$b")" ] &&
		[ "$(readlink -f "$1$2/udpchat")" = "$(readlink -f "$b")" ] &&
		[ "$(readlink -f "$1$2/udpchatctl")" = "$(readlink -f "$b")" ] &&
		# relative, so they stay right on the board
		! readlink "$1$3/udpchatd" | grep -q '^/'
}
# man_ok ROOT MANDIR: the three pages, as in docs/man (not compressed), 0644
man_ok() {
	for m_p in man1/udpchat.1 man8/udpchatd.8 man8/udpchatctl.8; do
		m_f=$1$2/$m_p
		cmp -s "$m_f" "docs/man/${m_p#*/}" && [ "$(stat -c %a "$m_f")" = 644 ] || return 1
	done
}
make -s -j2 >"$T/host.log" 2>&1
if make -s install DESTDIR="$T/d1" PREFIX=/opt/udpchat >"$T/i1.log" 2>&1 &&
	links_ok "$T/d1" /opt/udpchat/bin /opt/udpchat/sbin && man_ok "$T/d1" /opt/udpchat/share/man; then
	ok "$S: make install DESTDIR=... PREFIX=/opt/udpchat"
else
	notok "$S: make install DESTDIR=... PREFIX=/opt/udpchat" "$(diag "$T/i1.log")" "$(find "$T/d1" | head)"
fi
if make -s install DESTDIR="$T/d2" BINDIR=/usr/local/bin SBINDIR=/sbin >"$T/i2.log" 2>&1 &&
	links_ok "$T/d2" /usr/local/bin /sbin; then
	ok "$S: make install DESTDIR=... BINDIR=/usr/local/bin SBINDIR=/sbin"
else
	notok "$S: make install DESTDIR=... BINDIR=/usr/local/bin SBINDIR=/sbin" "$(diag "$T/i2.log")"
fi
if env DESTDIR="$T/d3" PREFIX=/usr make -s install >"$T/i3.log" 2>&1 && links_ok "$T/d3" /usr/bin /usr/sbin &&
	man_ok "$T/d3" /usr/share/man; then
	ok "$S: DESTDIR and PREFIX from the environment"
else
	notok "$S: DESTDIR and PREFIX from the environment" "$(diag "$T/i3.log")"
fi
if make -s install DESTDIR="$T/d4" MANDIR=/usr/local/man >"$T/i4.log" 2>&1 && man_ok "$T/d4" /usr/local/man &&
	[ ! -e "$T/d4/usr/share/man" ]; then
	ok "$S: make install DESTDIR=... MANDIR=/usr/local/man puts the man pages there"
else
	notok "$S: make install DESTDIR=... MANDIR=/usr/local/man" "$(diag "$T/i4.log")" "$(find "$T/d4" | head -n 20)"
fi
# what OpenWrt's package uses: the programs, no documentation
if make -s install-bin DESTDIR="$T/d5" PREFIX=/usr >"$T/i5.log" 2>&1 && links_ok "$T/d5" /usr/bin /usr/sbin &&
	[ ! -e "$T/d5/usr/share" ]; then
	ok "$S: make install-bin installs the programs and no man pages"
else
	notok "$S: make install-bin installs the programs and no man pages" "$(diag "$T/i5.log")" "$(find "$T/d5")"
fi

# --- PROGS picks the programs the binary holds (BusyBox's applets): a
# subset answers to its names only, refuses the others with a usage that
# lists what it holds, links and installs only those, compiles no object of
# the others; a change of PROGS rebuilds
P=$T/progs
want_usage='usage: udpchatmulti udpchatd|udpchatctl [ARGS...]'
if make -s -j2 BUILD="$P" PROGS="udpchatd udpchatctl" >"$T/progs.log" 2>&1 &&
	[ "$("$P/udpchatmulti" udpchatd -V 2>&1)" = "udpchatd $VERSION" ] &&
	[ "$("$P/udpchatctl" -V 2>&1)" = "udpchatctl $VERSION" ] &&
	[ "$("$P/udpchatd" -V 2>&1)" = "udpchatd $VERSION" ]; then
	ok "$S: make PROGS=\"udpchatd udpchatctl\" answers to udpchatd and udpchatctl"
else
	notok "$S: make PROGS=\"udpchatd udpchatctl\" answers to udpchatd and udpchatctl" "$(diag "$T/progs.log")"
fi
out=$("$P/udpchatmulti" udpchat -h 2>&1)
rc=$?
ln -sf "$P/udpchatmulti" "$T/udpchat"
out2=$("$T/udpchat" -h 2>&1)
rc2=$?
rm -f "$T/udpchat"
if [ "$rc" = 2 ] && [ "$rc2" = 2 ] && [ "$(echo "$out" | head -n 1)" = "$want_usage" ] &&
	[ "$(echo "$out2" | head -n 1)" = "$want_usage" ]; then
	ok "$S: PROGS=\"udpchatd udpchatctl\" refuses udpchat (as an argument and as a link) with its usage"
else
	notok "$S: PROGS=\"udpchatd udpchatctl\" refuses udpchat with its usage" "exit $rc: $out" "exit $rc2: $out2"
fi
links=$(find "$P" -maxdepth 1 -type l -printf '%f ' | tr ' ' '\n' | sort | tr '\n' ' ')
if [ "$links" = "udpchatctl udpchatd " ] && [ ! -e "$P/client.o" ] && [ ! -e "$P/term.o" ]; then
	ok "$S: PROGS=\"udpchatd udpchatctl\": its links are udpchatd and udpchatctl, and no object of udpchat is built"
else
	notok "$S: PROGS=\"udpchatd udpchatctl\": its links are udpchatd and udpchatctl, no object of udpchat" "links: $links" "$(ls "$P")"
fi
if make -s install DESTDIR="$T/dp" BUILD="$P" PROGS="udpchatd udpchatctl" >"$T/ip.log" 2>&1 &&
	[ "$(cd "$T/dp" && find . ! -type d | sort | tr '\n' ' ')" = "./usr/bin/udpchatctl ./usr/bin/udpchatmulti ./usr/sbin/udpchatd ./usr/share/man/man8/udpchatctl.8 ./usr/share/man/man8/udpchatd.8 " ] &&
	[ "$(readlink -f "$T/dp/usr/sbin/udpchatd")" = "$(readlink -f "$T/dp/usr/bin/udpchatmulti")" ] &&
	[ "$(readlink -f "$T/dp/usr/bin/udpchatctl")" = "$(readlink -f "$T/dp/usr/bin/udpchatmulti")" ]; then
	ok "$S: PROGS=\"udpchatd udpchatctl\": make install puts in the binary, its two links and their man pages only"
else
	notok "$S: PROGS=\"udpchatd udpchatctl\": make install puts in the binary, its two links and their man pages only" \
		"$(diag "$T/ip.log")" "$(find "$T/dp" ! -type d)"
fi
if make -s -j2 BUILD="$P" >"$T/progs-all.log" 2>&1 && [ "$("$P/udpchat" -V 2>&1)" = "udpchat $VERSION" ] &&
	"$P/udpchatmulti" 2>&1 | grep -qxF 'usage: udpchatmulti udpchatd|udpchat|udpchatctl [ARGS...]'; then
	ok "$S: the same BUILD made again without PROGS holds all three (the flags stamp names PROGS)"
else
	notok "$S: the same BUILD made again without PROGS holds all three" "$(diag "$T/progs-all.log")" \
		"$("$P/udpchatmulti" 2>&1)"
fi
if ! make -s BUILD="$P" PROGS="udpchatd nosuch" >"$T/progs-bad.log" 2>&1 &&
	grep -q 'PROGS: name one or more of udpchatd udpchat udpchatctl' "$T/progs-bad.log"; then
	ok "$S: make PROGS= with an unknown name stops with the names it knows"
else
	notok "$S: make PROGS= with an unknown name stops with the names it knows" "$(diag "$T/progs-bad.log")"
fi

# --- the IRC bridge, not in the default PROGS: the default install has no
# udpchatirc; a build whose PROGS holds it installs its link (BINDIR) and
# udpchatirc(1) beside the others
if [ -z "$(find "$T/d1" "$T/d3" -name '*udpchatirc*')" ] && links_ok "$T/d3" /usr/bin /usr/sbin; then
	ok "$S: the default PROGS installs no udpchatirc (no link, no page)"
else
	notok "$S: the default PROGS installs no udpchatirc (no link, no page)" "$(find "$T/d1" "$T/d3" -name '*udpchatirc*')"
fi
# (udpchatweb too: its checks below)
FP="udpchatd udpchat udpchatctl udpchatirc udpchatweb"
# installed_prog ROOT DIR PROG SECTION: ROOT/DIR/PROG is a relative link to
# the multi-call binary that answers -V as PROG, and PROG(SECTION) is
# installed as docs/man has it, mode 0644
installed_prog() {
	[ "$(readlink -f "$1$2/$3")" = "$(readlink -f "$1/usr/bin/udpchatmulti")" ] &&
		! readlink "$1$2/$3" | grep -q '^/' &&
		[ "$("$1$2/$3" -V 2>&1)" = "$3 $VERSION" ] &&
		cmp -s "$1/usr/share/man/man$4/$3.$4" "docs/man/$3.$4" &&
		[ "$(stat -c %a "$1/usr/share/man/man$4/$3.$4")" = 644 ]
}
if make -s -j2 BUILD="$T/full" PROGS="$FP" >"$T/full.log" 2>&1 &&
	make -s install DESTDIR="$T/df" BUILD="$T/full" PROGS="$FP" >"$T/if.log" 2>&1 &&
	links_ok "$T/df" /usr/bin /usr/sbin && man_ok "$T/df" /usr/share/man &&
	installed_prog "$T/df" /usr/bin udpchatirc 1; then
	ok "$S: make install with PROGS=\"$FP\" installs udpchatirc (a relative link) and udpchatirc(1)"
else
	notok "$S: make install with PROGS=\"$FP\" installs udpchatirc (a relative link) and udpchatirc(1)" \
		"$(diag "$T/if.log")" "$(find "$T/df" ! -type d)"
fi

# likewise udpchatweb: its link in SBINDIR and udpchatweb(8), only when PROGS
# holds it
if [ -z "$(find "$T/d1" "$T/d3" -name '*udpchatweb*')" ] &&
	installed_prog "$T/df" /usr/sbin udpchatweb 8; then
	ok "$S: the default PROGS installs no udpchatweb; PROGS=\"$FP\" installs udpchatweb (a relative link in SBINDIR) and udpchatweb(8)"
else
	notok "$S: the default PROGS installs no udpchatweb; PROGS=\"$FP\" installs udpchatweb and udpchatweb(8)" \
		"$(find "$T/d1" "$T/d3" -name '*udpchatweb*')" "$(find "$T/df" ! -type d)"
fi

# --- rootfs and dist
if make -s -j2 rootfs TARGET=armel >"$T/rootfs.log" 2>&1 &&
	links_ok build/armel/rootfs /usr/bin /usr/sbin && static_for build/armel/rootfs/usr/bin/udpchatmulti ARM &&
	man_ok build/armel/rootfs /usr/share/man &&
	[ -x build/armel/rootfs/etc/init.d/S50udpchatd ] && [ -f build/armel/rootfs/etc/default/udpchatd ]; then
	ok "$S: make rootfs TARGET=armel lays binaries, man pages and overlay into build/armel/rootfs"
else
	notok "$S: make rootfs TARGET=armel" "$(diag "$T/rootfs.log")"
fi
if make -s -j2 dist >"$T/dist.log" 2>&1; then
	ok "$S: make dist"
else
	notok "$S: make dist" "$(diag "$T/dist.log")"
fi
for t in $TARGETS; do
	f=build/dist/udpchat-$VERSION-$t.tar.gz
	r=$T/board-$t
	mkdir -p "$r/etc" "$r/usr/bin"
	chmod 0700 "$r/etc" # a board's own mode: untarring must not change it
	if tar -tvzf "$f" >"$T/list-$t" 2>&1 && ! grep -q '^d' "$T/list-$t" &&
		! awk '$2 != "0/0" { bad = 1 } END { exit !bad }' "$T/list-$t" &&
		tar -xzf "$f" -C "$r" && links_ok "$r" /usr/bin /usr/sbin &&
		man_ok "$r" /usr/share/man &&
		[ -x "$r/etc/init.d/S50udpchatd" ] && [ -f "$r/etc/default/udpchatd" ] &&
		[ "$(stat -c %a "$r/etc")" = 700 ] && [ "$(stat -c %a "$r/etc/default/udpchatd")" = 644 ]; then
		ok "$S: $f untars onto a board's root (files owned 0/0, no directory entries)"
	else
		notok "$S: $f untars onto a board's root" "$(cat "$T/list-$t")"
	fi
done

# --- a cross target is one file: a new cross/T.mk, alone, joins every list
# the Makefile and the tests read (in a copy of the Makefile and cross/):
# CROSS_TARGETS (make cross, dist, size; cross.sh, makefile.sh, run.sh),
# cross-deps' packages, and the target's own facts
O=$T/onefile
mkdir -p "$O" && cp Makefile "$O/" && cp -R cross "$O/"
printf '%s\n' 'CROSS_COMPILE ?= riscv64-linux-gnu-' \
	'MUSL_SPECS    ?= -specs /usr/lib/riscv64-linux-musl/musl-gcc.specs' \
	'CROSS_DEB_ARCH    ?= riscv64' 'CROSS_GCC_PKG     ?= gcc-riscv64-linux-gnu' \
	'CROSS_ELF_MACHINE ?= RISC-V' 'QEMU_USER     ?= qemu-riscv64-static' >"$O/cross/riscv64.mk"
ov() { make -s --no-print-directory -C "$O" "$@" 2>&1; }
# sorted WORDS...: the words one per line, sorted, on one line
sorted() { echo "$*" | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' '; }
if [ "$(sorted "$(ov print-CROSS_TARGETS)")" = "$(sorted "$TARGETS riscv64")" ] &&
	has " $(ov print-CROSS_ARCHES) " " riscv64 " &&
	has " $(ov print-CROSS_PKGS) " " gcc-riscv64-linux-gnu " &&
	has " $(ov print-CROSS_PKGS) " " musl-dev:riscv64 " &&
	[ "$(ov TARGET=riscv64 print-CROSS_ELF_MACHINE)" = RISC-V ] &&
	[ "$(ov TARGET=riscv64 print-QEMU_USER)" = qemu-riscv64-static ]; then
	ok "$S: a new cross/riscv64.mk alone adds the target to make cross, size, dist, cross-deps and the tests' lists"
else
	notok "$S: a new cross/riscv64.mk alone adds the target everywhere" "$(ov print-CROSS_TARGETS)" \
		"$(ov print-CROSS_PKGS)"
fi
# and every target declares what the lists and the tests read
for t in $TARGETS; do
	m=$(make -s --no-print-directory TARGET="$t" print-CROSS_ELF_MACHINE)
	g=$(make -s --no-print-directory TARGET="$t" print-CROSS_GCC_PKG)
	a=$(make -s --no-print-directory TARGET="$t" print-CROSS_DEB_ARCH)
	# a Debian architecture and its cross gcc come together (none: the host's own)
	if [ -n "$m" ] && { [ -z "$a$g" ] || { [ -n "$a" ] && [ -n "$g" ]; }; }; then
		ok "$S: cross/$t.mk declares its ELF machine ($m) and Debian packages (${g:-the build machine gcc}${a:+, musl-dev:$a})"
	else
		notok "$S: cross/$t.mk declares CROSS_ELF_MACHINE, CROSS_GCC_PKG and CROSS_DEB_ARCH" "machine '$m' gcc '$g' arch '$a'"
	fi
done

# --- size: one row per target, bytes of the installed binary
size_rows() {
	for t in $TARGETS; do
		grep -Eq "^\| $t \| /usr/bin/udpchatmulti \| [0-9]+ \|" "$T/size.out" || return 1
	done
}
if make -s size >"$T/size.out" 2>&1 && size_rows; then
	ok "$S: make size prints a row per target"
	sed 's/^/# /' "$T/size.out"
else
	notok "$S: make size prints a row per target" "$(cat "$T/size.out")"
fi
