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
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from drgn import FaultError, Object, Program, SymbolKind

from .page_type import page_flags_value
from .sections import for_each_present_section, section_layout, section_page_ext
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
    try:
        return prog.cache["memsect_page_ext_tables"]
    except KeyError:
        pass
    out = {}
    for nr, ms in for_each_present_section(prog):
        pe = section_page_ext(ms, nr)
        if pe.state in ("valid", "invalidated") and pe.table:
            out[nr] = (pe.table, pe.state == "invalidated")
    prog.cache["memsect_page_ext_tables"] = out
    return out


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
    """
    off = _po_offset(prog)
    if off is None:
        return
    layout = section_layout(prog)
    per = 1 << layout.pfn_section_shift
    for nr, (table, inval) in sorted(_tables(prog).items()):
        for k in range(per):
            pfn = (nr << layout.pfn_section_shift) + k
            po = _decode(prog, pfn, nr, table + layout.page_ext_size * k, inval, off)
            order = po.record.order.value_()
            if pfn & ((1 << order) - 1):
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
    """Return addresses of a stack depot handle, or None (0 / out of range)."""
    if not handle:
        return None
    page_shift = int(vmcoreinfo(prog).get("PAGESIZE", "4096")).bit_length() - 1
    offset_bits = _DEPOT_POOL_ORDER + page_shift - _DEPOT_STACK_ALIGN
    # 83a4f1ef45a9 (v6.1): 5 extra bits
    extra = 5 if _has(prog, "stack_depot_get_extra_bits") else 0
    if _has(prog, "pools_num"):  # 6.8: no valid bit, index + 1
        index_bits = 32 - offset_bits - extra
        idx = (handle & ((1 << index_bits) - 1)) - 1
        if idx < 0 or idx >= prog["pools_num"].value_():
            return None
        pools = prog["stack_pools"]
    else:
        index_bits = 32 - offset_bits - 1 - extra
        if not handle >> (index_bits + offset_bits) & 1:
            return None
        idx = handle & ((1 << index_bits) - 1)
        old = _has(prog, "depot_index")
        if idx > prog["depot_index" if old else "pool_index"].value_():
            return None
        pools = prog["stack_slabs" if old else "stack_pools"]
    pool = pools[idx].value_()
    if not pool:
        return None
    off = (handle >> index_bits) & ((1 << offset_bits) - 1)
    rec = Object(prog, "struct stack_record", address=pool + (off << _DEPOT_STACK_ALIGN))
    n = min(rec.size.value_(), 64)
    return [rec.entries[i].value_() for i in range(n)]


def _symbol_table(prog: Program) -> Tuple[List[int], List[str]]:
    """Symbols sorted like kallsyms (aliases: fewer leading '_' first, then name)."""
    try:
        return prog.cache["memsect_symbol_table"]
    except KeyError:
        pass
    kinds = (SymbolKind.FUNC, SymbolKind.OBJECT, SymbolKind.UNKNOWN)
    syms = sorted(
        (s.address, len(s.name) - len(s.name.lstrip("_")), s.name)
        for s in prog.symbols()
        if s.kind in kinds and s.name and s.name[0] != "$" and not s.name.startswith(".L")
    )
    table = ([a for a, _, _ in syms], [n for _, _, n in syms])
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


def owner_report(prog: Program, type: str = "allocated", pid: Optional[int] = None) -> dict:
    """The CLI's ``memsect owner --json`` document, without the ``dump`` path."""
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
    doc["partial"] = False
    doc["read_errors"] = []
    return doc


def gigantic_overrun_findings(prog: Program, finding) -> list:
    """PAGE_EXT_GIGANTIC_OVERRUN, as src/lib/checks/page_ext_gigantic_overrun.c."""
    off = _po_offset(prog)
    if off is None:
        return []
    layout = section_layout(prog)
    shift = layout.pfn_section_shift
    size = layout.page_ext_size
    tables = _tables(prog)
    out = []
    for nr, ms in for_each_present_section(prog):
        pe = section_page_ext(ms, nr)
        if pe.state != "valid":
            continue
        head = _decode(prog, nr << shift, nr, pe.table, False, off)
        order = head.record.order.value_()
        handle = head.record.handle.value_()
        if not head.owner or not head.allocated or not handle or not shift < order <= shift + _MAX_SECTIONS_ORDER:
            continue
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
            continue
        out.append(finding(
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
        ))
    return out


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


def decode_page(prog: Program, pfn: int, errors: Optional[List[int]] = None) -> Optional[dict]:
    """
    The CLI's ``memsect page --json`` entry of *pfn*: struct page, its
    page_ext entry (through the pfn's own section) and every client's data;
    None when no present section holds *pfn*.
    """
    layout = section_layout(prog)
    shift = layout.pfn_section_shift
    nr = pfn >> shift
    sec = {n: ms for n, ms in for_each_present_section(prog)}.get(nr)
    if sec is None:
        return None
    pe = section_page_ext(sec, nr)
    k = _clients(prog)
    d = {"pfn": pfn, "section": nr, "section_being_offlined": pe.state == "invalidated"}
    mem_map = sec.section_mem_map.value_() & layout.map_mask
    size = prog.type("struct page").size
    try:
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
    except FaultError as e:
        d["page"] = None
        if errors is not None:
            errors.append(e.address)
    entry = None
    if pe.state in ("valid", "invalidated") and pe.table:
        entry = pe.table + layout.page_ext_size * (pfn - (nr << shift))
        try:
            prog.read(entry, layout.page_ext_size)
        except FaultError:
            entry = None
    d["page_ext"] = {"address": hex(entry)} if entry is not None else None
    d["page_owner"] = None
    if entry is not None and k["page_owner"] is not None:
        d["page_owner"] = owner_json(prog, _decode(prog, pfn, nr, entry, pe.state == "invalidated",
                                                   k["page_owner"]))
    d["page_table_check"] = None
    if entry is not None and k["page_table_check"] is not None:
        base = entry + k["page_table_check"]
        d["page_table_check"] = {
            "anon_map_count": Object(prog, "int", address=base).value_(),
            "file_map_count": Object(prog, "int", address=base + 4).value_(),
        }
    d["alloc_tag"] = None
    if entry is not None and k["alloc_tag"] is not None:
        ct = prog.read_u64(entry + k["alloc_tag"])
        if ct > 1:  # CODETAG_EMPTY is (void *)1
            tag = Object(prog, "struct codetag", address=ct)
            try:
                d["alloc_tag"] = {
                    "tag": hex(ct),
                    "file": tag.filename.string_().decode(),
                    "line": tag.lineno.value_(),
                    "function": tag.function.string_().decode(),
                }
            except FaultError as e:  # a corrupt slot (e.g. the 6.11-6.14 overrun)
                if errors is not None:
                    errors.append(e.address)
    return d


def page_report(prog: Program, pfns: List[int]) -> dict:
    """The CLI's ``memsect page --json`` document, without the ``dump`` path."""
    k = _clients(prog)
    errors: List[int] = []
    pages = [p for p in (decode_page(prog, pfn, errors) for pfn in pfns) if p is not None]
    return {
        "schema": "memsect/1",
        "command": "page",
        "clients": {name: off is not None for name, off in k.items()},
        "pages": pages,
        "partial": bool(errors),
    }
