# A stand-in for OpenWrt's include/package.mk: BuildPackage runs the
# package's Build/Prepare, Build/Compile, Build/InstallDev (to staging) on
# `make compile`, and each package's Package/NAME/install into
# $(IPKG_DIR)/NAME on `make install` (a Makefile may define several packages,
# which share one build, as OpenWrt's do).
# The build stamps are OpenWrt's: the .prepared stamp is named after the
# MD5 of the paths and times of every file under $(CURDIR) and
# $(PKG_FILE_DEPENDS), so a change there prepares and builds again, and
# nothing else does.
PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_JOBS ?= $(if $(PKG_BUILD_PARALLEL),-j2,-j1)

find_md5 = find $(wildcard $(1)) -type f -printf "%p%T@\n" | sort | md5sum | cut -c1-32
STAMP_PREPARED = $(PKG_BUILD_DIR)/.prepared_$(shell $(call find_md5,$(CURDIR) $(PKG_FILE_DEPENDS)))
STAMP_BUILT = $(PKG_BUILD_DIR)/.built

# default: unpack the release tarball from the download folder
define Build/Prepare
	tar -C $(PKG_BUILD_DIR) --strip-components=1 -xzf $(DL_DIR)/$(PKG_SOURCE)
endef
define Build/InstallDev
endef

define BuildPackage
ifndef BUILDPACKAGE_DONE
BUILDPACKAGE_DONE := 1
.PHONY: compile install
$(STAMP_PREPARED):
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(PKG_BUILD_DIR)
	$$(call Build/Prepare)
	touch $$@
$(STAMP_BUILT): $(STAMP_PREPARED)
	$$(call Build/Compile)
	touch $$@
compile: $(STAMP_BUILT)
	mkdir -p $(STAGING_DIR)
	$$(call Build/InstallDev,$(STAGING_DIR))
endif
.PHONY: install-$(1)
install: install-$(1)
install-$(1):
	rm -rf $(IPKG_DIR)/$(1)
	mkdir -p $(IPKG_DIR)/$(1)
	$$(call Package/$(1)/install,$(IPKG_DIR)/$(1))
endef
