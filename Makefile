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
# libxlsxwriter: teleqctl's --format xlsx (src/xlsx_report.c); linked into teleqctl only.
XLSX_CFLAGS = $(shell pkg-config --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS   = $(shell pkg-config --libs xlsxwriter 2>/dev/null)
# libevent_openssl + OpenSSL: the https webhook (src/webhook.c: TLS with
# certificate and host-name verification, through a CONNECT proxy too).
# Linked into what can send alerts (teleqd; teleqctl's alerts --test) and
# the tests; the other tools do not pull webhook.o out of libteleq.a.
TLS_CFLAGS  = $(shell pkg-config --cflags libevent_openssl openssl 2>/dev/null)
TLS_LIBS    = $(shell pkg-config --libs libevent_openssl openssl 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
          -Wmissing-prototypes -Wformat=2 -Wvla -Wundef -Wcast-align \
          -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude -Ibuild $(PKG_CFLAGS) $(XLSX_CFLAGS) $(TLS_CFLAGS)
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
# Test tools the integration scripts run (tests/integration/killat.c).
ITEST_TOOLS = $(BUILD)/tests/killat
TOOL_SRCS  = $(wildcard tools/*.c)
TOOL_BINS  = $(TOOL_SRCS:tools/%.c=$(BUILD)/%)

PROGS = $(BUILD)/teleqd $(BUILD)/teleqctl

.PHONY: all check unit integration demo bench deps install uninstall man-lint clean torture
all: $(PROGS) $(TOOL_BINS)

# Generated headers are kept (not intermediate): otherwise make deletes them
# after each build and every later make rebuilds every object.
.SECONDARY: $(LUA_HDRS)

build/%.lua.h: src/%.lua tools/embed.sh
	@mkdir -p build
	sh tools/embed.sh $< > $@

# -MMD -MP: each object (and each test program) also writes the headers it
# included into a .d file read below, so a header change rebuilds exactly
# what includes it. The generated Lua headers are made first (order-only).
$(BUILD)/%.o: src/%.c | $(LUA_HDRS)
	@mkdir -p $(BUILD)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)

$(BUILD)/libteleq.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/teleqd: $(BUILD)/teleqd.o $(BUILD)/libteleq.a
	$(CC) $(LDFLAGS) -o $@ $^ $(TLS_LIBS) $(LDLIBS)

$(BUILD)/teleqctl: $(BUILD)/teleqctl.o $(BUILD)/libteleq.a
	$(CC) $(LDFLAGS) -o $@ $^ $(XLSX_LIBS) $(TLS_LIBS) $(LDLIBS)

# The .d files of programs built in one step make their headers prerequisites
# too: $(filter-out %.h,$^) keeps them off the command line.
$(BUILD)/%: tools/%.c $(BUILD)/libteleq.a
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libteleq.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -MMD -MP -Wno-missing-prototypes $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(TLS_LIBS) $(LDLIBS)

$(BUILD)/tests/itest_%: tests/integration/itest_%.c $(BUILD)/libteleq.a
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) -MMD -MP -Wno-missing-prototypes $(LDFLAGS) -o $@ $(filter-out %.h,$^) $(CMOCKA_LIBS) $(TLS_LIBS) $(LDLIBS)

$(BUILD)/tests/killat: tests/integration/killat.c
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ -lhiredis

# every binary runs, one PASS/FAIL line each and a summary; fails at the end if any failed
unit: $(UNIT_BINS)
	@sh tests/unit/run.sh $(UNIT_BINS)

# Integration tests start a private redis-server in a temp dir and run the real binaries.
integration: all $(ITEST_BINS) $(ITEST_TOOLS)
	@BUILD=$(BUILD) sh tests/integration/run.sh

check: unit integration

# Memory checking. `make check VALGRIND=1` (or `make integration VALGRIND=1`)
# runs every teleqd and teleqctl the integration tests start, and each itest
# program, under valgrind memcheck (tests/integration/lib.sh and run.sh,
# suppressions in tests/valgrind.supp): any error or leak fails the test and
# shows the log; time limits grow (TQ_SLOW) and timing-only checks are
# skipped. The normal build (-O2 -g) is checked, not the sanitizer one.
# `make valgrind-quick` runs VALGRIND_QUICK only, the subset CI runs. t_webhook_tls
# (OpenSSL's paths, 52 s under valgrind) is left to the SAN build's ASan and LeakSanitizer
# in CI, to keep .ci/run under 30 minutes; `make valgrind-quick VALGRIND_QUICK=t_webhook_tls`.
VALGRIND_QUICK ?= t_config t_check t_badinput t_live t_reload t_rotation t_redis_restart t_status \
                  t_security t_http t_dashboard t_sdnotify t_alerts t_notify itest_store
export VALGRIND
ifeq ($(SAN),1)
ifneq ($(filter 1,$(VALGRIND))$(filter valgrind-quick,$(MAKECMDGOALS)),)
$(error valgrind checks the normal build: drop SAN=1 (ASan and valgrind do not mix))
endif
endif
.PHONY: valgrind-quick
valgrind-quick: all $(ITEST_BINS) $(ITEST_TOOLS)
	@BUILD=$(BUILD) VALGRIND=1 sh tests/integration/run.sh $(VALGRIND_QUICK)

# Every header compiles alone, and twice (its include guard): each one
# includes what its own declarations need, so a .c file includes just the
# headers it uses and -MMD rebuilds only what a header change reaches.
# include/*.h are the module headers (core.h: shared limits and the
# conventions), src/*.h the private ones. Part of `make lint`.
HDRCHECK_HDRS = $(wildcard include/*.h src/*.h)
hdrcheck: $(LUA_HDRS)
	@st=0; for h in $(HDRCHECK_HDRS); do b=$${h##*/}; \
	  printf '#include "%s"\n#include "%s"\n' $$b $$b | \
	  $(CC) -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude -Isrc -Ibuild $(PKG_CFLAGS) \
	      -fsyntax-only -xc - || { echo "$$h: does not compile alone"; st=1; }; \
	done; [ $$st -eq 0 ] && echo "hdrcheck: $(words $(HDRCHECK_HDRS)) headers compile alone"; exit $$st

# Static analysis of src/*.c: cppcheck, then clang-tidy with the checks of
# .clang-tidy, in parallel. Prints nothing but findings; exit 1 on any.
# cppcheck's global suppressions, one reason each:
#   variableScope: declarations at the top of a block are this code's style;
#     narrowing their scope would change no behaviour (~60 places);
#   readdirCalled: it wants readdir_r, which glibc deprecates; readdir is
#     safe per directory stream, and teleqd has one thread.
# Anything else is fixed, or suppressed inline with the reason
# (/* cppcheck-suppress id ; why */, /* NOLINT(check): why */).
CPPCHECK   ?= cppcheck
CLANG_TIDY ?= clang-tidy
LINT_JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
.PHONY: lint layers hdrcheck
# No module calls up: the layers README.md draws, against the objects' symbols.
layers: all
	python3 tools/layers.py --self-test
	python3 tools/layers.py $(BUILD)

lint: hdrcheck $(LUA_HDRS) layers
	$(CPPCHECK) -q --std=c11 --library=posix -D_GNU_SOURCE -Iinclude -Ibuild \
	    --enable=warning,style,performance,portability --inline-suppr --error-exitcode=1 \
	    --suppress=variableScope --suppress=readdirCalled \
	    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' src/*.c
	@echo "$(CLANG_TIDY) src/*.c ($(LINT_JOBS) at a time)"
	@mkdir -p build; st=0; \
	ls src/*.c | xargs -P $(LINT_JOBS) -I{} $(CLANG_TIDY) --quiet {} -- \
	    -std=c11 -D_GNU_SOURCE -Iinclude -Ibuild $(PKG_CFLAGS) >build/clang-tidy.log 2>&1 || st=1; \
	grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$$' build/clang-tidy.log || :; \
	exit $$st

# Installs what is missing on Debian 12 (apt-get; uses sudo when not root).
deps:
	sh tools/deps.sh

# Builds and runs the main job on an embedded default: private redis-server on a unix
# socket under ./run, sample feeds, the daemon following them live, the indicator table.
demo: all
	BUILD=$(BUILD) sh tools/demo.sh

bench: all
	BUILD=$(BUILD) sh bench/run.sh

# The parse and map path alone (bench/parse-bench.c): ns per record of
# map_record for the shipped config's JSONL and CSV feeds, generated in
# memory; no files, no Redis. `make bench-parse PARSE_BENCH_N=2000000`;
# `make bench-parse PARSE_BENCH_FEED=jsonl` (or csv) for one feed.
.PHONY: bench-parse
PARSE_BENCH_FEED ?= all
$(BUILD)/parse-bench: bench/parse-bench.c $(BUILD)/libteleq.a build/teleqd.yaml.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/parse-bench.c $(BUILD)/libteleq.a $(LDLIBS)

bench-parse: $(BUILD)/parse-bench
	$(BUILD)/parse-bench $(PARSE_BENCH_FEED)

# The long fault-injection run: the t_faults_* scripts, t_kill9 and t_model with TORTURE=1
# (60 + 50 kills, long Redis stalls, 30 s of logrotate under load); prints the
# figures. Logs in build/torture. `make torture SAN=1` runs it on the sanitizer build.
torture: all $(ITEST_TOOLS)
	@BUILD=$(BUILD) sh tests/torture/run.sh

# Install layout. Every path gets DESTDIR in front (staging, packaging).
# The unit is generated from systemd/teleqd.service.in so that its ExecStart=
# names $(SBINDIR) and its config $(SYSCONFDIR): `make install PREFIX=/usr`
# for a package, the default /usr/local for a hand install.
# `make install BUILD=DIR` installs the teleqd and teleqctl already built in
# DIR (e.g. build/san) and builds nothing; plain `make install` builds first.
SYSUSERSDIR ?= /usr/lib/sysusers.d
DOCDIR      ?= $(PREFIX)/share/doc/teleqd
# bash-completion looks in $XDG_DATA_DIRS (/usr/local/share too) for completions/teleqctl.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MANPAGES     = man/teleqd.8 man/teleqctl.1 man/teleqd.yaml.5
LOGROTATE_EXAMPLES = conf/logrotate/teleq-create conf/logrotate/teleq-copytruncate
SYSTEMD_EXAMPLES   = systemd/postfix.conf
# DEDUP_KEY=1: create $(SYSCONFDIR)/teleqd/dedup.key (dedup.secret_file of the
# shipped config) when absent: 32 random bytes as 64 hex digits, root:teleqd
# 0640 when installing as root and the group teleqd exists (as root without
# DESTDIR, install runs systemd-sysusers first, so it does), otherwise 0600
# owned by the installer, with a line saying what to run. Never overwritten,
# never removed by uninstall: a new key hashes every id differently, so lines
# already counted would be counted again. Packages build with DEDUP_KEY=0 and
# create the key on the target (one key per installation, not per package).
DEDUP_KEY   ?= 1
SUBST_PATHS  = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
                   -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

install: $(if $(filter command line,$(origin BUILD)),,all)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/teleqd \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/examples/logrotate $(DESTDIR)$(DOCDIR)/examples/systemd \
	    $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/teleqd $(DESTDIR)$(SBINDIR)/teleqd
	install -m 755 $(BUILD)/teleqctl $(DESTDIR)$(BINDIR)/teleqctl
	install -m 644 conf/teleqd.yaml $(DESTDIR)$(SYSCONFDIR)/teleqd/teleqd.yaml.example
	$(SUBST_PATHS) systemd/teleqd.service.in >$(DESTDIR)$(UNITDIR)/teleqd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/teleqd.service
	install -m 644 systemd/teleqd.sysusers $(DESTDIR)$(SYSUSERSDIR)/teleqd.conf
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
	  echo "systemd-sysusers $(SYSUSERSDIR)/teleqd.conf"; \
	  systemd-sysusers $(SYSUSERSDIR)/teleqd.conf; fi
ifeq ($(DEDUP_KEY),1)
	@k=$(DESTDIR)$(SYSCONFDIR)/teleqd/dedup.key; \
	if [ -e "$$k" ] || [ -L "$$k" ]; then echo "$$k exists: kept"; else \
	  rm -f "$$k.new"; \
	  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$$k.new") || exit 1; \
	  if [ "$$(id -u)" = 0 ] && getent group teleqd >/dev/null && \
	     chown root:teleqd "$$k.new" && chmod 640 "$$k.new"; then \
	    how="root:teleqd 0640"; \
	  else \
	    how="$$(id -un) 0600; no group teleqd here or not root: on the target run chown root:teleqd $(SYSCONFDIR)/teleqd/dedup.key && chmod 0640 $(SYSCONFDIR)/teleqd/dedup.key"; \
	  fi; \
	  mv -n "$$k.new" "$$k" && echo "created $$k ($$how)"; \
	fi
endif
	install -m 644 man/teleqctl.1 $(DESTDIR)$(MANDIR)/man1/teleqctl.1
	install -m 644 man/teleqd.yaml.5 $(DESTDIR)$(MANDIR)/man5/teleqd.yaml.5
	install -m 644 man/teleqd.8 $(DESTDIR)$(MANDIR)/man8/teleqd.8
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 644 $(LOGROTATE_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/logrotate/
	install -m 644 $(SYSTEMD_EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/systemd/
	install -m 644 conf/bash-completion/teleqctl $(DESTDIR)$(BASHCOMPDIR)/teleqctl

# Removes exactly what install put, and teleqd's own directories when empty
# (an /etc/teleqd holding the real teleqd.yaml stays).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/teleqd $(DESTDIR)$(BINDIR)/teleqctl \
	      $(DESTDIR)$(SYSCONFDIR)/teleqd/teleqd.yaml.example \
	      $(DESTDIR)$(UNITDIR)/teleqd.service $(DESTDIR)$(SYSUSERSDIR)/teleqd.conf \
	      $(DESTDIR)$(MANDIR)/man1/teleqctl.1 $(DESTDIR)$(MANDIR)/man5/teleqd.yaml.5 \
	      $(DESTDIR)$(MANDIR)/man8/teleqd.8 $(DESTDIR)$(DOCDIR)/README.md \
	      $(LOGROTATE_EXAMPLES:conf/logrotate/%=$(DESTDIR)$(DOCDIR)/examples/logrotate/%) \
	      $(SYSTEMD_EXAMPLES:systemd/%=$(DESTDIR)$(DOCDIR)/examples/systemd/%) \
	      $(DESTDIR)$(BASHCOMPDIR)/teleqctl
	for d in $(DESTDIR)$(DOCDIR)/examples/logrotate $(DESTDIR)$(DOCDIR)/examples/systemd \
	         $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/teleqd; do \
	  if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || :; fi; done

# The Debian package: `make deb` builds build/deb/teleqd_<version>_<arch>.deb
# with the ordinary tools (debian/, debhelper compat 13; dpkg-buildpackage
# -us -uc -b) from a copy of the tree in build/deb/teleqd-<version>, because
# dpkg-buildpackage writes its results into the parent directory; then
# lintian, which must report no error. The version is debian/changelog's,
# which must equal TQ_VERSION. `make deb-check` (root, CI) installs the
# package into this system, runs it, and purges it: tests/integration/t_deb.sh.
DEB_VERSION = $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
DEB_ARCH    = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_JOBS   ?= $(shell nproc 2>/dev/null || echo 1)
DEB_FILE    = build/deb/teleqd_$(DEB_VERSION)_$(DEB_ARCH).deb
.PHONY: deb deb-check
deb:
	@v=$$(sed -n 's/^#define TQ_VERSION *"\(.*\)"/\1/p' include/core.h); \
	[ "$$v" = "$(DEB_VERSION)" ] || { echo "debian/changelog: version $(DEB_VERSION), include/core.h: $$v"; exit 1; }
	rm -rf build/deb && mkdir -p build/deb/teleqd-$(DEB_VERSION)
	tar -cf - --exclude=./build --exclude=./.git --exclude='./run' . | tar -xf - -C build/deb/teleqd-$(DEB_VERSION)
	cd build/deb/teleqd-$(DEB_VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    dpkg-buildpackage -us -uc -b $(if $(DEB_JOBS),-j$(DEB_JOBS)) >../build.log 2>&1 || \
	    { tail -n 40 ../build.log; exit 1; }
	rm -rf build/deb/teleqd-$(DEB_VERSION)
	lintian --fail-on error --info $(DEB_FILE) build/deb/teleqd_$(DEB_VERSION)_$(DEB_ARCH).buildinfo \
	    build/deb/teleqd_$(DEB_VERSION)_$(DEB_ARCH).changes
	@echo "built $(DEB_FILE)"

deb-check: all
	@[ "$$(id -u)" = 0 ] || { echo "deb-check installs a package into this system: run it as root (CI)"; exit 1; }
	BUILD=$(BUILD) TQ_DEB_CHECK=1 sh tests/integration/run.sh t_deb

# Lints the man pages: groff in warning mode must print nothing.
man-lint:
	@st=0; for m in $(MANPAGES); do \
	  out=$$(LC_ALL=C groff -man -ww -z $$m 2>&1); \
	  if [ -n "$$out" ]; then echo "$$m:"; echo "$$out"; st=1; fi; done; \
	  [ $$st -eq 0 ] && echo "man pages: no warnings"; exit $$st

clean:
	rm -rf build

# Fuzzing (tests/fuzz/README.md). `make fuzz` builds the libFuzzer harnesses
# tests/fuzz/fuzz_*.c with clang, ASan and UBSan in build/fuzz and runs each for
# FUZZ_SECONDS (`make fuzz FUZZ_SECONDS=3600` is the long run; `-j2` runs two at
# once) on a copy of its seed corpus, failing on any crash, broken invariant,
# leak or timeout. `make fuzz-regress`, part of `make unit`, replays every seed
# and every past crash (tests/fuzz/regress/) through each harness with a plain
# driver built by $(CC), so the harnesses build without clang and fixed bugs stay fixed.
.PHONY: fuzz fuzz-regress
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE $(filter-out -Werror,$(WARN)) -Wno-format-nonliteral -g -O1 \
                -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
                -Iinclude -Ibuild $(PKG_CFLAGS)
FUZZ_OBJS     = $(LIB_SRCS:src/%.c=build/fuzz/obj/%.o)
FUZZ_MAXLEN_config = 32768
FUZZ_MAXLEN_time   = 128

build/teleqd.yaml.h: conf/teleqd.yaml tests/fuzz/embed-conf.sh
	@mkdir -p build
	sh tests/fuzz/embed-conf.sh conf/teleqd.yaml > $@

build/fuzz/obj/%.o: src/%.c $(wildcard include/*.h src/*.h) $(LUA_HDRS)
	@mkdir -p build/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libteleq.a: $(FUZZ_OBJS)
	$(AR) rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build/fuzz/libteleq.a build/teleqd.yaml.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libteleq.a $(LDLIBS)

fuzz-run-%: build/fuzz/fuzz_%
	@sh tests/fuzz/run.sh $* $(FUZZ_SECONDS) $(or $(FUZZ_MAXLEN_$*),4096)

# The binaries are named here so that make keeps them (for replaying a crash).
fuzz: $(FUZZ_NAMES:%=build/fuzz/fuzz_%) $(FUZZ_NAMES:%=fuzz-run-%)
	@echo "fuzz: $(words $(FUZZ_NAMES)) harnesses, $(FUZZ_SECONDS) s each: no crash, leak or timeout"

$(BUILD)/fuzz/regress_%: tests/fuzz/driver.c tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/libteleq.a build/teleqd.yaml.h
	@mkdir -p $(BUILD)/fuzz
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/driver.c tests/fuzz/fuzz_$*.c $(BUILD)/libteleq.a $(LDLIBS)

fuzz-regress: $(FUZZ_NAMES:%=$(BUILD)/fuzz/regress_%)
	@set -e; for h in $(FUZZ_NAMES); do \
	  $(BUILD)/fuzz/regress_$$h tests/fuzz/corpus/$$h tests/fuzz/regress/$$h; done

unit: fuzz-regress
