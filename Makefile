# coyeu — GNU make + pkg-config.  `make help` lists the targets.

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
SAN     ?=
PKGS     = libsodium libcrypto sqlite3 libpq icu-uc icu-i18n
# The programs' own: the daemon serves HTTP and JSON (and pushes its
# checkpoints to its parent witness through libcurl), the command line is
# its HTTP client.
SERVER_PKGS = libmicrohttpd jansson libcurl
CLIENT_PKGS = libcurl jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SERVER_CFLAGS := $(shell pkg-config --cflags $(SERVER_PKGS) 2>/dev/null)
SERVER_LIBS   := $(shell pkg-config --libs $(SERVER_PKGS) 2>/dev/null)
CLIENT_CFLAGS := $(shell pkg-config --cflags $(CLIENT_PKGS) 2>/dev/null)
CLIENT_LIBS   := $(shell pkg-config --libs $(CLIENT_PKGS) 2>/dev/null)

# One version, kept in the public header.
VERSION := $(shell sed -n 's/^\#define CY_VERSION_STRING "\(.*\)"/\1/p' include/coyeu/version.h)
WARN     = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
CSTD     = -std=c11 -D_GNU_SOURCE
OPT     ?= -O2 -g
ifeq ($(SAN),1)
OPT      = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
# The library exports only what its public headers mark CY_API; the
# command line sees only those headers (no -Ilib), as any program would.
CFLAGS_ALL  = $(CSTD) $(OPT) $(WARN) -fPIC -Iinclude -Ilib $(PKG_CFLAGS) $(CFLAGS)
CFLAGS_LIB  = $(CFLAGS_ALL) -fvisibility=hidden
CFLAGS_CLI  = $(CSTD) $(OPT) $(WARN) -Iinclude -I. $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)
LIBS_ALL    = $(PKG_LIBS) -lpthread $(LIBS)
# Tests also read zlib-compressed test vectors.
TEST_LIBS  := $(shell pkg-config --libs cmocka zlib 2>/dev/null)

