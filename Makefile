# warroom — build, test, bench, deps, demo, install.
# `make deps` installs what is missing; `make test` and `make demo` run it first,
# so a fresh Debian machine needs nothing but these two commands.

PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
PKGS     := ncursesw libcurl libcjson sqlite3 yaml-0.1 libcrypto libmicrohttpd
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# Debian packages: building, testing (tmux, sshd, valgrind, a headless browser), fuzzing (clang's runtime), benchmarks.
DEB_BUILD := pkg-config libncurses-dev libcurl4-openssl-dev libcjson-dev \
             libsqlite3-dev libyaml-dev libssl-dev libmicrohttpd-dev
DEB_TEST  := libcmocka-dev tmux openssh-server openssh-client curl sqlite3 python3 jq procps chromium valgrind
DEB_FUZZ  := clang libclang-rt-14-dev
DEB_BENCH := python3-yaml hyperfine htop valgrind

# Deferred (=) so pkg-config runs only after `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lm -pthread
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wno-format-nonliteral
BASEFLAGS  = -std=c11 -D_GNU_SOURCE -pthread -Iinclude $(WARN) $(PKG_CFLAGS) \
             -DWARROOM_VERSION='"$(VERSION)"' -MMD -MP
CFLAGS    ?= -O2 -g
SANFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC   := $(sort $(wildcard src/core/*.c src/io/*.c src/io/*/*.c src/tui/*.c src/sim/*.c src/cli/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard tests/bench/*.c))

OBJ       := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
ASAN_OBJ  := $(LIB_SRC:%.c=$(BUILD)/asan/%.o)
FUZZ_OBJ  := $(LIB_SRC:%.c=$(BUILD)/fuzzobj/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/replay/%)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps deps-fuzz deps-bench test check unit e2e fuzz bench demo install clean
all: $(BUILD)/warroom

# ---- dependencies -----------------------------------------------------------
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef
deps:
	$(call install_missing,$(DEB_BUILD) $(DEB_TEST))
deps-fuzz:
	$(call install_missing,$(DEB_FUZZ))
deps-bench:
	$(call install_missing,$(DEB_BENCH) $(DEB_FUZZ))

# ---- the binary ---------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -c $< -o $@
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SANFLAGS) -c $< -o $@
$(BUILD)/libwarroom.a: $(OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/libwarroom-asan.a: $(ASAN_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/warroom: $(BUILD)/obj/src/main.o $(BUILD)/libwarroom.a
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/warroom-asan: $(BUILD)/asan/src/main.o $(BUILD)/libwarroom-asan.a
	$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- tests ----------------------------------------------------------------------
# Unit tests are built and run under AddressSanitizer + UndefinedBehaviorSanitizer.
$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libwarroom-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SANFLAGS) -o $@ $< $(BUILD)/libwarroom-asan.a $(PKG_LIBS) $(shell pkg-config --libs cmocka)

test: deps
	@$(MAKE) --no-print-directory check

# Every fuzz target is also built with $(CC) under ASan + UBSan around a plain
# main that replays its corpus, so `make test` needs no clang.
$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libwarroom-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(SANFLAGS) -o $@ $< tests/fuzz/replay.c $(BUILD)/libwarroom-asan.a $(PKG_LIBS)

check: $(BUILD)/warroom $(BUILD)/warroom-asan $(UNIT_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) tests/run-all.sh

unit: $(UNIT_BIN) $(REPLAY_BIN)
	@BUILD=$(BUILD) tests/run-all.sh unit
e2e: $(BUILD)/warroom $(BUILD)/warroom-asan
	@BUILD=$(BUILD) tests/run-all.sh e2e

# ---- fuzzing (libFuzzer) --------------------------------------------------------------
FUZZ_CC    := clang
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASEFLAGS) $(FUZZ_FLAGS) -c $< -o $@
$(BUILD)/libwarroom-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@; ar rcs $@ $^
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libwarroom-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASEFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ $< $(BUILD)/libwarroom-fuzz.a $(PKG_LIBS)
fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@echo "fuzz targets: $(FUZZ_BIN)"
	@echo "run one: $(BUILD)/fuzz/fuzz_plan -max_total_time=60 tests/fuzz/corpus/plan"

# ---- benchmarks (figures to docs/benchmarks.md) ------------------------------------------
$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libwarroom.a
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O2 -g -o $@ $< $(BUILD)/libwarroom.a $(PKG_LIBS)
bench: deps deps-bench
	@$(MAKE) --no-print-directory $(BUILD)/warroom $(BENCH_BIN)
	@BUILD=$(BUILD) tests/bench/run.sh

# ---- demo -------------------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/warroom
	@BUILD=$(BUILD) scripts/demo.sh

# ---- install ------------------------------------------------------------------------
install: $(BUILD)/warroom
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	           $(DESTDIR)$(PREFIX)/share/warroom/themes $(DESTDIR)$(PREFIX)/share/warroom/plans
	install -m 0755 $(BUILD)/warroom $(DESTDIR)$(PREFIX)/bin/warroom
	install -m 0644 docs/warroom.1 $(DESTDIR)$(PREFIX)/share/man/man1/warroom.1
	install -m 0644 themes/*.yaml $(DESTDIR)$(PREFIX)/share/warroom/themes/
	cp -R plans/. $(DESTDIR)$(PREFIX)/share/warroom/plans/

clean:
	rm -rf build build-* $(BUILD)

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) $(BUILD)/obj/src/main.d $(BUILD)/asan/src/main.d
