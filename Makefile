# memsect: top-level build.  `make` builds the library, the CLI and the crash
# extension; `make check` runs every test (unit tests, then the real dumps);
# `make demo` makes one real dump and diagnoses it.
PREFIX ?= /usr/local
PYTHON := /usr/bin/python3
export MEMSECT_CACHE ?= $(HOME)/.cache/memsect

.PHONY: all deps deps-arm64 check check-arm64 check-big demo bench vmcores install clean
all:

deps:
	scripts/install-deps.sh

deps-arm64:
	scripts/install-deps.sh arm64

include src/build.mk
include src/python/python.mk
include extensions/build.mk
include doc/doc.mk
include vmcores/vmcores.mk
include tests/newest/newest.mk
include tests/fuzz/fuzz.mk

# The tests run the ASan+UBSan build of the CLI (build/asan/memsect), one
# pytest-xdist worker per core; --dist loadscope keeps each test module, and
# the crash session or drgn program it opens once per dump, in one worker.
PYTEST_JOBS ?= $(shell nproc)
check: deps
	$(MAKE) all
	$(MAKE) SANITIZE=1 all unit-check
	$(MAKE) fuzz-smoke
	$(MAKE) vmcores
	MEMSECT_BIN=$(CURDIR)/build/asan/memsect $(PYTHON) -m pytest -q \
		-n $(PYTEST_JOBS) --dist loadscope tests/integration

# arm64 dumps (make vmcores-arm64, not part of check): the CLI and the drgn
# helpers against the guests' manifests.
check-arm64: deps-arm64 all vmcores-arm64
	$(PYTHON) -m pytest -q tests/arm64

# memsect on the large-memory dumps (tests/big, vmcores-big): release build.
check-big: all vmcores-big
	MEMSECT_BIN=$(CURDIR)/build/memsect $(PYTHON) -m pytest -q tests/big

# memsect exits 1 when it has findings of warning or worse: that is the
# demo's point, not a failure.  DEMO_DUMP comes from vmcores/vmcores.mk.
demo: deps all demo-dump
	build/memsect diagnose $(DEMO_DUMP)/vmcore.kdump $(DEMO_DUMP)/vmlinux || test $$? -eq 1

# memsect against crash and drgn on the same dumps (bench/README.md).
bench: all vmcores
	$(PYTHON) bench/offline_scan.py

install: install-extension install-man

clean: build-clean
