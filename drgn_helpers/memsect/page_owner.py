# SPDX-License-Identifier: LGPL-2.1-or-later
"""
Page Owner
----------

page_owner records (``mm/page_owner.c``) read from each pfn's own section's
page_ext table, their stacks from the stack depot (``lib/stackdepot.c``),
and the ``PAGE_EXT_GIGANTIC_OVERRUN`` check.  Mirrors the memsect CLI's
``owner`` command (same JSON records) and its check.
"""

import bisect
import struct
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from drgn import FaultError, Object, Program, SymbolBinding, SymbolKind

from .page_type import page_flags_value
from .partial import (
    cached,
    dump_errors,
    kaddr_plausible,
    new_errors,
    partial,
    record_invalid,
    record_read,
)
from .sections import (
    SectionPageExt,
    for_each_present_section,
    section_layout,
    section_mem_map,
    section_page_ext,
)
from .vmcoreinfo import vmcoreinfo

__all__ = (
    "PageOwner",
    "decode_page",
    "page_report",
    "depot_stack",
    "for_each_page_owner",
    "gigantic_overrun_findings",
    "owner_report",
    "page_owner",
)

_DEPOT_STACK_ALIGN = 4
_DEPOT_POOL_ORDER = 2
_MAX_SECTIONS_ORDER = 12
# Entries a stack_record with a flexible array is read for: 64, the
# CONFIG_STACKDEPOT_MAX_FRAMES default that 6.8 made the array's size.
_DEPOT_MAX_ENTRIES = 64


class PageOwner(NamedTuple):
    pfn: int
    section: int
    entry: int  # page_ext entry address
    invalidated: bool  # the section's page_ext is being offlined
    owner: bool  # PAGE_EXT_OWNER
    allocated: bool  # PAGE_EXT_OWNER_ALLOCATED
    record: Object  # struct page_owner


def _has(prog: Program, name: str) -> bool:
    try:
        prog.symbol(name)
        return True
    except LookupError:
        return False


def _po_offset(prog: Program) -> Optional[int]:
    """page_owner_ops.offset, or None when page_owner is not enabled."""
    try:
        if not prog["page_owner_inited"].key.enabled.counter.value_():
            return None
        return prog["page_owner_ops"].offset.value_()
    except (LookupError, AttributeError):
        return None


def _decode(prog: Program, pfn: int, nr: int, entry: int, invalidated: bool, off: int) -> PageOwner:
    flags = prog.read_u64(entry)
    bit_owner = prog["PAGE_EXT_OWNER"].value_()
    bit_alloc = prog["PAGE_EXT_OWNER_ALLOCATED"].value_()
    return PageOwner(
        pfn, nr, entry, invalidated, bool(flags >> bit_owner & 1), bool(flags >> bit_alloc & 1),
        Object(prog, "struct page_owner", address=entry + off).read_(),
    )


def _tables(prog: Program) -> Dict[int, tuple]:
    """{section: (table, invalidated)} of every table page_owner can read."""
    return cached(prog, "memsect_page_ext_tables", lambda: {
        nr: (pe.table, pe.state == "invalidated")
        for nr, pe in _section_page_exts(prog).items()
        if pe.state in ("valid", "invalidated") and pe.table
    })


def _section_page_exts(prog: Program) -> dict:
    return {nr: section_page_ext(ms, nr) for nr, ms in for_each_present_section(prog)}


def page_owner(prog: Program, pfn: int) -> Optional[PageOwner]:
    """The page_owner record of *pfn* through its own section, or None."""
    off = _po_offset(prog)
    layout = section_layout(prog)
    nr = pfn >> layout.pfn_section_shift
    t = _tables(prog).get(nr)
    if off is None or t is None:
        return None
    entry = t[0] + layout.page_ext_size * (pfn - (nr << layout.pfn_section_shift))
    return _decode(prog, pfn, nr, entry, t[1], off)


def for_each_page_owner(prog: Program, type: str = "allocated", pid: Optional[int] = None) -> Iterator[PageOwner]:
    """
    The records /sys/kernel/debug/page_owner prints (first pfn of each
    allocation, PAGE_EXT_OWNER and PAGE_EXT_OWNER_ALLOCATED set, a stack
    handle); *type* ``"freed"`` gives the records of freed pages instead.
    A table that cannot be read is recorded (:func:`memsect.dump_errors`),
    so is a record whose order no folio can have (and the record is kept).
    """
    off = _po_offset(prog)
    if off is None:
        return
    for nr, pe in sorted(_section_page_exts(prog).items()):
        if pe.state == "unreadable":
            record_read(prog, pe.error_address, f"section {nr}: page_ext table")
    for nr, (table, inval) in sorted(_tables(prog).items()):
        with partial(prog, f"section {nr}: page_owner records"):
            yield from _section_owners(prog, nr, table, inval, off, type, pid)


