# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Memory Sections
---------------

Helpers for ``struct mem_section`` under ``CONFIG_SPARSEMEM_EXTREME``: the
two-level root array, the flag bits in ``section_mem_map`` and the biased
``page_ext`` pointer with its ``PAGE_EXT_INVALID`` bit.  The root array is
read once and each root page once; ``struct mem_section`` Objects are made
only for present sections.
"""

import struct
from typing import Iterator, List, NamedTuple, Optional, Tuple

from drgn import FaultError, Object, Program

from .vmcoreinfo import vmcoreinfo, vmcoreinfo_number, vmcoreinfo_symbol

__all__ = (
    "SectionLayout",
    "SectionPageExt",
    "decode_section_flags",
    "for_each_present_section",
    "section_layout",
    "section_mem_map_addr",
    "section_page_ext",
    "section_start_pfn",
)

# Before the Linux kernel commit "mm: memory_hotplug: enumerate all supported
# section flags" (in v6.0) the flags were #defines that DWARF does not
# describe; these are their values (TAINT_ZONE_DEVICE from v5.12, commit
# 1f90a3477df3 "mm: teach pfn_to_online_page() about ZONE_DEVICE section
# collisions").
_LEGACY_SECTION_FLAGS = (
    ("SECTION_MARKED_PRESENT", 0),
    ("SECTION_HAS_MEM_MAP", 1),
    ("SECTION_IS_ONLINE", 2),
    ("SECTION_IS_EARLY", 3),
    ("SECTION_TAINT_ZONE_DEVICE", 4),
)


class SectionLayout(NamedTuple):
    roots: int  # address of the root array (value of mem_section)
    nr_roots: int
    sections_per_root: int
    section_size: int  # sizeof(struct mem_section)
    pfn_section_shift: int
    page_ext_offset: Optional[int]  # None without CONFIG_PAGE_EXTENSION
    page_ext_size: Optional[int]
    flags: Tuple[Tuple[str, int], ...]  # (name, bit)
    map_mask: int


def section_layout(prog: Program) -> SectionLayout:
    """Resolve the mem_section geometry of *prog* once (cached)."""
    try:
        return prog.cache["memsect_section_layout"]
    except KeyError:
        pass
    info = vmcoreinfo(prog)
    ms_type = prog.type("struct mem_section")
    size = ms_type.size
    page_size = int(info.get("PAGESIZE", "4096"))
    page_shift = page_size.bit_length() - 1
    size_bits = vmcoreinfo_number(prog, "SECTION_SIZE_BITS")
    if size_bits is None:
        size_bits = prog.constant("SECTION_SIZE_BITS").value_()
    physmem_bits = vmcoreinfo_number(prog, "MAX_PHYSMEM_BITS")
    sections_per_root = page_size // size
    roots = vmcoreinfo_symbol(prog, "mem_section")
    if roots is None:
        roots = prog["mem_section"].value_()
    nr_roots = info.get("LENGTH(mem_section)")
    if nr_roots is not None:
        nr_roots = int(nr_roots)
    else:
        nr_sections = 1 << (physmem_bits - size_bits)
        nr_roots = -(-nr_sections // sections_per_root)

    flags: List[Tuple[str, int]] = []
    for name, legacy in _LEGACY_SECTION_FLAGS:
        try:
            flags.append((name, prog.constant(name + "_BIT").value_()))
        except LookupError:
            pass
    if flags:
        last_bit = prog.constant("SECTION_MAP_LAST_BIT").value_()
    else:
        flags = list(_LEGACY_SECTION_FLAGS)
        last_bit = 5
    map_mask = ~((1 << last_bit) - 1) & 0xFFFFFFFFFFFFFFFF

    try:
        page_ext_offset = ms_type.member("page_ext").offset
        page_ext_size = prog["page_ext_size"].value_()
    except LookupError:
        page_ext_offset = page_ext_size = None

    layout = SectionLayout(
        roots,
        nr_roots,
        sections_per_root,
        size,
        size_bits - page_shift,
        page_ext_offset,
        page_ext_size,
        tuple(flags),
        map_mask,
    )
    prog.cache["memsect_section_layout"] = layout
    return layout


def section_start_pfn(prog: Program, nr: int) -> int:
    """Return the first pfn of section number *nr*."""
    return nr << section_layout(prog).pfn_section_shift


def decode_section_flags(prog: Program, section_mem_map: int) -> List[str]:
    """
    Return the names of the flags set in a ``section_mem_map`` value, as the
    kernel spells them (``SECTION_IS_ONLINE``, ...).
    """
    return [
        name
        for name, bit in section_layout(prog).flags
        if section_mem_map & (1 << bit)
    ]


def section_mem_map_addr(section: Object) -> int:
    """
    Return the decoded (biased) mem_map of a ``struct mem_section *``: with
    ``CONFIG_SPARSEMEM_VMEMMAP`` this is ``vmemmap`` for every section.
    """
    layout = section_layout(section.prog_)
    return section.section_mem_map.value_() & layout.map_mask


def for_each_present_section(prog: Program) -> Iterator[Tuple[int, Object]]:
    """
    Iterate over every section whose ``SECTION_MARKED_PRESENT`` bit is set.

    NULL roots are skipped without reading their sections; an unreadable root
    array or root page raises :class:`drgn.FaultError` naming its address.

    :return: Iterator of (section number, ``struct mem_section *``) tuples.
    """
    layout = section_layout(prog)
    present_bit = dict(layout.flags)["SECTION_MARKED_PRESENT"]
    ptr_type = prog.type("struct mem_section *")
    roots = prog.read(layout.roots, layout.nr_roots * 8)
    words_per_section = layout.section_size // 8
    for root_nr, (root,) in enumerate(struct.iter_unpack("<Q", roots)):
        if not root:
            continue
        page = prog.read(root, layout.sections_per_root * layout.section_size)
        words = struct.unpack(f"<{len(page) // 8}Q", page)
        for i in range(layout.sections_per_root):
            if words[i * words_per_section] & (1 << present_bit):
                yield (
                    root_nr * layout.sections_per_root + i,
                    Object(prog, ptr_type, root + i * layout.section_size),
                )


class SectionPageExt(NamedTuple):
    """The state of one section's ``page_ext`` pointer."""

    state: str  # "valid", "null", "invalidated", "unreadable" or "absent"
    raw: int  # the word as stored in struct mem_section
    table: Optional[int]  # un-biased start of the section's page_ext table
    error_address: Optional[int]  # first address that could not be read


