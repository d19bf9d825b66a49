# mipsel: MIPS32r2 little endian, MT7621-class routers. Debian's mipsel is hard-float while
# OpenWrt's mipsel_24kc is soft-float: for a router image build with the OpenWrt SDK
# (board/openwrt); this build runs on hard-float kernels and under qemu in the tests.
CROSS_COMPILE ?= mipsel-linux-gnu-
MUSL_SPECS    ?= -specs /usr/lib/mipsel-linux-musl/musl-gcc.specs
# Debian packages of the target (make cross-deps installs the cross gcc and
# musl-dev:CROSS_DEB_ARCH); the ELF machine readelf names (tests)
CROSS_DEB_ARCH    ?= mipsel
CROSS_GCC_PKG     ?= gcc-mipsel-linux-gnu
CROSS_ELF_MACHINE ?= MIPS
QEMU_USER     ?= qemu-mipsel-static
# Size (the binary must stay under 64 KiB; MIPS32 code is the largest of all
# targets): MIPS16e code for our objects (-mips16; 24K, 34K, 74K and 1004K
# cores, i.e. the MT7620/MT7621/QCA routers, all have it; musl's own objects
# stay MIPS32, -minterlink-compressed lets the two call each other), non-PIC
# code (-fno-pic -mno-shared) since the binary is static, and link-time
# optimisation. For a core without MIPS16e: make TARGET=mipsel CROSS_CFLAGS=
# -mno-abicalls (4.4 kB): our code calls with jal and reaches data with
# %hi/%lo, not through the GOT and $t9. musl's objects stay abicalls
# (PIC); ld links the two kinds in a static executable, setting $t9 for
# each call into musl in a two-instruction stub, and says "linking abicalls
# files with non-abicalls files" for it (a warning, expected).
CROSS_CFLAGS  ?= -fno-pic -mno-shared -mno-abicalls -mips16 -minterlink-compressed -flto=auto
CROSS_LDFLAGS ?= -flto=auto
