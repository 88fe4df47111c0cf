#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Shrink a fuzz input (fuzz_input.h) while it still fails the same way.

usage: reduce.py FUZZ_BIN INPUT OUTPUT

The signature is the sanitizer's kind plus the first stack frame in src/
(or "timeout").  Drops whole chunks, trims zero bytes off each chunk's ends,
halves chunks, clears header bytes: each step kept only if the signature
stays.  Faster than -minimize_crash on this format, whose chunks it knows.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

HDR = 64


def parse(data):
    hdr = bytearray(data[:HDR].ljust(HDR, b"\0"))
    chunks, off = [], HDR
    while off + 12 <= len(data) and len(chunks) < 48:
        va, ln = struct.unpack_from("<QI", data, off)
        off += 12
        ln = min(ln, len(data) - off)
        chunks.append([va, bytearray(data[off:off + ln])])
        off += ln
    return hdr, chunks


def build(hdr, chunks):
    out = bytearray(hdr)
    for va, d in chunks:
        out += struct.pack("<QI", va, len(d)) + d
    return bytes(out)


def signature(binary, data):
    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(data)
    env = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1")
    try:
        p = subprocess.run([binary, "-timeout=20", f.name], capture_output=True,
                           text=True, errors="replace", env=env, timeout=120)
        log = p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        log = "timeout"
    finally:
        os.unlink(f.name)
    if "timeout" in log and "libFuzzer: timeout" in log or log == "timeout":
        return "timeout"
    kind = re.search(r"(ERROR: \w+: [\w-]+|runtime error: [a-z ]+|"
                     r"out-of-memory|malloc\(\d+\) exceeds)", log)
    if not kind:
        return None
    frame = re.search(r" in \S+ \S*/(src/\S+?):\d+", log)
    return (re.sub(r"\d+", "N", kind.group(1)), frame.group(1) if frame else "")


def main():
    binary, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    want = signature(binary, data)
    if not want:
        sys.exit("reduce: the input does not fail")
    print("signature:", want)
    hdr, chunks = parse(data)

    def ok(h, c):
        return signature(binary, build(h, c)) == want

    i = 0
    while i < len(chunks):
        trial = chunks[:i] + chunks[i + 1:]
        if ok(hdr, trial):
            chunks = trial
        else:
            i += 1
    for c in chunks:
        while len(c[1]) > 1:
            half = len(c[1]) // 2
            lo = [c[0], c[1][:half]]
            hi = [c[0] + half, c[1][half:]]
            for cand in (lo, hi):
                trial = [cand if x is c else x for x in chunks]
                if ok(hdr, trial):
                    c[0], c[1] = cand
                    break
            else:
                break
        s = len(c[1]) - len(c[1].lstrip(b"\0"))
        e = len(c[1].rstrip(b"\0"))
        if (s or e < len(c[1])) and e > s:
            cand = [c[0] + s, c[1][s:e]]
            if ok(hdr, [cand if x is c else x for x in chunks]):
                c[0], c[1] = cand
    for b in range(HDR):
        if hdr[b]:
            h = bytearray(hdr)
            h[b] = 0
            if ok(h, chunks):
                hdr = h
    out = build(hdr, chunks)
    open(dst, "wb").write(out)
    print(f"reduce: {len(data)} -> {len(out)} bytes, {len(chunks)} chunks")


if __name__ == "__main__":
    main()
