# udpchat: a LAN chat room over UDP for small boards.
# One static multi-call binary (udpchatmulti) answers to three names:
#   udpchatd (server), udpchat (client), udpchatctl (control tool).
#
# Takes what OpenWrt's SDK and Buildroot pass: CROSS_COMPILE, CC, CFLAGS,
# LDFLAGS, DESTDIR, PREFIX (command line or environment). The flags the
# build cannot do without live in UCHAT_CFLAGS / UCHAT_LDFLAGS and are
# always appended.

VERSION     = 1.0.0
TARGET     ?= host
BUILD      ?= build/$(TARGET)
PREFIX     ?= /usr
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
UTHASH_DIR ?= /usr/include
STATIC     ?= -static

ifneq ($(TARGET),host)
include cross/$(TARGET).mk
endif

CROSS_COMPILE ?=
# host: musl-gcc, unless a CROSS_COMPILE prefix names another compiler
ifeq ($(origin CC),default)
ifeq ($(TARGET)$(CROSS_COMPILE),host)
CC = musl-gcc
else
CC = $(CROSS_COMPILE)gcc
endif
endif
# Strip with the tool that matches the compiler: CROSS_COMPILE's, else the one
# next to a cross CC given alone (CC=/opt/x/bin/mipsel-linux-musl-gcc), else strip.
ifeq ($(origin STRIP),undefined)
CC_STRIP = $(if $(filter musl-gcc,$(notdir $(firstword $(CC)))),,$(patsubst %-gcc,%-strip,$(filter %-gcc,$(firstword $(CC)))))
STRIP    = $(or $(if $(CROSS_COMPILE),$(CROSS_COMPILE)strip),$(CC_STRIP),strip)
endif
# .comment holds the compilers' version strings (0.1 kB); STRIPFLAGS= keeps it
STRIPFLAGS ?= -R .comment
# -fno-pie: the binary is a static, non-PIE executable in any case
CFLAGS  ?= -Os -fno-asynchronous-unwind-tables -fno-pie
LDFLAGS ?=

# compile-time limits (src/bounds.h); e.g. make UCHAT_MAX_MEMBERS=4096
UCHAT_DEFS = $(if $(UCHAT_MAX_MEMBERS),-DUCHAT_MAX_MEMBERS=$(UCHAT_MAX_MEMBERS))

# Warnings are errors; a packager whose newer compiler warns about new things
# may pass WERROR= and still build.
WERROR ?= -Werror

UCHAT_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) \
                -ffunction-sections -fdata-sections \
                -DUCHAT_VERSION='"$(VERSION)"' $(UCHAT_DEFS) $(PROG_DEFS) \
                -I$(BUILD)/include $(MUSL_SPECS) $(CROSS_CFLAGS)
# A static musl program never applies PT_GNU_RELRO (only musl's dynamic
# linker does): in a static build RELRO is a page of padding and no guard.
# common-page-size=64: ld starts the data segment on a fresh page of that
# size when it saves a page of memory, padding the file up to it (up to
# 4 KiB on x86_64 and aarch64, moving with every change); at 64 the padding
# is under 64 bytes and the segment costs at most one page more to map.
comma := ,
NORELRO = $(if $(STATIC),-Wl$(comma)-z$(comma)norelro -Wl$(comma)-z$(comma)common-page-size=64)
# A static build against musl's gcc specs (MUSL_SPECS: the cross targets)
# starts from musl's crt1.o alone, found beside the specs file: musl calls
# .init_array itself and has its own empty _init/_fini, so gcc's
# crtbegin/crtend (frame_dummy, transactional-memory clone tables) and
# crti/crtn (.init, .fini) add 0.6 kB and four sections a C program without
# them never misses.
MUSL_START = $(if $(and $(STATIC),$(MUSL_SPECS)),-nostartfiles $(dir $(lastword $(MUSL_SPECS)))crt1.o)
UCHAT_LDFLAGS = $(STATIC) $(NORELRO) -Wl,--gc-sections -Wl,-z,noseparate-code \
                $(MUSL_START) $(CROSS_LDFLAGS)

