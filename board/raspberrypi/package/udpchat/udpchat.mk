################################################################################
#
# udpchat: built from the project tree this BR2_EXTERNAL lives in
#
################################################################################

# written once, in the project's Makefile
UDPCHAT_VERSION = $(shell sed -n 's/^VERSION *= *//p' $(BR2_EXTERNAL_UDPCHAT_PATH)/../../Makefile)
UDPCHAT_SITE = $(BR2_EXTERNAL_UDPCHAT_PATH)/../..
UDPCHAT_SITE_METHOD = local
UDPCHAT_LICENSE = MIT
UDPCHAT_LICENSE_FILES = LICENSE
UDPCHAT_DEPENDENCIES = uthash

# the daemon's own user and group (ids picked by Buildroot, no login, no
# home): S50udpchatd runs udpchatd -u udpchat, systemd User=udpchat
UDPCHAT_USERS = udpchat -1 udpchat -1 * - - - udpchat daemon

# The project's Makefile takes CC, CFLAGS, LDFLAGS, STRIP from
# TARGET_CONFIGURE_OPTS and keeps its own required flags; uthash.h comes
# from staging. BUILD names a folder the rsync cannot bring in stale.
# Buildroot strips the target itself (BR2_STRIP_*, NOSTRIP=1 here), and
# the binary is static only in a static image (BR2_STATIC_LIBS; STATIC=
# also drops the static build's -z norelro).
UDPCHAT_MAKE_OPTS = \
	UTHASH_DIR=$(STAGING_DIR)/usr/include \
	BUILD=build/buildroot \
	NOSTRIP=1

ifneq ($(BR2_STATIC_LIBS),y)
UDPCHAT_MAKE_OPTS += STATIC=
endif

# the programs the binary holds: the core three, and the options' below
UDPCHAT_PROGS = udpchatd udpchat udpchatctl

# the IRC bridge: udpchatirc in the binary, its settings file, and its
# init script or systemd units beside udpchatd's
ifeq ($(BR2_PACKAGE_UDPCHAT_IRC),y)
UDPCHAT_PROGS += udpchatirc
define UDPCHAT_INSTALL_IRC_DEFAULT
	$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/etc/default/udpchatirc \
		$(TARGET_DIR)/etc/default/udpchatirc
endef
define UDPCHAT_INSTALL_IRC_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs-overlay/etc/init.d/S51udpchatirc \
		$(TARGET_DIR)/etc/init.d/S51udpchatirc
endef
define UDPCHAT_INSTALL_IRC_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatirc.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatirc.service
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatirc@.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatirc@.service
endef
endif

# the room in a web browser: udpchatweb in the binary, its settings file
# (S52udpchatweb runs it as root, a bridge on the room's socket), and
# its init script or systemd units
ifeq ($(BR2_PACKAGE_UDPCHAT_WEB),y)
UDPCHAT_PROGS += udpchatweb
define UDPCHAT_INSTALL_WEB_DEFAULT
	$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/etc/default/udpchatweb \
		$(TARGET_DIR)/etc/default/udpchatweb
endef
define UDPCHAT_INSTALL_WEB_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs-overlay/etc/init.d/S52udpchatweb \
		$(TARGET_DIR)/etc/init.d/S52udpchatweb
endef
define UDPCHAT_INSTALL_WEB_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatweb.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatweb.service
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatweb@.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatweb@.service
endef
endif

UDPCHAT_MAKE_OPTS += PROGS="$(UDPCHAT_PROGS)"

# the developer's own build/ (host objects) is not part of the source
define UDPCHAT_REMOVE_HOST_BUILD
	rm -rf $(@D)/build
endef
UDPCHAT_POST_RSYNC_HOOKS += UDPCHAT_REMOVE_HOST_BUILD

define UDPCHAT_BUILD_CMDS
	$(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) $(UDPCHAT_MAKE_OPTS) all
endef

# make install also puts the man pages in $(TARGET_DIR)/usr/share/man;
# Buildroot's target-finalize removes that folder from every image.
define UDPCHAT_INSTALL_TARGET_CMDS
	$(TARGET_CONFIGURE_OPTS) $(MAKE) -C $(@D) $(UDPCHAT_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install
	$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/etc/default/udpchatd \
		$(TARGET_DIR)/etc/default/udpchatd
	$(SED) 's/^UDPCHATD_USER=.*/UDPCHATD_USER="udpchat"/' $(TARGET_DIR)/etc/default/udpchatd
	$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/etc/avahi/services/udpchat.service \
		$(TARGET_DIR)/etc/avahi/services/udpchat.service
	$(UDPCHAT_INSTALL_IRC_DEFAULT)
	$(UDPCHAT_INSTALL_WEB_DEFAULT)
endef

define UDPCHAT_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs-overlay/etc/init.d/S50udpchatd \
		$(TARGET_DIR)/etc/init.d/S50udpchatd
	$(UDPCHAT_INSTALL_IRC_INIT_SYSV)
	$(UDPCHAT_INSTALL_WEB_INIT_SYSV)
endef

define UDPCHAT_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatd.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatd.service
	$(INSTALL) -D -m 0644 $(BR2_EXTERNAL_UDPCHAT_PATH)/systemd/udpchatd@.service \
		$(TARGET_DIR)/usr/lib/systemd/system/udpchatd@.service
	$(UDPCHAT_INSTALL_IRC_INIT_SYSTEMD)
	$(UDPCHAT_INSTALL_WEB_INIT_SYSTEMD)
endef

$(eval $(generic-package))
