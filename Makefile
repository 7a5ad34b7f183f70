# airproof build. Every module folder's .c files go into one static library;
# the three programs link it. Tests and benchmarks are found by name, so a new
# module, test or benchmark needs no edit here.
#
#   make            build the programs into build/
#   make check      install what is missing (as root), build, run every test,
#                   then again under ASan+UBSan
#   make demo       set up and run a demo station in ./demo-station
#   make bench      benchmarks against peer tools -> bench/RESULTS.md
#   make stress     long loops (kill -9 playout, fault-injecting uplink)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

CC      ?= cc
B       ?= build
PKGS    := ao sndfile soxr libebur128 libconfig sqlite3 libsodium \
           libcrypto jansson libcurl libmicrohttpd libsystemd

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wpointer-arith -Wundef -Wwrite-strings \
           -Wimplicit-fallthrough -Wcast-qual -Wnull-dereference \
           -Wno-format-truncation
OPT     ?= -O2 -g
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined
ifeq ($(SAN),1)
OPT     := $(SAN_FLAGS)
LDFLAGS += -fsanitize=address,undefined
endif
CPPFLAGS += -I. -D_GNU_SOURCE -DAP_VERSION=\"0.1.0\"
CFLAGS  += -std=c17 $(WARN) $(OPT) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
LDFLAGS += -Wl,--as-needed

MODULES := common config media scheduler playout proof store sync hub
LIB_SRC := $(sort $(foreach m,$(MODULES),$(wildcard $(m)/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
LIB     := $(B)/libairproof.a

CLI_SRC := $(filter-out cli/airproof-hub.c cli/hubcmd_%.c,$(wildcard cli/*.c))
HUB_SRC := cli/airproof-hub.c $(wildcard cli/hubcmd_*.c)
D_SRC   := $(wildcard daemon/*.c)
PROGS   := $(B)/airproof $(B)/airproof-hub $(B)/airproofd

TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
TSUP_SRC  := $(wildcard tests/unit/support/*.c)
TSUP_OBJ  := $(TSUP_SRC:%.c=$(B)/%.o)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

.PHONY: all deps check check-plain format format-check demo bench \
        stress valgrind install clean
all: $(PROGS)

deps:
	@sh scripts/deps.sh --all

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/airproof: $(CLI_SRC:%.c=$(B)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/airproof-hub: $(HUB_SRC:%.c=$(B)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/airproofd: $(D_SRC:%.c=$(B)/%.o) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/tests/unit/%.o $(TSUP_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
$(B)/tools/%: $(B)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(B)/bench/%: $(B)/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(PROGS) $(TEST_BIN) $(TOOL_BIN)

# The README's test command. Plain build first, then the same suite built
# with ASan+UBSan; the unit tests also run under valgrind; one summary line
# at the end.
check: deps format-check
	$(MAKE) --no-print-directory tests
	$(MAKE) --no-print-directory B=build/asan SAN=1 tests
	$(MAKE) --no-print-directory valgrind
	@sh tests/run.sh build build/asan

check-plain: $(PROGS) $(TEST_BIN)
	@sh tests/run.sh $(B)

# Every unit test under valgrind's memcheck.
valgrind: $(TEST_BIN)
	@fail=0; for t in $(TEST_BIN); do \
	  valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	    $$t >/dev/null 2>$(B)/valgrind.log || { echo "valgrind: $$t"; cat $(B)/valgrind.log; fail=1; }; \
	done; [ $$fail -eq 0 ] && echo "valgrind: all unit tests clean"

format:
	clang-format -i $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')
format-check:
	@clang-format --dry-run -Werror $$(git ls-files --cached --others --exclude-standard '*.c' '*.h') \
	  || { echo "clang-format: run 'make format'" >&2; exit 1; }

demo: deps all
	@sh scripts/demo.sh $(B)

bench: deps all $(BENCH_BIN)
	@sh bench/run.sh $(B)

stress: deps all
	@STRESS=1 sh tests/run.sh $(B)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/airproof $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 755 $(B)/airproof $(B)/airproof-hub $(DESTDIR)$(BINDIR)/
	install -m 755 $(B)/airproofd $(DESTDIR)$(SBINDIR)/
	install -m 644 config/airproof.cfg.example config/airproof-hub.cfg.example \
	  $(DESTDIR)$(SYSCONFDIR)/airproof/
	install -m 644 docs/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/*.8 $(DESTDIR)$(MANDIR)/man8/
	for f in systemd/*.service systemd/*.timer; do [ -e "$$f" ] && \
	  install -m 644 "$$f" $(DESTDIR)$(UNITDIR)/; done; true
	[ ! -e systemd/airproof.sysusers ] || install -m 644 \
	  systemd/airproof.sysusers $(DESTDIR)$(SYSUSERSDIR)/airproof.conf
	[ ! -e systemd/airproof.tmpfiles ] || install -m 644 \
	  systemd/airproof.tmpfiles $(DESTDIR)$(TMPFILESDIR)/airproof.conf

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
