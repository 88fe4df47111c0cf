# The crash extension build/memsect.so.  Included by the top-level Makefile.
#   make                        builds it against /usr/include/crash/defs.h
#                               (Debian's crash package) when that exists
#   make CRASH_INCDIR=DIR       builds it against DIR/defs.h (an out-of-tree
#                               crash source tree, or any other defs.h copy)
#   make install-extension      installs it into $(CRASH_EXTDIR), default
#                               $(PREFIX)/lib/crash/extensions; with
#                               PREFIX=/usr that is where crash's "extend"
#                               finds it by bare name (crash searches ./,
#                               $CRASH_EXTENSIONS, /usr/lib64/crash/extensions,
#                               /usr/lib/crash/extensions, ./extensions)
# Not built by SANITIZE=1: an ASan .so cannot be dlopen'd into crash.
# crash extensions must be built for crash's target: -D$(CRASH_TARGET), as
# crash's own extensions/Makefile does.

CRASH_INCDIR ?= $(wildcard /usr/include/crash)
CRASH_EXTDIR ?= $(PREFIX)/lib/crash/extensions
CRASH_ARCH := $(shell uname -m)
CRASH_TARGET ?= $(if $(filter x86_64,$(CRASH_ARCH)),X86_64,$(if $(filter aarch64,$(CRASH_ARCH)),ARM64,$(shell echo $(CRASH_ARCH) | tr a-z A-Z)))

MS_EXT_SRCS := $(sort $(wildcard extensions/*.c))
MS_EXT_OBJS := $(patsubst extensions/%.c,$(MS_BUILD)/obj/extensions/%.o,$(MS_EXT_SRCS))
MS_EXT_HEADERS := $(wildcard extensions/*.h) $(wildcard src/include/memsect/*.h src/include/memsect/*.def src/elf/*.h src/dumpfile/*.h)
MEMSECT_SO := $(MS_BUILD)/memsect.so

# defs.h is crash's, not ours: -isystem keeps its own warnings out of -Werror.
MS_EXT_CFLAGS := -std=gnu11 -D_GNU_SOURCE -D$(CRASH_TARGET) -Wall -Wextra -Werror \
	-O2 -g -fPIC -isystem $(CRASH_INCDIR) -Isrc/include -Isrc/elf -Isrc/dumpfile -Iextensions $(MS_SAN) $(CFLAGS)

.PHONY: install-extension
ifeq ($(CRASH_INCDIR),)
$(warning crash's defs.h not found: not building memsect.so (install Debian's crash, or set CRASH_INCDIR))
else ifneq ($(SANITIZE),1)
all: $(MEMSECT_SO)
endif

$(MS_BUILD)/obj/extensions/%.o: extensions/%.c $(MS_EXT_HEADERS) $(CRASH_INCDIR)/defs.h
	@mkdir -p $(dir $@)
	$(CC) $(MS_EXT_CFLAGS) -c -o $@ $<

# The symbols of the core and of src/elf stay inside the .so (--exclude-libs),
# so they can never bind to or shadow a symbol of crash itself.
$(MEMSECT_SO): $(MS_EXT_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT)
	$(CC) -shared -rdynamic -Wl,--exclude-libs,ALL -Wl,-Bsymbolic $(MS_LDFLAGS) \
		-o $@ $(MS_EXT_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT_DUMPFILE) $(LIBMEMSECT) -lelf

install-extension: $(MEMSECT_SO)
	install -d $(DESTDIR)$(CRASH_EXTDIR)
	install -m 755 $(MEMSECT_SO) $(DESTDIR)$(CRASH_EXTDIR)/memsect.so
