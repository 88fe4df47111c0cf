"""Shared helpers for the memsect CLI integration tests (no tests here).

The binary under test is ``$MEMSECT_BIN`` (default ``build/memsect``; the
Makefile exports ``build/asan/memsect`` for ``make SANITIZE=1 check``).
"""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from dumps import all_dumps, dump_ids  # noqa: E402,F401

MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))
LSAN_SUPP = REPO / "src" / "sanitizer" / "lsan.supp"


def env():
    e = dict(os.environ)
    e.setdefault("LSAN_OPTIONS", f"suppressions={LSAN_SUPP}:print_suppressions=0")
    e.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return e


def run(*args, timeout=600):
    """Run memsect; returns the CompletedProcess (text)."""
    assert MEMSECT.exists(), f"{MEMSECT} is not built (run make)"
    return subprocess.run([str(MEMSECT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env())


@functools.lru_cache(maxsize=None)
def diagnose_json(path, vmlinux):
    """`memsect diagnose --json` of one dump (cached: every fact test reads it)."""
    p = run("diagnose", "--json", path, vmlinux)
    assert p.returncode in (0, 1), f"exit {p.returncode}: {p.stderr.strip()}"
    assert p.stderr == "", p.stderr
    return json.loads(p.stdout)


def memsect_json(dump):
    return diagnose_json(str(dump.path), str(dump.vmlinux))


def sections_by_nr(doc):
    return {s["nr"]: s for s in doc["sections"]}


def section_shift(doc):
    return doc["layout"]["section_size_bits"] - 12
