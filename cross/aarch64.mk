# aarch64: Raspberry Pi 3/4/5 running a 64-bit OS, aarch64 routers (MT7622, MT7981...).
# Debian's GNU cross gcc, pointed at musl-dev:arm64 by musl's gcc specs file.
CROSS_COMPILE ?= aarch64-linux-gnu-
MUSL_SPECS    ?= -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs
# Debian packages of the target (make cross-deps installs the cross gcc and
# musl-dev:CROSS_DEB_ARCH); the ELF machine readelf names (tests)
CROSS_DEB_ARCH    ?= arm64
CROSS_GCC_PKG     ?= gcc-aarch64-linux-gnu
CROSS_ELF_MACHINE ?= AArch64
# what tests use to run this target's binaries on the build machine
QEMU_USER     ?= qemu-aarch64-static
# 16 KiB pages at most (ld's aarch64 default is 64 KiB of padding): still
# runs on the Pi 5's 16K-page kernel and on 4K-page kernels.
# noeh.ld drops musl's unwind tables (see the file).
# Link-time optimisation (2.6 kB), and -mgeneral-regs-only: there is no
# floating point in udpchat, and without it every variadic function saves
# the eight SIMD argument registers on entry.
# -mcmodel=tiny (2.2 kB): our code reaches each address with one ADR
# instead of ADRP+ADD, which needs the whole image, .bss included, within
# 1 MiB (0.77 MiB with the default UCHAT_MAX_MEMBERS of 1024; 2048 would not
# fit). ld checks every such reference: were the image ever too big, the
# link fails ("relocation truncated to fit: R_AARCH64_ADR_PREL_LO21"), it
# never makes a wrong binary. A build with UCHAT_MAX_MEMBERS given keeps
# the small model, whatever the number, and so does make unit: the unit
# tests' own tables make a 4 MiB image (the model is chosen when an object
# is compiled, so make unit rebuilds the objects, and the next make all
# again; .flags sees to both).
CROSS_DIR     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CROSS_CFLAGS  ?= -flto=auto -mgeneral-regs-only \
                 $(if $(UCHAT_MAX_MEMBERS)$(filter unit %/test_unit,$(MAKECMDGOALS)),,-mcmodel=tiny)
CROSS_LDFLAGS ?= -flto=auto -Wl,-z,max-page-size=16384 -Wl,-T,$(CROSS_DIR)/noeh.ld
