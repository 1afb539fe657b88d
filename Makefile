# chg - IT change management as code.
#
#   make            build bin: build/chg, build/chg-lint
#   make check      build and run every test under prove (TAP)
#   make demo       build the example change repository and lint it
#   make fuzz       build the libFuzzer harnesses (tests/fuzz/) with clang
#                   into build-fuzz/ and run each for FUZZ_SECONDS (60)
#   make install    install binaries, hooks, templates, man pages and the
#                   bash and zsh completion (PREFIX, DESTDIR)
#   make deps       install the missing Debian build and test dependencies
#
# Only 'make deps', 'make check' and 'make demo' install packages; 'make'
# checks that the libraries are there and, when one is not, says what to
# install.
#   make clean
#
# Quiet unless V=1.  SANITIZE=address,undefined builds into build-san/ with
# those sanitizers.  The user's CFLAGS and LDFLAGS are left alone; the
# project's own flags live in CHG_CFLAGS.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/chg
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
PKG_CONFIG ?= pkg-config
PROVE ?= prove
CFLAGS ?= -O2 -g
SANITIZE ?=

PKGS = libgit2 yaml-0.1 libpcre2-8 jansson libcrypto icu-i18n icu-uc libical
TEST_PKGS = cmocka

ifeq ($(SANITIZE),)
B = build
else
B = build-san
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARN = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wvla \
       -Wwrite-strings -Wformat=2 -Wno-format-nonliteral -fno-common
ifdef CI
WARN += -Werror
endif

# Checked lazily so that 'make clean' works without the libraries.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

CHG_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	     -MMD -MP -iquote lib -iquote $(B)/gen $(PKG_CFLAGS) $(SAN_FLAGS)
CHG_LDFLAGS = $(SAN_FLAGS)

ifneq ($(V),1)
Q = @
QUIET_CC = @echo '   ' CC $@;
QUIET_LINK = @echo '   ' LINK $@;
QUIET_GEN = @echo '   ' GEN $@;
QUIET_AR = @echo '   ' AR $@;
endif

