# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Page Types
----------

``PageOffline()`` in the three encodings the kernel has used for
``page->page_type``, and ``PageOfflineSkippable()``.  Every encoding is a
mask/value test on the 32-bit ``page_type``, resolved once per program from
the dump's DWARF enums and VMCOREINFO, never from the kernel version.
"""

from typing import NamedTuple, Optional

from drgn import Object, Program, TypeKind

from .vmcoreinfo import vmcoreinfo_number

__all__ = (
    "OfflineTest",
    "PageOffline",
    "PageOfflineSkippable",
    "offline_skippable_bit",
    "offline_test",
    "page_flags_value",
)


class OfflineTest(NamedTuple):
    encoding: str  # "inverted" (<= 6.10), "base-0x80000000" (6.11), "top-byte" (6.12+)
    mask: int
    value: int  # PageOffline iff (page_type & mask) == value


def _constant(prog: Program, name: str) -> Optional[int]:
    try:
        return prog.constant(name).value_()
    except LookupError:
        return None


def offline_test(prog: Program) -> OfflineTest:
    """Return how *prog*'s kernel encodes PageOffline in ``page_type``."""
    try:
        return prog.cache["memsect_offline_test"]
    except KeyError:
        pass
    pgty = _constant(prog, "PGTY_offline")
    if pgty is not None:
        # Linux kernel commit 4ffca5a96678 ("mm: support only one page_type
        # per page") (in v6.12): the type is the top byte, the low 24 bits
        # belong to the page's owner.
        test = OfflineTest("top-byte", 0xFF000000, pgty << 24)
    else:
        base = _constant(prog, "PAGE_TYPE_BASE")
        bit = _constant(prog, "PG_offline")
        if base is not None and bit is not None:
            # v6.11 ("mm: allow reuse of the lower 16 bit of the page type
            # with an actual type"): enum pagetype, PAGE_TYPE_BASE
            # 0x80000000, types are cleared bits below it.
            test = OfflineTest("base-0x80000000", base | bit, base)
        else:
            # v5.0 to v6.10: #defines, PAGE_TYPE_BASE 0xf0000000 and an
            # inverted PG_offline bit; VMCOREINFO exports ~PG_offline (under
            # CONFIG_HUGETLB_PAGE only until v6.8).
            value = vmcoreinfo_number(prog, "PAGE_OFFLINE_MAPCOUNT_VALUE")
            bit = (~value & 0xFFFFFFFF) if value is not None else 0x100
            test = OfflineTest("inverted", 0xF0000000 | bit, 0xF0000000)
    prog.cache["memsect_offline_test"] = test
    return test


def PageOffline(page: Object) -> bool:
    """
    Return whether a page is logically offline (``PageOffline()``): ballooned
    out, or fake-offlined by virtio-mem, or hot-added but not yet onlined.

    :param page: ``struct page *``
    """
    test = offline_test(page.prog_)
    return (page.page_type.value_() & test.mask) == test.value


def page_flags_value(page: Object) -> int:
    """
    Return ``page->flags`` as an integer (a ``memdesc_flags_t`` wrapper since
    v6.18, "mm: introduce memdesc_flags_t").

    :param page: ``struct page *``
    """
    flags = page.flags
    type_ = flags.type_
    while type_.kind == TypeKind.TYPEDEF:  # no Type.unaliased_kind() in drgn 0.0.22
        type_ = type_.type
    if type_.kind == TypeKind.STRUCT:
        flags = flags.f
    return flags.value_()


def offline_skippable_bit(prog: Program) -> Optional[int]:
    """
    Return the ``page->flags`` bit of ``PG_offline_skippable`` (an alias of
    ``PG_owner_2``), or None where the kernel does not define it.  The flag
    comes from David Hildenbrand's posted "mm/memory_hotplug:
    PG_offline_skippable for offlining memory blocks with PageOffline pages"
    (May 2025), which mainline up to v7.3 does not carry.
    """
    return _constant(prog, "PG_offline_skippable")


def PageOfflineSkippable(page: Object) -> bool:
    """
    Return whether a PageOffline page may be skipped when its memory block is
    offlined (``PageOfflineSkippable()``); always False on kernels without
    ``PG_offline_skippable``.

    :param page: ``struct page *``
    """
    bit = offline_skippable_bit(page.prog_)
    if bit is None or not PageOffline(page):
        return False
    return bool(page_flags_value(page) & (1 << bit))
