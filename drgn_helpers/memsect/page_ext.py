# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Page Extensions
---------------

Per-pfn lookup of ``struct page_ext`` under ``CONFIG_SPARSEMEM``, always
through the section the pfn belongs to: a table never extends past its
section, which is exactly what the pre-6.15 ``page_ext_next()`` got wrong
for gigantic folios.
"""

from typing import Iterator, Tuple

from drgn import NULL, Object, Program
from drgn.helpers.linux.mm import page_to_pfn

from .partial import kaddr_plausible, record_invalid
from .sections import PAGE_EXT_INVALID, checked_page_ext_size, section_layout

__all__ = ("for_each_page_ext", "page_ext_entry", "pfn_page_ext")


def _section_page_ext_word(prog: Program, nr: int) -> int:
    layout = section_layout(prog)
    if layout.page_ext_offset is None or nr >= layout.nr_roots * layout.sections_per_root:
        return 0
    slot = layout.roots + 8 * (nr // layout.sections_per_root)
    root = prog.read_u64(slot)
    if not root:
        return 0
    if not kaddr_plausible(root, layout.sections_per_root * layout.section_size):
        record_invalid(prog, slot, f"mem_section root {nr // layout.sections_per_root} is "
                       f"{root:#x}, not a kernel address")
        return 0
    ms = root + (nr % layout.sections_per_root) * layout.section_size
    return prog.read_u64(ms + layout.page_ext_offset)


def pfn_page_ext(prog: Program, pfn: int, allow_invalid: bool = False) -> Object:
    """
    Return the ``struct page_ext *`` of *pfn*, or NULL like the kernel's
    ``lookup_page_ext()`` when the section has no table or its table is being
    freed (``PAGE_EXT_INVALID``, Linux kernel commit b1d5488a252d, in v6.1).
    With *allow_invalid*, the table of a section being offlined is still
    returned: it stays allocated until ``__free_page_ext()``.  NULL too when
    page_ext_size or the table's address fails its check (recorded,
    :func:`memsect.dump_errors`).
    """
    layout = section_layout(prog)
    ptr_type = prog.type("struct page_ext *")
    nr = pfn >> layout.pfn_section_shift
    raw = _section_page_ext_word(prog, nr)
    if not raw or (raw & PAGE_EXT_INVALID and not allow_invalid):
        return NULL(prog, ptr_type)
    if checked_page_ext_size(prog) is None:
        return NULL(prog, ptr_type)
    addr = ((raw & ~PAGE_EXT_INVALID) + layout.page_ext_size * pfn) & 0xFFFFFFFFFFFFFFFF
    if not kaddr_plausible(addr, layout.page_ext_size):
        record_invalid(prog, addr, f"section {nr}: page_ext entry {addr:#x} is not a kernel address")
        return NULL(prog, ptr_type)
    return Object(prog, ptr_type, addr)


def page_ext_entry(page: Object, allow_invalid: bool = False) -> Object:
    """
    Return the ``struct page_ext *`` of a page (``page_ext_get()`` without
    the RCU lock), or NULL.

    :param page: ``struct page *``
    """
    return pfn_page_ext(page.prog_, page_to_pfn(page).value_(), allow_invalid)


def for_each_page_ext(
    page: Object, count: int, allow_invalid: bool = False
) -> Iterator[Tuple[int, Object]]:
    """
    Iterate over the page_ext entries of *count* pages starting at *page*,
    with the semantics of the kernel's ``for_each_page_ext()`` (Linux kernel
    commit 9039b9096ea2 "mm: page_ext: add an iteration API for page
    extensions", in v6.15): the next entry is the previous one plus
    ``page_ext_size`` inside a section, and is looked up again at every
    section start; the walk stops at the first pfn without a table.

    :param page: ``struct page *`` of the first page
    :return: Iterator of (pfn, ``struct page_ext *``) tuples.
    """
    prog = page.prog_
    layout = section_layout(prog)
    start = page_to_pfn(page).value_()
    per_section = 1 << layout.pfn_section_shift
    entry = pfn_page_ext(prog, start, allow_invalid)
    for index in range(count):
        pfn = start + index
        if index and pfn % per_section == 0:
            entry = pfn_page_ext(prog, pfn, allow_invalid)
        elif index:
            entry = Object(prog, entry.type_, entry.value_() + layout.page_ext_size)
        if not entry:
            return
        yield pfn, entry
