# SPDX-License-Identifier: LGPL-2.1-or-later
"""
PageOffline Ranges
------------------

A whole-memory scan for PageOffline pages.  ``struct page`` arrays are read
one section at a time with :meth:`drgn.Program.read` and decoded from the
raw bytes; Objects are made only for what is reported.
"""

import array
from collections import Counter
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from drgn import FaultError, Program

from .memory_block import for_each_memory_block, sections_per_block
from .page_type import offline_skippable_bit, offline_test
from .sections import for_each_present_section, section_layout, section_mem_map

__all__ = (
    "PageOfflineRange",
    "for_each_page_offline_range",
    "pfns_in_dump",
    "read_section_pages",
)


class PageOfflineRange(NamedTuple):
    start_pfn: int
    end_pfn: int  # exclusive
    refcounts: Dict[int, int]  # _refcount value -> number of pages
    skippable: Optional[int]  # pages with PG_offline_skippable; None: no such flag
    in_going_offline: int  # pages in a MEM_GOING_OFFLINE memory block
    refcount_unexpected: int  # see for_each_page_offline_range()


class _PageFields(NamedTuple):
    size: int
    flags: int
    page_type: int
    refcount: int


def _page_fields(prog: Program) -> _PageFields:
    try:
        return prog.cache["memsect_page_fields"]
    except KeyError:
        pass
    page = prog.type("struct page")
    fields = _PageFields(
        page.size,
        page.member("flags").offset,
        page.member("page_type").offset,
        page.member("_refcount").offset,
    )
    prog.cache["memsect_page_fields"] = fields
    return fields


