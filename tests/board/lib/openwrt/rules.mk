# A stand-in for OpenWrt's rules.mk: the variables board/openwrt's package
# Makefiles use, with OpenWrt's names and shapes (tests/board/packaging.sh).
# Given by the test: TOPDIR, BASE (output folder), DL_DIR, TARGET_CC,
# TARGET_CROSS.
INCLUDE_DIR = $(TOPDIR)/include
BUILD_DIR   = $(BASE)/build
STAGING_DIR = $(BASE)/staging
IPKG_DIR    = $(BASE)/ipkg
TARGET_CFLAGS  = -Os -pipe -mno-branch-likely -mips32r2 -mtune=24kc -fno-caller-saves -fno-plt
TARGET_LDFLAGS = -L$(STAGING_DIR)/usr/lib -L$(STAGING_DIR)/lib -znow -zrelro
# as OpenWrt's rules.mk has it; note: no CFLAGS in it
TARGET_CONFIGURE_OPTS = \
	AR="$(TARGET_CROSS)ar" AS="$(TARGET_CC) -c" LD="$(TARGET_CROSS)ld" \
	NM="$(TARGET_CROSS)nm" CC="$(TARGET_CC)" GCC="$(TARGET_CC)" \
	CXX="$(TARGET_CROSS)g++" RANLIB="$(TARGET_CROSS)ranlib" \
	STRIP=$(TARGET_CROSS)strip OBJCOPY=$(TARGET_CROSS)objcopy \
	OBJDUMP=$(TARGET_CROSS)objdump SIZE=$(TARGET_CROSS)size
INSTALL_DIR  = install -d -m0755
INSTALL_BIN  = install -m0755
INSTALL_DATA = install -m0644
INSTALL_CONF = install -m0600
CP = cp -fpR
LN = ln -sf
