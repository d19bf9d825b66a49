#!/bin/sh
# Install Debian packages that are missing, and only those.
# Usage: tests/deps.sh [--arch ARCH ...] PKG[:ARCH] ...
# Tolerates an `apt-get update` that fails on one index; fails if a package
# still cannot be installed. Needs root only when something is missing.
set -u
archs=
while [ "${1:-}" = --arch ]; do archs="$archs $2"; shift 2; done

missing=
for p in "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
for a in $archs; do
	dpkg --print-foreign-architectures | grep -qx "$a" || dpkg --add-architecture "$a"
done
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null 2>&1 || echo "deps: apt-get update reported errors; going on" >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null || {
	echo "deps: apt-get install failed for:$missing" >&2
	exit 1
}