# PAGE_EXT_INVALID, from Linux kernel commit b1d5488a252d ("mm: fix
# use-after free of page_ext after race with memory-offline") (in v6.1): set
# in ms->page_ext by offline_page_ext() between invalidation and freeing.
PAGE_EXT_INVALID = 0x1


def section_page_ext(section: Object, nr: int) -> SectionPageExt:
    """
    Decode the ``page_ext`` pointer of section *nr*.

    The kernel stores ``table - page_ext_size * start_pfn`` so that
    ``entry(pfn) = page_ext + page_ext_size * pfn`` with an absolute pfn.  A
    set ``PAGE_EXT_INVALID`` bit means the section is being offlined: the
    table is still allocated until ``__free_page_ext()``, and its address is
    computed with the bit stripped.  A valid table whose first entry cannot
    be read is ``unreadable``.  Kernels without ``CONFIG_PAGE_EXTENSION``
    give ``absent``.

    :param section: ``struct mem_section *``
    :param nr: section number
    """
    prog = section.prog_
    layout = section_layout(prog)
    if layout.page_ext_offset is None:
        return SectionPageExt("absent", 0, None, None)
    raw = section.page_ext.value_()
    if not raw:
        return SectionPageExt("null", 0, None, None)
    size = layout.page_ext_size
    table = (raw & ~PAGE_EXT_INVALID) + size * section_start_pfn(prog, nr)
    table &= 0xFFFFFFFFFFFFFFFF
    if raw & PAGE_EXT_INVALID:
        return SectionPageExt("invalidated", raw, table, None)
    if size:
        try:
            prog.read(table, min(size, 8))
        except FaultError as e:
            return SectionPageExt("unreadable", raw, table, e.address)
    return SectionPageExt("valid", raw, table, None)
