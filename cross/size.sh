#!/bin/sh
# Prints a Markdown table of what udpchat costs on each target: bytes of the
# installed, stripped static binary (the flash figure) and its text/data/bss
# (bss + data is the RAM the binary itself needs before the room fills).
# Usage: cross/size.sh TARGET...   (after `make rootfs TARGET=...` for each)
# With FULL="PROGS..." in the environment: the binary with every program,
# build/TARGET-full/udpchatmulti (make size builds it), in a second table.
set -eu
cd "$(dirname "$0")/.."
FULL=${FULL:-}
if [ -n "$FULL" ]; then
	echo "With every program ($FULL):"
	echo
	echo "| target | file | bytes | text | data | bss |"
else
	echo "| target | installed file | bytes | text | data | bss |"
fi
echo "|---|---|---:|---:|---:|---:|"
for t in "$@"; do
	if [ -n "$FULL" ]; then
		f=build/$t-full/udpchatmulti
		shown=build/$t-full/udpchatmulti
		[ -f "$f" ] || { echo "size: $f missing (make size builds it)" >&2; exit 1; }
	else
		f=build/$t/rootfs/usr/bin/udpchatmulti
		shown=/usr/bin/udpchatmulti
		[ -f "$f" ] || { echo "size: $f missing (make rootfs TARGET=$t)" >&2; exit 1; }
	fi
	# the size tool of the target's binutils reads its ELF; host size for host builds
	cross=$(sed -n 's/^CROSS_COMPILE *?*= *//p' "cross/$t.mk" 2>/dev/null || true)
	line=$("${cross}size" "$f" | sed -n 2p)
	read -r text data bss _ <<-END
	$line
	END
	printf '| %s | %s | %s | %s | %s | %s |\n' \
		"$t" "$shown" "$(wc -c < "$f" | tr -d ' ')" "$text" "$data" "$bss"
done
echo
if [ -z "$FULL" ]; then
	echo "udpchatd (/usr/sbin), udpchat and udpchatctl (/usr/bin) are symlinks to udpchatmulti."
	echo
fi
