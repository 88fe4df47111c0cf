# SPDX-License-Identifier: LGPL-2.1-or-later
"""
HugeTLB Vmemmap Optimization
----------------------------

Hugetlb folios with their ``HPG_vmemmap_optimized`` flag and what the
vmemmap page tables say, as the core's ``hvo`` command finds them.
"""

from typing import Iterator, NamedTuple, Optional, Tuple

from drgn import Object, Program

from . import _memsect
from .target import cached_report, target

__all__ = ("HugetlbFolio", "for_each_hugetlb_folio", "hvo_report", "kernel_page_table_leaf")


class HugetlbFolio(NamedTuple):
    pfn: int
    order: int
    page: Object  # struct page * of the head
    flag: bool  # HPG_vmemmap_optimized
    fake_heads: int  # PG_head struct pages inside the tails
    scheme: str  # none, head-alias (<= 7.0), shared-tail (7.1+), mixed, unknown


def hvo_report(prog: Program) -> dict:
    """Return the ``hvo`` object of ``memsect hvo --json``."""
    return cached_report(prog, "hvo")["hvo"]


def for_each_hugetlb_folio(prog: Program) -> Iterator[HugetlbFolio]:
    """Iterate over every hugetlb folio of *prog*."""
    for f in hvo_report(prog)["folios"]:
        yield HugetlbFolio(f["pfn"], f["order"],
                           Object(prog, "struct page *", int(f["head_vaddr"], 16)),
                           f["flag"], f["fake_heads"], f["scheme"])


def kernel_page_table_leaf(prog: Program, vaddr: int) -> Optional[Tuple[int, int, int]]:
    """
    Walk the kernel page tables for *vaddr* (x86_64; arm64 with 4 KiB pages).

    :return: (physical address, leaf entry, level: 1 PTE, 2 PMD, 3 PUD), or
        None when it is not mapped or a table cannot be read.
    """
    return _memsect.vtop(target(prog), vaddr)
