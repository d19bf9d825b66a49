# A stand-in for the few parts of Buildroot's package infrastructure that
# board/raspberrypi/package/*/*.mk use, so that tests/board/packaging.sh can
# run their real commands: source (rsync of a local SITE with its hooks, or
# the tarball from DL_DIR), BUILD_CMDS, INSTALL_STAGING_CMDS,
# INSTALL_TARGET_CMDS and INSTALL_INIT_SYSV (or INSTALL_INIT_SYSTEMD with
# BR2_INIT_SYSTEMD=y), in dependency order; the
# packages' _USERS lines are collected in $(BASE)/users_table.txt.
# Given by the test: BASE (output folder), DL_DIR, TARGET_CC/TARGET_STRIP
# (toolchain), BR2_EXTERNAL_UDPCHAT_PATH.

BUILD_DIR   = $(BASE)/build
STAGING_DIR = $(BASE)/staging
TARGET_DIR  = $(BASE)/target
INSTALL     = install
SED         = sed -i -e
MAKE1       = $(MAKE) -j1
TARGET_CFLAGS  = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 -Os -g0 -D_FORTIFY_SOURCE=1
TARGET_LDFLAGS =
# as Buildroot's package/Makefile.in has it (the part a C program sees);
# put in the environment of $(MAKE) by the package's commands
TARGET_CONFIGURE_OPTS = \
	PATH="$(PATH)" CC="$(TARGET_CC)" GCC="$(TARGET_CC)" STRIP="$(TARGET_STRIP)" \
	CPPFLAGS="" CFLAGS="$(TARGET_CFLAGS)" LDFLAGS="$(TARGET_LDFLAGS)" \
	STAGING_DIR="$(STAGING_DIR)"

github = https://github.com/$(1)/$(2)/archive/$(3)

define sep


endef

# Buildroot names a package after the folder of its .mk
pkgdir  = $(dir $(lastword $(MAKEFILE_LIST)))
pkgname = $(lastword $(subst /, ,$(pkgdir)))

# $(1): name, $(2): NAME
define stub-package
$(2)_DIR = $(BUILD_DIR)/$(1)-$$($(2)_VERSION)
$(2)_SOURCE ?= $(1)-$$($(2)_VERSION).tar.gz
$(2)_PKGDIR = $(pkgdir)
$(1): $$($(2)_DIR)/.stamp_installed
$$($(2)_DIR)/.stamp_source: $$($(2)_DEPENDENCIES)
	rm -rf $$(@D)
	mkdir -p $$(@D)
	$$(if $$(filter local,$$($(2)_SITE_METHOD)),\
		tar -C $$($(2)_SITE) --exclude=./.git --exclude=./build/*/* -cf - . | tar -C $$(@D) -xf -,\
		tar -C $$(@D) --strip-components=1 -xzf $(DL_DIR)/$$($(2)_SOURCE))
	$$(foreach h,$$($(2)_POST_RSYNC_HOOKS),$$(call $$(h))$$(sep))
	touch $$@
$$($(2)_DIR)/.stamp_built: $$($(2)_DIR)/.stamp_source
	$$($(2)_BUILD_CMDS)
	touch $$@
$$($(2)_DIR)/.stamp_installed: $$($(2)_DIR)/.stamp_built
	$$(if $$(filter YES,$$($(2)_INSTALL_STAGING)),$$($(2)_INSTALL_STAGING_CMDS))
	$$(if $$(filter NO,$$($(2)_INSTALL_TARGET)),,$$($(2)_INSTALL_TARGET_CMDS))
	$$(if $$(filter NO,$$($(2)_INSTALL_TARGET)),,$$(if $$(filter y,$$(BR2_INIT_SYSTEMD)),$$($(2)_INSTALL_INIT_SYSTEMD),$$($(2)_INSTALL_INIT_SYSV)))
	$$(if $$($(2)_USERS),printf '%s\n' '$$($(2)_USERS)' >>$(BASE)/users_table.txt)
	touch $$@
endef
generic-package = $(call stub-package,$(pkgname),$(shell echo $(pkgname) | tr a-z- A-Z_))

include $(BR2_EXTERNAL_UDPCHAT_PATH)/external.mk

# make -f buildroot-stub.mk ... print-VAR: the value a .mk gives VAR
print-%:
	@echo '$($*)'
