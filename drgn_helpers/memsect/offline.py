# SPDX-License-Identifier: LGPL-2.1-or-later
"""
PageOffline
-----------

PageOffline pfn ranges as the core's ``offline`` command finds them (all
three ``page_type`` encodings, ``PG_offline_skippable`` where the kernel
defines it), merged across sections like ``/proc/kpageflags``.
"""

from typing import Dict, Iterator, NamedTuple, Optional

from drgn import Program

from .target import cached_report

__all__ = ("PageOfflineRange", "for_each_page_offline_range", "offline_skippable_bit")


class PageOfflineRange(NamedTuple):
    start_pfn: int
    end_pfn: int
    refcounts: Dict[str, int]  # "0", "1", "2", ">=3", "negative"
    skippable: Optional[int]  # None where the kernel has no PG_offline_skippable
    in_going_offline: int
    refcount_unexpected: int
    in_file: Optional[int]  # pfns whose contents the dump holds


def for_each_page_offline_range(prog: Program) -> Iterator[PageOfflineRange]:
    """Iterate over the PageOffline pfn ranges of *prog*."""
    for r in cached_report(prog, "offline")["offline"]["ranges"]:
        yield PageOfflineRange(r["start_pfn"], r["end_pfn"], r["refcount"], r["skippable"],
                               r["in_going_offline"], r["refcount_unexpected"], r["in_file"])


def offline_skippable_bit(prog: Program) -> Optional[int]:
    """
    Return the ``PG_offline_skippable`` bit where the kernel defines it (the
    posted May 2025 design; no mainline kernel up to 7.3 has it), else None.
    """
    return cached_report(prog, "offline")["layout"]["pg_offline_skippable_bit"]
