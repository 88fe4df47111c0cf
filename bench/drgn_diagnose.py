#!/usr/bin/python3
"""Time the drgn helpers' diagnose(prog) on one dump (default: the largest
test dump, 6.12/gigantic/elf): a fresh drgn program per run, debug info
loaded outside the timing, best of --repeat runs.

    /usr/bin/python3 bench/drgn_diagnose.py [KERNEL/SCENARIO/FORMAT] [--helpers DIR]

--helpers points at another drgn_helpers directory (an older checkout, to
compare)."""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

import drgn  # noqa: E402

from dumps import DUMPS, load_manifest  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump", nargs="?", default="6.12/gigantic/elf")
    ap.add_argument("--helpers", default=str(REPO / "drgn_helpers"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, args.helpers)
    import memsect

    kernel, scenario, fmt = args.dump.split("/")
    m = load_manifest(kernel, scenario)
    d = DUMPS / kernel / scenario
    best = None
    for _ in range(args.repeat):
        prog = drgn.Program()
        prog.set_core_dump(str(d / m["dumps"][fmt]))
        prog.load_debug_info([str(d / "vmlinux")])
        t = time.perf_counter()
        findings = memsect.diagnose(prog)
        t = time.perf_counter() - t
        best = t if best is None else min(best, t)
    print(f"{args.dump}: diagnose(prog) {best:.2f} s (best of {args.repeat}), "
          f"{len(findings)} findings, helpers {args.helpers}")


if __name__ == "__main__":
    main()