def read_section_pages(
    prog: Program, nr: int, mem_map: int
) -> Tuple[bytes, List[Tuple[int, int]]]:
    """
    Read the ``struct page`` array of section *nr* in one read, falling back
    to one vmemmap page at a time where the dump lacks part of it.

    :param mem_map: the section's decoded (biased) mem_map
    :return: (bytes, [(first pfn, end pfn) of every unreadable part]); the
        unreadable parts read as zeroes.
    """
    layout = section_layout(prog)
    fields = _page_fields(prog)
    per_section = 1 << layout.pfn_section_shift
    start_pfn = nr * per_section
    addr = (mem_map + start_pfn * fields.size) & 0xFFFFFFFFFFFFFFFF
    size = per_section * fields.size
    try:
        return prog.read(addr, size), []
    except FaultError:
        pass
    chunk = 4096
    buf = bytearray(size)
    missing: List[Tuple[int, int]] = []
    for off in range(0, size, chunk):
        try:
            buf[off:off + chunk] = prog.read(addr + off, chunk)
        except FaultError:
            first = start_pfn + off // fields.size
            last = start_pfn + -(-(off + chunk) // fields.size)
            if missing and missing[-1][1] >= first:
                missing[-1] = (missing[-1][0], last)
            else:
                missing.append((first, last))
    return bytes(buf), missing


def _going_offline_blocks(prog: Program) -> Tuple[int, Set[int]]:
    """
    Return (sections per block, ids of MEM_GOING_OFFLINE blocks).  Without
    memory hotplug no block is going offline, nor is any block the dump
    lacks (e.g. a makedumpfile that misjudged its slab pages).
    """
    try:
        per_block = sections_per_block(prog)
        going = {b.id for b in for_each_memory_block(prog) if b.state == "going-offline"}
    except LookupError:
        return 1, set()
    return max(per_block, 1), going


def for_each_page_offline_range(
    prog: Program, unreadable: Optional[List[Tuple[int, int]]] = None
) -> Iterator[PageOfflineRange]:
    """
    Iterate over the maximal runs of consecutive PageOffline pfns in every
    present section that has a mem_map, in pfn order.  Runs continue across
    section boundaries.

    ``refcount_unexpected`` counts pages whose refcount memory offlining
    would reject: with ``PG_offline_skippable`` a skippable page must keep
    refcount 1 (``__offline_isolated_pages()`` warns otherwise); without the
    flag, the mainline mechanism has virtio-mem drop the refcount of its
    fake-offline pages to 0 in ``MEM_GOING_OFFLINE``, and
    ``__offline_isolated_pages()`` has ``BUG_ON(page_count(page))``, so a page
    of a going-offline block must have refcount 0.  Block states come from
    :func:`for_each_memory_block`; where the dump lacks them, no block counts
    as going offline.

    :param unreadable: if given, the pfn ranges whose ``struct page`` the dump
        does not hold (and which therefore could not be decoded) are appended
        to it: a non-empty list means the result is partial.
    :return: Iterator of :class:`PageOfflineRange`.
    """
    fields = _page_fields(prog)
    test = offline_test(prog)
    skip_bit = offline_skippable_bit(prog)
    layout = section_layout(prog)
    per_section = 1 << layout.pfn_section_shift
    words_per_page = fields.size // 4
    per_block, going_blocks = _going_offline_blocks(prog)
    from .hvo import hugetlb_heads_in_section  # hvo imports this module

    try:
        hugetlb_heads_in_section(prog, b"", 0, 0)
        hugetlb_known = True
    except LookupError:
        hugetlb_known = False
    hugetlb_end = 0  # end pfn of the last hugetlb folio seen

    current: Optional[List] = None  # PageOfflineRange fields, mutable
    for nr, section in for_each_present_section(prog):
        mem_map = section_mem_map(section, nr)
        if mem_map is None:
            continue
        buf, missing = read_section_pages(prog, nr, mem_map)
        if unreadable is not None:
            unreadable.extend(missing)
        words = array.array("I")
        words.frombytes(buf)
        types = words[fields.page_type // 4::words_per_page]
        refs = words[fields.refcount // 4::words_per_page]
        going = nr // per_block in going_blocks
        base = nr * per_section
        mask, value = test.mask, test.value
        # Hugetlb folios are never PageOffline; with HVO their tails are
        # aliases of the head (or of a page other folios share), so their
        # pfns are skipped by order, not decoded (as the CLI does).
        folios = []
        if hugetlb_known:
            folios = [(p, p + (1 << o)) for p, o, _ in
                      hugetlb_heads_in_section(prog, buf, base, mem_map)
                      if p >= hugetlb_end]
        skip = [(base, hugetlb_end)] if hugetlb_end > base else []
        for a, b in folios:
            if skip and a < skip[-1][1]:
                continue
            skip.append((a, b))
        if skip:
            hugetlb_end = max(hugetlb_end, skip[-1][1])
        for i in [i for i, t in enumerate(types) if t & mask == value]:
            pfn = base + i
            if any(a <= pfn < b for a, b in skip):
                continue
            if current is None or current[1] != pfn:
                if current is not None:
                    yield PageOfflineRange(*current)
                current = [pfn, pfn, Counter(), None if skip_bit is None else 0, 0, 0]
            current[1] = pfn + 1
            ref = refs[i] - (1 << 32) if refs[i] >= 1 << 31 else refs[i]
            current[2][ref] += 1
            if skip_bit is not None:
                flags = int.from_bytes(buf[i * fields.size + fields.flags:][:8], "little")
                if (flags >> skip_bit) & 1:
                    current[3] += 1
                    current[5] += ref != 1
            elif going:
                current[5] += ref != 0
            current[4] += going
    if current is not None:
        yield PageOfflineRange(*current)


def _pfns_readable(prog: Program, start_pfn: int, end_pfn: int, page_size: int) -> int:
    try:
        prog.read(start_pfn * page_size, (end_pfn - start_pfn) * page_size, True)
        return end_pfn - start_pfn
    except FaultError:
        if end_pfn - start_pfn == 1:
            return 0
    mid = (start_pfn + end_pfn) // 2
    return _pfns_readable(prog, start_pfn, mid, page_size) + _pfns_readable(
        prog, mid, end_pfn, page_size
    )


def pfns_in_dump(prog: Program, start_pfn: int, end_pfn: int) -> int:
    """
    Return how many pfns of ``[start_pfn, end_pfn)`` the dump file holds the
    contents of: physical reads of at most 1 MiB that succeed, halved where a
    read fails.
    """
    page_size = prog["PAGE_SIZE"].value_()
    chunk = max((1 << 20) // page_size, 1)
    return sum(
        _pfns_readable(prog, pfn, min(pfn + chunk, end_pfn), page_size)
        for pfn in range(start_pfn, end_pfn, chunk)
    )
