# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Sections
--------

Memory sections, their page_ext tables and the memory blocks over them, as
the core's ``sections`` command reads them (flags from the kernel's
``SECTION_*_BIT`` enum or the older defines, page_ext states, the
``memory_blocks`` xarray walked with bounds), as drgn Objects and
NamedTuples.
"""

from typing import Iterator, List, NamedTuple, Optional, Tuple

from drgn import NULL, Object, Program
from drgn.helpers.linux.mm import page_to_pfn

from .target import cached_report

__all__ = (
    "MemoryBlock",
    "SectionLayout",
    "SectionPageExt",
    "for_each_memory_block",
    "for_each_page_ext",
    "for_each_present_section",
    "page_ext_entry",
    "pfn_page_ext",
    "section_flags",
    "section_layout",
    "section_mem_map",
    "section_page_ext",
)


def _int(value: Optional[str]) -> Optional[int]:
    return None if value is None else int(value, 16)


def _sections(prog: Program) -> dict:
    doc = cached_report(prog, "sections")
    try:
        return prog.cache["memsect_sections_by_nr"]
    except KeyError:
        by_nr = prog.cache["memsect_sections_by_nr"] = {s["nr"]: s for s in doc["sections"]}
        return by_nr


class SectionLayout(NamedTuple):
    page_shift: int
    pfn_section_shift: int  # SECTION_SIZE_BITS - PAGE_SHIFT
    page_ext_size: Optional[int]  # None when rejected (not a sum of page_ext clients)
    page_struct_size: int


def section_layout(prog: Program) -> SectionLayout:
    """Return the section geometry the core resolved from the debug info."""
    L = cached_report(prog, "sections")["layout"]
    page_shift = L["page_size"].bit_length() - 1
    return SectionLayout(page_shift, L["section_size_bits"] - page_shift,
                         L["page_ext_size"], L["page_struct_size"])


def for_each_present_section(prog: Program) -> Iterator[Tuple[int, Object]]:
    """
    Iterate over every present memory section.

    :return: Iterator of (section number, ``struct mem_section *``) tuples.
    """
    for s in cached_report(prog, "sections")["sections"]:
        yield s["nr"], Object(prog, "struct mem_section *", int(s["address"], 16))


def section_flags(section: Object, nr: int) -> List[str]:
    """
    Return the flags of present section *nr* (``section`` is its ``struct
    mem_section *``): ``present``, ``has_mem_map``, ``online``, ``early``, ...
    """
    return list(_sections(section.prog_)[nr]["flags"])


def section_mem_map(section: Object, nr: int) -> Optional[Object]:
    """
    Return the ``struct page *`` of the first pfn of section *nr*, or None
    without a mem_map or when it is not a kernel address (recorded invalid).
    """
    s = _sections(section.prog_)[nr]
    if s["mem_map"] is None:
        return None
    return Object(section.prog_, "struct page *", int(s["mem_map"], 16))


class SectionPageExt(NamedTuple):
    state: str  # valid, null, invalidated, unreadable, implausible, absent
    raw: Optional[int]  # mem_section->page_ext as stored
    table: Optional[int]  # the un-biased table start
    error_address: Optional[int]  # where the read failed (unreadable)


def section_page_ext(section: Object, nr: int) -> SectionPageExt:
    """
    Return the page_ext state of section *nr*: ``valid``, ``null``,
    ``invalidated`` (``PAGE_EXT_INVALID``, b1d5488a252d, 6.1), ``unreadable``,
    ``implausible`` (not a kernel address; never read) or ``absent`` (no
    ``CONFIG_PAGE_EXTENSION``).
    """
    pe = _sections(section.prog_)[nr]["page_ext"]
    return SectionPageExt(pe["state"], _int(pe.get("raw")), _int(pe.get("table")),
                          _int(pe.get("failed_address")))


def pfn_page_ext(prog: Program, pfn: int, allow_invalid: bool = False) -> Object:
    """
    Return the ``struct page_ext *`` of *pfn* through its own section, NULL
    like ``lookup_page_ext()`` when the section has no usable table
    (``allow_invalid``: also a table being offlined).
    """
    L = section_layout(prog)
    s = _sections(prog).get(pfn >> L.pfn_section_shift)
    ok = ("valid", "invalidated") if allow_invalid else ("valid",)
    if s is None or s["page_ext"]["state"] not in ok or L.page_ext_size is None:
        return NULL(prog, "struct page_ext *")
    table = int(s["page_ext"]["table"], 16)
    return Object(prog, "struct page_ext *", table + (pfn - s["start_pfn"]) * L.page_ext_size)


def page_ext_entry(page: Object, allow_invalid: bool = False) -> Object:
    """Return the ``struct page_ext *`` of a ``struct page *`` (:func:`pfn_page_ext`)."""
    return pfn_page_ext(page.prog_, page_to_pfn(page).value_(), allow_invalid)


def for_each_page_ext(page: Object, count: int) -> Iterator[Tuple[int, Object]]:
    """
    Iterate over the page_ext entries of *count* pfns from *page*, looked up
    again at every section start (the 6.15 semantics, 9039b9096ea2), never
    extrapolated across a section.

    :return: Iterator of (pfn, ``struct page_ext *``) tuples.
    """
    prog = page.prog_
    pfn = page_to_pfn(page).value_()
    for q in range(pfn, pfn + count):
        yield q, pfn_page_ext(prog, q)


class MemoryBlock(NamedTuple):
    id: int
    start_section_nr: int
    state: str  # as in /sys/devices/system/memory/memoryN/state
    state_raw: int


def for_each_memory_block(prog: Program) -> Iterator[MemoryBlock]:
    """
    Iterate over the memory blocks of the ``memory_blocks`` xarray (a bounded
    walk: a failed read or a loop ends it, recorded in the report's errors).
    """
    for b in cached_report(prog, "sections")["memory_blocks"]["blocks"]:
        yield MemoryBlock(b["id"], b["start_section"], b["state"], b["state_raw"])
