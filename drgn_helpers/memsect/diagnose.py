# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Diagnose
--------

:func:`diagnose` runs ``memsect diagnose`` in the core and returns its
findings: codes, severities, places, messages and evidence, as in the
``findings`` array of the CLI's ``--json`` (schema ``memsect/2``).
"""

from typing import Dict, List, NamedTuple, Optional, Union

from drgn import Program

from .target import cached_report, report

__all__ = ("DumpError", "Finding", "diagnose", "dump_errors")


class Finding(NamedTuple):
    code: str
    severity: str  # "info", "warning" or "error"
    place: Dict[str, object]  # {"kind": ..., ...} as in the CLI's JSON
    message: str
    evidence: Dict[str, object]

    def to_json(self) -> dict:
        return self._asdict()


class DumpError(NamedTuple):
    kind: str  # "read" or "invalid"
    address: int
    what: str


def _errors(doc: dict) -> List[DumpError]:
    raw = doc.get("errors", doc.get("read_errors")) or []
    return [DumpError(e["kind"], int(e["address"], 16), e["what"]) for e in raw]


def _set_errors(prog: Program, doc: Union[dict, List[DumpError]]) -> None:
    prog.cache["memsect_errors"] = _errors(doc) if isinstance(doc, dict) else doc


def dump_errors(prog: Program, command: Optional[str] = None) -> List[DumpError]:
    """
    Return the failed reads (``read``) and the values that failed a sanity
    check (``invalid``), the first 64 as the CLI lists them: of the
    ``sections``, ``offline`` or ``hvo`` *command* behind the helpers that
    use it, or else of the last report, :func:`diagnose` or
    :func:`depot_stack` on *prog*.
    """
    if command is not None:
        return _errors(cached_report(prog, command))
    return list(prog.cache.get("memsect_errors", []))


def diagnose(prog: Program) -> List[Finding]:
    """
    Run every check of ``memsect diagnose`` on *prog*.

    :return: list of :class:`Finding`, in the CLI's order, ``READ_ERRORS``
        and ``INVALID_VALUES`` included.
    :raises memsect.MemsectError: where the CLI exits 3.
    """
    doc = report(prog, "diagnose")
    _set_errors(prog, doc)
    return [Finding(f["code"], f["severity"], f["place"], f["message"], f["evidence"])
            for f in doc["findings"]]
