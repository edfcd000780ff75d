# llmpipe - small C filters for streaming LLM APIs
.SUFFIXES:

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
DATADIR ?= $(PREFIX)/share/llmpipe
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
WERROR  ?= -Werror
CPPFLAGS_ALL = -D_GNU_SOURCE -Ilib -DLLMPIPE_DATADIR='"$(DATADIR)"' $(PCRE2_CFLAGS) $(CPPFLAGS)
CFLAGS_ALL   = $(WARN) $(WERROR) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL  = $(LDFLAGS) $(EXTRA_CFLAGS)

# Debian 12's libjq (jq 1.6) ships no pkg-config file: link -ljq directly.
JQ_LIBS   = -ljq
CURL_LIBS = $$(pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
MHD_LIBS  = $$(pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
# llm-request watches for TLS close_notify through OpenSSL (libcurl's TLS)
SSL_LIBS  = $$(pkg-config --libs libssl 2>/dev/null || echo -lssl)
# PCRE2 (8-bit, with its JIT) runs the tokenizers' pre-tokenizer patterns.
PCRE2_CFLAGS = $$(pkg-config --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS   = $$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)

BUILD   ?= build
TOOLS    = sse-decode delta-join llm-request llm-mock stream-metrics llm-tokens
CMDS     = $(wildcard $(TOOLS:%=cmd/%.c))
BINS     = $(CMDS:cmd/%.c=$(BUILD)/bin/%)
LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(LIB_SRC:lib/%.c=$(BUILD)/lib/%.o)
LIB_A    = $(BUILD)/libllmpipe.a
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
MANS     = $(wildcard man/*.1 man/*.7)
# the tokenizers' rank files (share/*.tiktoken, from scripts/gen-ranks)
# and their binary form (*.ranks, made by build/mkranks: loads in one
# mmap), found at run time in ../share/llmpipe beside the binary
DATA     = share/o200k_base.tiktoken share/cl100k_base.tiktoken
DATA_BUILD = $(DATA:share/%=$(BUILD)/share/llmpipe/%) \
	$(DATA:share/%.tiktoken=$(BUILD)/share/llmpipe/%.ranks)

all: $(BINS) $(UNIT_BIN) $(DATA_BUILD)

$(BUILD)/share/llmpipe/%.tiktoken: share/%.tiktoken
	@mkdir -p $(BUILD)/share/llmpipe
	cp -f $< $@
$(BUILD)/share/llmpipe/%.ranks: share/%.tiktoken $(BUILD)/mkranks
	@mkdir -p $(BUILD)/share/llmpipe
	$(BUILD)/mkranks $< $@
$(BUILD)/mkranks: scripts/mkranks.c $(LIB_A) lib/*.h
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $< $(LDFLAGS_ALL) $(LIB_A)

$(BUILD)/.deps-ok:
	@mkdir -p $(BUILD)
	@printf '#include <jq.h>\n#include <jv.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "llmpipe: jq.h/jv.h not found: install libjq-dev (scripts/install-deps)" >&2; exit 1; }
	@printf '#include <curl/curl.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "llmpipe: curl/curl.h not found: install libcurl4-openssl-dev (scripts/install-deps)" >&2; exit 1; }
	@printf '#include <openssl/ssl.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "llmpipe: openssl/ssl.h not found: install libssl-dev (scripts/install-deps)" >&2; exit 1; }
	@printf '#include <stdint.h>\n#include <sys/socket.h>\n#include <microhttpd.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "llmpipe: microhttpd.h not found: install libmicrohttpd-dev (scripts/install-deps)" >&2; exit 1; }
	@printf '#define PCRE2_CODE_UNIT_WIDTH 8\n#include <pcre2.h>\n' | $(CC) $(CPPFLAGS) -E -x c - >/dev/null 2>&1 || \
	  { echo "llmpipe: pcre2.h not found: install libpcre2-dev (scripts/install-deps)" >&2; exit 1; }
	@touch $@

$(BUILD)/lib/%.o: lib/%.c lib/*.h $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/lib
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/bin/%: cmd/%.c $(LIB_A) lib/*.h
	@mkdir -p $(BUILD)/bin
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $< $(LDFLAGS_ALL) $(LIB_A) $(LIBS_$*) $(JQ_LIBS) -lm

LIBS_llm-request = $(CURL_LIBS) $(SSL_LIBS)
LIBS_llm-mock    = $(MHD_LIBS) $(CURL_LIBS) -lpthread
LIBS_llm-tokens  = $(PCRE2_LIBS)
LIBS_stream-metrics = $(PCRE2_LIBS) -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(LIB_A) lib/*.h tests/unit/*.h
	@mkdir -p $(BUILD)/tests
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -o $@ $< $(LDFLAGS_ALL) $(LIB_A) $(PCRE2_LIBS) $(JQ_LIBS) -lm

# ASan + UBSan build in build/san; `make check SAN=1` tests it.
sanitize:
	$(MAKE) BUILD=build/san EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" CFLAGS="-O1 -g" all

# Each test file is killed (with the processes it started) after
# TEST_TIMEOUT seconds: a hang fails that file by name instead of holding
# the whole run until CI's own limit ends it with no summary.
TEST_TIMEOUT ?= 1200
check: all
	@if [ -n "$(SAN)" ]; then $(MAKE) sanitize; fi
	LLMPIPE_BUILD=$(if $(SAN),build/san,$(BUILD)) VALGRIND=$(VALGRIND) \
	    prove -j2 --timer -e 'timeout -k 20 $(TEST_TIMEOUT) bash' tests/*.t

install: $(BINS) $(DATA_BUILD)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for b in $(BINS); do cp -f $$b $(DESTDIR)$(BINDIR)/ && chmod 755 $(DESTDIR)$(BINDIR)/$${b##*/}; done
	for m in $(MANS); do s=$${m##*.}; cp -f $$m $(DESTDIR)$(MANDIR)/man$$s/ && chmod 644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	mkdir -p $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for t in $(TOOLS); do cp -f completions/llmpipe.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; chmod 644 $(DESTDIR)$(BASHCOMPDIR)/$$t; done
	cp -f completions/_llmpipe $(DESTDIR)$(ZSHCOMPDIR)/_llmpipe && chmod 644 $(DESTDIR)$(ZSHCOMPDIR)/_llmpipe
	mkdir -p $(DESTDIR)$(DATADIR)
	for d in $(DATA_BUILD); do cp -f $$d $(DESTDIR)$(DATADIR)/ && chmod 644 $(DESTDIR)$(DATADIR)/$${d##*/}; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1; done
	rm -f $(DESTDIR)$(MANDIR)/man7/llmpipe.7 $(DESTDIR)$(ZSHCOMPDIR)/_llmpipe
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BASHCOMPDIR)/$$t; done
	for d in $(DATA_BUILD); do rm -f $(DESTDIR)$(DATADIR)/$${d##*/}; done
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

# libFuzzer targets (clang): `make fuzz FUZZ_TIME=30` runs each for that
# many seconds from seeds in tests/fixtures; crashes go to tests/fuzz/crashes.
FUZZ_TIME ?= 60
FUZZ_SRC   = $(wildcard tests/fuzz/*.c)
FUZZ_BIN   = $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1
FUZZ_OBJ  = $(LIB_SRC:lib/%.c=build/fuzz/lib/%.o)
build/fuzz/lib/%.o: lib/%.c lib/*.h
	@mkdir -p build/fuzz/lib
	clang $(CPPFLAGS_ALL) -std=c11 -Wall -Wextra -Werror -fsanitize=fuzzer-no-link,address,undefined -g -O1 -c -o $@ $<
build/fuzz/libllmpipe.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $(FUZZ_OBJ)
build/fuzz/%: tests/fuzz/%.c build/fuzz/libllmpipe.a lib/*.h
	clang $(CPPFLAGS_ALL) -std=c11 -Wall -Wextra -Werror $(FUZZ_FLAGS) -o $@ $< build/fuzz/libllmpipe.a $(PCRE2_LIBS) $(JQ_LIBS) -lm
fuzz: $(FUZZ_BIN) $(DATA_BUILD)
	scripts/fuzz $(FUZZ_TIME)

# Mutation score (issue 22): `make mutate SEED=42 N=150` builds N mutants
# of lib/ and cmd/ in a scratch copy and runs the tests that cover each
# (tests/mutate/map); report in build/mutate/report.txt.
SEED ?=
N    ?= 150
JOBS ?= 1
mutate: all
	scripts/mutate $(if $(SEED),--seed $(SEED)) -n $(N) -j $(JOBS)

# Side by side with the peers (scripts/bench); results go in doc/performance.md.
bench: all
	scripts/bench

# The README's two commands on a fresh Debian machine.
deps:
	scripts/install-deps

demo:
	scripts/install-deps --build-only
	$(MAKE) all
	scripts/demo

test:
	scripts/install-deps
	$(MAKE) check

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

clean:
	rm -rf build

#
.PHONY: mutate bench fuzz all sanitize check install uninstall clean lint-man deps demo test

# Release tarball DISTDIR/llmpipe-VERSION.tar.gz of the committed tree (git archive HEAD).
VERSION = $(shell sed -n 's/.*LLMPIPE_VERSION "\(.*\)".*/\1/p' lib/err.h)
DISTDIR ?= dist
dist:
	@git diff --quiet HEAD -- || echo "dist: warning: uncommitted changes are not in the tarball" >&2
	@mkdir -p $(DISTDIR)
	git archive --format=tar.gz --prefix=llmpipe-$(VERSION)/ -o $(DISTDIR)/llmpipe-$(VERSION).tar.gz HEAD
.PHONY: dist
