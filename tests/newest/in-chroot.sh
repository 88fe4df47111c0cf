#!/bin/bash
# Runs inside the sid chroot (scripts/sid-chroot.sh run): check the toolchain
# is the newest one, build memsect with it under build/sid, then run the unit
# tests and tests/integration against the dumps `make vmcores` made on the
# host, as `make check` does.  Arguments replace pytest's default argument
# tests/integration (e.g. tests/integration/test_cli_owner.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/newest/versions.sh

newest_require_versions

# MS_BUILD on the command line overrides src/build.mk's choice, so the host's
# build/ and build/asan/ are never written: build/sid holds the plain build
# (the crash extension memsect.so and the drgn helpers' binding: an ASan .so
# cannot be loaded into crash or python),
# build/sid/asan the ASan+UBSan CLI and unit tests the suite runs.
t0=$(date +%s)
make --no-print-directory MS_BUILD=build/sid MS_PY_DIR=build/sid/python all
make --no-print-directory SANITIZE=1 MS_BUILD=build/sid/asan all unit-check
echo "newest: build + unit tests: $(($(date +%s) - t0)) s"

# crash 9.0.2 opens 6.12 and 7.3 dumps in full mode (8.0.2 only 6.1).
# 7.3-skippable stays in --minimal so crash 9's minimal mode is tested too.
export MEMSECT_CRASH_FULL_KERNELS="stock-6.1 6.1 6.12 7.3"
export MEMSECT_BIN=$PWD/build/sid/asan/memsect
export MEMSECT_CRASH_SO=$PWD/build/sid/memsect.so
# the drgn helpers' binding, built for sid's python (src/python/python.mk)
export MEMSECT_PY_EXT_DIR=$PWD/build/sid/python
# test_batch_parallel.py drives GNU parallel through a private sshd: it tests
# the host's parallel and openssh-server with memsect batch, nothing of the
# toolchain under test (memsect batch itself is test_batch.py, run here); it
# runs in make check.
[ $# -gt 0 ] || set -- tests/integration \
	--ignore=tests/integration/test_batch_parallel.py
t0=$(date +%s)
status=0
# pytest-xdist as in the top-level Makefile's check target.
python3 -m pytest -q -p no:cacheprovider -n "$(nproc)" --dist loadscope \
	"$@" || status=$?
echo "newest: integration tests: $(($(date +%s) - t0)) s, pytest exit status $status"
exit $status
