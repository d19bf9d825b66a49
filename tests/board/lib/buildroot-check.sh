#!/bin/sh
# The BR2_EXTERNAL tree (board/raspberrypi) read by a real Buildroot source
# tree, with no download and no network (unshare -n where it can):
# - each configs/*_defconfig configures (with Debian's kconfig, nothing of
#   Buildroot compiled): the resulting .config has musl,
#   udpchat and uthash, and keeps every line the defconfig sets (kconfig
#   drops a symbol whose dependencies fail, without a word: that is how the
#   old fragments' BR2_TOOLCHAIN_BUILDROOT_MUSL was lost under upstream's
#   external toolchain; the old way is run too, as the control);
# - printvars: the package's variables as Buildroot computes them (version
#   equal to the project's, static or not as BR2_STATIC_LIBS says);
# - utils/check-package on every file of the external tree, and on a
#   misspelt copy as the control.
# Usage: tests/board/lib/buildroot-check.sh BUILDROOT_DIR
# (make buildroot-check BUILDROOT=DIR; tests/board/packaging.sh runs it
# when BUILDROOT is set). Buildroot is not in Debian and CI has no network:
# docs/DEPLOY.md records the Buildroot commit this last passed with.
set -u
cd "$(dirname "$0")/../../.." || exit 2
. tests/board/lib/tap.sh
S=buildroot
BR=${1:?usage: buildroot-check.sh BUILDROOT_DIR}
BR=$(cd "$BR" && pwd) || exit 2
EXT=$(pwd)/board/raspberrypi
T=$(pwd)/build/board-buildroot
rm -rf "$T"
mkdir -p "$T"
# python3-magic and flake8: check-package's imports; Debian's python3
sh tests/deps.sh make kconfig-frontends-nox python3 python3-magic flake8 util-linux git >"$T/deps.log" 2>&1 || {
	notok "$S: setup" "$(diag "$T/deps.log")"
	exit 1
}
# no network: a download would fail instead of passing unseen
NONET=''
unshare -n true 2>/dev/null && NONET='unshare -n'
rev=$(git -C "$BR" rev-parse --short HEAD 2>/dev/null || echo "(no git)")
echo "# Buildroot $BR at $rev"

# kept DEFCONFIG CONFIG: every BR2_ line DEFCONFIG sets is in CONFIG as is;
# prints the ones that are not
dropped() {
	grep -E '^(BR2_[A-Za-z0-9_]+=|# BR2_[A-Za-z0-9_]+ is not set)' "$1" | while IFS= read -r l; do
		grep -qxF -- "$l" "$2" || echo "$l"
	done
}
# brmake OUT ARGS...: make in the Buildroot tree with the external tree.
# Nothing of Buildroot is compiled: its kconfig program is stood in for by
# Debian's (kconfig-frontends-nox), put where Buildroot's make looks for its
# own (a target with no prerequisites: found, it is not built), told
# Buildroot's conventions (the .config's name in BR2_CONFIG, no CONFIG_
# prefix: the symbols are BR2_...)
brmake() {
	o=$1
	shift
	if [ ! -x "$o/build/buildroot-config/conf" ]; then
		mkdir -p "$o/build/buildroot-config"
		# shellcheck disable=SC2016 # for the wrapper to expand
		printf '#!/bin/sh\nKCONFIG_CONFIG=$BR2_CONFIG CONFIG_= exec kconfig-conf "$@"\n' \
			>"$o/build/buildroot-config/conf"
		chmod 0755 "$o/build/buildroot-config/conf"
	fi
	$NONET make -C "$BR" BR2_EXTERNAL="$EXT" O="$o" "$@"
}