LIB_SRC = $(wildcard lib/*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/templates.o
CMD_SRC = $(wildcard cmd/*.c)
CMD_OBJ = $(CMD_SRC:%.c=$(B)/%.o)
CMD_COMMON = $(filter-out $(B)/cmd/main-%.o,$(CMD_OBJ))
UNIT_SRC = $(wildcard tests/unit/t-*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
# Programs the shell tests run (not tests themselves).
TEST_HELPERS = $(B)/tests/unit/sshsig-check $(B)/tests/unit/history-check \
	       $(B)/tests/unit/ical-check
TEMPLATES = templates/policy.yaml templates/standard.yaml \
	    templates/normal.yaml templates/emergency.yaml
BINS = $(B)/chg $(B)/chg-lint
SHELL_TESTS = $(sort $(wildcard tests/t[0-9]*.sh))

all: deps-check $(BINS)

.PHONY: all check check-unit check-shell demo install clean deps deps-check fuzz

# Install missing Debian build dependencies (as root or with sudo), or say
# exactly what to install.
deps:
	$(Q)sh .ci/install-deps

# The build only checks for its libraries; the test and demo targets may
# install what is missing, as 'make deps' does.
ifneq ($(filter check check-unit check-shell demo,$(MAKECMDGOALS)),)
DEPS_CHECK = --if-missing
else ifneq ($(filter fuzz,$(MAKECMDGOALS)),)
DEPS_CHECK = --check-fuzz
else
DEPS_CHECK = --check
endif
deps-check:
	$(Q)PKG_CONFIG='$(PKG_CONFIG)' sh .ci/install-deps $(DEPS_CHECK)

$(B)/lib/%.o: lib/%.c | deps-check
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(CHG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c | deps-check
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(CHG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/gen/templates.c: $(TEMPLATES) .ci/embed.sh | deps-check
	@mkdir -p $(dir $@)
	$(QUIET_GEN)sh .ci/embed.sh $(TEMPLATES) > $@+ && mv $@+ $@

$(B)/gen/templates.o: $(B)/gen/templates.c
	$(QUIET_CC)$(CC) $(CHG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libchg.a: $(LIB_OBJ)
	$(QUIET_AR)rm -f $@ && $(AR) rcs $@ $^

$(B)/chg: $(B)/cmd/main-chg.o $(CMD_COMMON) $(B)/libchg.a
	$(QUIET_LINK)$(CC) $(CHG_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/chg-lint: $(B)/cmd/main-chg-lint.o $(CMD_COMMON) $(B)/libchg.a
	$(QUIET_LINK)$(CC) $(CHG_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/tests/unit/%: tests/unit/%.c $(B)/libchg.a
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(CHG_CFLAGS) $(TEST_CFLAGS) $(CPPFLAGS) $(CFLAGS) \
		$(CHG_LDFLAGS) $(LDFLAGS) -o $@ $< $(B)/libchg.a $(TEST_LIBS) $(PKG_LIBS)

# A sanitizer's report must never look like chg-lint's "findings" (1).
SAN_ENV = ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=exitcode=99:print_stacktrace=1

check: all $(UNIT_BIN) $(TEST_HELPERS)
	$(Q)$(SAN_ENV) CHG_BUILD_DIR=$(abspath $(B)) $(PROVE) $(PROVE_OPTS) $(UNIT_BIN) $(SHELL_TESTS)

check-unit: all $(UNIT_BIN)
	$(Q)$(SAN_ENV) CHG_BUILD_DIR=$(abspath $(B)) $(PROVE) $(PROVE_OPTS) $(UNIT_BIN)

check-shell: all $(TEST_HELPERS)
	$(Q)$(SAN_ENV) CHG_BUILD_DIR=$(abspath $(B)) $(PROVE) $(PROVE_OPTS) $(SHELL_TESTS)

# The example's history is dated; the clock is set so that its emergency
# change's review is overdue, as examples/README.md describes.
DEMO_DIR = $(B)/demo
DEMO_NOW = 2026-12-20T12:00:00Z
DEMO_FROM = 2026-12-01
DEMO_TO = 2027-01-31
demo: all
	$(Q)rm -rf $(DEMO_DIR)
	$(Q)CHG_BUILD_DIR=$(abspath $(B)) sh examples/build.sh $(DEMO_DIR) >/dev/null
	@echo '$$ chg-lint -C $(DEMO_DIR) --now $(DEMO_NOW)'
	-$(Q)$(B)/chg-lint -C $(DEMO_DIR) --now $(DEMO_NOW); \
		echo "(chg-lint exited with status $$? - 1 means findings; see examples/README.md)"
	@echo '$$ chg -C $(DEMO_DIR) calendar --now $(DEMO_NOW) --from $(DEMO_FROM) --to $(DEMO_TO) --format ics -o $(DEMO_DIR).ics'
	$(Q)$(B)/chg -C $(DEMO_DIR) calendar --now $(DEMO_NOW) --from $(DEMO_FROM) \
		--to $(DEMO_TO) --format ics -o $(DEMO_DIR).ics
	@echo "(the change calendar of both clients: import or subscribe to $(DEMO_DIR).ics)"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates \
		$(DESTDIR)$(DATADIR)/hooks $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(TEMPLATES) $(DESTDIR)$(DATADIR)/templates
	install -m 755 hooks/pre-commit hooks/commit-msg hooks/pre-merge-commit \
		hooks/pre-push hooks/pre-receive $(DESTDIR)$(DATADIR)/hooks
	for f in doc/*.1; do [ -f "$$f" ] && install -m 644 $$f $(DESTDIR)$(MANDIR)/man1; done; true
	for f in doc/*.5; do [ -f "$$f" ] && install -m 644 $$f $(DESTDIR)$(MANDIR)/man5; done; true
	install -m 644 contrib/completion/chg.bash $(DESTDIR)$(BASHCOMPDIR)/chg
	ln -sf chg $(DESTDIR)$(BASHCOMPDIR)/chg-lint
	install -m 644 contrib/completion/_chg $(DESTDIR)$(ZSHCOMPDIR)/_chg

# Fuzzing: libchg and the harnesses built with clang, libFuzzer and the
# sanitizers into their own directory; each harness runs FUZZ_SECONDS on a
# corpus seeded from the repository's files (tests/fuzz/run.sh), and any
# crash, leak, timeout or sanitizer report fails the target.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FB = build-fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
	      -MMD -MP -iquote lib -iquote $(FB)/gen $(PKG_CFLAGS) -g -O1 \
	      $(FUZZ_SAN)
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FB)/%.o) $(FB)/gen/templates.o
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS = $(FUZZ_SRC:tests/fuzz/%.c=$(FB)/%)

$(FB)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/gen/templates.c: $(TEMPLATES) .ci/embed.sh
	@mkdir -p $(dir $@)
	$(QUIET_GEN)sh .ci/embed.sh $(TEMPLATES) > $@+ && mv $@+ $@

$(FB)/gen/templates.o: $(FB)/gen/templates.c
	$(QUIET_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/libchg.a: $(FUZZ_LIB_OBJ)
	$(QUIET_AR)rm -f $@ && $(AR) rcs $@ $^

$(FB)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/common.h $(FB)/libchg.a
	$(QUIET_LINK)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FB)/libchg.a $(PKG_LIBS)

fuzz: deps-check $(FUZZ_BINS)
	$(Q)sh tests/fuzz/run.sh $(FB) $(FUZZ_SECONDS)

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
