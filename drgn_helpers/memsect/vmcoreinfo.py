# SPDX-License-Identifier: LGPL-2.1-or-later
"""
VMCOREINFO
----------

The kernel's VMCOREINFO note, parsed once per program.  Values are what the
running kernel printed (``NUMBER(x)=%ld`` is signed, ``SYMBOL(x)=%lx`` hex).
"""

from typing import Dict, Optional

from drgn import FaultError, Program

__all__ = ("vmcoreinfo", "vmcoreinfo_number", "vmcoreinfo_symbol")


def vmcoreinfo(prog: Program) -> Dict[str, str]:
    """
    Return the VMCOREINFO key/value pairs of *prog* as strings.

    Newer drgn exposes the note as the ``VMCOREINFO`` object; with drgn
    0.0.22 it is read from the kernel's own ``vmcoreinfo_data`` buffer, which
    needs the debug info loaded.
    """
    try:
        return prog.cache["memsect_vmcoreinfo"]
    except KeyError:
        pass
    try:
        raw = prog["VMCOREINFO"].string_()
    except (KeyError, LookupError):
        try:
            data = prog["vmcoreinfo_data"]
            size = prog["vmcoreinfo_size"].value_()
            raw = prog.read(data.value_(), min(size, 1 << 16))
        except (KeyError, LookupError, FaultError):
            raw = b""
    info = {}
    for line in raw.decode(errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            info[key] = value
    if info:  # before debug info is loaded, vmcoreinfo_data is unknown
        prog.cache["memsect_vmcoreinfo"] = info
    return info


def vmcoreinfo_number(prog: Program, name: str) -> Optional[int]:
    """Return ``NUMBER(name)`` (a signed decimal, or hex on some arches)."""
    value = vmcoreinfo(prog).get(f"NUMBER({name})")
    if value is None:
        return None
    return int(value, 16) if value.startswith("0x") else int(value)


def vmcoreinfo_symbol(prog: Program, name: str) -> Optional[int]:
    """Return ``SYMBOL(name)`` (always hexadecimal)."""
    value = vmcoreinfo(prog).get(f"SYMBOL({name})")
    return None if value is None else int(value, 16)