# The map of the program, top to bottom along the data path.
COMMON_OBJS = main log io fmt opt utf8 proto net resolv catalog
SERVER_OBJS = server admin ctlsock bridge priv room arena ratelimit fanout ring
CLIENT_OBJS = client seqwin term
CTL_OBJS    = ctl
# the IRC bridge (issue 8): the program and its protocol core
IRC_OBJS    = ircbot irc
# the room in a browser (issue 12): the program, its HTTP reader, its page
WEB_OBJS    = web webhttp webpage

# The programs the binary holds, as BusyBox picks its applets: e.g.
# make PROGS="udpchatd udpchatctl" links neither the client's objects nor its
# name (main.c's table, the usage line, the links, install-bin). Each program:
# its objects and the folder its link is installed in.
# udpchatirc is not in the default PROGS: the three core programs stay within
# 64 KiB (make PROGS="udpchatd udpchat udpchatctl udpchatirc" adds it).
CORE_PROGS = udpchatd udpchat udpchatctl
ALL_PROGS  = $(CORE_PROGS) udpchatirc udpchatweb
PROGS      = $(CORE_PROGS)
udpchatd_OBJS   = $(SERVER_OBJS)
udpchatd_DIR    = $(SBINDIR)
udpchat_OBJS    = $(CLIENT_OBJS)
udpchat_DIR     = $(BINDIR)
udpchatctl_OBJS = $(CTL_OBJS)
udpchatctl_DIR  = $(BINDIR)
udpchatirc_OBJS = $(IRC_OBJS)
udpchatirc_DIR  = $(BINDIR)
udpchatweb_OBJS = $(WEB_OBJS)
udpchatweb_DIR  = $(SBINDIR)
ifneq ($(filter-out $(ALL_PROGS),$(PROGS))$(if $(strip $(PROGS)),,none),)
$(error PROGS: name one or more of $(ALL_PROGS))
endif
# the binary links COMMON and its programs' objects; the unit tests and the
# fuzz harnesses link every object
ALL_OBJS = $(patsubst %,$(BUILD)/%.o,$(COMMON_OBJS) $(foreach p,$(ALL_PROGS),$($(p)_OBJS)))
OBJS     = $(patsubst %,$(BUILD)/%.o,$(COMMON_OBJS) $(foreach p,$(PROGS),$($(p)_OBJS)))
empty   :=
space   := $(empty) $(empty)
# main.c's dispatch table (UCHAT_PROG_name) and its usage line (UCHAT_PROGS)
PROG_DEFS = $(patsubst %,-DUCHAT_PROG_%,$(PROGS)) \
            -DUCHAT_PROGS='"$(subst $(space),|,$(strip $(PROGS)))"'

MULTI = $(BUILD)/udpchatmulti
LINKS = $(patsubst %,$(BUILD)/%,$(PROGS))

.PHONY: all run test deps test-deps unit asan cppcheck install install-bin install-man clean FORCE objs
.PHONY: cross cross-deps rootfs dist size

all: $(MULTI) $(LINKS)

$(BUILD)/include/uthash.h:
	@mkdir -p $(BUILD)/include
	@test -f $(UTHASH_DIR)/$(@F) || { echo "missing $(UTHASH_DIR)/$(@F): install uthash-dev (make deps)" >&2; exit 1; }
	ln -sf $(abspath $(UTHASH_DIR))/$(@F) $@

$(BUILD)/%.o: src/%.c src/*.h $(BUILD)/include/uthash.h $(BUILD)/.flags
	$(CC) $(CFLAGS) $(UCHAT_CFLAGS) -c -o $@ $<

# rebuild when the compiler or the flags change
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(CFLAGS) $(UCHAT_CFLAGS) $(LDFLAGS) $(UCHAT_LDFLAGS)' > $@.new
	@cmp -s $@.new $@ 2>/dev/null && rm -f $@.new || mv $@.new $@

# the page (src/webpage.html) as a C string: each line escaped and quoted
$(BUILD)/webpage.c: src/webpage.html
	@mkdir -p $(BUILD)
	{ echo '/* made from src/webpage.html by the Makefile */'; echo '#include "web.h"'; \
	  echo 'const char web_page[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; echo 'const size_t web_page_len = sizeof(web_page) - 1;'; } > $@

