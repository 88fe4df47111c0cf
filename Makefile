# memsect: top-level build.  `make` builds the library, the CLI and the crash
# extension; `make check` runs every test (unit tests, then the real dumps);
# `make demo` makes one real dump and diagnoses it.
PREFIX ?= /usr/local
PYTHON := /usr/bin/python3
export MEMSECT_CACHE ?= $(HOME)/.cache/memsect

.PHONY: all deps check demo vmcores install clean
all:

deps:
	scripts/install-deps.sh

include src/build.mk
include vmcores/vmcores.mk

check: deps
	$(MAKE) all
	$(MAKE) unit-check
	$(MAKE) vmcores
	$(PYTHON) -m pytest -q tests/integration

clean: build-clean
