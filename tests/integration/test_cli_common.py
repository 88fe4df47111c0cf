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

from dumps import all_dumps, dump_ids, link_build_id_tree  # noqa: E402,F401

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


# The fact tests read the dumps on reader threads (pages.c) whatever the
# machine's cores; test_batch runs every dump on one thread and compares.
THREADS = 3


@functools.lru_cache(maxsize=None)
def diagnose_run(path, vmlinux):
    """`memsect diagnose --json` of one dump: (exit status, document),
    cached: every fact test reads it."""
    p = run("--threads", THREADS, "diagnose", "--json", path, vmlinux)
    assert p.returncode in (0, 1, 4), f"exit {p.returncode}: {p.stderr.strip()}"
    assert p.stderr == "", p.stderr
    return p.returncode, json.loads(p.stdout)


def diagnose_json(path, vmlinux):
    return diagnose_run(path, vmlinux)[1]


def untimed(doc):
    """A document without the scan's timing (what reader threads change)."""
    if not doc or "stats" not in doc:
        return doc
    stats = {k: v for k, v in doc["stats"].items()
             if k not in ("scan_seconds", "pages_per_second")}
    return dict(doc, stats=stats)


def memsect_json(dump):
    return diagnose_json(str(dump.path), str(dump.vmlinux))


def filtered_gaps(dump, doc):
    """True when the only failed reads hit pages a filtered dump left out
    (libkdumpfile: "Excluded page").  makedumpfile 1.7.2 misreads the page
    types of newer kernels and drops live slab pages, e.g. the memory_blocks
    xa_node of 7.3: memsect must then say so (partial, READ_ERRORS), never
    invent the missing data."""
    return (dump.fmt == "d31" and doc["partial"]
            and all("(Excluded page)" in e["what"] for e in doc["errors"]))


def sections_by_nr(doc):
    return {s["nr"]: s for s in doc["sections"]}


def section_shift(doc):
    return doc["layout"]["section_size_bits"] - 12


class StoredPages:
    """Which pfns a dump file holds, read straight from the file (not through
    libkdumpfile): ELF PT_LOAD p_paddr/p_filesz, or the kdump-compressed
    second ("dumpable") bitmap (makedumpfile's diskdump_mod.h layout)."""

    def __init__(self, path):
        import struct
        self.ranges, self.bitmap = [], None
        with open(path, "rb") as f:
            head = f.read(4096)
            if head[:4] == b"\x7fELF":
                phoff, = struct.unpack_from("<Q", head, 0x20)
                phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
                f.seek(phoff)
                ph = f.read(phentsize * phnum)
                for i in range(phnum):
                    p_type, _, _, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
                    if p_type == 1 and p_filesz:
                        self.ranges.append((p_paddr >> 12, (p_paddr + p_filesz) >> 12))
            elif head[:8] == b"KDUMP   ":
                block_size, sub_hdr_size, bitmap_blocks = struct.unpack_from("<iiI", head, 428)
                f.seek(block_size * (1 + sub_hdr_size) + bitmap_blocks * block_size // 2)
                self.bitmap = f.read(bitmap_blocks * block_size // 2)
            else:
                raise ValueError(f"{path}: unknown dump format")

    def count(self, start, end):
        if self.bitmap is None:
            # PT_LOADs may overlap (the kernel-image mapping repeats RAM): count the union.
            covered = set()
            for s, e in self.ranges:
                covered.update(range(max(start, s), min(end, e)))
            return len(covered)
        return sum((self.bitmap[p >> 3] >> (p & 7)) & 1 for p in range(start, end)
                   if (p >> 3) < len(self.bitmap))