def _order_valid(prog: Program, po: "PageOwner", off: int) -> bool:
    """Whether the record's order is one a folio can have; records it if not."""
    order, top = po.record.order.value_(), section_layout(prog).max_folio_order
    if order <= top:
        return True
    record_invalid(prog, po.entry + off + po.record.type_.member("order").offset,
                   f"pfn {po.pfn:#x} page_owner order {order} is above the largest "
                   f"folio order {top}")
    return False


def _section_owners(
    prog: Program, nr: int, table: int, inval: bool, off: int, type: str, pid: Optional[int]
) -> Iterator[PageOwner]:
    layout = section_layout(prog)
    for k in range(1 << layout.pfn_section_shift):
        pfn = (nr << layout.pfn_section_shift) + k
        po = _decode(prog, pfn, nr, table + layout.page_ext_size * k, inval, off)
        order = po.record.order.value_()
        if not _order_valid(prog, po, off):  # kept, marked (owner_json)
            pass
        elif pfn & ((1 << order) - 1):
            continue
        if type == "allocated" and (not po.owner or not po.allocated or not po.record.handle.value_()):
            continue
        # freed: also pages with only a free stack (__free_pages_core() at online)
        if type == "freed" and (po.allocated or (not po.owner and not po.record.free_handle.value_())):
            continue
        if pid is not None and po.record.pid.value_() != pid:
            continue
        yield po


def depot_stack(prog: Program, handle: int) -> Optional[List[int]]:
    """
    Return the addresses of a stack depot handle, or None: for handle 0,
    and where the handle or its record fails a check (recorded,
    :func:`memsect.dump_errors`): a pool index past the pools in use, a pool
    pointer that is not a kernel address, a record carrying another handle,
    more entries than the record holds.
    """
    if not handle:
        return None
    page_shift = int(vmcoreinfo(prog).get("PAGESIZE", "4096")).bit_length() - 1
    offset_bits = _DEPOT_POOL_ORDER + page_shift - _DEPOT_STACK_ALIGN
    # 83a4f1ef45a9 (v6.1): 5 extra bits
    extra = 5 if _has(prog, "stack_depot_get_extra_bits") else 0
    if _has(prog, "pools_num"):  # 6.8: no valid bit, index + 1
        index_bits = 32 - offset_bits - extra
        idx = (handle & ((1 << index_bits) - 1)) - 1
        count = prog["pools_num"]
        last = count.value_() - 1
        pools = prog["stack_pools"]
    else:
        index_bits = 32 - offset_bits - 1 - extra
        idx = handle & ((1 << index_bits) - 1)
        if not handle >> (index_bits + offset_bits) & 1:
            idx = -1
        old = _has(prog, "depot_index")
        count = prog["depot_index" if old else "pool_index"]
        last = count.value_()
        pools = prog["stack_slabs" if old else "stack_pools"]
    if not 0 <= idx <= last:
        record_invalid(prog, count.address_,
                       f"stack depot handle {handle:#x}: pool {idx} is not in use")
        return None
    pool = pools[idx]
    if not kaddr_plausible(pool.value_(), 4096 << _DEPOT_POOL_ORDER):
        record_invalid(prog, pool.address_ or 0,
                       f"stack depot pool {idx} is {pool.value_():#x}, not a kernel address")
        return None
    off = (handle >> index_bits) & ((1 << offset_bits) - 1)
    rec = Object(prog, "struct stack_record", address=pool.value_() + (off << _DEPOT_STACK_ALIGN))
    mask = (1 << (32 - extra)) - 1  # the extra bits are the caller's
    if (rec.handle.handle.value_() ^ handle) & mask:
        record_invalid(prog, rec.handle.address_,
                       f"stack depot handle {handle:#x}: its record carries "
                       f"{rec.handle.handle.value_():#x}")
        return None
    n = rec.size.value_()
    room = rec.entries.type_.length or _DEPOT_MAX_ENTRIES
    if n > room:
        record_invalid(prog, rec.size.address_,
                       f"stack depot handle {handle:#x}: {n} entries, the record holds {room}")
        return None
    return [int(ip) for ip in struct.unpack(f"<{n}Q", prog.read(rec.entries.address_, 8 * n))]


