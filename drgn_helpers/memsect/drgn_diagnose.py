# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Batch entry point: ``python3 -m memsect.drgn_diagnose VMCORE -s VMLINUX
[--json]`` runs ``memsect diagnose`` in the core on one dump and prints the
CLI's own report.  Exit status as the
``memsect`` CLI: 0 clean, 1 a finding of warning or worse, 2 usage, 3
unreadable dump or unusable/mismatched debug info, 4 partial results.
"""

import argparse
import struct
import sys
from typing import Optional

import drgn

from . import _memsect
from .target import MemsectError, run, target

VERSION = _memsect.VERSION


def elf_build_id(path: str) -> Optional[str]:
    """Return the GNU build id of an ELF64 little-endian file, or None."""
    with open(path, "rb") as f:
        ident = f.read(64)
        if len(ident) < 64 or ident[:4] != b"\x7fELF" or ident[4] != 2:
            return None
        shoff, = struct.unpack_from("<Q", ident, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", ident, 0x3A)
        f.seek(shoff)
        headers = f.read(shentsize * shnum)
        for i in range(shnum):
            sh_type, = struct.unpack_from("<I", headers, i * shentsize + 4)
            if sh_type != 7:  # SHT_NOTE
                continue
            offset, size = struct.unpack_from("<QQ", headers, i * shentsize + 0x18)
            f.seek(offset)
            notes = f.read(min(size, 1 << 16))
            pos = 0
            while pos + 12 <= len(notes):
                namesz, descsz, ntype = struct.unpack_from("<III", notes, pos)
                name_end = pos + 12 + (namesz + 3) // 4 * 4
                if ntype == 3 and notes[pos + 12:pos + 12 + namesz] == b"GNU\0":
                    return notes[name_end:name_end + descsz].hex()
                pos = name_end + (descsz + 3) // 4 * 4
    return None


def dump_build_id(path: str) -> Optional[str]:
    """
    Return VMCOREINFO's ``BUILD-ID`` as libkdumpfile reads it from the dump
    file itself (independent of any vmlinux), or None when unavailable.
    """
    try:
        import kdumpfile

        if hasattr(kdumpfile, "Context"):
            # pykdumpfile, packaged apart from libkdumpfile (sid: 0.5.5.1)
            ctx = kdumpfile.Context()
            ctx.open(path)
        else:
            ctx = kdumpfile.kdumpfile(path)  # libkdumpfile 0.5.1 (bookworm)
        return str(ctx.attr["linux.vmcoreinfo.lines"]["BUILD-ID"])
    except Exception:  # no python3-libkdumpfile, or no such key in this dump
        return None


def _fail(msg: str) -> int:
    print(f"memsect: {msg}", file=sys.stderr)
    return 3


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m memsect.drgn_diagnose",
        description="Run memsect's checks on a vmcore with drgn.",
    )
    parser.add_argument("vmcore")
    parser.add_argument("-s", "--symbols", required=True, metavar="VMLINUX",
                        help="the dump's vmlinux with DWARF")
    parser.add_argument("--json", action="store_true", help="print JSON (schema memsect/2)")
    parser.add_argument("--version", action="version", version=f"memsect-drgn {VERSION}")
    args = parser.parse_args(argv)

    prog = drgn.Program()
    try:
        prog.set_core_dump(args.vmcore)
    except (OSError, ValueError, drgn.FaultError) as e:
        return _fail(f"{args.vmcore}: cannot open dump: {e}")
    try:
        vmlinux_id = elf_build_id(args.symbols)
    except OSError as e:
        return _fail(f"{args.symbols}: {e.strerror}")
    if vmlinux_id is None:
        return _fail(f"{args.symbols}: not an ELF file with a build id")
    try:
        prog.load_debug_info([args.symbols])
    except drgn.MissingDebugInfoError as e:
        return _fail(f"{args.symbols}: {e}")

    dump_id = dump_build_id(args.vmcore)
    if dump_id is None:
        dump_id = target(prog).vmcoreinfo("BUILD-ID")
    if dump_id is not None and not vmlinux_id.startswith(dump_id.lower()):
        return _fail(f"{args.symbols}: build id {vmlinux_id} does not match the dump's {dump_id}")
    try:
        out, status = run(prog, "diagnose", json=args.json, dump_path=args.vmcore)
    except MemsectError as e:
        return _fail(f"{args.vmcore}: {e}")
    sys.stdout.write(out)
    return status


if __name__ == "__main__":
    sys.exit(main())
