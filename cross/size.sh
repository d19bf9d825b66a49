#!/bin/sh
# Prints a Markdown table of what udpchat costs on each target: bytes of the
# installed, stripped static binary (the flash figure) and its text/data/bss
# (bss + data is the RAM the binary itself needs before the room fills).
# Usage: cross/size.sh TARGET...   (after `make rootfs TARGET=...` for each)
set -eu
cd "$(dirname "$0")/.."
echo "| target | installed file | bytes | text | data | bss |"
echo "|---|---|---:|---:|---:|---:|"
for t in "$@"; do
	root=build/$t/rootfs
	f=$root/usr/bin/udpchatmulti
	[ -f "$f" ] || { echo "size: $f missing (make rootfs TARGET=$t)" >&2; exit 1; }
	# the size tool of the target's binutils reads its ELF; host size for host builds
	cross=$(sed -n 's/^CROSS_COMPILE *?*= *//p' "cross/$t.mk" 2>/dev/null || true)
	line=$("${cross}size" "$f" | sed -n 2p)
	read -r text data bss _ <<-END
	$line
	END
	printf '| %s | /usr/bin/udpchatmulti | %s | %s | %s | %s |\n' \
		"$t" "$(wc -c < "$f" | tr -d ' ')" "$text" "$data" "$bss"
done
echo
echo "udpchatd (/usr/sbin), udpchat and udpchatctl (/usr/bin) are symlinks to udpchatmulti."
