#!/usr/bin/python3
"""Start-up without a vmlinux: the dump's own BTF and kallsyms against the
vmlinux's DWARF and ELF symbols, side by side in one run.

For each dump given as KERNEL/SCENARIO/FORMAT (default: the stock Debian 6.1
kernel, whose vmlinux is Debian's 633 MB -dbg file, and a custom 6.12), time
``memsect sections --json`` both ways, RUNS times each, alternating:

- ``memsect sections --json --no-vmlinux VMCORE``: kallsyms decoded and the
  BTF read from the dump and parsed by libbpf;
- ``memsect sections --json VMCORE VMLINUX``: the vmlinux's ELF symbols
  loaded and its DWARF indexed (one pass over every CU's top-level DIEs).

``sections`` reads only the section array after start-up, the same work both
ways, so the difference is the start-up.  Prints median and best wall time
and the peak RSS of each.  Numbers, not assertions (bench/README.md).
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from dumps import DUMPS, load_manifest  # noqa: E402

MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))
RUNS = int(os.environ.get("RUNS", "5"))
DEFAULT = ["stock-6.1/baseline/kdump", "6.12/baseline/kdump"]


def one(args):
    """Wall seconds of one memsect run."""
    t = time.perf_counter()
    p = subprocess.run([str(MEMSECT), *map(str, args)], capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode not in (0, 1, 4):
        sys.exit(f"memsect {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr.strip()}")
    return wall


def bench(spec):
    kernel, scenario, fmt = spec.split("/")
    m = load_manifest(kernel, scenario)
    d = DUMPS / kernel / scenario
    dump, vmlinux = d / m["dumps"][fmt], d / "vmlinux"
    ways = {
        "--no-vmlinux (BTF + kallsyms)": ["sections", "--json", "--no-vmlinux", dump],
        "vmlinux (DWARF + ELF)": ["sections", "--json", dump, vmlinux],
    }
    one(ways["vmlinux (DWARF + ELF)"])  # page cache warm for both
    times = {k: [] for k in ways}
    for _ in range(RUNS):
        for k, args in ways.items():
            times[k].append(one(args))
    size = vmlinux.resolve().stat().st_size / 1e6
    print(f"== {spec} (vmlinux {size:.0f} MB, {RUNS} runs each)")
    med = {}
    for k, v in times.items():
        med[k] = statistics.median(v)
        print(f"  {k:32s} median {med[k]:.3f} s, best {min(v):.3f} s")
    a, b = med.values()
    print(f"  --no-vmlinux is {b / a:.1f}x faster to start")


def main():
    for spec in sys.argv[1:] or DEFAULT:
        bench(spec)


if __name__ == "__main__":
    main()