def _linker_provided(name: str) -> bool:
    """scripts/kallsyms.c may_be_linker_script_provide_symbol(): __start_X,
    __stop_X, __end_X, __X_start, __X_end (as src/elf/symtab.c)."""
    return len(name) >= 8 and name.startswith("__") and (
        name.startswith(("__start_", "__stop_", "__end_")) or name.endswith(("_start", "_end")))


def _symbol_table(prog: Program) -> Tuple[List[int], List[str]]:
    """Symbols sorted like kallsyms: aliases in scripts/kallsyms.c's
    compare_symbols() order (weak last, then linker-provided labels, then
    more leading '_'), then by name."""
    try:
        return prog.cache["memsect_symbol_table"]
    except KeyError:
        pass
    kinds = (SymbolKind.FUNC, SymbolKind.OBJECT, SymbolKind.UNKNOWN)
    syms = sorted(
        (s.address, s.binding == SymbolBinding.WEAK, _linker_provided(s.name),
         len(s.name) - len(s.name.lstrip("_")), s.name)
        for s in prog.symbols()
        if s.kind in kinds and s.name and s.name[0] != "$" and not s.name.startswith(".L")
    )
    table = ([s[0] for s in syms], [s[-1] for s in syms])
    prog.cache["memsect_symbol_table"] = table
    return table


def _symbolize(prog: Program, ip: int) -> str:
    """%pS: name+offset/size, the size being the distance to the next symbol (kallsyms)."""
    addrs, names = _symbol_table(prog)
    i = bisect.bisect_right(addrs, ip) - 1
    if i < 0:
        return hex(ip)
    first = bisect.bisect_left(addrs, addrs[i])
    nxt = bisect.bisect_right(addrs, addrs[i])
    if nxt == len(addrs):
        return hex(ip)
    return f"{names[first]}+{ip - addrs[first]:#x}/{addrs[nxt] - addrs[first]:#x}"


def _stack_json(prog: Program, handle: int) -> Optional[List[str]]:
    ips = None
    with partial(prog, f"stack depot handle {handle:#x}"):
        ips = depot_stack(prog, handle)
    return None if ips is None else [_symbolize(prog, ip) for ip in ips]


def _gfp_names(prog: Program, flags: int) -> str:
    out = []
    try:
        table = prog["gfpflag_names"]
    except LookupError:
        table = None
    i = 0
    while table is not None and flags and i < 64:
        e = table[i]
        i += 1
        if not e.name.value_():
            break
        mask = e.mask.value_()
        if mask and flags & mask == mask:
            out.append(e.name.string_().decode())
            flags &= ~mask
    if flags:
        out.append(hex(flags))
    return "|".join(out)


def _comm(rec: Object) -> str:
    raw = rec.comm.string_()
    return "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in raw.decode("latin-1"))


def owner_json(prog: Program, po: PageOwner) -> dict:
    r = po.record
    members = {m.name for m in r.type_.members}
    d = {
        "pfn": po.pfn,
        "section": po.section,
        "page_ext": hex(po.entry),
        "section_being_offlined": po.invalidated,
        "allocated": po.allocated,
        "order": r.order.value_(),
        **({"order_valid": False} if r.order.value_() > section_layout(prog).max_folio_order else {}),
        "gfp_mask": hex(r.gfp_mask.value_()),
        "gfp_flags": _gfp_names(prog, r.gfp_mask.value_()),
        "last_migrate_reason": r.last_migrate_reason.value_(),
    }
    for key in ("pid", "tgid"):
        if key in members:
            d[key] = r.member_(key).value_()
    if "comm" in members:
        d["comm"] = _comm(r)
    for key in ("ts_nsec", "free_ts_nsec", "free_pid", "free_tgid"):
        if key in members:
            d[key] = r.member_(key).value_()
    d["handle"] = hex(r.handle.value_())
    d["stack"] = _stack_json(prog, r.handle.value_())
    d["free_handle"] = hex(r.free_handle.value_())
    d["free_stack"] = _stack_json(prog, r.free_handle.value_())
    return d


def _errors_json(prog: Program) -> list:
    """The first 64 errors, as the CLI's ``read_errors``."""
    return [{"address": hex(e.address), "kind": e.kind, "what": e.what}
            for e in dump_errors(prog)[:64]]