# lib/ is layered by folder (docs/architecture.md, scripts/check-layers.sh).
LIB_SRC  = $(wildcard lib/*/*.c)
CLI_SRC  = $(wildcard cli/*.c)
# Helpers the command line and the daemon share; built into each, not into
# libcoyeu (nothing here is exported).
COMMON_SRC = $(wildcard common/*.c)
SERVER_SRC = $(wildcard server/*.c)
TEST_SRC = $(wildcard tests/unit/test_*.c)
FUZZ_SRC = $(wildcard fuzz/fuzz_*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o) $(COMMON_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ = $(SERVER_SRC:%.c=$(BUILD)/%.o) $(COMMON_SRC:%.c=$(BUILD)/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Programs that see only the public headers, as any user of libcoyeu.
EXAMPLES = $(BUILD)/tests/seal_example
FUZZERS  = $(FUZZ_SRC:fuzz/%.c=build-fuzz/%)

.PHONY: all deps demo check test api-check unit cli-test server-test server-test-pg asan fuzz fuzz-check bench \
        clean install help
all: $(BUILD)/libcoyeu.a $(BUILD)/libcoyeu.so $(BUILD)/coyeu $(BUILD)/coyeud \
     $(BUILD)/coyeu.pc

help:
	@echo "make          build libcoyeu (static, shared, coyeu.pc) and coyeu"
	@echo "make deps     install missing Debian packages (apt-get), test-only npm packages into $(BUILD)/node"
	@echo "make demo     deps, build, run the end-to-end scenario"
	@echo "make check    deps, build, unit, command-line and server tests (SQLite, PostgreSQL), ASan+UBSan, fuzz"
	@echo "make fuzz     run every libFuzzer harness (FUZZ_SECONDS=$(FUZZ_SECONDS))"
	@echo "make bench    benchmarks against age, gpg and openssl speed"

deps:
	@sh scripts/deps.sh $(BUILD)

$(BUILD)/lib/%.o: lib/%.c $(wildcard include/coyeu/*.h lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_LIB) -c -o $@ $<

$(BUILD)/cli/%.o: cli/%.c $(wildcard include/coyeu/*.h cli/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) $(CLIENT_CFLAGS) -c -o $@ $<

$(BUILD)/server/%.o: server/%.c $(wildcard include/coyeu/*.h server/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) $(SERVER_CFLAGS) -c -o $@ $<

$(BUILD)/common/%.o: common/%.c $(wildcard include/coyeu/*.h common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) -c -o $@ $<

$(BUILD)/libcoyeu.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libcoyeu.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libcoyeu.so.0 $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(BUILD)/coyeu: $(CLI_OBJ) $(BUILD)/libcoyeu.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(CLI_OBJ) $(BUILD)/libcoyeu.a $(LIBS_ALL) \
	    $(CLIENT_LIBS)

$(BUILD)/coyeud: $(SERVER_OBJ) $(BUILD)/libcoyeu.a
	$(CC) $(LDFLAGS_ALL) -o $@ $(SERVER_OBJ) $(BUILD)/libcoyeu.a $(LIBS_ALL) \
	    $(SERVER_LIBS)

$(BUILD)/coyeu.pc: coyeu.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcoyeu.a tests/unit/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcoyeu.a \
	    $(LIBS_ALL) $(TEST_LIBS)

$(BUILD)/tests/seal_example: tests/example/seal_example.c $(BUILD)/libcoyeu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcoyeu.a $(LIBS_ALL)

# The load generator for coyeud (make bench, tests/server/reliability.sh):
# a program of libcoyeu's public headers only, as any client would be.
$(BUILD)/load: bench/load.c $(BUILD)/libcoyeu.a
	$(CC) $(CFLAGS_CLI) $(LDFLAGS_ALL) -o $@ $< $(BUILD)/libcoyeu.a $(LIBS_ALL)

# bench/inventory.sh's filler: the registry's own record code
# (server/items.c) writing straight into a store.
$(BUILD)/inventory_fill: bench/inventory_fill.c $(BUILD)/server/items.o \
    $(BUILD)/libcoyeu.a
	$(CC) $(CFLAGS_CLI) $(SERVER_CFLAGS) -Iserver $(LDFLAGS_ALL) -o $@ $< \
	    $(BUILD)/server/items.o $(BUILD)/libcoyeu.a $(LIBS_ALL) $(SERVER_LIBS)

# Under a throwaway PostgreSQL (COYEU_PG_DSN): the store tests run on both drivers.
unit: $(TESTS) $(EXAMPLES)
	@sh tests/with-pg.sh sh tests/run-unit.sh $(BUILD) $(TESTS) $(EXAMPLES)

cli-test: all
	@sh tests/run-cli.sh $(BUILD)

# The writer's group commit, in process, beside the HTTP tests.
SERVER_CORE_OBJ = $(addprefix $(BUILD)/server/,writer.o metrics.o log.o) \
                  $(COMMON_SRC:%.c=$(BUILD)/%.o)
$(BUILD)/tests/writer_test: tests/server/writer_test.c $(SERVER_CORE_OBJ) \
    $(BUILD)/libcoyeu.a server/coyeud.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) $(SERVER_CFLAGS) -Iserver $(LDFLAGS_ALL) -o $@ $< \
	    $(SERVER_CORE_OBJ) $(BUILD)/libcoyeu.a $(LIBS_ALL) $(SERVER_LIBS)

# A coyeu whose sealing skips the policy (tests/server/forge_policy.c):
# the attacker's client of tests/server/exchange.sh.
$(BUILD)/tests/coyeu_forge: tests/server/forge_policy.c $(CLI_OBJ) \
    $(BUILD)/libcoyeu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CLI) $(LDFLAGS_ALL) -Wl,--allow-multiple-definition \
	    -o $@ $< $(CLI_OBJ) $(BUILD)/libcoyeu.a $(LIBS_ALL) $(CLIENT_LIBS)

server-test: all $(BUILD)/tests/writer_test $(BUILD)/load \
    $(BUILD)/tests/coyeu_forge
	@sh tests/run-server.sh $(BUILD)

# The HTTP tests whose outcome depends on the store, again with coyeud on a
# throwaway PostgreSQL cluster (reliability.sh and cluster.sh run on it by
# themselves; the others test HTTP, TLS, config or the client, the same on
# either).  PG_SCRIPTS= (empty) runs every one.
PG_SCRIPTS ?= basics append auth client_coyeud witness exchange release shred \
    copies registers reseal inventory stocktake items_cli
server-test-pg: all $(BUILD)/tests/writer_test $(BUILD)/load \
    $(BUILD)/tests/coyeu_forge
	@sh tests/with-pg.sh env SERVER_STORE=postgres sh tests/run-server.sh \
	    $(BUILD) $(PG_SCRIPTS)

# The exported symbols are exactly the public headers' CY_API declarations.
api-check: $(BUILD)/libcoyeu.so
	@sh scripts/check-api.sh $(BUILD)/libcoyeu.so
	@sh scripts/check-layers.sh

test: api-check unit cli-test server-test server-test-pg

# The unit tests, and the server tests that exercise most of coyeud and
# the client (the load and reliability scripts are left out: their
# figures and timings mean nothing under ASan), with ASan+UBSan; a leak at
# coyeud's exit fails its test (LeakSanitizer changes the exit status).
ASAN_SERVER_SCRIPTS = basics auth append witness client_coyeud register writer \
    exchange release shred copies registers items_cli
asan:
	$(MAKE) BUILD=build-asan SAN=1 unit
	$(MAKE) BUILD=build-asan SAN=1 all build-asan/tests/writer_test build-asan/load \
	    build-asan/tests/coyeu_forge
	@sh tests/run-server.sh build-asan $(ASAN_SERVER_SCRIPTS)

# libFuzzer harnesses: the library rebuilt with clang and the fuzzer hooks.
FUZZ_CFLAGS = $(CSTD) -O1 -g $(WARN) -Iinclude -Ilib $(PKG_CFLAGS) \
              -fsanitize=fuzzer-no-link,address,undefined
build-fuzz/lib/%.o: lib/%.c $(wildcard include/coyeu/*.h lib/*/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<
.SECONDARY:
build-fuzz/%: fuzz/%.c $(LIB_SRC:%.c=build-fuzz/%.o)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lpthread \
	    $(FUZZ_LIBS_EXTRA)
# Harnesses of the daemon's parsers that need its JSON library.
build-fuzz/fuzz_bodies: FUZZ_LIBS_EXTRA = $(SERVER_LIBS)

FUZZ_SECONDS ?= 30
# make check runs each harness shorter: 26 harnesses, two at a time, keep it
# under its 30-minute budget (make fuzz for the longer run).
CHECK_FUZZ_SECONDS ?= 20
fuzz: $(FUZZERS)
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

check: deps
	$(MAKE) all
	$(MAKE) test
	$(MAKE) asan
	$(MAKE) fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)

demo: deps
	$(MAKE) all
	@sh scripts/demo.sh $(BUILD)/coyeu

bench: all $(BUILD)/load $(BUILD)/inventory_fill
	@sh bench/run.sh $(BUILD)/coyeu

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/coyeu
	install -m 755 $(BUILD)/coyeu $(DESTDIR)$(PREFIX)/bin/
	install -m 755 $(BUILD)/coyeud $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(BUILD)/libcoyeu.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libcoyeu.so $(DESTDIR)$(PREFIX)/lib/libcoyeu.so.0
	ln -sf libcoyeu.so.0 $(DESTDIR)$(PREFIX)/lib/libcoyeu.so
	install -m 644 include/coyeu/*.h $(DESTDIR)$(PREFIX)/include/coyeu/
	install -m 644 $(BUILD)/coyeu.pc $(DESTDIR)$(PREFIX)/lib/pkgconfig/

clean:
	rm -rf build build-asan build-fuzz
