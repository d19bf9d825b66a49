# armhf: ARMv7 hard-float. Raspberry Pi 2/3 running a 32-bit OS, ARMv7 routers (IPQ40xx...).
# Does not run on ARMv6 (Pi Zero/1): use armel there.
CROSS_COMPILE ?= arm-linux-gnueabihf-
MUSL_SPECS    ?= -specs /usr/lib/arm-linux-musleabihf/musl-gcc.specs
# Debian packages of the target (make cross-deps installs the cross gcc and
# musl-dev:CROSS_DEB_ARCH); the ELF machine readelf names (tests)
CROSS_DEB_ARCH    ?= armhf
CROSS_GCC_PKG     ?= gcc-arm-linux-gnueabihf
CROSS_ELF_MACHINE ?= ARM
QEMU_USER     ?= qemu-arm-static
# link-time optimisation
CROSS_CFLAGS  ?= -flto=auto
CROSS_LDFLAGS ?= -flto=auto