def owner_report(prog: Program, type: str = "allocated", pid: Optional[int] = None) -> dict:
    """The CLI's ``memsect owner --json`` document, without the ``dump`` path."""
    new_errors(prog)
    off = _po_offset(prog)
    doc = {"schema": "memsect/1", "command": "owner", "type": type, "pid": pid,
           "page_owner": off is not None}
    if off is None:
        doc["reason"] = "page_owner is not enabled"
    else:
        doc["reason"] = None
        doc["page_ext_size"] = section_layout(prog).page_ext_size
        doc["page_owner_offset"] = off
    doc["records"] = [owner_json(prog, po) for po in for_each_page_owner(prog, type, pid)]
    doc["partial"] = bool(dump_errors(prog))
    doc["read_errors"] = _errors_json(prog)
    return doc


def gigantic_overrun_findings(prog: Program, finding) -> list:
    """PAGE_EXT_GIGANTIC_OVERRUN, as src/lib/checks/page_ext_gigantic_overrun.c."""
    off = _po_offset(prog)
    if off is None:
        return []
    out = []
    for nr, pe in _section_page_exts(prog).items():
        if pe.state != "valid" or pe.table is None:
            continue
        with partial(prog, f"section {nr}: page_owner of its first pfn", pe.table):
            out += _overrun(prog, finding, nr, pe, off)
    return out


def _overrun(prog: Program, finding, nr: int, pe: SectionPageExt, off: int) -> list:
    layout = section_layout(prog)
    shift = layout.pfn_section_shift
    size = layout.page_ext_size
    tables = _tables(prog)
    head = _decode(prog, nr << shift, nr, pe.table, False, off)
    order = head.record.order.value_()
    handle = head.record.handle.value_()
    if not head.owner or not head.allocated or not handle:
        return []
    if order > layout.max_folio_order:
        record_invalid(prog, head.entry + off, f"page_owner of pfn {head.pfn:#x}: order {order}")
        return []
    if not shift < order <= shift + _MAX_SECTIONS_ORDER:
        return []
    nsec = 1 << (order - shift)
    missing = linear = unreadable = 0

    def same(po: PageOwner) -> bool:
        return po.owner and po.record.order.value_() == order and po.record.handle.value_() == handle

    for j in range(1, nsec):
        q = head.pfn + (j << shift)
        t = tables.get(q >> shift)
        try:
            own = t is not None and same(_decode(prog, q, q >> shift, t[0], t[1], off))
        except FaultError:
            own = False
        missing += not own
        try:
            lin = _decode(prog, q, nr, head.entry + (j << shift) * size, False, off)
        except FaultError:
            unreadable += 1
            continue
        linear += same(lin)
    if not missing or not linear:
        return []
    return [finding(
        "PAGE_EXT_GIGANTIC_OVERRUN", "error",
        {"kind": "pfn_range", "start_pfn": head.pfn, "end_pfn": head.pfn + (1 << order)},
        f"order-{order} folio at pfn {head.pfn:#x}: page_owner records written past "
        f"section {nr}'s page_ext table; kernel lacks 9039b9096ea2 (v6.15)",
        {
            "order": order,
            "sections": nsec,
            "sections_missing_record": missing,
            "records_past_table": linear,
            "unreadable_past_table": unreadable,
            "table_end": hex(pe.table + size * (1 << shift)),
            "handle": hex(handle),
            "missing_fix": "9039b9096ea2 4e30b94cdad6 3a812bed3d32",
        },
    )]


def _clients(prog: Program) -> dict:
    """Active page_ext clients, by page_ext_size arithmetic (src/lib/page_info.c)."""
    try:
        return prog.cache["memsect_page_ext_clients"]
    except KeyError:
        pass
    size = section_layout(prog).page_ext_size
    po = _po_offset(prog)
    used = 8 + prog.type("struct page_owner").size if po is not None else 0
    ptc = None
    try:
        if not prog["page_table_check_disabled"].key.enabled.counter.value_():
            ptc = prog["page_table_check_ops"].offset.value_()
            used += 8
    except LookupError:
        pass
    tag = None
    if size is not None and used + 8 == size:
        try:
            tag = prog["page_alloc_tagging_ops"].offset.value_()
        except LookupError:
            pass
    out = {"page_owner": po, "page_table_check": ptc, "alloc_tag": tag}
    prog.cache["memsect_page_ext_clients"] = out
    return out


def _members(t) -> Iterator:
    """Members of a struct, anonymous unions/structs flattened."""
    for m in t.members:
        if m.name is None:
            yield from _members(m.type)
        else:
            yield m