for d in "$EXT"/configs/*_defconfig; do
	dn=$(basename "$d")
	o=$T/$dn
	if brmake "$o" "$dn" >"$o.log" 2>&1; then
		ok "$S: make $dn (no network)"
	else
		notok "$S: make $dn (no network)" "$(diag "$o.log")"
		continue
	fi
	lost=$(dropped "$d" "$o/.config")
	check "$S: $dn: every line it sets is kept in .config" test -z "$lost"
	[ -z "$lost" ] || echo "$lost" | sed 's/^/# dropped: /'
	for want in BR2_TOOLCHAIN_USES_MUSL=y BR2_PACKAGE_UDPCHAT=y BR2_PACKAGE_UTHASH=y \
		'BR2_INIT_BUSYBOX=y'; do
		check "$S: $dn: $want" grep -qx "$want" "$o/.config"
	done
	check "$S: $dn: no glibc" sh -c "! grep -q '^BR2_TOOLCHAIN_USES_GLIBC=y' '$o/.config'"
done

# nothing compiled: the kconfig folder holds the stand-in alone, and no
# object file appeared in any output folder
built=$(find "$T" -name '*.o' -o -path '*/buildroot-config/*' ! -name conf ! -type d | head -n 5)
check "$S: nothing of Buildroot compiled (Debian's kconfig-conf used)" test -z "$built"
[ -z "$built" ] || echo "$built" | sed 's/^/# built: /'

# the control: upstream's own defconfig with the old fragment appended
# (BR2_TOOLCHAIN_BUILDROOT_MUSL=y) loses the musl line, and the check sees it
o=$T/old-fragment
mkdir -p "$o"
{
	cat "$BR/configs/raspberrypi4_64_defconfig"
	echo BR2_TOOLCHAIN_BUILDROOT_MUSL=y
	echo BR2_PACKAGE_UDPCHAT=y
} >"$T/old-fragment_defconfig"
brmake "$o" BR2_DEFCONFIG="$T/old-fragment_defconfig" defconfig >"$o.log" 2>&1
lost=$(dropped "$T/old-fragment_defconfig" "$o/.config")
if [ "$lost" = BR2_TOOLCHAIN_BUILDROOT_MUSL=y ] && ! grep -q '^BR2_TOOLCHAIN_USES_MUSL=y' "$o/.config"; then
	ok "$S: control: upstream defconfig + BR2_TOOLCHAIN_BUILDROOT_MUSL=y is glibc, the dropped line is seen"
else
	notok "$S: control: upstream defconfig + BR2_TOOLCHAIN_BUILDROOT_MUSL=y is glibc, the dropped line is seen" \
		"dropped: $lost" "$(grep USES_ "$o/.config")"
fi

# pv VAR: VAR=value as Buildroot computes it for the rpi4 .config
o=$T/raspberrypi4_64_udpchat_defconfig
pv() { brmake "$o" -s printvars VARS="$1" 2>>"$T/printvars.log" | grep "^$1="; }
ver=$(sed -n 's/^VERSION *= *//p' Makefile)
got=$(pv UDPCHAT_VERSION)
check "$S: printvars: UDPCHAT_VERSION is the Makefile's VERSION ($ver)" test "$got" = "UDPCHAT_VERSION=$ver"
[ "$got" = "UDPCHAT_VERSION=$ver" ] || echo "# got: $got"
# the Pi images have shared libraries: udpchat links dynamically, and
# Buildroot strips it (BR2_STATIC_LIBS would keep the static build)
got=$(pv UDPCHAT_MAKE_OPTS)
dyn=no
case $got in *" STATIC="*) case $got in *NOSTRIP=1*) dyn=yes ;; esac ;; esac
check "$S: printvars: UDPCHAT_MAKE_OPTS has STATIC= and NOSTRIP=1 (shared-libs image)" test "$dyn" = yes
[ "$dyn" = yes ] || echo "# got: $got"

# check-package on the external tree (Buildroot's own rules); the control:
# a copy whose help text is indented with spaces is reported
cp_run() { # DIR: check-package on every file under DIR
	(cd "$1" && find . -type f | LC_ALL=C sort | xargs /usr/bin/python3 "$BR/utils/check-package" -b) 2>&1
}
out=$(cp_run "$EXT")
rc=$?
cp -R "$EXT" "$T/ext-bad"
sed -i 's/^\thelp$/    help/' "$T/ext-bad/package/udpchat/Config.in"
bad=$(cp_run "$T/ext-bad")
if [ "$rc" = 0 ] && echo "$out" | grep -q '^0 warnings generated' &&
	echo "$bad" | grep -q '^./package/udpchat/Config.in:[0-9]*:'; then
	ok "$S: utils/check-package clean on board/raspberrypi (and reports a bad copy)"
else
	notok "$S: utils/check-package clean on board/raspberrypi (and reports a bad copy)" \
		"rc $rc: $out" "bad copy: $bad"
fi
