# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Diagnose
--------

:func:`diagnose` runs the same checks as ``memsect diagnose`` and returns the
same findings: codes, severities, places, messages and evidence, as in the
``findings`` array of the CLI's ``--json`` (schema ``memsect/1``, see the
README's table of finding codes).  The checks run in the CLI's order.
"""

from typing import Dict, List, NamedTuple, Optional, Tuple

from drgn import Program
from drgn.helpers.linux.mm import pfn_to_page

from .memory_block import MemoryBlock, for_each_memory_block, sections_per_block
from .offline import PageOfflineRange, for_each_page_offline_range, pfns_in_dump
from .page_owner import gigantic_overrun_findings
from .page_type import offline_test
from .partial import DumpError, dump_errors, new_errors, partial, record_read
from .sections import (
    SectionPageExt,
    decode_section_flags,
    for_each_present_section,
    section_page_ext,
)

__all__ = ("Finding", "diagnose")

# The names the CLI gives page_type encodings in its JSON.
_SCHEME_NAMES = {
    "inverted": "inverted-bits",
    "base-0x80000000": "inverted-bits-6.11",
    "top-byte": "top-byte",
}


class Finding(NamedTuple):
    code: str
    severity: str  # "info", "warning" or "error"
    place: Dict[str, object]  # {"kind": ..., ...} as in the CLI's JSON
    message: str
    evidence: Dict[str, object]

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "place": self.place,
            "message": self.message,
            "evidence": self.evidence,
        }


class _Section(NamedTuple):
    nr: int
    online: bool
    page_ext: SectionPageExt


def _sections(prog: Program) -> List[_Section]:
    out = []
    for nr, ms in for_each_present_section(prog):
        with partial(prog, f"section {nr}", ms.value_()):
            flags = decode_section_flags(prog, ms.section_mem_map.value_())
            out.append(_Section(nr, "SECTION_IS_ONLINE" in flags, section_page_ext(ms, nr)))
    return out


def _blocks(prog: Program) -> Tuple[int, Dict[int, MemoryBlock]]:
    try:
        per_block = sections_per_block(prog)
        return per_block, {b.id: b for b in for_each_memory_block(prog)}
    except LookupError:  # no CONFIG_MEMORY_HOTPLUG
        return 0, {}


def _addr(value: int) -> str:
    return hex(value)


def _section_checks(
    sections: List[_Section], per_block: int, blocks: Dict[int, MemoryBlock]
) -> List[Finding]:
    def block_of(nr: int) -> Optional[MemoryBlock]:
        return blocks.get(nr // per_block) if per_block else None

    out = []
    for s in sections:  # PAGE_EXT_INVALIDATED
        if s.page_ext.state != "invalidated":
            continue
        blk = block_of(s.nr)
        out.append(Finding(
            "PAGE_EXT_INVALIDATED", "warning", {"kind": "section", "section": s.nr},
            f"section {s.nr}: page_ext is invalidated (bit 0 set): memory offline in progress",
            {
                "page_ext_raw": _addr(s.page_ext.raw),
                "page_ext_table": _addr(s.page_ext.table),
                "section_online": int(s.online),
                "block_state": blk.state if blk else "unknown",
            },
        ))
    for s in sections:  # PAGE_EXT_UNREADABLE
        if s.page_ext.state != "unreadable":
            continue
        out.append(Finding(
            "PAGE_EXT_UNREADABLE", "error", {"kind": "section", "section": s.nr},
            f"section {s.nr}: page_ext table unreadable at {_addr(s.page_ext.error_address)}",
            {
                "page_ext_raw": _addr(s.page_ext.raw),
                "page_ext_table": _addr(s.page_ext.table),
                "failed_address": _addr(s.page_ext.error_address),
            },
        ))
    for s in sections:  # PAGE_EXT_IMPLAUSIBLE
        if s.page_ext.state != "implausible":
            continue
        out.append(Finding(
            "PAGE_EXT_IMPLAUSIBLE", "error", {"kind": "section", "section": s.nr},
            f"section {s.nr}: page_ext table {_addr(s.page_ext.table)} is not a kernel address",
            {
                "page_ext_raw": _addr(s.page_ext.raw),
                "page_ext_table": _addr(s.page_ext.table),
            },
        ))
    with_table = sum(s.page_ext.state in ("valid", "invalidated", "unreadable") for s in sections)
    for s in sections if with_table else ():  # PAGE_EXT_MISSING
        if s.page_ext.state == "null" and s.online:
            out.append(Finding(
                "PAGE_EXT_MISSING", "warning", {"kind": "section", "section": s.nr},
                f"section {s.nr} is online but has no page_ext table",
                {"sections_with_table": with_table},
            ))
    for s in sections:  # SECTION_ONLINE_MISMATCH
        blk = block_of(s.nr)
        if blk is None or not (
            (blk.state == "online" and not s.online) or (blk.state == "offline" and s.online)
        ):
            continue
        out.append(Finding(
            "SECTION_ONLINE_MISMATCH", "warning", {"kind": "section", "section": s.nr},
            f"section {s.nr} is {'online' if s.online else 'not online'} "
            f"but memory block {blk.id} is {blk.state}",
            {"block": blk.id, "block_state": blk.state, "section_online": int(s.online)},
        ))
    for blk in blocks.values():  # BLOCK_IN_TRANSITION
        if blk.state in ("online", "offline"):
            continue
        out.append(Finding(
            "BLOCK_IN_TRANSITION", "warning", {"kind": "memory_block", "memory_block": blk.id},
            f"memory block {blk.id} is {blk.state}",
            {
                "state": blk.state,
                "state_raw": blk.block.state.value_(),
                "start_section": blk.start_section_nr,
            },
        ))
    return out


def _offline_checks(prog: Program, ranges: List[PageOfflineRange]) -> List[Finding]:
    out = []
    pages = sum(r.end_pfn - r.start_pfn for r in ranges)
    if pages:  # PAGEOFFLINE_PRESENT
        out.append(Finding(
            "PAGEOFFLINE_PRESENT", "info", {"kind": "dump"},
            f"{pages} PageOffline pages in {len(ranges)} ranges",
            {
                "pages": pages,
                "ranges": len(ranges),
                "page_type_scheme": _SCHEME_NAMES[offline_test(prog).encoding],
            },
        ))
    for r in ranges:  # PAGEOFFLINE_REFCOUNT
        negative = sum(n for ref, n in r.refcounts.items() if ref < 0)
        if not r.refcount_unexpected and not negative:
            continue
        out.append(Finding(
            "PAGEOFFLINE_REFCOUNT", "warning",
            {"kind": "pfn_range", "start_pfn": r.start_pfn, "end_pfn": r.end_pfn},
            f"{r.refcount_unexpected + negative} PageOffline pages in pfns "
            f"{_addr(r.start_pfn)}-{_addr(r.end_pfn)} have a refcount memory "
            "offlining does not expect",
            {
                "unexpected": r.refcount_unexpected,
                "negative": negative,
                "skippable": -1 if r.skippable is None else r.skippable,
                "in_going_offline": r.in_going_offline,
            },
        ))
    for r in ranges:  # PAGEOFFLINE_IN_DUMP
        held = pfns_in_dump(prog, r.start_pfn, r.end_pfn)
        if not held:
            continue
        n = r.end_pfn - r.start_pfn
        out.append(Finding(
            "PAGEOFFLINE_IN_DUMP", "warning",
            {"kind": "pfn_range", "start_pfn": r.start_pfn, "end_pfn": r.end_pfn},
            f"the dump file holds {held} of {n} PageOffline pages in pfns "
            f"{_addr(r.start_pfn)}-{_addr(r.end_pfn)}",
            {"in_file": held, "pages": n},
        ))
    return out


def _partial_findings(errors: List[DumpError]) -> List[Finding]:
    """READ_ERRORS and INVALID_VALUES, as src/lib/checks/read_errors.c."""
    out = []
    for code, kind, what in (
        ("READ_ERRORS", "read", "reads failed"),
        ("INVALID_VALUES", "invalid", "values read from the dump failed a sanity check"),
    ):
        these = [e for e in errors if e.kind == kind]
        if not these:
            continue
        first = these[0]
        out.append(Finding(
            code, "warning", {"kind": "address", "address": _addr(first.address)},
            f"{len(these)} {what} (first at {_addr(first.address)}: {first.what}); "
            "results are partial",
            {"count": len(these), "first_address": _addr(first.address), "first_what": first.what},
        ))
    return out


def diagnose(prog: Program) -> List[Finding]:
    """
    Run every memsect check on *prog* and return the findings in the CLI's
    order.  Data the dump does not hold (struct pages, the memory_blocks
    xarray) makes a ``READ_ERRORS`` finding, values that fail a sanity check
    an ``INVALID_VALUES`` finding (results partial, the reasons in
    :func:`memsect.dump_errors`), never an exception.  Their counts and
    first addresses follow this module's reads, which are not the CLI's:
    they can differ from the CLI's on the same dump, while the findings
    themselves are reported by both.

    A mem_section root array that cannot be read (or is not at a kernel
    address) raises, as the CLI refuses such a dump.

    :return: list of :class:`Finding`
    """
    new_errors(prog)
    sections = _sections(prog)  # raises only for the root array
    per_block, blocks = 0, {}
    with partial(prog, "memory blocks"):
        per_block, blocks = _blocks(prog)
    findings = _section_checks(sections, per_block, blocks)
    unreadable: List[Tuple[int, int]] = []
    ranges: List[PageOfflineRange] = []
    with partial(prog, "PageOffline scan"):
        ranges = list(for_each_page_offline_range(prog, unreadable))
    with partial(prog, "PageOffline checks"):
        findings += _offline_checks(prog, ranges)
    for start, _ in unreadable:
        record_read(prog, pfn_to_page(prog, start).value_(), "struct page")
    with partial(prog, "page_owner records"):
        findings += gigantic_overrun_findings(prog, Finding)
    return findings + _partial_findings(dump_errors(prog))