def decode_page(prog: Program, pfn: int) -> Optional[dict]:
    """
    The CLI's ``memsect page --json`` entry of *pfn*: struct page, its
    page_ext entry (through the pfn's own section) and every client's data;
    None when no present section holds *pfn*.  What cannot be read or fails
    a check is null and recorded (:func:`memsect.dump_errors`).
    """
    layout = section_layout(prog)
    shift = layout.pfn_section_shift
    nr = pfn >> shift
    sec = {n: ms for n, ms in for_each_present_section(prog)}.get(nr)
    if sec is None:
        return None
    pe = section_page_ext(sec, nr)
    k = _clients(prog)
    d = {"pfn": pfn, "section": nr, "section_being_offlined": pe.state == "invalidated",
         "page": None}
    mem_map = section_mem_map(sec, nr)
    size = prog.type("struct page").size
    if mem_map is not None:
        with partial(prog, f"struct page of pfn {pfn:#x}"):
            first = (mem_map + (nr << shift) * size) & 0xFFFFFFFFFFFFFFFF  # coded: mem_map - start_pfn
            addr = first + (pfn - (nr << shift)) * size
            page = Object(prog, "struct page", address=addr).read_()
            # 7.x renamed it compound_info (encoding not decoded here): None
            has_ch = any(m.name == "compound_head" for m in _members(page.type_))
            ch = page.compound_head.value_() if has_ch else 0
            head = None
            if ch & 1:
                delta = (ch - 1) - first
                if delta >= 1 << 63:
                    delta -= 1 << 64
                head = (nr << shift) + delta // size if delta % size == 0 else "not a struct page"
            mc = page._mapcount.counter.value_()
            d["page"] = {
                "address": hex(addr),
                "flags": hex(page_flags_value(page)),
                "refcount": page._refcount.counter.value_(),
                "mapcount": mc + 1,
                "page_type": hex(mc & 0xFFFFFFFF),
                "compound_head": head,
            }
    entry = None
    if pe.state == "unreadable":
        record_read(prog, pe.error_address, f"section {nr}: page_ext table")
    elif pe.state in ("valid", "invalidated") and pe.table:
        with partial(prog, f"page_ext of pfn {pfn:#x}"):
            candidate = pe.table + layout.page_ext_size * (pfn - (nr << shift))
            prog.read(candidate, layout.page_ext_size)
            entry = candidate
    d["page_ext"] = {"address": hex(entry)} if entry is not None else None
    d["page_owner"] = d["page_table_check"] = d["alloc_tag"] = None
    if entry is None:
        return d
    if k["page_owner"] is not None:
        with partial(prog, f"page_owner of pfn {pfn:#x}"):
            po = _decode(prog, pfn, nr, entry, pe.state == "invalidated", k["page_owner"])
            _order_valid(prog, po, k["page_owner"])
            d["page_owner"] = owner_json(prog, po)
    if k["page_table_check"] is not None:
        base = entry + k["page_table_check"]
        with partial(prog, f"page_table_check of pfn {pfn:#x}"):
            d["page_table_check"] = {
                "anon_map_count": Object(prog, "int", address=base).value_(),
                "file_map_count": Object(prog, "int", address=base + 4).value_(),
            }
    if k["alloc_tag"] is not None:
        with partial(prog, f"alloc tag of pfn {pfn:#x}"):  # e.g. the 6.11-6.14 overrun
            ct = prog.read_u64(entry + k["alloc_tag"])
            if ct > 1 and not kaddr_plausible(ct):
                record_invalid(prog, entry + k["alloc_tag"],
                               f"pfn {pfn:#x} alloc tag {ct:#x} is not a kernel address")
            elif ct > 1:  # CODETAG_EMPTY is (void *)1
                tag = Object(prog, "struct codetag", address=ct)
                d["alloc_tag"] = {
                    "tag": hex(ct),
                    "file": tag.filename.string_().decode(),
                    "line": tag.lineno.value_(),
                    "function": tag.function.string_().decode(),
                }
    return d


def page_report(prog: Program, pfns: List[int]) -> dict:
    """The CLI's ``memsect page --json`` document, without the ``dump`` path."""
    new_errors(prog)
    k = _clients(prog)
    pages = [p for p in (decode_page(prog, pfn) for pfn in pfns) if p is not None]
    doc = {
        "schema": "memsect/1",
        "command": "page",
        "clients": {name: off is not None for name, off in k.items()},
        "pages": pages,
        "partial": bool(dump_errors(prog)),
    }
    if dump_errors(prog):
        doc["errors"] = _errors_json(prog)
        doc["errors_total"] = len(dump_errors(prog))
    return doc
