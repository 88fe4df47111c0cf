#!/usr/bin/python3
"""memsect's whole `diagnose` on a big dump against what the dump allows.

    bench/big_scan.py [--threads N] [--no-anchors] DUMP VMLINUX [DUMP VMLINUX ...]

For each dump, in one run on this machine, one after the other:
- the read limit: the same vmemmap runs memsect's scan reads, read by
  build/tools/read_limit on 1 and N threads doing nothing else (libkdumpfile
  clones; for an ELF dump also plain pread(2));
- `memsect --threads 1` and `--threads N` `diagnose --json`: wall time, the
  scan's own time, peak anon and file-backed RSS (/proc/PID/status, polled);
- the drgn helper `diagnose(prog)` (drgn 0.0.22, debug info loaded apart);
- the anchors (unless --no-anchors): crash 9.0.2 of the sid chroot,
  `kmem -p > /dev/null` in full mode, start-up timed apart; drgn 0.0.22 and
  the chroot's drgn, `for_each_page()` with one `page_type` read per page.
Prints seconds and ratios; nothing is asserted (bench/README.md).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMSECT = Path(os.environ.get("MEMSECT_BIN", REPO / "build" / "memsect"))
READ_LIMIT = REPO / "build" / "tools" / "read_limit"
CHROOT = REPO / "scripts" / "sid-chroot.sh"


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_polled(args):
    """(seconds, stdout, peak RssAnon MiB, peak RssFile MiB); stdout goes to
    a file, so that a large document never blocks the child on a pipe."""
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        p = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        anon = filed = 0
        while p.poll() is None:
            anon = max(anon, status_kib(p.pid, "RssAnon"))
            filed = max(filed, status_kib(p.pid, "RssFile"))
            time.sleep(0.02)
        sec = time.perf_counter() - t
        out.seek(0)
        return sec, out.read(), anon / 1024, filed / 1024


def read_limit(dump, vmlinux, threads, pread=False):
    args = [str(READ_LIMIT)] + (["--pread"] if pread else []) + [dump, vmlinux, str(threads)]
    return json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def memsect_diagnose(dump, vmlinux, threads):
    sec, out, anon, filed = run_polled([str(MEMSECT), "--threads", str(threads), "diagnose",
                                        "--json", dump, vmlinux])
    doc = json.loads(out)
    return sec, doc, anon, filed


def drgn_helper(dump, vmlinux):
    code = ("import sys,time,drgn; sys.path.insert(0,%r); import memsect; "
            "p=drgn.Program(); p.set_core_dump(%r); p.load_debug_info([%r]); "
            "t=time.perf_counter(); memsect.diagnose(p); print(time.perf_counter()-t)"
            % (str(REPO / "drgn_helpers"), dump, vmlinux))
    p = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True)
    return float(p.stdout.split()[-1]) if p.returncode == 0 else None


DRGN_ANCHOR = """
import sys, time, drgn
from drgn.helpers.linux.mm import for_each_page
p = drgn.Program(); p.set_core_dump(sys.argv[1]); p.load_debug_info([sys.argv[2]])
t = time.perf_counter(); n = 0
for page in for_each_page(p):
    try:
        page.page_type.value_()
        n += 1
    except drgn.FaultError:
        pass
print(time.perf_counter() - t, n)
"""


def drgn_anchor(dump, vmlinux, chroot):
    args = ["/usr/bin/python3", "-c", DRGN_ANCHOR, dump, vmlinux]
    if chroot:
        args = [str(CHROOT), "run"] + args
    p = subprocess.run(args, capture_output=True, text=True)
    return float(p.stdout.split()[0]) if p.returncode == 0 and p.stdout else None


def crash_session(dump, vmlinux, command):
    script = Path(dump).parent / ".memsect-bench.crash"
    script.write_text(f"{command}\nquit\n")
    t = time.perf_counter()
    p = subprocess.run([str(CHROOT), "run", "crash", "-s", vmlinux, dump, "-i", str(script)],
                       capture_output=True, text=True, timeout=7200)
    script.unlink()
    return time.perf_counter() - t if p.returncode == 0 else None


def bench(dump, vmlinux, n, anchors):
    print(f"== {dump}")
    lim1, limn = read_limit(dump, vmlinux, 1), read_limit(dump, vmlinux, n)
    pages = lim1["struct_pages"]
    print(f"  read limit           1 thread {lim1['seconds']:7.2f} s, {n} threads "
          f"{limn['seconds']:7.2f} s  ({pages} struct pages, {lim1['bytes'] >> 20} MiB "
          f"in {lim1['runs']} runs)")
    if dump.endswith(".elf"):
        p1 = read_limit(dump, vmlinux, 1, pread=True)
        print(f"  pread limit          1 thread {p1['seconds']:7.2f} s")
    rows = {}
    for t in (1, n):
        sec, doc, anon, filed = memsect_diagnose(dump, vmlinux, t)
        lim = lim1 if t == 1 else limn
        rows[t] = sec
        print(f"  memsect diagnose     {t} thread(s) {sec:7.2f} s (scan "
              f"{doc['stats'].get('scan_seconds', 0):.2f} s), {sec / lim['seconds']:.2f}x the "
              f"read limit; RSS anon {anon:.0f} MiB, file {filed:.0f} MiB")
    print(f"  threads              1 -> {n}: {rows[1] / rows[n]:.2f}x")
    helper = drgn_helper(dump, vmlinux)
    if helper:
        print(f"  drgn helper          {helper:7.2f} s ({helper / rows[n]:.1f}x memsect's)")
    if not anchors:
        return
    start = crash_session(dump, vmlinux, "sys")
    kmem = crash_session(dump, vmlinux, "kmem -p > /dev/null")
    if start and kmem:
        print(f"  crash 9.0.2 kmem -p  {kmem - start:7.2f} s after {start:.1f} s start-up "
              f"(memsect diagnose at {n} threads is {(kmem - start) / rows[n]:.1f}x faster)")
    for chroot, name in ((False, "drgn 0.0.22"), (True, "drgn (sid)")):
        t = drgn_anchor(dump, vmlinux, chroot)
        if t:
            print(f"  {name:12s} pages   {t:7.2f} s for_each_page + page_type "
                  f"({t / rows[n]:.0f}x memsect's diagnose)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--no-anchors", action="store_true")
    ap.add_argument("pairs", nargs="+", metavar="DUMP VMLINUX")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("DUMP VMLINUX pairs")
    for i in range(0, len(a.pairs), 2):
        bench(a.pairs[i], a.pairs[i + 1], a.threads, not a.no_anchors)


if __name__ == "__main__":
    main()
