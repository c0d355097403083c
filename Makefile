# mediagate: plain Makefile. `make` builds, `make run` starts the stack,
# `make test` runs every test, `make bench` measures. See README.md.

CC	?= cc
PKGS	 = fcgi json-c libmariadb libjwt libcurl libpcre2-8 libsodium gdlib openssl
CFLAGS	?= -O2 -g
# `override`: CFLAGS=... on the command line replaces only the optimisation
# and sanitizer part, never the warnings and include paths.
override CFLAGS	+= -std=c11 -D_GNU_SOURCE -W -Wall -Wextra -Wmissing-prototypes \
	   -Wstrict-prototypes -Wwrite-strings -Wpointer-arith -Wshadow \
	   -Wno-unused-parameter -Wno-missing-field-initializers -Werror -MMD -MP \
	   -Imodules/common -Ifcgi -Idb -Imodules/core -Imodules/dialects \
	   -Imodules/auth -Imodules/wallet -Imodules/generation -Imodules/catalog -Itests/lib
PKG_CFLAGS := $(shell pkg-config --cflags $(filter-out fcgi,$(PKGS)) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out fcgi,$(PKGS)) 2>/dev/null) -lfcgi -lm
override CFLAGS	+= $(PKG_CFLAGS)
LDLIBS	+= $(PKG_LIBS)

-include Makefile.local

B	 = build
# Library code: everything under fcgi/, db/ and modules/ except program mains.
LIB_SRC	 = $(wildcard modules/common/*.c) $(wildcard fcgi/*.c) $(wildcard db/*.c) \
	   $(wildcard modules/core/*.c) $(wildcard modules/dialects/*.c) \
	   $(wildcard modules/auth/*.c) $(wildcard modules/wallet/*.c) \
	   $(wildcard modules/generation/*.c) $(wildcard modules/catalog/*.c)
LIB_SRC	:= $(filter-out %_main.c,$(LIB_SRC))
LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/%.o)
MAINS	 = $(B)/bin/mediagate-worker $(B)/bin/mgctl $(B)/bin/mediagate-dispatch
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
IT_SRC	 = $(wildcard tests/integration/it_*.c) $(wildcard tests/integration/rl_*.c)
IT_BIN	 = $(IT_SRC:tests/integration/%.c=$(B)/tests/%)
TLIB_SRC = $(wildcard tests/lib/*.c)
TLIB_OBJ = $(TLIB_SRC:%.c=$(B)/%.o)

all: $(MAINS) $(UNIT_BIN) $(IT_BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/lib/libmg.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/bin/mediagate-worker: $(B)/modules/core/worker_main.o $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bin/mgctl: $(B)/tools/mgctl_main.o $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bin/mediagate-dispatch: $(B)/tools/dispatch_main.o $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(TLIB_OBJ) $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit

$(B)/tests/it_%: $(B)/tests/integration/it_%.o $(TLIB_OBJ) $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit

$(B)/tests/rl_%: $(B)/tests/integration/rl_%.o $(TLIB_OBJ) $(B)/lib/libmg.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit

# Every test: unit, integration (own stack on free ports), node. Ends with
# "N passed, N failed".
test: all
	@tests/all.sh

unit: $(UNIT_BIN)
	@tests/run.sh unit $(UNIT_BIN)

clean:
	rm -rf $(B)

.PHONY: all unit test clean
# Keep object files of test programs (no rebuild on every make).
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Local stack, dependencies, benchmarks (tools/stack.sh, tools/install-deps.sh,
# tools/bench/). `make run` starts MariaDB + worker pools + nginx under var/
# and prints a demo key; `make stop` stops them; `make bench` measures.

deps:
	tools/install-deps.sh

run: deps all
	tools/stack.sh start
	tools/stack.sh demo

stop:
	tools/stack.sh stop

# The benchmark floor: a bare libfcgi responder (tools/bench/bare_fcgi.c).
$(B)/bin/bare_fcgi: $(B)/tools/bench/bare_fcgi.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# MariaDB CPU per money operation, without HTTP (tools/bench/ledger_cost.c).
$(B)/bin/ledger_cost: $(B)/tools/bench/ledger_cost.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

bench: all $(B)/bin/bare_fcgi $(B)/bin/ledger_cost
	tools/bench/run.sh

.PHONY: deps run stop bench

# ---------------------------------------------------------------------------
# Quality targets (see ../shared/reference/c-style.md item 13).
#   make check     unit suites built with AddressSanitizer + UBSan
#   make valgrind  unit suites under valgrind (leaks are errors)
#   make fuzz      libFuzzer harnesses (clang), FUZZ_SECONDS each (default 20)
#   make lint      cppcheck over the C sources
FUZZ_SECONDS ?= 20
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)

check:
	$(MAKE) B=build-asan CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" build-asan/lib/libmg.a \
	    $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)
	ASAN_OPTIONS=detect_leaks=1 tests/run.sh check $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)

valgrind: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do \
	    valgrind -q --error-exitcode=99 --leak-check=full $$t > /dev/null || exit 1; \
	    echo "valgrind clean: $$t"; done

fuzz:
	$(MAKE) B=build-fuzz CC=clang \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build-fuzz/lib/libmg.a
	@mkdir -p build-fuzz/bin build-fuzz/corpus
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    clang -fsanitize=fuzzer,address,undefined $(CFLAGS) -O1 -Wno-error $$f \
	        build-fuzz/lib/libmg.a $(LDLIBS) -o build-fuzz/bin/$$n || exit 1; \
	    mkdir -p build-fuzz/corpus/$$n; \
	    build-fuzz/bin/$$n -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$$n || exit 1; \
	done

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --suppress=missingIncludeSystem --suppress=unknownMacro \
	    -Imodules/common -Ifcgi -Idb \
	    fcgi db modules tools

.PHONY: check valgrind fuzz lint
