# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Core
----

The drgn helpers compute through libmemsect, the C core the ``memsect`` CLI
and the crash extension run, bound as ``memsect._memsect`` (a CPython
extension built by ``make``).  :class:`DrgnTarget` is the core's target on a
drgn :class:`~drgn.Program`; :func:`report` runs a command of the CLI and
returns its JSON document, which is therefore the CLI's by construction.
"""

import json
from typing import Dict, List, Optional, Sequence, Tuple

from drgn import FaultError, Program, SymbolBinding, SymbolKind, offsetof, sizeof

from . import _memsect

__all__ = ("DrgnTarget", "MemsectError", "report", "run")

MemsectError = _memsect.Error


class DrgnTarget:
    """
    The callbacks of the core's ``struct ms_target`` on *prog*.  Look-ups
    return None for what the debug info lacks; the core turns any exception
    into a failed read or an absent name.
    """

    def __init__(self, prog: Program) -> None:
        self.prog = prog

    def read(self, address: int, size: int, physical: bool) -> bytes:
        return self.prog.read(address, size, physical)  # FaultError: the core reads .address

    def symbol(self, name: str) -> Optional[int]:
        try:
            return self.prog.symbol(name).address
        except LookupError:
            return None

    def _type(self, name: str):
        for kind in ("struct", "union"):
            try:
                return self.prog.type(f"{kind} {name}")
            except LookupError:
                pass
        return None

    def member(self, type: str, member: str) -> Optional[Tuple[int, int]]:
        t = self._type(type)
        if t is None or not t.has_member(member):
            return None
        try:
            size = sizeof(t.member(member).type)
        except TypeError:  # a flexible array member, as libdw's size 0
            size = 0
        return offsetof(t, member), size

    def type_size(self, type: str) -> Optional[int]:
        t = self._type(type)
        return None if t is None else sizeof(t)

    def enumerator(self, name: str) -> Optional[int]:
        try:
            return self.prog.constant(name).value_()
        except LookupError:
            return None

    def vmcoreinfo(self, key: str) -> Optional[str]:
        return _cached(self.prog, "memsect_vmcoreinfo", _vmcoreinfo).get(key)

    def symbols(self) -> List[Tuple[int, str, bool]]:
        return _cached(self.prog, "memsect_symbols", _symbols)


def _cached(prog: Program, key: str, make):
    """Plain data in prog.cache: never an object that holds prog (a cycle
    through a drgn Program is not safe to garbage-collect)."""
    try:
        return prog.cache[key]
    except KeyError:
        value = prog.cache[key] = make(prog)
        return value


def _symbols(prog: Program) -> List[Tuple[int, str, bool]]:
    kinds = (SymbolKind.FUNC, SymbolKind.OBJECT, SymbolKind.UNKNOWN)
    return [(s.address, s.name, s.binding == SymbolBinding.WEAK)
            for s in prog.symbols() if s.kind in kinds and s.name]


def _vmcoreinfo(prog: Program) -> Dict[str, str]:
    """
    The VMCOREINFO note: newer drgn has it as the ``VMCOREINFO`` object;
    drgn 0.0.22 has the kernel's own ``vmcoreinfo_data`` buffer.
    """
    try:
        raw = prog["VMCOREINFO"].string_()
    except LookupError:
        try:
            size = prog["vmcoreinfo_size"].value_()
            raw = prog.read(prog["vmcoreinfo_data"].value_(), min(size, 1 << 16))
        except (LookupError, FaultError):
            raw = b""
    info = {}
    for line in raw.decode(errors="replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            info[key] = value
    return info


def target(prog: Program) -> DrgnTarget:
    """The core's target on *prog* (VMCOREINFO and the symbols are read once
    per program)."""
    return DrgnTarget(prog)


def run(prog: Program, command: str, json: bool = True, pid: Optional[int] = None,
        type: str = "allocated", pfns: Sequence[int] = (),
        dump_path: Optional[str] = None) -> Tuple[str, int]:
    """
    Run the CLI's *command* (``sections``, ``offline``, ``hvo``, ``diagnose``,
    ``owner`` or ``page``) on *prog* in the core.

    :return: (output, status): the CLI's text or JSON and its exit status
        (0 clean, 1 findings of warning or worse, 4 partial results).
    :raises MemsectError: where the CLI exits 3 (unusable debug info, an
        unreadable mem_section array).
    """
    if type not in ("allocated", "freed"):
        raise ValueError(f"type must be 'allocated' or 'freed', not {type!r}")
    return _memsect.run(target(prog), command, json=json,
                        pid=-1 if pid is None else pid, freed=type == "freed",
                        pfns=list(pfns), dump_path=dump_path)


def report(prog: Program, command: str, **kwargs) -> dict:
    """:func:`run` with ``json=True``, parsed."""
    return json.loads(run(prog, command, json=True, **kwargs)[0])


def cached_report(prog: Program, command: str) -> dict:
    """The ``sections``/``offline``/``hvo`` document, computed once per program."""
    return _cached(prog, f"memsect_report_{command}", lambda p: report(p, command))
