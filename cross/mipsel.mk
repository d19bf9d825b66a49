# mipsel: MIPS32r2 little endian, MT7621-class routers. Debian's mipsel is hard-float while
# OpenWrt's mipsel_24kc is soft-float: for a router image build with the OpenWrt SDK
# (board/openwrt); this build runs on hard-float kernels and under qemu in the tests.
CROSS_COMPILE ?= mipsel-linux-gnu-
MUSL_SPECS    ?= -specs /usr/lib/mipsel-linux-musl/musl-gcc.specs
QEMU_USER     ?= qemu-mipsel-static
