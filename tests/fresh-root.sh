#!/bin/sh
# make fresh-test: runs `make test` the way a fresh machine would, in a fresh
# Debian root (debootstrap --variant=minbase of this machine's release, from
# Debian's packages) that has only what the README presupposes (make, and git
# to clone): every other package a suite uses must be installed by the suite
# itself (tests/deps.sh). Packages that a developer once installed by hand on
# this machine are not there, so a missing install step fails here.
# The root shares this machine's kernel (namespaces, binfmt) and network.
# The pristine root is cached in build/fresh/base; each run works on a copy,
# with a clean clone of HEAD (what CI tests: commit first), no stdin, CI=true.
# Takes 15-25 minutes (it installs every package the suites need).
set -eu
cd "$(dirname "$0")/.."
F=$(pwd)/build/fresh
sh tests/deps.sh debootstrap git util-linux

# shellcheck disable=SC1091 # the machine's own release file
release=$(. /etc/os-release && echo "$VERSION_CODENAME")
if [ ! -f "$F/base.stamp" ] || [ "$(cat "$F/base.stamp")" != "$release" ]; then
	rm -rf "$F/base"
	mkdir -p "$F"
	echo "fresh: debootstrap $release into $F/base" >&2
	debootstrap --variant=minbase --include=make,git,ca-certificates \
		"$release" "$F/base" http://deb.debian.org/debian >"$F/debootstrap.log" 2>&1 || {
		tail -n 20 "$F/debootstrap.log" >&2
		exit 1
	}
	echo "$release" >"$F/base.stamp"
fi

R=$F/root
rm -rf "$R"
cp -a "$F/base" "$R"
# the same package sources as this machine (its release, updates, security)
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	rm -f "$R/etc/apt/sources.list"
	cp /etc/apt/sources.list.d/debian.sources "$R/etc/apt/sources.list.d/"
fi
cp /etc/resolv.conf "$R/etc/resolv.conf"
git clone -q . "$R/root/udpchat"
echo "fresh: make test in $R/root/udpchat at $(git rev-parse --short HEAD)" >&2

# a private mount namespace: the chroot's /proc, /sys, /dev and /run go
# away with it
rc=0
# shellcheck disable=SC2016 # $1 is for the inner sh
unshare --mount --propagation private sh -c '
	R=$1
	# its own mount: unshare --mount inside needs / to be a mount point
	mount --bind "$R" "$R"
	mount -t proc proc "$R/proc"
	mount --rbind /sys "$R/sys"
	mount --rbind /dev "$R/dev"
	mount -t tmpfs tmpfs "$R/run"
	mount -t tmpfs tmpfs "$R/tmp"
	exec chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root CI=true LANG=C.UTF-8 sh -c "cd /root/udpchat && make test"
' sh "$R" </dev/null >"$F/test.log" 2>&1 || rc=$?
grep -E '^(not ok|[0-9]+ passed)' "$F/test.log" >&2 || tail -n 30 "$F/test.log" >&2
echo "fresh: make test exited $rc (log: $F/test.log)" >&2
exit "$rc"
