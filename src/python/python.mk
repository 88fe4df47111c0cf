# memsect._memsect, the CPython binding of libmemsect the drgn helpers
# compute through (src/python/memsect_module.c), built for $(PYTHON) with
# that interpreter's suffix into MS_PY_DIR: the package itself by default;
# the sid chroot, where the repository is read-only, puts it under build/sid
# and names that directory in $MEMSECT_PY_EXT_DIR (memsect/__init__.py).
# Not built with SANITIZE=1: an ASan extension cannot be loaded into a plain
# python.  Included by the top-level Makefile after src/build.mk.
ifneq ($(SANITIZE),1)
MS_PY_CONFIG := $(PYTHON)-config
MS_PY_SUFFIX := $(shell $(MS_PY_CONFIG) --extension-suffix)
MS_PY_INCLUDES := $(shell $(MS_PY_CONFIG) --includes)
MS_PY_DIR ?= drgn_helpers/memsect
MS_PY_MODULE := $(MS_PY_DIR)/_memsect$(MS_PY_SUFFIX)
MS_PY_SRCS := $(wildcard src/python/*.c)
MS_PY_OBJS := $(patsubst src/%.c,$(MS_BUILD)/obj/%.o,$(MS_PY_SRCS))

$(MS_BUILD)/obj/python/%.o: src/python/%.c $(wildcard src/python/*.h) $(MS_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(MS_CFLAGS) $(MS_PY_INCLUDES) -fvisibility=hidden -c -o $@ $<

$(MS_PY_MODULE): $(MS_PY_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT)
	@mkdir -p $(dir $@)
	$(CC) -shared $(MS_LDFLAGS) -o $@ $(MS_PY_OBJS) $(LIBMEMSECT_ELF) $(LIBMEMSECT) -lelf

all: $(MS_PY_MODULE)
build-clean: ms-py-clean
.PHONY: ms-py-clean
ms-py-clean:
	rm -f drgn_helpers/memsect/_memsect.*.so
endif
