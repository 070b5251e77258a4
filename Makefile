# teleqd — plain Makefile. `make`, `make check`, `make demo`, `make bench`, `make install`.
# Dependencies are found with pkg-config; `make deps` installs them on Debian 12.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
DESTDIR    ?=

CC         ?= cc
PKGS        = libevent hiredis yaml-0.1 libsystemd
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wcast-align \
          -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -Ibuild $(PKG_CFLAGS)
LDLIBS  = $(PKG_LIBS) -lm

# `make SAN=1 ...` builds everything with AddressSanitizer and UBSan.
ifeq ($(SAN),1)
ALL_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=address,undefined
BUILD       = build/san
else
BUILD       = build/rel
endif

# Programs have their own main; everything else goes into one static library.
MAINS    = src/teleqd.c src/teleqctl.c
LIB_SRCS = $(filter-out $(MAINS),$(wildcard src/*.c))
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
LUA_HDRS = $(patsubst src/%.lua,build/%.lua.h,$(wildcard src/*.lua))
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
ITEST_SRCS = $(wildcard tests/integration/itest_*.c)
ITEST_BINS = $(ITEST_SRCS:tests/integration/%.c=$(BUILD)/tests/%)
TOOL_SRCS  = $(wildcard tools/*.c)
TOOL_BINS  = $(TOOL_SRCS:tools/%.c=$(BUILD)/%)

PROGS = $(BUILD)/teleqd $(BUILD)/teleqctl

.PHONY: all check unit integration demo bench deps install uninstall man-lint clean torture
all: $(PROGS) $(TOOL_BINS)

build/%.lua.h: src/%.lua tools/embed.sh
	@mkdir -p build
	sh tools/embed.sh $< > $@

$(BUILD)/%.o: src/%.c include/teleqd.h $(wildcard include/*.h src/*.h) $(LUA_HDRS)
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libteleq.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/teleqd: $(BUILD)/teleqd.o $(BUILD)/libteleq.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/teleqctl: $(BUILD)/teleqctl.o $(BUILD)/libteleq.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: tools/%.c $(BUILD)/libteleq.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libteleq.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

$(BUILD)/tests/itest_%: tests/integration/itest_%.c $(BUILD)/libteleq.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# Integration tests start a private redis-server in a temp dir and run the real binaries.
integration: all $(ITEST_BINS)
	@BUILD=$(BUILD) sh tests/integration/run.sh

check: unit integration

# Installs what is missing on Debian 12 (apt-get; uses sudo when not root).
deps:
	sh tools/deps.sh

# Builds and runs the main job on an embedded default: private redis-server on a unix
# socket under ./run, sample feeds, the daemon following them live, the indicator table.
demo: all
	BUILD=$(BUILD) sh tools/demo.sh

bench: all
	BUILD=$(BUILD) sh bench/run.sh

# Install layout. Every path gets DESTDIR in front (staging, packaging).
# The unit is generated from systemd/teleqd.service.in so that its ExecStart=
# names $(SBINDIR) and its config $(SYSCONFDIR): `make install PREFIX=/usr`
# for a package, the default /usr/local for a hand install.
# `make install BUILD=DIR` installs the teleqd and teleqctl already built in
# DIR (e.g. build/san) and builds nothing; plain `make install` builds first.
SYSUSERSDIR ?= /usr/lib/sysusers.d
DOCDIR      ?= $(PREFIX)/share/doc/teleqd
MANPAGES     = man/teleqd.8 man/teleqctl.1 man/teleqd.yaml.5
LOGROTATE_EXAMPLES = conf/logrotate/teleq-create conf/logrotate/teleq-copytruncate
SYSTEMD_EXAMPLES   = systemd/postfix.conf
SUBST_PATHS  = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
                   -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

install: $(if $(filter command line,$(origin BUILD)),,all)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/teleqd \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/examples/logrotate $(DESTDIR)$(DOCDIR)/examples/systemd
	install -m 755 $(BUILD)/teleqd $(DESTDIR)$(SBINDIR)/teleqd
	install -m 755 $(BUILD)/teleqctl $(DESTDIR)$(BINDIR)/teleqctl
	install -m 644 conf/teleqd.yaml $(DESTDIR)$(SYSCONFDIR)/teleqd/teleqd.yaml.example
	$(SUBST_PATHS) systemd/teleqd.service.in >$(DESTDIR)$(UNITDIR)/teleqd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/teleqd.service
	install -m 644 systemd/teleqd.sysusers $(DESTDIR)$(SYSUSERSDIR)/teleqd.conf
	install -m 644 man/teleqctl.1 $(DESTDIR)$(MANDIR)/man1/teleqctl.1
	install -m 644 man/teleqd.yaml.5 $(DESTDIR)$(MANDIR)/man5/teleqd.yaml.5
	install -m 644 man/teleqd.8 $(DESTDIR)$(MANDIR)/man8/teleqd.8
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 $(LOGROTATE_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/logrotate/
	install -m 644 $(SYSTEMD_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/systemd/

# Removes exactly what install put, and teleqd's own directories when empty
# (an /etc/teleqd holding the real teleqd.yaml stays).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/teleqd $(DESTDIR)$(BINDIR)/teleqctl \
	      $(DESTDIR)$(SYSCONFDIR)/teleqd/teleqd.yaml.example \
	      $(DESTDIR)$(UNITDIR)/teleqd.service $(DESTDIR)$(SYSUSERSDIR)/teleqd.conf \
	      $(DESTDIR)$(MANDIR)/man1/teleqctl.1 $(DESTDIR)$(MANDIR)/man5/teleqd.yaml.5 \
	      $(DESTDIR)$(MANDIR)/man8/teleqd.8 $(DESTDIR)$(DOCDIR)/README.md \
	      $(LOGROTATE_EXAMPLES:conf/logrotate/%=$(DESTDIR)$(DOCDIR)/examples/logrotate/%) \
	      $(SYSTEMD_EXAMPLES:systemd/%=$(DESTDIR)$(DOCDIR)/examples/systemd/%)
	for d in $(DESTDIR)$(DOCDIR)/examples/logrotate $(DESTDIR)$(DOCDIR)/examples/systemd \
	         $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/teleqd; do \
	  if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || :; fi; done

# Lints the man pages: groff in warning mode must print nothing.
man-lint:
	@st=0; for m in $(MANPAGES); do \
	  out=$$(LC_ALL=C groff -man -ww -z $$m 2>&1); \
	  if [ -n "$$out" ]; then echo "$$m:"; echo "$$out"; st=1; fi; done; \
	  [ $$st -eq 0 ] && echo "man pages: no warnings"; exit $$st

clean:
	rm -rf build
