# armel: ARMv5TE and later, soft-float calling convention. Raspberry Pi Zero/Zero W/1 and
# older ARM boards: the binary is static, so the board's own ABI does not matter.
CROSS_COMPILE ?= arm-linux-gnueabi-
MUSL_SPECS    ?= -specs /usr/lib/arm-linux-musleabi/musl-gcc.specs
# Debian packages of the target (make cross-deps installs the cross gcc and
# musl-dev:CROSS_DEB_ARCH); the ELF machine readelf names (tests)
CROSS_DEB_ARCH    ?= armel
CROSS_GCC_PKG     ?= gcc-arm-linux-gnueabi
CROSS_ELF_MACHINE ?= ARM
QEMU_USER     ?= qemu-arm-static
# Thumb code (every ARMv5TE core has it): a third smaller than ARM code,
# which keeps the binary under 64 KiB. CROSS_CFLAGS= builds ARM code.
# Link-time optimisation.
CROSS_CFLAGS  ?= -mthumb -flto=auto
CROSS_LDFLAGS ?= -flto=auto
