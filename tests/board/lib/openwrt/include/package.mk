# A stand-in for OpenWrt's include/package.mk: BuildPackage runs the
# package's Build/Prepare, Build/Compile, Build/InstallDev (to staging) on
# `make compile`, and Package/NAME/install into $(IPKG_DIR) on `make install`.
PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)

# default: unpack the release tarball from the download folder
define Build/Prepare
	rm -rf $(PKG_BUILD_DIR)
	mkdir -p $(PKG_BUILD_DIR)
	tar -C $(PKG_BUILD_DIR) --strip-components=1 -xzf $(DL_DIR)/$(PKG_SOURCE)
endef
define Build/InstallDev
endef

define BuildPackage
.PHONY: compile install
compile:
	$$(call Build/Prepare)
	$$(call Build/Compile)
	mkdir -p $(STAGING_DIR)
	$$(call Build/InstallDev,$(STAGING_DIR))
install:
	rm -rf $(IPKG_DIR)
	mkdir -p $(IPKG_DIR)
	$$(call Package/$(1)/install,$(IPKG_DIR))
endef
