# SPDX-License-Identifier: LGPL-2.1-or-later
"""
memsect drgn helpers
--------------------

drgn helpers for the memory-map state behind documented kernel bugs:
``mem_section->page_ext`` and its ``PAGE_EXT_INVALID`` bit, PageOffline
pages and ``PG_offline_skippable``, memory blocks, HugeTLB vmemmap
optimization and page_owner.  They compute through libmemsect, the C core
of the ``memsect`` CLI and the crash extension (``memsect._memsect``, built
by ``make``), so their results are the CLI's.

Run with Debian's drgn (``/usr/bin/python3``, drgn 0.0.22 or later); put the
``drgn_helpers`` directory on ``sys.path``.
"""

import os as _os

# A binding built outside the package (the sid chroot's, src/python/python.mk).
if _os.environ.get("MEMSECT_PY_EXT_DIR"):
    __path__.insert(0, _os.environ["MEMSECT_PY_EXT_DIR"])

from .diagnose import DumpError, Finding, diagnose, dump_errors
from .hvo import HugetlbFolio, for_each_hugetlb_folio, hvo_report, kernel_page_table_leaf
from .offline import PageOfflineRange, for_each_page_offline_range, offline_skippable_bit
from .page_owner import (
    PageOwner,
    depot_stack,
    for_each_page_owner,
    owner_report,
    page_owner,
    page_report,
)
from .sections import (
    MemoryBlock,
    SectionLayout,
    SectionPageExt,
    for_each_memory_block,
    for_each_page_ext,
    for_each_present_section,
    page_ext_entry,
    pfn_page_ext,
    section_flags,
    section_layout,
    section_mem_map,
    section_page_ext,
)
from .target import MemsectError, report, run
from ._memsect import VERSION as __version__  # the CLI's and the crash extension's

__all__ = (
    "DumpError",
    "Finding",
    "HugetlbFolio",
    "MemoryBlock",
    "MemsectError",
    "PageOfflineRange",
    "PageOwner",
    "SectionLayout",
    "SectionPageExt",
    "depot_stack",
    "diagnose",
    "dump_errors",
    "for_each_hugetlb_folio",
    "for_each_memory_block",
    "for_each_page_ext",
    "for_each_page_offline_range",
    "for_each_page_owner",
    "for_each_present_section",
    "hvo_report",
    "kernel_page_table_leaf",
    "offline_skippable_bit",
    "owner_report",
    "page_ext_entry",
    "page_owner",
    "page_report",
    "pfn_page_ext",
    "report",
    "run",
    "section_flags",
    "section_layout",
    "section_mem_map",
    "section_page_ext",
)
