#!/usr/bin/python3
"""Whole-memory PageOffline scan: memsect against the anchors, in one run.

For each dump given (default: the largest custom-kernel dumps), time
- the memsect CLI (``memsect offline --json``; its own scan time is reported
  too, without start-up),
- the memsect drgn helper (``for_each_page_offline_range``, bulk reads),
- the anchor drgn idiom of drgn 0.0.22: ``for_each_page()`` with one
  ``page_type`` read per ``struct page`` Object,
- the anchor crash 8.0.2 ``kmem -p`` over all pages (6.1 kernels only; crash's
  start-up is measured separately and subtracted),
and print pages/second and ratios.  Numbers, not assertions: bench/README.md
records a run.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "drgn_helpers"))

import drgn  # noqa: E402
from drgn import FaultError  # noqa: E402
from drgn.helpers.linux.mm import for_each_page  # noqa: E402

import memsect  # noqa: E402
from memsect.target import target  # noqa: E402
from dumps import DUMPS, load_manifest  # noqa: E402

MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def cli(dump, vmlinux):
    p = subprocess.run([MEMSECT, "offline", "--json", dump, vmlinux], capture_output=True, text=True)
    return json.loads(p.stdout)


def drgn_prog(dump, vmlinux):
    prog = drgn.Program()
    prog.set_core_dump(dump)
    prog.load_debug_info([vmlinux])
    return prog


def _constant(prog, name):
    try:
        return prog.constant(name).value_()
    except LookupError:
        return None


def offline_mask_value(prog):
    """PageOffline as a mask/value test on page_type, for the anchor only:
    the top byte PGTY_offline (4ffca5a96678, v6.12), PAGE_TYPE_BASE with a
    cleared PG_offline bit (v6.11), or the inverted bit VMCOREINFO exports
    as PAGE_OFFLINE_MAPCOUNT_VALUE (v5.0 to v6.10)."""
    pgty = _constant(prog, "PGTY_offline")
    if pgty is not None:
        return 0xFF000000, pgty << 24
    base, bit = _constant(prog, "PAGE_TYPE_BASE"), _constant(prog, "PG_offline")
    if base is not None and bit is not None:
        return base | bit, base
    value = target(prog).vmcoreinfo("NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)")
    bit = (~int(value) & 0xFFFFFFFF) if value is not None else 0x100
    return 0xF0000000 | bit, 0xF0000000


def naive_drgn(prog):
    mask, value = offline_mask_value(prog)
    n = 0
    for page in for_each_page(prog):
        try:
            if page.page_type.value_() & mask == value:
                n += 1
        except FaultError:
            pass
    return n


def crash_kmem(dump, vmlinux, kaslr, command, repeat=1):
    script = Path("/tmp/memsect-bench.crash")
    script.write_text(f"{command}\n" * repeat + "quit\n")
    args = ["crash", "-s", vmlinux, dump, "-i", str(script)]
    if kaslr:
        args.insert(1, f"--kaslr={kaslr}")
    t = time.perf_counter()
    subprocess.run(args, capture_output=True, text=True, timeout=1800)
    return time.perf_counter() - t


def bench(kernel, scenario, fmt):
    m = load_manifest(kernel, scenario)
    d = DUMPS / kernel / scenario
    dump, vmlinux = str(d / m["dumps"][fmt]), str(d / "vmlinux")
    print(f"== {kernel}/{scenario}/{fmt}")
    t_cli, doc = timed(lambda: cli(dump, vmlinux))
    pages = doc["stats"]["pages_scanned"]
    print(f"  memsect CLI          {t_cli:7.2f} s total, scan {doc['stats']['scan_seconds']:.3f} s"
          f" = {doc['stats']['pages_per_second'] / 1e6:.1f} M pages/s ({pages} struct pages)")
    prog = drgn_prog(dump, vmlinux)
    t_helper, ranges = timed(lambda: list(memsect.for_each_page_offline_range(prog)))
    t_naive, n = timed(lambda: naive_drgn(prog))
    assert n == sum(r.end_pfn - r.start_pfn for r in ranges), "the anchor disagrees"
    print(f"  drgn helper (bulk)   {t_helper:7.2f} s = {pages / t_helper / 1e6:.2f} M pages/s")
    print(f"  drgn for_each_page   {t_naive:7.2f} s  (anchor; helper is {t_naive / t_helper:.0f}x faster)")
    if kernel in ("stock-6.1", "6.1"):
        kaslr = m["vmcoreinfo"].get("KERNELOFFSET")
        kaslr = f"0x{kaslr}" if kaslr else None
        # crash's start-up dominates one command: run kmem -p three times
        # in one session and take the difference from a session that only
        # runs "sys".
        t_start = crash_kmem(dump, vmlinux, kaslr, "sys")
        t_kmem = crash_kmem(dump, vmlinux, kaslr, "kmem -p > /dev/null", repeat=3)
        t_kmem_only = max((t_kmem - t_start) / 3, 1e-3)
        print(f"  crash kmem -p        {t_kmem_only:7.2f} s per run after {t_start:.1f} s start-up"
              f" (anchor; memsect CLI, start-up included, is {t_kmem_only / t_cli:.1f}x faster)")


def main():
    targets = [a.split("/") for a in sys.argv[1:]] or [
        ("6.12", "gigantic", "kdump"),
        ("6.12", "gigantic", "elf"),
        ("6.1", "hvo", "kdump"),
        ("stock-6.1", "hvo", "kdump"),
    ]
    for k, s, f in targets:
        bench(k, s, f)


if __name__ == "__main__":
    main()
