# libmemsect, the memsect CLI and the C unit tests.  Included by the
# top-level Makefile.  `make SANITIZE=1 ...` builds everything with
# ASan+UBSan into build/asan/ and points the tests at that binary.

ifeq ($(SANITIZE),1)
MS_BUILD := build/asan
MS_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Known leaks inside libkdumpfile's error paths (src/sanitizer/lsan.supp).
export LSAN_OPTIONS ?= suppressions=$(abspath src/sanitizer/lsan.supp):print_suppressions=0
else
MS_BUILD := build
MS_SAN :=
endif

CC ?= gcc
MS_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -O2 -g -fPIC \
	-Isrc/include -Isrc/lib -Isrc/elf -Isrc/dumpfile $(MS_SAN) $(CFLAGS)
MS_LDFLAGS := $(MS_SAN) $(LDFLAGS)
MS_CLI_LIBS := -lkdumpfile -laddrxlat -ldw -lelf -lbpf -ldebuginfod

MS_LIB_SRCS := $(sort $(wildcard src/lib/*.c src/lib/arch/*.c src/lib/checks/*.c))
MS_LIB_OBJS := $(patsubst src/%.c,$(MS_BUILD)/obj/%.o,$(MS_LIB_SRCS))
MS_CLI_SRCS := $(sort $(wildcard src/cli/*.c))
MS_CLI_OBJS := $(patsubst src/%.c,$(MS_BUILD)/obj/%.o,$(MS_CLI_SRCS))
# What the front ends that hold the vmlinux file share (libelf), kept out of
# libmemsect, which does no file I/O: the CLI and the crash extension.
MS_ELF_SRCS := $(sort $(wildcard src/elf/*.c))
MS_ELF_OBJS := $(patsubst src/%.c,$(MS_BUILD)/obj/%.o,$(MS_ELF_SRCS))
LIBMEMSECT_ELF := $(MS_BUILD)/libmemsect-elf.a
# The dump file's own headers against its size (dump_file.h), read with
# pread(2): the CLI checks the file before libkdumpfile opens it, the crash
# extension checks the file crash has open.
MS_DUMPFILE_SRCS := $(sort $(wildcard src/dumpfile/*.c))
MS_DUMPFILE_OBJS := $(patsubst src/%.c,$(MS_BUILD)/obj/%.o,$(MS_DUMPFILE_SRCS))
LIBMEMSECT_DUMPFILE := $(MS_BUILD)/libmemsect-dumpfile.a
MS_HEADERS := $(wildcard src/include/memsect/*.h src/include/memsect/*.def src/lib/*.h src/cli/*.h src/elf/*.h src/dumpfile/*.h)

LIBMEMSECT := $(MS_BUILD)/libmemsect.a
# The same core as a shared library for programs built against an installed
# tree (pkg-config memsect); its soname changes when the ABI does.
MS_SOVERSION := 0
MS_LIBVERSION := $(MS_SOVERSION).1.0
LIBMEMSECT_SO := $(MS_BUILD)/libmemsect.so.$(MS_LIBVERSION)
MEMSECT_CLI := $(MS_BUILD)/memsect

MS_UT_COMMON := $(sort $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c)))
MS_UT_TESTS := $(sort $(wildcard tests/unit/test_*.c))
MS_UT_BINS := $(patsubst tests/unit/%.c,$(MS_BUILD)/unit/%,$(MS_UT_TESTS))
MS_UT_HEADERS := $(wildcard tests/unit/*.h)

# The integration tests run this binary (tests/integration/conftest.py).
export MEMSECT_BIN ?= $(abspath $(MEMSECT_CLI))

# tests/tools: programs the integration tests run next to the CLI, built
# from its objects (srccmp: the dump's BTF/kallsyms against the vmlinux).
MS_TOOLS := $(patsubst tests/tools/%.c,$(MS_BUILD)/tools/%,$(wildcard tests/tools/*.c))
# bench: read_limit (bench/README.md), built the same way.
MS_TOOLS += $(patsubst bench/%.c,$(MS_BUILD)/tools/%,$(wildcard bench/*.c))

.PHONY: unit-check build-clean install
all: $(LIBMEMSECT) $(MEMSECT_CLI) $(MS_TOOLS)
ifneq ($(SANITIZE),1)
all: $(LIBMEMSECT_SO)
endif

$(MS_BUILD)/obj/%.o: src/%.c $(MS_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) -c -o $@ $<

$(LIBMEMSECT): $(MS_LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(LIBMEMSECT_SO): $(MS_LIB_OBJS)
	$(CC) -shared -Wl,-soname,libmemsect.so.$(MS_SOVERSION) $(MS_LDFLAGS) -pthread -o $@ $^

$(LIBMEMSECT_ELF): $(MS_ELF_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(LIBMEMSECT_DUMPFILE): $(MS_DUMPFILE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(MEMSECT_CLI): $(MS_CLI_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT)
	$(CC) $(MS_LDFLAGS) -o $@ $(MS_CLI_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) \
		$(LIBMEMSECT) $(MS_CLI_LIBS)

$(MS_BUILD)/tools/%: bench/%.c $(MS_CLI_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) -Isrc/cli $(MS_LDFLAGS) -o $@ $< $(filter-out %/main.o,$(MS_CLI_OBJS)) \
		$(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT) $(MS_CLI_LIBS)

$(MS_BUILD)/tools/%: tests/tools/%.c $(MS_CLI_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) -Isrc/cli $(MS_LDFLAGS) -o $@ $< $(filter-out %/main.o,$(MS_CLI_OBJS)) \
		$(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT) $(MS_CLI_LIBS)

# Unit tests of CLI sources that need no library beyond libmemsect.
MS_UT_CLI_test_kallsyms := src/cli/kallsyms.c src/cli/strmap.c

.SECONDEXPANSION:
$(MS_BUILD)/unit/%: tests/unit/%.c $(MS_UT_COMMON) $(MS_UT_HEADERS) $(LIBMEMSECT) $$(MS_UT_CLI_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) -Itests/unit -Isrc/cli $(MS_LDFLAGS) -o $@ $< $(MS_UT_COMMON) \
		$(MS_UT_CLI_$*) $(LIBMEMSECT)

unit-check: $(MS_UT_BINS)
	@set -e; for t in $(MS_UT_BINS); do echo "unit: $$t"; $$t; done

install: all install-lib
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MEMSECT_CLI) $(DESTDIR)$(PREFIX)/bin/memsect
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 644 completion/memsect.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/memsect

# The library for programs of others: static and shared, headers, pkg-config.
install-lib: $(LIBMEMSECT) $(LIBMEMSECT_SO)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/memsect
	install -m 644 $(LIBMEMSECT) $(DESTDIR)$(PREFIX)/lib/libmemsect.a
	install -m 755 $(LIBMEMSECT_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libmemsect.so.$(MS_LIBVERSION) $(DESTDIR)$(PREFIX)/lib/libmemsect.so.$(MS_SOVERSION)
	ln -sf libmemsect.so.$(MS_SOVERSION) $(DESTDIR)$(PREFIX)/lib/libmemsect.so
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/^#define MS_VERSION "\(.*\)"/\1/p' src/include/memsect/report.h)|' \
		src/memsect.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/memsect.pc
	install -m 644 src/include/memsect/*.h src/include/memsect/*.def $(DESTDIR)$(PREFIX)/include/memsect/

build-clean:
	rm -rf build
