# monfs: CloudWatch and CloudTrail for a host, as a FUSE filesystem.
#
#   make            build build/monfs
#   make run        install what is missing, build, mount at ./mnt (foreground)
#   make test       install what is missing, run unit and end-to-end tests
#   make check-asan the same tests with AddressSanitizer and UBSan
#   make check-tsan the same tests with ThreadSanitizer (data races)
#   make check-headers  every header compiles on its own
#   make check-format   the tree is as make format leaves it (make test counts it)
#   make bench      monfs beside its floors: one table of medians
#   make install    install under $(DESTDIR)$(PREFIX)

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := fuse3 sqlite3 jansson uuid zlib libpq

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# CFLAGS and LDFLAGS are the user's (make CFLAGS=-O0); the project's own
# flags are added to them and cannot be dropped by accident.
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wconversion -Wformat=2
ALL_CFLAGS := -std=gnu11 $(WARN) -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE -I. \
              $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

LIB_SRC   := $(wildcard lib/*.c)
STORE_SRC := $(wildcard store/*.c)
FS_SRC    := $(wildcard fs/*.c)
UNIT_SRC  := $(wildcard tests/unit/*.c)
HEADERS   := $(wildcard fs/*.h store/*.h lib/*.h)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
STORE_OBJ := $(STORE_SRC:%.c=$(BUILD)/%.o)
FS_OBJ    := $(FS_SRC:%.c=$(BUILD)/%.o)
# The fs/ modules unit tests link: the line joiner and view parsing are
# pure (handle.c's free reaches render.c, which reaches view.c), none of
# them calls libfuse.
FS_UNIT_OBJ := $(addprefix $(BUILD)/fs/,handle.o render.o render_group.o view.o)
UNIT_BIN  := $(UNIT_SRC:%.c=$(BUILD)/%)
# The unit tests of the store and of fs/ link everything below fs/; the
# others test lib/ and link lib/ alone (no sqlite, no FUSE), which keeps
# lib/ pure.
STORE_UNIT := alarms alarm_rules backlog buses checkpoint dashboards dimensions faults filters handle logs memo rules space store view tree trail trail_insights_store
STORE_UNIT_BIN := $(addprefix $(BUILD)/tests/unit/test_,$(STORE_UNIT))
# What the store's unit tests share (a store in a directory of its own).
TEST_SUPPORT_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/support/*.c))
LIB_UNIT_BIN := $(filter-out $(STORE_UNIT_BIN),$(UNIT_BIN))
LIB_LIBS  := $(shell pkg-config --libs jansson 2>/dev/null) -lm
# The trail archive (lib/trail_archive.h) gzips with zlib and signs with
# OpenSSL's libcrypto: the daemon and lib/'s tests link both.
ARCHIVE_LIBS := $(shell pkg-config --libs libcrypto zlib 2>/dev/null)
LDLIBS    += $(ARCHIVE_LIBS)
LIB_LIBS  += $(ARCHIVE_LIBS)
# Its delivery is tested on a store, with the store's tests.
STORE_UNIT_BIN += $(BUILD)/tests/unit/test_trail_archive_store
LIB_UNIT_BIN := $(filter-out $(STORE_UNIT_BIN),$(UNIT_BIN))
HEADER_OBJ := $(HEADERS:%.h=$(BUILD)/headers/%.o)

.PHONY: all run test test-deps unit e2e check-asan check-tsan check-valgrind \
	check-headers check-format stress fuzz install clean format deps bench \
	bench-tools

all: $(BUILD)/monfs

$(BUILD)/monfs: $(FS_OBJ) $(STORE_OBJ) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(STORE_UNIT_BIN): $(BUILD)/tests/unit/%: tests/unit/%.c $(STORE_OBJ) \
		$(FS_UNIT_OBJ) $(LIB_OBJ) $(TEST_SUPPORT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcriterion

$(LIB_UNIT_BIN): $(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIB_LIBS) -lcriterion

# Every header compiles on its own: a one-line unit that includes it
# alone, with the project's flags (so a header that leans on what its
# includer happened to include first fails here, not in a new caller).
$(BUILD)/headers/%.o: %.h
	@mkdir -p $(dir $@)
	@printf '#include "%s"\n' $< >$(@:.o=.c)
	$(CC) $(ALL_CFLAGS) -c -o $@ $(@:.o=.c)

check-headers: $(HEADER_OBJ)

deps:
	@scripts/install-deps

# The tests also drive a browser (dashboards' pages) and xmllint.
test-deps:
	@scripts/install-deps --test

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-mount ./mnt ./monfs.db

unit: $(UNIT_BIN)

# The failing disk that tests/e2e/faults.bats preloads into the daemon;
# built plain whatever CFLAGS (no sanitizer inside another's process).
FAULT_SHIM := $(BUILD)/tests/fault/failio.so

$(FAULT_SHIM): tests/fault/failio.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -g -fPIC -shared -o $@ $< -ldl

# make test also runs the metrics suite with the daemon under valgrind;
# make check-valgrind runs every suite that way (slow: about 10x).
VALGRIND_FILES ?= tests/e2e/metrics.bats

test: test-deps
	@$(MAKE) --no-print-directory all unit check-headers $(FAULT_SHIM)
	@MONFS_VALGRIND_FILES="$(VALGRIND_FILES)" tests/run-all $(BUILD)

check-valgrind: test-deps
	@$(MAKE) --no-print-directory all unit $(FAULT_SHIM)
	@MONFS_VALGRIND_FILES="$(wildcard tests/e2e/*.bats)" tests/run-all $(BUILD)

# The fault-finding runs that take long: many daemon kills, and the
# parsers under libFuzzer (clang). SECONDS per fuzz target.
STRESS_KILLS ?= 200
FUZZ_SECONDS ?= 300

stress: all
	@scripts/crash-loop -n $(STRESS_KILLS) -b $(BUILD)/monfs

fuzz:
	@tests/fuzz/run $(FUZZ_SECONDS)

# Benchmark drivers and floors (tests/bench), built -O2 whatever CFLAGS.
BENCH_TOOLS := $(addprefix $(BUILD)/bench/,bgen bwrite bread floorfs sqlfloor)

$(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu11 $(WARN) -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE \
	    $(PKG_CFLAGS) -o $@ $< $(LDLIBS)

bench-tools: $(BENCH_TOOLS)

bench:
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all bench-tools
	@tests/bench/run $(BUILD)

# MONFS_DEBUG turns on the asserts that check a whole structure's
# invariants (a sketch's bins after every change): too slow for a release
# build, cheap beside a sanitizer.
check-asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
	    CFLAGS="-O1 -g -DMONFS_DEBUG -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" all unit \
	    build-asan/tests/fault/failio.so
	@MONFS_ASAN=1 tests/run-all build-asan

# ThreadSanitizer: the FUSE workers, the sweeper, the alarm evaluator and
# the checkpointer share state. Each report of the daemon is a failure;
# tests/tsan.supp lists the reports we judged false, each with its
# reason. The unit tests are not run: Criterion's boxfort cannot map its
# arena beside TSan's shadow memory. TSan needs a narrow address-space layout: on
# kernels with many bits of mmap randomness it dies with "unexpected
# memory mapping", so the run goes under setarch -R (no ASLR, inherited by
# bats and every daemon it starts). TSAN_FILES picks the e2e files.
TSAN_FILES ?= $(wildcard tests/e2e/*.bats)

check-tsan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-tsan CC=clang \
	    CFLAGS="-O1 -g -DMONFS_DEBUG -fsanitize=thread -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=thread" all check-headers \
	    build-tsan/tests/fault/failio.so
	@MONFS_TSAN=1 MONFS_E2E_FILES="$(TSAN_FILES)" \
	    setarch $$(uname -m) -R tests/run-all build-tsan

# systemd looks in $(PREFIX)/lib/systemd/system for /usr/local and /usr.
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSCONFDIR)/monfs
	install -m 0755 $(BUILD)/monfs $(DESTDIR)$(PREFIX)/bin/monfs
	install -m 0755 scripts/monfs-agent $(DESTDIR)$(PREFIX)/bin/monfs-agent
	install -m 0644 man/monfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/monfs.1
	for unit in monfs.service monfs-agent.service; do \
	    sed 's|@PREFIX@|$(PREFIX)|g' scripts/systemd/$$unit \
	        >$(DESTDIR)$(SYSTEMDDIR)/$$unit; \
	    chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$unit; \
	done
	install -m 0644 scripts/agent.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/monfs/agent.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/monfs/agent.conf || \
	    install -m 0644 scripts/agent.conf.example \
	        $(DESTDIR)$(SYSCONFDIR)/monfs/agent.conf

# The C sources clang-format keeps (.clang-format): make format applies
# it, make check-format (part of make test) fails on any drift.
FORMAT_SRC = $(wildcard fs/*.[ch] store/*.[ch] lib/*.[ch] tests/unit/*.c \
	tests/support/*.[ch] \
	tests/fault/*.c tests/bench/*.c tests/fuzz/*.c)

format:
	clang-format -i $(FORMAT_SRC)

check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRC) || { \
	    echo "check-format: the files above differ from clang-format; run make format"; \
	    exit 1; }

clean:
	rm -rf build build-asan build-tsan build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
