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

from .partial import kaddr_plausible, partial, record_invalid
from .vmcoreinfo import vmcoreinfo, vmcoreinfo_number, vmcoreinfo_symbol

__all__ = (
    "checked_page_ext_size",
    "SectionLayout",
    "SectionPageExt",
    "decode_section_flags",
    "for_each_present_section",
    "section_layout",
    "section_mem_map",
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
    page_ext_size: Optional[int]  # None: unknown, or not a size the clients make
    flags: Tuple[Tuple[str, int], ...]  # (name, bit)
    map_mask: int
    max_folio_order: int  # the largest order a folio or page_owner record can have
    page_ext_size_bad: Optional[Tuple[int, int]]  # (address, value) of a rejected page_ext_size


# 52 physical address bits need 262144 roots; no kernel has more than this
# (the CLI's MAX_SECTION_ROOTS).
_MAX_SECTION_ROOTS = 1 << 22


def _page_ext_size_possible(prog: Program, size: int) -> bool:
    """
    Whether this kernel's page_ext clients add up to *size*, as
    invoke_need_callbacks() in mm/page_ext.c sums them: sizeof(struct
    page_ext) when an enabled client needs the shared flags word
    (need_shared_flags, with page_table_check in v5.17; before, the flags
    word was always there), plus each enabled client's size: page_owner,
    page_table_check (v5.17) and allocation tags (v6.10, union codetag_ref:
    one pointer).  The CLI checks the same (src/lib/layout.c).
    """
    try:
        flags = prog.type("struct page_ext").size
    except LookupError:
        flags = 8
    sizes = []
    for ops, type_name in (("page_owner_ops", "struct page_owner"),
                           ("page_table_check_ops", "struct page_table_check"),
                           ("page_alloc_tagging_ops", None)):
        try:
            prog.symbol(ops)
            sizes.append(prog.type(type_name).size if type_name else 8)
        except LookupError:
            continue
    for subset in range(1 << len(sizes)):
        total = sum(v for i, v in enumerate(sizes) if subset >> i & 1)
        if size in (total, total + flags):
            return True
    return False


def section_layout(prog: Program) -> SectionLayout:
    """
    Resolve the mem_section geometry of *prog* once (cached).  Raises
    ValueError, as the CLI refuses the dump, when VMCOREINFO's geometry is
    one no kernel has.
    """
    try:
        return prog.cache["memsect_section_layout"]
    except KeyError:
        pass
    info = vmcoreinfo(prog)
    ms_type = prog.type("struct mem_section")
    size = ms_type.size
    page_size = int(info.get("PAGESIZE", "4096"))
    if not 4096 <= page_size <= 65536 or page_size & (page_size - 1):
        raise ValueError(f"implausible VMCOREINFO PAGESIZE {page_size}")
    page_shift = page_size.bit_length() - 1
    size_bits = vmcoreinfo_number(prog, "SECTION_SIZE_BITS")
    if size_bits is None:
        size_bits = prog.constant("SECTION_SIZE_BITS").value_()
    if not page_shift < size_bits < 48:
        raise ValueError(f"implausible SECTION_SIZE_BITS {size_bits}")
    # NUMBER(MAX_PHYSMEM_BITS) is a run-time value with x86_64 5-level
    # paging; without it, pgtable_l5_enabled ? 52 : 46
    # (arch/x86/include/asm/sparsemem.h).
    physmem_bits = vmcoreinfo_number(prog, "MAX_PHYSMEM_BITS")
    if physmem_bits is None or not size_bits < physmem_bits <= 64:
        l5 = vmcoreinfo_number(prog, "pgtable_l5_enabled")
        if l5 is None:
            raise ValueError("VMCOREINFO has neither NUMBER(MAX_PHYSMEM_BITS) "
                             "nor NUMBER(pgtable_l5_enabled)")
        physmem_bits = 52 if l5 else 46
    sections_per_root = page_size // size
    roots = vmcoreinfo_symbol(prog, "mem_section")
    if roots is None:
        roots = prog["mem_section"].value_()
    nr_roots = -(-(1 << (physmem_bits - size_bits)) // sections_per_root)
    length = int(info.get("LENGTH(mem_section)", "0"))
    if 0 < length <= nr_roots:
        nr_roots = length
    if nr_roots > _MAX_SECTION_ROOTS:
        raise ValueError(f"implausible number of mem_section roots {nr_roots}")

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

    page_ext_bad = None
    try:
        page_ext_offset = ms_type.member("page_ext").offset
        page_ext = prog["page_ext_size"]
        page_ext_size = page_ext.value_()
    except LookupError:
        page_ext_offset = page_ext_size = None
    if page_ext_size is not None and not _page_ext_size_possible(prog, page_ext_size):
        page_ext_bad = (page_ext.address_, page_ext_size)
        page_ext_size = None

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
        2 * (page_shift - 3),
        page_ext_bad,
    )
    prog.cache["memsect_section_layout"] = layout
    return layout


def checked_page_ext_size(prog: Program) -> Optional[int]:
    """
    ``page_ext_size``, or None without one or when it is not a size this
    kernel's page_ext clients add up to (then recorded as invalid).
    """
    layout = section_layout(prog)
    if layout.page_ext_size_bad:
        address, value = layout.page_ext_size_bad
        record_invalid(prog, address, f"page_ext_size {value} is not a size this kernel's "
                       "page_ext clients add up to")
    return layout.page_ext_size


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


def section_mem_map(section: Object, nr: int) -> Optional[int]:
    """
    Return the decoded (biased) mem_map of section *nr*, or None when the
    section has no mem_map or its ``struct page`` array is not at a kernel
    address (recorded as invalid, as the CLI does).

    :param section: ``struct mem_section *``
    """
    prog = section.prog_
    layout = section_layout(prog)
    word = section.section_mem_map
    value = word.value_()
    if "SECTION_HAS_MEM_MAP" not in decode_section_flags(prog, value):
        return None
    mem_map = value & layout.map_mask
    pages = 1 << layout.pfn_section_shift
    size = prog.type("struct page").size
    first = (mem_map + section_start_pfn(prog, nr) * size) & 0xFFFFFFFFFFFFFFFF
    if not kaddr_plausible(first, pages * size):
        record_invalid(prog, word.address_, f"section {nr}: mem_map {first:#x} is not a kernel address")
        return None
    return mem_map


def for_each_present_section(prog: Program) -> Iterator[Tuple[int, Object]]:
    """
    Iterate over every section whose ``SECTION_MARKED_PRESENT`` bit is set.

    NULL roots are skipped without reading their sections.  A root array
    that cannot be read raises :class:`drgn.FaultError`, one that is not at
    a kernel address ValueError (the CLI refuses such a dump); an unreadable
    root page or a root that is not a kernel address is recorded
    (:func:`memsect.dump_errors`) and its sections are left out.

    :return: Iterator of (section number, ``struct mem_section *``) tuples.
    """
    layout = section_layout(prog)
    checked_page_ext_size(prog)
    if not kaddr_plausible(layout.roots, layout.nr_roots * 8):
        raise ValueError(f"the mem_section root array {layout.roots:#x} is not a kernel address")
    present_bit = dict(layout.flags)["SECTION_MARKED_PRESENT"]
    ptr_type = prog.type("struct mem_section *")
    roots = prog.read(layout.roots, layout.nr_roots * 8)
    words_per_section = layout.section_size // 8
    present = 0
    for root_nr, (root,) in enumerate(struct.iter_unpack("<Q", roots)):
        if not root:
            continue
        if not kaddr_plausible(root, layout.sections_per_root * layout.section_size):
            record_invalid(prog, layout.roots + 8 * root_nr,
                           f"mem_section root {root_nr} is {root:#x}, not a kernel address")
            continue
        page = None
        with partial(prog, "mem_section root page"):
            page = prog.read(root, layout.sections_per_root * layout.section_size)
        if page is None:
            continue
        words = struct.unpack(f"<{len(page) // 8}Q", page)
        for i in range(layout.sections_per_root):
            if words[i * words_per_section] & (1 << present_bit):
                present += 1
                yield (
                    root_nr * layout.sections_per_root + i,
                    Object(prog, ptr_type, root + i * layout.section_size),
                )
    if not present:  # a running kernel has the memory it runs in
        record_invalid(prog, layout.roots, "no present memory section in the mem_section array")


class SectionPageExt(NamedTuple):
    """The state of one section's ``page_ext`` pointer."""

    state: str  # "valid", "null", "invalidated", "unreadable", "implausible" or "absent"
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
    computed with the bit stripped.  A table that is not at a kernel address
    (``alloc_page_ext()`` takes it from memblock, the page allocator or
    vmalloc) is ``implausible``, recorded as invalid and never read.  A
    valid table whose first entry cannot be read is ``unreadable``.  Kernels
    without ``CONFIG_PAGE_EXTENSION`` give ``absent``.  When page_ext_size
    was rejected (:func:`section_layout`), ``table`` is None.

    :param section: ``struct mem_section *``
    :param nr: section number
    """
    prog = section.prog_
    layout = section_layout(prog)
    if layout.page_ext_offset is None:
        return SectionPageExt("absent", 0, None, None)
    word = section.page_ext
    raw = word.value_()
    if not raw:
        return SectionPageExt("null", 0, None, None)
    size = layout.page_ext_size
    table = None
    if size is not None:
        table = (raw & ~PAGE_EXT_INVALID) + size * section_start_pfn(prog, nr)
        table &= 0xFFFFFFFFFFFFFFFF
        if not kaddr_plausible(table):
            record_invalid(prog, word.address_,
                           f"section {nr}: page_ext table {table:#x} is not a kernel address")
            return SectionPageExt("implausible", raw, table, None)
    if raw & PAGE_EXT_INVALID:
        return SectionPageExt("invalidated", raw, table, None)
    if size:
        try:
            prog.read(table, min(size, 8))
        except FaultError as e:
            return SectionPageExt("unreadable", raw, table, e.address)
    return SectionPageExt("valid", raw, table, None)
