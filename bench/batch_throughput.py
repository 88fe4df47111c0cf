#!/usr/bin/python3
"""`memsect batch` throughput and the cost of its child processes, in one run.

Over every kdump-compressed test dump (or the dumps matching FORMAT, first
argument), with `--commands diagnose`, the vmlinux files found through a
build-id tree made here:

- the anchor: `memsect diagnose --json DUMP VMLINUX` run one after the other
  for every dump (the single-dump commands a shell loop would run);
- `memsect batch --jobs 1` and `--jobs 2` over the same list.

Prints dumps per minute of each and the batch's overhead over the anchor
(`--jobs 1` against the loop: what a child process, the build-id search and
the line cost).  The three are run in turn REPEAT times (second argument,
default 3) and the fastest of each is kept, so that a load that comes and
goes on a shared machine weighs on all three alike.  Numbers, not
assertions (bench/README.md).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from dumps import all_dumps, link_build_id_tree  # noqa: E402

MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))


def timed(args):
    t = time.perf_counter()
    p = subprocess.run([str(MEMSECT), *map(str, args)], capture_output=True, text=True)
    if p.returncode not in (0, 1, 4):
        sys.exit(f"memsect {' '.join(map(str, args[:3]))}: exit {p.returncode}: "
                 f"{p.stderr.strip()[-300:]}")
    return time.perf_counter() - t


def main():
    fmt = sys.argv[1] if len(sys.argv) > 1 else "kdump"
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    dumps = all_dumps(fmt=fmt)
    with tempfile.TemporaryDirectory(prefix="memsect-bench-") as tmp:
        tmp = Path(tmp)
        link_build_id_tree(dumps, tmp)
        listing = tmp / "list"
        listing.write_text("".join(f"{d.path}\n" for d in dumps))
        batch = ["batch", "--commands", "diagnose", "--no-default-debug-dirs",
                 "--debug-dir", tmp, "--from", listing]
        for d in dumps:     # page cache warm for every run below
            timed(["sections", "--json", d.path, d.vmlinux])
        loop = one = two = float("inf")
        for _ in range(repeat):
            loop = min(loop, sum(timed(["diagnose", "--json", d.path, d.vmlinux])
                                 for d in dumps))
            one = min(one, timed([*batch, "--jobs", 1, "--output", tmp / "j1.jsonl"]))
            two = min(two, timed([*batch, "--jobs", 2, "--output", tmp / "j2.jsonl"]))
            for out in ("j1.jsonl", "j2.jsonl"):
                (tmp / out).unlink()
    n = len(dumps)
    print(f"== {n} {fmt} dumps, memsect diagnose each (fastest of {repeat})")
    print(f"  single commands in a loop  {loop:7.1f} s  {n * 60 / loop:6.1f} dumps/min")
    print(f"  batch --jobs 1             {one:7.1f} s  {n * 60 / one:6.1f} dumps/min")
    print(f"  batch --jobs 2             {two:7.1f} s  {n * 60 / two:6.1f} dumps/min")
    print(f"  batch --jobs 1 over the loop: {100 * (one / loop - 1):+.1f}%;"
          f" --jobs 2 speed-up over --jobs 1: {one / two:.2f}x on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
