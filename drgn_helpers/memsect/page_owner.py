# SPDX-License-Identifier: LGPL-2.1-or-later
"""
page_owner
----------

page_owner records found through each pfn's own section, their stack depot
stacks and the ``owner`` and ``page`` reports, all from the core: the
documents are the CLI's ``memsect owner --json`` and ``memsect page
--json`` (without ``dump``).
"""

from typing import Iterator, List, NamedTuple, Optional, Sequence

from drgn import Object, Program

from . import _memsect
from .diagnose import DumpError, _set_errors
from .target import report, target

__all__ = ("PageOwner", "depot_stack", "for_each_page_owner", "owner_report",
           "page_owner", "page_report")


def owner_report(prog: Program, type: str = "allocated", pid: Optional[int] = None) -> dict:
    """
    Return the document of ``memsect owner --json [--type TYPE] [--pid PID]``
    without ``dump``: every record ``/sys/kernel/debug/page_owner`` would
    list (``type="freed"``: the freed ones), stacks as ``%pS``.
    """
    doc = report(prog, "owner", type=type, pid=pid)
    doc.pop("dump", None)
    _set_errors(prog, doc)
    return doc


def page_report(prog: Program, pfns: Sequence[int]) -> dict:
    """Return the document of ``memsect page --json PFN...`` without ``dump``."""
    doc = report(prog, "page", pfns=pfns)
    doc.pop("dump", None)
    _set_errors(prog, doc)
    return doc


class PageOwner(NamedTuple):
    pfn: int
    page_owner: Object  # struct page_owner *
    record: dict  # the record as in owner_report()


def _page_owner_object(prog: Program, entry: str) -> Object:
    offset = prog["page_owner_ops"].offset.value_()
    return Object(prog, "struct page_owner *", int(entry, 16) + offset)


def for_each_page_owner(prog: Program, type: str = "allocated",
                        pid: Optional[int] = None) -> Iterator[PageOwner]:
    """Iterate over the records of :func:`owner_report`."""
    for r in owner_report(prog, type, pid)["records"]:
        yield PageOwner(r["pfn"], _page_owner_object(prog, r["page_ext"]), r)


def page_owner(prog: Program, pfn: int) -> Optional[PageOwner]:
    """Return the page_owner record of *pfn*, or None without one."""
    pages = page_report(prog, [pfn])["pages"]
    r = pages[0].get("page_owner") if pages else None
    if not r:
        return None
    return PageOwner(pfn, _page_owner_object(prog, r["page_ext"]), r)


def depot_stack(prog: Program, handle: int) -> Optional[List[int]]:
    """
    Return the return addresses of stack depot *handle*, or None (handle 0,
    no depot, or an unreadable or invalid record: see :func:`dump_errors`).
    """
    ips, errors = _memsect.depot_stack(target(prog), handle)
    _set_errors(prog, [DumpError(k, a, w) for k, a, w in errors])
    return ips