$(BUILD)/webpage.o: $(BUILD)/webpage.c src/*.h $(BUILD)/include/uthash.h $(BUILD)/.flags
	$(CC) $(CFLAGS) $(UCHAT_CFLAGS) -Isrc -c -o $@ $<

$(MULTI): $(OBJS)
	$(CC) $(CFLAGS) $(CROSS_CFLAGS) $(MUSL_SPECS) $(LDFLAGS) $(UCHAT_LDFLAGS) -o $@ $(OBJS)
	$(if $(NOSTRIP),,$(STRIP) $(STRIPFLAGS) $@)

$(LINKS): $(MULTI)
	ln -sf udpchatmulti $@

objs: $(ALL_OBJS)

# --- running and testing on the host ------------------------------------

HOST_PKGS = make gcc musl-tools uthash-dev
TEST_PKGS = $(HOST_PKGS) netcat-openbsd python3 tmux cppcheck busybox-static \
            iproute2 procps libc6-dev strace mandoc nftables ngircd \
            chromium chromium-driver

deps:
	@sh tests/deps.sh $(HOST_PKGS)

test-deps:
	@sh tests/deps.sh $(TEST_PKGS)

run: deps all
	$(BUILD)/udpchatd -p 8888

# AddressSanitizer + UBSan build of the same sources (glibc, dynamic)
ASAN_MAKE = $(MAKE) BUILD=build/asan CC=gcc STATIC= NOSTRIP=1 MUSL_SPECS= \
	  UTHASH_DIR=$(UTHASH_DIR) \
	  CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all' \
	  LDFLAGS='-fsanitize=address,undefined'
asan:
	$(ASAN_MAKE) all unit

UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_LIB  = $(filter-out $(BUILD)/main.o,$(ALL_OBJS))
$(BUILD)/test_unit: $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(UNIT_LIB)
	$(CC) $(CFLAGS) $(UCHAT_CFLAGS) -Isrc $(LDFLAGS) $(UCHAT_LDFLAGS) -o $@ $(UNIT_SRCS) $(UNIT_LIB)

unit: $(BUILD)/test_unit

# variableScope is off: declarations at the top of a block are house style
# (OpenBSD, dropbear), not a defect.
cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --suppress=variableScope \
	  --std=c11 -D_GNU_SOURCE \
	  -I src src tests/unit tests/fuzz

# the tests run on the binary with every program (ALL_PROGS): the e2e tests of
# udpchatirc need it; make size measures the core build on its own
test: test-deps unit alloccount
	$(MAKE) PROGS="$(ALL_PROGS)" all
	$(MAKE) PROGS="$(ALL_PROGS)" asan fuzz-replay
	sh tests/run.sh

# make test the way a fresh machine runs it: in a fresh minimal Debian root
# (debootstrap) that has only make and git; slow (15-25 min), not part of test
.PHONY: fresh-test
fresh-test:
	sh tests/fresh-root.sh

# install = install-bin + install-man. Relative links (GNU ln -r) are right
# both inside DESTDIR and on the board, whatever BINDIR and SBINDIR are.
# The man pages go in as they are (mdoc, not gzipped: packagers compress);
# install-bin alone is for packages that ship no documentation (OpenWrt).
MANS = $(notdir $(foreach p,$(PROGS),$(wildcard docs/man/$(p).[18])))
MAN1 = $(filter %.1,$(MANS))
MAN8 = $(filter %.8,$(MANS))
install: install-bin install-man

install-man:
	$(if $(MAN1),install -d $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN8),install -d $(DESTDIR)$(MANDIR)/man8)
	$(if $(MAN1),install -m 0644 $(addprefix docs/man/,$(MAN1)) $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN8),install -m 0644 $(addprefix docs/man/,$(MAN8)) $(DESTDIR)$(MANDIR)/man8)

# one line per program held: its link, in its folder
define install_link
	ln -sfr $(DESTDIR)$(BINDIR)/udpchatmulti $(DESTDIR)$($(1)_DIR)/$(1)

endef
install-bin: all
	install -d $(sort $(DESTDIR)$(BINDIR) $(foreach p,$(PROGS),$(DESTDIR)$($(p)_DIR)))
	install -m 0755 $(MULTI) $(DESTDIR)$(BINDIR)/udpchatmulti
	$(foreach p,$(PROGS),$(call install_link,$(p)))

# --- boards: cross builds, root filesystems, tarballs, sizes -------------
# A target is one file, cross/TARGET.mk: its compiler (CROSS_COMPILE,
# MUSL_SPECS), flags, QEMU_USER, and its Debian packages and ELF machine
# (CROSS_DEB_ARCH, CROSS_GCC_PKG, CROSS_ELF_MACHINE), each on a line
# "NAME ?= value" (no comment after it), which cross_var reads for the lists
# below without including the file. Scripts ask make: make -s print-VAR,
# and with TARGET=T for cross/T.mk's own values.
cross_var     = $(strip $(shell sed -n 's/^$(2) *?*= *//p' cross/$(1).mk))
CROSS_TARGETS = $(sort $(patsubst cross/%.mk,%,$(wildcard cross/*.mk)))
CROSS_ARCHES  = $(foreach t,$(CROSS_TARGETS),$(call cross_var,$(t),CROSS_DEB_ARCH))
CROSS_PKGS    = $(HOST_PKGS) tar gzip binutils qemu-user-static \
                $(foreach t,$(CROSS_TARGETS),$(call cross_var,$(t),CROSS_GCC_PKG)) \
                $(patsubst %,musl-dev:%,$(CROSS_ARCHES))
# make rootfs lays the tree into DESTDIR when given, else into a fresh $(BUILD)/rootfs
ROOTFS   = $(if $(DESTDIR),$(DESTDIR),$(BUILD)/rootfs)
DISTDIR ?= build/dist

cross-deps:
	@sh tests/deps.sh $(patsubst %,--arch %,$(CROSS_ARCHES)) $(CROSS_PKGS)

# make -s print-VAR prints VAR (e.g. CROSS_TARGETS; TARGET=T CROSS_ELF_MACHINE)
print-%:
	@:$(info $($*))

cross:
	@for t in $(CROSS_TARGETS); do $(MAKE) TARGET=$$t all || exit 1; done

# binaries + rootfs-overlay, laid out as on the board
rootfs: all
	$(if $(DESTDIR),,rm -rf $(BUILD)/rootfs)
	$(MAKE) TARGET=$(TARGET) BUILD=$(BUILD) DESTDIR=$(abspath $(ROOTFS)) PREFIX=/usr install
	cp -R rootfs-overlay/. $(ROOTFS)/
	chmod 0755 $(ROOTFS)/etc/init.d/S50udpchatd
	chmod 0644 $(ROOTFS)/etc/default/udpchatd
	# for systemd systems (Raspberry Pi OS); BusyBox init ignores it
	install -D -m 0644 board/raspberrypi/systemd/udpchatd.service \
	  $(ROOTFS)/usr/lib/systemd/system/udpchatd.service
	install -m 0644 board/raspberrypi/systemd/udpchatd@.service \
	  $(ROOTFS)/usr/lib/systemd/system/udpchatd@.service
	# udpchatirc's service and units only in a build that holds it
	$(if $(filter udpchatirc,$(PROGS)),chmod 0755 $(ROOTFS)/etc/init.d/S51udpchatirc,\
	  rm -f $(ROOTFS)/etc/init.d/S51udpchatirc $(ROOTFS)/etc/default/udpchatirc)
	$(if $(filter udpchatirc,$(PROGS)),install -m 0644 board/raspberrypi/systemd/udpchatirc.service \
	  board/raspberrypi/systemd/udpchatirc@.service $(ROOTFS)/usr/lib/systemd/system/)
	# udpchatweb's likewise
	$(if $(filter udpchatweb,$(PROGS)),chmod 0755 $(ROOTFS)/etc/init.d/S52udpchatweb,\
	  rm -f $(ROOTFS)/etc/init.d/S52udpchatweb $(ROOTFS)/etc/default/udpchatweb)
	$(if $(filter udpchatweb,$(PROGS)),install -m 0644 board/raspberrypi/systemd/udpchatweb.service \
	  board/raspberrypi/systemd/udpchatweb@.service $(ROOTFS)/usr/lib/systemd/system/)

# One tarball per target, to untar onto a board's root (tar -xzf F -C /).
# Files and links only: no directory entries that would change the modes
# of the board's own /etc or /usr.
dist:
	@mkdir -p $(DISTDIR)
	@for t in $(CROSS_TARGETS); do \
	  $(MAKE) -s TARGET=$$t rootfs >/dev/null || exit 1; \
	  f=$(abspath $(DISTDIR))/udpchat-$(VERSION)-$$t.tar.gz; \
	  (cd build/$$t/rootfs && find . ! -type d | LC_ALL=C sort | \
	   tar --owner=0 --group=0 --numeric-owner --no-recursion -T - -czf "$$f") || exit 1; \
	  echo "$$f"; \
	done

# Per target: bytes of each installed file (stripped, static); the three
# program names are links to udpchatmulti and cost nothing. Then the same
# binary with every program (ALL_PROGS: udpchatirc too), built in
# build/TARGET-full.
size:
	@for t in $(CROSS_TARGETS); do $(MAKE) -s TARGET=$$t rootfs >/dev/null || exit 1; \
	  $(MAKE) -s TARGET=$$t BUILD=build/$$t-full PROGS="$(ALL_PROGS)" all >/dev/null || exit 1; done
	@sh cross/size.sh $(CROSS_TARGETS)
	@FULL="$(ALL_PROGS)" sh cross/size.sh $(CROSS_TARGETS)

# The BR2_EXTERNAL tree (board/raspberrypi) read by a real Buildroot source
# tree: its defconfigs (Debian's kconfig-conf: nothing of Buildroot is
# compiled), printvars, utils/check-package, with no network.
# Buildroot is not in Debian: not part of make test (docs/DEPLOY.md).
.PHONY: buildroot-check
buildroot-check:
	@test -n "$(BUILDROOT)" || { echo "usage: make buildroot-check BUILDROOT=/path/to/buildroot" >&2; exit 2; }
	@mkdir -p build
	@sh tests/board/lib/buildroot-check.sh $(abspath $(BUILDROOT)) | tee build/buildroot-check.log
	@! grep -q '^not ok' build/buildroot-check.log

clean:
	rm -rf build

# --- allocation count (tests/alloc/wrap.c, tests/e2e/test_alloc.py) --------
# The same sources, linked with malloc/calloc/realloc/free and the aligned
# allocators (aligned_alloc, posix_memalign, memalign) wrapped by
# tests/alloc/wrap.c, which writes "allocations N" to $UDPCHAT_ALLOC_LOG when
# the server exits: the e2e suite relays 10 and 10,000 messages and compares.
ALLOC_BUILD = build/alloccount
ALLOC_WRAP  = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
              -Wl,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=memalign \
              -Wl,--wrap=__libc_malloc,--wrap=__libc_calloc,--wrap=__libc_realloc
.PHONY: alloccount
alloccount: $(ALLOC_BUILD)/alloc_wrap.o
	$(MAKE) BUILD=$(ALLOC_BUILD) NOSTRIP=1 UTHASH_DIR=$(UTHASH_DIR) \
	  LDFLAGS='$(LDFLAGS) $(ALLOC_WRAP) $(abspath $(ALLOC_BUILD))/alloc_wrap.o' all

$(ALLOC_BUILD)/alloc_wrap.o: tests/alloc/wrap.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror $(MUSL_SPECS) -c -o $@ tests/alloc/wrap.c
	rm -f $(ALLOC_BUILD)/udpchatmulti

# --- benchmark (bench/run.sh; figures in docs/PERFORMANCE.md) ---------------
# udpchatd side by side with the reference relay (bench/refrelay.c) on
# 127.0.0.1, every load bounded; takes a few minutes. Builds into build/bench.
BENCH_PKGS = $(HOST_PKGS) valgrind procps python3 ngircd
.PHONY: bench
bench:
	@sh tests/deps.sh $(BENCH_PKGS)
	sh bench/run.sh

# --- fuzzing (tests/fuzz; docs/FUZZING.md) ----------------------------------
# One harness per reader of untrusted bytes (tests/fuzz/fuzz_NAME.c). make fuzz
# builds them with clang and libFuzzer (+ ASan, UBSan) into build/fuzz and runs
# each for FUZZ_SECONDS, one after another, from a copy of the committed corpus
# (tests/fuzz/corpus/NAME); it prints one line per harness with its
# executions. make fuzz-replay builds the same harnesses with gcc, ASan and
# UBSan and tests/fuzz/replay.c instead of libFuzzer (build/asan/fuzz_NAME):
# make test replays the corpus with them (suite fuzz-replay), no clang needed.
FUZZ_HARNESSES = server ctl client dns resolvconf lines irc http web
FUZZ_SECONDS  ?= 60
FUZZ_CC       ?= clang-14
FUZZ_PKGS      = $(HOST_PKGS) clang-14 libclang-rt-14-dev libc6-dev
# a harness that includes a program's .c links every object but that one
FUZZ_SKIP_server = server
FUZZ_SKIP_ctl    = server
FUZZ_SKIP_client = client
FUZZ_SKIP_web    = web
FUZZ_MAIN     ?= tests/fuzz/replay.c
FUZZ_SAN       = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_BINS      = $(patsubst %,$(BUILD)/fuzz_%,$(FUZZ_HARNESSES))
.PHONY: fuzz fuzz-build fuzz-replay fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_MAIN) $(ALL_OBJS)
	$(CC) $(CFLAGS) $(UCHAT_CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(FUZZ_MAIN) \
	  $(filter-out $(BUILD)/main.o $(patsubst %,$(BUILD)/%.o,$(FUZZ_SKIP_$*)),$(ALL_OBJS))

fuzz-replay:
	$(ASAN_MAKE) fuzz-bins

fuzz-build:
	@sh tests/deps.sh $(FUZZ_PKGS)
	$(MAKE) BUILD=build/fuzz CC=$(FUZZ_CC) STATIC= NOSTRIP=1 MUSL_SPECS= \
	  UTHASH_DIR=$(UTHASH_DIR) FUZZ_MAIN= WERROR='-Werror -Wno-string-plus-int' \
	  CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN) -fsanitize-coverage-ignorelist=tests/fuzz/nocov.txt' \
	  LDFLAGS='-fsanitize=fuzzer $(FUZZ_SAN)' fuzz-bins

fuzz: fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# --- soak (tests/soak/soak.py; docs/FUZZING.md) -------------------------------
# Everything at once against one udpchatd on 127.0.0.1 for SOAK_MINUTES:
# native clients staying and killed, joins and leaves, garbage, forged joins,
# udpchatctl, server restarts; RSS, fds and members flat, clients back.
SOAK_MINUTES ?= 5
SOAK_PKGS     = $(HOST_PKGS) python3
.PHONY: soak
soak: all
	@sh tests/deps.sh $(SOAK_PKGS)
	python3 tests/soak/soak.py $(BUILD) $(SOAK_MINUTES)

# --- valgrind: the e2e suite under memcheck (glibc build, build/glibc) -------
# Every binary the tests start runs under valgrind (UDPCHAT_WRAP; forked
# children, the admin reader and the client's receiver, stay under it); one
# log per process in build/glibc/vg, empty when clean (-q); any error in any
# log fails. VALGRIND_ARGS: run.py options, e.g. "-k names -j 1".
VALGRIND_PKGS = $(TEST_PKGS) valgrind
VALGRIND_ARGS ?= -j 2
VG_LOGS = $(abspath build/glibc/vg)
.PHONY: valgrind
valgrind:
	@sh tests/deps.sh $(VALGRIND_PKGS)
	$(MAKE) BUILD=build/glibc CC=gcc STATIC= NOSTRIP=1 MUSL_SPECS= UTHASH_DIR=$(UTHASH_DIR) \
	  CFLAGS='-O1 -g -fno-omit-frame-pointer' all
	rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS)
	UDPCHAT_WRAP="valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite --log-file=$(VG_LOGS)/%p.log" \
	  UDPCHAT_TIMEOUT_SCALE=4 python3 tests/e2e/run.py build/glibc $(VALGRIND_ARGS); rc=$$?; \
	  bad=$$(find $(VG_LOGS) -name '*.log' -size +0 | wc -l); \
	  echo "valgrind: $$(ls $(VG_LOGS) | wc -l) processes, $$bad with errors (logs in $(VG_LOGS))"; \
	  test $$rc = 0 && test $$bad = 0

# --- udpchatweb's page on a phone: docs/web-phone.png (README), light and dark --
# Headless chromium at 360x740, with a CJK and an emoji font (without them
# Chinese and emoji show as boxes). Not part of make test.
SHOT_PKGS = $(TEST_PKGS) fonts-wqy-zenhei fonts-noto-color-emoji
.PHONY: web-screenshot
web-screenshot:
	@sh tests/deps.sh $(SHOT_PKGS)
	$(MAKE) PROGS="$(ALL_PROGS)" all
	python3 tests/web-screenshot.py $(BUILD) docs/web-phone.png
	python3 tests/web-screenshot.py $(BUILD) docs/web-phone-dark.png --dark
