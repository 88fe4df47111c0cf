# SPDX-License-Identifier: LGPL-2.1-or-later
"""
memsect drgn helpers
--------------------

drgn helpers for the memory-map state behind documented kernel bugs:
``mem_section->page_ext`` and its ``PAGE_EXT_INVALID`` bit, PageOffline
pages and ``PG_offline_skippable``, and memory blocks.  Each compatibility
branch is chosen by probing the dump's types and symbols, never by kernel
version, and cites the kernel commit that introduced it.

Run with Debian's drgn (``/usr/bin/python3``, drgn 0.0.22 or later); put the
``drgn_helpers`` directory on ``sys.path``.
"""

from .diagnose import Finding, diagnose
from .hvo import (
    HugetlbFolio,
    VmemmapWalk,
    for_each_hugetlb_folio,
    hvo_report,
    kernel_page_table_leaf,
    vmemmap_aliases,
)
from .memory_block import (
    MemoryBlock,
    for_each_memory_block,
    memory_block_state_names,
    sections_per_block,
)
from .offline import (
    PageOfflineRange,
    for_each_page_offline_range,
    pfns_in_dump,
    read_section_pages,
)
from .page_ext import for_each_page_ext, page_ext_entry, pfn_page_ext
from .page_owner import (
    PageOwner,
    decode_page,
    depot_stack,
    for_each_page_owner,
    gigantic_overrun_findings,
    owner_report,
    page_owner,
    page_report,
)
from .page_type import (
    PageOffline,
    PageOfflineSkippable,
    offline_skippable_bit,
    offline_test,
    page_flags_value,
)
from .partial import DumpError, dump_errors, new_errors
from .sections import (
    PAGE_EXT_INVALID,
    SectionPageExt,
    decode_section_flags,
    for_each_present_section,
    checked_page_ext_size,
    section_layout,
    section_mem_map,
    section_mem_map_addr,
    section_page_ext,
    section_start_pfn,
)
from .vmcoreinfo import vmcoreinfo, vmcoreinfo_number, vmcoreinfo_symbol

__all__ = (
    "DumpError",
    "checked_page_ext_size",
    "dump_errors",
    "new_errors",
    "section_mem_map",
    "PageOwner",
    "decode_page",
    "depot_stack",
    "for_each_page_owner",
    "gigantic_overrun_findings",
    "owner_report",
    "page_owner",
    "page_report",
    "Finding",
    "HugetlbFolio",
    "VmemmapWalk",
    "diagnose",
    "for_each_hugetlb_folio",
    "hvo_report",
    "kernel_page_table_leaf",
    "vmemmap_aliases",
    "pfns_in_dump",
    "MemoryBlock",
    "PAGE_EXT_INVALID",
    "PageOffline",
    "PageOfflineRange",
    "PageOfflineSkippable",
    "SectionPageExt",
    "decode_section_flags",
    "for_each_memory_block",
    "for_each_page_ext",
    "for_each_page_offline_range",
    "for_each_present_section",
    "memory_block_state_names",
    "offline_skippable_bit",
    "offline_test",
    "page_ext_entry",
    "page_flags_value",
    "pfn_page_ext",
    "read_section_pages",
    "section_layout",
    "section_mem_map_addr",
    "section_page_ext",
    "section_start_pfn",
    "sections_per_block",
    "vmcoreinfo",
    "vmcoreinfo_number",
    "vmcoreinfo_symbol",
)
