# x86_64: PC Engines APU, x86 mini PCs, VMs. The same static musl build as TARGET=host,
# kept in its own folder so `make cross` and `make dist` treat every target alike.
CROSS_COMPILE ?= x86_64-linux-gnu-
MUSL_SPECS    ?= -specs /usr/lib/x86_64-linux-musl/musl-gcc.specs
# Debian packages of the target (make cross-deps): none beyond the build
# machine's own gcc and musl-tools; the ELF machine readelf names (tests)
CROSS_DEB_ARCH    ?=
CROSS_GCC_PKG     ?=
CROSS_ELF_MACHINE ?= X86-64
QEMU_USER     ?=
# Link-time optimisation, and -mgeneral-regs-only: there is no floating
# point in udpchat, and without it every variadic function may save the
# eight SSE argument registers on entry.
CROSS_CFLAGS  ?= -flto=auto -mgeneral-regs-only
CROSS_LDFLAGS ?= -flto=auto
