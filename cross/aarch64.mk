# aarch64: Raspberry Pi 3/4/5 running a 64-bit OS, aarch64 routers (MT7622, MT7981...).
# Debian's GNU cross gcc, pointed at musl-dev:arm64 by musl's gcc specs file.
CROSS_COMPILE ?= aarch64-linux-gnu-
MUSL_SPECS    ?= -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
# what tests use to run this target's binaries on the build machine
QEMU_USER     ?= qemu-aarch64-static
